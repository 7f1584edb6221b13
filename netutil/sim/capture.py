"""A trace as the packets each side's network interface saw, for a pcap or pcapng file.

A capture point is one side's NIC: it sees every segment that side sends, at the moment it is
sent, whatever the network then does to it (so a lost segment appears only there), and every
copy that arrives, at its arrival time and with the bytes that arrived (a corrupted copy keeps
the bit the network flipped, so its TCP checksum is wrong, as the receiver found it). A classic
pcap holds one capture point; a pcapng file holds one interface per side, each packet with
comments saying what happened to it and which RFC 9293 rule it triggered, and its direction.

Everything is rebuilt from the trace's JSON dict alone (a `Trace.as_dict()`, or a trace fetched
from the API): the payload bytes come from the fixed data stream (`run.stream_bytes`) at the
offset the sequence number gives, the corrupted bit from the send event. The events are read
once, in order, so a trace streamed from the engine is written in bounded memory: only the
segments still in flight are held.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from netutil.errors import InvalidInput
from netutil.packet import build_ipv4_packet
from netutil.segment import (
    EOL,
    MSS,
    NOP,
    SACK,
    SACKPermitted,
    TCPFlag,
    TCPHeader,
    Timestamps,
    UnknownOption,
    WindowScale,
    build,
)
from netutil.sim.run import stream_bytes

MASK = 0xFFFFFFFF
#: The capture points: one side's NIC, or (pcapng only) both, one interface each.
CAPTURE_POINTS = ("client", "server", "both")
LINKTYPE_RAW = 101  # the packet begins with its IPv4 header
_FLAGS = {f.name: f for f in TCPFlag}
_OTHER = {"client": "server", "server": "client"}
_FATES = {
    "delivered": "delivered",
    "lost": "lost in the network",
    "dropped": "dropped by a drop rule",
    "queue-drop": "dropped by the bottleneck's full queue",
    "corrupted": "corrupted in the network",
}


@dataclass(frozen=True, slots=True)
class CapturedPacket:
    """One packet as `side`'s NIC saw it: sent by that side ("outbound") or arrived at it
    ("inbound"), with the comments the pcapng file carries for it."""

    side: str
    direction: str
    time: float
    number: int  # the trace's segment number
    copy: int  # 1, or 2 for the network's duplicate (inbound only)
    data: bytes  # the IPv4 packet
    comments: tuple[str, ...]


def _option(d: dict[str, Any]) -> Any:
    kind, value = d["kind"], d["value"]
    if kind == 0:
        return EOL()
    if kind == 1:
        return NOP()
    if kind == 2:
        return MSS(value)
    if kind == 3:
        return WindowScale(value)
    if kind == 4:
        return SACKPermitted()
    if kind == 5:
        return SACK(tuple(tuple(b) for b in value))
    if kind == 8:
        return Timestamps(value["tsval"], value["tsecr"])
    return UnknownOption(kind, bytes.fromhex(value))


def _segment(trace: dict[str, Any], e: dict[str, Any]) -> tuple[bytes, str, str]:
    """The TCP segment of send event `e` as packed bytes (good checksum), with its addresses."""
    src, dst = trace[e["side"]], trace[_OTHER[e["side"]]]
    flags = TCPFlag(0)
    for name in e["flags"]:
        flags |= _FLAGS[name]
    header = TCPHeader(
        src["port"],
        dst["port"],
        e["seq"],
        e["ack"],
        flags,
        e["window"],
        0,
        tuple(_option(o) for o in e["options"]),
    )
    length = e["len"]
    payload = stream_bytes((e["seq"] - src["isn"] - 1) & MASK, length) if length else b""
    return build(header, payload, src["ip"], dst["ip"]), src["ip"], dst["ip"]


def _packet(segment: bytes, src: str, dst: str, number: int) -> bytes:
    return build_ipv4_packet(segment, src, dst, identification=number & 0xFFFF)


def _flip(segment: bytes, bit: int | None, number: int, copy: int) -> bytes:
    """The segment with the network's flipped bit: byte bit // 8, mask 1 << (bit % 8)."""
    if bit is None or not 0 <= bit < len(segment) * 8:
        raise InvalidInput(
            f"trace event for segment {number} (copy {copy}): a corrupted copy needs the "
            f"flipped bit (0..{len(segment) * 8 - 1}), got {bit!r}"
        )
    data = bytearray(segment)
    data[bit >> 3] ^= 1 << (bit & 7)
    return bytes(data)


def trace_packets(trace: dict[str, Any]) -> Iterator[tuple[float, bytes]]:
    """(time, IPv4 packet bytes) for every segment sent in `trace`, at its sending time, with
    a good checksum: the sender's view of both directions (no NIC sees exactly this)."""
    for e in trace["events"]:
        if e["type"] == "send":
            segment, src, dst = _segment(trace, e)
            yield e["time"], _packet(segment, src, dst, e["number"])


def _send_comments(e: dict[str, Any]) -> list[str]:
    fate = e["fate"]
    text = _FATES.get(fate, fate)
    if fate == "corrupted" and e.get("corrupt_bit") is not None:
        text += f" (bit {e['corrupt_bit']} of the TCP segment flipped)"
    comments = [text]
    if e["duplicate"] is not None:
        comments.append(f"duplicated by the network (the copy: {e['duplicate']})")
    if e["note"]:
        comments.append(e["note"])
    return comments


def _arrive_comment(a: dict[str, Any], send: dict[str, Any]) -> str:
    """The receiver's verdict on one arrived copy ("received: out of order", "bad checksum:
    corrupted in the network (bit 37 flipped), discarded")."""
    result, copy = a["result"], a["copy"]
    which = "the network's duplicate copy" if copy == 2 else ""
    if result in ("bad checksum", "malformed"):
        bit = send.get("corrupt_bit" if copy == 1 else "duplicate_corrupt_bit")
        what = f"{which} corrupted" if which else "corrupted"
        return f"{result}: {what} in the network (bit {bit} flipped), discarded"
    return f"received {which}: {result}" if which else f"received: {result}"


