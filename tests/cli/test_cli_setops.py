"""`netutil subnet intersect|diff|union|compare|count` through `netutil.cli.main`."""

from __future__ import annotations

import io
import ipaddress
import json
import sys

from netutil.cli import main


def run(capsys, *argv, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["subnet", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def lists(tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("# allow\n10.0.0.0/24\n10.0.2.0/24\n\n2001:db8::/33\n")
    b.write_text("10.0.0.0/23\n2001:db8::/34\n")
    return str(a), str(b)


def test_cidr_format_is_one_cidr_a_line(capsys, tmp_path):
    a, b = lists(tmp_path)
    # worked by hand: 10.0.0.0/23 = 10.0.0.0/24 + 10.0.1.0/24; 2001:db8::/34 lies in /33
    assert run(capsys, "intersect", a, b, "--format", "cidr") == (
        0,
        "10.0.0.0/24\n2001:db8::/34\n",
        "",
    )
    assert run(capsys, "diff", a, b, "--format", "cidr") == (
        0,
        "10.0.2.0/24\n2001:db8:4000::/34\n",
        "",
    )
    assert (
        run(capsys, "union", a, b, "--format", "cidr")[1]
        == "10.0.0.0/23\n10.0.2.0/24\n2001:db8::/33\n"
    )
    assert run(capsys, "compare", a, b, "--format", "cidr")[1] == (
        "+10.0.1.0/24\n-10.0.2.0/24\n-2001:db8:4000::/34\n"
    )
    assert run(capsys, "diff", a, b, "--format", "cidr", "--start", "1", "--limit", "1")[1] == (
        "2001:db8:4000::/34\n"
    )


def test_jsonl_json_and_text(capsys, tmp_path):
    a, b = lists(tmp_path)
    _, out, _ = run(capsys, "intersect", a, b, "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["network"] for r in rows] == ["10.0.0.0/24", "2001:db8::/34"]
    assert rows[1]["num_addresses"] == str(ipaddress.ip_network("2001:db8::/34").num_addresses)
    _, out, _ = run(capsys, "intersect", a, b, "--json")
    from netutil.subnet import setops

    doc = json.loads(out)
    assert doc["input_counts"] == [5, 2]  # every line counts, comments and blanks included
    assert doc["ipv4_addresses"] == "256"
    assert [i["network"] for i in doc["items"]] == ["10.0.0.0/24", "2001:db8::/34"]
    assert (
        doc
        == setops.intersect(
            ["", "10.0.0.0/24", "10.0.2.0/24", "", "2001:db8::/33"],
            ["10.0.0.0/23", "2001:db8::/34"],
        ).as_dict()
    )
    _, out, _ = run(capsys, "compare", a, b)
    assert out.splitlines()[:4] == [
        "input items:         5 (A), 2 (B)",
        f"unchanged addresses: {256 + 2**94}",
        "added:               1 block (1 IPv4, 256 addresses; 0 IPv6, 0 addresses)",
        f"removed:             2 blocks (1 IPv4, 256 addresses; 1 IPv6, {2**94} addresses)",
    ]
    _, out, _ = run(capsys, "compare", a, b, "--format", "jsonl")
    assert [(r["change"], r["network"]) for r in map(json.loads, out.splitlines())] == [
        ("added", "10.0.1.0/24"),
        ("removed", "10.0.2.0/24"),
        ("removed", "2001:db8:4000::/34"),
    ]


def test_count(capsys, tmp_path, monkeypatch):
    code, out, _ = run(
        capsys,
        "count",
        "-",
        "--json",
        stdin="10.0.0.0/24\n10.0.0.128/25\n::/1\n",
        monkeypatch=monkeypatch,
    )
    assert code == 0
    assert json.loads(out)["num_addresses"] == str(256 + 2**127)
    code, out, _ = run(
        capsys, "count", "-", stdin="192.0.2.1\n192.0.2.1\n", monkeypatch=monkeypatch
    )
    assert "addresses:      1" in out.splitlines()


def test_bad_lines_are_reported_with_file_and_line(capsys, tmp_path, monkeypatch):
    a, _ = lists(tmp_path)
    code, out, err = run(
        capsys,
        "union",
        a,
        "-",
        "--format",
        "cidr",
        stdin="10.0.1.0/24\nnot-a-net\n",
        monkeypatch=monkeypatch,
    )
    assert code == 1
    assert out == "10.0.0.0/23\n10.0.2.0/24\n2001:db8::/33\n"
    assert err == (
        "netutil: error: standard input line 2: invalid network 'not-a-net':"
        " expected 4 octets in 'not-a-net'\n"
    )


def test_usage_errors(capsys, tmp_path):
    a, _ = lists(tmp_path)
    code, _, err = run(capsys, "intersect", a, str(tmp_path / "missing.txt"))
    assert code == 2
    assert "argument B: cannot read list" in err and "no such file" in err
    code, _, err = run(capsys, "intersect", "-", "-")
    assert (code, err) == (1, "netutil: error: standard input ('-') can be one list only\n")
    code, _, err = run(capsys, "count", a, "--format", "cidr")
    assert code == 2
