"""One IP address: parse it with `ipaddress` and describe it (`AddressInfo`).

Accepted: an IPv4 dotted quad, every RFC 4291 section 2.2 IPv6 text form (embedded IPv4
included) with an optional RFC 4007 zone (`fe80::1%eth0`), and either with a prefix in
interface notation (`10.1.2.3/24`) or, for IPv4, a netmask (`10.1.2.3/255.255.255.0`) or
host mask (`10.1.2.3/0.0.0.255`). Surrounding whitespace is ignored.

Verdicts (global/private, loopback, link-local, unspecified, documentation) come from the IANA
special-purpose registries (`netutil.registry`), never from `ipaddress`'s `is_private`/`is_global`
(CVE-2024-4032 changed them in patch releases). An IPv4-mapped address (`::ffff:a.b.c.d`,
RFC 4291 section 2.5.5.2) is classified by the IPv4 address it carries.
"""

from __future__ import annotations

# The C library's inet_pton/inet_ntop (what `socket` re-exports, without socket.py's import
# cost): a fast path for the common plain forms; ipaddress decides everything else.
from _socket import AF_INET, AF_INET6, inet_ntoa, inet_ntop, inet_pton
from ipaddress import (
    AddressValueError,
    IPv4Address,
    IPv4Network,
    IPv6Address,
    IPv6Network,
    NetmaskValueError,
)

from netutil import multicast, registry
from netutil.address_text import format_address, network_text, v4_text
from netutil.errors import InvalidInput, shown
from netutil.record import Record

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from typing import Any

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network

_NAT64_WKP = 0x0064FF9B << 96  # 64:ff9b::/96, RFC 6052 section 2.1
_TEREDO = 0x2001_0000  # 2001::/32, RFC 4380 section 2.6 (top 32 bits)
_SIX_TO_FOUR = 0x2002  # 2002::/16, RFC 3056 section 2 (top 16 bits)
_LOW32 = 0xFFFF_FFFF
#: Longest zone (RFC 4007 section 11: an interface name or index): IF_NAMESIZE - 1 on Linux,
#: the BSDs and macOS.
MAX_ZONE = 15
#: Longest text any address can be: an IPv6 address with embedded IPv4 (45), a zone and a
#: prefix length ('/128'); IPv4 with a netmask is shorter.
LONGEST = 45 + 1 + MAX_ZONE + 4

# Registry prefixes that carry a well-known meaning, as (version, first address, prefix length).
_LOOPBACK = {(4, 0x7F000000, 8), (6, 1, 128)}
_UNSPECIFIED = {(4, 0, 32), (6, 0, 128)}
_LINK_LOCAL = {(4, 0xA9FE0000, 16), (6, 0xFE80 << 112, 10)}

# --- parsing ---------------------------------------------------------------------------------


def parse(text: str) -> tuple[Address, Network | None]:
    """The address in `text` and, when a prefix or mask follows it, the network it sits in.

    Raises InvalidInput naming what is wrong and where; ipaddress decides what is valid and
    the message is worked out from the part it rejected.
    """
    if not isinstance(text, str):
        raise InvalidInput(f"invalid IP address {shown(text)}: expected text")
    s = text.strip()
    if "/" not in s and "%" not in s:
        # Fast path for plain addresses; whatever it refuses goes through ipaddress below, which
        # has the last word (tests check that both accept the same texts, with the same value).
        try:
            if ":" in s:
                return IPv6Address(int.from_bytes(inet_pton(AF_INET6, s), "big")), None
            return IPv4Address(int.from_bytes(inet_pton(AF_INET, s), "big")), None
        except (OSError, ValueError):
            pass
    if not s:
        raise InvalidInput(f"invalid IP address {shown(text)}: empty")
    if len(s) > LONGEST:
        raise InvalidInput(
            f"invalid IP address {shown(text)}: longer than any address ({LONGEST} characters"
            " with a zone and a prefix)"
        )
    addr_text, slash, prefix_text = s.partition("/")
    if ":" in addr_text:
        version, address_class, network_class = 6, IPv6Address, IPv6Network
    elif addr_text[:1].isdigit() or "." in addr_text:
        version, address_class, network_class = 4, IPv4Address, IPv4Network
    else:
        raise InvalidInput(
            f"invalid IP address {shown(text)}: not an IPv4 dotted quad (a.b.c.d) "
            "nor an IPv6 address (hex groups separated by ':')"
        )
    kind = "interface" if slash else "address"
    try:
        address = address_class(addr_text)
    except AddressValueError:
        why = _why_ipv4(addr_text) if version == 4 else _why_ipv6(addr_text)
        raise InvalidInput(f"invalid IPv{version} {kind} {shown(text)}: {why}") from None
    if version == 6 and address.scope_id is not None:
        _check_zone(address.scope_id, text, kind)
    if not slash:
        return address, None
    if "/" in prefix_text:
        raise InvalidInput(f"invalid IPv{version} {kind} {shown(text)}: more than one '/'")
    plain = str(address).partition("%")[0]
    try:
        network = network_class(f"{plain}/{prefix_text}", strict=False)
    except (NetmaskValueError, ValueError):
        why = _why_prefix(prefix_text, version)
        raise InvalidInput(f"invalid IPv{version} {kind} {shown(text)}: {why}") from None
    return address, network


