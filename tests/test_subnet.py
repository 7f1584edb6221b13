"""netutil.subnet against independent models: `ipaddress` (and netaddr), RFC 3021 / RFC 6164
semantics, and VLSM plans worked out by hand."""

from __future__ import annotations

import contextlib
import ipaddress
import random
import re
from itertools import islice

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from netutil import subnet
from netutil.errors import InvalidInput, LimitExceeded
from netutil.subnet import keys

BITS = {4: 32, 6: 128}
NET = {4: ipaddress.IPv4Network, 6: ipaddress.IPv6Network}
ADDR = {4: ipaddress.IPv4Address, 6: ipaddress.IPv6Address}

versions = st.sampled_from([4, 6])


#: How list input is parsed: item by item, or in NumPy chunks (netutil.subnet.bulk) as a long
#: list is; the bulk mode here takes every list that way, three items a chunk, so that chunk
#: edges, leftovers and positions are all exercised on small inputs.
MODES = ["per-item", "bulk"]


@contextlib.contextmanager
def parse_mode(mode: str, chunk: int = 3):
    saved = keys._BULK_FROM, keys._BULK_CHUNK
    if mode == "bulk":
        keys._BULK_FROM, keys._BULK_CHUNK = 1, chunk
    else:
        keys._BULK_FROM = 1 << 62
    try:
        yield
    finally:
        keys._BULK_FROM, keys._BULK_CHUNK = saved


def text(obj) -> str:
    """ipaddress's text for an address or network, but an IPv6 address in ::ffff:0:0/96 in the
    mixed notation of RFC 5952 section 5 (`::ffff:192.0.2.1`): ipaddress writes it so itself
    from Python 3.13 on, in hex groups before (`::ffff:c000:201`)."""
    if isinstance(obj, ipaddress.IPv4Network | ipaddress.IPv6Network):
        return f"{text(obj.network_address)}/{obj.prefixlen}"
    if obj.version == 6 and obj.ipv4_mapped is not None:
        return f"::ffff:{obj.ipv4_mapped}"
    return str(obj)


def address_values(v):
    """Address integers of version v; for IPv6 one in three inside ::ffff:0:0/96 (IPv4-mapped)."""
    if v == 4:
        return st.integers(0, 2**32 - 1)
    mapped = st.integers(0, 2**32 - 1).map(lambda x: x | 0xFFFF << 32)
    return st.one_of(st.integers(0, 2**128 - 1), st.integers(0, 2**128 - 1), mapped)


@st.composite
def networks(draw, version=None, min_prefix=0, max_prefix=None):
    v = draw(versions) if version is None else version
    bits = BITS[v]
    plen = draw(st.integers(min_prefix, bits if max_prefix is None else min(max_prefix, bits)))
    value = draw(address_values(v))
    return NET[v]((value >> (bits - plen) << (bits - plen), plen))


def _texts(cidr_list) -> list[str]:
    return list(cidr_list.cidrs())


# ---------------------------------------------------------------------------------------------
# info


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_info_agrees_with_ipaddress(data):
    v = data.draw(versions)
    bits = BITS[v]
    value = data.draw(address_values(v))
    plen = data.draw(st.integers(0, bits))
    given_text = f"{ADDR[v](value)}/{plen}"
    d = subnet.network_info(given_text).as_dict()
    iface = ipaddress.ip_interface(given_text)
    net = iface.network
    assert d["input"] == given_text
    assert d["version"] == v
    assert d["network"] == text(net)
    assert d["network_address"] == text(net.network_address)
    assert d["prefix_length"] == plen
    assert d["netmask"] == text(net.netmask)
    assert d["hostmask"] == text(net.hostmask)
    assert d["netmask_binary"].replace(".", "").replace(":", "") == format(
        int(net.netmask), f"0{bits}b"
    )
    assert d["num_addresses"] == str(net.num_addresses)
    assert d["host_bits_set"] is (iface.ip != net.network_address)
    assert d["supernet"] == (text(net.supernet()) if plen else None)
    size = net.num_addresses
    nxt = int(net.network_address) + size
    prev = int(net.network_address) - size
    assert d["next_network"] == (text(NET[v]((nxt, plen))) if nxt < 1 << bits else None)
    assert d["previous_network"] == (text(NET[v]((prev, plen))) if prev >= 0 else None)
    if net.num_addresses <= 1 << 12:
        hosts = list(net.hosts())
        assert d["num_usable"] == str(len(hosts))
        assert d["first_host"] == text(hosts[0])
        assert d["last_host"] == text(hosts[-1])
    else:
        assert d["first_host"] == text(next(iter(net.hosts())))
    if v == 4 and plen <= 30:
        assert d["broadcast_address"] == str(net.broadcast_address)
    else:
        assert d["broadcast_address"] is None


@pytest.mark.parametrize(
    ("text", "first", "last", "total", "usable", "semantics", "rfc", "broadcast"),
    [
        # /0: every address; counts are exact integers as decimal strings
        ("0.0.0.0/0", "0.0.0.1", "255.255.255.254", str(2**32), str(2**32 - 2), "subnet",
         None, "255.255.255.255"),
        ("::/0", "::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", str(2**128), str(2**128 - 1),
         "subnet", "RFC 4291", None),
        # RFC 3021: a /31 has two hosts and no network or broadcast address
        ("192.0.2.0/31", "192.0.2.0", "192.0.2.1", "2", "2", "point_to_point", "RFC 3021", None),
        ("192.0.2.7/32", "192.0.2.7", "192.0.2.7", "1", "1", "single_host", None, None),
        # RFC 6164: a /127 between routers uses both addresses
        ("2001:db8::/127", "2001:db8::", "2001:db8::1", "2", "2", "point_to_point", "RFC 6164",
         None),
        ("2001:db8::5/128", "2001:db8::5", "2001:db8::5", "1", "1", "single_host", None, None),
        ("192.0.2.0/30", "192.0.2.1", "192.0.2.2", "4", "2", "subnet", None, "192.0.2.3"),
        # IPv6 loses only the Subnet-Router anycast address (RFC 4291 section 2.6.1)
        ("2001:db8::/126", "2001:db8::1", "2001:db8::3", "4", "3", "subnet", "RFC 4291", None),
    ],
)  # fmt: skip
def test_info_edges(text, first, last, total, usable, semantics, rfc, broadcast):
    d = subnet.network_info(text).as_dict()
    assert (d["first_host"], d["last_host"]) == (first, last)
    assert (d["num_addresses"], d["num_usable"]) == (total, usable)
    assert (d["host_semantics"], d["host_semantics_rfc"]) == (semantics, rfc)
    assert d["broadcast_address"] == broadcast


