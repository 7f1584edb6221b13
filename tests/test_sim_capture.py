"""A trace exported as the packets one side's NIC saw, read back in independent readers (scapy,
dpkt): what each side sent (lost segments only on the sender's side) and what arrived there (a
corrupted copy with the network's flipped bit, so scapy finds its TCP checksum wrong).

The expected packets are worked out here from the trace's events, not from the exporter: the
sends of a side, and the arrive events at that side, each arrival with the bytes of its send
event's segment (the IPv4 identification is the segment number)."""

from __future__ import annotations

import io
import random
import re

import dpkt
import pytest
from scapy.layers.inet import IP, TCP
from scapy.utils import PcapNgReader, checksum

from netutil.cli import main
from netutil.errors import InvalidInput
from netutil.sim.capture import (
    captured_packets,
    trace_packets,
    write_trace_pcap,
    write_trace_pcapng,
)
from netutil.sim.network import _corrupt
from netutil.sim.options import SimOptions
from netutil.sim.run import TraceStream, simulate, stream_bytes

FLAG_BITS = {"FIN": 1, "SYN": 2, "RST": 4, "PSH": 8, "ACK": 16}


@pytest.fixture(scope="module")
def trace():
    options = SimOptions(seed=11, data=5000, loss=0.2, duplicate=0.3, corrupt=0.3)
    return simulate(options).as_dict()


def expected_view(trace, side):
    """(time, segment number, copy, direction) of every packet `side`'s NIC sees, from the
    events alone: its sends, and the copies that arrived at it."""
    rows = []
    for e in trace["events"]:
        if e["type"] == "send" and e["side"] == side:
            rows.append((e["time"], e["number"], 1, "outbound"))
        elif e["type"] == "arrive" and e["side"] == side:
            rows.append((e["time"], e["number"], e["copy"], "inbound"))
    return rows


def sends_by_number(trace):
    return {e["number"]: e for e in trace["events"] if e["type"] == "send"}


def tcp_checksum_ok(raw: bytes) -> bool:
    """The Internet checksum over the IPv4 pseudo-header and the segment is 0 only when the
    segment is intact (RFC 9293 section 3.1), computed with scapy's checksum."""
    ip = IP(raw)
    segment = raw[ip.ihl * 4 : ip.len]
    pseudo = bytes(map(int, ip.src.split("."))) + bytes(map(int, ip.dst.split(".")))
    pseudo += bytes([0, 6]) + len(segment).to_bytes(2, "big")
    return checksum(pseudo + segment) == 0


def test_the_fixture_has_every_fate():
    options = SimOptions(seed=11, data=5000, loss=0.2, duplicate=0.3, corrupt=0.3)
    events = simulate(options).as_dict()["events"]
    fates = {e["fate"] for e in events if e["type"] == "send"}
    assert {"delivered", "lost", "corrupted"} <= fates
    assert any(e["type"] == "send" and e["duplicate"] for e in events)
    assert any(e["type"] == "arrive" and e["result"] == "bad checksum" for e in events)


@pytest.mark.parametrize("side", ["client", "server"])
def test_pcap_holds_what_one_side_sent_and_received_per_dpkt(trace, side):
    buf = io.BytesIO()
    count = write_trace_pcap(buf, trace, side)
    expected = expected_view(trace, side)
    assert count == len(expected)
    buf.seek(0)
    records = list(dpkt.pcap.Reader(buf))
    assert len(records) == len(expected)
    sends = sends_by_number(trace)
    for (ts, raw), (time, number, _copy, _direction) in zip(records, expected, strict=True):
        ip = dpkt.ip.IP(raw)
        e = sends[number]
        assert ts == pytest.approx(time, abs=1e-6)
        assert ip.id == number
        src = trace[e["side"]]
        assert dpkt.utils.inet_to_str(ip.src) == src["ip"]
        if not (e["fate"] == "corrupted" or e["duplicate"] == "corrupted"):
            tcp = ip.data
            assert (tcp.seq, tcp.ack, tcp.win) == (e["seq"], e["ack"], e["window"])
            assert (tcp.sport, len(tcp.data)) == (src["port"], e["len"])
            assert tcp.flags == sum(FLAG_BITS[f] for f in e["flags"])


def test_a_lost_segment_is_only_on_the_senders_side(trace):
    lost = {e["number"]: e["side"] for e in sends_by_number(trace).values() if e["fate"] == "lost"}
    assert lost
    for side in ("client", "server"):
        seen = {IP(p.data).id for p in captured_packets(trace, side)}
        for number, sender in lost.items():
            assert (number in seen) is (sender == side)


