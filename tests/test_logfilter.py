"""Filtering log lines by address (netutil.logfilter, `netutil subnet filter`), checked against
grepcidr on input where both read the same addresses, and against ipaddress."""

from __future__ import annotations

import io
import ipaddress
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netutil import logfilter
from netutil.cli import main
from tests.tools import require


def words(line):
    kinds = {4: ipaddress.IPv4Address, 6: ipaddress.IPv6Address}
    return [str(kinds[version](v)) for version, v in logfilter.addresses(line)]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("caf\u00e910.0.0.1 \u00e9 10.0.0.2\u00e9 \u00e910.0.0.3", []),  # non-ASCII: a word
        ("10.0.0.1 GET /", ["10.0.0.1"]),
        ("src=10.0.0.1 dst=[2001:db8::1]:443", ["10.0.0.1", "2001:db8::1"]),
        ("10.0.0.1:8080 -> 10.0.0.2:65535", ["10.0.0.1", "10.0.0.2"]),
        ("connect from 192.0.2.7.", ["192.0.2.7"]),
        ("192.0.2.7: refused", ["192.0.2.7"]),
        ("host-192.0.2.7 and 10.0.0.0/8", ["192.0.2.7", "10.0.0.0"]),
        ("fe80::1%eth0", ["fe80::1"]),
        ("2001:db8::", ["2001:db8::"]),
        ("::ffff:10.0.0.1", ["::ffff:a00:1"]),  # IPv6 text: looked up as IPv6
        # inside a longer token: never an address
        ("x10.0.0.1 10.0.0.1a 1.10.0.0.1 a.10.0.0.1 client:10.0.0.1", []),
        # not strict dotted quads, not IPv6, a port out of form
        ("010.0.0.1 10.0.0.256 10.0.0 12:34:56 cafe:babe 10.0.0.1:123456", []),
        ("deadbeef 1.2.3.4.5 :: ", ["::"]),
    ],
)
def test_what_counts_as_an_address(line, expected):
    assert words(line) == expected


def test_a_huge_line_is_searched_only_so_far():
    line = "a" * logfilter.MAX_LINE + " 10.0.0.1"
    assert logfilter.first_address(line) is None
    assert logfilter.first_address("10.0.0.1 " + "a" * 10 * logfilter.MAX_LINE) == (4, 0x0A000001)
    cut = "a" * (logfilter.MAX_LINE - 8) + " 10.0.0.123"  # cut inside the address: left out
    assert logfilter.first_address(cut) is None