def test_info_ends_of_the_address_space():
    d = subnet.network_info("0.0.0.0/0").as_dict()
    assert (d["previous_network"], d["next_network"], d["supernet"]) == (None, None, None)
    d = subnet.network_info("255.255.255.0/24").as_dict()
    assert (d["previous_network"], d["next_network"]) == ("255.255.254.0/24", None)
    d = subnet.network_info("::/128").as_dict()
    assert (d["previous_network"], d["next_network"]) == (None, "::1/128")


def test_info_host_bits_set_is_reported_then_strict_refuses():
    d = subnet.network_info("10.1.2.3/24").as_dict()
    assert d["network"] == "10.1.2.0/24"
    assert d["host_bits_set"] is True
    assert d["warning"] == "host bits set in '10.1.2.3/24': the network is 10.1.2.0/24"
    msg = "invalid network '10.1.2.3/24': host bits set (strict); the network is 10.1.2.0/24"
    with pytest.raises(InvalidInput, match=re.escape(msg)):
        subnet.network_info("10.1.2.3/24", strict=True)
    assert subnet.network_info("10.1.2.0/24", strict=True).as_dict()["warning"] is None


def test_info_takes_ipaddress_objects():
    iface = ipaddress.ip_interface("10.1.2.3/24")
    assert subnet.network_info(iface).as_dict()["host_bits_set"] is True
    net = ipaddress.ip_network("2001:db8::/64")
    assert subnet.network_info(net).as_dict()["network"] == "2001:db8::/64"


def test_info_netmask_and_hostmask_forms():
    assert subnet.network_info("192.168.0.0/255.255.0.0").network == NET[4]("192.168.0.0/16")
    assert subnet.network_info("192.168.0.0/0.0.255.255").network == NET[4]("192.168.0.0/16")
    assert subnet.network_info("192.0.2.1").network == NET[4]("192.0.2.1/32")


def test_info_binary_mask_layout():
    assert subnet.network_info("10.0.0.0/20").as_dict()["netmask_binary"] == (
        "11111111.11111111.11110000.00000000"
    )
    assert subnet.network_info("2001:db8::/20").as_dict()["netmask_binary"] == ":".join(
        ["1" * 16, "1111000000000000"] + ["0" * 16] * 6
    )


def test_info_registry_classification():
    inside = subnet.network_info("10.1.0.0/16").as_dict()["registry"]
    assert inside["classification"] == "inside"
    assert [e["prefix"] for e in inside["entries"]] == ["10.0.0.0/8"]
    assert inside["globally_reachable"] is False
    # 192.0.0.0/24 is itself an entry but holds more specific ones (RFC 6890, 7335, 7600, ...)
    mixed = subnet.network_info("192.0.0.0/24").as_dict()["registry"]
    assert mixed["classification"] == "overlapping"
    prefixes = [e["prefix"] for e in mixed["entries"]]
    assert "192.0.0.0/24" in prefixes and "192.0.0.9/32" in prefixes and "192.0.0.0/29" in prefixes
    assert mixed["globally_reachable"] is None
    # 10.0.0.0/7 = 10/8 (private) + 11/8 (global)
    half = subnet.network_info("10.0.0.0/7").as_dict()["registry"]
    assert half["classification"] == "overlapping"
    assert [e["prefix"] for e in half["entries"]] == ["10.0.0.0/8"]
    glob = subnet.network_info("8.8.8.0/24").as_dict()["registry"]
    assert glob == {
        "classification": "global",
        "globally_reachable": True,
        "entries": [],
        "multicast": [],
    }
    # the most specific entry decides: 192.0.0.9/32 is globally reachable inside 192.0.0.0/24
    pcp = subnet.network_info("192.0.0.9/32").as_dict()["registry"]
    assert pcp["classification"] == "inside"
    assert pcp["entries"][0]["prefix"] == "192.0.0.9/32"
    assert pcp["globally_reachable"] is True
    doc6 = subnet.network_info("2001:db8:1::/48").as_dict()["registry"]
    assert doc6["classification"] == "inside"
    assert doc6["entries"][0]["name"] == "Documentation"


BAD_NETWORKS = [
    ("10.0.0.0/33", "invalid network '10.0.0.0/33': prefix length 33 out of range 0-32 for IPv4"),
    ("::/129", "invalid network '::/129': prefix length 129 out of range 0-128 for IPv6"),
    ("10.0.0/8", "invalid network '10.0.0/8': expected 4 octets in '10.0.0'"),
    (
        "256.0.0.0/8",
        "invalid network '256.0.0.0/8': octet 256 (> 255) not permitted in '256.0.0.0'",
    ),
    ("10.0.0.0/", "invalid network '10.0.0.0/': missing prefix length after '/'"),
    ("10.0.0.0/x", "invalid network '10.0.0.0/x': 'x' is neither a prefix length nor a netmask"),
    (
        "10.0.0.0/255.0.255.0",
        "invalid network '10.0.0.0/255.0.255.0': '255.0.255.0' is neither a prefix length"
        " nor a netmask",
    ),
    ("::/x", "invalid network '::/x': prefix length 'x' is not a number"),
    ("", "invalid network '': empty address"),
    ("2001:db8::g/64", "invalid network '2001:db8::g/64': only hex digits permitted in 'g' in"),
    (
        "010.0.0.0/8",
        "invalid network '010.0.0.0/8': leading zeros are not permitted in '010' in '010.0.0.0'",
    ),
]


@pytest.mark.parametrize(("text", "message"), BAD_NETWORKS)
def test_bad_networks(text, message):
    with pytest.raises(InvalidInput, match="^" + re.escape(message)):
        subnet.network_info(text)