def _check_zone(zone: str, text: str, kind: str) -> None:
    """An RFC 4007 section 11 zone is an interface name or index: at most `MAX_ZONE`
    characters (IF_NAMESIZE - 1 on Linux, the BSDs and macOS), printable text without spaces.
    Bytes that are not UTF-8 (read as lone surrogates) are refused, so output stays valid."""
    if len(zone) > MAX_ZONE:
        raise InvalidInput(
            f"invalid IPv6 {kind} {shown(text)}: zone is {len(zone)} characters, more than"
            f" {MAX_ZONE} (an interface name or index, RFC 4007 section 11)"
        )
    for ch in zone:
        if "\udc80" <= ch <= "\udcff":
            raise InvalidInput(
                f"invalid IPv6 {kind} {shown(text)}: zone holds byte 0x{ord(ch) - 0xDC00:02x},"
                " which is not UTF-8 text"
            )
        if not ch.isprintable() or ch.isspace():
            raise InvalidInput(
                f"invalid IPv6 {kind} {shown(text)}: zone holds {ch!r}, not a printable"
                " character (an interface name or index, RFC 4007 section 11)"
            )


def _why_ipv4(s: str) -> str:
    """Why ipaddress rejected `s` as an IPv4 address (the rule and the place)."""
    if "%" in s:
        return f"a zone ({'%' + s.partition('%')[2]!r}) is only allowed on IPv6 addresses"
    octets = s.split(".")
    if len(octets) != 4:
        return f"expected 4 octets separated by '.', got {len(octets)}"
    for i, octet in enumerate(octets, 1):
        if not octet:
            return f"empty octet at position {i}"
        if not (octet.isascii() and octet.isdigit()):
            return f"octet {octet!r} at position {i} is not a decimal number"
        if len(octet) > 3:
            return f"octet {octet!r} at position {i} has more than 3 digits"
        if octet[0] == "0" and len(octet) > 1:
            return (
                f"octet {octet!r} at position {i} has leading zeros, which are ambiguous "
                "(octal or decimal?)"
            )
        if int(octet) > 255:
            return f"octet {int(octet)} (> 255) at position {i}"
    return "not a valid dotted quad"  # pragma: no cover - ipaddress accepted every octet


