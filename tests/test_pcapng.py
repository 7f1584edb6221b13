# ruff: noqa: E501
"""pcapng reading and writing (draft-ietf-opsawg-pcapng), held against the draft's layout, tshark,
scapy and dpkt: files written by tshark and scapy read back as the same packets as the classic
capture they came from; hand-built files with several interfaces, timestamp resolutions, both
byte orders and unknown blocks read as tshark reads them; every structural fault is one error
with its byte offset."""

from __future__ import annotations

import io
import re
import struct
import subprocess
import tracemalloc
from pathlib import Path

import dpkt
import pytest
from scapy.utils import PcapNgReader, PcapNgWriter

from netutil.errors import InvalidInput
from netutil.packet import build_packet
from netutil.pcap import LINKTYPE_ETHERNET, LINKTYPE_RAW, read_capture, read_pcap, tcp_segments
from netutil.pcapng import read_pcapng, write_pcapng
from netutil.segment import TCPFlag, TCPHeader
from tests.tools import require

DATA = Path(__file__).parent / "data"

# The facts sheet's worked example, byte for byte as the draft lays it out (SHB 28 + IDB 40 +
# EPB 112): one Ethernet/IPv4 SYN, if_tsresol 9, the comment "hello", epb_flags outbound.
WORKED = bytes.fromhex(
    "0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000"
    "0100000028000000010000 00ffff0000 0900010009000000 0200040065746830 00000000 28000000".replace(
        " ", ""
    )
    + "06000000700000000000000 0fe9c971715cd853d3600000036000000".replace(" ", "")
    + "00005e00530100005e0053020800"
    + "450000280001400040064e98c0000201c6336402"
    + "c0000050000003e8000000005002ffffff720000"
    + "0000"
    + "0100050068656c6c6f000000"
    + "0200040002000000"
    + "0000000070000000"
)


def _records(raw: bytes):
    return list(read_capture(io.BytesIO(raw)))


def test_the_drafts_worked_example():
    assert len(WORKED) == 180
    (rec,) = _records(WORKED)
    assert (rec.ts_sec, rec.ts_nsec) == (1700000000, 123456789)
    assert rec.comments == ("hello",) and rec.direction == "outbound"
    assert rec.linktype == LINKTYPE_ETHERNET and rec.captured_length == rec.original_length == 54
    assert rec.offset == 68 and rec.interface == 0
    (seg,) = list(tcp_segments(io.BytesIO(WORKED)))
    h = seg.packet.segment.header
    assert (str(seg.packet.ip.src), h.src_port, str(seg.packet.ip.dst), h.dst_port) == (
        "192.0.2.1", 49152, "198.51.100.2", 80)  # fmt: skip
    assert h.seq == 1000 and h.flags == TCPFlag.SYN
    assert seg.packet.segment.checksum_status.value == "good"


def _tshark_fields(path: Path, *fields: str) -> list[list[str]]:
    cmd = [require("tshark"), "-n", "-r", str(path), "-T", "fields", "-E", "occurrence=a"]
    for f in fields:
        cmd += ["-e", f]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "warn" not in done.stderr.lower() and "appears to" not in done.stderr
    return [line.split("\t") for line in done.stdout.splitlines()]


@pytest.mark.parametrize("name", ["loopback_ipv4", "loopback_ipv6"])
def test_tshark_written_pcapng_reads_as_the_classic_capture(tmp_path, name):
    src = DATA / f"{name}.pcap"
    out = tmp_path / "t.pcapng"
    subprocess.run([require("tshark"), "-r", str(src), "-F", "pcapng", "-w", str(out)],
                   check=True, capture_output=True, timeout=60)  # fmt: skip
    assert out.read_bytes()[:4] == b"\x0a\x0d\x0d\x0a"
    with open(src, "rb") as f:
        classic = list(read_pcap(f))
    with open(out, "rb") as f:
        ng = list(read_capture(f))
    key = [(r.index, r.ts_sec, r.ts_nsec, r.original_length, r.linktype, r.data) for r in classic]
    assert key == [
        (r.index, r.ts_sec, r.ts_nsec, r.original_length, r.linktype, r.data) for r in ng
    ]
    with open(src, "rb") as a, open(out, "rb") as b:
        assert [s.as_dict() for s in tcp_segments(a)] == [s.as_dict() for s in tcp_segments(b)]