# ---------------------------------------------------------------------------------------------
# split


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_split_prefix_equals_ipaddress_subnets(data):
    net = data.draw(networks())
    bits = BITS[net.version]
    new = data.draw(st.integers(net.prefixlen, min(bits, net.prefixlen + 8)))
    result = subnet.split(str(net), new)
    expected = list(net.subnets(new_prefix=new))
    assert result.total == len(expected)
    assert list(result.networks()) == expected
    # children partition the parent: disjoint, in order, and together exactly the parent
    assert list(ipaddress.collapse_addresses(expected)) == [net]
    # any page is the matching slice
    start = data.draw(st.integers(0, len(expected)))
    limit = data.draw(st.integers(0, 5))
    page = result.as_dict(start, limit)
    assert [i["network"] for i in page["items"]] == [text(n) for n in expected[start:][:limit]]
    assert [i["first_address"] for i in page["items"]] == [
        text(n.network_address) for n in expected[start:][:limit]
    ]
    assert list(result.cidrs(start))[:limit] == [text(n) for n in expected[start:][:limit]]
    end = start + len(page["items"])
    assert page["next_start"] == (str(end) if end < len(expected) else None)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_split_start_computes_kth_child_of_huge_splits(data):
    net = data.draw(networks(max_prefix=64))
    bits = BITS[net.version]
    new = data.draw(st.integers(net.prefixlen, bits))
    total = 1 << (new - net.prefixlen)
    k = data.draw(st.integers(0, total - 1))
    result = subnet.split(str(net), new)
    assert result.total == total
    child = next(result.networks(k))
    # independent: the K-th child is the one holding network address + K * child size
    addr = net.network_address + k * (1 << (bits - new))
    assert child == ipaddress.ip_network(f"{addr}/{new}")
    assert child.subnet_of(net)
    if total > 1 << 12:
        return
    assert child == next(islice(net.subnets(new_prefix=new), k, None))


def test_split_huge_streams_with_total():
    result = subnet.split("10.0.0.0/8", 32)
    assert result.total == 2**24
    page = result.as_dict(start=2**24 - 2, limit=5)
    assert [i["network"] for i in page["items"]] == ["10.255.255.254/32", "10.255.255.255/32"]
    v6 = subnet.split("2001:db8::/32", 128)
    assert v6.total == 2**96
    page = v6.as_dict(start=2**96 - 1, limit=1)
    assert page["total"] == str(2**96)
    assert page["items"][0]["network"] == "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff/128"
    assert page["next_start"] is None
    with pytest.raises(LimitExceeded):
        v6.as_dict()  # 2**96 items need a limit
    lazy = subnet.split("10.0.0.0/8", 32).as_dict(lazy=True)
    assert next(lazy["items"])["network"] == "10.0.0.0/32"


def test_long_ipv4_output_uses_the_same_spelling():
    # Past some 50,000 IPv4 addresses the text comes from lookup tables: same text either way.
    net = ipaddress.ip_network("10.0.0.0/8")
    expected = [str(n) for n in net.subnets(new_prefix=24)]
    result = subnet.split("10.0.0.0/8", 24)
    assert list(result.cidrs()) == expected
    assert list(result.cidrs(65536 - 10)) == expected[-10:]
    items = result.as_dict(limit=60_000, lazy=True)["items"]
    assert [i["network"] for i in items] == expected[:60_000]
    ends = [i["last_address"] for i in result.as_dict(start=65530)["items"]]
    assert ends == [str(n.broadcast_address) for n in net.subnets(new_prefix=24)][65530:]
    assert list(subnet.summarize(expected[::2]).cidrs()) == expected[::2]


def test_split_by_count_rounds_up_to_a_power_of_two():
    d = subnet.split("10.0.0.0/24", count=5).as_dict()
    assert d["new_prefix"] == 27
    assert d["total"] == "8"
    assert d["subnets_requested"] == 5
    assert d["note"] == "5 subnets requested: rounded up to 8 (a power of two), each a /27"
    exact = subnet.split("10.0.0.0/24", count=4).as_dict()
    assert (exact["new_prefix"], exact["note"]) == (26, None)
    assert subnet.split("10.0.0.0/24", count=1).as_dict()["items"][0]["network"] == "10.0.0.0/24"


# VLSM plans worked out by hand: requests sorted largest first, each given the smallest block
# whose usable hosts suffice (IPv4 loses network and broadcast; 2 hosts fit a /31, RFC 3021).
VLSM = [
    (
        "192.168.1.0/24",
        [50, 20, 10, 2],
        # 50 -> 64 (/26) at .0; 20 -> 32 (/27) at .64; 10 -> 16 (/28) at .96; 2 -> /31 at .112;
        # what is left, .114-.255, cut into aligned blocks
        [("192.168.1.0/26", 50), ("192.168.1.64/27", 20), ("192.168.1.96/28", 10),
         ("192.168.1.112/31", 2)],
        ["192.168.1.114/31", "192.168.1.116/30", "192.168.1.120/29", "192.168.1.128/25"],
    ),
    (
        "172.16.0.0/16",
        [100, 1000, 250, 500],
        # 1000 -> 1024 (/22); 500 -> 512 (/23, 510 usable); 250 -> /24 (254); 100 -> /25 (126)
        [("172.16.0.0/22", 1000), ("172.16.4.0/23", 500), ("172.16.6.0/24", 250),
         ("172.16.7.0/25", 100)],
        ["172.16.7.128/25", "172.16.8.0/21", "172.16.16.0/20", "172.16.32.0/19",
         "172.16.64.0/18", "172.16.128.0/17"],
    ),
    (
        "10.0.0.0/24",
        [254],  # exactly a /24 (256 - 2)
        [("10.0.0.0/24", 254)],
        [],
    ),
    (
        "2001:db8::/120",
        [3, 1, 2],  # IPv6: 3 hosts + Subnet-Router anycast -> /126; 2 -> /127; 1 -> /128
        [("2001:db8::/126", 3), ("2001:db8::4/127", 2), ("2001:db8::6/128", 1)],
        ["2001:db8::7/128", "2001:db8::8/125", "2001:db8::10/124", "2001:db8::20/123",
         "2001:db8::40/122", "2001:db8::80/121"],
    ),
]  # fmt: skip


@pytest.mark.parametrize(("network", "hosts", "blocks", "leftover"), VLSM)
def test_vlsm_worked_examples(network, hosts, blocks, leftover):
    d = subnet.split(network, hosts=hosts).as_dict()
    assert [(i["network"], i["hosts_requested"]) for i in d["items"]] == blocks
    assert d["leftover"] == leftover
    assert d["hosts_requested"] == hosts
    assert d["mode"] == "hosts"


