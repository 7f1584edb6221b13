"""Set operations across lists (netutil.setops), checked against netaddr's IPSet and ipaddress."""

from __future__ import annotations

import ipaddress
import re

import netaddr
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netutil.cli import main
from netutil.errors import InvalidInput
from netutil.subnet import setops


def nets(cidrs):
    return [ipaddress.ip_network(c) for c in cidrs]


def oracle(cidr_set):
    """netaddr's minimal CIDRs, IPv4 first, as ipaddress networks."""
    return [ipaddress.ip_network(str(c)) for c in cidr_set.iter_cidrs()]


# Networks packed into a small space so lists overlap often: IPv4 inside 10.0.0.0/20 and IPv6
# inside 2001:db8::/116, at any prefix length within them.
v4_nets = st.builds(
    lambda a, p: str(ipaddress.IPv4Network((0x0A000000 + a, p), strict=False)),
    st.integers(0, 4095),
    st.integers(20, 32),
)
v6_nets = st.builds(
    lambda a, p: str(ipaddress.IPv6Network(((0x20010DB8 << 96) + a, p), strict=False)),
    st.integers(0, 4095),
    st.integers(116, 128),
)
lists = st.lists(st.one_of(v4_nets, v6_nets), max_size=30)


@settings(max_examples=200, deadline=None)
@given(lists, lists)
def test_operations_match_netaddr(a, b):
    sa, sb = netaddr.IPSet(a), netaddr.IPSet(b)
    assert nets(setops.intersect(a, b).cidrs()) == oracle(sa & sb)
    assert nets(setops.difference(a, b).cidrs()) == oracle(sa - sb)
    assert nets(setops.union(a, b).cidrs()) == oracle(sa | sb)
    comparison = setops.compare(a, b)
    assert nets(comparison.added.cidrs()) == oracle(sb - sa)
    assert nets(comparison.removed.cidrs()) == oracle(sa - sb)
    assert comparison.unchanged == (sa & sb).size
    counted = setops.count(a).as_dict()
    v4 = sum(c.size for c in sa.iter_cidrs() if c.version == 4)
    v6 = sum(c.size for c in sa.iter_cidrs() if c.version == 6)
    assert (counted["ipv4_addresses"], counted["ipv6_addresses"]) == (str(v4), str(v6))
    assert counted["num_addresses"] == str(sa.size)


@settings(max_examples=100, deadline=None)
@given(st.lists(lists, min_size=1, max_size=5))
def test_union_of_many_is_summarize_of_all(many):
    every = [c for items in many for c in items]
    expected = list(ipaddress.collapse_addresses(nets(c for c in every if "." in c)))
    expected += ipaddress.collapse_addresses(nets(c for c in every if ":" in c))
    assert nets(setops.union(*many).cidrs()) == expected