def test_scapy_written_pcapng_reads_as_scapy_wrote_it(tmp_path):
    from scapy.layers.inet import IP, TCP

    path = tmp_path / "s.pcapng"
    writer = PcapNgWriter(str(path))
    sent = []
    for i in range(4):
        pkt = IP(src="192.0.2.1", dst="198.51.100.2") / TCP(sport=40000 + i, dport=9, seq=i)
        pkt.time = 1700000000 + i / 4
        pkt.comments = [f"packet {i}".encode()]
        writer.write(pkt)
        sent.append(bytes(pkt))
    writer.close()
    recs = _records(path.read_bytes())
    assert [r.data for r in recs] == sent
    assert [r.comments for r in recs] == [(f"packet {i}",) for i in range(4)]
    assert [(r.ts_sec, r.ts_nsec) for r in recs] == [(1700000000, i * 250000000) for i in range(4)]
    assert [s.packet.segment.header.src_port for s in tcp_segments(io.BytesIO(path.read_bytes()))] == [
        40000, 40001, 40002, 40003]  # fmt: skip


def _opt(order, code, value):
    return struct.pack(order + "HH", code, len(value)) + value + bytes(-len(value) % 4)


def _blk(order, btype, body):
    n = 12 + len(body)
    return struct.pack(order + "II", btype, n) + body + struct.pack(order + "I", n)


def _shb(order):
    return _blk(order, 0x0A0D0D0A, struct.pack(order + "IHHq", 0x1A2B3C4D, 1, 0, -1))


def _idb(order, link, opts=b"", snaplen=0):
    return _blk(order, 1, struct.pack(order + "HHI", link, 0, snaplen) + opts)


def _epb(order, iface, units, data, opts=b"", orig=None):
    body = struct.pack(order + "IIIII", iface, units >> 32, units & 0xFFFFFFFF, len(data),
                       len(data) if orig is None else orig)  # fmt: skip
    return _blk(order, 6, body + data + bytes(-len(data) % 4) + opts)


def _seg(port, payload=b""):
    return build_packet(
        TCPHeader(port, 9, 1, 0, TCPFlag.SYN, 1024), payload, "192.0.2.1", "192.0.2.2"
    )


def _two_sections() -> bytes:
    """A little-endian section with two interfaces (microseconds by default; 2^-10 s with an
    offset of 100 s), an unknown block and a name-resolution block between packets, a simple
    packet block; then a big-endian section with one nanosecond Ethernet interface."""
    le, be = "<", ">"
    eth = bytes(12) + b"\x08\x00"
    out = _shb(le)
    out += _idb(le, LINKTYPE_RAW, _opt(le, 2, b"raw0") + _opt(le, 0, b""))
    out += _idb(le, LINKTYPE_RAW, _opt(le, 9, b"\x8a") + _opt(le, 14, struct.pack("<q", 100)))
    out += _epb(
        le,
        0,
        1_700_000_000_250_000,
        _seg(1),
        _opt(le, 1, "caf\u00e9".encode()) + _opt(le, 1, b"two"),
    )
    out += _blk(le, 0x12345678, bytes(20))  # unknown: skipped by its length
    out += _blk(le, 4, struct.pack("<HH4s", 1, 8, b"\xc0\x00\x02\x01") + b"abc\0" + bytes(4))  # NRB
    out += _epb(le, 1, 1024 * 5 + 512, _seg(2, b"xyz"), _opt(le, 2, struct.pack("<I", 1)))
    out += _blk(le, 3, struct.pack("<I", 40) + _seg(3))  # SPB: interface 0, no time
    out += _shb(be)
    out += _idb(be, LINKTYPE_ETHERNET, _opt(be, 9, b"\x09"))
    out += _epb(be, 0, 1_700_000_001_000_000_007, eth + _seg(4))
    return out


