"""Text for simulator results other than the ladder: Monte Carlo statistics, drawn from the
result's JSON dict (the transition table is netutil.render.states)."""

from __future__ import annotations

from typing import Any


def _dist(d: dict[str, Any], unit: str = " s") -> str | None:
    if not d["count"]:
        return None
    return (
        f"mean {d['mean']:g}{unit}, p50 {d['p50']:g}{unit}, p90 {d['p90']:g}{unit}, "
        f"p99 {d['p99']:g}{unit} (min {d['min']:g}, max {d['max']:g}; {d['count']} runs)"
    )


def monte_carlo_pairs(result: dict[str, Any]) -> list[tuple[str, Any]]:
    """(key, value) pairs for an aligned block."""
    o = result["options"]
    times = result["established_times"]
    if times is None:
        shown = "too many distinct values to list"
    else:
        shown = ", ".join(f"{t['time']:g} s x{t['runs']}" for t in times[:12])
        if len(times) > 12:
            shown += f", ... ({len(times)} values)"
    return [
        ("runs", result["runs"]),
        ("seed", o["seed"]),
        ("rtt", f"{o['delay'] * 2 * 1000:g} ms"),
        ("loss", o["loss"]),
        ("success rate", f"{result['success_rate'] * 100:.2f} %"),
        ("outcomes", ", ".join(f"{k} {v}" for k, v in result["outcomes"].items())),
        ("time to established", _dist(result["time_to_established"])),
        ("  client times", shown),
        ("  server", _dist(result["server_time_to_established"])),
        ("retransmissions", _dist(result["retransmissions"], "")),
        (
            "  runs by count",
            ", ".join(
                f"{c['retransmissions']}: {c['runs']}" for c in result["retransmission_counts"]
            ),
        ),
        ("time to close", _dist(result["time_to_close"])),
        *(
            []
            if result.get("goodput") is None
            else [("goodput", _dist(result["goodput"], " bit/s"))]
        ),
    ]


def option_table_markdown(options: list[dict[str, Any]]) -> list[str]:
    """The simulator's option table (`Option.as_dict()` of each) as Markdown lines: the README's
    list of options is this output (a test compares)."""
    lines = [
        "| option (API) | command line | default | range | meaning |",
        "|---|---|---|---|---|",
    ]
    for o in options:
        flag = f"`{o['flag']}`" if o["flag"] else "-"
        if o["alias"]:
            flag += f" or `{o['alias']['flag']}` (x {1 / o['alias']['scale']:g})"
        if o["kind"] == "flag":
            default = "true" if o["default"] else "false"
        elif o["nullable"]:
            default = o["null_means"]
        elif o["kind"] in ("drop", "durations", "choices") and not o["default"]:
            default = "none"
        else:
            default = f"{o['default']:g}" if isinstance(o["default"], float) else o["default"]
            default = f"{default} {o['unit']}".rstrip()
        if o["choices"]:
            bounds = ", ".join(o["choices"])
        elif o["kind"] == "drop":
            bounds = f"at most {o['high']} rules"
        elif o["low"] is None:
            bounds = "-"
        else:
            low, high = (
                f"{v:g}" if isinstance(v, float) else str(v) for v in (o["low"], o["high"])
            )
            bounds = f"{low} .. {high} {o['unit']}".rstrip()
        meaning = o["help"] + (f" (default: {o['source']})" if o["source"] else "")
        lines.append(f"| `{o['name']}` | {flag} | {default} | {bounds} | {meaning} |")
    return lines
