# ruff: noqa: E501
"""pcap reading and writing, held against tcpdump's decoding of real captures, dpkt and scapy."""

from __future__ import annotations

import io
import re
import struct
from datetime import UTC, datetime
from pathlib import Path

import dpkt
import pytest
from scapy.layers.inet import IP, TCP
from scapy.utils import rdpcap

from netutil.errors import InvalidInput
from netutil.packet import build_packet
from netutil.pcap import (
    LINKTYPE_ETHERNET,
    LINKTYPE_RAW,
    read_pcap,
    read_pcap_header,
    tcp_segments,
    write_pcap,
)
from netutil.segment import MSS, NOP, SACKPermitted, TCPFlag, TCPHeader, Timestamps, WindowScale

DATA = Path(__file__).parent / "data"

_LINE = re.compile(
    r"(?P<time>\d\d:\d\d:\d\d\.\d{6}) IP6? \((?P<ip>[^)]*(?:\([^)]*\)[^)]*)*)\)\s+"
    r"(?P<src>[0-9a-f:.]+)\.(?P<sport>\d+) > (?P<dst>[0-9a-f:.]+)\.(?P<dport>\d+): "
    r"Flags \[(?P<flags>[^\]]*)\], cksum 0x(?P<cksum>[0-9a-f]{4}) \((?P<verdict>correct|incorrect -> 0x(?P<expected>[0-9a-f]{4}))\), "
    r"seq (?P<seq>\d+)(?::(?P<seq_end>\d+))?, (?:ack (?P<ack>\d+), )?win (?P<win>\d+), "
    r"(?:options \[(?P<options>[^\]]*)\], )?length (?P<length>\d+)"
)
_TCPDUMP_FLAGS = {"F": TCPFlag.FIN, "S": TCPFlag.SYN, "R": TCPFlag.RST, "P": TCPFlag.PSH,
                  ".": TCPFlag.ACK, "U": TCPFlag.URG, "E": TCPFlag.ECE, "W": TCPFlag.CWR,
                  "e": TCPFlag.AE}  # fmt: skip


def tcpdump_records(name: str) -> list[dict]:
    """tcpdump -vv -n -S's decoding, one dict per packet (lines joined as tcpdump wraps them)."""
    text = (DATA / f"{name}.tcpdump.txt").read_text()
    joined = re.sub(r"\n\s+", " ", text)
    records = [m.groupdict() for m in _LINE.finditer(joined)]
    assert len(records) == len(joined.strip().splitlines())
    return records


def tcpdump_options(options: tuple) -> str:
    """Our options written the way tcpdump prints them."""
    out = []
    for o in options:
        match o:
            case MSS(value=v):
                out.append(f"mss {v}")
            case SACKPermitted():
                out.append("sackOK")
            case Timestamps(tsval=a, tsecr=b):
                out.append(f"TS val {a} ecr {b}")
            case NOP():
                out.append("nop")
            case WindowScale(shift=s):
                out.append(f"wscale {s}")
            case _:
                raise AssertionError(o)
    return ",".join(out)


@pytest.mark.parametrize("name", ["loopback_ipv4", "loopback_ipv6"])
def test_real_loopback_capture_agrees_with_tcpdump(name):
    expected = tcpdump_records(name)
    with open(DATA / f"{name}.pcap", "rb") as f:
        segments = list(tcp_segments(f))
    assert len(segments) == len(expected) == 12
    for seg, want in zip(segments, expected, strict=True):
        packet, parsed = seg.packet, seg.packet.segment
        h = parsed.header
        stamp = datetime.fromtimestamp(seg.timestamp, UTC).strftime("%H:%M:%S.%f")
        assert stamp == want["time"]
        assert (str(packet.ip.src), str(packet.ip.dst)) == (want["src"], want["dst"])
        assert (h.src_port, h.dst_port) == (int(want["sport"]), int(want["dport"]))
        flags = TCPFlag(0)
        for ch in want["flags"]:
            flags |= _TCPDUMP_FLAGS[ch]
        assert h.flags == flags
        assert h.seq == int(want["seq"])
        assert h.ack == int(want["ack"] or 0)
        assert h.window == int(want["win"])
        assert len(parsed.payload) == int(want["length"])
        assert tcpdump_options(h.options) == (want["options"] or "")
        assert h.checksum == int(want["cksum"], 16)
        if want["verdict"] == "correct":
            assert parsed.checksum_status.value == "good"
        else:
            assert parsed.checksum_status.value == "bad"
            assert parsed.expected_checksum == int(want["expected"], 16)
        if packet.ip.version == 4:
            ip = dict(kv.split(" ", 1) for kv in want["ip"].split(", ") if " " in kv)
            assert packet.ip.ttl == int(ip["ttl"])
            assert packet.ip.identification == int(ip["id"])
            assert packet.ip.total_length == int(ip["length"])
            assert packet.ip.checksum_status.value == "good"
        else:
            assert f"flowlabel 0x{packet.ip.flow_label:05x}" in want["ip"]
            assert f"payload length: {packet.ip.payload_length}" in want["ip"]


