"""`netutil ip info`: text, JSON, JSON Lines from stdin, errors and exit codes.

Commands run through `netutil.cli.main` with capsys, and end to end through the installed
console script. Expected values come from `ipaddress` and the registry as published.
"""

from __future__ import annotations

import io
import ipaddress
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from netutil.address import info
from netutil.cli import main


def run(capsys, argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _lines(text):
    return dict(re.match(r"^([^:]+):\s+(.*)$", ln).groups() for ln in text.splitlines() if ln)


def test_text_block(capsys):
    code, out, err = run(capsys, ["ip", "info", "192.168.0.1"])
    assert (code, err) == (0, "")
    rows = _lines(out)
    assert rows["address"] == "192.168.0.1"
    assert rows["version"] == "IPv4"
    assert rows["integer"] == str(int(ipaddress.ip_address("192.168.0.1")))
    assert rows["hex"] == "0xc0a80001"
    assert rows["binary"] == "11000000.10101000.00000000.00000001"
    assert rows["reverse pointer"] == "1.0.168.192.in-addr.arpa"
    assert rows["historical class"] == "C (pre-CIDR, historical only)"
    assert rows["registry entry"] == "192.168.0.0/16 Private-Use [RFC1918]"
    assert rows["registry flags"] == (
        "source yes, destination yes, forwardable yes, globally reachable no, "
        "reserved-by-protocol no"
    )
    assert (rows["global"], rows["private"], rows["multicast"]) == ("no", "yes", "no")
    # aligned: every value starts in the same column
    starts = {len(m.group(1)) for m in re.finditer(r"^([^:]+:\s+)", out, re.M)}
    assert len(starts) == 1


def test_text_block_ipv6_extras(capsys):
    code, out, _ = run(
        capsys,
        ["ip", "info", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "fe80::21b:21ff:fe3a:4b5c%eth0"],
    )
    assert code == 0
    teredo, eui = out.split("\n\n")
    rows = _lines(teredo)
    assert rows["teredo server"] == "65.54.227.120"
    assert rows["teredo client"] == "192.0.2.45 port 40000"
    assert rows["teredo flags"] == "0x8000 (cone NAT)"
    assert rows["global"] == "n/a"
    assert rows["registry chain"] == "2001::/32 in 2001::/23"
    rows = _lines(eui)
    assert rows["address"] == "fe80::21b:21ff:fe3a:4b5c%eth0"
    assert rows["EUI-64 MAC"] == "00:1b:21:3a:4b:5c"
    assert rows["link-local"] == "yes"


def test_text_block_with_prefix(capsys):
    code, out, _ = run(capsys, ["ip", "info", "10.1.2.3/255.255.255.0"])
    rows = _lines(out)
    assert code == 0
    assert (rows["network"], rows["broadcast"], rows["first host"], rows["last host"]) == (
        "10.1.2.0/24",
        "10.1.2.255",
        "10.1.2.1",
        "10.1.2.254",
    )
    assert rows["usable hosts"] == "254 (subnet)"
    assert (rows["host index"], rows["usable host"]) == ("3", "yes")


def test_json_one_address_is_an_object(capsys):
    code, out, err = run(capsys, ["ip", "info", "2001:db8::1", "--json"])
    assert (code, err) == (0, "")
    d = json.loads(out)
    ip = ipaddress.ip_address("2001:db8::1")
    assert d["compressed"] == str(ip) and d["exploded"] == ip.exploded
    assert d["integer"] == str(int(ip))
    assert d["registry"]["prefix"] == "2001:db8::/32" and d["is_documentation"] is True
    assert d == info("2001:db8::1").as_dict()
    assert out.startswith('{\n  "input": "2001:db8::1",')  # pretty, keys in the core's order


def test_json_several_addresses_is_an_array(capsys):
    code, out, _ = run(capsys, ["ip", "info", "10.0.0.1", "::1", "--json"])
    assert code == 0
    arr = json.loads(out)
    assert [d["compressed"] for d in arr] == ["10.0.0.1", "::1"]
    assert arr[1]["is_loopback"] is True


def test_invalid_single_address_exit_1(capsys):
    code, out, err = run(capsys, ["ip", "info", "1.2.3.256"])
    assert (code, out) == (1, "")
    assert (
        err == "netutil: error: invalid IPv4 address '1.2.3.256': octet 256 (> 255) at position 4\n"
    )


def test_invalid_among_several_reports_and_goes_on(capsys):
    code, out, err = run(capsys, ["ip", "info", "10.0.0.1", "1:2:3", "::1", "--json"])
    assert code == 1
    assert err == (
        "netutil: error: invalid IPv6 address '1:2:3': too few groups: 3 of 8 and no '::' to "
        "stand for the rest\n"
    )
    assert [d["compressed"] for d in json.loads(out)] == ["10.0.0.1", "::1"]


def test_stdin_json_lines_with_bad_lines(capsys, monkeypatch):
    data = "10.0.0.1\nbad\n\n# a comment\n  ::1  \n10.0.0.256\n"
    code, out, err = run(capsys, ["ip", "info", "-", "--json"], data, monkeypatch)
    assert code == 1
    lines = out.splitlines()
    assert [json.loads(ln)["compressed"] for ln in lines] == ["10.0.0.1", "::1"]
    assert json.loads(lines[0]) == info("10.0.0.1").as_dict()
    assert lines[0] == json.dumps(info("10.0.0.1").as_dict(), separators=(",", ":"))
    assert err.splitlines() == [
        "netutil: error: line 2: invalid IP address 'bad': not an IPv4 dotted quad (a.b.c.d) "
        "nor an IPv6 address (hex groups separated by ':')",
        "netutil: error: line 6: invalid IPv4 address '10.0.0.256': octet 256 (> 255) at "
        "position 4",
    ]


def test_stdin_all_good_exit_0_text(capsys, monkeypatch):
    code, out, err = run(capsys, ["ip", "info", "-"], "10.0.0.1\n2001:db8::1\n", monkeypatch)
    assert (code, err) == (0, "")
    blocks = out.split("\n\n")
    assert [_lines(b)["address"] for b in blocks] == ["10.0.0.1", "2001:db8::1"]
    assert out.endswith("\n") and not out.endswith("\n\n")


def test_stdin_mixed_with_arguments(capsys, monkeypatch):
    code, out, _ = run(capsys, ["ip", "info", "1.1.1.1", "-", "--json"], "::1\n", monkeypatch)
    assert code == 0
    assert [json.loads(ln)["compressed"] for ln in out.splitlines()] == ["1.1.1.1", "::1"]


def test_stdin_empty(capsys, monkeypatch):
    assert run(capsys, ["ip", "info", "-", "--json"], "", monkeypatch) == (0, "", "")


def test_stdin_many_lines_in_batches(capsys, monkeypatch):
    addrs = [str(ipaddress.IPv4Address(0x0A000000 + i)) for i in range(1000)]
    code, out, _ = run(capsys, ["ip", "info", "-", "--json"], "\n".join(addrs), monkeypatch)
    assert code == 0
    assert [json.loads(ln)["compressed"] for ln in out.splitlines()] == addrs


@pytest.mark.parametrize(
    "argv",
    [["ip", "info"], ["ip", "info", "--bogus", "1.1.1.1"], ["ip", "frob", "1.1.1.1"], ["ip"]],
)
def test_usage_errors_exit_2(capsys, argv):
    assert main(argv) == 2
    capsys.readouterr()


def test_help_has_an_example(capsys):
    assert main(["ip", "info", "--help"]) == 0
    out = capsys.readouterr().out
    assert "netutil ip info 192.168.0.1" in out
    assert "--json" in out and "line N: <message>" in out


# --- end to end through the installed console script ------------------------------------------


def _script() -> str:
    path = Path(sys.executable).with_name("netutil")
    assert path.exists(), "the netutil console script is not installed next to this python"
    return str(path)


@pytest.mark.integration
def test_installed_script_text_and_json():
    proc = subprocess.run(
        [_script(), "ip", "info", "192.168.0.1", "--json"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stderr == ""
    assert json.loads(proc.stdout)["registry"]["name"] == "Private-Use"
    proc = subprocess.run([_script(), "ip", "info", "::1"], capture_output=True, text=True)
    assert proc.returncode == 0 and re.search(r"^loopback:\s+yes$", proc.stdout, re.M)


@pytest.mark.integration
def test_installed_script_stdin_exit_codes():
    proc = subprocess.run(
        [_script(), "ip", "info", "-", "--json"],
        input="8.8.8.8\n999.1.1.1\n::1\n",
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert len(proc.stdout.splitlines()) == 2
    assert proc.stderr == (
        "netutil: error: line 2: invalid IPv4 address '999.1.1.1': octet 999 (> 255) at "
        "position 1\n"
    )
    proc = subprocess.run([_script(), "ip", "info"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr == (
        "netutil ip info: error: the following arguments are required: ADDR "
        "(see 'netutil ip info --help')\n"
    )


@pytest.mark.integration
def test_installed_script_streams_line_by_line():
    """With --line-buffered each answer arrives before the next line is even written: the
    command does not read its whole input first."""
    proc = subprocess.Popen(
        [_script(), "ip", "info", "-", "--json", "--line-buffered"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "0"},
    )
    try:
        for text in ("10.0.0.1", "2001:db8::1", "127.0.0.1"):
            proc.stdin.write(text + "\n")
            proc.stdin.flush()
            answer = json.loads(proc.stdout.readline())
            assert answer["compressed"] == text
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
        proc.wait()


DIVERSE = [
    "192.168.0.1",
    "8.8.8.8",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "fe80::21b:21ff:fe3a:4b5c%eth0",
    "fe80::1%é",  # a zone is free text: non-ASCII must come out as UTF-8, not mangled
    'fe80::1%a"b\\c',  # ... and quotes/backslashes escaped
    "ff3e:30:2001:db8::1",
    "::ffff:192.0.2.1",
    "10.1.2.3/24",
    "2001:db8::1/64",
]


def test_json_lines_are_exactly_the_core_objects_as_json(capsys, monkeypatch):
    code, out, _ = run(capsys, ["ip", "info", "-", "--json"], "\n".join(DIVERSE), monkeypatch)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(DIVERSE)
    for text, line in zip(DIVERSE, lines, strict=True):
        expected = json.dumps(info(text).as_dict(), separators=(",", ":"), ensure_ascii=False)
        assert line == expected


def test_json_lines_to_a_text_only_stdout(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("10.0.0.1\nfe80::1%é\n"))
    fake = io.StringIO()
    monkeypatch.setattr(sys, "stdout", fake)
    assert main(["ip", "info", "-", "--json"]) == 0
    assert [json.loads(ln)["zone"] for ln in fake.getvalue().splitlines()] == [None, "é"]


@pytest.mark.integration
def test_installed_script_undecodable_zone_bytes_are_refused_and_the_run_goes_on():
    """A zone of bytes that are not UTF-8 (stdin decodes them to lone surrogates) is refused on
    its line, the run goes on, and what is written is valid UTF-8 JSON (RFC 4007 zones are
    interface names or indexes: text)."""
    proc = subprocess.run(
        [_script(), "ip", "info", "-", "--json"],
        input=b"fe80::1%\xff\n10.0.0.1\n",
        capture_output=True,
        env={**os.environ, "PYTHONUTF8": "1"},
    )
    assert proc.returncode == 1
    assert proc.stderr.decode("utf-8").splitlines() == [
        "netutil: error: line 1: invalid IPv6 address 'fe80::1%\\udcff': zone holds byte 0xff,"
        " which is not UTF-8 text"
    ]
    (only,) = proc.stdout.splitlines()
    assert json.loads(only.decode("utf-8")) == info("10.0.0.1").as_dict()