def test_sections_interfaces_resolutions_and_byte_orders_as_tshark_reads_them(tmp_path):
    raw = _two_sections()
    path = tmp_path / "multi.pcapng"
    path.write_bytes(raw)
    recs = _records(raw)
    rows = _tshark_fields(path, "frame.interface_id", "frame.time_epoch", "frame.len",
                          "frame.cap_len", "frame.comment", "tcp.srcport", "frame.p2p_dir")  # fmt: skip
    assert len(rows) == len(recs) == 4
    for rec, (iface, epoch, flen, clen, comment, _sport, _dir) in zip(recs, rows, strict=True):
        assert rec.interface == int(iface)
        sec, frac = epoch.split(".") if epoch else ("0", "0")  # a simple packet has no time
        assert (rec.ts_sec, rec.ts_nsec) == (int(sec), int(frac.ljust(9, "0")[:9]))
        assert rec.original_length == int(flen) and rec.captured_length == int(clen)
        assert ",".join(rec.comments) == comment
    assert [r.direction for r in recs] == [None, "inbound", None, None]
    assert [(r.ts_sec, r.ts_nsec) for r in recs] == [
        (1700000000, 250000000), (105, 500000000), (0, 0), (1700000001, 7)]  # fmt: skip
    assert [s.packet.segment.header.src_port for s in tcp_segments(io.BytesIO(raw))] == [1, 2, 3, 4]


def test_netutil_pcapng_read_by_tshark_scapy_and_dpkt(tmp_path):
    packets = [(i % 2, 1700000000 + i * 0.001, _seg(10 + i, b"ab" * i), [f"fate {i}"],
                ("outbound", "inbound")[i % 2]) for i in range(5)]  # fmt: skip
    for order in ("little", "big"):
        path = tmp_path / f"{order}.pcapng"
        with open(path, "wb") as f:
            assert write_pcapng(f, [(LINKTYPE_RAW, "client"), (LINKTYPE_RAW, "server")], packets,
                                byte_order=order) == 5  # fmt: skip
        rows = _tshark_fields(path, "frame.interface_name", "frame.comment", "tcp.srcport",
                              "frame.time_epoch", "tcp.len")  # fmt: skip
        assert [r[:3] for r in rows] == [
            [("client", "server")[i % 2], f"fate {i}", str(10 + i)] for i in range(5)
        ]
        assert [r[4] for r in rows] == [str(2 * i) for i in range(5)]
        assert [float(r[3]) for r in rows] == pytest.approx([p[1] for p in packets], abs=1e-6)
        scapy_pkts = list(PcapNgReader(str(path)))
        assert [bytes(p) for p in scapy_pkts] == [p[2] for p in packets]
        assert [p.comments for p in scapy_pkts] == [[f"fate {i}".encode()] for i in range(5)]
        with open(path, "rb") as f:
            dpkt_pkts = list(dpkt.pcapng.Reader(f))
        assert [buf for _, buf in dpkt_pkts] == [p[2] for p in packets]
        back = _records(path.read_bytes())
        assert [(r.interface, r.data, r.comments, r.direction) for r in back] == [
            (p[0], p[2], tuple(p[3]), p[4]) for p in packets]  # fmt: skip


