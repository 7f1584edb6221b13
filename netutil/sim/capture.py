"""A trace as IP packets for a pcap file, rebuilt from the trace's JSON dict alone.

Each segment is captured once, at the moment it is sent (as a capture on the sender's interface
would see it), whatever the network then does to it; so lost segments appear too, and every
packet carries a correct IPv4 header checksum and TCP checksum. The payload bytes come from the
fixed data stream (`run.stream_bytes`) at the offset the sequence number gives, which is why the
JSON needs no payload to be turned into a capture: a trace fetched from the API converts the same.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
_FLAGS = {f.name: f for f in TCPFlag}


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


def trace_packets(trace: dict[str, Any]) -> Iterator[tuple[float, bytes]]:
    """(time, IPv4 packet bytes) for every segment sent in `trace` (a `Trace.as_dict()`)."""
    ends = {"client": trace["client"], "server": trace["server"]}
    other = {"client": "server", "server": "client"}
    for e in trace["events"]:
        if e["type"] != "send":
            continue
        src, dst = ends[e["side"]], ends[other[e["side"]]]
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
        if length:
            offset = (e["seq"] - src["isn"] - 1) & MASK
            payload = stream_bytes(offset, length)
        else:
            payload = b""
        segment = build(header, payload, src["ip"], dst["ip"])
        packet = build_ipv4_packet(
            segment, src["ip"], dst["ip"], identification=e["number"] & 0xFFFF
        )
        yield e["time"], packet


def write_trace_pcap(fileobj: Any, trace: dict[str, Any]) -> int:
    """Write the trace as a classic pcap (LINKTYPE_RAW); returns the number of packets."""
    from netutil.pcap import write_pcap

    return write_pcap(fileobj, trace_packets(trace))