def _why_ipv6(s: str) -> str:
    """Why ipaddress rejected `s` as an IPv6 address (the rule and the place)."""
    body, pct, zone = s.partition("%")
    if pct and not zone:
        return "empty zone after '%'"
    if "%" in zone:
        return "more than one '%'"
    groups = body.split(":")
    tail_ipv4 = "." in groups[-1]
    if tail_ipv4:
        try:
            IPv4Address(groups[-1])
        except AddressValueError:
            return f"embedded IPv4 address {groups[-1]!r}: {_why_ipv4(groups[-1])}"
    written = len(groups) + (1 if tail_ipv4 else 0)  # the IPv4 part stands for two groups
    if ":::" in body:
        return "three or more colons in a row (only '::' may stand for missing groups)"
    if body.count("::") > 1:
        return "more than one '::'"
    if len(groups) > 9:
        return f"too many colons: {len(groups) - 1} (at most 8)"
    if "::" in body:
        if body.startswith(":") and not body.startswith("::"):
            return "starts with a single ':' (only '::' may start an address)"
        if body.endswith(":") and not body.endswith("::"):
            return "ends with a single ':' (only '::' may end an address)"
        present = sum(1 for g in groups if g) + (1 if tail_ipv4 else 0)
        if present > 7:
            return f"too many groups: {present} besides '::', which must stand for at least one"
    else:
        if body.startswith(":"):
            return "starts with a single ':' (only '::' may start an address)"
        if body.endswith(":"):
            return "ends with a single ':' (only '::' may end an address)"
        if written < 8:
            return f"too few groups: {written} of 8 and no '::' to stand for the rest"
        if written > 8:
            return f"too many groups: {written} (at most 8)"
    for i, group in enumerate(groups[:-1] if tail_ipv4 else groups, 1):
        if not group:
            continue
        if not all(c in "0123456789abcdefABCDEF" for c in group):
            return f"group {group!r} at position {i} is not hexadecimal"
        if len(group) > 4:
            return f"group {group!r} at position {i} has more than 4 hex digits"
    if len(groups) < 3:
        return "too few groups: at least 3 colon-separated parts are needed"
    return "not a valid IPv6 address"  # pragma: no cover - ipaddress accepted every group


def _why_prefix(prefix: str, version: int) -> str:
    top = 32 if version == 4 else 128
    if not prefix:
        return "empty prefix length after '/'"
    if prefix.isascii() and prefix.isdigit():
        return f"prefix length {int(prefix)} out of range (0-{top})"
    if version == 4 and "." in prefix:
        return (
            f"{prefix!r} is neither a netmask (ones then zeros, like 255.255.255.0) "
            "nor a host mask (zeros then ones, like 0.0.0.255)"
        )
    if version == 6 and ":" in prefix:
        return f"IPv6 takes a prefix length (0-128) after '/', not a mask like {prefix!r}"
    return f"prefix length {prefix!r} is not a decimal number (0-{top})"


# --- derived facts (module functions on integers, shared by AddressInfo and its as_dict) ------


def historical_class(value: int) -> str:
    """The pre-CIDR class of an IPv4 address (RFC 791 section 3.2, RFC 1112 section 4):
    historical only, classes have had no routing meaning since RFC 1519."""
    first = value >> 24
    if first < 128:
        return "A"
    if first < 192:
        return "B"
    if first < 224:
        return "C"
    if first < 240:
        return "D"
    return "E"


def embedded_ipv4(value: int) -> dict[str, Any] | None:
    """The IPv4 address an IPv6 address carries, by kind, or None.

    ipv4-mapped (RFC 4291 2.5.5.2), nat64 well-known prefix 64:ff9b::/96 (RFC 6052 2.1),
    6to4 2002:V4ADDR::/48 (RFC 3056 2), and Teredo 2001::/32 (RFC 4380 4): server in bits
    32-63, flags in 64-79 (0x8000 = cone), then the client port and address, both inverted.
    """
    if value >> 32 == 0xFFFF:
        return _embedded("ipv4-mapped", value & _LOW32)
    if value >> 32 == _NAT64_WKP >> 32:
        return _embedded("nat64", value & _LOW32)
    if value >> 112 == _SIX_TO_FOUR:
        return _embedded("6to4", (value >> 80) & _LOW32)
    if value >> 96 == _TEREDO:
        flags = (value >> 48) & 0xFFFF
        return {
            "kind": "teredo",
            "ipv4": v4_text((value & _LOW32) ^ _LOW32),
            "teredo_server": v4_text((value >> 64) & _LOW32),
            "teredo_client_port": ((value >> 32) & 0xFFFF) ^ 0xFFFF,
            "teredo_flags": f"0x{flags:04x}",
            "teredo_cone": bool(flags & 0x8000),
        }
    return None


def _embedded(kind: str, v4: int) -> dict[str, Any]:
    return {
        "kind": kind,
        "ipv4": v4_text(v4),
        "teredo_server": None,
        "teredo_client_port": None,
        "teredo_flags": None,
        "teredo_cone": None,
    }