def test_vlsm_that_does_not_fit_names_what_is_left():
    # 120 -> /25 at .0, 100 -> /25 at .128: the /24 is full. (Blocks come largest first, so
    # whatever is left is a multiple of the next block: a request fails only when nothing is left
    # or when it is larger than the whole network.)
    msg = (
        "60 hosts do not fit in 192.168.1.0/24: they need a /26 (64 addresses) but nothing is"
        " left after allocating 120, 100"
    )
    with pytest.raises(InvalidInput, match=re.escape(msg)):
        subnet.split("192.168.1.0/24", hosts=[60, 100, 120])
    msg = (
        "255 hosts do not fit in 10.0.0.0/24: they need a /23 (512 addresses) but only 256"
        " addresses are left (10.0.0.0/24) after allocating nothing"
    )
    with pytest.raises(InvalidInput, match=re.escape(msg)):
        subnet.split("10.0.0.0/24", hosts=[255])


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_vlsm_blocks_are_smallest_fitting_and_partition_with_leftover(data):
    v = data.draw(versions)
    net = data.draw(networks(version=v, min_prefix=BITS[v] - 12, max_prefix=BITS[v] - 4))
    hosts = data.draw(st.lists(st.integers(1, 300), min_size=1, max_size=8))
    try:
        d = subnet.split(str(net), hosts=hosts).as_dict()
    except InvalidInput as exc:
        assert "do not fit" in str(exc)
        return
    blocks = [ipaddress.ip_network(i["network"]) for i in d["items"]]
    assert sorted(i["hosts_requested"] for i in d["items"]) == sorted(hosts)
    for block, item in zip(blocks, d["items"], strict=True):
        h = item["hosts_requested"]
        assert block.subnet_of(net)
        usable = len(list(block.hosts()))
        assert usable >= h
        if block.prefixlen < BITS[block.version]:
            smaller = next(block.subnets())
            assert len(list(smaller.hosts())) < h  # the next smaller block would not do
    everything = blocks + [ipaddress.ip_network(x) for x in d["leftover"]]
    assert sum(n.num_addresses for n in everything) == net.num_addresses
    assert list(ipaddress.collapse_addresses(everything)) == [net]


SPLIT_ERRORS = [
    (("10.0.0.0/16", 8), {}, "new prefix /8 is shorter than the network's: 10.0.0.0/16 is a /16"),
    (("10.0.0.0/16", 33), {}, "invalid new prefix /33: out of range 0-32 for IPv4"),
    (("10.0.0.0/30",), {"count": 8}, "cannot split 10.0.0.0/30 into 8 subnets: a /30 holds at"
     " most 4 (/32s)"),
    (("10.0.0.0/24",), {"count": 0}, "invalid subnet count 0: expected a whole number >= 1"),
    (("10.0.0.0/24",), {"hosts": [10, 0]}, "invalid host count 0 (item 2): expected a whole"
     " number >= 1"),
    (("10.0.0.0/24",), {"hosts": []}, "split by hosts needs at least one host count"),
    (("10.0.0.0/24", 26), {"count": 4}, "split needs exactly one of: a new prefix, a count,"
     " host counts"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "kwargs", "message"), SPLIT_ERRORS)
def test_split_errors(args, kwargs, message):
    with pytest.raises(InvalidInput, match="^" + re.escape(message) + "$"):
        subnet.split(*args, **kwargs)


def test_list_paging_errors():
    result = subnet.split("10.0.0.0/24", 26)
    with pytest.raises(
        InvalidInput, match=re.escape("invalid start 5: out of range 0-4 (4 items)")
    ):
        result.as_dict(start=5)
    with pytest.raises(InvalidInput, match=re.escape("invalid limit -1: expected a whole number")):
        result.as_dict(limit=-1)
    assert result.as_dict(start=4)["items"] == []
    assert result.as_dict(limit=0)["count"] == 0


# ---------------------------------------------------------------------------------------------
# summarize


@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=150, deadline=None)
@given(st.lists(networks(), max_size=30))
def test_summarize_equals_collapse_addresses(mode, nets):
    with parse_mode(mode):
        result = subnet.summarize([str(n) for n in nets])
        v4 = [n for n in nets if n.version == 4]
        v6 = [n for n in nets if n.version == 6]
        expected = list(ipaddress.collapse_addresses(v4)) + list(ipaddress.collapse_addresses(v6))
        assert list(result.networks()) == expected
        assert _texts(result) == [text(n) for n in expected]
        d = result.as_dict()
        assert (d["ipv4_count"], d["ipv6_count"]) == (
            len(list(ipaddress.collapse_addresses(v4))),
            len(list(ipaddress.collapse_addresses(v6))),
        )


@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=100, deadline=None)
@given(st.lists(networks(version=4, min_prefix=20), min_size=1, max_size=60))
def test_summarize_dense_ipv4_covers_exactly_the_input(mode, nets):
    """Many overlapping/adjacent blocks in a small space: the output covers exactly the input's
    addresses (checked address by address) with the fewest blocks (checked against netaddr)."""
    with parse_mode(mode):
        netaddr = pytest.importorskip("netaddr")
        base = 0x0A000000
        nets = [
            ipaddress.IPv4Network(
                (base | int(n.network_address) & 0xFFF, n.prefixlen), strict=False
            )
            for n in nets
        ]
        result = list(subnet.summarize([str(n) for n in nets]).networks())
        covered_in = {int(a) for n in nets for a in n}
        covered_out = {int(a) for n in result for a in n}
        assert covered_in == covered_out
        assert [str(n) for n in result] == [
            str(c) for c in netaddr.cidr_merge([str(n) for n in nets])
        ]


@pytest.mark.parametrize("mode", MODES)
def test_summarize_blocks_spanning_first_octets(mode):
    with parse_mode(mode):
        # IPv4 keys are bucketed by first octet; runs and large blocks must carry across buckets
        assert _texts(subnet.summarize(["128.0.0.0/2", "0.0.0.0/1", "192.0.0.0/2"])) == [
            "0.0.0.0/0"
        ]
        items = ["10.0.0.0/7", "11.255.255.255", "12.0.0.0/8", "9.255.255.255/32", "13.0.0.0/8"]
        assert _texts(subnet.summarize(items)) == ["9.255.255.255/32", "10.0.0.0/7", "12.0.0.0/7"]
        assert _texts(subnet.exclude("8.0.0.0/5", ["10.0.0.0/7", "0.0.0.0/6"])) == [
            "8.0.0.0/7",
            "12.0.0.0/6",
        ]


def test_summarize_many_prefixes_over_every_first_octet_equals_collapse_addresses():
    # enough items for the bulk text path; IPv4 keys in every first-octet bucket
    rnd = random.Random(4)
    nets = []
    for _ in range(60_000):
        p = rnd.randint(20, 32)
        nets.append(ipaddress.IPv4Network((rnd.getrandbits(32) >> (32 - p) << (32 - p), p)))
    expected = [str(n) for n in ipaddress.collapse_addresses(nets)]
    result = subnet.summarize([str(n) for n in nets])
    assert _texts(result) == expected
    assert [str(n) for n in result.networks(len(expected) - 50)] == expected[-50:]


