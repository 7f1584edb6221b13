"""`--format cidr` and `--format jsonl` of the list commands (split, summarize, range, exclude):
checked against ipaddress, against the command's own --json items, and, end to end, the
16,777,216 lines of `split 10.0.0.0/8 --prefix 32` in bounded memory."""

from __future__ import annotations

import hashlib
import io
import ipaddress
import json
import random
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netutil.cli import main
from netutil.subnet import cidrlist
from tests.test_cli_subnet import _CountingOut, _script


def run(capsys, monkeypatch, *argv, stdin=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(["subnet", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def lines(networks) -> str:
    return "".join(f"{n.compressed}\n" for n in networks)


CASES = [
    (["split", "10.0.0.0/16", "--prefix", "24"], None,
     ipaddress.ip_network("10.0.0.0/16").subnets(new_prefix=24)),
    (["split", "10.0.0.0/20", "--prefix", "32", "--start", "4000", "--limit", "200"], None,
     list(ipaddress.ip_network("10.0.0.0/20").subnets(new_prefix=32))[4000:4200]),
    (["split", "2001:db8::/48", "--prefix", "56", "--limit", "5"], None,
     list(ipaddress.ip_network("2001:db8::/48").subnets(new_prefix=56))[:5]),
    (["split", "10.0.0.0/24", "--hosts", "50", "20"], None,
     [ipaddress.ip_network("10.0.0.0/26"), ipaddress.ip_network("10.0.0.64/27")]),
    (["range", "192.168.0.10", "192.168.0.20"], None, ipaddress.summarize_address_range(
        ipaddress.ip_address("192.168.0.10"), ipaddress.ip_address("192.168.0.20"))),
    (["range", "2001:db8::3", "2001:db8:0:1:8000::7"], None, ipaddress.summarize_address_range(
        ipaddress.ip_address("2001:db8::3"), ipaddress.ip_address("2001:db8:0:1:8000::7"))),
    (["summarize", "-"], "10.0.0.0/25\n10.0.0.128/25\n2001:db8::/33\n2001:db8:8000::/33\n",
     [ipaddress.ip_network("10.0.0.0/24"), ipaddress.ip_network("2001:db8::/32")]),
    (["exclude", "10.0.0.0/24", "10.0.0.64/26"], None,
     ipaddress.ip_network("10.0.0.0/24").address_exclude(ipaddress.ip_network("10.0.0.64/26"))),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "stdin", "expected"), CASES, ids=lambda x: None)
def test_cidr_format_is_one_network_a_line(capsys, monkeypatch, argv, stdin, expected):
    code, out, err = run(capsys, monkeypatch, *argv, "--format", "cidr", stdin=stdin)
    assert (code, err) == (0, "")
    assert sorted(out.splitlines()) == sorted(lines(expected).splitlines())
    code, listed, _ = run(capsys, monkeypatch, *argv, "--json", stdin=stdin)
    assert out == "".join(i["network"] + "\n" for i in json.loads(listed)["items"])


@pytest.mark.parametrize(("argv", "stdin", "expected"), CASES, ids=lambda x: None)
def test_jsonl_format_is_the_json_items_one_a_line(capsys, monkeypatch, argv, stdin, expected):
    code, out, err = run(capsys, monkeypatch, *argv, "--format", "jsonl", stdin=stdin)
    assert (code, err) == (0, "")
    code, listed, _ = run(capsys, monkeypatch, *argv, "--json", stdin=stdin)
    assert [json.loads(line) for line in out.splitlines()] == json.loads(listed)["items"]
    assert all(line == json.dumps(json.loads(line), separators=(",", ":")) for line in
               out.splitlines())  # fmt: skip


def test_json_and_another_format_is_a_usage_error(capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, "split", "10.0.0.0/24", "--prefix", "26", "--json",
                         "--format", "cidr")  # fmt: skip
    assert (code, out) == (2, "")
    assert "argument --format: not allowed with argument --json" in err


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2**32 - 1), st.integers(8, 32)), max_size=80))
def test_numpy_cidr_text_of_a_long_list_is_ipaddress_text(blocks):
    """The NumPy writer of long IPv4 lists, taken here for every list, against ipaddress."""
    from netutil import subnet

    nets = [ipaddress.ip_network((a >> (32 - p) << (32 - p), p)) for a, p in blocks]
    saved = cidrlist._NUMPY_TEXT_FROM
    cidrlist._NUMPY_TEXT_FROM = 1
    try:
        text = "".join(subnet.summarize([n.with_prefixlen for n in nets]).text())
    finally:
        cidrlist._NUMPY_TEXT_FROM = saved
    assert text == lines(ipaddress.collapse_addresses(nets))