addresses4 = st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address)
addresses6 = st.integers(0, 2**128 - 1).map(ipaddress.IPv6Address)
networks = st.one_of(
    st.builds(
        lambda a, p: ipaddress.IPv4Network((a, p), strict=False),
        st.integers(0, 2**32 - 1),
        st.integers(0, 32),
    ),
    st.builds(
        lambda a, p: ipaddress.IPv6Network((a, p), strict=False),
        st.integers(0, 2**128 - 1),
        st.integers(0, 128),
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(networks, max_size=8),
    st.lists(st.one_of(addresses4, addresses6), min_size=1, max_size=4),
)
def test_membership_matches_ipaddress(nets, found):
    inside = logfilter.network_set([str(n) for n in nets])
    line = " ".join(f"[{a}]" for a in found)

    def held(a):
        return any(a.version == n.version and a in n for n in nets)

    line = line.encode()
    assert (list(logfilter.filter_lines([line], inside)) == [line]) == held(found[0])
    assert (list(logfilter.filter_lines([line], inside, any_address=True)) == [line]) == any(
        map(held, found)
    )
    outside = list(logfilter.filter_lines([line], inside, any_address=True, invert=True))
    assert (outside == [line]) == (not any(map(held, found)))


def _log(rng, n):
    """Log lines that start with an address and hold a second one, each set off by spaces or
    brackets (so grepcidr and netutil read the same addresses), plus lines with none."""
    lines = []
    for i in range(n):
        if i % 17 == 0:
            lines.append(f"-- MARK -- {i}\n")
            continue
        found = []
        for _ in range(2):
            if rng.random() < 0.3:
                found.append(str(ipaddress.IPv6Address((0x20010DB8 << 96) | rng.getrandbits(40))))
            else:
                found.append(str(ipaddress.IPv4Address(0x0A000000 | rng.getrandbits(20))))
        lines.append(f'{found[0]} - - "GET /x?i={i} HTTP/1.1" 200 peer [{found[1]}]\n')
    return lines


def test_same_lines_as_grepcidr(tmp_path):
    grepcidr = require("grepcidr")
    rng = random.Random(3)
    nets = [
        str(
            ipaddress.IPv4Network(
                (0x0A000000 | rng.getrandbits(20), rng.randint(12, 24)), strict=False
            )
        )
        for _ in range(40)
    ]
    nets += ["2001:db8::/90", "2001:db8:0:0:0:ff00::/88"]
    listed = tmp_path / "list.txt"
    listed.write_text("\n".join(nets) + "\n")
    log = tmp_path / "log.txt"
    log.write_text("".join(_log(rng, 20_000)))

    def ours(*argv):
        done = subprocess.run(
            [sys.executable, "-m", "netutil", "subnet", "filter", *argv, str(log)],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    def peer(*argv):
        done = subprocess.run(
            [grepcidr, *argv, "-f", str(listed), str(log)], capture_output=True, text=True
        )
        assert done.returncode in (0, 1), done.stderr
        return done.stdout

    any_in = ours("--in", str(listed), "--any")
    assert any_in == peer()
    assert 1000 < any_in.count("\n") < 19000  # the case is not empty either way
    assert ours("--not-in", str(listed), "--any") == peer("-v")
    assert ours("--in", str(listed)) == peer("-x")  # first address = the one at the start


def test_cli_keeps_bytes_and_reports_bad_list_lines(capsys, monkeypatch, tmp_path):
    listed = tmp_path / "list.txt"
    listed.write_text("# ours\n192.0.2.0/24\n2001:db8::/32\nnot-a-net\n")
    raw = b"192.0.2.9 caf\xe9\r\n198.51.100.1 x\n[2001:db8::5]:443 y\nnone here\n192.0.2.200"
    stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", stdin)
    out = io.BytesIO()
    monkeypatch.setattr(
        sys, "stdout", io.TextIOWrapper(out, encoding="utf-8", errors="surrogateescape")
    )
    code = main(["subnet", "filter", "--in", str(listed)])
    sys.stdout.flush()
    assert code == 1
    assert out.getvalue() == b"192.0.2.9 caf\xe9\r\n[2001:db8::5]:443 y\n192.0.2.200\n"
    err = capsys.readouterr().err
    assert err == (
        f"netutil: error: {listed} line 4: invalid network 'not-a-net': expected 4 octets in"
        " 'not-a-net'\n"
    )


@pytest.mark.parametrize(
    "line",
    [
        b"10.0.0.1",  # short: the head is the whole line
        b"x" * 70 + b" 10.0.0.1 y",  # the first word runs past the head
        b"y" * 63 + b" 10.0.0.1",  # the address starts inside the head, ends past it
        b"not-an-address 10.0.0.1:80",
        b"1.2.3.4.5 [10.0.0.1]",
    ],
)
def test_first_address_past_the_head(line):
    inside = logfilter.network_set(["10.0.0.0/8"])
    assert list(logfilter.filter_lines([line], inside)) == [line]
    assert logfilter.first_address(line) == (4, 0x0A000001)


# --------------------------------------------------------------------------------------------
# Long logs in pieces (filter_chunks, NumPy for lines that start with an IPv4 address) against
# the per-line rule (filter_lines)

first_words = st.one_of(
    addresses4.map(str),
    addresses6.map(str),
    st.sampled_from(
        ["10.0.0.1", "010.0.0.1", "10.0.0.01", "10.0.0.256", "1.2.3", "1.2.3.4.5", "10.0.0.1:80",
         "10.0.0.1.", "10.0.0.1:", "1..2.3", ".1.2.3", "1.2.3.", "0.0.0.0", "255.255.255.255",
         "1000.0.0.1", "10.0.0.1a", "x10.0.0.1", "::ffff:10.0.0.1", "fe80::1", "caf\xe9", "",
         "9" * 20, "1.2.3.4" + "5" * 50]
    ),
)  # fmt: skip
separators = st.sampled_from([" ", "  ", "\t", "[", " - ", "/", "%eth0 ", ",", "\r", ""])
rests = st.lists(
    st.one_of(first_words, st.sampled_from(["GET", "- -", "200", "[x]", "10:00", "\xff"])),
    max_size=4,
)


def _line(head: str, sep: str, rest: list[str], lead: str) -> bytes:
    return (lead + head + sep + " ".join(rest)).encode("utf-8", "surrogateescape")


log_lines = st.builds(_line, first_words, separators, rests, st.sampled_from(["", "", " ", "#"]))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(log_lines, st.just(b"x" * 70 + b" 10.0.0.1")), max_size=30),
    st.lists(networks, max_size=6),
    st.booleans(),
    st.booleans(),
    st.integers(1, 400),
)
def test_filter_in_pieces_is_the_per_line_rule(lines, nets, any_address, invert, size):
    listed = [*map(str, nets), "10.0.0.0/8", "2001:db8::/32"]
    inside = logfilter.network_set(listed)
    data = b"".join(line + b"\n" for line in lines)
    expected = b"".join(
        logfilter.filter_lines(io.BytesIO(data), inside, any_address=any_address, invert=invert)
    )
    from netutil.subnet import ListText

    blocks = [data[i : i + size] for i in range(0, len(data), size)]
    chunks = ListText(blocks, "ascii", "strict").chunks()
    got = logfilter.filter_chunks(chunks, inside, any_address=any_address, invert=invert)
    assert b"".join(got) == expected


def test_a_long_log_through_the_cli_in_pieces_is_grepcidrs(tmp_path, monkeypatch, capsys):
    """Past `CHUNK` bytes the command reads the log in pieces: the same lines as the per-line
    path and as grepcidr -x (the address at the start of the line)."""
    monkeypatch.setattr(logfilter, "CHUNK", 4096)
    rng = random.Random(8)
    listed = tmp_path / "list.txt"
    listed.write_text("10.0.0.0/13\n10.12.0.0/14\n2001:db8::/90\n")
    log = tmp_path / "log.txt"
    log.write_text("".join(_log(rng, 3000)))
    out = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out, encoding="utf-8"))
    assert main(["subnet", "filter", "--in", str(listed), str(log)]) == 0
    sys.stdout.flush()
    expected = b"".join(
        logfilter.filter_lines(io.BytesIO(log.read_bytes()), logfilter.network_set(
            ["10.0.0.0/13", "10.12.0.0/14", "2001:db8::/90"]))
    )  # fmt: skip
    assert out.getvalue() == expected
    assert 300 < expected.count(b"\n") < 2900
    grepcidr = require("grepcidr")
    peer = subprocess.run([grepcidr, "-x", "-f", str(listed), str(log)], capture_output=True)
    assert peer.stdout == expected
