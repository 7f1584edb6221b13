"""One captured connection as a trace in the simulator's JSON shape, so the views drawn from a
simulated run's trace (the ladder) draw a real capture the same way.

A capture point sees each segment once, when it passes: each becomes a `send` event of the side
that sent it, numbered by its frame, its fate `captured`, its note the analysis flags. Where the
capture cannot see (a segment lost before it, or after it), the flags say so: `lost_segment`
(a gap in what one side sent: lost before the capture point) and `ack_lost_segment` (acknowledged
bytes never seen).
"""

from __future__ import annotations

from typing import Any

from netutil.analyze import Analysis, SegmentEvent
from netutil.errors import InvalidInput
from netutil.segment import option_as_dict

__all__ = ["as_run", "connection_trace"]


def connection_trace(analysis: Analysis, number: int) -> dict[str, Any]:
    """Connection `number` of a whole-capture analysis (`analyse(..., every_segment=True)`) as
    a trace dict: `capture` (one line saying what it is), `client`, `server` (ip, port, isn),
    `events`."""
    if not analysis.every_segment:
        raise InvalidInput("a connection's trace needs every segment (analyse every_segment)")
    if not 0 <= number < len(analysis.connections):
        raise InvalidInput(
            f"connection {number} does not exist: the capture has {len(analysis.connections)} "
            f"(0 to {len(analysis.connections) - 1})"
        )
    conn = analysis.connections[number]
    events = [e for e in analysis.events if isinstance(e, SegmentEvent) and e.connection == number]
    isn: dict[str, int] = {}
    for side in ("client", "server"):  # a side's ISN: its SYN's seq, else its first seq - 1
        sent = [e for e in events if e.side == side]
        syn = next((e for e in sent if "SYN" in e.flags), None)
        isn[side] = syn.seq if syn else (sent[0].seq - 1) % 2**32 if sent else 0
    rtt = conn.initial_rtt
    what = (
        f"connection {number} as captured"
        + (f", initial RTT {rtt * 1e3:.3f} ms" if rtt is not None else "")
        + "; seq and ack are relative to each side's ISN"
    )
    from netutil.analyze.states import infer_states

    delay = {
        "client": (conn.synack_to_ack or 0.0) / 2,
        "server": (conn.syn_to_synack or 0.0) / 2,
    }
    changes, limits = infer_states(
        ((e.frame, e.time - conn.start, e.side, e.flags, e.seq, e.ack, e.length) for e in events),
        delay,
    )
    sends = [
        {
            "type": "send",
            "time": round(e.time - conn.start, 9),
            "side": e.side,
            "number": e.frame,
            "flags": list(e.flags),
            "seq": e.seq,
            "ack": e.ack,
            "window": e.window,
            "len": e.length,
            "options": [option_as_dict(o) for o in e.options],
            "note": " ".join(e.analysis) or None,
            "fate": "captured",
            "analysis": list(e.analysis),
            "reasons": list(e.reasons),
        }
        for e in events
    ]
    # the state changes at their estimated times, among the segments at their capture times
    merged = [(send["time"], 0, i, send) for i, send in enumerate(sends)]
    merged += [
        (max(0.0, round(t, 9)), 1, i, change.as_dict(max(0.0, round(t, 9))))
        for i, (t, change) in enumerate(changes)
    ]
    merged.sort(key=lambda x: x[:3])
    trace_events = [m[3] for m in merged]
    return {
        "capture": what,
        "client": {
            "role": "client",
            "ip": conn.client[0],
            "port": conn.client[1],
            "isn": isn["client"],
        },
        "server": {
            "role": "server",
            "ip": conn.server[0],
            "port": conn.server[1],
            "isn": isn["server"],
        },
        "connection": conn.as_dict(),
        "capture_limits": [
            "states are inferred from the segments each side was seen to send and receive "
            "(RFC 9293 rules, netutil tcp states): a capture sees a segment pass, not arrive, "
            "so a change on receipt assumes the segment arrived; each side's changes are shown "
            f"on its own clock, estimated from the handshake (one-way delay from the capture "
            f"point: client {delay['client'] * 1e3:.3f} ms, server {delay['server'] * 1e3:.3f} "
            "ms)",
            *limits,
        ],
        "rtt_samples": [
            {
                "time": round(e.time - conn.start, 9),
                "frame": e.frame,
                "data_of": "server" if e.side == "client" else "client",
                "source": source,
                "rtt": rtt,
            }
            for e in events
            for source, rtt in (("ack", e.karn_rtt), ("timestamps", e.ts_rtt))
            if rtt is not None
        ],
        "events": trace_events,
    }


def as_run(trace: dict[str, Any]) -> dict[str, Any]:
    """A captured connection's trace in the shape of a simulated run's, for the plots: each
    segment is sent and arrives at its capture time (the capture point's view), and its analysis
    flags are its note (so a retransmission is drawn as one)."""
    events: list[dict[str, Any]] = []
    for e in trace["events"]:
        if e["type"] != "send":
            events.append(e)
            continue
        events.append({**e, "arrival": e["time"], "duplicate": None})
        peer = "server" if e["side"] == "client" else "client"
        events.append(
            {
                "type": "arrive",
                "time": e["time"],
                "side": peer,
                "number": e["number"],
                "copy": 1,
                "result": "accepted",
            }
        )
    return {**trace, "events": events, "options": {"delay": 0.0, "seed": None, "msl": None}}