@pytest.mark.parametrize("mode", MODES)
def test_exclude_same_answer_whether_one_first_octet_or_many(mode):
    with parse_mode(mode):
        # exclusions inside one first octet: a network of /8 or longer keeps its keys in plain
        # lists, a shorter one in compact arrays; both must leave the same addresses
        rnd = random.Random(5)
        ex = []
        for _ in range(3000):
            p = rnd.randint(16, 32)
            ex.append(
                ipaddress.IPv4Network(((10 << 24 | rnd.getrandbits(24)) >> (32 - p) << (32 - p), p))
            )
        texts = [str(n) for n in ex]
        in_8 = list(subnet.exclude("10.0.0.0/8", texts).networks())
        in_6 = list(subnet.exclude("8.0.0.0/6", texts).networks())
        left_8 = [ipaddress.ip_network("10.0.0.0/8")]
        for n in ipaddress.collapse_addresses(ex):
            left_8 = [part for piece in left_8 if not piece.subnet_of(n) for part in (
                piece.address_exclude(n) if n.subnet_of(piece) else [piece])]  # fmt: skip
        left_8 = list(ipaddress.collapse_addresses(left_8))
        assert in_8 == left_8
        extra = [ipaddress.ip_network("8.0.0.0/7"), ipaddress.ip_network("11.0.0.0/8")]
        assert in_6 == list(ipaddress.collapse_addresses(left_8 + extra))


@pytest.mark.parametrize("mode", MODES)
def test_summarize_accepts_addresses_host_bits_and_other_spellings(mode):
    with parse_mode(mode):
        items = ["10.0.0.1", "10.0.0.0/32", " 10.0.0.2/31 ", "10.0.0.4/255.255.255.252",
                 "10.0.0.9/29", "::1", "::/128", "", "fe80::1%eth0/64"]  # fmt: skip
        assert _texts(subnet.summarize(items)) == ["10.0.0.0/28", "::/127", "fe80::/64"]


@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=200, deadline=None)
@given(st.data())
def test_bulk_parser_agrees_with_ipaddress(mode, data):
    """The inet_pton fast path accepts exactly what ipaddress accepts, as the same network."""
    with parse_mode(mode):
        v = data.draw(versions)
        if v == 4:
            octets = data.draw(
                st.lists(
                    st.one_of(
                        st.integers(0, 300).map(str), st.sampled_from(["00", "01", "0x1", ""])
                    ),
                    min_size=3,
                    max_size=5,
                )
            )
            addr = ".".join(octets)
        else:
            addr = data.draw(st.from_regex(r"\A[0-9a-f:.]{0,20}\Z"))
        plen = data.draw(st.one_of(st.none(), st.integers(0, 130).map(str), st.just("024")))
        text = addr if plen is None else f"{addr}/{plen}"
        assume(text.strip())  # blank items are skipped, not errors
        try:
            expected = ipaddress.ip_network(text, strict=False)
        except ValueError:
            expected = None
        if expected is None:
            with pytest.raises(InvalidInput):
                subnet.summarize([text])
        else:
            assert list(subnet.summarize([text]).networks()) == [expected]


@pytest.mark.parametrize("mode", MODES)
def test_summarize_errors(mode):
    with parse_mode(mode):
        msg = (
            "item 2: invalid network '10.0.0.256': octet 256 (> 255) not permitted in '10.0.0.256'"
        )
        with pytest.raises(InvalidInput, match="^" + re.escape(msg) + "$"):
            subnet.summarize(["10.0.0.0/8", "10.0.0.256"])
        errors: list[tuple[int, str]] = []
        result = subnet.summarize(
            ["10.0.0.0/25", "x", "10.0.0.128/25", "1.2.3.4/40"], errors=errors
        )
        assert _texts(result) == ["10.0.0.0/24"]
        assert errors == [
            (2, "invalid network 'x': expected 4 octets in 'x'"),
            (4, "invalid network '1.2.3.4/40': prefix length 40 out of range 0-32 for IPv4"),
        ]


# ---------------------------------------------------------------------------------------------
# range


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_range_equals_summarize_address_range(data):
    v = data.draw(versions)
    a = data.draw(address_values(v))
    b = data.draw(address_values(v))
    first, last = ADDR[v](min(a, b)), ADDR[v](max(a, b))
    result = subnet.range_cidrs(str(first), str(last))
    expected = list(ipaddress.summarize_address_range(first, last))
    assert list(result.networks()) == expected
    assert _texts(result) == [text(n) for n in expected]
    d = result.as_dict()
    assert (d["start_address"], d["end_address"]) == (text(first), text(last))
    assert [i["last_address"] for i in d["items"]] == [text(n.broadcast_address) for n in expected]
    assert result.total == len(expected)
    assert subnet.range_block_count(int(first), int(last)) == len(expected)
    assert result.as_dict()["num_addresses"] == str(int(last) - int(first) + 1)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_range_pages_are_slices(data):
    v = data.draw(versions)
    a, b = sorted((data.draw(address_values(v)), data.draw(address_values(v))))
    first, last = ADDR[v](a), ADDR[v](b)
    expected = list(ipaddress.summarize_address_range(first, last))
    result = subnet.range_cidrs(str(first), str(last))
    start = data.draw(st.integers(0, len(expected)))
    assert list(result.cidrs(start)) == [text(n) for n in expected[start:]]
    assert list(result.networks(start)) == expected[start:]
    page = result.as_dict(start, 3)
    assert [i["network"] for i in page["items"]] == [text(n) for n in expected[start:][:3]]


