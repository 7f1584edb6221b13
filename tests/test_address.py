"""The address core: every notation, every rejection, the derived facts.

Oracles: `ipaddress` (forms, values, reverse pointers), netaddr (binary text), scapy's utils6
(Teredo, 6to4, EUI-64), the RFCs' worked examples, and the registry CSVs read with the csv
module. Expected error messages are the project's specification, written out by hand.
"""

from __future__ import annotations

import csv
import ipaddress
import json
import re
import string
from pathlib import Path

import netaddr
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scapy.utils6 import in6_6to4ExtractAddr, in6_mactoifaceid, teredoAddrExtractInfo

from netutil import address, registry, subnet
from netutil.address import AddressInfo, info, parse
from netutil.errors import InvalidInput

KEYS = [
    "input",
    "version",
    "compressed",
    "exploded",
    "zone",
    "integer",
    "hex",
    "binary",
    "reverse_pointer",
    "historical_class",
    "classified_by_ipv4",
    "registry",
    "registry_chain",
    "is_global",
    "is_private",
    "is_multicast",
    "is_loopback",
    "is_link_local",
    "is_unspecified",
    "is_documentation",
    "multicast",
    "embedded_ipv4",
    "eui64_mac",
    "network",
    "host",
]

# --- accepted notations ---------------------------------------------------------------------

