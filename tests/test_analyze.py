# ruff: noqa: E501
"""`netutil tcp analyze`: connections and per-segment flags, held frame by frame against tshark
4.0's `tcp.analysis.*` fields, its `-z conv,tcp` table and its `tcp.analysis.initial_rtt`, on
the committed loopback captures and on a capture built here that exercises every flag."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pytest

from netutil.analyze import AnalysisFlag, analyse
from netutil.cli import main
from netutil.packet import build_packet
from netutil.pcap import write_pcap
from netutil.segment import MSS, TCPFlag, TCPHeader, WindowScale
from tests.tools import require

DATA = Path(__file__).parent / "data"
FLAG_FIELDS = [f.field for f in AnalysisFlag]


def tshark_flags(path: Path) -> list[dict]:
    """Per frame: the tcp.analysis flags tshark sets, its stream number, dup-ACK count, iRTT."""
    fields = ["frame.number", "tcp.stream", "tcp.analysis.duplicate_ack_num",
              "tcp.analysis.initial_rtt", *FLAG_FIELDS]  # fmt: skip
    cmd = [require("tshark"), "-n", "-r", str(path), "-T", "fields", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=120).stdout
    rows = []
    for line in out.splitlines():
        cells = dict(zip(fields, line.split("\t"), strict=True))
        rows.append(
            {
                "frame": int(cells["frame.number"]),
                "stream": int(cells["tcp.stream"]) if cells["tcp.stream"] else None,
                "dup_ack_num": int(cells["tcp.analysis.duplicate_ack_num"] or 0) or None,
                "initial_rtt": float(cells["tcp.analysis.initial_rtt"])
                if cells["tcp.analysis.initial_rtt"]
                else None,
                "flags": {f.removeprefix("tcp.analysis.") for f in FLAG_FIELDS if cells[f]},
            }
        )
    return rows


_UNITS = {"bytes": 1, "kB": 1000, "MB": 1000**2, "GB": 1000**3}


def tshark_conversations(path: Path) -> list[tuple]:
    """`tshark -q -z conv,tcp`: (endpoint A, endpoint B, frames B->A, bytes B->A, frames A->B,
    bytes A->B, the bytes' unit) per conversation, as tshark prints them (it rounds bytes to
    kB, MB past 10,000)."""
    out = subprocess.run([require("tshark"), "-n", "-r", str(path), "-q", "-z", "conv,tcp"],
                         capture_output=True, text=True, check=True, timeout=120).stdout  # fmt: skip
    row = re.compile(
        r"^(\S+)\s+<->\s+(\S+)\s+(\d+)\s+(\d+) (bytes|kB|MB|GB)\s+(\d+)\s+(\d+) (bytes|kB|MB|GB)\s+"
    )
    rows = []
    for m in map(row.match, out.splitlines()):
        if m:
            a, b, f1, n1, u1, f2, n2, u2 = m.groups()
            rows.append((a, b, int(f1), (int(n1), _UNITS[u1]), int(f2), (int(n2), _UNITS[u2])))
    return rows


def same_bytes(ours_bytes: int, theirs: tuple[int, int]) -> bool:
    """Our exact byte count against tshark's rounded figure in its unit."""
    value, unit = theirs
    return ours_bytes == value if unit == 1 else abs(ours_bytes / unit - value) < 1


def ours(path: Path):
    with open(path, "rb") as f:
        return analyse(f)


def agreement(path: Path) -> dict[str, tuple[int, int]]:
    """Per flag: (frames where netutil and tshark both set it, frames where either does)."""
    theirs = {r["frame"]: r for r in tshark_flags(path)}
    mine = {e.frame: e for e in ours(path).events if hasattr(e, "analysis")}
    counts: dict[str, list[int]] = {}
    for frame, t in theirs.items():
        m = set(mine[frame].analysis) if frame in mine else set()
        for flag in m | t["flags"]:
            c = counts.setdefault(flag, [0, 0])
            c[1] += 1
            c[0] += flag in m and flag in t["flags"]
    return {k: (a, b) for k, (a, b) in sorted(counts.items())}


