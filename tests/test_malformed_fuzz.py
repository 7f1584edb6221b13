"""Random and mutated bytes: the parsers answer or raise InvalidInput, never anything else."""

from __future__ import annotations

import contextlib
import io
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from netutil.errors import InvalidInput, LimitExceeded
from netutil.packet import build_packet, parse_any, parse_packet
from netutil.pcap import LINKTYPE_ETHERNET, LINKTYPE_RAW, tcp_segments
from netutil.segment import TCPFlag, TCPHeader, parse, standard_options

OPTS = standard_options(mss=1460, sack_permitted=True, timestamps=(5, 6), window_scale=7)
SAMPLES = [
    build_packet(TCPHeader(1, 2, 3, 4, TCPFlag.SYN, 5, 0, OPTS), b"", "10.0.0.1", "10.0.0.2"),
    build_packet(TCPHeader(1, 2, 3, 4, TCPFlag.ACK, 5), b"data", "2001:db8::1", "2001:db8::2"),
]


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(SAMPLES)))
    for _ in range(draw(st.integers(1, 4))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    return bytes(data[: draw(st.integers(0, len(data)))])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.binary(max_size=120), mutated()))
def test_parsers_raise_only_invalid_input(data):
    for call in (
        lambda: parse_packet(data),
        lambda: parse_packet(data, allow_trailer=True),
        lambda: parse_any(data),
        lambda: parse(data, "10.0.0.1", "10.0.0.2"),
        lambda: parse(data),
    ):
        with contextlib.suppress(InvalidInput, LimitExceeded):
            call()


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(st.binary(max_size=200), mutated()),
    st.sampled_from([LINKTYPE_RAW, LINKTYPE_ETHERNET]),
    st.integers(0, 60),
)
def test_pcap_reader_raises_only_invalid_input(packet, linktype, cut):
    frame = (bytes(12) + b"\x08\x00" + packet) if linktype == LINKTYPE_ETHERNET else packet
    raw = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    raw += struct.pack("<IIII", 1, 2, len(frame), len(frame)) + frame
    raw = raw[: len(raw) - cut] if cut else raw
    with contextlib.suppress(InvalidInput, LimitExceeded):
        list(tcp_segments(io.BytesIO(raw)))