ACCEPTED = [
    # IPv4 dotted quad
    "192.0.2.1",
    "0.0.0.0",
    "255.255.255.255",
    # RFC 4291 section 2.2 form 1: all eight groups, with and without leading zeros, any case
    "2001:0db8:0000:0000:0000:ff00:0042:8329",
    "2001:db8:0:0:0:ff00:42:8329",
    "2001:DB8:0:0:0:FF00:42:8329",
    # form 2: '::' for one or more zero groups, at the start, middle or end
    "2001:db8::ff00:42:8329",
    "::",
    "::1",
    "1::",
    "1:2:3:4:5:6:7::",
    "::2:3:4:5:6:7:8",
    # form 3: embedded IPv4 in the last 32 bits
    "::ffff:192.0.2.1",
    "64:ff9b::192.0.2.33",
    "1:2:3:4:5:6:192.0.2.1",
    "::192.0.2.1",
    # RFC 4007 zones
    "fe80::1%eth0",
    "fe80::1%1",
    "ff02::1%en0",
    # interface notation, netmask and host mask
    "10.1.2.3/24",
    "10.1.2.3/0",
    "10.1.2.3/32",
    "10.1.2.3/255.255.255.0",
    "10.1.2.3/0.0.0.255",
    "2001:db8::1/64",
    "2001:db8::1/128",
    "fe80::1%eth0/64",
    "::ffff:10.1.2.3/120",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted_notations_match_ipaddress(text):
    addr, net = parse(text)
    zone = text.partition("%")[2].partition("/")[0] or None
    if "/" in text:
        expected = ipaddress.ip_interface(text)
        # ipaddress keeps an interface's zone on the interface, not on its .ip
        assert int(addr) == int(expected.ip) and net == expected.network
        assert type(addr) is type(expected.ip)
    else:
        expected = ipaddress.ip_address(text)
        assert addr == expected and net is None and type(addr) is type(expected)
    assert getattr(addr, "scope_id", None) == zone


def test_surrounding_whitespace_is_ignored():
    assert parse("  10.0.0.1\n") == (ipaddress.IPv4Address("10.0.0.1"), None)
    assert info(" ::1\t").as_dict()["input"] == " ::1\t"


def test_zone_is_kept_apart_from_the_forms():
    d = info("fe80::1%eth0").as_dict()
    assert (d["compressed"], d["exploded"], d["zone"]) == (
        "fe80::1",
        "fe80:0000:0000:0000:0000:0000:0000:0001",
        "eth0",
    )
    assert info("fe80::1").as_dict()["zone"] is None
    assert info("10.0.0.1").as_dict()["zone"] is None


# --- rejections -----------------------------------------------------------------------------

REJECTED = [
    ("", "invalid IP address '': empty"),
    ("   ", "invalid IP address '   ': empty"),
    (
        "hello",
        "invalid IP address 'hello': not an IPv4 dotted quad (a.b.c.d) nor an IPv6 "
        "address (hex groups separated by ':')",
    ),
    ("256.1.1.1", "invalid IPv4 address '256.1.1.1': octet 256 (> 255) at position 1"),
    ("1.2.3.999", "invalid IPv4 address '1.2.3.999': octet 999 (> 255) at position 4"),
    ("10.0.1", "invalid IPv4 address '10.0.1': expected 4 octets separated by '.', got 3"),
    ("1.2.3.4.5", "invalid IPv4 address '1.2.3.4.5': expected 4 octets separated by '.', got 5"),
    ("3232235521", "invalid IPv4 address '3232235521': expected 4 octets separated by '.', got 1"),
    ("1..2.3", "invalid IPv4 address '1..2.3': empty octet at position 2"),
    ("1.2.3.", "invalid IPv4 address '1.2.3.': empty octet at position 4"),
    (
        "010.1.1.1",
        "invalid IPv4 address '010.1.1.1': octet '010' at position 1 has leading "
        "zeros, which are ambiguous (octal or decimal?)",
    ),
    (
        "1.2.3.00",
        "invalid IPv4 address '1.2.3.00': octet '00' at position 4 has leading "
        "zeros, which are ambiguous (octal or decimal?)",
    ),
    ("1.2.x.4", "invalid IPv4 address '1.2.x.4': octet 'x' at position 3 is not a decimal number"),
    (
        "0x1.2.3.4",
        "invalid IPv4 address '0x1.2.3.4': octet '0x1' at position 1 is not a decimal number",
    ),
    (
        "1.2.3.+4",
        "invalid IPv4 address '1.2.3.+4': octet '+4' at position 4 is not a decimal number",
    ),
    (
        "1.2.3.1000",
        "invalid IPv4 address '1.2.3.1000': octet '1000' at position 4 has more than 3 digits",
    ),
    (
        "10.0.0.1%eth0",
        "invalid IPv4 address '10.0.0.1%eth0': a zone ('%eth0') is only allowed on IPv6 addresses",
    ),
    (
        "1:2:3",
        "invalid IPv6 address '1:2:3': too few groups: 3 of 8 and no '::' to stand for the rest",
    ),
    (
        "1:2:3:4:5:6:7",
        "invalid IPv6 address '1:2:3:4:5:6:7': too few groups: 7 of 8 and no "
        "'::' to stand for the rest",
    ),
    (
        "1:2:3:4:5:6:1.2.3.4:5",
        "invalid IPv6 address '1:2:3:4:5:6:1.2.3.4:5': group "
        "'1.2.3.4' at position 7 is not hexadecimal",
    ),
    (
        "1:2:3:4:5:6:7:8:9",
        "invalid IPv6 address '1:2:3:4:5:6:7:8:9': too many groups: 9 (at most 8)",
    ),
    (
        "1:2:3:4:5:6:7:8::",
        "invalid IPv6 address '1:2:3:4:5:6:7:8::': too many colons: 9 (at most 8)",
    ),
    (
        "1::2:3:4:5:6:7:8",
        "invalid IPv6 address '1::2:3:4:5:6:7:8': too many groups: 8 besides "
        "'::', which must stand for at least one",
    ),
    ("1::2::3", "invalid IPv6 address '1::2::3': more than one '::'"),
    (
        ":::",
        "invalid IPv6 address ':::': three or more colons in a row "
        "(only '::' may stand for missing groups)",
    ),
    (
        "1:::2",
        "invalid IPv6 address '1:::2': three or more colons in a row "
        "(only '::' may stand for missing groups)",
    ),
    (
        ":1:2:3:4:5:6:7",
        "invalid IPv6 address ':1:2:3:4:5:6:7': starts with a single ':' (only "
        "'::' may start an address)",
    ),
    (
        "1:2:3:4:5:6:7:",
        "invalid IPv6 address '1:2:3:4:5:6:7:': ends with a single ':' (only "
        "'::' may end an address)",
    ),
    (
        ":1::2",
        "invalid IPv6 address ':1::2': starts with a single ':' (only '::' may start an address)",
    ),
    (
        "1::2:",
        "invalid IPv6 address '1::2:': ends with a single ':' (only '::' may end an address)",
    ),
    (
        "2001:db8::g",
        "invalid IPv6 address '2001:db8::g': group 'g' at position 4 is not hexadecimal",
    ),
    (
        "12345::",
        "invalid IPv6 address '12345::': group '12345' at position 1 has more than 4 hex digits",
    ),
    (
        "::ffff:1.2.3.256",
        "invalid IPv6 address '::ffff:1.2.3.256': embedded IPv4 address "
        "'1.2.3.256': octet 256 (> 255) at position 4",
    ),
    (
        "::ffff:1.2.3",
        "invalid IPv6 address '::ffff:1.2.3': embedded IPv4 address '1.2.3': "
        "expected 4 octets separated by '.', got 3",
    ),
    ("fe80::1%", "invalid IPv6 address 'fe80::1%': empty zone after '%'"),
    ("fe80::1%a%b", "invalid IPv6 address 'fe80::1%a%b': more than one '%'"),
    ("10.1.2.3/33", "invalid IPv4 interface '10.1.2.3/33': prefix length 33 out of range (0-32)"),
    ("10.1.2.3/", "invalid IPv4 interface '10.1.2.3/': empty prefix length after '/'"),
    (
        "10.1.2.3/-1",
        "invalid IPv4 interface '10.1.2.3/-1': prefix length '-1' is not a decimal number (0-32)",
    ),
    ("10.1.2.3/24/8", "invalid IPv4 interface '10.1.2.3/24/8': more than one '/'"),
    (
        "10.1.2.3/255.0.255.0",
        "invalid IPv4 interface '10.1.2.3/255.0.255.0': '255.0.255.0' is "
        "neither a netmask (ones then zeros, like 255.255.255.0) nor a host mask (zeros then "
        "ones, like 0.0.0.255)",
    ),
    ("10.1.2.300/24", "invalid IPv4 interface '10.1.2.300/24': octet 300 (> 255) at position 4"),
    (
        "2001:db8::1/129",
        "invalid IPv6 interface '2001:db8::1/129': prefix length 129 out of range (0-128)",
    ),
    (
        "2001:db8::1/ffff::",
        "invalid IPv6 interface '2001:db8::1/ffff::': IPv6 takes a prefix "
        "length (0-128) after '/', not a mask like 'ffff::'",
    ),
    (
        "2001:db8::1/x",
        "invalid IPv6 interface '2001:db8::1/x': prefix length 'x' is not a decimal number (0-128)",
    ),
]


@pytest.mark.parametrize("text,message", REJECTED, ids=[t or "empty" for t, _ in REJECTED])
def test_rejections_name_what_and_where(text, message):
    with pytest.raises(InvalidInput, match=f"^{re.escape(message)}$"):
        parse(text)
    with pytest.raises(ValueError):  # the independent judge agrees the text is invalid
        (ipaddress.ip_interface if "/" in text else ipaddress.ip_address)(text.strip() or text)


@pytest.mark.parametrize("value", [None, 3232235521, b"10.0.0.1"])
def test_non_text_is_rejected(value):
    with pytest.raises(
        InvalidInput, match=re.escape(f"invalid IP address {value!r}: expected text")
    ):
        parse(value)


def test_invalid_input_is_a_value_error_and_one_line():
    with pytest.raises(ValueError) as caught:
        info("1.2.3.4.5")
    assert "\n" not in str(caught.value)


# The alphabet of address texts: hex digits, separators, zone and prefix marks.
_TEXT = st.text(alphabet="0123456789abcdefABCDEF:.%/x" + "ge", min_size=0, max_size=24)
_ADDRESSISH = st.one_of(
    _TEXT,
    st.ip_addresses().map(str),
    st.tuples(st.ip_addresses(), st.integers(0, 140)).map(lambda t: f"{t[0]}/{t[1]}"),
    st.ip_addresses(v=6).map(lambda a: f"{a}%{'eth0'}"),
)


@settings(max_examples=1500, deadline=None)
@given(_ADDRESSISH)
@example(":::")  # once found by hypothesis: ':::' holds one '::' by str.count
@example("1:::2")
def test_parse_accepts_exactly_what_ipaddress_accepts(text):
    judge = ipaddress.ip_interface if "/" in text else ipaddress.ip_address
    try:
        expected = judge(text)
    except ValueError:
        expected = None
    try:
        addr, net = parse(text)
    except InvalidInput as exc:
        assert expected is None, f"rejected {text!r} that ipaddress accepts: {exc}"
        assert str(exc).startswith(("invalid IP address ", "invalid IPv4 ", "invalid IPv6 "))
        assert not str(exc).endswith(("not a valid dotted quad", "not a valid IPv6 address"))
        return
    assert expected is not None, f"accepted {text!r} that ipaddress rejects"
    if net is None:
        assert addr == expected and getattr(addr, "scope_id", None) == getattr(
            expected, "scope_id", None
        )
    else:
        assert (int(addr), addr.version, net) == (
            int(expected.ip),
            expected.version,
            expected.network,
        )


# --- forms against ipaddress and netaddr ------------------------------------------------------

_ANY_ADDRESS = st.one_of(
    st.integers(0, 2**32 - 1).map(ipaddress.IPv4Address),
    st.integers(0, 2**128 - 1).map(ipaddress.IPv6Address),
    st.integers(0, 2**32 - 1).map(lambda v: ipaddress.IPv6Address((0xFFFF << 32) | v)),
    st.integers(0, 2**32 - 1).map(ipaddress.IPv6Address),
)


@settings(max_examples=1500, deadline=None)
@given(_ANY_ADDRESS)
def test_forms_match_ipaddress(ip):
    for text in {str(ip), ip.exploded}:
        d = info(text).as_dict()
        mapped = ip.version == 6 and ip.ipv4_mapped is not None
        # RFC 5952 section 5: IPv4-mapped addresses in mixed notation; ipaddress (3.11) writes hex.
        assert d["compressed"] == (f"::ffff:{ip.ipv4_mapped}" if mapped else ip.compressed)
        assert d["exploded"] == ip.exploded
        assert d["integer"] == str(int(ip))
        assert int(d["hex"], 16) == int(ip) and len(d["hex"]) == 2 + ip.max_prefixlen // 4
        assert d["reverse_pointer"] == ip.reverse_pointer
        assert d["binary"] == netaddr.IPAddress(int(ip), ip.version).bits()
        assert d["version"] == ip.version


def test_binary_groups_by_hand():
    assert info("192.168.0.1").as_dict()["binary"] == "11000000.10101000.00000000.00000001"
    assert info("8000::1").as_dict()["binary"] == ":".join(
        ["1" + "0" * 15] + ["0" * 16] * 6 + ["0" * 15 + "1"]
    )


def test_reverse_pointers_by_hand():
    # RFC 1035 section 3.5 and RFC 3596 section 2.5 examples.
    assert info("10.2.0.52").as_dict()["reverse_pointer"] == "52.0.2.10.in-addr.arpa"
    assert info("4321:0:1:2:3:4:567:89ab").as_dict()["reverse_pointer"] == (
        "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.0.0.0.0.1.2.3.4.ip6.arpa"
    )


@pytest.mark.parametrize(
    "text,cls",
    [
        ("0.0.0.0", "A"),
        ("127.255.255.255", "A"),
        ("128.0.0.0", "B"),
        ("191.255.255.255", "B"),
        ("192.0.0.0", "C"),
        ("223.255.255.255", "C"),
        ("224.0.0.0", "D"),
        ("239.255.255.255", "D"),
        ("240.0.0.0", "E"),
        ("255.255.255.255", "E"),
        ("2001:db8::1", None),
    ],
)
def test_historical_class(text, cls):
    # RFC 791 section 3.2 (leading bits 0, 10, 110) and RFC 1112 section 4 (1110, 1111).
    assert info(text).as_dict()["historical_class"] == cls


# --- registry verdicts ------------------------------------------------------------------------


def _csv_rows():
    rows = []
    for version, name in registry.REGISTRY_FILES.items():
        with (Path(registry.DATA_DIR) / name).open(newline="") as f:
            for row in csv.DictReader(f):
                for prefix in re.sub(r"\s*\[\d+\]", "", row["Address Block"]).split(","):
                    flag = re.sub(r"\s*\[\d+\]", "", row["Globally Reachable"]).strip()
                    rows.append((version, prefix.strip(), row["Termination Date"], flag))
    return rows


CSV_ROWS = _csv_rows()


@pytest.mark.parametrize("version,prefix,terminated,flag", CSV_ROWS, ids=[r[1] for r in CSV_ROWS])
def test_verdicts_of_a_host_in_every_entry(version, prefix, terminated, flag):
    net = ipaddress.ip_network(prefix)
    more_specific = [
        ipaddress.ip_network(p)
        for v, p, t, _ in CSV_ROWS
        if v == version and p != prefix and ipaddress.ip_network(p).subnet_of(net)
    ]
    lo, hi = int(net.network_address), int(net.broadcast_address)
    host = next(
        h
        for h in map(type(net.network_address), (hi, lo, min(lo + 1, hi)))
        if not any(h in m for m in more_specific)
    )
    d = info(str(host)).as_dict()
    if terminated != "N/A":
        assert d["registry"] is None or d["registry"]["prefix"] != prefix
        assert prefix in d["registry_chain"]
        return
    expected = {"True": True, "False": False, "N/A": None}[flag]
    if host.version == 6 and host.ipv4_mapped is not None:  # classified by the IPv4 address
        return
    assert d["registry"]["prefix"] == prefix
    assert d["is_global"] is expected
    assert d["is_private"] is (None if expected is None else not expected)
    if version == 4:  # the same IPv4 address, mapped into IPv6, gets the same verdict
        m = info(f"::ffff:{host}").as_dict()
        assert m["registry"] == d["registry"] and m["is_global"] is expected
        assert m["classified_by_ipv4"] == str(host)
        assert m["registry_chain"] == [*d["registry_chain"], "::ffff:0.0.0.0/96"]


@pytest.mark.parametrize(
    "text,is_global,flags",
    [
        # flags: (multicast, loopback, link_local, unspecified, documentation)
        ("8.8.8.8", True, (False, False, False, False, False)),
        ("192.168.1.1", False, (False, False, False, False, False)),
        ("100.64.0.1", False, (False, False, False, False, False)),
        ("192.0.0.9", True, (False, False, False, False, False)),
        ("192.0.0.1", False, (False, False, False, False, False)),
        ("127.0.0.1", False, (False, True, False, False, False)),
        ("169.254.10.1", False, (False, False, True, False, False)),
        ("0.0.0.0", False, (False, False, False, True, False)),
        ("192.0.2.1", False, (False, False, False, False, True)),
        ("224.0.0.1", False, (True, False, False, False, False)),  # RFC 5771 4: not forwarded
        ("239.1.1.1", False, (True, False, False, False, False)),  # RFC 2365: admin-scoped
        ("255.255.255.255", False, (False, False, False, False, False)),
        ("192.88.99.1", True, (False, False, False, False, False)),  # terminated block
        ("::1", False, (False, True, False, False, False)),
        ("::", False, (False, False, False, True, False)),
        ("fe80::1", False, (False, False, True, False, False)),
        ("fd12:3456::1", False, (False, False, False, False, False)),
        ("2001:db8::1", False, (False, False, False, False, True)),
        ("3fff::1", False, (False, False, False, False, True)),
        ("2001:1::1", True, (False, False, False, False, False)),
        ("2001:4860:4860::8888", True, (False, False, False, False, False)),
        ("2001::1", None, (False, False, False, False, False)),  # Teredo: N/A
        ("2002:c000:204::1", None, (False, False, False, False, False)),  # 6to4: N/A
        ("ff02::1", False, (True, False, False, False, False)),  # RFC 4291 2.7: link scope
        ("::ffff:127.0.0.1", False, (False, True, False, False, False)),
        ("::ffff:8.8.8.8", True, (False, False, False, False, False)),
        ("::ffff:224.0.0.1", False, (True, False, False, False, False)),
        ("::ffff:0.0.0.0", False, (False, False, False, True, False)),
    ],
)
def test_verdicts_an_engineer_expects(text, is_global, flags):
    d = info(text).as_dict()
    assert d["is_global"] is is_global
    assert d["is_private"] is (None if is_global is None else not is_global)
    got = tuple(
        d[k]
        for k in (
            "is_multicast",
            "is_loopback",
            "is_link_local",
            "is_unspecified",
            "is_documentation",
        )
    )
    assert got == flags


def test_properties_agree_with_as_dict():
    for text in ("8.8.8.8", "::ffff:127.0.0.1", "fe80::1%eth0", "2001::1", "ff02::1", "::"):
        i = info(text)
        d = i.as_dict()
        assert (i.version, i.compressed, i.exploded, i.zone) == (
            d["version"],
            d["compressed"],
            d["exploded"],
            d["zone"],
        )
        assert (
            i.is_global,
            i.is_private,
            i.is_multicast,
            i.is_loopback,
            i.is_link_local,
            i.is_unspecified,
            i.is_documentation,
        ) == (
            d["is_global"],
            d["is_private"],
            d["is_multicast"],
            d["is_loopback"],
            d["is_link_local"],
            d["is_unspecified"],
            d["is_documentation"],
        )
        assert (i.entry.as_dict() if i.entry else None) == d["registry"]
        assert i.mapped_ipv4 == (
            ipaddress.ip_address(text.split("%")[0]).ipv4_mapped if ":" in text else None
        )


# --- embedded IPv4, EUI-64, multicast ---------------------------------------------------------


def test_teredo_worked_example():
    # The usual worked example of the RFC 4380 section 4 layout (it is Wikipedia's): server
    # 65.54.227.120, client 192.0.2.45 port 40000 behind a cone NAT.
    d = info("2001:0000:4136:e378:8000:63bf:3fff:fdd2").as_dict()
    assert d["embedded_ipv4"] == {
        "kind": "teredo",
        "ipv4": "192.0.2.45",
        "teredo_server": "65.54.227.120",
        "teredo_client_port": 40000,
        "teredo_flags": "0x8000",
        "teredo_cone": True,
    }
    assert d["eui64_mac"] is None


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**96 - 1))
def test_teredo_against_scapy(low):
    ip = ipaddress.IPv6Address((0x20010000 << 96) | low)
    server, flags, client, port = teredoAddrExtractInfo(str(ip))
    emb = info(str(ip)).as_dict()["embedded_ipv4"]
    assert (
        emb["teredo_server"],
        int(emb["teredo_flags"], 16),
        emb["ipv4"],
        emb["teredo_client_port"],
    ) == (server, flags, client, port)
    assert ip.teredo == (ipaddress.IPv4Address(server), ipaddress.IPv4Address(client))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 2**112 - 1))
