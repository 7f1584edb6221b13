"""`netutil subnet ...` through `netutil.cli.main` (and a few runs of the installed script)."""

from __future__ import annotations

import io
import ipaddress
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from netutil.cli import main


def run(capsys, *argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["subnet", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_info_text(capsys):
    code, out, err = run(capsys, "info", "10.1.2.3/24")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert "network:            10.1.2.0/24" in lines
    assert "input:              10.1.2.3/24" in lines
    assert "netmask:            255.255.255.0 (/24)" in lines
    assert "broadcast:          10.1.2.255" in lines
    assert "usable hosts:       254 (subnet)" in lines
    assert "registry entries:   10.0.0.0/8 Private-Use [RFC1918]" in lines
    assert "warning:            host bits set in '10.1.2.3/24': the network is 10.1.2.0/24" in lines


def test_info_json_is_the_core_object(capsys):
    from netutil.subnet import network_info

    code, out, _ = run(capsys, "info", "2001:db8::/127", "--json")
    assert code == 0
    assert json.loads(out) == network_info("2001:db8::/127").as_dict()
    assert json.loads(out)["host_semantics_rfc"] == "RFC 6164"


def test_info_several_and_stdin_json_lines(capsys, monkeypatch):
    code, out, err = run(
        capsys, "info", "10.0.0.0/31", "-", "--json",
        stdin="# comment\n192.0.2.0/24\n\nnonsense\n::/0\n", monkeypatch=monkeypatch,
    )  # fmt: skip
    assert code == 1
    assert [json.loads(line)["network"] for line in out.splitlines()] == [
        "10.0.0.0/31",
        "192.0.2.0/24",
        "::/0",
    ]
    assert (
        err == "netutil: error: line 4: invalid network 'nonsense': expected 4 octets in"
        " 'nonsense'\n"
    )


def test_usage_errors_exit_2(capsys):
    code, _, err = run(capsys, "info", "10.0.0.0/33")
    assert code == 2
    assert "invalid network '10.0.0.0/33': prefix length 33 out of range 0-32 for IPv4" in err
    code, _, err = run(capsys, "split", "10.0.0.0/8")
    assert code == 2
    assert "one of the arguments --prefix --count --hosts is required" in err
    code, _, err = run(capsys, "split", "10.0.0.0/8", "--prefix", "129")
    assert code == 2
    assert "invalid prefix length '129': expected an integer in [0, 128]" in err
    code, _, err = run(capsys, "range", "10.0.0.1", "10.0.0.0/24")
    assert code == 2
    assert "expected an address without a prefix length" in err
    code, _, err = run(capsys, "split", "10.0.0.0/8", "--hosts", "10,x")
    assert code == 2
    assert "invalid host count 'x': expected a whole number" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["info", "10.1.2.3/24", "--strict"],
         "invalid network '10.1.2.3/24': host bits set (strict); the network is 10.1.2.0/24"),
        (["split", "10.0.0.0/16", "--prefix", "8"],
         "new prefix /8 is shorter than the network's: 10.0.0.0/16 is a /16"),
        (["range", "10.0.0.9", "10.0.0.1"], "start 10.0.0.9 is above end 10.0.0.1"),
        (["range", "10.0.0.1", "::1"],
         "start '10.0.0.1' is IPv4 but end '::1' is IPv6: a range needs one version"),
        (["overlap", "10.0.0.0/8", "::/0"], "network A '10.0.0.0/8' is IPv4 but network B '::/0'"
         " is IPv6: compare networks of one version"),
        (["contains", "::/0", "10.0.0.1"],
         "network '::/0' is IPv6 but '10.0.0.1' is IPv4: compare networks of one version"),
        (["split", "2001:db8::/32", "--prefix", "128"], "split gives 79228162514264337593543950336"
         " items, more than 16777216 at once: ask for a page with a limit"),
        (["exclude", "10.0.0.0/8", "::/0"], "item 1: '::/0' is IPv6 but the network 10.0.0.0/8 is"
         " IPv4"),
    ],
)  # fmt: skip
def test_invalid_data_exits_1_with_one_line(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert (code, out) == (1, "")
    assert err == f"netutil: error: {message}\n"


def test_split_text_and_trailer(capsys):
    code, out, _ = run(capsys, "split", "10.0.0.0/24", "--count", "3", "--limit", "2")
    assert code == 0
    assert (
        "note:              3 subnets requested: rounded up to 4 (a power of two), each a /26"
        in out.splitlines()
    )
    assert "10.0.0.0/26         10.0.0.0 - 10.0.0.63               64 addresses, 62 usable" in out
    assert "10.0.0.128/26" not in out
    assert out.splitlines()[-1] == "showing items 0-1 of 4; next: --start 2"


def test_split_json_page_of_a_huge_split(capsys):
    code, out, _ = run(capsys, "split", "2001:db8::/32", "--prefix", "64", "--limit", "2",
                       "--start", "65536", "--json")  # fmt: skip
    assert code == 0
    d = json.loads(out)
    assert (d["total"], d["start"], d["count"], d["next_start"]) == (
        str(2**32), "65536", 2, "65538",
    )  # fmt: skip
    assert [i["network"] for i in d["items"]] == ["2001:db8:1::/64", "2001:db8:1:1::/64"]


def test_split_vlsm_json(capsys):
    code, out, _ = run(capsys, "split", "192.168.1.0/24", "--hosts", "50,20", "10", "2", "--json")
    assert code == 0
    d = json.loads(out)
    assert [(i["network"], i["hosts_requested"]) for i in d["items"]] == [
        ("192.168.1.0/26", 50), ("192.168.1.64/27", 20), ("192.168.1.96/28", 10),
        ("192.168.1.112/31", 2),
    ]  # fmt: skip
    assert d["leftover"][-1] == "192.168.1.128/25"


def test_empty_list_json_is_valid(capsys):
    code, out, _ = run(capsys, "exclude", "10.0.0.0/24", "10.0.0.0/23", "--json")
    assert code == 0
    d = json.loads(out)
    assert (d["items"], d["total"], d["num_addresses"]) == ([], "0", "0")


def test_summarize_stdin_with_bad_lines(capsys, monkeypatch):
    lines = (
        "10.0.0.0/25\n# comment\n\n10.0.0.300\n10.0.0.128/25\n2001:db8::/33\n2001:db8:8000::/33\n"
    )
    code, out, err = run(capsys, "summarize", "-", "--json", stdin=lines, monkeypatch=monkeypatch)
    assert code == 1
    d = json.loads(out)
    assert [i["network"] for i in d["items"]] == ["10.0.0.0/24", "2001:db8::/32"]
    assert err == (
        "netutil: error: line 4: invalid network '10.0.0.300': octet 300 (> 255) not permitted"
        " in '10.0.0.300'\n"
    )


def test_summarize_arguments_and_stdin_together(capsys, monkeypatch):
    code, out, err = run(capsys, "summarize", "10.0.0.0/25", "-", "10.0.1.0/24",
                         stdin="10.0.0.128/25\n", monkeypatch=monkeypatch)  # fmt: skip
    assert (code, err) == (0, "")
    assert "10.0.0.0/23 " in out


def test_range_and_exclude_text(capsys):
    code, out, _ = run(capsys, "range", "192.168.0.10", "192.168.0.20")
    assert code == 0
    nets = [line.split()[0] for line in out.split("\n\n")[1].splitlines()]
    expected = ipaddress.summarize_address_range(
        ipaddress.ip_address("192.168.0.10"), ipaddress.ip_address("192.168.0.20")
    )
    assert nets == [str(n) for n in expected]
    code, out, _ = run(capsys, "exclude", "10.0.0.0/24", "10.0.0.64/26")
    assert [line.split()[0] for line in out.split("\n\n")[1].splitlines()] == [
        "10.0.0.0/26", "10.0.0.128/25",
    ]  # fmt: skip


def test_contains_and_overlap(capsys):
    code, out, _ = run(capsys, "contains", "10.0.0.0/8", "10.20.30.40")
    assert code == 0
    assert out.splitlines() == [
        "network:  10.0.0.0/8", "address:  10.20.30.40", "contains: yes", "relation: contains",
    ]  # fmt: skip
    code, out, _ = run(capsys, "overlap", "10.0.0.0/8", "11.0.0.0/8", "--json")
    d = json.loads(out)
    assert (d["overlaps"], d["relation"], d["intersection"]) == (False, "disjoint", None)


def test_ipv4_mapped_in_mixed_notation(capsys):
    code, out, _ = run(capsys, "range", "::ffff:c000:200", "::ffff:192.0.2.5")
    assert code == 0
    assert "start address: ::ffff:192.0.2.0" in out.splitlines()
    assert out.split("\n\n")[1].splitlines() == [
        "::ffff:192.0.2.0/126  ::ffff:192.0.2.0 - ::ffff:192.0.2.3  4 addresses, 3 usable",
        "::ffff:192.0.2.4/127  ::ffff:192.0.2.4 - ::ffff:192.0.2.5  2 addresses, 2 usable",
    ]
    code, out, _ = run(capsys, "info", "::ffff:c000:200/120", "--json")
    d = json.loads(out)
    assert (d["network"], d["last_host"]) == ("::ffff:192.0.2.0/120", "::ffff:192.0.2.255")


def test_help_has_examples(capsys):
    for command in ("info", "split", "summarize", "range", "contains", "overlap", "exclude"):
        code, out, _ = run(capsys, command, "--help")
        assert code == 0
        assert f"netutil subnet {command} " in out


def _script() -> str:
    found = shutil.which("netutil", path=str(Path(sys.executable).parent))
    if not found:
        pytest.skip("the netutil script is not installed next to this interpreter")
    return found


@pytest.mark.integration
def test_installed_script_end_to_end():
    script = _script()
    proc = subprocess.run(
        [script, "subnet", "summarize", "-", "--json"],
        input="192.0.2.0/25\n192.0.2.128/25\n",
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert [i["network"] for i in json.loads(proc.stdout)["items"]] == ["192.0.2.0/24"]
    proc = subprocess.run(
        [script, "subnet", "split", "10.0.0.0/8", "--prefix", "32", "--limit", "3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0
    assert "total:      16777216 (subnets)" in proc.stdout
    assert proc.stdout.splitlines()[-1] == "showing items 0-2 of 16777216; next: --start 3"
    proc = subprocess.run(
        [script, "subnet", "info", "10.0.0.0/40"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


class _CountingOut(io.StringIO):
    """Standard output that counts write calls (each one a system call when it is unbuffered,
    as with PYTHONUNBUFFERED in our Docker image)."""

    def __init__(self) -> None:
        super().__init__()
        self.writes = 0

    def write(self, text: str) -> int:
        self.writes += 1
        return super().write(text)


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_long_lists_are_written_a_chunk_at_a_time(monkeypatch, json_flag):
    out = _CountingOut()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["subnet", "split", "10.0.0.0/16", "--prefix", "32", *json_flag]) == 0
    text = out.getvalue()
    if json_flag:
        items = json.loads(text)["items"]
        assert [i["network"] for i in items[:2]] == ["10.0.0.0/32", "10.0.0.1/32"]
        assert len(items) == 65536 and items[-1]["network"] == "10.0.255.255/32"
    else:
        rows = [line.split()[0] for line in text.split("\n\n")[1].splitlines()]
        assert len(rows) == 65536 and rows[-1] == "10.0.255.255/32"
    assert out.writes < 100  # 64 chunks of 1024 items, and the header's lines


def test_summarize_progress_line_on_stderr_only_when_asked(tmp_path):
    """--progress: a line on stderr while standard input is read (1 MiB at a time), erased at
    the end, the output the same; by default none in a pipe, and none with --no-progress."""
    listed = tmp_path / "in.txt"
    listed.write_text("".join(f"10.{x >> 16}.{x >> 8 & 255}.{x & 255}\n" for x in range(3 << 16)))
    size = listed.stat().st_size
    runs = {}
    for flag in ("--progress", "--no-progress", None):
        with listed.open("rb") as stdin:
            argv = [_script(), "subnet", "summarize", "-", "--format", "cidr"]
            proc = subprocess.run(
                argv + ([flag] if flag else []), stdin=stdin, capture_output=True, check=False
            )
        assert (proc.returncode, proc.stdout) == (0, b"10.0.0.0/15\n10.2.0.0/16\n")
        runs[flag] = proc.stderr
    assert runs["--progress"].startswith(
        f"\rsummarize: reading: 1,048,576 / {size:,} bytes".encode()
    )
    assert runs["--progress"].endswith(b"\r\x1b[K")
    assert runs["--no-progress"] == runs[None] == b""
