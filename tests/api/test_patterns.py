"""The contract's text patterns (api.schemas.patterns) against the parsers they describe:
every text a pattern matches is one the core takes, with the value ipaddress gives it, and
the texts around the edges are refused by both."""

from __future__ import annotations

import ipaddress
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from api.schemas import patterns
from api.schemas.handshake import _DROP_RULE
from netutil.address import parse
from netutil.sim.options import parse_drop_rule
from netutil.subnet import parse_network

FAST = settings(max_examples=300, deadline=None)


@FAST
@given(st.from_regex(patterns.ADDRESS, fullmatch=True))
def test_every_address_the_pattern_allows_parses_as_ipaddress_reads_it(text):
    address, network = parse(text)
    assert network is None
    assert address == ipaddress.ip_address(text)


@FAST
@given(st.from_regex(patterns.ADDRESS_INFO, fullmatch=True))
def test_every_ip_info_form_the_pattern_allows_parses(text):
    address, network = parse(text)
    plain = text.partition("/")[0].partition("%")[0]
    assert address == ipaddress.ip_address(text.partition("/")[0])
    assert str(address).partition("%")[0] == str(ipaddress.ip_address(plain))
    if "/" in text:
        assert network == ipaddress.ip_interface(f"{plain}/{text.partition('/')[2]}").network


@FAST
@given(st.from_regex(patterns.NETWORK, fullmatch=True))
def test_every_network_the_pattern_allows_parses_as_ipaddress_reads_it(text):
    addr, _, prefix = text.partition("/")
    expected = ipaddress.ip_network(f"{addr}/{prefix}" if prefix else addr, strict=False)
    assert parse_network(text).network == expected


@FAST
@given(st.from_regex(_DROP_RULE, fullmatch=True))
def test_every_drop_rule_the_pattern_allows_is_a_drop_rule(text):
    parse_drop_rule(text)


@pytest.mark.parametrize(
    "text",
    ["256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4/33", "1.2.3.4/255.0.255.0", "::1/129", "1:::2",
     "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3.256", " 10.0.0.1", "10.0.0.1\n", "fe80::1%", "", "0"],
)  # fmt: skip
def test_texts_outside_the_contract_are_refused(text):
    # JSON Schema's `$` ends the text: a final newline is outside the pattern here too
    with pytest.raises(ValidationError):
        patterns.Pattern(patterns.NETWORK, error="x")(text)


def test_netmasks_and_host_masks_are_exactly_ipaddress_s():
    masks = re.compile(f"^{patterns.MASK4}$")
    for ones in range(33):
        net = ipaddress.IPv4Network(f"0.0.0.0/{ones}")
        assert masks.match(str(net.netmask)) and masks.match(str(net.hostmask))
    assert not masks.match("255.0.255.0") and not masks.match("255.255.255.1")


@pytest.mark.parametrize("low,high", [(0, 0), (1, 9), (5, 123), (1, 65535), (1, 10_000_000)])
def test_range_pattern_is_exactly_the_integers_in_range(low, high):
    rx = re.compile(f"^{patterns.range_pattern(low, high)}$")
    probe = set(range(max(0, low - 30), min(high, low + 2000) + 30)) | {high, high + 1, high * 10}
    for n in probe:
        assert bool(rx.match(str(n))) == (low <= n <= high), n
    assert not rx.match("0" + str(max(low, 1)))


def test_a_number_in_json_with_no_fraction_is_an_integer():
    from api import create_app

    client = create_app().test_client()
    answer = client.post(
        "/api/tcp/header",
        json={"src": "10.0.0.1", "src_port": 1.0, "dst": "10.0.0.2", "dst_port": 80},
    )
    assert answer.status_code == 200
    assert answer.get_json()["header"]["src_port"] == 1
    refused = client.post(
        "/api/tcp/header",
        json={"src": "10.0.0.1", "src_port": 1.5, "dst": "10.0.0.2", "dst_port": 80},
    )
    assert refused.status_code == 422


def test_an_address_outside_the_pattern_the_core_would_take_is_refused():
    from api import create_app

    client = create_app().test_client()
    # ipaddress takes a zone on a TCP source; the contract does not
    answer = client.post(
        "/api/tcp/header",
        json={"src": "fe80::1%eth0", "src_port": 1, "dst": "fe80::2", "dst_port": 80},
    )
    assert answer.status_code == 422
    assert "src" in answer.get_json()["errors"]
    # the core's own message where the core refuses it too (what the CLI prints)
    bad = client.get("/api/ip/256.1.1.1")
    assert bad.status_code == 422 and "octet 256 (> 255) at position 1" in bad.get_json()["detail"]
