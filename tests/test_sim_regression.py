"""Regression oracle for the simulator's output: stored results under tests/data/golden/.

For each scenario below the JSON trace (one event a line), the ladder and the pcap's SHA-256
are stored, and for each Monte Carlo case its JSON summary. They were produced by the simulator
whose behaviour test_sim_run.py, test_sim_tcb.py and test_sim_stats.py check against RFC 9293
and hand-worked numbers (and they match the SHA-256 digests this test held before). They are
not independent of our code: they pin that a restructuring changes nothing a user can see - not
one event, time, number or byte. A failure names the first event (or line, or field) that
differs. A deliberate change of behaviour regenerates them with

    python -m tests.test_sim_regression

which rewrites every file and prints the scenarios whose output changed; the commit names them
and says why (tests/data/README.md).
"""

from __future__ import annotations

import difflib
import hashlib
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from netutil.render.ladder import render_ladder, summary_pairs
from netutil.sim.capture import write_trace_pcap
from netutil.sim.options import SimOptions
from netutil.sim.run import simulate
from netutil.sim.stats import monte_carlo

GOLDEN = Path(__file__).parent / "data" / "golden"

SCENARIOS = {
    "plain": dict(seed=1),
    "loss": dict(seed=2, loss=0.3),
    "jitter": dict(seed=3, jitter=0.04, data=20_000),
    "reorder": dict(seed=4, reorder=0.3, data=30_000),
    "duplicate": dict(seed=5, duplicate=0.4, data=10_000),
    "corrupt": dict(seed=6, corrupt=0.3, data=10_000),
    "drops": dict(seed=7, drop=("2", "5", "syn-ack:1", "fin")),
    "drop-all-acks": dict(seed=17, drop=("ack",)),
    "server-closes": dict(seed=8, closer="server", data=5_000, loss=0.1),
    "both-close": dict(seed=9, closer="both", data=3_000),
    "simultaneous-open": dict(seed=10, simultaneous_open=True, data=2_000),
    "no-listener": dict(seed=11, listener=False),
    "loss-1": dict(seed=12, loss=1.0),
    "slow-reader": dict(seed=13, data=200_000, window=8_192, read_rate=20_000.0),
    "transfer": dict(seed=14, data=300_000, loss=0.02, mss=536),
    "dup-syn-linux": dict(seed=15, drop=("syn-ack:1",), dup_syn="syn-ack", loss_to_client=0.3),
    "no-close-isns": dict(seed=16, close=False, client_isn=0xFFFFFF00, server_isn=5, data=4_000),
    "all-impairments": dict(
        seed=18, loss=0.05, jitter=0.01, reorder=0.1, duplicate=0.1, corrupt=0.1, data=50_000
    ),
    "event-cap": dict(seed=19, loss=1.0, max_events=5),
    "bottleneck": dict(seed=20, bandwidth=2e6, queue=8, data=60_000, loss=0.01),
    "zero-window-rfc": dict(seed=20, data=5_000, window=1_000, read_rate=200.0, loss=0.2),
    "zero-window-linux": dict(
        seed=20, data=5_000, window=1_000, read_rate=200.0, loss=0.2, zero_window_probe="linux"
    ),
}

# Scenarios whose ladder and pcap are stored too (the trace JSON is stored for every scenario).
LADDER_PCAP = (
    "plain",
    "loss",
    "corrupt",
    "simultaneous-open",
    "no-listener",
    "both-close",
    "transfer",
    "zero-window-rfc",
)

MONTE_CARLO = {
    "mc-loss-0.1": (dict(seed=1, loss=0.1), 300),
    "mc-loss-0.3-server": (dict(seed=2, loss=0.3, closer="server"), 200),
    "mc-impaired-data": (
        dict(seed=3, loss=0.05, jitter=0.01, duplicate=0.05, corrupt=0.05, data=3_000),
        100,
    ),
    "mc-simultaneous": (dict(seed=4, simultaneous_open=True, closer="both", loss=0.2), 100),
    "mc-no-listener": (dict(seed=5, listener=False), 20),
}


