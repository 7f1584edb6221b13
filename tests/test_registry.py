"""The IANA special-purpose registries: parsing IANA's layout, every entry, the nesting rule.

Expected values come from the CSV files read here with the csv module and a regular expression
(a different route from netutil.registry's), from a linear-scan model built on `ipaddress`, and
from rows written out by hand from the registries as published.
"""

from __future__ import annotations

import csv
import hashlib
import ipaddress
import re
from pathlib import Path

import pytest

from netutil import registry
from netutil.errors import InvalidInput
from netutil.record import FrozenInstanceError

DATA = Path(registry.DATA_DIR)
FLAG_COLUMNS = [
    "Source",
    "Destination",
    "Forwardable",
    "Globally Reachable",
    "Reserved-by-Protocol",
]


def _published_rows(version):
    """(prefix text, row) for every prefix in the file; footnotes removed by regex."""
    path = DATA / registry.REGISTRY_FILES[version]
    out = []
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            clean = {
                k: re.sub(r"\s+", " ", re.sub(r"\[\d+\]", "", v)).strip() for k, v in row.items()
            }
            for prefix in clean["Address Block"].split(", "):
                out.append((prefix, clean))
    return out


PUBLISHED = [(4, *r) for r in _published_rows(4)] + [(6, *r) for r in _published_rows(6)]
FLAG = {"True": True, "False": False, "N/A": None, "": None}


def _model_lookup(address):
    """Linear scan: the longest non-terminated prefix holding the address (independent model)."""
    holding = [
        (ipaddress.ip_network(p).prefixlen, p)
        for v, p, row in PUBLISHED
        if v == address.version
        and row["Termination Date"] in ("N/A", "")
        and address in ipaddress.ip_network(p)
    ]
    return max(holding)[1] if holding else None


def test_bundled_files_are_the_shared_copies_unchanged():
    note = (DATA / "IANA-SOURCE.txt").read_text()
    assert "copy taken: 2026-07-18" in note
    assert registry.REGISTRY_DATE == "2026-07-18"
    for name in registry.REGISTRY_FILES.values():
        digest = hashlib.sha256((DATA / name).read_bytes()).hexdigest()
        assert f"{name}\n" in note and f"sha256 {digest}" in note


def test_counts_match_the_files():
    # 25 IPv4 rows, one of which lists two prefixes; 25 IPv6 rows.
    assert len(registry.entries(4)) == 26
    assert len(registry.entries(6)) == 25
    assert registry.entries() == registry.entries(4) + registry.entries(6)


@pytest.mark.parametrize("version,prefix,row", PUBLISHED, ids=[p for _, p, _ in PUBLISHED])
def test_every_entry_field_by_field(version, prefix, row):
    (entry,) = [e for e in registry.entries(version) if e.prefix == ipaddress.ip_network(prefix)]
    assert entry.prefix == ipaddress.ip_network(prefix)
    assert entry.name == row["Name"]
    assert entry.rfc == row["RFC"]
    assert entry.allocation_date == row["Allocation Date"]
    expected_end = None if row["Termination Date"] == "N/A" else row["Termination Date"]
    assert entry.termination_date == expected_end
    flags = [
        entry.source,
        entry.destination,
        entry.forwardable,
        entry.globally_reachable,
        entry.reserved_by_protocol,
    ]
    assert flags == [FLAG[row[c]] for c in FLAG_COLUMNS]
    assert entry.as_dict() == {
        # IANA writes the IPv4-mapped block in hex groups; RFC 5952 section 5 in mixed notation
        "prefix": "::ffff:0.0.0.0/96" if prefix == "::ffff:0:0/96" else prefix,
        "name": row["Name"],
        "rfc": row["RFC"],
        "allocation_date": row["Allocation Date"],
        "termination_date": expected_end,
        "source": flags[0],
        "destination": flags[1],
        "forwardable": flags[2],
        "globally_reachable": flags[3],
        "reserved_by_protocol": flags[4],
    }