def test_range_whole_spaces():
    assert _texts(subnet.range_cidrs("0.0.0.0", "255.255.255.255")) == ["0.0.0.0/0"]
    assert _texts(subnet.range_cidrs("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")) == ["::/0"]
    # all but the two ends: one block per bit on each side
    assert subnet.range_cidrs("::1", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe").total == 254


# IPv6 range text is made a 16-bit group at a time: values built from groups that are often
# zero, so that runs of zero groups fall high, low, in the middle, tie with each other, or
# stand alone (RFC 5952 section 4.2), and values near or below ::ffff:0:0/96 (section 5).
_groups = st.one_of(
    st.sampled_from([0, 0, 0, 1, 0x8000, 0xFFFF]), st.integers(0, 0xFFFF)
)  # fmt: skip
grouped_v6 = st.lists(_groups, min_size=8, max_size=8).map(
    lambda gs: int.from_bytes(b"".join(g.to_bytes(2, "big") for g in gs), "big")
)
low_v6 = st.one_of(
    st.integers(0, 2**33),  # IPv4-compatible spellings (::a.b.c.d in old notation)
    st.integers(0, 2**32 - 1).map(lambda x: x | 0xFFFF << 32),  # IPv4-mapped
    st.integers(2**48 - 2**20, 2**48 + 2**20),  # around ::ffff:ffff:ffff
)


@st.composite
def v6_ranges(draw):
    """(first, last) of an IPv6 range: both ends structured, or the end a random distance
    above the start (a span of any size, including one address and whole aligned blocks)."""
    first = draw(st.one_of(grouped_v6, grouped_v6, low_v6, st.integers(0, 2**128 - 1)))
    how = draw(st.sampled_from(["grouped", "offset", "aligned"]))
    if how == "grouped":
        first, last = sorted((first, draw(grouped_v6)))
    elif how == "offset":
        last = first + draw(st.integers(0, 2 ** draw(st.integers(0, 128)) - 1))
    else:  # the end of an aligned block above first, minus a few
        host = draw(st.integers(0, 128))
        last = (first >> host << host) + (1 << host) - 1 - draw(st.integers(0, 3))
    return first, max(first, min(last, 2**128 - 1))


@settings(max_examples=400, deadline=None)
@given(v6_ranges(), st.data())
def test_range_v6_text_equals_ipaddress(ends, data):
    first, last = ADDR[6](ends[0]), ADDR[6](ends[1])
    expected = [text(n) for n in ipaddress.summarize_address_range(first, last)]
    result = subnet.range_cidrs(str(first), str(last))
    assert list(result.cidrs()) == expected
    start = data.draw(st.integers(0, len(expected)))
    assert list(result.cidrs(start=start)) == expected[start:]
    d = result.as_dict(start, 2)
    assert [i["network"] for i in d["items"]] == expected[start:][:2]
    assert (d["start_address"], d["end_address"]) == (text(first), text(last))


def test_range_v6_text_examples():
    """Spellings worked out by hand from RFC 5952 section 4.2 (and checked by ipaddress)."""
    cases = {
        # the trailing zero run is the longest: '::' at the end
        ("2001:db8:1::", "2001:db8:1:ffff:ffff:ffff:ffff:ffff"): ["2001:db8:1::/48"],
        # a run of two high groups ties with the two trailing ones: the first one wins
        ("2001:0:0:1:1:1::", "2001:0:0:1:1:1:ffff:ffff"): ["2001::1:1:1:0:0/96"],
        # one zero group is written 0; the run of two below becomes '::'
        ("2001:db8:0:1:2:3::", "2001:db8:0:1:2:3:0:1"): ["2001:db8:0:1:2:3::/127"],
        # a longer run among the high groups beats the trailing one
        ("2001::5:0:0", "2001::5:0:1"): ["2001::5:0:0/127"],
        # a block start whose own group is zero: '::' takes the groups below the one above
        ("1:2:3:4:5:6:7:8", "1:2:3:5::"): [
            "1:2:3:4:5:6:7:8/125", "1:2:3:4:5:6:7:10/124", "1:2:3:4:5:6:7:20/123",
            "1:2:3:4:5:6:7:40/122", "1:2:3:4:5:6:7:80/121", "1:2:3:4:5:6:7:100/120",
            "1:2:3:4:5:6:7:200/119", "1:2:3:4:5:6:7:400/118", "1:2:3:4:5:6:7:800/117",
            "1:2:3:4:5:6:7:1000/116", "1:2:3:4:5:6:7:2000/115", "1:2:3:4:5:6:7:4000/114",
            "1:2:3:4:5:6:7:8000/113", "1:2:3:4:5:6:8:0/109", "1:2:3:4:5:6:10:0/108",
            "1:2:3:4:5:6:20:0/107", "1:2:3:4:5:6:40:0/106", "1:2:3:4:5:6:80:0/105",
            "1:2:3:4:5:6:100:0/104", "1:2:3:4:5:6:200:0/103", "1:2:3:4:5:6:400:0/102",
            "1:2:3:4:5:6:800:0/101", "1:2:3:4:5:6:1000:0/100", "1:2:3:4:5:6:2000:0/99",
            "1:2:3:4:5:6:4000:0/98", "1:2:3:4:5:6:8000:0/97", "1:2:3:4:5:7::/96",
            "1:2:3:4:5:8::/93", "1:2:3:4:5:10::/92", "1:2:3:4:5:20::/91", "1:2:3:4:5:40::/90",
            "1:2:3:4:5:80::/89", "1:2:3:4:5:100::/88", "1:2:3:4:5:200::/87",
            "1:2:3:4:5:400::/86", "1:2:3:4:5:800::/85", "1:2:3:4:5:1000::/84",
            "1:2:3:4:5:2000::/83", "1:2:3:4:5:4000::/82", "1:2:3:4:5:8000::/81",
            "1:2:3:4:6::/79", "1:2:3:4:8::/77", "1:2:3:4:10::/76", "1:2:3:4:20::/75",
            "1:2:3:4:40::/74", "1:2:3:4:80::/73", "1:2:3:4:100::/72", "1:2:3:4:200::/71",
            "1:2:3:4:400::/70", "1:2:3:4:800::/69", "1:2:3:4:1000::/68", "1:2:3:4:2000::/67",
            "1:2:3:4:4000::/66", "1:2:3:4:8000::/65", "1:2:3:5::/128",
        ],
    }  # fmt: skip
    for (a, b), expected in cases.items():
        assert [str(n) for n in ipaddress.summarize_address_range(ADDR[6](a), ADDR[6](b))] == (
            expected
        )
        assert _texts(subnet.range_cidrs(a, b)) == expected


RANGE_ERRORS = [
    ("10.0.0.9", "10.0.0.1", "start 10.0.0.9 is above end 10.0.0.1"),
    ("10.0.0.1", "::1", "start '10.0.0.1' is IPv4 but end '::1' is IPv6: a range needs one"
     " version"),
    ("10.0.0.1/24", "10.0.0.9", "invalid start address '10.0.0.1/24': expected an address"
     " without a prefix length"),
    ("10.0.0.1", "10.0.0", "invalid end address '10.0.0': expected 4 octets in '10.0.0'"),
]  # fmt: skip


@pytest.mark.parametrize(("start", "end", "message"), RANGE_ERRORS)
def test_range_errors(start, end, message):
    with pytest.raises(InvalidInput, match="^" + re.escape(message) + "$"):
        subnet.range_cidrs(start, end)


# ---------------------------------------------------------------------------------------------
# exclude


def _exclude_model(parent, excluded):
    """Exclusion with ipaddress.address_exclude, one excluded block at a time."""
    pieces = [parent]
    for ex in excluded:
        nxt = []
        for piece in pieces:
            if ex.subnet_of(piece):
                nxt.extend(piece.address_exclude(ex) if ex != piece else [])
            elif piece.subnet_of(ex):
                continue
            else:
                nxt.append(piece)
        pieces = nxt
    return list(ipaddress.collapse_addresses(pieces)) if pieces else []


@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=150, deadline=None)
@given(st.data())
def test_exclude_leaves_exactly_the_difference(mode, data):
    with parse_mode(mode):
        parent = data.draw(networks(max_prefix=120))
        v, bits = parent.version, BITS[parent.version]
        inner = st.integers(parent.prefixlen, min(bits, parent.prefixlen + 12)).flatmap(
            lambda p: st.integers(0, (1 << (p - parent.prefixlen)) - 1).map(
                lambda k, p=p: NET[v]((int(parent.network_address) + (k << (bits - p)), p))
            )
        )
        excluded = data.draw(st.lists(st.one_of(inner, networks(version=v)), max_size=12))
        result = subnet.exclude(str(parent), [str(e) for e in excluded])
        expected = _exclude_model(parent, excluded)
        assert list(result.networks()) == expected
        assert _texts(result) == [text(n) for n in expected]
        d = result.as_dict()
        assert d["network"] == text(parent)
        left = sum(n.num_addresses for n in result.networks())
        assert d["num_addresses"] == str(left)
        outside = sum(1 for e in excluded if not e.overlaps(parent))
        assert d["excluded_outside"] == outside


