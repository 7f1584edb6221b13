# ruff: noqa: E501
"""TCP header build/parse against scapy (an independent implementation) and malformed input."""

from __future__ import annotations

import dataclasses
import ipaddress
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scapy.layers.inet import IP, TCP, TCPOptions
from scapy.layers.inet6 import IPv6
from scapy.packet import Raw

from netutil.errors import InvalidInput
from netutil.segment import (
    EOL,
    HEADER_FIELDS,
    MSS,
    NOP,
    SACK,
    ChecksumStatus,
    SACKPermitted,
    TCPFlag,
    TCPHeader,
    Timestamps,
    UnknownOption,
    WindowScale,
    build,
    build_segment,
    pack_header,
    parse,
    parse_flags,
)

u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
# Kinds scapy has no decoder for, so it keeps them as (kind, bytes) like we do.
UNKNOWN_KINDS = [k for k in range(6, 255) if k not in TCPOptions[0] and k != 8]

option_st = st.one_of(
    st.just(NOP()),
    u16.map(MSS),
    st.integers(0, 14).map(WindowScale),
    st.just(SACKPermitted()),
    st.lists(st.tuples(u32, u32), min_size=1, max_size=2).map(lambda b: SACK(tuple(b))),
    st.builds(Timestamps, u32, u32),
    st.builds(UnknownOption, st.sampled_from(UNKNOWN_KINDS), st.binary(max_size=6)),
)


def _fits(options) -> bool:
    return sum(len(o.to_bytes()) for o in options) <= 40


header_st = st.builds(
    TCPHeader,
    src_port=u16,
    dst_port=u16,
    seq=u32,
    ack=u32,
    flags=st.integers(0, 0x1FF).map(TCPFlag),
    window=u16,
    urgent=u16,
    options=st.lists(option_st, max_size=5).map(tuple).filter(_fits),
    reserved=st.integers(0, 7),
)
v4_st = st.integers(1, 2**32 - 1).map(ipaddress.IPv4Address)
v6_st = st.integers(1, 2**128 - 1).map(ipaddress.IPv6Address)


def to_scapy_option(option):
    match option:
        case NOP():
            return ("NOP", None)
        case EOL():
            return ("EOL", None)
        case MSS(value=v):
            return ("MSS", v)
        case WindowScale(shift=s):
            return ("WScale", s)
        case SACKPermitted():
            return ("SAckOK", b"")
        case SACK(blocks=blocks):
            return ("SAck", tuple(x for block in blocks for x in block))
        case Timestamps(tsval=a, tsecr=b):
            return ("Timestamp", (a, b))
        case UnknownOption(kind=k, data=d):
            return (k, d)


def scapy_tcp(h: TCPHeader, payload: bytes) -> TCP:
    tcp = TCP(
        sport=h.src_port,
        dport=h.dst_port,
        seq=h.seq,
        ack=h.ack,
        flags=int(h.flags),
        window=h.window,
        urgptr=h.urgent,
        reserved=h.reserved,
        options=[to_scapy_option(o) for o in h.options],
    )
    return tcp / Raw(payload) if payload else tcp


def assert_same_fields(parsed, scapy_seg: TCP, h: TCPHeader):
    ph = parsed.header
    assert (ph.src_port, ph.dst_port, ph.seq, ph.ack) == (
        scapy_seg.sport,
        scapy_seg.dport,
        scapy_seg.seq,
        scapy_seg.ack,
    )
    assert (int(ph.flags), ph.window, ph.urgent, ph.reserved) == (
        int(scapy_seg.flags),
        scapy_seg.window,
        scapy_seg.urgptr,
        scapy_seg.reserved,
    )
    assert (ph.data_offset, ph.checksum) == (scapy_seg.dataofs, scapy_seg.chksum)
    # Scapy drops the EOL padding it parses; ours keeps one EOL when padding follows options.
    ours = [to_scapy_option(o) for o in ph.options if not isinstance(o, EOL)]
    theirs = [o for o in scapy_seg.options if o[0] != "EOL"]
    norm = [(k, tuple(v) if isinstance(v, list) else v) for k, v in theirs]
    assert (
        ours == [(k, (b"" if v is None and k == "SAckOK" else v)) for k, v in norm] or ours == norm
    )
    assert ph.options[: len(h.options)] == h.options


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header_st, st.binary(max_size=40), v4_st, v4_st)
def test_ipv4_build_equals_scapy_and_parses_back(h, payload, src, dst):
    ours = build(h, payload, src, dst)
    theirs = bytes(IP(src=str(src), dst=str(dst)) / scapy_tcp(h, payload))[20:]
    assert ours == theirs
    parsed = parse(ours, src, dst)
    assert parsed.checksum_status is ChecksumStatus.GOOD
    assert parsed.payload == payload
    assert_same_fields(parsed, TCP(theirs), h)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header_st, st.binary(max_size=40), v6_st, v6_st)
