# ruff: noqa: E501
"""IPv4/IPv6 packets around TCP segments, against scapy, plus every malformed-length case."""

from __future__ import annotations

import ipaddress
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scapy.layers.inet import IP, TCP, IPOption_NOP, IPOption_Router_Alert, IPOption_RR
from scapy.layers.inet6 import (
    IPv6,
    IPv6ExtHdrDestOpt,
    IPv6ExtHdrFragment,
    IPv6ExtHdrHopByHop,
    IPv6ExtHdrRouting,
)
from scapy.packet import Raw

from netutil.errors import InvalidInput
from netutil.packet import (
    build_ipv4_packet,
    build_ipv6_packet,
    build_packet,
    parse_any,
    parse_packet,
)
from netutil.segment import MSS, TCPFlag, TCPHeader

u16 = st.integers(0, 0xFFFF)
IP_OPTIONS = [
    [],
    [IPOption_NOP()] * 4,
    [IPOption_Router_Alert()],
    [IPOption_RR(routers=["10.1.1.1"])],
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 2**32 - 1).map(ipaddress.IPv4Address),
    st.integers(1, 2**32 - 1).map(ipaddress.IPv4Address),
    st.integers(0, 255),
    u16,
    st.integers(0, 255),
    st.sampled_from(range(len(IP_OPTIONS))),
    st.binary(max_size=30),
)
def test_ipv4_packets_built_by_scapy_parse(src, dst, ttl, ident, tos, opt_index, payload):
    raw = bytes(
        IP(src=str(src), dst=str(dst), ttl=ttl, id=ident, tos=tos, options=IP_OPTIONS[opt_index])
        / TCP(sport=1, dport=2, flags="PA", seq=7)
        / Raw(payload)
    )
    scapy_ip = IP(raw)
    p = parse_packet(raw)
    assert (p.ip.src, p.ip.dst, p.ip.ttl, p.ip.identification, p.ip.tos) == (
        src,
        dst,
        ttl,
        ident,
        tos,
    )
    assert (p.ip.ihl, p.ip.total_length, p.ip.checksum) == (
        scapy_ip.ihl,
        scapy_ip.len,
        scapy_ip.chksum,
    )
    assert p.ip.options == raw[20 : scapy_ip.ihl * 4]
    assert p.ip.checksum_status.value == "good"
    assert p.segment.checksum_status.value == "good"
    assert p.segment.payload == payload


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 2**32 - 1).map(ipaddress.IPv4Address),
    st.integers(1, 2**32 - 1).map(ipaddress.IPv4Address),
    st.integers(0, 255),
    u16,
    st.binary(max_size=30),
)
def test_ipv4_build_equals_scapy(src, dst, ttl, ident, payload):
    h = TCPHeader(1234, 80, 5, 6, TCPFlag.SYN | TCPFlag.ACK, 1000, options=(MSS(1460),))
    ours = build_packet(h, payload, src, dst, ttl=ttl, identification=ident)
    theirs = bytes(
        IP(src=str(src), dst=str(dst), ttl=ttl, id=ident, flags="DF")
        / TCP(sport=1234, dport=80, seq=5, ack=6, flags="SA", window=1000, options=[("MSS", 1460)])
        / Raw(payload)
    )
    assert ours == theirs


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(1, 2**128 - 1).map(ipaddress.IPv6Address),
    st.integers(1, 2**128 - 1).map(ipaddress.IPv6Address),
    st.integers(0, 255),
    st.integers(0, 2**20 - 1),
    st.lists(st.sampled_from(["hbh", "dst", "rt", "frag"]), max_size=4),
    st.binary(max_size=30),
)
def test_ipv6_extension_headers_walked_like_scapy(src, dst, tc, fl, exts, payload):
    layers = {
        "hbh": IPv6ExtHdrHopByHop,
        "dst": IPv6ExtHdrDestOpt,
        "rt": lambda: IPv6ExtHdrRouting(addresses=["2001:db8::9"], segleft=0),
        "frag": lambda: IPv6ExtHdrFragment(offset=0, m=0, id=9),
    }
    pkt = IPv6(src=str(src), dst=str(dst), tc=tc, fl=fl)
    for name in exts:
        pkt = pkt / layers[name]()
    raw = bytes(pkt / TCP(sport=5, dport=6, flags="S") / Raw(payload))
    p = parse_packet(raw)
    assert (p.ip.src, p.ip.dst, p.ip.traffic_class, p.ip.flow_label) == (src, dst, tc, fl)
    codes = {"hbh": 0, "dst": 60, "rt": 43, "frag": 44}
    assert [e.type for e in p.ip.extension_headers] == [codes[n] for n in exts]
    parsed_by_scapy = IPv6(raw)
    assert p.segment.header.checksum == parsed_by_scapy[TCP].chksum
    assert p.segment.checksum_status.value == "good"
    assert p.segment.payload == payload


def test_ipv6_build_equals_scapy():
    h = TCPHeader(5, 6, 7, 8, TCPFlag.ACK, 9)
    ours = build_packet(h, b"abc", "2001:db8::1", "2001:db8::2")
    theirs = bytes(
        IPv6(src="2001:db8::1", dst="2001:db8::2")
        / TCP(sport=5, dport=6, seq=7, ack=8, flags="A", window=9)
        / Raw(b"abc")
    )
    assert ours == theirs