@pytest.mark.parametrize("mode", MODES)
def test_exclude_takes_whole_first_octet_groups_exactly(mode):
    with parse_mode(mode):
        # IPv4 exclusions are grouped by first octet; a group wholly inside or outside the network
        # is taken at once, unless one of its blocks is larger than the network
        taken = {(i, j) for i in range(0, 256, 2) for j in range(0, 256, 3)}
        many = [f"10.{i}.{j}.0/24" for i, j in sorted(taken)]
        rest = [
            ipaddress.ip_network(f"10.{i}.{j}.0/24")
            for i in range(256)
            for j in range(256)
            if (i, j) not in taken
        ]
        expected = list(ipaddress.collapse_addresses(rest))
        assert list(subnet.exclude("10.0.0.0/8", many).networks()) == expected
        d = subnet.exclude("10.0.0.0/7", [*many, "12.0.0.0/8", "11.0.0.0/24"]).as_dict()
        assert d["excluded_outside"] == 1
        assert d["num_addresses"] == str(2**25 - len(many) * 256 - 256)
        assert _texts(subnet.exclude("10.0.0.0/8", [*many, "10.0.0.0/7"])) == []
        assert _texts(subnet.exclude("10.0.0.0/8", ["11.0.0.0/8", "8.0.0.0/6"])) == []
        assert subnet.exclude("10.2.0.0/16", many).as_dict()["excluded_outside"] == len(many) - 86


@pytest.mark.parametrize("mode", MODES)
def test_exclude_examples(mode):
    with parse_mode(mode):
        assert _texts(subnet.exclude("10.0.0.0/24", ["10.0.0.64/26"])) == [
            "10.0.0.0/26",
            "10.0.0.128/25",
        ]
        assert _texts(subnet.exclude("10.0.0.0/24", ["10.0.0.0/8"])) == []
        assert _texts(subnet.exclude("10.0.0.0/30", ["10.0.0.1", "192.0.2.0/24"])) == [
            "10.0.0.0/32",
            "10.0.0.2/31",
        ]
        msg = "item 2: '::/0' is IPv6 but the network 10.0.0.0/8 is IPv4"
        with pytest.raises(InvalidInput, match="^" + re.escape(msg) + "$"):
            subnet.exclude("10.0.0.0/8", ["10.0.0.0/9", "::/0"])
        msg = "item 3: '10.0.0.0/8' is IPv4 but the network 2001:db8::/32 is IPv6"
        with pytest.raises(InvalidInput, match="^" + re.escape(msg) + "$"):
            subnet.exclude("2001:db8::/32", ["2001:db8::/48", "", "10.0.0.0/8"])
        errors: list[tuple[int, str]] = []
        left = subnet.exclude("2001:db8::/126", ["10.0.0.1", "2001:db8::1", "x"], errors=errors)
        assert _texts(left) == ["2001:db8::/128", "2001:db8::2/127"]
        assert errors == [
            (1, "'10.0.0.1' is IPv4 but the network 2001:db8::/126 is IPv6"),
            (3, "invalid network 'x': expected 4 octets in 'x'"),
        ]


# ---------------------------------------------------------------------------------------------
# contains and overlap


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_contains_and_overlap_agree_with_ipaddress(data):
    v = data.draw(versions)
    a = data.draw(networks(version=v))
    b = data.draw(networks(version=v))
    c = subnet.contains(str(a), str(b)).as_dict()
    assert c["contains"] is b.subnet_of(a)
    o = subnet.overlap(str(a), str(b)).as_dict()
    assert o["overlaps"] is a.overlaps(b)
    expected = "equal" if a == b else "contains" if b.subnet_of(a) else (
        "within" if a.subnet_of(b) else "disjoint")  # fmt: skip
    assert c["relation"] == o["relation"] == expected
    if a.overlaps(b):
        common = b if b.subnet_of(a) else a
        assert (o["intersection"], o["num_common_addresses"]) == (
            text(common),
            str(common.num_addresses),
        )
    else:
        assert (o["intersection"], o["num_common_addresses"]) == (None, "0")
    assert (c["network"], c["other"], o["a"], o["b"]) == (text(a), text(b), text(a), text(b))
    addr = ADDR[v](data.draw(address_values(v)))
    d = subnet.contains(str(a), str(addr)).as_dict()
    assert d["contains"] is (addr in a)
    assert (d["other"], d["other_kind"]) == (text(addr), "address")


