"""Long lists of IPv4 prefixes in NumPy (netutil.subnet.bulk): the strict `a.b.c.d[/len]`
syntax against ipaddress, keys worked out by hand, the merge and the text against ipaddress,
and the whole path as `summarize` and `exclude` take it for a list past the threshold."""

from __future__ import annotations

import io
import ipaddress
from array import array
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netutil import subnet
from netutil.errors import InvalidInput
from netutil.subnet import bulk, keys
from tests.test_subnet import parse_mode


def test_parse_lines_keys_worked_by_hand():
    # key = address (host bits cleared) << 6 | host bits
    keys, others = bulk.parse_lines(
        ["192.0.2.1/24", "10.0.0.1", "0.0.0.0/0", "255.255.255.255/32", "203.0.113.77/29"]
    )
    assert keys.tolist() == [
        0xC0000200 * 64 + 8,  # 192.0.2.0/24
        0x0A000001 * 64 + 0,  # 10.0.0.1/32
        0 * 64 + 32,  # 0.0.0.0/0
        0xFFFFFFFF * 64 + 0,
        0xCB007148 * 64 + 3,  # 203.0.113.72/29 (77 = 0b1001101 -> 72)
    ]
    assert others == []


def test_parse_lines_hands_back_every_other_spelling():
    lines = [
        "1.2.3.4/8",  # 0: taken
        "01.2.3.4",  # leading zero
        "1.2.3.256",
        "1.2.3.4/33",
        "1.2.3.4/024",  # ipaddress accepts it: the per-item path decides
        "",
        " 1.2.3.4",
        "::1",
        "1.2.3",
        "1.2.3.4.5",
        "1.2.3.4/",
        "1.2.3.4/8/8",
        "1.2.3.4/255.0.0.0",
        "1..3.4",
        "1.2.3.4/08",
        "1000.2.3.4",
        "1.2.3.4",  # 16: taken
    ]
    keys, others = bulk.parse_lines(lines)
    assert others == list(range(1, 16))
    assert keys.tolist() == [0x01000000 * 64 + 24, 0x01020304 * 64]
    # a line longer than any it could take is handed back unread, the others still parsed
    keys, others = bulk.parse_lines(["1.2.3.4", "1." * 500_000, "9.9.9.9/8", "  x  " * 9])
    assert (keys.tolist(), others) == ([0x01020304 * 64, 0x09000000 * 64 + 24], [1, 3])
    keys, others = bulk.parse_lines(["1." * 50])
    assert (keys.tolist(), others) == ([], [0])
    # a chunk that is not one ASCII text of exactly these lines goes item by item
    assert bulk.parse_lines(["1.2.3.4", "١.2.3.4"]) is None
    assert bulk.parse_lines(["1.2.3.4", "1.2.3.4\n5.6.7.8"]) is None
    assert bulk.parse_lines(["1.2.3.4", ipaddress.ip_network("1.2.3.0/24")]) is None


octet_texts = st.one_of(st.integers(0, 300).map(str), st.sampled_from(["00", "01", "", "x", "1 "]))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(octet_texts, min_size=3, max_size=5).map(".".join),
    st.one_of(st.none(), st.integers(0, 40).map(str), st.sampled_from(["024", "", "8/8"])),
)
def test_parse_lines_takes_only_what_ipaddress_reads_the_same(addr, plen):
    line = addr if plen is None else f"{addr}/{plen}"
    keys, others = bulk.parse_lines([line])
    if others:
        return  # handed back: the per-item path (tested against ipaddress) decides
    net = ipaddress.ip_network(line, strict=False)
    assert keys.tolist() == [int(net.network_address) << 6 | (32 - net.prefixlen)]


ipv4_networks = st.integers(0, 32).flatmap(
    lambda p: st.integers(0, 2**32 - 1).map(
        lambda x, p=p: ipaddress.IPv4Network((x >> (32 - p) << (32 - p), p))
    )
)


