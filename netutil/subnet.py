"""Networks (CIDR blocks), IPv4 and IPv6: what a block holds, how to carve it up, how to aggregate.

Parsing is `ipaddress`'s (with `socket.inet_pton`, the C parser for the same strict syntax, as a
fast path for bulk input); the operations themselves work on plain integers, so that summarizing a
million prefixes or splitting a /8 into /32s costs no per-item objects. Every list-producing
operation returns a `CidrList`: its total is known up front and its items are produced lazily from
any start index, so a caller can page through 2**96 children without enumerating them.
"""

from __future__ import annotations

import enum
import ipaddress
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from netutil.errors import InvalidInput

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

BITS = {4: 32, 6: 128}

#: Most items a list input (summarize, exclude, VLSM host counts) may hold.
MAX_INPUT_ITEMS = 10_000_000
#: Most host counts one VLSM split may request.
MAX_VLSM_REQUESTS = 100_000


class HostSemantics(enum.Enum):
    """How the addresses of a block are used, which decides its usable hosts."""

    #: An ordinary subnet: IPv4 loses the network and broadcast addresses, IPv6 the
    #: Subnet-Router anycast address (RFC 4291 section 2.6.1).
    SUBNET = "subnet"
    #: A /31 (RFC 3021) or /127 (RFC 6164) point-to-point link: both addresses are hosts.
    POINT_TO_POINT = "point_to_point"
    #: A /32 or /128: the one address is the host.
    SINGLE_HOST = "single_host"


class Relation(enum.Enum):
    """How network A relates to network B (CIDR blocks either nest or are disjoint)."""

    EQUAL = "equal"
    CONTAINS = "contains"  # A strictly contains B
    WITHIN = "within"  # A lies strictly inside B
    DISJOINT = "disjoint"


class RegistryClass(enum.Enum):
    """Where a network sits against the IANA special-purpose address registries."""

    INSIDE = "inside"  # wholly inside one entry (the most specific one is named)
    OVERLAPPING = "overlapping"  # intersects entries without lying inside one: all are named
    GLOBAL = "global"  # intersects no entry


# --------------------------------------------------------------------------------------------
# Parsing


def _lower_first(message: str) -> str:
    return message[:1].lower() + message[1:] if message else message


def _parse_address_text(text: str, original: str, what: str) -> IPAddress:
    """An address through `ipaddress`, with its own reason in our one-line message."""
    try:
        if ":" in text:
            return ipaddress.IPv6Address(text)
        return ipaddress.IPv4Address(text)
    except ipaddress.AddressValueError as exc:
        reason = _lower_first(str(exc)) if text else "empty address"
        raise InvalidInput(f"invalid {what} {original!r}: {reason}") from None


def parse_address(value: str | IPAddress, *, what: str = "address") -> IPAddress:
    """One IPv4 or IPv6 address (no prefix length); InvalidInput names what is wrong."""
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return value
    if not isinstance(value, str):
        raise InvalidInput(f"invalid {what} {value!r}: expected text")
    text = value.strip()
    if "/" in text:
        raise InvalidInput(f"invalid {what} {value!r}: expected an address without a prefix length")
    return _parse_address_text(text, value, what)


@dataclass(frozen=True, slots=True)
class ParsedNetwork:
    """A network as given: the network it means and whether host bits were set."""

    text: str
    network: IPNetwork
    host_bits_set: bool

    @property
    def warning(self) -> str | None:
        if not self.host_bits_set:
            return None
        return f"host bits set in {self.text!r}: the network is {self.network}"


def parse_network(value: Any, *, strict: bool = False, what: str = "network") -> ParsedNetwork:
    """Parse `ADDRESS[/PREFIXLEN]` (IPv4 also `/NETMASK` or `/HOSTMASK`), or take an ipaddress
    network, interface or address. Host bits set (`10.1.2.3/24`) mean the network around them
    (10.1.2.0/24), reported as `host_bits_set`; with `strict` they are an error."""
    if isinstance(value, ipaddress.IPv4Network | ipaddress.IPv6Network):
        return ParsedNetwork(str(value), value, False)
    if isinstance(value, ipaddress.IPv4Interface | ipaddress.IPv6Interface):
        text, net = str(value), value.network
        host_bits = value.ip != net.network_address
    elif isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return ParsedNetwork(str(value), ipaddress.ip_network(value), False)
    elif isinstance(value, str):
        text = value
        addr_text, slash, plen_text = value.strip().partition("/")
        addr = _parse_address_text(addr_text, value, what)
        bits = BITS[addr.version]
        if not slash:
            plen = bits
        elif plen_text.isascii() and plen_text.isdigit():
            plen = int(plen_text)
            if plen > bits:
                raise InvalidInput(
                    f"invalid {what} {value!r}: prefix length {plen} out of range 0-{bits}"
                    f" for IPv{addr.version}"
                )
        elif not plen_text:
            raise InvalidInput(f"invalid {what} {value!r}: missing prefix length after '/'")
        elif addr.version == 4:
            try:
                plen = ipaddress.IPv4Network(f"0.0.0.0/{plen_text}").prefixlen
            except ValueError:
                raise InvalidInput(
                    f"invalid {what} {value!r}: {plen_text!r} is neither a prefix length"
                    " nor a netmask"
                ) from None
        else:
            raise InvalidInput(
                f"invalid {what} {value!r}: prefix length {plen_text!r} is not a number"
            )
        net = make_network(addr.version, int(addr), plen, strict=False)
        host_bits = int(addr) != int(net.network_address)
    else:
        raise InvalidInput(f"invalid {what} {value!r}: expected text like '192.0.2.0/24'")
    if host_bits and strict:
        raise InvalidInput(f"invalid {what} {text!r}: host bits set (strict); the network is {net}")
    return ParsedNetwork(text, net, host_bits)