def test_6to4_against_scapy_and_ipaddress(low):
    ip = ipaddress.IPv6Address((0x2002 << 112) | low)
    emb = info(str(ip)).as_dict()["embedded_ipv4"]
    assert emb["kind"] == "6to4"
    assert emb["ipv4"] == in6_6to4ExtractAddr(str(ip)) == str(ip.sixtofour)


@pytest.mark.parametrize(
    "text,kind,ipv4",
    [
        # RFC 6052 section 2.4: 192.0.2.33 under the well-known prefix 64:ff9b::/96.
        ("64:ff9b::192.0.2.33", "nat64", "192.0.2.33"),
        ("64:ff9b::c000:221", "nat64", "192.0.2.33"),
        # RFC 4291 section 2.5.5.2
        ("::ffff:192.0.2.128", "ipv4-mapped", "192.0.2.128"),
        # RFC 3056 section 2: 2002:V4ADDR::/48 for V4ADDR 192.0.2.4
        ("2002:c000:204::1", "6to4", "192.0.2.4"),
    ],
)
def test_embedded_ipv4_worked_examples(text, kind, ipv4):
    emb = info(text).as_dict()["embedded_ipv4"]
    assert (emb["kind"], emb["ipv4"]) == (kind, ipv4)
    assert emb["teredo_server"] is None and emb["teredo_client_port"] is None