@settings(max_examples=200, deadline=None)
@given(st.lists(ipv4_networks, max_size=40))
def test_cidr_text_is_ipaddress_text(nets):
    packed = array("Q", [int(n.network_address) << 8 | (32 - n.prefixlen) for n in nets])
    assert bulk.cidr_text(packed) == [str(n) for n in nets]
    assert bulk.cidr_text(list(packed)) == [str(n) for n in nets]


def test_merge_same_start_nesting_adjacency_and_octet_spans():
    nets = ["10.0.0.0/32", "10.0.0.0/24", "10.0.0.0/26", "10.0.0.7/32", "10.0.1.0/24",
            "10.0.3.0/24", "9.255.255.255/32", "10.0.2.0/25", "11.0.0.0/8", "12.0.0.0/7",
            "10.0.2.128/25", "10.0.4.0/32"]  # fmt: skip
    keys, others = bulk.parse_lines(nets)
    assert others == []
    merged = bulk.merge(keys)
    expected = ipaddress.collapse_addresses(ipaddress.ip_network(n) for n in nets)
    assert bulk.cidr_text(merged) == [str(n) for n in expected]
    assert bulk.cidr_text(merged) == [
        "9.255.255.255/32", "10.0.0.0/22", "10.0.4.0/32", "11.0.0.0/8", "12.0.0.0/7"
    ]  # fmt: skip


item_texts = st.one_of(
    ipv4_networks.map(str),
    ipv4_networks.map(lambda n: str(n.network_address + (n.num_addresses - 1))),  # an address
    ipv4_networks.map(  # host bits set (none to set in a /32)
        lambda n: f"{n.network_address + min(1, n.num_addresses - 1)}/{n.prefixlen}"
    ),
    st.integers(0, 2**128 - 1).map(lambda x: str(ipaddress.IPv6Address(x)) + "/64"),
    st.sampled_from(["", "x", "10.0.0.300", "1.2.3.4/33", "01.2.3.4", "10.0.0.0/024"]),
)


def _oracle(items: list[str]) -> tuple[list, list[int]]:
    """ipaddress's collapse of the items it reads, IPv4 first, and the positions of the others
    (blank items are skipped, not errors)."""
    nets = {4: [], 6: []}
    bad = []
    for position, item in enumerate(items, 1):
        try:
            net = ipaddress.ip_network(item, strict=False)
        except ValueError:
            if item:
                bad.append(position)
            continue
        nets[net.version].append(net)
    collapsed = [*ipaddress.collapse_addresses(nets[4]), *ipaddress.collapse_addresses(nets[6])]
    return collapsed, bad


@settings(max_examples=200, deadline=None)
@given(st.lists(item_texts, max_size=40), st.integers(1, 8))
def test_summarize_in_chunks_of_any_size_agrees_with_ipaddress(items, chunk):
    expected, bad = _oracle(items)
    errors_by_mode = {}
    for mode in ("bulk", "per-item"):
        errors: list[tuple[int, str]] = []
        with parse_mode(mode, chunk):
            result = subnet.summarize(items, errors=errors)
            assert list(result.networks()) == expected
            assert list(result.cidrs()) == [str(n) for n in expected]
            d = result.as_dict()  # taken and rejected items; blank ones are neither
            assert d["input_count"] == sum(1 for x in items if x.strip()) - len(bad)
            assert d["rejected_count"] == len(bad)
        assert [position for position, _ in errors] == bad
        errors_by_mode[mode] = errors
    assert errors_by_mode["bulk"] == errors_by_mode["per-item"]  # the same words, too


@settings(max_examples=100, deadline=None)
@given(st.lists(item_texts, min_size=1, max_size=30), st.integers(1, 8))
def test_the_first_bad_item_raises_with_its_position(items, chunk):
    _, bad = _oracle(items)
    with parse_mode("bulk", chunk):
        if not bad:
            subnet.summarize(items)
            return
        with pytest.raises(InvalidInput, match=rf"^item {bad[0]}: "):
            subnet.summarize(items)