def eui64_mac(value: int) -> str | None:
    """The MAC address behind a modified EUI-64 interface identifier (RFC 4291 appendix A:
    ff:fe inserted in the middle, universal/local bit inverted), or None."""
    iid = value & 0xFFFF_FFFF_FFFF_FFFF
    if (iid >> 24) & 0xFFFF != 0xFFFE:
        return None
    mac = ((iid >> 16) & 0xFFFFFF000000) | (iid & 0xFFFFFF)
    mac ^= 0x0200_0000_0000
    h = f"{mac:012x}"
    return f"{h[0:2]}:{h[2:4]}:{h[4:6]}:{h[6:8]}:{h[8:10]}:{h[10:12]}"


def multicast_info(value: int) -> dict[str, Any]:
    """Scope and flags of an IPv6 multicast address ff<flags><scope>::/16 (RFC 4291 2.7;
    scope names from RFC 7346; R/P/T flags from RFC 3956 and RFC 3306)."""
    flags = (value >> 116) & 0xF
    scope = (value >> 112) & 0xF
    return {
        "scope": scope,
        "scope_name": multicast.scope_name(scope),
        "transient": bool(flags & 0x1),
        "prefix_based": bool(flags & 0x2),
        "rendezvous_point_embedded": bool(flags & 0x4),
    }


def _exploded6(value: int) -> str:
    h = f"{value:032x}"
    return ":".join((h[0:4], h[4:8], h[8:12], h[12:16], h[16:20], h[20:24], h[24:28], h[28:32]))


# --- the result --------------------------------------------------------------------------------


