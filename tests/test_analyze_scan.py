"""The analyser's fast per-packet path (netutil.analyze.scan) gives exactly what the readable
reference path (netutil.pcap.record_segment, the parsers of netutil.packet and netutil.segment)
gives, for every frame hypothesis can make: good ones of every link type and IP version, and
frames with VLAN tags, IP options, extension headers, fragments, other protocols, TCP options
good and malformed, lengths that lie, bytes flipped and frames cut short."""

from __future__ import annotations

import io
import struct

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netutil.analyze.scan import CHUNK, reference_segments, wire_segments
from netutil.errors import InvalidInput
from netutil.packet import build_packet
from netutil.pcapng import write_pcapng
from netutil.segment import MSS, NOP, SACK, SACKPermitted, TCPHeader, Timestamps, WindowScale

_OPTIONS = st.lists(
    st.sampled_from(
        [
            MSS(1460),
            NOP(),
            WindowScale(7),
            SACKPermitted(),
            Timestamps(123456, 654321),
            SACK(((1000, 2000),)),
            SACK(((1, 2), (3, 4), (5, 6))),
        ]
    ),
    max_size=4,
)


@st.composite
def frames(draw) -> tuple[int, bytes, int]:
    """(link type, frame bytes, original length) for one frame."""
    v6 = draw(st.booleans())
    src, dst = ("2001:db8::1", "2001:db8::2") if v6 else ("192.0.2.1", "198.51.100.2")
    options = draw(_OPTIONS)
    while len(b"".join(o.to_bytes() for o in options)) > 40:
        options.pop()
    header = TCPHeader(
        draw(st.integers(0, 65535)),
        draw(st.integers(0, 65535)),
        draw(st.integers(0, 2**32 - 1)),
        draw(st.integers(0, 2**32 - 1)),
        draw(st.integers(0, 511)),
        draw(st.integers(0, 65535)),
        options=tuple(options),
    )
    payload = draw(st.binary(max_size=40))
    ip = bytearray(build_packet(header, payload, src, dst))
    kind = draw(st.sampled_from(["plain", "ip options", "fragment", "udp", "ext header", "mangle"]))
    if kind == "ip options" and not v6:  # 4 bytes of NOP options: IHL 6
        ip = bytearray(ip[:20]) + b"\x01\x01\x01\x01" + ip[20:]
        ip[0] = 0x46
        ip[2:4] = (len(ip)).to_bytes(2, "big")
    elif kind == "fragment" and not v6:
        ip[6:8] = draw(st.sampled_from([0x2000, 0x0010, 0x2010])).to_bytes(2, "big")
    elif kind == "udp":
        if v6:
            ip[6] = 17
        else:
            ip[9] = 17
    elif kind == "ext header" and v6:  # a hop-by-hop header of 8 bytes before TCP
        ip = ip[:6] + b"\x00" + ip[7:40] + b"\x06\x00" + bytes(6) + ip[40:]
        ip[4:6] = (len(ip) - 40).to_bytes(2, "big")
    elif kind == "mangle":
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(0, len(ip) - 1))
            ip[at] = draw(st.integers(0, 255))
    link = draw(st.sampled_from([1, 101, 113, 228 if not v6 else 229]))
    if link == 1:
        ethertype = b"\x86\xdd" if v6 else b"\x08\x00"
        vlan = b"\x81\x00\x00\x05" if draw(st.booleans()) else b""
        frame = bytes(12) + vlan + ethertype + bytes(ip)
        frame += bytes(draw(st.sampled_from([0, 0, 6])))  # an Ethernet trailer sometimes
    elif link == 113:
        frame = bytes(14) + (b"\x86\xdd" if v6 else b"\x08\x00") + bytes(ip)
    else:
        frame = bytes(ip)
    if link != 1 and draw(st.integers(0, 5)) == 0:  # bytes past the IP length
        frame += b"\x00\x00"
    original = len(frame)
    cut = draw(st.sampled_from([None, None, None, "snap", "short"]))
    if cut == "snap":  # the snap length cut it: the file says how long it was
        frame = frame[: draw(st.integers(0, len(frame)))]
    elif cut == "short":  # cut, and the record does not say so
        frame = frame[: draw(st.integers(0, len(frame)))]
        original = len(frame)
    return link, frame, original