def test_corrupted_copies_have_the_flipped_bit_and_a_bad_checksum_per_scapy(trace):
    sends = sends_by_number(trace)
    corrupted = 0
    for p in captured_packets(trace, "both"):
        e = sends[p.number]
        fate = e["fate"] if p.copy == 1 else e["duplicate"]
        bad = p.direction == "inbound" and fate == "corrupted"
        assert tcp_checksum_ok(p.data) is not bad, (p.number, p.copy, p.direction)
        if bad:
            corrupted += 1
            bit = e["corrupt_bit"] if p.copy == 1 else e["duplicate_corrupt_bit"]
            sent = next(q for q in captured_packets(trace, e["side"]) if q.number == p.number)
            diff = int.from_bytes(sent.data, "little") ^ int.from_bytes(p.data, "little")
            # little-endian integers: bit k of the int is mask 1 << (k % 8) of byte k // 8;
            # the TCP segment starts after the 20-byte IPv4 header
            assert diff == 1 << (160 + bit)
    expected = sum(
        (e["fate"] == "corrupted") + (e["duplicate"] == "corrupted") for e in sends.values()
    )
    arrived_bad = [
        e
        for e in trace["events"]
        if e["type"] == "arrive" and e["result"] in ("bad checksum", "malformed")
    ]
    assert corrupted == expected == len(arrived_bad) > 0


def test_sent_copies_have_good_ip_and_tcp_checksums_per_scapy(trace):
    for _, raw in trace_packets(trace):
        pkt = IP(raw)
        ip_sum, tcp_sum = pkt[IP].chksum, pkt[TCP].chksum
        del pkt[IP].chksum
        del pkt[TCP].chksum
        again = IP(bytes(pkt))
        assert (again[IP].chksum, again[TCP].chksum) == (ip_sum, tcp_sum)


def test_payload_bytes_are_the_stream_at_the_sequence_offset(trace):
    isn = trace["client"]["isn"]
    seen = 0
    for p in captured_packets(trace, "client"):
        pkt = IP(p.data)
        payload = bytes(pkt[TCP].payload)
        if payload and pkt[TCP].sport == trace["client"]["port"]:
            seen += 1
            offset = (pkt[TCP].seq - isn - 1) % 2**32
            assert payload == stream_bytes(offset, len(payload))
    assert seen


def test_pcapng_per_scapy_has_an_interface_per_side_with_directions_and_comments(trace):
    buf = io.BytesIO()
    count = write_trace_pcapng(buf, trace)
    expected = sorted(
        [(t, n, c, d, "client") for t, n, c, d in expected_view(trace, "client")]
        + [(t, n, c, d, "server") for t, n, c, d in expected_view(trace, "server")],
        key=lambda row: row[0],
    )
    assert count == len(expected)
    buf.seek(0)
    packets = list(PcapNgReader(buf))
    assert len(packets) == len(expected)
    got = [(IP(bytes(p)).id, p.sniffed_on, p.direction) for p in packets]
    direction = {"outbound": 2, "inbound": 1}  # epb_flags bits 0-1
    want = [(n, side, direction[d]) for _, n, _, d, side in expected]
    # the order within one instant may differ (both lists are in time order)
    assert sorted(got) == sorted(want)
    assert [float(p.time) for p in packets] == pytest.approx([row[0] for row in expected])
    sends = sends_by_number(trace)
    for p, row in zip(packets, expected, strict=True):
        number = IP(bytes(p)).id
        if row[3] == "outbound" and sends[number]["fate"] == "lost":
            assert p.comment.startswith(b"lost in the network")


def test_pcapng_per_dpkt_has_the_bytes_of_the_two_pcaps(trace):
    buf = io.BytesIO()
    write_trace_pcapng(buf, trace)
    buf.seek(0)
    got = sorted(bytes(raw) for _, raw in dpkt.pcapng.Reader(buf))
    both = []
    for side in ("client", "server"):
        pcap = io.BytesIO()
        write_trace_pcap(pcap, trace, side)
        pcap.seek(0)
        both += [bytes(raw) for _, raw in dpkt.pcap.Reader(pcap)]
    assert got == sorted(both)