def test_a_list_past_the_threshold_takes_the_numpy_path():
    # every address of 10.0.0.0/14 but 10.1.2.3, with a bad line and an IPv6 one in later chunks
    assert keys._BULK_FROM < 2**18
    skip = 0x0A010203
    items = [f"10.{x >> 16 & 255}.{x >> 8 & 255}.{x & 255}" for x in range(0x0A000000, 0x0A040000)
             if x != skip]  # fmt: skip
    items.insert(149_999, "10.0.0.999")
    items.insert(249_999, "2001:db8::/32")
    errors: list[tuple[int, str]] = []
    result = subnet.summarize(items, errors=errors)
    assert result.source.bulk
    ip = ipaddress.IPv4Address
    expected = [
        *ipaddress.summarize_address_range(ip("10.0.0.0"), ip(skip - 1)),
        *ipaddress.summarize_address_range(ip(skip + 1), ip("10.3.255.255")),
        ipaddress.ip_network("2001:db8::/32"),
    ]
    assert list(result.networks()) == expected
    assert list(result.cidrs()) == [str(n) for n in expected]
    assert errors == [
        (150_000, "invalid network '10.0.0.999': octet 999 (> 255) not permitted in '10.0.0.999'")
    ]
    d = result.as_dict()
    assert (d["input_count"], d["rejected_count"]) == (2**18, 1)  # the bad line rejected
    assert (d["ipv4_count"], d["ipv6_count"]) == (16 + 2, 1)

    errors = []
    taken = items[:200_000]  # 199,999 addresses (10.1.2.3 missing) and the bad line
    left = subnet.exclude("10.0.0.0/13", [*taken, "10.4.0.0/14", "11.0.0.0/8"], errors=errors)
    assert left.source.bulk
    assert [position for position, _ in errors] == [150_000]
    last_taken = ip(0x0A000000 + 199_999)
    assert list(left.networks()) == [
        ipaddress.ip_network("10.1.2.3/32"),
        *ipaddress.summarize_address_range(last_taken + 1, ip("10.3.255.255")),
    ]
    assert left.as_dict()["excluded_outside"] == 1


# --------------------------------------------------------------------------------------------
# A list given as its text (ListText: bytes blocks, as `summarize -` reads standard input)

line_bytes = st.one_of(
    item_texts.map(str.encode),
    item_texts.map(lambda t: f"  {t}\t\r".encode()),  # whitespace around, a CRLF line end
    st.sampled_from([b"# a comment", b"#10.0.0.0/8", b"", b"   ", b"1.2.3.4\r5.6.7.8"]),
    st.sampled_from([b"\xff10.0.0.0/8", b"10.0.0.0/8\xc2\xa0", "١.2.3.4".encode(), b"1." * 40]),
)


def _text_items(lines: list[bytes]) -> list[str]:
    """The items as the CLI reads standard input line by line (decoded with surrogateescape,
    stripped, comment lines blank): the reference for ListText."""
    items = []
    for line in lines:
        text = line.decode("utf-8", "surrogateescape").strip()
        items.append("" if text.startswith("#") else text)
    return items