def test_linux_syn_options_as_design_notes_say():
    with open(DATA / "loopback_ipv4.pcap", "rb") as f:
        syn4 = next(tcp_segments(f)).packet.segment.header
    with open(DATA / "loopback_ipv6.pcap", "rb") as f:
        syn6 = next(tcp_segments(f)).packet.segment.header
    for syn, mss in ((syn4, 65495), (syn6, 65476)):
        kinds = [type(o) for o in syn.options]
        assert kinds == [MSS, SACKPermitted, Timestamps, NOP, WindowScale]
        assert syn.options[0] == MSS(mss)


def test_capture_header_and_records_agree_with_dpkt():
    with open(DATA / "loopback_ipv4.pcap", "rb") as f:
        header = read_pcap_header(f)
    assert header.linktype == LINKTYPE_ETHERNET and header.nanosecond is False
    with open(DATA / "loopback_ipv4.pcap", "rb") as f:
        ours = [(r.ts_sec * 10**6 + r.ts_nsec // 1000, r.data) for r in read_pcap(f)]
    with open(DATA / "loopback_ipv4.pcap", "rb") as f:
        theirs = [(round(ts * 10**6), bytes(buf)) for ts, buf in dpkt.pcap.Reader(f)]
    assert ours == theirs


def _syn(i: int) -> bytes:
    h = TCPHeader(40000 + i, 80, 1000 * i, 0, TCPFlag.SYN, 64240,
                  options=(MSS(1460), SACKPermitted(), Timestamps(i, 0), NOP(), WindowScale(7)))  # fmt: skip
    return build_packet(h, b"", "192.0.2.1", "198.51.100.2")


def test_written_pcap_reads_back_in_scapy_and_dpkt(tmp_path):
    packets = [(1700000000.25 + i * 0.001, _syn(i)) for i in range(5)]
    path = tmp_path / "out.pcap"
    with open(path, "wb") as f:
        assert write_pcap(f, packets) == 5
    scapy_packets = rdpcap(str(path))
    assert len(scapy_packets) == 5
    for i, p in enumerate(scapy_packets):
        assert float(p.time) == pytest.approx(packets[i][0], abs=1e-6)
        tcp = p[TCP]
        assert (p[IP].src, p[IP].dst, tcp.sport, tcp.dport, tcp.seq) == (
            "192.0.2.1", "198.51.100.2", 40000 + i, 80, 1000 * i)  # fmt: skip
        assert tcp.options == [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (i, 0)),
                               ("NOP", None), ("WScale", 7)]  # fmt: skip
        # scapy recomputes the checksum of a copy with chksum cleared: it must match ours.
        clean = IP(bytes(p))
        del clean[TCP].chksum, clean[IP].chksum
        clean = IP(bytes(clean))
        assert (clean[TCP].chksum, clean[IP].chksum) == (tcp.chksum, p[IP].chksum)
    with open(path, "rb") as f:
        reader = dpkt.pcap.Reader(f)
        assert reader.datalink() == LINKTYPE_RAW
        for (ts, buf), (t, data) in zip(reader, packets, strict=True):
            assert ts == pytest.approx(t, abs=1e-6) and bytes(buf) == data


def test_nanosecond_and_big_endian_files():
    data = _syn(1)
    # A big-endian nanosecond file written by hand (draft-ietf-opsawg-pcap section 4).
    raw = struct.pack(">IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, LINKTYPE_RAW)
    raw += struct.pack(">IIII", 1700000000, 123456789, len(data), len(data)) + data
    (record,) = list(read_pcap(io.BytesIO(raw)))
    assert (record.ts_sec, record.ts_nsec, record.data) == (1700000000, 123456789, data)
    # Our nanosecond writer, read by dpkt.
    buf = io.BytesIO()
    write_pcap(buf, [(1700000000.000000123, data)], nanosecond=True)
    buf.seek(0)
    ((ts, got),) = list(dpkt.pcap.Reader(buf))
    assert got == data and float(ts) == pytest.approx(1700000000.0, abs=1e-6)


def _pcap(records: bytes = b"", linktype: int = LINKTYPE_RAW) -> bytes:
    return struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype) + records


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            b"",
            "truncated pcap file header: 0 bytes, needs 24 (field 'magic' at byte offset 0 is missing)",
        ),
        (
            _pcap()[:18],
            "truncated pcap file header: 18 bytes, needs 24 (field 'snaplen' at byte offset 16 is missing)",
        ),
        (
            b"\x0a\x0d\x0d\x0a" + bytes(20),
            "not a pcap file: magic 0x0a0d0d0a at byte offset 0 (a pcapng file: read it with read_capture)",
        ),
        (
            b"GIF89a" + bytes(18),
            "not a pcap file: magic 0x47494638 at byte offset 0; expected a1b2c3d4 or a1b23c4d",
        ),
        (
            _pcap(bytes(7)),
            "truncated pcap record 1 at byte offset 24: record header needs 16 bytes, 7 left (field 'ts_frac' at byte offset 28 is missing)",
        ),
        (
            _pcap(struct.pack("<IIII", 0, 0, 40, 40) + bytes(10)),
            "truncated pcap record 1 at byte offset 24: incl_len 40 at byte offset 32, but only 10 bytes follow",
        ),
        (
            _pcap(struct.pack("<IIII", 0, 0, 300000, 300000)),
            "pcap record 1 at byte offset 24: incl_len 300000 at byte offset 32 is over the 262144-byte cap",
        ),
        (
            _pcap(struct.pack("<IIII", 0, 1000000, 0, 0)),
            "pcap record 1 at byte offset 24: ts_frac 1000000 at byte offset 28 is not below 1000000",
        ),
    ],
)
def test_malformed_pcap(raw, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        list(read_pcap(io.BytesIO(raw)))


def test_malformed_packet_in_a_capture_is_a_note_and_the_listing_goes_on():
    bad = _syn(1)[:30]
    good = _syn(0)
    rec = struct.pack("<IIII", 0, 0, len(good), len(good)) + good
    rec += struct.pack("<IIII", 1, 0, len(bad), len(bad)) + bad
    rec += struct.pack("<IIII", 2, 0, len(good), len(good)) + good
    rows = [s.as_dict() for s in tcp_segments(io.BytesIO(_pcap(rec)))]
    assert [r["index"] for r in rows] == [1, 2, 3]
    assert rows[1]["note"] == (
        "IPv4 total length 60 at byte offset 2 says 60 bytes, but the buffer holds 30"
    )
    assert rows[1]["src_port"] is None and rows[1]["truncated"] is False
    assert rows[0]["note"] is None and rows[2]["src_port"] == 40000


def test_unsupported_linktype():
    rec = struct.pack("<IIII", 0, 0, 4, 4) + bytes(4)
    with pytest.raises(
        InvalidInput, match=re.escape("pcap record 1: pcap link type 105 is not supported")
    ):
        list(tcp_segments(io.BytesIO(_pcap(rec, linktype=105))))


def test_ethernet_vlan_and_non_ip_frames_are_handled():
    ip = _syn(3)
    eth = bytes(12) + b"\x81\x00\x00\x05" + b"\x08\x00" + ip + bytes(6)  # VLAN 5, with a trailer
    arp = bytes(12) + b"\x08\x06" + bytes(28)
    recs = b"".join(
        struct.pack("<IIII", i, 0, len(f), len(f)) + f for i, f in enumerate((arp, eth))
    )
    (found,) = list(tcp_segments(io.BytesIO(_pcap(recs, linktype=LINKTYPE_ETHERNET))))
    assert found.index == 2 and found.packet.segment.header.src_port == 40003
    assert found.packet.segment.checksum_status.value == "good"


def test_write_rejects_bad_times():
    with pytest.raises(InvalidInput, match=re.escape("pcap packet 1: time -1.0 is outside")):
        write_pcap(io.BytesIO(), [(-1.0, b"")])


def test_linux_cooked_and_ipv6_link_types():
    from netutil.pcap import LINKTYPE_IPV6, LINKTYPE_LINUX_SLL

    v6 = build_packet(TCPHeader(7, 8, 9, 10, TCPFlag.ACK, 11), b"hi", "2001:db8::1", "2001:db8::2")
    # SLL header (16 bytes): packet type, ARPHRD, address length, 8-byte address, protocol.
    sll = struct.pack("!HHH8sH", 0, 772, 6, bytes(8), 0x86DD) + v6
    rec = struct.pack("<IIII", 5, 0, len(sll), len(sll)) + sll
    (found,) = list(tcp_segments(io.BytesIO(_pcap(rec, linktype=LINKTYPE_LINUX_SLL))))
    assert str(found.packet.ip.src) == "2001:db8::1" and found.packet.segment.payload == b"hi"
    rec = struct.pack("<IIII", 5, 0, len(v6), len(v6)) + v6
    (found,) = list(tcp_segments(io.BytesIO(_pcap(rec, linktype=LINKTYPE_IPV6))))
    assert found.as_dict()["checksum_status"] == "good" and found.timestamp == 5.0