@pytest.mark.parametrize(
    "text", ["64:ff9b:1::c000:221", "2001:db8::c000:221", "::192.0.2.1", "10.0.0.1", "2003::1"]
)
def test_no_embedded_ipv4_elsewhere(text):
    assert info(text).as_dict()["embedded_ipv4"] is None


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=6, max_size=6), st.integers(0, 2**64 - 1))
def test_eui64_mac_against_scapy(mac_bytes, prefix):
    mac = ":".join(f"{b:02x}" for b in mac_bytes)
    iid = in6_mactoifaceid(mac).lower()  # RFC 4291 appendix A, by scapy
    ip = (
        ipaddress.IPv6Address(f"fe80::{iid}")
        if prefix == 0
        else ipaddress.IPv6Address(
            (0x2001_0DB8 << 96) | (prefix & 0xFFFF_FFFF) << 64 | int(iid.replace(":", ""), 16)
        )
    )
    assert info(str(ip)).as_dict()["eui64_mac"] == mac


def test_eui64_by_hand():
    # 00:1b:21:3a:4b:5c -> 021b:21ff:fe3a:4b5c (ff:fe in the middle, bit 0x02 of byte 0 flipped)
    assert info("fe80::21b:21ff:fe3a:4b5c").as_dict()["eui64_mac"] == "00:1b:21:3a:4b:5c"
    assert info("fe80::1").as_dict()["eui64_mac"] is None
    assert info("ff02::21b:21ff:fe3a:4b5c").as_dict()["eui64_mac"] is None  # multicast