def assert_frame_by_frame(path: Path) -> None:
    theirs = tshark_flags(path)
    events = [e for e in ours(path).events if hasattr(e, "analysis")]
    assert [e.frame for e in events] == [t["frame"] for t in theirs]
    for e, t in zip(events, theirs, strict=True):
        assert (e.frame, set(e.analysis)) == (t["frame"], t["flags"])
        assert e.connection == t["stream"]
        assert e.dup_ack_num == t["dup_ack_num"]
        assert bool(e.reasons) == bool(e.analysis)  # a reason for every flagged segment


C, S = ("10.0.0.1", 40000), ("10.0.0.2", 5001)
A, SA, PA, FA = (
    TCPFlag.ACK,
    TCPFlag.SYN | TCPFlag.ACK,
    TCPFlag.PSH | TCPFlag.ACK,
    TCPFlag.FIN | TCPFlag.ACK,
)


def _seg(t, frm, flags, seq, ack, win, n=0, opts=()):
    a, b = (C, S) if frm == "c" else (S, C)
    h = TCPHeader(a[1], b[1], seq % 2**32, ack % 2**32, flags, win, options=opts)
    return (t, build_packet(h, bytes(n), a[0], b[0]))


# (gap before it in seconds, sender, flags, seq, ack, window, payload length, options): one
# connection that shows each flag once, then the same 4-tuple reused after its FINs.
c, s = 1000, 5000
SCRIPT = [
    (0.00, "c", TCPFlag.SYN, c, 0, 65535, 0, (MSS(1460), WindowScale(2))),
    (0.01, "s", SA, s, c + 1, 65535, 0, (MSS(1460), WindowScale(2))),
    (0.01, "c", A, c + 1, s + 1, 1000, 0, ()),
    (0.001, "c", PA, c + 1, s + 1, 1000, 100, ()),
    (0.001, "c", PA, c + 201, s + 1, 1000, 100, ()),  # c+101.. never captured: lost_segment
    (0.001, "c", PA, c + 301, s + 1, 1000, 100, ()),
    (0.001, "s", A, s + 1, c + 101, 500, 0, ()),
    (0.001, "s", A, s + 1, c + 101, 500, 0, ()),  # duplicate_ack #1
    (0.001, "s", A, s + 1, c + 101, 500, 0, ()),  # #2
    (0.001, "s", A, s + 1, c + 101, 500, 0, ()),  # #3
    (0.001, "c", PA, c + 101, s + 1, 1000, 100, ()),  # fast_retransmission
    (0.001, "s", A, s + 1, c + 401, 500, 0, ()),
    (0.2, "c", PA, c + 301, s + 1, 1000, 100, ()),  # spurious_retransmission (already acked)
    (0.2, "c", PA, c + 401, s + 1, 1000, 100, ()),
    (0.3, "c", PA, c + 401, s + 1, 1000, 100, ()),  # retransmission (timeout)
    (0.01, "s", A, s + 1, c + 501, 500, 0, ()),
    (0.01, "s", A, s + 1, c + 501, 800, 0, ()),  # window_update
    (0.01, "c", PA, c + 501, s + 1, 1000, 200, ()),
    (0.01, "s", A, s + 1, c + 701, 0, 0, ()),  # zero_window
    (0.01, "c", PA, c + 701, s + 1, 1000, 1, ()),  # zero_window_probe (RFC 9293, one octet)
    (0.2, "s", A, s + 1, c + 701, 0, 0, ()),  # zero_window_probe_ack + zero_window
    (0.2, "s", A, s + 1, c + 701, 600, 0, ()),  # window_update
    (0.01, "c", PA, c + 701, s + 1, 1000, 2400, ()),  # window_full: 701 + 2400 = ack + 600 << 2
    (0.01, "s", A, s + 1, c + 3101, 600, 0, ()),
    (1.0, "c", A, c + 3100, s + 1, 1000, 0, ()),  # keep_alive (Linux style: seq = next - 1)
    (0.01, "s", A, s + 1, c + 3101, 600, 0, ()),  # keep_alive_ack
    (0.01, "s", A, s + 1, c + 3201, 600, 0, ()),  # ack_lost_segment: acks bytes never seen
    (0.01, "s", PA, s + 101, c + 3201, 600, 100, ()),  # lost_segment (s+1.. not yet sent)
    (0.001, "s", PA, s + 1, c + 3201, 600, 100, ()),  # out_of_order (1 ms < the 20 ms iRTT)
    (0.01, "c", FA, c + 3201, s + 201, 1000, 0, ()),  # lost_segment again (c+3101..3200)
    (0.01, "s", FA, s + 201, c + 3202, 600, 0, ()),
    (0.01, "c", A, c + 3202, s + 202, 1000, 0, ()),
    (0.01, "c", TCPFlag.SYN, 90000, 0, 65535, 0, ()),  # the 4-tuple reused: connection 1
    (0.01, "s", TCPFlag.RST | TCPFlag.ACK, 0, 90001, 0, 0, ()),
]


