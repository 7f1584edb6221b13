"""Frames cut by the snap length (as `tcpdump -s N` writes them) or damaged are listed, not fatal:
every frame tshark lists is listed, with tshark's ports, sequence numbers, flags, window and
TCP length where the TCP header was captured, and a note where it was not."""

from __future__ import annotations

import json
import struct
import subprocess
from pathlib import Path

import pytest

from netutil.cli import main
from tests.tools import require

DATA = Path(__file__).parent / "data"
_TSHARK_FIELDS = ("frame.number", "frame.len", "frame.cap_len", "tcp.srcport", "tcp.dstport",
                  "tcp.seq_raw", "tcp.ack_raw", "tcp.flags", "tcp.window_size_value", "tcp.len",
                  "ip.src", "ipv6.src")  # fmt: skip


def _records(data: bytes):
    off = 24
    while off < len(data):
        ts, frac, incl, orig = struct.unpack("<IIII", data[off : off + 16])
        yield ts, frac, orig, data[off + 16 : off + 16 + incl]
        off += 16 + incl


def _cut(source: Path, dest: Path, snaplen: int, only: int | None = None) -> Path:
    """`source` with each frame (or only frame `only`) cut to `snaplen` bytes, the original
    length kept, as libpcap writes a frame longer than its snap length."""
    data = source.read_bytes()
    out = bytearray(data[:24])
    for n, (ts, frac, orig, frame) in enumerate(_records(data), 1):
        if only is None or n == only:
            frame = frame[:snaplen]
        out += struct.pack("<IIII", ts, frac, len(frame), orig) + frame
    dest.write_bytes(bytes(out))
    return dest


def _tshark(path: Path) -> list[dict]:
    cmd = [require("tshark"), "-n", "-r", str(path), "-T", "fields", "-E", "occurrence=f"]
    for f in _TSHARK_FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60).stdout
    return [dict(zip(_TSHARK_FIELDS, line.split("\t"), strict=True)) for line in out.splitlines()]


def _ours(path: Path, capsys) -> list[dict]:
    assert main(["tcp", "parse", "--pcap", str(path), "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return [json.loads(line) for line in out.splitlines()]


_FLAG_BITS = {"FIN": 1, "SYN": 2, "RST": 4, "PSH": 8, "ACK": 16, "URG": 32, "ECE": 64, "CWR": 128,
              "AE": 256}  # fmt: skip


def _agree(ours: list[dict], theirs: list[dict]) -> None:
    assert [r["index"] for r in ours] == [int(t["frame.number"]) for t in theirs]
    for r, t in zip(ours, theirs, strict=True):
        assert r["truncated"] == (t["frame.cap_len"] != t["frame.len"])
        ip_src = t["ip.src"] or t["ipv6.src"]
        if r["src"] is not None:
            assert r["src"] == ip_src
        if r["src_port"] is None:  # no whole TCP header: a note says why
            assert r["note"]
            continue
        assert r["src_port"] == int(t["tcp.srcport"]) and r["dst_port"] == int(t["tcp.dstport"])
        assert r["seq"] == int(t["tcp.seq_raw"])
        if "ACK" in r["flags"]:
            assert r["ack"] == int(t["tcp.ack_raw"])
        assert sum(_FLAG_BITS[f] for f in r["flags"]) == int(t["tcp.flags"], 16)
        assert r["window"] == int(t["tcp.window_size_value"])
        assert r["length"] == int(t["tcp.len"])  # the length sent, not what was captured
        if r["truncated"]:
            assert r["checksum_status"] == "unknown" and r["expected_checksum"] is None
            assert r["note"].endswith("; checksum not verified")


@pytest.mark.parametrize("name", ["loopback_ipv4", "loopback_ipv6"])
@pytest.mark.parametrize("snaplen", [80, 60, 40, 5])
def test_every_frame_cut_by_the_snap_length_is_listed_as_tshark_lists_it(
    tmp_path, capsys, name, snaplen
):
    cut = _cut(DATA / f"{name}.pcap", tmp_path / "cut.pcap", snaplen)
    ours, theirs = _ours(cut, capsys), _tshark(cut)
    assert len(ours) == 12
    _agree(ours, theirs)


def test_issue_example_80_bytes(tmp_path, capsys):
    # tcpdump -s 80 on the IPv4 capture: frames 4 and 6 (19 and 25 data bytes) are cut
    rows = _ours(_cut(DATA / "loopback_ipv4.pcap", tmp_path / "cut.pcap", 80), capsys)
    assert [r["index"] for r in rows if r["truncated"]] == [4, 6]
    assert rows[3]["length"] == 19 and rows[5]["length"] == 25
    assert rows[3]["note"] == (
        "truncated by the snap length: 66 of the 71 bytes its IPv4 total length gives captured; "
        "checksum not verified"
    )
    assert rows[11]["checksum_status"] == "good"  # an uncut frame is still verified (tcpdump)


def test_one_five_byte_frame_in_the_middle(tmp_path, capsys):
    cut = _cut(DATA / "loopback_ipv4.pcap", tmp_path / "five.pcap", 5, only=6)
    ours, theirs = _ours(cut, capsys), _tshark(cut)
    _agree(ours, theirs)
    assert ours[5]["note"] == (
        "truncated by the snap length (5 of 91 bytes captured): truncated Ethernet frame: "
        "5 bytes (field 'ethertype' at byte offset 12 is missing)"
    )
    assert main(["tcp", "parse", "--pcap", str(cut)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 12 and lines[5].endswith("is missing)]")
    assert " 127.0.0.1:42943 > 127.0.0.1:56524 [FIN,ACK] " in lines[8]