def test_ipv6_build_equals_scapy_and_parses_back(h, payload, src, dst):
    ours = build(h, payload, str(src), str(dst))
    theirs = bytes(IPv6(src=str(src), dst=str(dst)) / scapy_tcp(h, payload))[40:]
    assert ours == theirs
    parsed = parse(ours, src, dst)
    assert parsed.checksum_status is ChecksumStatus.GOOD
    assert_same_fields(parsed, TCP(theirs), h)


@settings(max_examples=60, deadline=None)
@given(header_st, st.binary(max_size=20), v4_st, v4_st, st.data())
def test_corrupted_segment_is_bad_with_scapys_checksum(h, payload, src, dst, data):
    good = build(h, payload, src, dst)
    pos = data.draw(st.integers(0, len(good) - 1))
    flip = data.draw(st.integers(1, 255))
    bad = bytearray(good)
    bad[pos] ^= flip
    if pos == 12 or 20 <= pos < len(pack_header(h)):
        return  # keep the header and options parseable; corruption there is tested below
    parsed = parse(bytes(bad), src, dst)
    # What the checksum should be for the corrupted bytes, per scapy (checksum field zeroed).
    zeroed = TCP(bytes(bad))
    zeroed.chksum = None
    expected = IP(bytes(IP(src=str(src), dst=str(dst)) / zeroed))[TCP].chksum
    if parsed.checksum_status is ChecksumStatus.GOOD:
        # Flipping bits can only go unnoticed if it swaps 0x0000 and 0xFFFF within a word.
        word = pos & ~1
        assert {bytes(bad[word : word + 2]), good[word : word + 2]} <= {b"\x00\x00", b"\xff\xff"}
    else:
        assert parsed.expected_checksum == expected


def test_linux_syn_layout_and_flags():
    h = TCPHeader(
        40000,
        80,
        1,
        0,
        TCPFlag.SYN,
        65495,
        options=(MSS(65495), SACKPermitted(), Timestamps(1, 0), NOP(), WindowScale(7)),
    )
    built = build_segment(h, b"", "127.0.0.1", "127.0.0.1")
    assert built.header.data_offset == 10
    assert built.data[32:40] == bytes.fromhex("0000000001030307")
    d = built.header.as_dict()
    assert d["flags"] == ["SYN"]
    assert d["options"][0] == {"kind": 2, "name": "mss", "length": 4, "value": 65495}
    assert d["options"][2] == {
        "kind": 8,
        "name": "timestamps",
        "length": 10,
        "value": {"tsval": 1, "tsecr": 0},
    }


def test_flags_bits_match_rfc9293_and_rfc9768():
    # Byte 13 of the header holds CWR..FIN (RFC 9293 section 3.1); AE is bit 8 of the 16-bit word
    # at byte 12 (RFC 9768).
    assert [f.value for f in TCPFlag] == [1, 2, 4, 8, 16, 32, 64, 128, 256]
    seg = build(TCPHeader(1, 2, 3, 4, TCPFlag.AE | TCPFlag.CWR | TCPFlag.FIN, 5), b"", "::1", "::1")
    assert seg[12] == 0x51 and seg[13] == 0x81
    assert parse_flags("syn,ACK") == TCPFlag.SYN | TCPFlag.ACK
    assert parse_flags("NS") == TCPFlag.AE
    assert (TCPFlag.SYN | TCPFlag.ACK).names == ["SYN", "ACK"]
    with pytest.raises(InvalidInput, match=re.escape("unknown TCP flag 'SYNN' in 'SYNN,ACK'")):
        parse_flags("SYNN,ACK")