# ---------------------------------------------------------------- the stored forms


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def trace_text(trace: dict[str, Any]) -> str:
    """A trace as stored: one top-level key a line, and each event on a line of its own, so
    that `git diff` and a failing test both show the events that changed."""
    lines = ["{"]
    keys = list(trace)
    for i, key in enumerate(keys):
        comma = "," if i < len(keys) - 1 else ""
        if key == "events":
            events = trace[key]
            lines.append('"events": [' if events else f'"events": []{comma}')
            for j, event in enumerate(events):
                lines.append(_compact(event) + ("," if j < len(events) - 1 else ""))
            if events:
                lines.append("]" + comma)
        else:
            lines.append(f"{_compact(key)}: {_compact(trace[key])}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def monte_carlo_text(result: dict[str, Any]) -> str:
    return json.dumps(result, indent=1) + "\n"


def ladder_text(trace: dict[str, Any]) -> str:
    lines = [*render_ladder(trace), *map(str, summary_pairs(trace["summary"]))]
    return "\n".join(lines) + "\n"


def pcap_sha256(trace: dict[str, Any]) -> str:
    pcap = io.BytesIO()
    write_trace_pcap(pcap, trace)
    return hashlib.sha256(pcap.getvalue()).hexdigest() + "\n"


def produce() -> dict[str, str]:
    """Every stored file's path (relative to GOLDEN) and the text today's code gives for it."""
    files = {}
    for name, params in SCENARIOS.items():
        trace = simulate(SimOptions(**params)).as_dict()
        files[f"trace/{name}.json"] = trace_text(trace)
        if name in LADDER_PCAP:
            files[f"ladder/{name}.txt"] = ladder_text(trace)
            files[f"pcap/{name}.sha256"] = pcap_sha256(trace)
    for name, (params, runs) in MONTE_CARLO.items():
        result = monte_carlo(SimOptions(**params), runs).as_dict()
        files[f"monte-carlo/{name}.json"] = monte_carlo_text(result)
    return files


# ---------------------------------------------------------------- readable failures


def first_difference(expected: Any, actual: Any, path: str = "") -> str | None:
    """Where two JSON values first differ, as `path: expected ... != actual ...`, or None.

    Types are compared too (1 and 1.0 differ: the stored text would)."""
    if type(expected) is not type(actual):
        return f"{path or '.'}: expected {expected!r}, got {actual!r}"
    if isinstance(expected, dict):
        for key in expected.keys() | actual.keys():
            if key not in actual:
                return f"{path}.{key}: missing (expected {expected[key]!r})"
            if key not in expected:
                return f"{path}.{key}: unexpected (got {actual[key]!r})"
        if list(expected) != list(actual):
            return f"{path or '.'}: keys in order {list(actual)}, expected {list(expected)}"
        for key in expected:
            found = first_difference(expected[key], actual[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(expected, list):
        for i, (e, a) in enumerate(zip(expected, actual, strict=False)):
            found = first_difference(e, a, f"{path}[{i}]")
            if found:
                return found
        if len(expected) != len(actual):
            return f"{path or '.'}: {len(actual)} items, expected {len(expected)}"
        return None
    if expected != actual:
        return f"{path}: expected {expected!r}, got {actual!r}"
    return None


def _trace_failure(name: str, expected: dict[str, Any], actual: dict[str, Any]) -> str:
    where = first_difference(expected, actual) or "the stored text differs in form only"
    lines = [f"trace {name!r} changed: {where}"]
    for i, (e, a) in enumerate(zip(expected["events"], actual["events"], strict=False)):
        if e != a or _compact(e) != _compact(a):
            lines.append(f"first differing event, #{i} of {len(expected['events'])}:")
            lines.append(f"  stored: {_compact(e)}")
            lines.append(f"  now:    {_compact(a)}")
            break
    lines.append("(deliberate? python -m tests.test_sim_regression; name it in the commit)")
    return "\n".join(lines)


def _stored(relative: str) -> str:
    path = GOLDEN / relative
    if not path.exists():
        pytest.fail(f"{path} is missing: python -m tests.test_sim_regression writes it")
    return path.read_text()


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_trace_json_is_unchanged(name):
    trace = simulate(SimOptions(**SCENARIOS[name])).as_dict()
    stored = _stored(f"trace/{name}.json")
    now = trace_text(trace)
    if now != stored:
        pytest.fail(_trace_failure(name, json.loads(stored), json.loads(now)), pytrace=False)


@pytest.mark.parametrize("name", LADDER_PCAP)
def test_ladder_and_pcap_are_unchanged(name):
    trace = simulate(SimOptions(**SCENARIOS[name])).as_dict()
    stored = _stored(f"ladder/{name}.txt")
    now = ladder_text(trace)
    if now != stored:
        diff = difflib.unified_diff(
            stored.splitlines(), now.splitlines(), "stored", "now", n=2, lineterm=""
        )
        pytest.fail(f"ladder {name!r} changed:\n" + "\n".join(list(diff)[:40]), pytrace=False)
    assert pcap_sha256(trace) == _stored(f"pcap/{name}.sha256"), (
        f"pcap {name!r} changed although its JSON trace and ladder did not"
    )


@pytest.mark.parametrize("name", sorted(MONTE_CARLO))
def test_monte_carlo_is_unchanged(name):
    params, runs = MONTE_CARLO[name]
    result = monte_carlo(SimOptions(**params), runs).as_dict()
    stored = _stored(f"monte-carlo/{name}.json")
    if monte_carlo_text(result) != stored:
        where = first_difference(json.loads(stored), result) or "form only"
        pytest.fail(f"Monte Carlo {name!r} changed: {where}", pytrace=False)


def test_first_difference_names_the_field():
    """The failure message's locator: the first differing key, by path."""
    a = {"events": [{"seq": 1, "ack": 2}, {"seq": 3}], "summary": {"outcome": "completed"}}
    b = {"events": [{"seq": 1, "ack": 2}, {"seq": 4}], "summary": {"outcome": "failed"}}
    assert first_difference(a, b) == ".events[1].seq: expected 3, got 4"
    assert first_difference(a, a) is None
    assert first_difference({"t": 1}, {"t": 1.0}) == ".t: expected 1, got 1.0"
    assert first_difference([1, 2], [1]) == ".: 1 items, expected 2"


def test_stored_files_are_all_used():
    """No stale golden file lingers after a scenario is renamed or removed."""
    expected = {f"trace/{n}.json" for n in SCENARIOS}
    expected |= {f"ladder/{n}.txt" for n in LADDER_PCAP} | {f"pcap/{n}.sha256" for n in LADDER_PCAP}
    expected |= {f"monte-carlo/{n}.json" for n in MONTE_CARLO}
    present = {
        str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*") if p.is_file() and p.suffix != ".md"
    }
    assert present == expected


def regenerate() -> list[str]:
    """Rewrite every stored file from today's code; returns those whose content changed."""
    changed = []
    for relative, text in produce().items():
        path = GOLDEN / relative
        if not path.exists() or path.read_text() != text:
            changed.append(relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    return changed


if __name__ == "__main__":
    changed = regenerate()
    print("\n".join(changed) if changed else "no stored output changed")
    sys.exit(0)
