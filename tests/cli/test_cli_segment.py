# ruff: noqa: E501
"""`netutil tcp header build` and `netutil tcp parse`, checked against scapy and tcpdump."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from scapy.layers.inet import IP, TCP
from scapy.layers.inet6 import IPv6
from scapy.packet import Raw

from netutil.cli import main

DATA = Path(__file__).parents[1] / "data"
SYN_ARGS = ["--src", "10.0.0.1:1234", "--dst", "10.0.0.2:80", "--seq", "1000", "--flags", "SYN",
            "--window", "64240", "--mss", "1460", "--sack-perm", "--ts", "100,0", "--wscale", "7"]  # fmt: skip
SCAPY_SYN = TCP(sport=1234, dport=80, seq=1000, flags="S", window=64240,
                options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (100, 0)), ("NOP", None), ("WScale", 7)])  # fmt: skip


def test_build_syn_equals_scapy(capsys):
    assert main(["tcp", "header", "build", *SYN_ARGS]) == 0
    assert (
        capsys.readouterr().out.strip()
        == bytes(IP(src="10.0.0.1", dst="10.0.0.2") / SCAPY_SYN)[20:].hex()
    )
    assert main(["tcp", "header", "build", *SYN_ARGS, "--ip"]) == 0
    want = bytes(IP(src="10.0.0.1", dst="10.0.0.2", flags="DF", id=0) / SCAPY_SYN)
    assert capsys.readouterr().out.strip() == want.hex()


def test_build_ipv6_with_payload_json(capsys):
    argv = ["tcp", "header", "build", "--src", "[2001:db8::1]:1234", "--dst", "[2001:db8::2]:80",
            "--seq", "1", "--ack", "2", "--flags", "PSH,ACK", "--window", "512",
            "--payload", "68656c6c6f", "--ip", "--json"]  # fmt: skip
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    want = (
        IPv6(src="2001:db8::1", dst="2001:db8::2")
        / TCP(sport=1234, dport=80, seq=1, ack=2, flags="PA", window=512)
        / Raw(b"hello")
    )
    assert result["hex"] == bytes(want).hex()
    assert result["layer"] == "ipv6" and result["length"] == 65 and result["segment_length"] == 25
    assert result["header"]["flags"] == ["PSH", "ACK"]
    assert result["header"]["checksum"] == IPv6(bytes(want))[TCP].chksum


def test_build_usage_errors(capsys):
    for bad, message in [
        (
            ["--src", "10.0.0.1"],
            "invalid endpoint '10.0.0.1': expected ADDRESS:PORT or [IPv6]:PORT",
        ),
        (["--src", "10.0.0.300:1"], "invalid endpoint '10.0.0.300:1': bad address '10.0.0.300'"),
        (
            ["--seq", "4294967296"],
            "invalid sequence number '4294967296': expected an integer in [0, 4294967295]",
        ),
        (
            ["--src", "10.0.0.1:٨٠"],
            "invalid endpoint '10.0.0.1:٨٠': invalid port '٨٠': non-ASCII digit '٨' (U+0668)",
        ),
        (
            ["--src", "2001:db8::1:80"],
            "invalid endpoint '2001:db8::1:80': write an IPv6 address with a port in brackets, "
            "[ADDRESS]:PORT (RFC 3986), e.g. [2001:db8::1]:80 or [2001:db8::1:80]:PORT",
        ),
        (
            ["--dst", "::1:80"],
            "invalid endpoint '::1:80': write an IPv6 address with a port in brackets",
        ),
        (
            ["--src", "[10.0.0.1]:80"],
            "invalid endpoint '[10.0.0.1]:80': brackets are for IPv6 addresses; write 10.0.0.1:80",
        ),
        (["--src", "10.0.0.1:65536"], "invalid port '65536': expected an integer in [0, 65535]"),
        (["--seq", "١٠٠٠"], "invalid sequence number '١٠٠٠': non-ASCII digit '١' (U+0661)"),
        (["--window", "0x1_0"], "invalid window '0x1_0': expected a whole number"),
        (["--flags", "SYN,FOO"], "unknown TCP flag 'FOO' in 'SYN,FOO'"),
        (["--ts", "1"], "invalid timestamps '1': expected TSVAL,TSECR"),
    ]:
        argv = ["tcp", "header", "build", "--src", "10.0.0.1:1", "--dst", "10.0.0.2:2", *bad]
        assert main(argv) == 2
        assert message in capsys.readouterr().err


def test_build_data_errors(capsys):
    argv = ["tcp", "header", "build", "--src", "10.0.0.1:1", "--dst", "[::1]:2"]
    assert main(argv) == 1
    assert capsys.readouterr().err == (
        "netutil: error: source '10.0.0.1' and destination '::1' are of different IP versions\n"
    )
    sack = ["--sack", "1-2"] * 5
    assert (
        main(["tcp", "header", "build", "--src", "10.0.0.1:1", "--dst", "10.0.0.2:2", *sack]) == 1
    )
    assert "SACK option needs 1 to 4 blocks, got 5" in capsys.readouterr().err


def test_parse_packet_text_and_json(capsys):
    raw = bytes(IP(src="10.0.0.1", dst="10.0.0.2") / SCAPY_SYN)
    assert main(["tcp", "parse", raw.hex()]) == 0
    out = capsys.readouterr().out
    assert f"header checksum: 0x{IP(raw).chksum:04x} good" in out
    assert f"checksum:       0x{IP(raw)[TCP].chksum:04x} good" in out
    assert "options:        mss 1460,sackOK,TS val 100 ecr 0,nop,wscale 7" in out
    assert main(["tcp", "parse", raw.hex(), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["layer"] == "ipv4" and result["tcp"]["header"]["seq"] == 1000
    assert [o["name"] for o in result["tcp"]["header"]["options"]] == [
        "mss", "sack_permitted", "timestamps", "nop", "window_scale"]  # fmt: skip


def test_parse_bare_segment_with_addresses(capsys):
    seg = bytes(IP(src="10.0.0.1", dst="10.0.0.2") / SCAPY_SYN)[20:]
    bad = seg[:16] + b"\x00\x00" + seg[18:]
    assert (
        main(["tcp", "parse", bad.hex(), "--src", "10.0.0.1", "--dst", "10.0.0.2", "--json"]) == 0
    )
    tcp = json.loads(capsys.readouterr().out)["tcp"]
    assert tcp["checksum_status"] == "bad" and tcp["expected_checksum"] == TCP(seg).chksum
    assert main(["tcp", "parse", seg.hex(), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tcp"]["checksum_status"] == "unknown"
    assert main(["tcp", "parse", seg.hex(), "--src", "10.0.0.1"]) == 1
    assert "give both --src and --dst" in capsys.readouterr().err


def test_parse_malformed_is_an_error(capsys):
    assert main(["tcp", "parse", "0102"]) == 1
    assert capsys.readouterr().err == (
        "netutil: error: truncated TCP header: 2 bytes, the fixed header needs 20 "
        "(field 'dst_port' at byte offset 2 is missing)\n"
    )


def test_parse_pcap_lists_every_segment(capsys):
    assert main(["tcp", "parse", "--pcap", str(DATA / "loopback_ipv4.pcap")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 12
    assert "[SYN] seq 4261893572 ack 0 win 65495 len 0" in lines[0]
    assert lines[0].endswith("cksum 0xfe30 bad (should be 0x19a1)")  # tcpdump: incorrect -> 0x19a1
    assert lines[-1].endswith("cksum 0x9189 good")  # tcpdump: correct
    assert main(["tcp", "parse", "--pcap", str(DATA / "loopback_ipv6.pcap"), "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["index"] for r in rows] == list(range(1, 13))
    assert rows[0]["src"] == "::1" and rows[0]["options"][0]["value"] == 65476
    assert rows[3]["length"] == 19 and rows[5]["length"] == 25


def test_parse_pcap_errors(tmp_path, capsys):
    assert main(["tcp", "parse", "--pcap", str(tmp_path / "none.pcap")]) == 1
    assert "cannot read" in capsys.readouterr().err
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(b"not a pcap file at all!!")
    assert main(["tcp", "parse", "--pcap", str(bad)]) == 1
    assert "not a pcap file: magic 0x6e6f7420 at byte offset 0" in capsys.readouterr().err


def test_parse_pcap_rows_read_before_a_bad_record_are_written_first(tmp_path, capsys):
    # the 12 records of the capture, then a record header that promises 40 bytes and has 3:
    # the rows are written in chunks, and the ones before the bad record still come out
    data = (DATA / "loopback_ipv4.pcap").read_bytes()
    cut = tmp_path / "cut.pcap"
    cut.write_bytes(data + bytes(8) + (40).to_bytes(4, "little") * 2 + b"abc")
    assert main(["tcp", "parse", "--pcap", str(cut), "--json"]) == 1
    out, err = capsys.readouterr()
    assert [json.loads(line)["index"] for line in out.splitlines()] == list(range(1, 13))
    assert err.startswith("netutil: error: truncated pcap record 13 at byte offset ")
    assert err.rstrip("\n").endswith(
        f"incl_len 40 at byte offset {len(data) + 8}, but only 3 bytes follow"
    )


def test_installed_script_end_to_end():
    script = str(Path(sys.executable).with_name("netutil"))
    built = subprocess.run([script, "tcp", "header", "build", *SYN_ARGS, "--ip"],
                           capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    parsed = subprocess.run([script, "tcp", "parse", built, "--json"],
                            capture_output=True, text=True, check=True).stdout  # fmt: skip
    result = json.loads(parsed)
    assert result["tcp"]["checksum_status"] == "good"
    assert result["ip"]["checksum_status"] == "good"
    assert result["tcp"]["header"]["options"][0]["value"] == 1460