@pytest.mark.parametrize(
    "text,scope,name,flags",
    [
        ("ff01::1", 1, "interface-local", (False, False, False)),
        ("ff02::1", 2, "link-local", (False, False, False)),
        ("ff03::1", 3, "realm-local", (False, False, False)),
        ("ff04::1", 4, "admin-local", (False, False, False)),
        ("ff05::1:3", 5, "site-local", (False, False, False)),
        ("ff08::1", 8, "organization-local", (False, False, False)),
        ("ff0e::101", 14, "global", (False, False, False)),
        ("ff00::1", 0, "reserved", (False, False, False)),
        ("ff0f::1", 15, "reserved", (False, False, False)),
        ("ff06::1", 6, "unassigned", (False, False, False)),
        ("ff12::1", 2, "link-local", (True, False, False)),  # T: transient
        ("ff3e:30:2001:db8::1", 14, "global", (True, True, False)),  # RFC 3306 prefix-based
        ("ff7e:140:2001:db8::1", 14, "global", (True, True, True)),  # RFC 3956 embedded RP
    ],
)
def test_multicast_scope_and_flags(text, scope, name, flags):
    m = info(text).as_dict()["multicast"]
    assert (m["scope"], m["scope_name"]) == (scope, name)
    assert (m["transient"], m["prefix_based"], m["rendezvous_point_embedded"]) == flags
    assert ipaddress.ip_address(text).is_multicast