class AddressInfo(Record):
    """Everything about one address (and the network, when a prefix was given).

    `entry` is the registry entry that decides the verdicts: the most specific non-terminated
    entry holding the address, or holding the IPv4 address an IPv4-mapped address carries.
    """

    _fields = ("input", "address", "network", "entry")
    __slots__ = _fields
    input: str
    address: IPv4Address | IPv6Address
    network: IPv4Network | IPv6Network | None
    entry: registry.Entry | None

    def __init__(
        self,
        input: str,
        address: Address,
        network: Network | None,
        entry: registry.Entry | None,
    ) -> None:
        # Record's generic __init__, unrolled: one of these is built per line in bulk runs.
        setter = object.__setattr__
        setter(self, "input", input)
        setter(self, "address", address)
        setter(self, "network", network)
        setter(self, "entry", entry)

    @property
    def version(self) -> int:
        return self.address.version

    @property
    def zone(self) -> str | None:
        """The RFC 4007 zone (`eth0` of `fe80::1%eth0`), None if absent or IPv4."""
        return getattr(self.address, "scope_id", None)

    @property
    def mapped_ipv4(self) -> IPv4Address | None:
        """The IPv4 address an IPv4-mapped address carries (and is classified by)."""
        value = int(self.address)
        if self.address.version == 6 and value >> 32 == 0xFFFF:
            return IPv4Address(value & _LOW32)
        return None

    @property
    def compressed(self) -> str:
        """RFC 5952 section 4 text, zone left out; IPv4-mapped addresses in the mixed notation
        that section 5 recommends (`::ffff:192.0.2.1`)."""
        return format_address(self.address.version, int(self.address))

    @property
    def exploded(self) -> str:
        value = int(self.address)
        return v4_text(value) if self.address.version == 4 else _exploded6(value)

    @property
    def is_global(self) -> bool | None:
        """Globally reachable per the registry (RFC 8190): the deciding entry's flag; True
        when no entry holds a unicast address; None for IANA's N/A (Teredo, 6to4); for
        multicast, which the registries do not cover, its scope's (`netutil.multicast`)."""
        return _verdict(self.entry, *_effective(self.address))

    @property
    def is_private(self) -> bool | None:
        """Not globally reachable per the registry (the negation of `is_global`)."""
        g = self.is_global
        return None if g is None else not g

    @property
    def is_multicast(self) -> bool:
        """224.0.0.0/4 (RFC 5771) or ff00::/8 (RFC 4291 2.7); mapped: the IPv4 address."""
        version, value = _effective(self.address)
        return value >> 28 == 0xE if version == 4 else value >> 120 == 0xFF

    def _entry_is(self, table: set[tuple[int, int, int]]) -> bool:
        e = self.entry
        return e is not None and _entry_key(e) in table

    @property
    def is_loopback(self) -> bool:
        return self._entry_is(_LOOPBACK)

    @property
    def is_unspecified(self) -> bool:
        return self._entry_is(_UNSPECIFIED)

    @property
    def is_link_local(self) -> bool:
        return self._entry_is(_LINK_LOCAL)

    @property
    def is_documentation(self) -> bool:
        return self.entry is not None and self.entry.name.startswith("Documentation")

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of `netutil ip info` (documented in README.md, section IP addresses)."""
        address = self.address
        version = address.version
        value = int(address)
        entry = self.entry
        facts = _NO_ENTRY if entry is None else _ENTRY_FACTS.get(id(entry)) or _entry_facts(entry)
        entry_dict, loopback, link_local, unspecified, documentation = facts
        if version == 4:
            h = f"{value:08x}"
            b = f"{value:032b}"
            compressed = exploded = inet_ntoa(value.to_bytes(4, "big"))
            mapped = False
            multicast = value >> 28 == 0xE
            chain = _chain_text(registry.containing_int(4, value))
            embedded = mac = mcast = None
            binary = f"{b[0:8]}.{b[8:16]}.{b[16:24]}.{b[24:32]}"
            o1, o2, o3, o4 = compressed.split(".")
            reverse = f"{o4}.{o3}.{o2}.{o1}.in-addr.arpa"
            hclass = _CLASSES[value >> 24]
        else:
            h = f"{value:032x}"
            b = f"{value:0128b}"
            exploded = f"{value:039_x}".replace("_", ":")  # '_' groups hex digits by four
            compressed = format_address(6, value)
            mapped = value >> 32 == 0xFFFF
            chain = _chain_text(registry.containing_int(6, value))
            if mapped:
                v4 = value & _LOW32
                multicast = v4 >> 28 == 0xE
                chain = _chain_text(registry.containing_int(4, v4)) + chain
            else:
                multicast = value >> 120 == 0xFF
            embedded = embedded_ipv4(value) if value >> 112 in _EMBEDDING_TOPS else None
            mcast = multicast_info(value) if multicast and not mapped else None
            if (value >> 24) & 0xFFFF == 0xFFFE and not (embedded or mcast):
                mac = eui64_mac(value)
            else:
                mac = None
            binary = (
                f"{b[0:16]}:{b[16:32]}:{b[32:48]}:{b[48:64]}"
                f":{b[64:80]}:{b[80:96]}:{b[96:112]}:{b[112:128]}"
            )
            reverse = "".join(map(_NIBBLE_PAIRS, value.to_bytes(16, "little"))) + "ip6.arpa"
            hclass = None
        if entry_dict is not None:
            is_global = entry_dict["globally_reachable"]
            entry_dict = dict(entry_dict)
        elif multicast:
            is_global = _verdict(None, *_effective(address))
        else:
            is_global = True
        network = self.network
        if network is None:
            network_facts = place = None
        else:
            network_facts, place = _network_and_place(value, network)
        return {
            "input": self.input,
            "version": version,
            "compressed": compressed,
            "exploded": exploded,
            "zone": address.scope_id if version == 6 else None,
            "integer": str(value),
            "hex": "0x" + h,
            "binary": binary,
            "reverse_pointer": reverse,
            "historical_class": hclass,
            "classified_by_ipv4": v4_text(value & _LOW32) if mapped else None,
            "registry": entry_dict,
            "registry_chain": list(chain),
            "is_global": is_global,
            "is_private": None if is_global is None else not is_global,
            "is_multicast": multicast,
            "is_loopback": loopback,
            "is_link_local": link_local,
            "is_unspecified": unspecified,
            "is_documentation": documentation,
            "multicast": mcast,
            "embedded_ipv4": embedded,
            "eui64_mac": mac,
            "network": network_facts,
            "host": place,
        }


# RFC 3596 section 2.5 names, a byte at a time from the low end: byte 0x4f -> "f.4.".
_NIBBLE_PAIRS = [f"{b & 15:x}.{b >> 4:x}." for b in range(256)].__getitem__

# historical_class by first octet, for the bulk path.
_CLASSES = "A" * 128 + "B" * 64 + "C" * 32 + "D" * 16 + "E" * 16

# Top 16 bits of the IPv6 addresses that can carry an IPv4 address (mapped ::ffff:0:0/96
# starts with 0, NAT64 64:ff9b::/96, Teredo 2001::/32, 6to4 2002::/16).
_EMBEDDING_TOPS = frozenset({0x0000, 0x0064, 0x2001, 0x2002})

# Per registry entry (entries live as long as the process, so their ids are stable keys):
# its JSON object and the well-known meanings derived from it.
_ENTRY_FACTS: dict[int, tuple[Any, bool, bool, bool, bool]] = {}
_NO_ENTRY = (None, False, False, False, False)
_CHAIN_TEXT: dict[int, tuple[str, ...]] = {}


def _entry_facts(entry: registry.Entry | None) -> tuple[Any, bool, bool, bool, bool]:
    if entry is None:
        return _NO_ENTRY
    facts = _ENTRY_FACTS.get(id(entry))
    if facts is None:
        key = _entry_key(entry)
        facts = _ENTRY_FACTS[id(entry)] = (
            entry.as_dict(),
            key in _LOOPBACK,
            key in _LINK_LOCAL,
            key in _UNSPECIFIED,
            entry.name.startswith("Documentation"),
        )
    return facts


def _chain_text(chain: tuple[registry.Entry, ...]) -> tuple[str, ...]:
    text = _CHAIN_TEXT.get(id(chain))
    if text is None:
        text = _CHAIN_TEXT[id(chain)] = tuple(network_text(e.prefix) for e in chain)
    return text


def _effective(address: Address) -> tuple[int, int]:
    """(version, integer) of the address that classifies `address` (mapped -> its IPv4)."""
    value = int(address)
    if address.version == 6 and value >> 32 == 0xFFFF:
        return 4, value & _LOW32
    return address.version, value


def _entry_key(e: registry.Entry) -> tuple[int, int, int]:
    p = e.prefix
    return (p.version, int(p.network_address), p.prefixlen)


def _verdict(entry: registry.Entry | None, version: int, value: int) -> bool | None:
    """Globally reachable: the deciding registry entry's flag; for multicast (which the
    registries do not cover) its block's, by scope (`netutil.multicast`); else True."""
    if entry is not None:
        return entry.globally_reachable
    block = multicast.block_of(version, value)
    return True if block is None else block.globally_reachable