def _pcap(link: int, records: list[tuple[bytes, int]]) -> bytes:
    out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, link)]
    for i, (frame, original) in enumerate(records):
        out.append(struct.pack("<IIII", 1_700_000_000 + i, 123456, len(frame), original) + frame)
    return b"".join(out)


def _both(raw: bytes) -> tuple[object, object]:
    def run(reader):
        try:
            return list(reader(io.BytesIO(raw)))
        except InvalidInput as exc:
            return ("error", str(exc))

    return run(wire_segments), run(reference_segments)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(frames(), min_size=1, max_size=5))
def test_fast_path_equals_the_reference_on_classic_pcap(found):
    by_link: dict[int, list[tuple[bytes, int]]] = {}
    for link, frame, original in found:
        by_link.setdefault(link, []).append((frame, original))
    for link, records in by_link.items():
        fast, reference = _both(_pcap(link, records))
        assert fast == reference


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(frames(), min_size=1, max_size=5))
def test_fast_path_equals_the_reference_on_pcapng(found):
    links = sorted({link for link, _, _ in found})
    out = io.BytesIO()
    write_pcapng(
        out,
        [(link, f"if{link}") for link in links],
        [
            (links.index(link), 1.7e9 + i, frame, (), None)
            for i, (link, frame, _) in enumerate(found)
        ],
    )
    fast, reference = _both(out.getvalue())
    assert fast == reference


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 80),
    st.sampled_from(["cut", "frac", "incl"]),
)
def test_a_damaged_record_header_gives_the_reference_error(at, damage):
    records = [
        (build_packet(TCPHeader(1, 2, 3, 4, 0x10, 5), bytes(20), "192.0.2.1", "192.0.2.2"), 60)
    ] * 3
    raw = bytearray(_pcap(101, records))
    if damage == "cut":
        raw = raw[: 24 + at]
    elif damage == "frac":
        struct.pack_into("<I", raw, 24 + 76 + 4, 10**6 + at)
    else:
        struct.pack_into("<I", raw, 24 + 76 + 8, 2**31 + at)
    fast, reference = _both(bytes(raw))
    assert fast == reference


def test_records_across_chunk_boundaries_and_a_record_cut_by_the_end():
    packet = build_packet(TCPHeader(1, 2, 3, 4, 0x18, 5), bytes(1000), "192.0.2.1", "192.0.2.2")
    count = 3 * CHUNK // len(packet) + 7
    raw = _pcap(101, [(packet, len(packet))] * count)
    fast, reference = _both(raw)
    assert fast == reference and len(fast) == count
    fast, reference = _both(raw[:-10])
    assert fast == reference
    assert reference[0] == "error" and f"truncated pcap record {count}" in reference[1]


def test_a_tcp_fragment_is_a_note_and_the_analysis_goes_on():
    from netutil.analyze import FrameNote, SegmentEvent, analyse

    good = build_packet(TCPHeader(1, 2, 3, 4, 0x02, 5), b"", "192.0.2.1", "192.0.2.2")
    fragment = bytearray(good)
    fragment[6:8] = (0x2000 | 185).to_bytes(2, "big")  # more fragments, offset 1480 bytes
    raw = _pcap(101, [(good, len(good)), (bytes(fragment), len(fragment)), (good, len(good))])
    events = analyse(io.BytesIO(raw)).events
    assert [type(e) for e in events] == [SegmentEvent, FrameNote, SegmentEvent]
    assert events[1].frame == 2
    assert events[1].note == (
        "an IP fragment (fragment offset 1480 bytes, more fragments yes): TCP in IP fragments "
        "is not reassembled, so it is not analysed"
    )
