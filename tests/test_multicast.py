"""Multicast reachability, decided in one place (netutil.multicast) for addresses and networks
alike, against the RFCs: IPv6 scopes (RFC 4291 section 2.7, RFC 7346 section 2) and the IPv4
blocks of RFC 5771 section 3 (RFC 2365 for 239/8, RFC 4607 for 232/8, RFC 3180 for GLOP)."""

from __future__ import annotations

import json

import pytest

from netutil import address, subnet
from netutil.cli import main

# scop value -> globally reachable, read from RFC 4291 section 2.7: only E is global, F "must be
# treated the same as" E, 0 must be dropped, 1-5 and 8 are zones, the unassigned values are
# regions administrators define.
V6_SCOPES = {0x0: False, 0x1: False, 0x2: False, 0x3: False, 0x4: False, 0x5: False,
             0x6: False, 0x7: False, 0x8: False, 0x9: False, 0xA: False, 0xB: False,
             0xC: False, 0xD: False, 0xE: True, 0xF: True}  # fmt: skip


@pytest.mark.parametrize("flags", [0x0, 0x1, 0x3, 0x7])
@pytest.mark.parametrize("scope", sorted(V6_SCOPES))
def test_ipv6_scope_decides_for_the_address_and_its_network(scope, flags):
    top = f"ff{flags:x}{scope:x}"
    expected = V6_SCOPES[scope]
    for text in (f"{top}::1", f"{top}::", f"{top}:ffff:ffff:ffff:ffff:ffff:ffff:ffff"):
        info = address.info(text)
        assert info.is_global is expected
        assert info.as_dict()["is_global"] is expected
        assert info.as_dict()["is_private"] is (not expected)
        assert json.loads(address.info_json(text)) == info.as_dict()
    for net in (f"{top}::/16", f"{top}::/64", f"{top}::1/128"):
        match = subnet.network_info(net).registry
        assert (match.classification.value, match.globally_reachable) == ("multicast", expected)


# (network, globally reachable) per RFC 5771 section 3's table; None: reserved or mixed
V4_BLOCKS = [
    ("224.0.0.0/24", False),  # Local Network Control Block: never forwarded (section 4)
    ("224.0.1.0/24", True),  # Internetwork Control Block
    ("224.0.2.0/23", True),  # AD-HOC Block I (224.0.2.0 - 224.0.255.255)
    ("224.0.128.0/17", True),
    ("224.1.0.0/16", None),  # reserved
    ("224.2.0.0/16", True),  # SDP/SAP Block
    ("224.3.0.0/16", True),  # AD-HOC Block II (224.3.0.0 - 224.4.255.255)
    ("224.4.0.0/16", True),
    ("224.5.0.0/16", None),  # reserved up to 231.255.255.255
    ("225.0.0.0/8", None),
    ("231.0.0.0/8", None),
    ("232.0.0.0/8", True),  # Source-Specific Multicast (RFC 4607)
    ("233.0.0.0/8", True),  # GLOP (RFC 3180) and AD-HOC Block III (233.252.0.0/14)
    ("233.252.0.0/14", True),
    ("234.0.0.0/8", True),  # unicast-prefix-based (RFC 6034)
    ("235.0.0.0/8", None),  # reserved up to 238.255.255.255
    ("238.0.0.0/8", None),
    ("239.0.0.0/8", False),  # Administratively Scoped Block (RFC 2365)
    ("239.255.0.0/16", False),
]


@pytest.mark.parametrize(("net", "expected"), V4_BLOCKS)
def test_ipv4_block_decides_for_its_addresses_and_networks(net, expected):
    match = subnet.network_info(net).registry
    assert (match.classification.value, match.globally_reachable) == ("multicast", expected)
    first = subnet.network_info(net).network.network_address
    last = subnet.network_info(net).network.broadcast_address
    for a in (str(first), str(last), f"::ffff:{first}"):
        info = address.info(a)
        assert info.is_global is expected
        assert info.as_dict()["is_global"] is expected
        assert json.loads(address.info_json(a)) == info.as_dict()


@pytest.mark.parametrize(
    "net", ["224.0.0.0/4", "224.0.0.0/23", "224.0.0.0/8", "ff00::/8", "ff0c::/14"]
)
def test_a_network_across_blocks_that_disagree_has_no_verdict(net):
    match = subnet.network_info(net).registry
    assert (match.classification.value, match.globally_reachable) == ("multicast", None)


@pytest.mark.parametrize(("net", "expected"), [("ff0e::/15", True), ("ff00::/15", False)])
def test_a_network_across_blocks_that_agree_has_their_verdict(net, expected):
    # ff0e::/15: scopes E and F (both global); ff00::/15: scopes 0 and 1 (neither)
    match = subnet.network_info(net).registry
    assert (match.classification.value, match.globally_reachable) == ("multicast", expected)


def test_a_network_reaching_past_multicast_space_has_no_multicast_verdict():
    # 224.0.0.0/3 also holds 240.0.0.0/4 (a registry entry): overlapping, no verdict
    match = subnet.network_info("224.0.0.0/3").registry
    assert (match.classification.value, match.globally_reachable) == ("overlapping", None)
    assert len(match.multicast) == 13  # every block of RFC 5771 section 3's table
    # no registry entry, part unicast and part multicast: mixed
    from netutil import multicast
    from netutil.subnet.info import RegistryClass, RegistryMatch

    part = RegistryMatch(RegistryClass.GLOBAL, (), multicast.blocks_in(4, 0xDF000000, 0xE00000FF))
    assert part.globally_reachable is None
    assert subnet.network_info("208.0.0.0/4").registry.globally_reachable is True


@pytest.mark.parametrize(("text", "expected"), [("ff02::1/16", False), ("ff0e::1/16", True),
                                                ("224.0.0.251/24", False)])  # fmt: skip
def test_ip_info_gives_the_address_and_its_network_one_verdict(capsys, text, expected):
    assert main(["ip", "info", text, "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["is_global"] is expected
    assert out["network"]["registry"]["globally_reachable"] is expected


def test_subnet_info_text_names_the_scope(capsys):
    assert main(["subnet", "info", "ff02::/16"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "registry:           multicast (in multicast space: reachability by scope)" in lines
    assert "multicast blocks:   ff02::/16 link-local scope RFC 4291 section 2.7" in lines
    assert "globally reachable: no" in lines