def _network_and_place(value: int, network: Network) -> tuple[dict[str, Any], dict[str, Any]]:
    """The network's facts (from netutil.subnet, the one implementation) and the address's
    place in it: its index from the network address, whether it is the network address (an
    IPv4 subnet's first address, or an IPv6 subnet's Subnet-Router anycast address, RFC 4291
    section 2.6.1) or the broadcast address, and whether it is a usable host (RFC 3021 /31 and
    RFC 6164 /127 links and single-address blocks count every address)."""
    from netutil import subnet

    facts = subnet.network_info(network)
    first = int(network.network_address)
    semantics = facts.host_semantics.value
    broadcast = facts.broadcast_address
    place = {
        "host_index": str(value - first),
        "is_network_address": semantics == "subnet" and value == first,
        "is_broadcast_address": broadcast is not None and value == int(broadcast),
        "is_usable_host": int(facts.first_host) <= value <= int(facts.last_host),
    }
    return facts.as_dict(), place


def info(text: str) -> AddressInfo:
    """Parse `text` (see the module docstring for the notations) and describe the address."""
    address, network = parse(text)
    value = int(address)
    if address.version == 4:
        entry = registry.lookup_int(4, value)
    elif value >> 32 == 0xFFFF:
        entry = registry.lookup_int(4, value & _LOW32)
    else:
        entry = registry.lookup_int(6, value)
    return AddressInfo(text, address, network, entry)


# --- the bulk path: the JSON text without the dict ----------------------------------------------