def _blocks(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({min(c, len(data)) for c in cuts})
    return [data[a:b] for a, b in pairwise([0, *points, len(data)]) if b > a]


@settings(max_examples=200, deadline=None)
@given(st.lists(line_bytes, max_size=40), st.lists(st.integers(0, 2000), max_size=6), st.booleans())
def test_list_text_in_blocks_of_any_size_is_the_same_list_line_by_line(lines, cuts, newline_end):
    data = b"\n".join(lines) + (b"\n" if newline_end and lines else b"")
    items = _text_items([line.removesuffix(b"\n") for line in io.BytesIO(data)])
    expected, bad = _oracle(items)
    for mode in ("bulk", "per-item"):
        with parse_mode(mode):
            text = subnet.ListText(_blocks(data, cuts), "utf-8", "surrogateescape")
            assert list(subnet.ListText(_blocks(data, cuts), "utf-8", "surrogateescape")) == items
            errors: list[tuple[int, str]] = []
            result = subnet.summarize(text, errors=errors)
            reference_errors: list[tuple[int, str]] = []
            reference = subnet.summarize(items, errors=reference_errors)
            assert list(result.networks()) == expected
            assert result.as_dict() == reference.as_dict()
            assert errors == reference_errors  # positions are line numbers, words the same
            assert [position for position, _ in errors] == bad
            for strict in (False, True):
                errors, reference_errors = [], []
                text = subnet.ListText(_blocks(data, cuts), "utf-8", "surrogateescape")
                left = subnet.exclude("0.0.0.0/1", text, errors=errors, strict=strict)
                ref = subnet.exclude("0.0.0.0/1", items, errors=reference_errors, strict=strict)
                assert left.as_dict() == ref.as_dict()
                assert errors == reference_errors


def test_list_text_past_the_threshold_is_read_by_numpy_from_the_bytes():
    # 10.0.0.0/14 but 10.1.2.3, one address a line, with CRLF, a comment and a bad line
    assert keys._BULK_FROM < 2**18
    skip = 0x0A010203
    lines = [f"10.{x >> 16 & 255}.{x >> 8 & 255}.{x & 255}".encode()
             for x in range(0x0A000000, 0x0A040000) if x != skip]  # fmt: skip
    lines[10] += b"\r"
    lines.insert(149_999, b"10.0.0.999")
    lines.insert(5, b"# listed by hand")
    data = b"\n".join(lines)
    errors: list[tuple[int, str]] = []
    blocks = [data[i : i + 100_003] for i in range(0, len(data), 100_003)]
    result = subnet.summarize(subnet.ListText(blocks, "utf-8", "strict"), errors=errors)
    assert result.source.bulk
    ip = ipaddress.IPv4Address
    assert list(result.networks()) == [
        *ipaddress.summarize_address_range(ip("10.0.0.0"), ip(skip - 1)),
        *ipaddress.summarize_address_range(ip(skip + 1), ip("10.3.255.255")),
    ]
    assert errors == [
        (150_001, "invalid network '10.0.0.999': octet 999 (> 255) not permitted in '10.0.0.999'")
    ]
    d = result.as_dict()
    assert (d["input_count"], d["rejected_count"]) == (2**18 - 1, 1)


def test_list_text_holding_a_line_longer_than_a_piece_reads_it_item_by_item(monkeypatch):
    monkeypatch.setattr(keys, "_TEXT_PIECE_MOST", 64)
    lines = [b"10.0.0.0/25", b"x" * 200, b"10.0.0.128/25"] * 3
    errors: list[tuple[int, str]] = []
    with parse_mode("bulk"):
        result = subnet.summarize(
            subnet.ListText([b"\n".join(lines)], "utf-8", "strict"), errors=errors
        )
    assert list(result.cidrs()) == ["10.0.0.0/24"]
    assert [position for position, _ in errors] == [2, 5, 8]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(line_bytes, st.sampled_from([b"\r", b"\r\n", b"\n\r", b"1.2.3.4\r"])),
             max_size=30),
    st.lists(st.integers(0, 600), max_size=6),
)  # fmt: skip
def test_file_list_text_reads_lines_as_a_text_file_does(lines, cuts):
    """FileListText: the items of `open(path, encoding="utf-8", errors="surrogateescape")`,
    universal newlines and all, however the bytes come in blocks."""
    data = b"\n".join(lines)
    reader = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", errors="surrogateescape")
    items = []
    for line in reader:
        text = line.strip()
        items.append("" if text.startswith("#") else text)
    text = subnet.FileListText(_blocks(data, cuts), "utf-8", "surrogateescape")
    assert list(text) == items
    with parse_mode("bulk"):
        errors: list[tuple[int, str]] = []
        reference_errors: list[tuple[int, str]] = []
        got = subnet.summarize(
            subnet.FileListText(_blocks(data, cuts), "utf-8", "surrogateescape"), errors=errors
        )
        assert got.as_dict() == subnet.summarize(items, errors=reference_errors).as_dict()
        assert errors == reference_errors