keys4 = st.lists(
    st.builds(
        lambda a, p: (a >> (32 - p) << (32 - p), p), st.integers(0, 2**32 - 1), st.integers(0, 32)
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(
    keys4, keys4, st.sampled_from([setops.INTERSECT, setops.DIFFERENCE, setops.ADDED, setops.UNION])
)
def test_numpy_sweep_matches_the_reference(a, b, keep):
    """The NumPy path of long IPv4 lists (_sweep4, cut4) gives the reference sweep's blocks."""
    first = setops._merged([f"{ipaddress.IPv4Address(x)}/{p}" for x, p in a], None, 0, "t")
    second = setops._merged([f"{ipaddress.IPv4Address(x)}/{p}" for x, p in b], None, 1, "t")
    assert list(setops._sweep4(first.v4, second.v4, keep)) == setops._combine(
        first.v4, second.v4, keep, 32
    )


def test_cut4_covers_the_whole_line():
    import numpy as np

    blocks = setops.cut4(np.array([0, 1], np.uint64), np.array([1, 2**32], np.uint64))
    got = [(int(k) >> 8, int(k) & 255) for k in blocks]
    # 0.0.0.0/32, then 0.0.0.1 .. 255.255.255.255: one block per bit (RFC 4632 aggregation)
    expected = [(0, 0)] + [(1 << h, h) for h in range(32)]
    assert got == expected
    assert nets(f"{ipaddress.IPv4Address(s)}/{32 - h}" for s, h in got) == list(
        ipaddress.summarize_address_range(
            ipaddress.IPv4Address("0.0.0.0"), ipaddress.IPv4Address("0.0.0.0")
        )
    ) + list(
        ipaddress.summarize_address_range(
            ipaddress.IPv4Address("0.0.0.1"), ipaddress.IPv4Address("255.255.255.255")
        )
    )


def test_long_lists_take_numpy_and_match_a_bitmap():
    """200,000 items per list inside 10.0.0.0/8: parsed and swept in NumPy; checked against a
    bitmap of the /8's 2**24 addresses painted from each list, and for minimality against
    ipaddress.collapse_addresses of our own output (which must give it back unchanged)."""
    import random

    import numpy as np

    rng = random.Random(17)
    base = 0x0A000000

    def prefixes(n):
        out, bitmap = [], np.zeros(1 << 24, bool)
        for _ in range(n):
            p = rng.randint(16, 32)
            a = rng.getrandbits(24) >> (32 - p) << (32 - p)
            bitmap[a : a + (1 << (32 - p))] = True
            out.append(f"{ipaddress.IPv4Address(base + a)}/{p}")
        return out, bitmap

    (a, bits_a), (b, bits_b) = prefixes(200_000), prefixes(200_000)
    for operation, expected in (
        (setops.intersect, bits_a & bits_b),
        (setops.difference, bits_a & ~bits_b),
    ):
        result = operation(a, b)
        assert result.source.bulk
        got = np.zeros(1 << 24, bool)
        blocks = nets(result.cidrs())
        for n in blocks:
            first = int(n.network_address) - base
            got[first : first + n.num_addresses] = True
        assert np.array_equal(got, expected)
        assert list(ipaddress.collapse_addresses(blocks)) == blocks
        assert dict(result.header)["ipv4_addresses"] == str(int(expected.sum()))


def test_known_values():
    """Worked by hand: 10.0.0.0/8 less 10.1.0.0/16 is one block per remaining bit."""
    left = setops.difference(["10.0.0.0/8"], ["10.1.0.0/16"])
    assert list(left.cidrs()) == [
        "10.0.0.0/16",
        "10.2.0.0/15",
        "10.4.0.0/14",
        "10.8.0.0/13",
        "10.16.0.0/12",
        "10.32.0.0/11",
        "10.64.0.0/10",
        "10.128.0.0/9",
    ]
    assert dict(left.header)["ipv4_addresses"] == str(2**24 - 2**16)
    both = setops.intersect(["10.0.0.0/8", "::ffff:0:0/96"], ["10.2.3.4", "::ffff:10.0.0.0/104"])
    assert list(both.cidrs()) == ["10.2.3.4/32", "::ffff:10.0.0.0/104"]
    assert setops.count(["::/0", "0.0.0.0/0", "10.0.0.0/8"]).as_dict() == {
        "operation": "count",
        "input_count": 3,
        "ipv4_blocks": 1,
        "ipv6_blocks": 1,
        "ipv4_addresses": "4294967296",
        "ipv6_addresses": str(2**128),
        "num_addresses": str(2**128 + 2**32),
    }


def test_bad_items_raise_or_are_recorded():
    with pytest.raises(InvalidInput, match=re.escape("list 2: item 2: invalid network 'x/33'")):
        setops.intersect(["10.0.0.0/8"], ["10.0.0.0/9", "x/33"])
    errors = []
    result = setops.union(["10.0.0.0/9"], ["", "10.999.0.0/16", "10.128.0.0/9"], errors=errors)
    assert list(result.cidrs()) == ["10.0.0.0/8"]
    assert errors == [
        (1, 2, "invalid network '10.999.0.0/16': octet 999 (> 255) not permitted in '10.999.0.0'")
    ]
    with pytest.raises(InvalidInput, match="union needs at least one list"):
        setops.union()


def test_compare_json_shape():
    d = setops.compare(["10.0.0.0/24", "10.0.2.0/24"], ["10.0.0.0/23"]).as_dict()
    assert list(d) == ["operation", "input_counts", "unchanged_addresses", "added", "removed"]
    assert d["unchanged_addresses"] == "256"
    assert [i["network"] for i in d["added"]["items"]] == ["10.0.1.0/24"]
    assert [i["network"] for i in d["removed"]["items"]] == ["10.0.2.0/24"]


def test_long_list_files_are_read_as_bytes_and_swept_in_numpy(tmp_path, capsys):
    """Two files past the NumPy threshold (one address a line, CRLF in one, a bad line in the
    other): intersect, diff and union are ipaddress's ranges; the bad line keeps its number."""
    from netutil.subnet import keys

    n = keys._BULK_FROM + 5_000
    a_first, b_first = 0x0A000000, 0x0A000000 + n // 2

    def write(name, first, newline, bad_at=None):
        rows = [
            f"{x >> 24}.{x >> 16 & 255}.{x >> 8 & 255}.{x & 255}" for x in range(first, first + n)
        ]
        if bad_at is not None:
            rows.insert(bad_at, "10.0.0.300")
        path = tmp_path / name
        path.write_bytes(newline.join(rows).encode())
        return str(path)

    a, b = write("a.txt", a_first, "\r\n"), write("b.txt", b_first, "\n", bad_at=1234)
    ip = ipaddress.IPv4Address

    def cidrs(first, last):
        return "".join(f"{n}\n" for n in ipaddress.summarize_address_range(ip(first), ip(last)))

    for command, expected in (
        ("intersect", cidrs(b_first, a_first + n - 1)),
        ("diff", cidrs(a_first, b_first - 1)),
        ("union", cidrs(a_first, b_first + n - 1)),
    ):
        code = main(["subnet", command, a, b, "--format", "cidr"])
        out, err = capsys.readouterr()
        assert (code, out) == (1, expected)
        assert err == (
            f"netutil: error: {b} line 1235: invalid network '10.0.0.300': octet 300 (> 255) not"
            " permitted in '10.0.0.300'\n"
        )
