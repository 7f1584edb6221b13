# ruff: noqa: E501
"""Per-connection measurements of `netutil tcp analyze`: the reassembled byte streams against
tshark's `-z follow,tcp,raw,N`, each ACK's RTT against tshark's `tcp.analysis.ack_rtt` frame by
frame, and Karn's rule, Timestamps RTT, retransmission rate, acknowledged bytes and the largest
gap on a capture built here whose values are worked out by hand."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest

from netutil.analyze import SegmentEvent, analyse, follow_connection
from netutil.cli import main
from netutil.packet import build_packet
from netutil.pcap import write_pcap
from netutil.segment import TCPHeader, Timestamps
from tests.tools import require

DATA = Path(__file__).parent / "data"
CAPTURES = ["loopback_ipv4.pcap", "loopback_ipv6.pcap", "namespace_lossy.pcapng"]


def tshark_follow(path: Path, number: int) -> tuple[bytes, bytes]:
    """(client's bytes, server's bytes) as `tshark -q -z follow,tcp,raw,N` prints them (node 0
    lines flush left, node 1 lines after a tab)."""
    out = subprocess.run(
        [require("tshark"), "-n", "-r", str(path), "-q", "-z", f"follow,tcp,raw,{number}"],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    body = out.split("=" * 67)[1].strip().splitlines()[4:]
    first = bytes.fromhex("".join(ln for ln in body if not ln.startswith("\t")))
    second = bytes.fromhex("".join(ln.strip() for ln in body if ln.startswith("\t")))
    return first, second


@pytest.mark.parametrize("name", CAPTURES)
def test_follow_equals_tsharks_follow_tcp_raw(name, capfdbinary):
    path = DATA / name
    connections = analyse(io.BytesIO(path.read_bytes()), every_segment=False).connections
    assert connections
    for c in connections:
        followed = follow_connection(io.BytesIO(path.read_bytes()), c.number)
        client, server = tshark_follow(path, c.number)
        assert followed.directions[0].data == client
        assert followed.directions[1].data == server
        assert main(["tcp", "analyze", str(path), "--follow", str(c.number), "--direction",
                     "server"]) == 0  # fmt: skip
        assert capfdbinary.readouterr().out == server


def test_follow_direction_writes_the_raw_bytes(capfdbinary):
    path = DATA / "loopback_ipv4.pcap"
    assert main(["tcp", "analyze", str(path), "--follow", "0", "--direction", "client"]) == 0
    assert capfdbinary.readouterr().out == tshark_follow(path, 0)[0] == b"hello from netutil\n"


@pytest.mark.parametrize("name", CAPTURES)
def test_ack_rtt_equals_tsharks_frame_by_frame(name):
    path = DATA / name
    out = subprocess.run(
        [require("tshark"), "-n", "-r", str(path), "-T", "fields", "-e", "frame.number", "-e",
         "tcp.analysis.ack_rtt", "-e", "tcp.analysis.acks_frame", "-Y", "tcp.analysis.ack_rtt"],
        capture_output=True, text=True, check=True, timeout=120,
    ).stdout  # fmt: skip
    theirs = {}
    for line in out.splitlines():
        frame, rtt, acked = line.split("\t")
        theirs[int(frame)] = (round(float(rtt), 9), int(acked))
    events = analyse(io.BytesIO(path.read_bytes())).events
    ours = {
        e.frame: (e.ack_rtt, e.acked_frame)
        for e in events
        if isinstance(e, SegmentEvent) and e.ack_rtt is not None
    }
    assert theirs and ours == theirs


def _capture() -> bytes:
    """A connection with every measurement worked out by hand (times in seconds from 0):

    0.000 client SYN seq 1000 (TSval 10)        0.010 server SYN,ACK seq 5000 ack 1001 (TSval 70,
    0.012 client ACK (TSval 11, TSecr 70)             TSecr 10)
    0.100 client 100 bytes at 1001 (TSval 20)   0.140 server ACK 1101 (TSval 80, TSecr 20)
    0.200 client 100 bytes at 1101 (TSval 30)   1.200 client the same again (TSval 40): RTO
    1.250 server ACK 1201 (TSval 90, TSecr 40)  1.300 client FIN at 1201 (TSval 50)
    1.330 server FIN,ACK 5001 ack 1202 (TSval 95, TSecr 50)   1.331 client ACK 1202 ack 5002
    """
    c, s = ("192.0.2.1", 40000), ("198.51.100.2", 5001)
    steps = [
        (0.000, True, 1000, 0, 0x02, 0, (10, 0)),
        (0.010, False, 5000, 1001, 0x12, 0, (70, 10)),
        (0.012, True, 1001, 5001, 0x10, 0, (11, 70)),
        (0.100, True, 1001, 5001, 0x18, 100, (20, 70)),
        (0.140, False, 5001, 1101, 0x10, 0, (80, 20)),
        (0.200, True, 1101, 5001, 0x18, 100, (30, 80)),
        (1.200, True, 1101, 5001, 0x18, 100, (40, 80)),
        (1.250, False, 5001, 1201, 0x10, 0, (90, 40)),
        (1.300, True, 1201, 5001, 0x11, 0, (50, 90)),
        (1.330, False, 5001, 1202, 0x11, 0, (95, 50)),
        (1.331, True, 1202, 5002, 0x10, 0, (51, 95)),
    ]
    packets = []
    for t, from_client, seq, ack, flags, n, (tsval, tsecr) in steps:
        (src, sport), (dst, dport) = (c, s) if from_client else (s, c)
        h = TCPHeader(sport, dport, seq, ack, flags, 65535, options=(Timestamps(tsval, tsecr),))
        packets.append((1000 + t, build_packet(h, bytes(n), src, dst)))
    out = io.BytesIO()
    write_pcap(out, packets, nanosecond=True)
    return out.getvalue()


def test_rtt_samples_karns_rule_and_the_connections_figures():
    result = analyse(io.BytesIO(_capture()))
    (conn,) = result.connections
    events = {e.frame: e for e in result.events}
    # frame 5 acks frame 4 after 40 ms; frame 8 acks bytes sent twice: Karn's rule, no sample
    assert (events[5].acked_frame, events[5].karn_rtt) == (4, 0.04)
    assert events[8].acked_frame == 6 and events[8].ack_rtt == 1.05 and events[8].karn_rtt is None
    assert events[7].analysis == ("retransmission",)
    # the client's data: SYN (10 ms), 100 bytes (40 ms), FIN (30 ms); the server's: SYN,ACK (2 ms),
    # its FIN (1 ms); the resent bytes give none
    d = conn.as_dict()
    assert d["rtt_ack"]["client_to_server"] == {"samples": 3, "min": 0.01, "mean": round((0.01 + 0.04 + 0.03) / 3, 9), "max": 0.04}  # fmt: skip
    assert d["rtt_ack"]["server_to_client"] == {"samples": 2, "min": 0.001, "mean": 0.0015, "max": 0.002}  # fmt: skip
    # Timestamps, each TSval timed from its first segment to the peer's first echo: the client's
    # 10 (0.000 -> 0.010), 20 (0.100 -> 0.140), 40 (the resent copy, 1.200 -> 1.250), 50 (1.300
    # -> 1.330); the server's 70 (0.010 -> 0.012), 80 (0.140 -> 0.200, frame 6), 90 (1.250 ->
    # 1.300), 95 (1.330 -> 1.331); frame 7 echoes 80 again: no sample
    assert [events[f].ts_rtt for f in range(1, 12)] == [None, 0.01, 0.002, None, 0.04, 0.06, None, 0.05, 0.05, 0.03, 0.001]  # fmt: skip
    assert d["rtt_timestamps"]["client_to_server"]["samples"] == 4
    assert d["data_segments"] == {"client_to_server": 3, "server_to_client": 0}
    assert d["retransmitted_segments"] == {"client_to_server": 1, "server_to_client": 0}
    assert d["retransmission_rate"]["client_to_server"] == round(1 / 3, 6)
    assert d["acked_bytes"] == {"client_to_server": 200, "server_to_client": 0}
    assert d["largest_gap"] == {"seconds": 1.0, "after_frame": 6, "before_frame": 7}
    assert d["throughput"]["client_to_server"] == round(300 / 1.331, 3)
    assert d["goodput"]["client_to_server"] == round(200 / 1.331, 3)