PAIR_ERRORS = [
    (subnet.contains, ("10.0.0.0/8", "::1"), "network '10.0.0.0/8' is IPv4 but '::1' is IPv6:"
     " compare networks of one version"),
    (subnet.overlap, ("2001:db8::/32", "10.0.0.0/8"), "network A '2001:db8::/32' is IPv6 but"
     " network B '10.0.0.0/8' is IPv4: compare networks of one version"),
    (subnet.overlap, ("10.0.0.0/8", "10.0.0.0/40"), "invalid network B '10.0.0.0/40': prefix"
     " length 40 out of range 0-32 for IPv4"),
    (subnet.contains, ("10.0.0.0/8", "10.0.0.300"), "invalid other '10.0.0.300': octet 300"
     " (> 255) not permitted in '10.0.0.300'"),
]  # fmt: skip


@pytest.mark.parametrize(("func", "args", "message"), PAIR_ERRORS)
def test_pair_errors(func, args, message):
    with pytest.raises(InvalidInput, match="^" + re.escape(message) + "$"):
        func(*args)


# ---------------------------------------------------------------------------------------------
# integer helpers


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.integers(0, 2**128 - 1),
        # runs of zero groups, the cases RFC 5952 compression is about
        st.lists(st.sampled_from([0, 0, 0, 1, 0xFFFF, 0xABC]), min_size=8, max_size=8).map(
            lambda gs: int.from_bytes(b"".join(g.to_bytes(2, "big") for g in gs), "big")
        ),
        st.integers(0, 2**32 - 1).map(lambda x: x | 0xFFFF << 32),  # IPv4-mapped
        st.integers(0, 2**32 - 1),  # IPv4-compatible (deprecated)
        st.integers(0, 2**49),  # around both of those ranges' edges
    )
)
def test_format_address_matches_ipaddress(value):
    assert subnet.format_address(6, value) == text(ipaddress.IPv6Address(value))
    assert subnet.format_address(4, value & 0xFFFFFFFF) == str(
        ipaddress.IPv4Address(value & 0xFFFFFFFF)
    )


def test_ipv4_mapped_text_is_mixed_notation():
    """RFC 5952 section 5: addresses in ::ffff:0:0/96 are written ::ffff:a.b.c.d in every
    output, as `netutil ip info` writes them (and netaddr, and ipaddress from Python 3.13)."""
    d = subnet.network_info("::ffff:192.0.2.1/120").as_dict()
    assert (d["network"], d["network_address"], d["first_host"], d["last_host"]) == (
        "::ffff:192.0.2.0/120", "::ffff:192.0.2.0", "::ffff:192.0.2.1", "::ffff:192.0.2.255",
    )  # fmt: skip
    assert (d["previous_network"], d["next_network"], d["supernet"]) == (
        "::ffff:192.0.1.0/120", "::ffff:192.0.3.0/120", "::ffff:192.0.2.0/119",
    )  # fmt: skip
    assert d["warning"] == (
        "host bits set in '::ffff:192.0.2.1/120': the network is ::ffff:192.0.2.0/120"
    )
    assert (d["netmask"], d["hostmask"]) == ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ff00", "::ff")
    # the same spelling for input given in hex groups, and for every list operation
    assert _texts(subnet.summarize(["::ffff:c000:200/121", "::ffff:192.0.2.128/121"])) == [
        "::ffff:192.0.2.0/120"
    ]
    assert _texts(subnet.range_cidrs("::ffff:10.0.0.0", "::ffff:a00:5")) == [
        "::ffff:10.0.0.0/126", "::ffff:10.0.0.4/127",
    ]  # fmt: skip
    assert _texts(subnet.split("::ffff:0:0/96", 97)) == ["::ffff:0.0.0.0/97", "::ffff:128.0.0.0/97"]
    left = subnet.exclude("::ffff:0:0/96", ["::ffff:0.0.0.0/97"])
    assert (left.as_dict()["network"], _texts(left)) == (
        "::ffff:0.0.0.0/96",
        ["::ffff:128.0.0.0/97"],
    )
    item = subnet.split("::ffff:10.0.0.0/127", 128).as_dict()["items"][1]
    assert (item["network"], item["first_address"]) == ("::ffff:10.0.0.1/128", "::ffff:10.0.0.1")
    c = subnet.contains("::ffff:10.0.0.0/104", "::ffff:a01:203").as_dict()
    assert (c["network"], c["other"]) == ("::ffff:10.0.0.0/104", "::ffff:10.1.2.3")
    o = subnet.overlap("::ffff:10.0.0.0/104", "::ffff:10.1.0.0/112").as_dict()
    assert (o["a"], o["b"], o["intersection"]) == (
        "::ffff:10.0.0.0/104", "::ffff:10.1.0.0/112", "::ffff:10.1.0.0/112",
    )  # fmt: skip
    # IPv4-compatible addresses (::a.b.c.d, deprecated by RFC 4291 section 2.5.5.1) keep the
    # hex groups of RFC 5952 section 4
    assert _texts(subnet.range_cidrs("::c000:200", "::c000:2ff")) == ["::c000:200/120"]


def test_ipv4_mapped_text_agrees_with_netaddr():
    netaddr = pytest.importorskip("netaddr")
    nets = ["::ffff:0:0/96", "::ffff:c000:280/121", "::ffff:c000:200/121", "::ffff:a00:0/104"]
    assert _texts(subnet.summarize(nets)) == [str(c) for c in netaddr.cidr_merge(nets)]
    # the hostmask of a /80 is ::ffff:ffff:ffff, a bit pattern inside ::ffff:0:0/96: written
    # as netaddr (and ipaddress from 3.13, and glibc's inet_ntop) write it
    expected = str(netaddr.IPNetwork("2001:db8::/80").hostmask)
    assert subnet.network_info("2001:db8::/80").as_dict()["hostmask"] == expected


def test_ip_info_and_subnet_info_spell_mapped_networks_alike():
    from netutil import address

    d = address.info("::ffff:192.0.2.1/120").as_dict()
    assert d["compressed"] == "::ffff:192.0.2.1"
    assert d["network"] == subnet.network_info("::ffff:c000:200/120").as_dict() | {
        "input": "::ffff:192.0.2.0/120"
    }
    assert d["network"]["network"] == "::ffff:192.0.2.0/120"


def test_block_for_hosts():
    assert [subnet.block_for_hosts(4, h) for h in (1, 2, 3, 6, 7, 14, 254, 255)] == [
        32, 31, 29, 29, 28, 28, 24, 23,
    ]  # fmt: skip
    assert [subnet.block_for_hosts(6, h) for h in (1, 2, 3, 4, 2**64 - 1)] == [
        128, 127, 126, 125, 64,
    ]  # fmt: skip
