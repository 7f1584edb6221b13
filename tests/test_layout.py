"""Header layouts compiled from field tables: checked against hand-written struct formats."""

from __future__ import annotations

import dataclasses
import re
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netutil.errors import InvalidInput
from netutil.layout import HeaderLayout, fast_constructor
from netutil.packet import IPV4_LAYOUT, IPV6_LAYOUT
from netutil.segment import TCP_LAYOUT, TCPFlag, TCPHeader


def test_struct_formats_follow_the_rfc_diagrams():
    # RFC 9293 3.1: ports, seq, ack, offset/reserved/flags word, window, checksum, urgent.
    assert TCP_LAYOUT.struct.format == "!HHIIHHHH" and TCP_LAYOUT.length == 20
    # RFC 791 3.1: version/IHL byte, TOS, length, id, flags/fragment word, TTL, protocol, ...
    assert IPV4_LAYOUT.struct.format == "!BBHHHBBHII" and IPV4_LAYOUT.length == 20
    # RFC 8200 3: version/class/flow word, payload length, next header, hop limit, addresses.
    assert IPV6_LAYOUT.struct.format == "!IHBB16s16s" and IPV6_LAYOUT.length == 40


@settings(max_examples=200, deadline=None)
@given(
    st.tuples(
        st.integers(0, 0xFFFF), st.integers(0, 0xFFFF), st.integers(0, 2**32 - 1),
        st.integers(0, 2**32 - 1), st.integers(0, 15), st.integers(0, 7), st.integers(0, 511),
        st.integers(0, 0xFFFF), st.integers(0, 0xFFFF), st.integers(0, 0xFFFF),
    )
)  # fmt: skip
def test_tcp_pack_matches_hand_written_struct(values):
    sp, dp, seq, ack, off, res, flags, win, cs, urg = values
    word = (off << 12) | (res << 9) | flags
    want = struct.pack("!HHIIHHHH", sp, dp, seq, ack, word, win, cs, urg)
    assert TCP_LAYOUT.pack(*values) == want
    assert TCP_LAYOUT.unpack(want) == values


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**128 - 1), st.integers(0, 2**20 - 1), st.integers(0, 255))
def test_ipv6_wide_fields(addr, flow, tc):
    packed = IPV6_LAYOUT.pack(6, tc, flow, 0, 6, 64, addr, 1)
    assert packed[8:24] == addr.to_bytes(16, "big")
    assert int.from_bytes(packed[:4], "big") == (6 << 28) | (tc << 20) | flow
    assert IPV6_LAYOUT.unpack(packed) == (6, tc, flow, 0, 6, 64, addr, 1)


def test_offsets_and_missing_fields():
    assert [(f.name, f.byte_offset) for f in IPV4_LAYOUT.fields][-3:] == [
        ("checksum", 10),
        ("src", 12),
        ("dst", 16),
    ]
    assert TCP_LAYOUT.missing_field(13).name == "flags"  # byte 12 holds data offset, reserved
    assert IPV4_LAYOUT.missing_field(0).name == "version"


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ((1, 2, 3, 4, 16, 0, 0, 0, 0, 0), "TCP data_offset 16 does not fit 4 bits (0..15)"),
        ((1, 2, 3, 4, 5, 0, -1, 0, 0, 0), "TCP flags -1 does not fit 9 bits (0..511)"),
        ((1, 2, 3, 4, 5, 0, 0, 0, "x", 0), "TCP checksum 'x' does not fit 16 bits (0..65535)"),
    ],
)
def test_pack_names_the_field(values, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        TCP_LAYOUT.pack(*values)


def test_bad_tables_are_refused():
    with pytest.raises(ValueError, match="not whole bytes"):
        HeaderLayout("X", (("a", 4),))
    with pytest.raises(ValueError, match="do not fill a word"):
        HeaderLayout("X", (("a", 12), ("b", 12)))


def test_fast_constructor_equals_the_dataclass_constructor():
    make = fast_constructor(TCPHeader)
    args = (1, 2, 3, 4, TCPFlag.SYN, 5, 6, (), 5, 0, 0x1234)
    made = make(*args)
    assert made == TCPHeader(*args) and type(made) is TCPHeader
    assert hash(made) == hash(TCPHeader(*args))
    with pytest.raises(AttributeError):
        made.seq = 9  # still frozen


def test_fast_constructor_fixed_fields_and_refusals():
    make = fast_constructor(TCPHeader, urgent=0, data_offset=None, reserved=0, checksum=None)
    made = make(1, 2, 3, 4, TCPFlag.ACK, 5, ())
    assert made == TCPHeader(1, 2, 3, 4, TCPFlag.ACK, 5, 0, (), None, 0, None)
    with pytest.raises(TypeError, match="no field 'urgnet'"):
        fast_constructor(TCPHeader, urgnet=0)

    @dataclasses.dataclass(frozen=True, slots=True)
    class Checked:
        value: int

        def __post_init__(self):
            if self.value < 0:
                raise ValueError("negative")

    with pytest.raises(TypeError, match=r"would skip Checked\.__post_init__"):
        fast_constructor(Checked)