def test_comments_name_the_rule_each_arrival_triggered():
    trace = simulate(SimOptions(seed=2, drop=("syn-ack",))).as_dict()
    server = list(captured_packets(trace, "server"))
    syn = server[0]
    assert (syn.direction, syn.comments) == (
        "inbound",
        ("received: accepted", "S6: LISTEN -> SYN-RECEIVED"),
    )
    synack = server[1]
    assert synack.direction == "outbound"
    assert synack.comments[0] == "dropped by a drop rule"
    client = list(captured_packets(trace, "client"))
    assert client[0].comments == ("delivered", "U2: CLOSED -> SYN-SENT")
    retransmitted = [p for p in server if "retransmission" in p.comments]
    assert retransmitted and retransmitted[0].comments[-1].startswith("retransmission timer")


def test_a_streamed_trace_exports_the_same_bytes():
    options = SimOptions(seed=4, data=30000, loss=0.1, corrupt=0.1, duplicate=0.1)
    whole = io.BytesIO()
    write_trace_pcapng(whole, simulate(options).as_dict())
    stream = TraceStream(options)
    streamed = io.BytesIO()
    write_trace_pcapng(streamed, {**stream.head(), "events": stream.events()})
    assert streamed.getvalue() == whole.getvalue()


def test_corruption_flips_exactly_the_bit_it_reports():
    from netutil.segment import TCPFlag, TCPHeader, build

    header = TCPHeader(40000, 9, 7, 9, TCPFlag.ACK | TCPFlag.PSH, 1000)
    good = build(header, b"hello world", "192.0.2.1", "192.0.2.2")
    rng = random.Random(3)
    for _ in range(50):
        bad, bit = _corrupt(rng, header, b"hello world", "192.0.2.1", "192.0.2.2")
        diff = int.from_bytes(good, "little") ^ int.from_bytes(bad, "little")
        assert diff == 1 << bit
        # the Internet checksum over pseudo-header + segment is 0 for an intact segment only
        for data, expected_zero in ((good, True), (bad, False)):
            pseudo = bytes([192, 0, 2, 1, 192, 0, 2, 2, 0, 6]) + len(data).to_bytes(2, "big")
            assert (checksum(pseudo + data) == 0) is expected_zero


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda t: list(captured_packets(t, "router")),
            "capture point 'router': expected one of client, server, both",
        ),
        (
            lambda t: write_trace_pcap(io.BytesIO(), t, "both"),
            "capture point 'both': a classic pcap holds one interface; give client or server, "
            "or write pcapng, which holds one interface per side",
        ),
        (
            lambda t: list(
                captured_packets({**t, "events": [e for e in t["events"] if e["type"] != "send"]})
            ),
            "trace arrival of segment 1 (copy 1) at 0.05 s: no send event for it in flight",
        ),
    ],
)
def test_bad_input_is_one_clear_error(trace, call, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        call(trace)


def test_cli_writes_pcapng_by_suffix_and_a_pcap_per_capture_point(tmp_path, capsys):
    out = tmp_path / "run.pcapng"
    assert main(["tcp", "handshake", "--seed", "3", "--loss", "0.2", "-o", str(out)]) == 0
    assert out.read_bytes()[:4] == b"\x0a\x0d\x0d\x0a"  # a pcapng section header
    trace = simulate(SimOptions(seed=3, loss=0.2)).as_dict()
    for side in ("client", "server"):
        pcap = tmp_path / f"{side}.pcap"
        argv = ["tcp", "handshake", "--seed", "3", "--loss", "0.2", "-o", str(pcap)]
        assert main([*argv, "--capture-point", side]) == 0
        with open(pcap, "rb") as f:
            assert len(list(dpkt.pcap.Reader(f))) == len(expected_view(trace, side))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--format", "pcap", "--capture-point", "both"],
            "--capture-point both: a classic pcap holds one interface",
        ),
        (
            ["--format", "json", "--capture-point", "server"],
            "--capture-point applies to --format pcap or pcapng, not json",
        ),
        (["--format", "pcapng", "--runs", "3"], "--format pcapng shows one run; drop --runs"),
    ],
)
def test_cli_refuses_capture_points_that_do_not_fit(argv, message, capsys, tmp_path):
    assert main(["tcp", "handshake", "-o", str(tmp_path / "x.bin"), *argv]) == 2
    assert message in capsys.readouterr().err


def test_a_queue_drop_is_only_on_the_senders_side_and_says_so():
    options = SimOptions(seed=20, bandwidth=2e6, queue=8, data=60_000, loss=0.01)
    trace = simulate(options).as_dict()
    dropped = {e["number"] for e in trace["events"] if e["type"] == "send"
               and e["fate"] == "queue-drop"}  # fmt: skip
    assert dropped
    for p in captured_packets(trace, "both"):
        if p.number in dropped:
            assert p.direction == "outbound"
            assert p.comments[0] == "dropped by the bottleneck's full queue"
