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
    ]