def test_field_table_covers_20_bytes():
    assert sum(f.bits for f in HEADER_FIELDS) == 160
    assert [(f.name, f.byte_offset) for f in HEADER_FIELDS if f.bits >= 16] == [
        ("src_port", 0),
        ("dst_port", 2),
        ("seq", 4),
        ("ack", 8),
        ("window", 14),
        ("checksum", 16),
        ("urgent", 18),
    ]


def test_explicit_checksum_and_data_offset_are_kept():
    h = TCPHeader(1, 2, 3, 4, TCPFlag.ACK, 5, checksum=0x1234, data_offset=6)
    seg = build(h, b"xy", "10.0.0.1", "10.0.0.2")
    assert seg[16:18] == b"\x12\x34" and seg[12] >> 4 == 6 and seg[20:24] == b"\0\0\0\0"
    parsed = parse(seg, "10.0.0.1", "10.0.0.2")
    assert parsed.checksum_status is ChecksumStatus.BAD
    assert parsed.payload == b"xy"
    assert parse(seg).checksum_status is ChecksumStatus.UNKNOWN
    assert parse(seg).checksum_ok is None


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (TCPHeader(65536, 80, 0, 0, TCPFlag.SYN, 0), "TCP src_port 65536 does not fit 16 bits"),
        (TCPHeader(1, -1, 0, 0, TCPFlag.SYN, 0), "TCP dst_port -1 does not fit 16 bits"),
        (TCPHeader(1, 2, 2**32, 0, TCPFlag.SYN, 0), "TCP seq 4294967296 does not fit 32 bits"),
        (TCPHeader(1, 2, 0, 2**32, TCPFlag.ACK, 0), "TCP ack 4294967296 does not fit 32 bits"),
        (TCPHeader(1, 2, 0, 0, TCPFlag.SYN, 70000), "TCP window 70000 does not fit 16 bits"),
        (TCPHeader(1, 2, 0, 0, 0x200, 1), "TCP flags 512 does not fit 9 bits"),
        (TCPHeader(1, 2, 0, 0, 2, 1, reserved=8), "TCP reserved 8 does not fit 3 bits"),
        (
            TCPHeader(1, 2, 0, 0, 2, 1, options=(Timestamps(1, 2),) * 4),
            "TCP options take 40",
        ),
        (
            TCPHeader(1, 2, 0, 0, 2, 1, options=(Timestamps(1, 2),) * 4 + (NOP(),)),
            "TCP options take 44 bytes with padding; at most 40 fit",
        ),
        (TCPHeader(1, 2, 0, 0, 2, 1, options=(MSS(65536),)), "MSS 65536 does not fit 16 bits"),
        (TCPHeader(1, 2, 0, 0, 2, 1, options=(SACK(()),)), "SACK option needs 1 to 4 blocks"),
        (
            TCPHeader(1, 2, 0, 0, 2, 1, options=(MSS(1),), data_offset=5),
            "TCP data offset 5 is too small for 4 option bytes (needs 6)",
        ),
        (TCPHeader(1, 2, 0, 0, 2, 1, data_offset=16), "TCP data_offset 16 does not fit 4 bits"),
    ],
)
def test_build_rejects_out_of_range(header, message):
    if message == "TCP options take 40":  # exactly 40 bytes fits
        assert len(build(header, b"", "10.0.0.1", "10.0.0.2")) == 60
        return
    with pytest.raises(InvalidInput, match=re.escape(message)):
        build(header, b"", "10.0.0.1", "10.0.0.2")


def test_build_needs_addresses_for_the_checksum():
    with pytest.raises(InvalidInput, match="needs the source and destination addresses"):
        build(TCPHeader(1, 2, 0, 0, TCPFlag.SYN, 0), b"")
    with pytest.raises(InvalidInput, match=re.escape("invalid IP address '10.0.0.300'")):
        build(TCPHeader(1, 2, 0, 0, TCPFlag.SYN, 0), b"", "10.0.0.300", "10.0.0.1")