LE = "<"
_GOOD = _shb(LE) + _idb(LE, LINKTYPE_RAW)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty file: a pcapng file begins with a section header block"),
        (
            _shb(LE)[:10],
            "truncated section header block at byte offset 0: the byte-order magic at byte offset 8 is missing",
        ),
        (
            b"\x0a\x0d\x0d\x0a" + bytes(4) + b"\x11\x22\x33\x44",
            "section header block at byte offset 0: byte-order magic 0x11223344 at byte offset 8 is neither 1a2b3c4d nor 4d3c2b1a",
        ),
        (
            _shb(LE)[:20],
            "truncated section header block at byte offset 0: block total length 28 at byte offset 4, but the file ends at byte offset 20",
        ),
        (
            _shb(LE)[:24] + struct.pack("<I", 32),
            "section header block at byte offset 0: trailing block total length 32 at byte offset 24 differs from the leading 28",
        ),
        (
            _GOOD + b"\x01\x02\x03",
            "truncated pcapng block at byte offset 48: 3 bytes where a block header needs 8 (garbage after the last block?)",
        ),
        (
            _GOOD + struct.pack("<II", 6, 30),
            "enhanced packet block at byte offset 48: block total length 30 at byte offset 52 is not a multiple of 4",
        ),
        (
            _GOOD + struct.pack("<II", 6, 16) + bytes(8),
            "enhanced packet block at byte offset 48: block total length 16 at byte offset 52 is less than the 32 bytes its header and trailer take",
        ),
        (
            _GOOD + struct.pack("<II", 1, 8),
            "interface description block at byte offset 48: block total length 8 at byte offset 52 is less than the 20 bytes its header and trailer take",
        ),
        (
            _GOOD + struct.pack("<II", 0x77, 8),
            "unknown block 0x00000077 at byte offset 48: block total length 8 at byte offset 52 is less than the 12 bytes its header and trailer take",
        ),
        (
            _GOOD + struct.pack("<II", 6, 2**31),
            "enhanced packet block at byte offset 48: block total length 2147483648 at byte offset 52 is over the 327680-byte cap",
        ),
        (
            _GOOD + struct.pack("<II", 0x77, 2**31) + bytes(100),
            "truncated unknown block 0x00000077 at byte offset 48: block total length 2147483648 at byte offset 52, but the file ends at byte offset 156",
        ),
        (
            _GOOD + _epb(LE, 3, 0, _seg(1)),
            "enhanced packet block at byte offset 48: interface 3 at byte offset 56 is not described (the section has 1 interface description block(s) before it)",
        ),
        (
            _GOOD
            + _epb(LE, 0, 0, _seg(1))[:20]
            + struct.pack("<I", 2**31)
            + _epb(LE, 0, 0, _seg(1))[24:],
            "enhanced packet block at byte offset 48: captured length 2147483648 at byte offset 68 runs past the end of the block (40 bytes of packet data and options)",
        ),
        (
            _GOOD + _epb(LE, 0, 0, _seg(1), struct.pack("<HH", 1, 200) + bytes(4)),
            "enhanced packet block at byte offset 48: option 1 at byte offset 116 has length 200, past the end of its block at byte offset 124",
        ),
        (
            _shb(LE) + _idb(LE, LINKTYPE_RAW, _opt(LE, 9, b"\x20")),
            "interface description block at byte offset 28: if_tsresol 32 at byte offset 44 is finer than a 64-bit timestamp can hold",
        ),
        (
            _shb(LE) + _blk(LE, 3, struct.pack("<I", 4) + bytes(4)),
            "simple packet block at byte offset 28: a simple packet block needs interface 0, not described",
        ),
        (
            struct.pack("<II", 6, 12) + bytes(4),
            "not a pcapng file: block type 0x06000000 at byte offset 0; a pcapng file begins with a section header block (0a0d0d0a)",
        ),
    ],
)
def test_malformed_pcapng(raw, message):
    with pytest.raises(InvalidInput, match="^" + re.escape(message) + "$"):
        list(read_pcapng(io.BytesIO(raw)))


def test_unknown_link_type_names_the_packet_and_its_block():
    raw = _shb(LE) + _idb(LE, 147) + _epb(LE, 0, 0, b"abcd")
    with pytest.raises(
        InvalidInput,
        match=re.escape(
            "pcapng packet 1 (block at byte offset 48): pcap link type 147 is not supported"
        ),
    ):
        list(tcp_segments(io.BytesIO(raw)))


def test_a_lying_length_costs_no_memory():
    # an unknown block claiming 1 GiB, with 4 MiB of the file behind it: skipped in small reads
    raw = _GOOD + struct.pack("<II", 0x77, 2**30) + bytes(4 * 2**20)
    tracemalloc.start()
    with pytest.raises(InvalidInput, match="truncated unknown block"):
        list(read_pcapng(io.BytesIO(raw)))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 512 * 1024


def test_a_section_of_another_major_version_is_skipped():
    other = _blk(LE, 0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 2, 0, -1))
    raw = other + _idb(LE, LINKTYPE_RAW) + _epb(LE, 0, 0, _seg(1)) + _GOOD + _epb(LE, 0, 0, _seg(2))
    assert [s.packet.segment.header.src_port for s in tcp_segments(io.BytesIO(raw))] == [2]