def info_json(text: str) -> str:
    """The compact JSON text of `info(text).as_dict()`: exactly what `json.dumps(...,
    separators=(",", ":"), ensure_ascii=False)` writes for it, in about a quarter of the time
    of building the dict and encoding it (benchmarks/bench_ip_bulk.py). The JSON Lines of
    `netutil ip info -` come from here.

    Plain addresses that `inet_pton` accepts skip the objects: the forms are written from the
    packed bytes and integer, and everything that depends only on where the address lies (the
    registry entry and chain, the verdicts, the historical class) is one JSON fragment per
    registry interval, encoded from `as_dict()` itself at the first address that falls there.
    Everything else (prefixes, zones, texts inet_pton refuses) goes through `info()` and is
    encoded whole; ipaddress stays the judge of what is valid (tests check both accept the same
    texts).
    """
    return (_bulk_encoder or _make_bulk_encoder())(text)


_bulk_encoder = None

# Keys of as_dict() whose values depend only on the interval an address lies in (registry cuts,
# plus the historical class and multicast block boundaries for IPv4 and the ffXY::/16 ones for
# IPv6).
_V4_INTERVAL_KEYS = (
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
)
_V6_INTERVAL_KEYS = _V4_INTERVAL_KEYS[2:11]


def _make_bulk_encoder():
    """Build `info_json`'s worker: lookup tables, interval cuts and fragment caches, bound as
    closure locals (the per-line code reads no globals)."""
    global _bulk_encoder
    import json
    from bisect import bisect_right

    encode = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
    encode_fast = None

    def encode_dict(d: dict[str, Any]) -> str:
        # msgspec writes the same text as json here (a test checks every code point) in a
        # seventh of the time; a zone holding a lone surrogate (undecodable input bytes) is
        # text only json's encoder takes. Imported at the first such line (plain addresses
        # never need it).
        nonlocal encode_fast
        if encode_fast is None:
            import msgspec

            encode_fast = msgspec.json.Encoder().encode
        try:
            return encode_fast(d).decode()
        except UnicodeEncodeError:
            return encode(d)

    def cuts(version: int, extra: tuple[int, ...]) -> list[int]:
        bounds = {0, *extra}
        for e in registry.entries(version):
            bounds.add(int(e.prefix.network_address))
            bounds.add(int(e.prefix.broadcast_address) + 1)
        top = 1 << (32 if version == 4 else 128)
        return sorted(b for b in bounds if b < top)

    # Historical classes and multicast start at 128/1, 192/2, 224/3 (224/4 multicast), 240/4.
    # Multicast verdicts change at every block of RFC 5771 and at every ffXY::/16 (the scope).
    mcast4 = tuple(b.first for b in multicast.blocks_in(4, 0, 2**32 - 1))
    cuts4 = cuts(4, (0x80 << 24, 0xC0 << 24, 0xE0 << 24, 0xF0 << 24, *mcast4))
    cuts6 = cuts(6, tuple(top << 112 for top in range(0xFF00, 0x10000)))
    frags4: list[str | None] = [None] * len(cuts4)
    frags6: list[str | None] = [None] * len(cuts6)
    frags_mapped: dict[tuple[int, int], str] = {}
    mcast_json: dict[int, str] = {}

    def fragment(text: str, keys: tuple[str, ...]) -> str:
        d = info(text).as_dict()
        return ",".join([f'"{k}":{encode(d[k])}' for k in keys])

    dec = [str(i) for i in range(256)]
    bits = [f"{i:08b}" for i in range(256)]
    nibbles = [f"{i & 15:x}.{i >> 4:x}." for i in range(256)]  # RFC 3596 2.5, low nibble first
    embedding_tops = _EMBEDDING_TOPS

    def worker(
        text: str,
        pton=inet_pton,
        ntop=inet_ntop,
        af4=AF_INET,
        af6=AF_INET6,
        from_bytes=int.from_bytes,
        bisect=bisect_right,
        D=dec,
        B=bits,
        R=nibbles,
    ) -> str:
        # inet_pton takes exactly the plain forms (digits, hex digits, ':' and '.': nothing
        # that JSON escapes) and refuses surrounding whitespace, '%' and '/'.
        try:
            p = pton(af6 if ":" in text else af4, text)
        except (OSError, ValueError, TypeError):  # TypeError: not text (info() says so)
            return encode_dict(info(text).as_dict())
        if len(p) == 4:
            a, b, c, d = p
            n = (a << 24) | (b << 16) | (c << 8) | d
            i = bisect(cuts4, n) - 1
            frag = frags4[i]
            if frag is None:
                frag = frags4[i] = fragment(text, _V4_INTERVAL_KEYS)
            dotted = f"{D[a]}.{D[b]}.{D[c]}.{D[d]}"
            return (
                f'{{"input":"{text}","version":4,"compressed":"{dotted}","exploded":"{dotted}",'
                f'"zone":null,"integer":"{n}","hex":"0x{p.hex()}",'
                f'"binary":"{B[a]}.{B[b]}.{B[c]}.{B[d]}",'
                f'"reverse_pointer":"{D[d]}.{D[c]}.{D[b]}.{D[a]}.in-addr.arpa",{frag}}}'
            )
        n = from_bytes(p, "big")
        high = n >> 32
        top = n >> 112
        i = bisect(cuts6, n) - 1
        if high == 0xFFFF:  # IPv4-mapped: classified by the IPv4 address it carries
            v4 = n & _LOW32
            key = (bisect(cuts4, v4) - 1, i)
            frag = frags_mapped.get(key)
            if frag is None:
                frag = frags_mapped[key] = fragment(text, _V6_INTERVAL_KEYS)
            compressed = format_address(6, n)
            classified = f'"{v4_text(v4)}"'
            mcast = "null"
        else:
            frag = frags6[i]
            if frag is None:
                frag = frags6[i] = fragment(text, _V6_INTERVAL_KEYS)
            # libc writes ::a.b.c.d for ::/96 where RFC 5952 wants hex groups: format_address
            compressed = ntop(af6, p) if high else format_address(6, n)
            classified = "null"
            if top >= 0xFF00:  # multicast: scope and flags sit in the top 16 bits
                mcast = mcast_json.get(top)
                if mcast is None:
                    mcast = mcast_json[top] = encode(multicast_info(n))
            else:
                mcast = "null"
        embedded = embedded_ipv4(n) if top in embedding_tops else None
        if embedded is not None:
            emb, mac = _embedded_json(embedded), "null"
        elif (n >> 24) & 0xFFFF == 0xFFFE and mcast == "null":  # as_dict's EUI-64 rule
            emb, mac = "null", f'"{eui64_mac(n)}"'
        else:
            emb = mac = "null"
        (a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15) = p
        return (
            f'{{"input":"{text}","version":6,"compressed":"{compressed}",'
            f'"exploded":"{p.hex(":", 2)}","zone":null,"integer":"{n}","hex":"0x{p.hex()}",'
            f'"binary":"{B[a0]}{B[a1]}:{B[a2]}{B[a3]}:{B[a4]}{B[a5]}:{B[a6]}{B[a7]}'
            f':{B[a8]}{B[a9]}:{B[a10]}{B[a11]}:{B[a12]}{B[a13]}:{B[a14]}{B[a15]}",'
            f'"reverse_pointer":"{R[a15]}{R[a14]}{R[a13]}{R[a12]}{R[a11]}{R[a10]}{R[a9]}'
            f'{R[a8]}{R[a7]}{R[a6]}{R[a5]}{R[a4]}{R[a3]}{R[a2]}{R[a1]}{R[a0]}ip6.arpa",'
            f'"historical_class":null,"classified_by_ipv4":{classified},{frag},'
            f'"multicast":{mcast},"embedded_ipv4":{emb},"eui64_mac":{mac},'
            '"network":null,"host":null}'
        )

    _bulk_encoder = worker
    return worker


def _embedded_json(d: dict[str, Any]) -> str:
    """`embedded_ipv4()`'s dict as compact JSON (its values never need escaping)."""
    if d["kind"] == "teredo":
        return (
            f'{{"kind":"teredo","ipv4":"{d["ipv4"]}","teredo_server":"{d["teredo_server"]}",'
            f'"teredo_client_port":{d["teredo_client_port"]},'
            f'"teredo_flags":"{d["teredo_flags"]}",'
            f'"teredo_cone":{"true" if d["teredo_cone"] else "false"}}}'
        )
    return (
        f'{{"kind":"{d["kind"]}","ipv4":"{d["ipv4"]}","teredo_server":null,'
        '"teredo_client_port":null,"teredo_flags":null,"teredo_cone":null}'
    )