def _inside_host(net, version):
    """A host of `net` that no more specific entry covers (network, last or middle address)."""
    others = [ipaddress.ip_network(p) for v, p, _ in PUBLISHED if v == version]
    others = [n for n in others if n != net and n.subnet_of(net)]
    lo, hi = int(net.network_address), int(net.broadcast_address)
    for candidate in (hi, lo, (lo + hi) // 2, lo + 1, hi - 1):
        addr = ipaddress.ip_address(candidate) if version == 4 else ipaddress.IPv6Address(candidate)
        if not any(addr in n for n in others):
            return addr
    raise AssertionError(f"no free host in {net}")


@pytest.mark.parametrize("version,prefix,row", PUBLISHED, ids=[p for _, p, _ in PUBLISHED])
def test_every_entry_a_host_inside_and_outside(version, prefix, row):
    net = ipaddress.ip_network(prefix)
    make = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
    inside = _inside_host(net, version)
    found = registry.lookup(inside)
    if row["Termination Date"] == "N/A":
        assert str(found.prefix) == prefix
        assert registry.containing(inside)[0] == found
    else:  # a terminated entry never decides: whatever encloses it does
        expected = _model_lookup(inside)
        assert (found and str(found.prefix)) == expected
        assert str(registry.containing(inside)[0].prefix) == prefix
    top = 2**32 - 1 if version == 4 else 2**128 - 1
    lo, hi = int(net.network_address), int(net.broadcast_address)
    for outside in (lo - 1, hi + 1):
        if 0 <= outside <= top:
            addr = make(outside)
            found = registry.lookup(addr)
            assert (found and str(found.prefix)) == _model_lookup(addr)
            assert found is None or str(found.prefix) != prefix


@pytest.mark.parametrize(
    "address,prefix,name,globally_reachable",
    [
        # Written out from the registries as published (the nesting cases first).
        ("192.0.0.9", "192.0.0.9/32", "Port Control Protocol Anycast", True),
        ("192.0.0.10", "192.0.0.10/32", "Traversal Using Relays around NAT Anycast", True),
        ("192.0.0.8", "192.0.0.8/32", "IPv4 dummy address", False),
        ("192.0.0.7", "192.0.0.0/29", "IPv4 Service Continuity Prefix", False),
        ("192.0.0.11", "192.0.0.0/24", "IETF Protocol Assignments", False),
        ("192.0.0.170", "192.0.0.170/32", "NAT64/DNS64 Discovery", False),
        ("192.0.0.171", "192.0.0.171/32", "NAT64/DNS64 Discovery", False),
        ("192.0.0.172", "192.0.0.0/24", "IETF Protocol Assignments", False),
        ("192.88.99.2", "192.88.99.2/32", "6a44-relay anycast address", False),
        ("192.88.99.1", None, None, None),  # only the terminated 6to4 relay anycast block
        ("0.0.0.0", "0.0.0.0/32", '"This host on this network"', False),
        ("0.1.2.3", "0.0.0.0/8", '"This network"', False),
        ("127.255.255.254", "127.0.0.0/8", "Loopback", False),
        ("255.255.255.255", "255.255.255.255/32", "Limited Broadcast", False),
        ("255.255.255.254", "240.0.0.0/4", "Reserved", False),
        ("8.8.8.8", None, None, None),
        ("224.0.0.1", None, None, None),  # multicast is not in this registry
        ("2001:1::1", "2001:1::1/128", "Port Control Protocol Anycast", True),
        ("2001:1::3", "2001:1::3/128", "DNS-SD Service Registration Protocol Anycast", True),
        ("2001:1::4", "2001::/23", "IETF Protocol Assignments", False),
        ("2001::1", "2001::/32", "TEREDO", None),
        ("2001:10::1", "2001::/23", "IETF Protocol Assignments", False),  # ORCHID terminated
        ("2001:20::1", "2001:20::/28", "ORCHIDv2", True),
        ("2001:200::1", None, None, None),  # just past 2001::/23
        ("2002:c000:204::1", "2002::/16", "6to4", None),
        ("64:ff9b::808:808", "64:ff9b::/96", "IPv4-IPv6 Translat.", True),
        ("64:ff9b:1::1", "64:ff9b:1::/48", "IPv4-IPv6 Translat.", False),
        ("100::1", "100::/64", "Discard-Only Address Block", False),
        ("100:0:0:1::1", "100:0:0:1::/64", "Dummy IPv6 Prefix", False),
        ("::ffff:8.8.8.8", "::ffff:0.0.0.0/96", "IPv4-mapped Address", False),
        ("fd00::1", "fc00::/7", "Unique-Local", False),
        ("3fff:fff:ffff::1", "3fff::/20", "Documentation", False),
        ("2606:4700::1111", None, None, None),
    ],
)
def test_hand_written_lookups(address, prefix, name, globally_reachable):
    found = registry.lookup(ipaddress.ip_address(address))
    if prefix is None:
        assert found is None
    else:
        assert (found.as_dict()["prefix"], found.name, found.globally_reachable) == (
            prefix,
            name,
            globally_reachable,
        )


def test_iana_layout_traps():
    by_prefix = {str(e.prefix): e for e in registry.entries()}
    loopback = by_prefix["127.0.0.0/8"]  # cells read "False [1]"
    assert (loopback.source, loopback.reserved_by_protocol) == (False, True)
    assert by_prefix["192.0.0.0/24"].name == "IETF Protocol Assignments"  # "192.0.0.0/24 [2]"
    assert by_prefix["2002::/16"].globally_reachable is None  # "N/A [3]"
    assert by_prefix["2001::/32"].globally_reachable is None  # "N/A [2]"
    assert by_prefix["fc00::/7"].globally_reachable is False  # "False [4]"
    assert by_prefix["255.255.255.255/32"].rfc == "[RFC8190] [RFC919], Section 7"  # two lines
    assert by_prefix["2001:2::/48"].rfc == "[RFC5180][RFC Errata 1752]"
    orchid = by_prefix["2001:10::/28"]
    assert orchid.termination_date == "2014-03" and orchid.terminated
    assert orchid.as_dict()["source"] is None and orchid.globally_reachable is None
    relay = by_prefix["192.88.99.0/24"]
    assert (relay.allocation_date, relay.termination_date) == ("2001-06", "2015-03")
    a, b = by_prefix["192.0.0.170/32"], by_prefix["192.0.0.171/32"]
    assert a.name == b.name == "NAT64/DNS64 Discovery"
    assert a.rfc == "[RFC8880][RFC7050], Section 2.2"


def test_containing_shows_the_nesting_most_specific_first():
    chain = registry.containing(ipaddress.ip_address("192.0.0.9"))
    assert [str(e.prefix) for e in chain] == ["192.0.0.9/32", "192.0.0.0/24"]
    chain = registry.containing(ipaddress.ip_address("192.88.99.2"))
    assert [str(e.prefix) for e in chain] == ["192.88.99.2/32", "192.88.99.0/24"]
    assert registry.containing(ipaddress.ip_address("9.9.9.9")) == ()


@pytest.mark.parametrize(
    "network,expected",
    [
        (
            "192.0.0.0/24",
            [
                "192.0.0.8/32",
                "192.0.0.9/32",
                "192.0.0.10/32",
                "192.0.0.170/32",
                "192.0.0.171/32",
                "192.0.0.0/29",
                "192.0.0.0/24",
            ],
        ),
        ("192.0.0.8/30", ["192.0.0.8/32", "192.0.0.9/32", "192.0.0.10/32", "192.0.0.0/24"]),
        ("10.1.2.0/24", ["10.0.0.0/8"]),
        ("8.0.0.0/8", []),
        ("192.88.99.0/24", ["192.88.99.2/32"]),  # the terminated block itself is left out
        ("192.88.99.0/31", []),
        (
            "2001::/16",
            [
                "2001:1::1/128",
                "2001:1::2/128",
                "2001:1::3/128",
                "2001:2::/48",
                "2001:4:112::/48",
                "2001::/32",
                "2001:3::/32",
                "2001:db8::/32",
                "2001:20::/28",
                "2001:30::/28",
                "2001::/23",
            ],
        ),
        ("::/0", None),
    ],
)
def test_overlapping(network, expected):
    net = ipaddress.ip_network(network)
    got = [str(e.prefix) for e in registry.overlapping(net)]
    if expected is None:  # everything not terminated, by the same ordering rule
        live = [e for e in registry.entries(6) if not e.terminated]
        live.sort(key=lambda e: (-e.prefix.prefixlen, int(e.prefix.network_address)))
        expected = [str(e.prefix) for e in live]
    assert got == expected


def test_entries_rejects_other_versions():
    with pytest.raises(InvalidInput, match=re.escape("invalid IP version 5: expected 4 or 6")):
        registry.entries(5)


def test_entry_is_a_frozen_value():
    entry = registry.entries(4)[0]
    with pytest.raises(FrozenInstanceError):
        entry.name = "x"
    assert (
        eval(repr(entry), {"Entry": registry.Entry, "IPv4Network": ipaddress.IPv4Network}) == entry
    )
    assert hash(entry) == hash(registry.parse_csv(str(DATA / registry.REGISTRY_FILES[4]), 4)[0])


def test_parse_rejects_unknown_flag(tmp_path):
    bad = tmp_path / "r.csv"
    bad.write_text(
        "Address Block,Name,RFC,Allocation Date,Termination Date,Source,Destination,"
        "Forwardable,Globally Reachable,Reserved-by-Protocol\n"
        "10.0.0.0/8,X,[RFC1918],1996-02,N/A,Yes,True,True,False,False\n"
    )
    with pytest.raises(ValueError, match="unexpected flag value 'Yes'"):
        registry.parse_csv(str(bad), 4)


def test_entry_prefixes_are_written_in_rfc_5952_text_on_every_python():
    """`str()` of ipaddress's IPv4-mapped network differs by Python version (3.13 writes
    ::ffff:0.0.0.0/96, earlier ones ::ffff:0:0/96); the JSON uses RFC 5952 section 5's mixed
    notation on every version. Fixed strings, worked out from the RFC."""
    by_name = {e.name: e.as_dict()["prefix"] for e in registry.entries(6)}
    assert by_name["IPv4-mapped Address"] == "::ffff:0.0.0.0/96"
    assert by_name["IPv4-IPv6 Translat."] in ("64:ff9b::/96", "64:ff9b:1::/48")
    assert by_name["Loopback Address"] == "::1/128"
    assert by_name["Unspecified Address"] == "::/128"
    assert registry.lookup(ipaddress.ip_address("::ffff:1.2.3.4")).as_dict()["prefix"] == (
        "::ffff:0.0.0.0/96"
    )