def test_multicast_is_ipv6_only():
    assert info("224.0.0.1").as_dict()["multicast"] is None
    assert info("::ffff:224.0.0.1").as_dict()["multicast"] is None
    assert info("2001:db8::1").as_dict()["multicast"] is None


# --- with a prefix: the network and the address's place in it ----------------------------------


@pytest.mark.parametrize(
    "text,index,is_network,is_broadcast,usable",
    [
        ("10.1.2.3/24", "3", False, False, True),
        ("10.1.2.0/24", "0", True, False, False),
        ("10.1.2.255/24", "255", False, True, False),
        ("10.1.2.3/255.255.255.0", "3", False, False, True),
        ("10.1.2.0/31", "0", False, False, True),  # RFC 3021: both addresses are hosts
        ("10.1.2.1/31", "1", False, False, True),
        ("10.1.2.3/32", "0", False, False, True),
        ("2001:db8::/64", "0", True, False, False),  # Subnet-Router anycast (RFC 4291 2.6.1)
        ("2001:db8::ffff:ffff:ffff:ffff/64", "18446744073709551615", False, False, True),
        ("2001:db8::/127", "0", False, False, True),  # RFC 6164
    ],
)
def test_place_in_network(text, index, is_network, is_broadcast, usable):
    d = info(text).as_dict()
    iface = ipaddress.ip_interface(text)
    assert d["host"] == {
        "host_index": index,
        "is_network_address": is_network,
        "is_broadcast_address": is_broadcast,
        "is_usable_host": usable,
    }
    assert int(d["host"]["host_index"]) == int(iface.ip) - int(iface.network.network_address)
    assert d["network"] == subnet.network_info(iface.network).as_dict()
    assert d["network"]["network"] == str(iface.network)
    assert d["compressed"] == str(iface.ip)


