"""The text summary of a run of several flows (`netutil tcp handshake --flows N`): the run's
outcome, the bottleneck's numbers, and one line per flow, from the run's JSON."""

from __future__ import annotations

from typing import Any


def _mbit(bits: float | None) -> str:
    return "-" if bits is None else f"{bits / 1e6:.3f} Mbit/s"


def flows_pairs(result: dict[str, Any]) -> list[tuple[str, Any]]:
    """`key: value` pairs for `format_block`: outcome, Jain's index, bottleneck, each flow."""
    s = result["summary"]
    pairs: list[tuple[str, Any]] = [
        ("outcome", s["outcome"] if s["reason"] is None else f"{s['outcome']} ({s['reason']})"),
        ("flows", len(s["flows"])),
        ("jain's fairness index", s["jain_index"]),
    ]
    b = s["bottleneck"]
    if b is not None:
        drops, longest = b["queue_drops"], b["max_queue"]
        pairs += [
            ("bottleneck", f"{_mbit(b['bandwidth'])}, queue {b['queue']} packets"),
            ("queue drops", f"{drops['client->server']} client->server, "
                            f"{drops['server->client']} server->client"),
            ("longest queue", f"{longest['client->server']} client->server, "
                              f"{longest['server->client']} server->client"),
        ]  # fmt: skip
    for f in s["flows"]:
        rtx = f["retransmissions"]["client"]
        took = "-" if f["transfer_time"] is None else f"{f['transfer_time']:g} s"
        pairs.append(
            (
                f"flow {f['flow']}",
                f"{f['cc']}, start {f['start']:g} s, goodput {_mbit(f['goodput'])}, "
                f"throughput {_mbit(f['throughput'])}, {f['bytes_delivered']} bytes in {took}, "
                f"{rtx} retransmissions, {f['queue_drops']} queue drops, {f['outcome']}",
            )
        )
    pairs.append(("events", s["events"]))
    return pairs