def test_cidr_output_is_written_in_large_blocks(monkeypatch):
    out = _CountingOut()
    monkeypatch.setattr(sys, "stdout", out)
    assert main(["subnet", "split", "10.0.0.0/12", "--prefix", "32", "--format", "cidr"]) == 0
    assert out.getvalue().count("\n") == 2**20
    assert out.writes <= 16  # one write a /16


def test_long_summarize_in_cidr_format_through_numpy(capsys, monkeypatch):
    rng = random.Random(11)
    nets = {ipaddress.ip_network((rng.getrandbits(24) << 8, 24)) for _ in range(210_000)}
    code, out, err = run(capsys, monkeypatch, "summarize", "-", "--format", "cidr",
                         stdin="".join(f"{n}\n" for n in nets))  # fmt: skip
    assert (code, err) == (0, "")
    assert out == lines(ipaddress.collapse_addresses(nets))


@pytest.mark.integration
def test_split_of_a_slash_8_into_slash_32s_streams_in_bounded_memory():
    """All 16,777,216 lines, in order, through the installed script; the child's peak memory
    stays far below the ~300 MB the text alone would take."""
    expected = hashlib.sha256()
    octets = [str(i) for i in range(256)]
    for b in octets:
        for c in octets:
            expected.update("".join(f"10.{b}.{c}.{d}/32\n" for d in octets).encode())
    proc = subprocess.Popen(
        [_script(), "subnet", "split", "10.0.0.0/8", "--prefix", "32", "--format", "cidr"],
        stdout=subprocess.PIPE,
    )
    got = hashlib.sha256()
    peak = 0  # KiB: the child's own high-water mark since exec (getrusage would count the
    # forked copy of this process before the exec)
    while piece := proc.stdout.read(1 << 20):
        got.update(piece)
        peak = max(peak, _high_water_kib(proc.pid))
    assert proc.wait() == 0
    assert got.hexdigest() == expected.hexdigest()
    assert 0 < peak < 100 * 1024


def _high_water_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        return 0  # gone already


@pytest.mark.integration
def test_summarize_of_a_long_stdin_reads_its_bytes_with_line_numbers_for_bad_lines():
    """Past the NumPy threshold standard input is read as bytes (no str a line): the result is
    ipaddress's, bad lines are named by their line numbers, comments, CRLF and blank lines are
    what they are line by line."""
    from netutil.subnet import keys

    n = keys._BULK_FROM + 10_000  # one address a line: 10.0.0.0 up, but 10.1.2.3
    skip = 0x0A010203
    rows = [f"10.{x >> 16 & 255}.{x >> 8 & 255}.{x & 255}".encode()
            for x in range(0x0A000000, 0x0A000000 + n) if x != skip]  # fmt: skip
    rows[7] += b"\r"
    rows[100] = b"  " + rows[100]
    rows.insert(3, b"# a comment")
    rows.insert(5, b"")
    rows.insert(190_000, b"10.0.0.999")
    rows.insert(190_001, b"\xff\xfe")
    proc = subprocess.run(
        [_script(), "subnet", "summarize", "-", "--format", "cidr"],
        input=b"\n".join(rows),  # the last line without its newline
        capture_output=True,
        check=False,
    )
    ip = ipaddress.IPv4Address
    expected = [
        *ipaddress.summarize_address_range(ip("10.0.0.0"), ip(skip - 1)),
        *ipaddress.summarize_address_range(ip(skip + 1), ip(0x0A000000 + n - 1)),
    ]
    assert proc.stdout.decode() == lines(expected)
    assert proc.stderr.decode().splitlines() == [
        "netutil: error: line 190001: invalid network '10.0.0.999': octet 999 (> 255) not"
        " permitted in '10.0.0.999'",
        "netutil: error: line 190002: invalid network '\\udcff\\udcfe': expected 4 octets in"
        " '\\udcff\\udcfe'",
    ]
    assert proc.returncode == 1


# --------------------------------------------------------------------------------------------
# The aligned text, --json and jsonl rows of long IPv4 lists, laid out in NumPy

v4_blocks = st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 32))