def test_fragments_and_other_protocols_have_no_segment():
    frag = bytes(IP(src="10.0.0.1", dst="10.0.0.2", flags="MF") / TCP())
    assert parse_packet(frag).segment is None
    assert parse_packet(frag).note == "a fragment: the TCP segment needs reassembly"
    udp = bytes(IP(src="10.0.0.1", dst="10.0.0.2", proto=17) / Raw(b"12345678"))
    assert parse_packet(udp).note == "protocol 17 is not TCP"
    frag6 = bytes(IPv6(src="::1", dst="::1") / IPv6ExtHdrFragment(offset=3) / Raw(b"x" * 8))
    assert parse_packet(frag6).segment is None


def test_bad_ipv4_header_checksum_reports_expected():
    raw = bytearray(build_ipv4_packet(b"", "10.0.0.1", "10.0.0.2", ttl=64))
    want = IP(bytes(raw)).chksum
    raw[8] = 63  # TTL changed without updating the checksum
    with pytest.raises(InvalidInput):  # a 20-byte packet with protocol 6 has no TCP header
        parse_packet(bytes(raw))
    raw = bytearray(build_ipv4_packet(b"", "10.0.0.1", "10.0.0.2", protocol=17))
    raw[8] = 63
    p = parse_packet(bytes(raw))
    fresh = IP(bytes(raw))
    del fresh.chksum
    assert p.ip.checksum_status.value == "bad"
    assert p.ip.expected_checksum == IP(bytes(fresh)).chksum
    assert p.ip.checksum != p.ip.expected_checksum and want != p.ip.expected_checksum


SEG = TCPHeader(1, 2, 3, 4, TCPFlag.ACK, 5)
V4 = build_packet(SEG, b"xyz", "10.0.0.1", "10.0.0.2")
V6 = build_packet(SEG, b"xyz", "::1", "::2")


def _with(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new) :]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty IP packet (field 'version' at byte offset 0 is missing)"),
        (b"\x50" + bytes(30), "IP version 5 at byte offset 0 is neither 4 nor 6"),
        (
            V4[:9],
            "truncated IPv4 header: 9 bytes, the fixed header needs 20 (field 'protocol' at byte offset 9 is missing)",
        ),
        (_with(V4, 0, b"\x44"), "IPv4 IHL 4 at byte offset 0 is below 5 (the header is 5 words)"),
        (
            _with(V4, 0, b"\x4f"),
            "IPv4 IHL 15 at byte offset 0 says 60 header bytes, past the end of the 43-byte buffer",
        ),
        (
            _with(V4, 2, b"\x00\x10"),
            "IPv4 total length 16 at byte offset 2 is less than the 20-byte header",
        ),
        (
            _with(V4, 2, b"\x00\x50"),
            "IPv4 total length 80 at byte offset 2 says 80 bytes, but the buffer holds 43",
        ),
        (
            V4 + b"\x00",
            "IPv4 total length 43 at byte offset 2 says 43 bytes, but the buffer holds 44",
        ),
        (
            _with(V4, 2, b"\x00\x1e")[:30],
            "truncated TCP header: 10 bytes, the fixed header needs 20 (field 'ack' at byte offset 28 is missing)",
        ),
        (V4[:32], "IPv4 total length 43 at byte offset 2 says 43 bytes, but the buffer holds 32"),
        (
            V6[:39],
            "truncated IPv6 header: 39 bytes, the fixed header needs 40 (field 'dst' at byte offset 24 is missing)",
        ),
        (V6[:50], "IPv6 payload length 23 at byte offset 4 says 63 bytes, but the buffer holds 50"),
        (_with(V6, 52, b"\x30"), "TCP data offset 3 at byte offset 52 is below 5"),
        (
            _with(V6, 4, b"\x00\x01")[:41],
            "truncated TCP header: 1 bytes, the fixed header needs 20 (field 'src_port' at byte offset 40 is missing)",
        ),
        (
            bytes(IPv6(src="::1", dst="::1", nh=0, plen=8) / Raw(b"\x06\x05" + bytes(6))),
            "IPv6 extension header 0 (hop_by_hop) at byte offset 40: length 48 runs past the end of the 48-byte packet",
        ),
        (
            bytes(IPv6(src="::1", dst="::1", nh=0, plen=1) / Raw(b"\x06")),
            "IPv6 extension header 0 (hop_by_hop) at byte offset 40: its length byte at offset 41 is past the end of the 41-byte packet",
        ),
    ],
)
def test_parse_packet_malformed(data, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        parse_packet(data)


def test_trailer_allowed_only_when_asked():
    p = parse_packet(V4 + bytes(6), allow_trailer=True)
    assert p.segment.payload == b"xyz"


def test_parse_any_detects_ip_and_bare_segments():
    assert parse_any(V4).layer == "ipv4"
    assert parse_any(V6).layer == "ipv6"
    bare = V4[20:]
    p = parse_any(bare)
    assert p.layer == "tcp" and p.segment.checksum_status.value == "unknown"
    p = parse_any(bare, "tcp", "10.0.0.1", "10.0.0.2")
    assert p.segment.checksum_status.value == "good"
    assert p.as_dict()["ip"] is None
    with pytest.raises(InvalidInput, match="IP version 0 at byte offset 0"):
        parse_any(bare, "ip")


def test_build_errors():
    with pytest.raises(
        InvalidInput,
        match=re.escape("an IPv4 packet needs IPv4 addresses, got '::1' and '10.0.0.1'"),
    ):
        build_ipv4_packet(b"", "::1", "10.0.0.1")
    with pytest.raises(InvalidInput, match=re.escape("an IPv6 packet needs IPv6 addresses")):
        build_ipv6_packet(b"", "10.0.0.1", "::1")
    with pytest.raises(InvalidInput, match=re.escape("IPv4 ttl 256 does not fit 8 bits")):
        build_ipv4_packet(b"", "10.0.0.1", "10.0.0.2", ttl=256)