@pytest.fixture(scope="module")
def flag_capture(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("analyze") / "flags.pcap"
    t, packets = 1.0, []
    for gap, frm, flags, seq, ack, win, n, opts in SCRIPT:
        t += gap
        packets.append(_seg(round(t, 6), frm, flags, seq, ack, win, n, opts))
    with open(path, "wb") as f:
        write_pcap(f, packets)
    return path


def test_every_flag_agrees_with_tshark_frame_by_frame(flag_capture):
    assert_frame_by_frame(flag_capture)
    agree = agreement(flag_capture)
    # every flag of the list is exercised, and each agrees on every frame
    assert set(agree) == {f.name.lower() for f in AnalysisFlag}
    assert all(both == either for both, either in agree.values()), agree


def test_reasons_name_what_each_flag_was_measured_against(flag_capture):
    events = {e.frame: e for e in ours(flag_capture).events}
    assert events[5].reasons == (
        "seq 1201 is past the next expected 1101 (frame 4): 100 bytes before it were not captured",
    )
    assert events[10].dup_ack_num == 3 and events[10].dup_ack_frame == 7
    assert events[11].reasons == (
        "resends seq 1101 1.000 ms after the peer's duplicate ACK #3 asking for it (within 20 ms)",
    )
    assert events[13].reasons == (
        "all of its bytes up to 1401 were already acknowledged (the peer's ack 1401)",
    )
    assert events[15].reasons == (
        "seq 1401 is below the highest sent 1501: sent before (the oldest unacknowledged segment is frame 13), sent again",
    )
    assert events[29].reasons == (
        "seq 5001 is below the highest sent 5201, 1.000 ms after frame 28 (within the 20.000 ms threshold)",
    )


def assert_conversations(path: Path) -> None:
    """Our connection list against `tshark -z conv,tcp` (frames and bytes each way) and each
    connection's initial RTT against tcp.analysis.initial_rtt."""
    result = ours(path)
    conv = tshark_conversations(path)
    assert len(result.connections) == len(conv)
    mine: dict[tuple, list] = {}  # tshark lists the busiest first: match by endpoints
    for c in result.connections:
        ends = (f"{c.client[0]}:{c.client[1]}", f"{c.server[0]}:{c.server[1]}")
        mine.setdefault(ends, []).append(
            (c.packets[1], c.frame_bytes[1], c.packets[0], c.frame_bytes[0])
        )
        mine.setdefault(ends[::-1], []).append(
            (c.packets[0], c.frame_bytes[0], c.packets[1], c.frame_bytes[1])
        )
    for a, b, f_ba, n_ba, f_ab, n_ab in conv:
        assert any(
            (x[0], x[2]) == (f_ba, f_ab) and same_bytes(x[1], n_ba) and same_bytes(x[3], n_ab)
            for x in mine.get((a, b), [])
        ), (a, b, f_ba, n_ba, f_ab, n_ab, mine)
    irtt = {
        t["stream"]: t["initial_rtt"] for t in tshark_flags(path) if t["initial_rtt"] is not None
    }
    for c in result.connections:
        if c.number in irtt:
            assert c.initial_rtt == pytest.approx(irtt[c.number], abs=2e-6)


def test_connections_against_tshark_conv_and_initial_rtt(flag_capture):
    for path in (DATA / "loopback_ipv4.pcap", DATA / "loopback_ipv6.pcap", flag_capture):
        assert_conversations(path)


def test_loopback_captures_match_tshark(tmp_path):
    for name in ("loopback_ipv4", "loopback_ipv6"):
        assert_frame_by_frame(DATA / f"{name}.pcap")
    result = ours(DATA / "loopback_ipv4.pcap")
    first, refused = result.connections
    assert (first.handshake, first.close, first.payload_bytes) == (
        "complete",
        "FIN from both",
        (19, 25),
    )
    assert first.window_scale == (10, 10)
    assert (refused.handshake, refused.close) == ("no SYN,ACK", "reset by the server")


def test_cli_report_and_json(flag_capture, capsys):
    assert main(["tcp", "analyze", str(flag_capture)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 connection(s), 34 TCP segment(s)\n")
    assert (
        "     11   0.028000  #0 client [PSH,ACK] seq 1101 ack 5001 win 1000 len 100  retransmission fast_retransmission\n"
        in out
    )
    assert main(["tcp", "analyze", str(flag_capture), "--json"]) == 0
    obj = json.loads(capsys.readouterr().out)
    assert len(obj["events"]) == 34 and obj["connections"][1]["close"] == "reset by the server"
    assert obj["connections"][0]["flag_counts"]["duplicate_ack"] == 3
    with open(flag_capture, "rb") as f:
        assert obj == json.loads(json.dumps(analyse(io.BytesIO(f.read())).as_dict()))


def test_cli_bad_input(tmp_path, capsys):
    assert main(["tcp", "analyze", str(tmp_path / "none.pcap")]) == 1
    assert "cannot read" in capsys.readouterr().err
    bad = tmp_path / "bad.pcapng"
    bad.write_bytes(b"\x0a\x0d\x0d\x0a" + bytes(4) + b"\x11\x22\x33\x44")
    assert main(["tcp", "analyze", str(bad)]) == 1
    assert capsys.readouterr().err == (
        "netutil: error: section header block at byte offset 0: byte-order magic 0x11223344 "
        "at byte offset 8 is neither 1a2b3c4d nor 4d3c2b1a\n"
    )


def test_a_real_lossy_capture_cut_to_96_bytes(capsys):
    # tests/data/namespace_lossy.pcapng: real Linux traffic with random loss and a slow reader,
    # every frame cut to 96 bytes (see tests/data/README.md): the flags and connections still
    # equal tshark's, since both use the lengths the IP headers give
    path = DATA / "namespace_lossy.pcapng"
    assert_frame_by_frame(path)
    assert_conversations(path)
    agree = agreement(path)
    assert all(both == either for both, either in agree.values()), agree
    assert {"retransmission", "fast_retransmission", "duplicate_ack", "zero_window"} <= set(agree)
    assert all(e.truncated for e in ours(path).events if e.length > 30)  # 96 - 66 header bytes


def test_one_connection_as_a_ladder(capsys):
    path = DATA / "namespace_lossy.pcapng"
    assert main(["tcp", "analyze", str(path), "--connection", "0"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert (
        lines[0]
        == "client 127.0.0.1:48168 (ISN 2632950166)  <->  server 127.0.0.1:5001 (ISN 143821891)"
    )
    # frame 8: the server's zero window, as tshark flags it; seq and ack relative to the ISNs
    row = next(line for line in lines if "#8 " in line)
    assert "#8 ACK seq=1 ack=4345 win=0 (zero_window)" in row and row.lstrip().startswith("0.042")
    assert "  #8 zero_window" in lines and "      advertises a zero receive window" in lines
    assert main(["tcp", "analyze", str(path), "--connection", "2"]) == 1
    assert capsys.readouterr().err == (
        "netutil: error: connection 2 does not exist: the capture has 2 (0 to 1)\n"
    )
    assert main(["tcp", "analyze", str(path), "--format", "ladder"]) == 1
    assert "--format needs --connection N" in capsys.readouterr().err
    assert main(["tcp", "analyze", str(path), "--connection", "0", "--format", "json"]) == 0
    trace = json.loads(capsys.readouterr().out)
    sends = [e for e in trace["events"] if e["type"] == "send"]
    assert trace["client"]["isn"] == 2632950166 and sends[7]["analysis"] == ["zero_window"]