SYN = bytes.fromhex(
    "30390050000003e800000000a002ffffff280000020405b40402080a000000640000000001030307"
)


def _with(data: bytes, offset: int, new: bytes) -> bytes:
    return data[:offset] + new + data[offset + len(new) :]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"",
            "truncated TCP header: 0 bytes, the fixed header needs 20 (field 'src_port' at byte offset 0 is missing)",
        ),
        (
            SYN[:3],
            "truncated TCP header: 3 bytes, the fixed header needs 20 (field 'dst_port' at byte offset 2 is missing)",
        ),
        (
            SYN[:12],
            "truncated TCP header: 12 bytes, the fixed header needs 20 (field 'data_offset' at byte offset 12 is missing)",
        ),
        (
            SYN[:19],
            "truncated TCP header: 19 bytes, the fixed header needs 20 (field 'urgent' at byte offset 18 is missing)",
        ),
        (
            _with(SYN, 12, b"\x40"),
            "TCP data offset 4 at byte offset 12 is below 5 (the fixed header is 5 words)",
        ),
        (_with(SYN, 12, b"\x00"), "TCP data offset 0 at byte offset 12 is below 5"),
        (
            SYN[:36],
            "TCP data offset 10 at byte offset 12 says 40 header bytes, past the end of the 36-byte segment",
        ),
        (
            _with(SYN, 12, b"\xf0"),
            "TCP data offset 15 at byte offset 12 says 60 header bytes, past the end of the 40-byte segment",
        ),
        (
            _with(SYN, 21, b"\x00"),
            "TCP option kind 2 (MSS) at byte offset 20: length 0 at offset 21 is below 2",
        ),
        (
            _with(SYN, 21, b"\x01"),
            "TCP option kind 2 (MSS) at byte offset 20: length 1 at offset 21 is below 2",
        ),
        (
            _with(SYN, 27, b"\x0b"),
            "TCP option kind 8 (timestamps) at byte offset 26: length 11 at offset 27, expected 10",
        ),
        (
            _with(SYN, 37, b"\x09\x05"),
            "TCP option kind 9 at byte offset 37: length 5 at offset 38 runs past the options area, which ends at offset 40",
        ),
        (
            _with(SYN, 36, b"\x01\x01\x01\x09"),
            "TCP option kind 9 at byte offset 39: length byte at offset 40 is past the options area, which ends at offset 40",
        ),
        (
            _with(SYN, 21, b"\x05"),
            "TCP option kind 2 (MSS) at byte offset 20: length 5 at offset 21, expected 4",
        ),
        (
            _with(SYN, 24, b"\x05\x03"),
            "TCP option kind 5 (SACK) at byte offset 24: length 3 at offset 25, expected 2 + 8 per block",
        ),
    ],
)
def test_parse_malformed(data, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        parse(data, "10.0.0.1", "10.0.0.2")


def test_parse_stops_at_eol_and_keeps_unknown_kinds():
    seg = build(
        TCPHeader(1, 2, 3, 4, TCPFlag.ACK, 5, options=(UnknownOption(30, b"\x00\x81"), EOL())),
        b"data",
        "10.0.0.1",
        "10.0.0.2",
    )
    parsed = parse(seg)
    assert parsed.header.options == (UnknownOption(30, b"\x00\x81"), EOL())
    assert parsed.payload == b"data"
    assert parsed.as_dict()["header"]["options"][0] == {
        "kind": 30,
        "name": "unknown",
        "length": 4,
        "value": "0081",
    }


@settings(max_examples=100, deadline=None)
@given(header_st, st.binary(max_size=30), v4_st, v4_st)
def test_parse_inverts_build(h, payload, src, dst):
    built = build_segment(h, payload, src, dst)
    parsed = parse(built.data, src, dst)
    padded = len(b"".join(o.to_bytes() for o in h.options)) % 4
    options = (*h.options, EOL()) if padded else h.options
    assert parsed.header == dataclasses.replace(built.header, options=options)
    assert parsed.payload == payload
    assert built.header.checksum == parsed.expected_checksum