def test_no_prefix_no_network():
    d = info("10.1.2.3").as_dict()
    assert d["network"] is None and d["host"] is None


# --- the JSON shape ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["192.168.0.1", "2001::1", "fe80::1%eth0/64", "10.1.2.3/24"])
def test_json_shape(text):
    d = info(text).as_dict()
    assert list(d) == KEYS
    assert json.loads(json.dumps(d)) == d
    assert isinstance(d["integer"], str) and isinstance(d["version"], int)
    assert d["registry"] is None or list(d["registry"]) == [
        "prefix",
        "name",
        "rfc",
        "allocation_date",
        "termination_date",
        "source",
        "destination",
        "forwardable",
        "globally_reachable",
        "reserved_by_protocol",
    ]


def test_as_dict_returns_fresh_objects():
    first = info("10.0.0.1").as_dict()
    first["registry"]["name"] = "changed"
    first["registry_chain"].append("x")
    again = info("10.0.0.1").as_dict()
    assert again["registry"]["name"] == "Private-Use"
    assert again["registry_chain"] == ["10.0.0.0/8"]


def test_address_info_is_a_value():
    a, b = info("10.0.0.1"), info("10.0.0.1")
    assert a == b and hash(a) == hash(b) and isinstance(a, AddressInfo)
    assert repr(a).startswith("AddressInfo(input='10.0.0.1', address=IPv4Address('10.0.0.1')")


def test_module_helpers_by_hand():
    assert address.historical_class(0x0A000001) == "A"
    assert address.embedded_ipv4(1) is None
    assert address.eui64_mac(0x021B21FFFE3A4B5C) == "00:1b:21:3a:4b:5c"
    assert address.multicast_info(0xFF02 << 112)["scope_name"] == "link-local"
    assert set(string.hexdigits) >= set(info("::1").as_dict()["hex"][2:])


# --- info_json: the bulk path's JSON text against the dict it stands for ----------------------


def _reference_json(text):
    """What `info_json` must write: the reference dict through json's own encoder, or the same
    InvalidInput message."""
    try:
        d = info(text).as_dict()
    except InvalidInput as exc:
        return InvalidInput, str(exc)
    return json.dumps(d, separators=(",", ":"), ensure_ascii=False)


def _info_json_or_error(text, encode=None):
    try:
        return (encode or address.info_json)(text)
    except InvalidInput as exc:
        return InvalidInput, str(exc)


# (first address, prefix length) of the IPv6 blocks the fast path treats apart.
_FAST_PATH_BLOCKS = [
    (0xFFFF << 32, 96),  # IPv4-mapped
    (0x64FF9B << 96, 96),  # NAT64
    (0x2002 << 112, 16),  # 6to4
    (0x2001 << 96, 32),  # Teredo
    (0xFF << 120, 8),  # multicast
    (0xFE80 << 112, 64),  # link-local (EUI-64 identifiers come from the strategy below)
]

