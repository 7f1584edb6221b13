"""The ladder (sequence) diagram of a simulated connection, drawn from its JSON dict.

Time runs down, the client is on the left and the server on the right; each segment is an arrow
labelled with its number, flags, seq, ack, window and length, drawn when it is sent; its arrival
is a second, short arrow at the receiver (with the receiver's verdict when it is not plain
acceptance); a lost segment ends in `X` in the middle of the lane. Sequence and acknowledgment
numbers are shown relative to the sender's and the receiver's ISN, as Wireshark does.
Only the JSON dict is read, so a trace fetched from the API draws the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MASK = 0xFFFFFFFF
LANE = 70  # characters between the two state columns
SIDE = 13  # width of a state column ("SYN-RECEIVED" is 12)


def render_ladder(trace: dict[str, Any]) -> Iterator[str]:
    """Lines of the ladder diagram (the summary is `summary_pairs`)."""
    client, server = trace["client"], trace["server"]
    isn = {"client": client["isn"], "server": server["isn"]}
    peer = {"client": "server", "server": "client"}
    yield (
        f"client {client['ip']}:{client['port']} (ISN {client['isn']})  <->  "
        f"server {server['ip']}:{server['port']} (ISN {server['isn']})"
    )
    if "capture" in trace:  # a captured connection (netutil.analyze.trace): what and where
        yield trace["capture"]
    else:
        options = trace["options"]
        yield (
            f"RTT {options['delay'] * 2 * 1000:g} ms, seed {options['seed']}; "
            "seq and ack are relative to each side's ISN"
        )
    yield ""
    header = f"{'time':>9}  {'client':<{SIDE}}|{'':<{LANE}}|  server"
    yield header
    yield "-" * len(header)

    rows: list[list[Any]] = []  # [time, left, lane, right]

    def add(time: float, left: str = "", lane: str = "", right: str = "") -> None:
        rows.append([time, left, lane, right])

    for e in trace["events"]:
        kind, side, time = e["type"], e["side"], e["time"]
        if kind == "state":
            text = e["to"]
            col = 1 if side == "client" else 3
            last = rows[-1] if rows else None
            if last is not None and last[0] == time and not last[col]:
                last[col] = text
            else:
                row = [time, "", "", ""]
                row[col] = text
                rows.append(row)
        elif kind == "send":
            label = _label(e, isn[side], isn[peer[side]])
            add(time, lane=_arrow(label, side, e["fate"]))
        elif kind == "arrive":
            verdict = e["result"]
            mark = f"#{e['number']}" + (" (copy 2)" if e["copy"] == 2 else "")
            if verdict not in ("accepted",):
                mark += f" {verdict}"
            if verdict in ("bad checksum", "malformed"):
                mark += " X"
            if side == "server":
                add(time, lane=f"{mark} >".rjust(LANE))
            else:
                add(time, lane=f"< {mark}")
        elif kind == "timeout":
            text = f"{e['timer']} timeout"
            if e.get("rto") is not None:
                text += f" (RTO {e['rto']:g} s)"
            add(time, lane=_aside(text, side))
        else:  # user calls and errors
            prefix = "app: " if kind == "user" else "error: "
            add(time, lane=_aside(prefix + e["text"], side))

    for time, left, lane, right in rows:
        yield f"{time:9.3f}  {left:<{SIDE}}|{lane:<{LANE}}|  {right}".rstrip()


def _label(e: dict[str, Any], own_isn: int, peer_isn: int) -> str:
    flags = ",".join(e["flags"])
    parts = [f"#{e['number']}", flags]
    if "RST" in e["flags"]:
        parts.append(f"seq={e['seq']}")
        if "ACK" in e["flags"]:
            parts.append(f"ack={e['ack']}")
    else:
        parts.append(f"seq={(e['seq'] - own_isn) & MASK}")
        if "ACK" in e["flags"]:
            parts.append(f"ack={(e['ack'] - peer_isn) & MASK}")
        parts.append(f"win={e['window']}")
    if e["len"]:
        parts.append(f"len={e['len']}")
    if "SYN" in e["flags"]:
        for option in e["options"]:
            if option["kind"] == 2:
                parts.append(f"mss={option['value']}")
            elif option["kind"] == 3:
                parts.append(f"ws={option['value']}")
    if e["note"]:
        parts.append(f"({e['note']})")
    return " ".join(parts)


def _arrow(label: str, side: str, fate: str) -> str:
    """An arrow across the lane for a sent segment; a lost one stops at X midway."""
    body = f" {label} "
    if fate in ("lost", "dropped"):
        stub = max(3, LANE // 2 - len(body))
        if side == "client":
            return f"{body}{'-' * stub}X {fate}"
        return f"{fate} X{'-' * stub}{body}".rjust(LANE)
    fill = max(3, LANE - len(body) - 1)
    if side == "client":
        return f"{body}{'-' * fill}>"
    return f"<{'-' * fill}{body}"


def _aside(text: str, side: str) -> str:
    """A remark next to one side (a timer, a user call)."""
    return f" {text}" if side == "client" else f"{text} ".rjust(LANE)


def summary_pairs(summary: dict[str, Any]) -> list[tuple[str, Any]]:
    """The summary as (key, value) pairs for an aligned `key: value` block."""
    est = summary["time_to_established"]
    rtx = summary["retransmissions"]
    states = summary["final_states"]
    return [
        ("outcome", summary["outcome"]),
        ("reason", summary["reason"]),
        ("established (client)", _seconds(est["client"])),
        ("established (server)", _seconds(est["server"])),
        ("retransmissions", f"client {rtx['client']}, server {rtx['server']}"),
        (
            "segments",
            f"{summary['segments_sent']} sent, {summary['segments_lost']} lost, "
            f"{summary['segments_corrupted']} corrupted, "
            f"{summary['segments_duplicated']} duplicated",
        ),
        (
            "bytes delivered",
            f"{summary['bytes_delivered']} of {summary['bytes_sent']}"
            + (" (intact)" if summary["data_intact"] else " (NOT intact)"),
        ),
        ("time to close", _seconds(summary["time_to_close"])),
        ("final states", f"client {states['client']}, server {states['server']}"),
        ("duration", _seconds(summary["duration"])),
    ]


def _seconds(value: float | None) -> str | None:
    return None if value is None else f"{value:g} s"