def _network_or_address(value: Any, what: str) -> tuple[IPNetwork, bool]:
    """A network, or a single address as its /32 or /128; the flag says it was an address."""
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return ipaddress.ip_network(value), True
    if isinstance(value, str) and "/" not in value:
        return ipaddress.ip_network(parse_address(value, what=what)), True
    return parse_network(value, what=what).network, False


# --------------------------------------------------------------------------------------------
# Integer helpers (the hot paths)

_NETWORK_CLASS = {4: ipaddress.IPv4Network, 6: ipaddress.IPv6Network}


def make_network(version: int, start: int, prefix_length: int, *, strict: bool = True) -> IPNetwork:
    """An ipaddress network object from integers (the version is explicit: 0 is also IPv4)."""
    return _NETWORK_CLASS[version]((start, prefix_length), strict=strict)


def format_address(version: int, value: int) -> str:
    """The text form of an address integer, exactly as `ipaddress` writes it (RFC 5952 for
    IPv6), but through `socket.inet_ntop` where that agrees: ipaddress writes ::ffff:a.b.c.d
    and ::a.b.c.d in hex, libc in dotted quads, so those two ranges go through ipaddress."""
    if version == 4:
        return socket.inet_ntoa(value.to_bytes(4, "big"))
    if value >> 32 in (0, 0xFFFF):
        return str(ipaddress.IPv6Address(value))
    return socket.inet_ntop(socket.AF_INET6, value.to_bytes(16, "big"))


def _block_first(first: int, last: int, bits: int) -> tuple[int, int]:
    """The largest aligned block starting at `first` inside [first, last]: (host bits, size)."""
    align = (first & -first).bit_length() - 1 if first else bits
    fit = (last - first + 1).bit_length() - 1
    host = align if align < fit else fit
    return host, 1 << host


def range_blocks(first: int, last: int, bits: int) -> Iterator[tuple[int, int]]:
    """Minimal CIDR blocks covering the integer range [first, last]: (start, prefix length)."""
    while first <= last:
        host, size = _block_first(first, last, bits)
        yield first, bits - host
        first += size


def range_block_count(first: int, last: int) -> int:
    """How many blocks `range_blocks` yields for [first, last], without producing them: one
    per set bit of the part below the first alignment point plus one per set bit above it."""
    if first > last:
        return 0
    # Blocks grow while `first` gains alignment, then shrink while the remainder is covered.
    count = 0
    while first <= last:
        align = (first & -first).bit_length() - 1 if first else 128 + 1
        fit = (last - first + 1).bit_length() - 1
        if align >= fit:
            # From here the rest [first, last] is covered by one block per set bit of its size.
            return count + (last - first + 1).bit_count()
        count += 1
        first += 1 << align
    return count


# --------------------------------------------------------------------------------------------
# Network information


@dataclass(frozen=True, slots=True)
class RegistryMatch:
    """A network against the special-purpose registries (see RegistryClass)."""

    classification: RegistryClass
    entries: tuple[Any, ...]  # netutil.registry.Entry, most specific first

    @property
    def globally_reachable(self) -> bool | None:
        """True outside every entry, the entry's flag when inside one, None when mixed."""
        if self.classification is RegistryClass.GLOBAL:
            return True
        if self.classification is RegistryClass.INSIDE:
            return self.entries[0].globally_reachable
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "classification": self.classification.value,
            "globally_reachable": self.globally_reachable,
            "entries": [e.as_dict() for e in self.entries],
        }


def classify_network(network: IPNetwork) -> RegistryMatch | None:
    """Where `network` sits against the IANA special-purpose registries: wholly inside one
    entry, overlapping several, or global. None when no registry module is available."""
    try:
        from netutil import registry
    except ImportError:
        return None
    entries = tuple(registry.overlapping(network))
    if not entries:
        return RegistryMatch(RegistryClass.GLOBAL, ())
    if all(network.subnet_of(_entry_network(e)) for e in entries):
        # Every entry it touches holds all of it: the most specific one decides.
        return RegistryMatch(RegistryClass.INSIDE, (entries[0],))
    return RegistryMatch(RegistryClass.OVERLAPPING, entries)