_CASES = st.one_of(
    _ADDRESSISH,
    _ANY_ADDRESS.map(str),
    _ANY_ADDRESS.map(lambda ip: ip.exploded.upper()),
    # hosts in those blocks, EUI-64 interface identifiers, the IPv4-compatible ::/96
    st.tuples(
        st.sampled_from(_FAST_PATH_BLOCKS),
        st.integers(0, 2**120 - 1),
    ).map(lambda t: str(ipaddress.IPv6Address(t[0][0] | (t[1] >> t[0][1] - 8)))),
    st.integers(0, 2**64 - 1).map(
        lambda v: str(ipaddress.IPv6Address((v << 64) | 0x021B21FFFE3A4B5C))
    ),
    st.integers(0, 2**32 - 1).map(lambda v: f"::{ipaddress.IPv4Address(v)}"),
)


@settings(max_examples=2000, deadline=None)
@given(_CASES)
def test_info_json_is_the_dict_as_json(text):
    assert _info_json_or_error(text) == _reference_json(text)


INFO_JSON_EXAMPLES = [
    "192.168.0.1",
    "0.0.0.0",
    "255.255.255.255",
    "224.0.0.1",
    "239.255.255.255",
    "240.0.0.1",
    "::",
    "::1",
    "::1.2.3.4",
    "::ffff:192.0.2.1",
    "::ffff:224.0.0.251",
    "::ffff:192.0.0.9",
    "64:ff9b::192.0.2.33",
    "2002:c000:0204::1",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "2001:1::1",
    "2001:DB8:0:0:0:0:0:1",
    "2001:0db8:0000:0000:0000:ff00:0042:8329",
    "fe80::21b:21ff:fe3a:4b5c",
    "ff02::1",
    "ff3e:30:2001:db8::1",
    "fe80::1%eth0",
    "fe80::1%é",
    'fe80::1%a"b\\c',
    "10.1.2.3/24",
    "2001:db8::1/64",
    " 10.0.0.1 ",
    "10.0.0.256",
    "01.2.3.4",
    "1:2:3:4:5:6:7:8:9",
    "",
]


@pytest.mark.parametrize("text", INFO_JSON_EXAMPLES)
def test_info_json_examples(text):
    assert _info_json_or_error(text) == _reference_json(text)


def _interval_probes():
    """Both ends of every registry entry, the addresses just outside them and the historical
    class and multicast boundaries: where the fast path's cached fragments change."""
    probes = {4: set(), 6: set()}
    for e in registry.entries():
        lo, hi = int(e.prefix.network_address), int(e.prefix.broadcast_address)
        probes[e.prefix.version].update({lo - 1, lo, lo + 1, hi - 1, hi, hi + 1})
    for cut in (0x80 << 24, 0xC0 << 24, 0xE0 << 24, 0xF0 << 24):
        probes[4].update({cut - 1, cut})
    probes[6].update({(0xFF << 120) - 1, 0xFF << 120, 2**128 - 1})
    texts = [str(ipaddress.IPv4Address(v)) for v in sorted(probes[4]) if 0 <= v < 2**32]
    texts += [str(ipaddress.IPv6Address(v)) for v in sorted(probes[6]) if 0 <= v < 2**128]
    texts += [f"::ffff:{ipaddress.IPv4Address(v)}" for v in sorted(probes[4]) if 0 <= v < 2**32]
    return texts


@pytest.mark.parametrize("order", ["ascending", "descending"])
def test_info_json_fragments_hold_across_each_interval(order):
    """A fragment is encoded at the first address of its interval and reused for the rest:
    filled from either end, every boundary address still gets exactly its own JSON."""
    probes = _interval_probes()
    if order == "descending":
        probes.reverse()
    encode = address._make_bulk_encoder()  # fresh caches
    wrong = [t for t in probes if _info_json_or_error(t, encode) != _reference_json(t)]
    assert wrong == []
    assert len(probes) > 300


@settings(max_examples=500, deadline=None)
@given(st.text(min_size=1, max_size=8).filter(lambda z: "%" not in z and "/" not in z))
def test_info_json_zones_of_any_text(zone):
    """Zones are free text: escaped exactly as json escapes them, lone surrogates included."""
    text = f"fe80::1%{zone}"
    assert _info_json_or_error(text) == _reference_json(text)


@pytest.mark.parametrize("zone", ["\x00", "\x1f", "\x7f", "\u2028", "\ud800", "é", '"', "\\"])
def test_info_json_zone_escapes(zone):
    text = f"fe80::1%{zone}"
    assert _info_json_or_error(text) == _reference_json(text)


@pytest.mark.parametrize("value", [None, 3232235521, b"10.0.0.1"])
def test_info_json_non_text_is_rejected_like_info(value):
    assert _info_json_or_error(value) == _reference_json(value)
    assert _reference_json(value)[0] is InvalidInput
