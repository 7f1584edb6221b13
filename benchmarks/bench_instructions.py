"""The simulator's cost in machine instructions (valgrind's callgrind), beside a bare heapq loop.

Wall-clock ratios swing by half on a shared machine; instruction counts repeat to a fraction of
a percent. Each workload runs in a fresh interpreter under `valgrind --tool=callgrind`, and so
does the same script with the workload left out (imports and options only): the difference is
the workload's own count. The floor is the bare `heapq` loop of `bench_sim`, run for exactly as
many `(time, seq, callback, args)` events as the workload ran, measured the same way.

Workloads: the Monte Carlo run of `netutil tcp handshake --loss 0.1 --runs 10000 --seed 1`
(reported per run: goal at most 345,000 instructions per handshake-and-close run) and the
10 MB transfer at 1% loss (`--data 10M --loss 0.01 --seed 1`). `--quick`: 1,000 runs and 1 MB.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks import harness

_ROOT = Path(__file__).resolve().parent.parent

#: The goal: at most 345,000 instructions per run (327,500 before the endpoint was cut into
#: policies, so at most +5% for those seams).
MONTE_CARLO_GOAL = 345_000

_MONTE_CARLO = (
    "from netutil.sim.options import SimOptions\n"
    "from netutil.sim.stats import monte_carlo\n"
    "options = SimOptions(loss=0.1, seed=1)\n",
    "result = monte_carlo(options, {runs})\n",
)
_TRANSFER = (
    "from netutil.sim.options import SimOptions\n"
    "from netutil.sim.run import simulate\n"
    "options = SimOptions(seed=1, loss=0.01, data={size})\n",
    "result = simulate(options)\n",
)
# bench_sim's floor, the very same function: `events` events through a heap of a handful
_FLOOR = (
    "from benchmarks.bench_sim import _bare_heapq_loop\n",
    "_bare_heapq_loop({events})\n",
)


@dataclass(frozen=True, slots=True)
class Count:
    """Instructions of a workload (with its setup's count taken off) and its engine events."""

    instructions: int
    events: int


def _callgrind(code: str) -> int:
    """Instructions executed by a fresh `python -c code` under callgrind."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "callgrind.out")
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-c",
                code,
            ],
            check=True,
            capture_output=True,
            cwd=_ROOT,  # where `benchmarks` and `netutil` import from
            # string hashing fixed, so dict and set layouts (and their costs) repeat run to run
            env={**os.environ, "PYTHONHASHSEED": "0"},
        )
        with open(out) as f:
            text = f.read()
    found = re.search(r"^(?:summary|totals): (\d+)", text, re.MULTILINE)
    if not found:
        raise RuntimeError(f"no instruction total in callgrind's output {out}")
    return int(found.group(1))


def _workload(parts: tuple[str, str], event_count: int, **values: int) -> Count:
    setup, body = (p.format(**values) for p in parts)
    return Count(_callgrind(setup + body) - _callgrind(setup), event_count)


def _floor(events: int) -> int:
    return _workload(_FLOOR, events, events=events).instructions


def measure_monte_carlo(runs: int) -> tuple[Count, int]:
    """The Monte Carlo workload's count and the floor's for its number of events."""
    from netutil.sim.options import SimOptions
    from netutil.sim.stats import monte_carlo

    events = monte_carlo(SimOptions(loss=0.1, seed=1), runs).events  # natively, to learn N
    return _workload(_MONTE_CARLO, events, runs=runs), _floor(events)


def measure_transfer(size: int) -> tuple[Count, int]:
    from netutil.sim.options import SimOptions
    from netutil.sim.run import simulate

    events = simulate(SimOptions(seed=1, loss=0.01, data=size)).summary.events
    return _workload(_TRANSFER, events, size=size), _floor(events)


def run(quick: bool) -> None:
    if shutil.which("valgrind") is None:
        harness.note(
            "valgrind is not installed: run scripts/install-test-tools "
            "(or: apt-get install valgrind); nothing measured"
        )
        return
    runs = 1_000 if quick else 10_000
    count, floor = measure_monte_carlo(runs)
    per_run = count.instructions / runs
    print(
        f"{f'handshake+close loss 0.1 x{runs} (per run)':<44} netutil {per_run:>12,.0f} Ir   "
        f"bare heapq {floor / runs:>10,.0f} Ir   ratio {count.instructions / floor:6.2f}x"
        f"   goal: <= {MONTE_CARLO_GOAL:,} Ir per run",
        flush=True,
    )
    harness.note(
        f"{count.events} events ({count.events / runs:.2f} per run): "
        f"{count.instructions / count.events:,.0f} Ir per event vs "
        f"{floor / count.events:,.0f} bare; {'within' if per_run <= MONTE_CARLO_GOAL else 'OVER'}"
        " the goal"
    )
    size = 1_000_000 if quick else 10_000_000
    count, floor = measure_transfer(size)
    print(
        f"{f'{size / 1e6:g} MB transfer at 1% loss (one run)':<44} netutil "
        f"{count.instructions:>12,} Ir   bare heapq {floor:>10,} Ir   "
        f"ratio {count.instructions / floor:6.2f}x",
        flush=True,
    )
    harness.note(
        f"{count.events} events: {count.instructions / count.events:,.0f} Ir per event vs "
        f"{floor / count.events:,.0f} bare"
    )
