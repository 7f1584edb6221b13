"""RFC 1071 / RFC 1624 checksums against the RFCs' worked examples and other implementations."""

from __future__ import annotations

import ipaddress
import re
import struct

import dpkt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scapy.utils import checksum as scapy_checksum

from netutil.checksum import (
    checksum,
    checksum_add,
    checksum_finish,
    checksum_report,
    ipv4_header_checksum,
    ones_complement_sum,
    pseudo_header,
    pseudo_header_sum,
    update_checksum,
)
from netutil.errors import InvalidInput


def reference_sum(data: bytes) -> int:
    """RFC 1071 section 4.1's loop, transcribed: add 16-bit words, fold the carries."""
    if len(data) % 2:
        data += b"\x00"
    total = 0
    for i in range(0, len(data), 2):
        total += (data[i] << 8) | data[i + 1]
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def test_rfc1071_section_3_example():
    # RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (big-endian order).
    data = bytes.fromhex("0001f203f4f5f6f7")
    assert ones_complement_sum(data) == 0xDDF2
    assert checksum(data) == 0x220D


def test_ipv4_header_example():
    # The IPv4 header example used across textbooks: sum 2BBCF -> BBD1 -> checksum 442E.
    header = bytes.fromhex("450000304422400080060000" + "8c7c19acae241e2b")
    assert checksum(header) == 0x442E
    filled = header[:10] + b"\x44\x2e" + header[12:]
    assert ipv4_header_checksum(filled) == 0x442E
    assert checksum(filled) == 0


def test_odd_length_pads_on_the_right():
    assert ones_complement_sum(b"\x01") == 0x0100
    assert ones_complement_sum(b"\x00\x01\x02") == 0x0201


def test_zero_and_negative_zero():
    assert ones_complement_sum(b"") == 0
    assert ones_complement_sum(b"\x00" * 10) == 0
    assert checksum(b"\x00\x00") == 0xFFFF
    # A non-zero sum that is a multiple of 0xFFFF folds to 0xFFFF, never to 0.
    assert ones_complement_sum(b"\xff\xff") == 0xFFFF
    assert ones_complement_sum(b"\x80\x00\x7f\xff") == 0xFFFF
    assert checksum(b"\xff\xff\xff\xff") == 0


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_sum_matches_rfc1071_loop_scapy_and_dpkt(data):
    assert ones_complement_sum(data) == reference_sum(data)
    assert checksum(data) == scapy_checksum(data)
    assert checksum(data) == dpkt.in_cksum(data)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.binary(max_size=64).map(lambda b: b[: len(b) & ~1]), max_size=8),
    st.binary(max_size=9),
)
def test_checksums_compose(chunks, last):
    acc = 0
    for chunk in [*chunks, last]:
        acc = checksum_add(acc, chunk)
    assert checksum_finish(acc) == checksum(b"".join(chunks) + last)


def test_rfc1624_section_4_example():
    # RFC 1624 section 4: HC = 0xDD2F, a field changes 0x5555 -> 0x3285. Eqn. 3 gives 0x0000
    # (RFC 1141's eqn. 2 would give 0xFFFF).
    assert update_checksum(0xDD2F, 0x5555, 0x3285) == 0x0000


def test_rfc1624_errata_examples():
    # Errata 5864: HC = 0x0000 with 0x5555 -> 0x5555 stays 0x0000; 0x5555 -> 0x5556 gives 0xFFFE.
    assert update_checksum(0x0000, 0x5555, 0x5555) == 0x0000
    assert update_checksum(0x0000, 0x5555, 0x5556) == 0xFFFE


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=2, max_size=60).filter(lambda b: len(b) % 2 == 0), st.data())
def test_incremental_update_equals_recomputation(data, draw):
    word_index = draw.draw(st.integers(0, len(data) // 2 - 1))
    new_word = draw.draw(st.integers(0, 0xFFFF))
    old_word = int.from_bytes(data[2 * word_index : 2 * word_index + 2], "big")
    changed = data[: 2 * word_index] + new_word.to_bytes(2, "big") + data[2 * word_index + 2 :]
    if any(changed):  # an all-zero buffer has checksum 0xFFFF, which eqn. 3 never yields
        assert update_checksum(checksum(data), old_word, new_word) == checksum(changed)


def test_update_rejects_wide_values():
    with pytest.raises(InvalidInput, match=re.escape("old word 65536 is not a 16-bit value")):
        update_checksum(0, 0x10000, 0)


def test_ipv4_pseudo_header_layout():
    # RFC 9293 section 3.1: src, dst, zero, PTCL, TCP length.
    got = pseudo_header("192.0.2.1", "198.51.100.7", 40)
    want = struct.pack(
        "!4s4sBBH",
        ipaddress.IPv4Address("192.0.2.1").packed,
        ipaddress.IPv4Address("198.51.100.7").packed,
        0,
        6,
        40,
    )
    assert got == want
    assert pseudo_header_sum("192.0.2.1", "198.51.100.7", 40) == reference_sum(want)


def test_ipv6_pseudo_header_layout():
    # RFC 8200 section 8.1: src, dst, upper-layer length (32 bits), 3 zero bytes, next header.
    src, dst = ipaddress.IPv6Address("2001:db8::1"), ipaddress.IPv6Address("2001:db8::2")
    got = pseudo_header(src, dst, 70000)
    assert got == src.packed + dst.packed + struct.pack("!I3xB", 70000, 6)


@pytest.mark.parametrize(
    ("src", "dst", "length", "message"),
    [
        (
            "10.0.0.1",
            "::1",
            20,
            "source '10.0.0.1' and destination '::1' are of different IP versions",
        ),
        ("10.0.0.256", "10.0.0.1", 20, "invalid source address '10.0.0.256'"),
        ("10.0.0.1", "10.0.0.2", 65536, "TCP length 65536 does not fit the IPv4 pseudo-header"),
    ],
)
def test_pseudo_header_errors(src, dst, length, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        pseudo_header(src, dst, length)


def test_report_verifies_data_holding_its_checksum():
    header = bytes.fromhex("45000030442240008006442e8c7c19acae241e2b")
    report = checksum_report(header)
    assert report.as_dict() == {
        "length": 20,
        "sum": 0xFFFF,
        "sum_hex": "0xffff",
        "checksum": 0,
        "checksum_hex": "0x0000",
        "verifies": True,
    }
    assert checksum_report(bytes.fromhex("0001f203f4f5f6f7")).verifies is False


@pytest.mark.parametrize("size", [16383, 16384, 16385, 32768, 32769, 100001, 1 << 20])
def test_big_buffers_summed_in_chunks_match_scapy(size):
    data = bytes((i * 7919 + size) & 0xFF for i in range(size))
    assert checksum(data) == scapy_checksum(data)
    assert checksum(memoryview(data)) == checksum(bytearray(data)) == scapy_checksum(data)
    assert checksum_finish(checksum_add(0, data)) == scapy_checksum(data)