@settings(max_examples=100, deadline=None)
@given(st.lists(v4_blocks, max_size=60))
def test_numpy_rows_are_the_per_item_renderers_rows(blocks):
    """Each format's template (`listing._templates`) against the item renderers themselves:
    `render_item`, the JSON encoder --json uses, `json_line`."""
    from netutil.cli.listing import _templates, render_item
    from netutil.cli.output import json_line
    from netutil.subnet import bulk, split

    packed = [a >> (32 - p) << (32 - p) << 8 | (32 - p) for a, p in blocks]
    items = []
    for a, p in blocks:
        first = a >> (32 - p) << (32 - p)
        ip = ipaddress.IPv4Address
        items.append(next(split(f"{ip(first)}/{p}", p).items()))
    dump = json.JSONEncoder(ensure_ascii=False).encode
    templates = _templates()
    assert bulk.layout(packed, templates["text"]).decode() == "".join(
        render_item(i) + "\n" for i in items
    )
    assert bulk.layout(packed, templates["json"]).decode() == "".join(
        ",\n    " + dump(i) for i in items
    )
    assert bulk.layout(packed, templates["jsonl"]).decode() == "".join(
        json_line(i) + "\n" for i in items
    )


def _with_numpy_rows(monkeypatch, on: bool, lines_a_piece: int = 3) -> None:
    from netutil.cli import listing

    monkeypatch.setattr(cidrlist, "_NUMPY_TEXT_FROM", 1 if on else 1 << 62)
    monkeypatch.setattr(cidrlist, "TEXT_LINES", lines_a_piece)
    monkeypatch.setattr(listing, "_WRITE_CHUNK", 4)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(v4_blocks, min_size=1, max_size=30),
    st.lists(st.tuples(st.integers(0, 2**128 - 1), st.integers(1, 128)), max_size=12),
    st.integers(0, 40),
    st.one_of(st.none(), st.integers(0, 40)),
    st.sampled_from(["text", "json", "jsonl"]),
)
def test_a_page_of_a_mixed_list_is_the_same_with_numpy_rows(v4, v6, start, limit, fmt):
    """IPv4 rows from NumPy, then the IPv6 items item by item: the same bytes as item by item
    all through (IPv6 columns grown a chunk at a time keep their chunks), for any page."""
    items = [str(ipaddress.ip_network((a >> (32 - p) << (32 - p), p))) for a, p in v4]
    items += [str(ipaddress.ip_network((a >> (128 - p) << (128 - p), p))) for a, p in v6]
    total = len(list(ipaddress.collapse_addresses(ipaddress.ip_network(i) for i in items
                                                  if "." in i)))  # fmt: skip
    total += len(list(ipaddress.collapse_addresses(ipaddress.ip_network(i) for i in items
                                                   if ":" in i)))  # fmt: skip
    argv = ["subnet", "summarize", *items, "--format", fmt, "--start", str(min(start, total))]
    if limit is not None:
        argv += ["--limit", str(limit)]
    outputs = []
    with pytest.MonkeyPatch.context() as mp:
        for on in (False, True):
            _with_numpy_rows(mp, on)
            out = _CountingOut()
            mp.setattr(sys, "stdout", out)
            assert main(argv) == 0
            outputs.append(out.getvalue())
    assert outputs[1] == outputs[0]


def test_text_and_json_of_a_long_summarize_go_through_numpy_rows(capsys, monkeypatch):
    from netutil.cli import listing

    calls = []
    real = cidrlist.CidrList.rows4

    def rows4(self, start, count, template):
        pieces, taken = real(self, start, count, template)
        calls.append(taken)
        return pieces, taken

    monkeypatch.setattr(cidrlist.CidrList, "rows4", rows4)
    rng = random.Random(5)
    nets = {ipaddress.ip_network((rng.getrandbits(24) << 8, 24)) for _ in range(210_000)}
    stdin = "".join(f"{n}\n" for n in nets) + "2001:db8::/32\n"
    code, out, err = run(capsys, monkeypatch, "summarize", "-", "--json", stdin=stdin)
    assert (code, err) == (0, "")
    got = json.loads(out)
    expected = [*ipaddress.collapse_addresses(nets), ipaddress.ip_network("2001:db8::/32")]
    assert [i["network"] for i in got["items"]] == [str(n) for n in expected]
    assert calls == [len(expected) - 1]
    assert listing._TEMPLATES