def captured_packets(trace: dict[str, Any], point: str = "both") -> Iterator[CapturedPacket]:
    """The packets the NIC of `point` ("client", "server" or "both") saw, in time order.

    Comments: on a sent packet, its fate, the sender's note (retransmission, window probe),
    then the timer that fired and the sender's state changes that came with it (U2: CLOSED ->
    SYN-SENT, before its SYN); on an arrived copy, the receiver's verdict and the state changes
    it caused (S6: LISTEN -> SYN-RECEIVED). A state change goes with the arrival it follows,
    else with the next segment that side sends at the same instant.
    """
    if point not in CAPTURE_POINTS:
        raise InvalidInput(f"capture point {point!r}: expected one of {', '.join(CAPTURE_POINTS)}")
    points = ("client", "server") if point == "both" else (point,)
    in_flight: dict[int, tuple[dict[str, Any], bytes, str, str, int]] = {}
    held: list[Any] | None = None  # the last arrival, open to the state changes it causes
    pending: dict[str, tuple[float, list[str]]] = {}  # side -> (time, state changes not yet shown)
    for e in trace["events"]:
        kind = e["type"]
        if kind in ("state", "timeout"):
            if kind == "timeout":
                rto = f" (RTO {e['rto']:g} s)" if e["rto"] is not None else ""
                text = f"{e['timer']} timer fired{rto}"
            else:
                text = f"{e['rule']}: {e['from']} -> {e['to']}"
            caused = held is not None and held[0] == e["side"] and held[2] == e["time"]
            if kind == "state" and caused:
                held[6].append(text)
            else:
                at, texts = pending.get(e["side"], (e["time"], []))
                if at != e["time"]:
                    texts = []
                texts.append(text)
                pending[e["side"]] = (e["time"], texts)
            continue
        if held is not None:
            if held[0] in points:
                yield CapturedPacket(held[0], held[1], *held[2:6], tuple(held[6]))
            held = None
        if kind == "send":
            side, number = e["side"], e["number"]
            segment, src, dst = _segment(trace, e)
            expected = (e["fate"] in ("delivered", "corrupted")) + (e["duplicate"] is not None)
            if expected:
                in_flight[number] = (e, segment, src, dst, expected)
            if side in points:
                comments = _send_comments(e)
                at, texts = pending.pop(side, (None, []))
                if at == e["time"]:
                    comments.extend(texts)
                yield CapturedPacket(
                    side,
                    "outbound",
                    e["time"],
                    number,
                    1,
                    _packet(segment, src, dst, number),
                    tuple(comments),
                )
            else:
                pending.pop(side, None)
        elif kind == "arrive":
            number, copy = e["number"], e["copy"]
            try:
                send, segment, src, dst, expected = in_flight[number]
            except KeyError:
                raise InvalidInput(
                    f"trace arrival of segment {number} (copy {copy}) at {e['time']} s: no "
                    "send event for it in flight"
                ) from None
            if expected == 1:
                del in_flight[number]
            else:
                in_flight[number] = (send, segment, src, dst, expected - 1)
            fate = send["fate"] if copy == 1 else send["duplicate"]
            if fate == "corrupted":
                key = "corrupt_bit" if copy == 1 else "duplicate_corrupt_bit"
                segment = _flip(segment, send.get(key), number, copy)
            packet = _packet(segment, src, dst, number)
            held = [e["side"], "inbound", e["time"], number, copy, packet]
            held.append([_arrive_comment(e, send)])
            pending.pop(e["side"], None)
    if held is not None and held[0] in points:
        yield CapturedPacket(held[0], held[1], *held[2:6], tuple(held[6]))


def write_trace_pcap(fileobj: BinaryIO, trace: dict[str, Any], point: str = "client") -> int:
    """Write what the NIC of `point` ("client" or "server") saw as a classic pcap
    (LINKTYPE_RAW, microseconds); returns the number of packets."""
    from netutil.pcap import write_pcap

    if point == "both":
        raise InvalidInput(
            "capture point 'both': a classic pcap holds one interface; give client or server, "
            "or write pcapng, which holds one interface per side"
        )
    packets = captured_packets(trace, point)
    return write_pcap(fileobj, ((p.time, p.data) for p in packets), LINKTYPE_RAW)


def write_trace_pcapng(fileobj: BinaryIO, trace: dict[str, Any], point: str = "both") -> int:
    """Write what the NICs of `point` saw as pcapng: one interface per side (interface 0 the
    client, 1 the server, or only the one asked for), each packet with its direction and
    comments; the section's comment names the run. Returns the number of packets."""
    from netutil.pcapng import write_pcapng

    sides = ("client", "server") if point == "both" else (point,)
    interfaces = [
        (LINKTYPE_RAW, side, f"the {side}'s network interface, {trace[side]['ip']}")
        for side in sides
    ]
    index = {side: i for i, side in enumerate(sides)}
    packets: Iterable[Any] = (
        (index[p.side], p.time, p.data, p.comments, p.direction)
        for p in captured_packets(trace, point)
    )
    return write_pcapng(fileobj, interfaces, packets, comment=_section_comment(trace))


def _section_comment(trace: dict[str, Any]) -> str:
    options = trace.get("options") or {}
    seed = options.get("seed")
    c, s = trace["client"], trace["server"]
    return (
        f"netutil tcp handshake simulation (seed {seed}): client {c['ip']}:{c['port']}, "
        f"server {s['ip']}:{s['port']}; times are seconds from the start of the run"
    )