def _entry_network(entry: Any) -> IPNetwork:
    prefix = entry.prefix
    if isinstance(prefix, str):
        return ipaddress.ip_network(prefix)
    return prefix


def _binary_mask(version: int, plen: int) -> str:
    bits = BITS[version]
    ones = "1" * plen + "0" * (bits - plen)
    group = 8 if version == 4 else 16
    sep = "." if version == 4 else ":"
    return sep.join(ones[i : i + group] for i in range(0, bits, group))


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    """Everything about one network: masks, bounds, usable hosts (RFC 3021 /31 and RFC 6164
    /127 point-to-point links, /32 and /128 single hosts), neighbours, and its registry class."""

    input: str
    network: IPNetwork
    host_bits_set: bool
    registry: RegistryMatch | None

    @property
    def version(self) -> int:
        return self.network.version

    @property
    def prefix_length(self) -> int:
        return self.network.prefixlen

    @property
    def host_semantics(self) -> HostSemantics:
        host = BITS[self.version] - self.prefix_length
        if host == 0:
            return HostSemantics.SINGLE_HOST
        if host == 1:
            return HostSemantics.POINT_TO_POINT
        return HostSemantics.SUBNET

    @property
    def num_addresses(self) -> int:
        return 1 << (BITS[self.version] - self.prefix_length)

    @property
    def num_usable(self) -> int:
        return usable_hosts(self.version, self.prefix_length)

    @property
    def first_host(self) -> IPAddress:
        first = int(self.network.network_address)
        if self.host_semantics is HostSemantics.SUBNET:
            first += 1
        return self.network.network_address.__class__(first)

    @property
    def last_host(self) -> IPAddress:
        last = int(self.network.broadcast_address)
        if self.version == 4 and self.host_semantics is HostSemantics.SUBNET:
            last -= 1
        return self.network.network_address.__class__(last)

    @property
    def broadcast_address(self) -> ipaddress.IPv4Address | None:
        """IPv4 only, and not for /31 (RFC 3021 section 2.2) or /32: they have none."""
        if self.version != 4 or self.host_semantics is not HostSemantics.SUBNET:
            return None
        return self.network.broadcast_address

    def _sibling(self, step: int) -> IPNetwork | None:
        size = self.num_addresses
        start = int(self.network.network_address) + step * size
        if start < 0 or start + size > 1 << BITS[self.version]:
            return None
        return make_network(self.version, start, self.prefix_length)

    @property
    def previous_network(self) -> IPNetwork | None:
        return self._sibling(-1)

    @property
    def next_network(self) -> IPNetwork | None:
        return self._sibling(1)

    @property
    def supernet(self) -> IPNetwork | None:
        return self.network.supernet() if self.prefix_length else None

    @property
    def warning(self) -> str | None:
        if not self.host_bits_set:
            return None
        return f"host bits set in {self.input!r}: the network is {self.network}"

    def as_dict(self) -> dict[str, Any]:
        def s(x: object) -> str | None:
            return None if x is None else str(x)

        semantics = self.host_semantics
        return {
            "input": self.input,
            "version": self.version,
            "network": str(self.network),
            "network_address": str(self.network.network_address),
            "prefix_length": self.prefix_length,
            "netmask": str(self.network.netmask),
            "hostmask": str(self.network.hostmask),
            "netmask_binary": _binary_mask(self.version, self.prefix_length),
            "broadcast_address": s(self.broadcast_address),
            "first_host": str(self.first_host),
            "last_host": str(self.last_host),
            "num_addresses": str(self.num_addresses),
            "num_usable": str(self.num_usable),
            "host_semantics": semantics.value,
            "host_semantics_rfc": _SEMANTICS_RFC.get((self.version, semantics)),
            "previous_network": s(self.previous_network),
            "next_network": s(self.next_network),
            "supernet": s(self.supernet),
            "host_bits_set": self.host_bits_set,
            "warning": self.warning,
            "registry": self.registry.as_dict() if self.registry else None,
        }


_SEMANTICS_RFC = {
    (4, HostSemantics.POINT_TO_POINT): "RFC 3021",
    (6, HostSemantics.POINT_TO_POINT): "RFC 6164",
    (6, HostSemantics.SUBNET): "RFC 4291",
}


def usable_hosts(version: int, prefix_length: int) -> int:
    """Usable host addresses in one block (see HostSemantics)."""
    host = BITS[version] - prefix_length
    if host <= 1:
        return 1 << host
    return (1 << host) - (2 if version == 4 else 1)


def network_info(network: Any, *, strict: bool = False) -> NetworkInfo:
    """Facts about `network` (text such as '10.1.2.3/24', or an ipaddress network/interface)."""
    parsed = parse_network(network, strict=strict)
    return NetworkInfo(
        parsed.text, parsed.network, parsed.host_bits_set, classify_network(parsed.network)
    )
