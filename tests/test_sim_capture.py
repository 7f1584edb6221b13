"""A trace exported as pcap reads back in independent readers (scapy, dpkt) with good
checksums and the fields of the trace; a corrupted copy really fails the checksum."""

from __future__ import annotations

import io
import random

import dpkt
import pytest
from scapy.layers.inet import IP, TCP
from scapy.utils import checksum

from netutil.sim.capture import trace_packets, write_trace_pcap
from netutil.sim.network import _corrupt
from netutil.sim.options import SimOptions
from netutil.sim.run import simulate, stream_bytes


@pytest.fixture(scope="module")
def trace():
    return simulate(SimOptions(seed=11, data=5000, loss=0.2, duplicate=0.2, corrupt=0.2)).as_dict()


def test_pcap_reads_back_in_dpkt_with_the_trace_fields(trace):
    buf = io.BytesIO()
    count = write_trace_pcap(buf, trace)
    sends = [e for e in trace["events"] if e["type"] == "send"]
    assert count == len(sends)
    buf.seek(0)
    records = list(dpkt.pcap.Reader(buf))
    assert len(records) == len(sends)
    for (ts, raw), e in zip(records, sends, strict=True):
        ip = dpkt.ip.IP(raw)
        tcp = ip.data
        assert ts == pytest.approx(e["time"], abs=1e-6)
        assert (tcp.seq, tcp.ack, tcp.win) == (e["seq"], e["ack"], e["window"])
        assert len(tcp.data) == e["len"]
        names = {"FIN": 1, "SYN": 2, "RST": 4, "PSH": 8, "ACK": 16}
        assert tcp.flags == sum(names[f] for f in e["flags"])


def test_every_packet_has_good_ip_and_tcp_checksums_per_scapy(trace):
    for _, raw in trace_packets(trace):
        pkt = IP(raw)
        ip_sum, tcp_sum = pkt[IP].chksum, pkt[TCP].chksum
        del pkt[IP].chksum
        del pkt[TCP].chksum
        again = IP(bytes(pkt))
        assert (again[IP].chksum, again[TCP].chksum) == (ip_sum, tcp_sum)


def test_payload_bytes_are_the_stream_at_the_sequence_offset(trace):
    isn = trace["client"]["isn"]
    for _, raw in trace_packets(trace):
        pkt = IP(raw)
        payload = bytes(pkt[TCP].payload)
        if payload and pkt[TCP].sport == trace["client"]["port"]:
            offset = (pkt[TCP].seq - isn - 1) % 2**32
            assert payload == stream_bytes(offset, len(payload))


def test_corruption_flips_exactly_one_bit_and_scapy_sees_a_bad_checksum(trace):
    from netutil.segment import TCPFlag, TCPHeader, build

    header = TCPHeader(40000, 80, 7, 9, TCPFlag.ACK | TCPFlag.PSH, 1000)
    good = build(header, b"hello world", "192.0.2.1", "192.0.2.2")
    rng = random.Random(3)
    for _ in range(50):
        bad = _corrupt(rng, header, b"hello world", "192.0.2.1", "192.0.2.2")
        diff = int.from_bytes(good, "big") ^ int.from_bytes(bad, "big")
        assert bin(diff).count("1") == 1
        # the Internet checksum over pseudo-header + segment is 0 for an intact segment only
        for data, expected_zero in ((good, True), (bad, False)):
            pseudo = bytes([192, 0, 2, 1, 192, 0, 2, 2, 0, 6]) + len(data).to_bytes(2, "big")
            assert (checksum(pseudo + data) == 0) is expected_zero
