"""One network: parsing (`ADDRESS[/PREFIXLEN]`, IPv4 netmasks too) and `NetworkInfo`, what a
block holds (masks, bounds, usable hosts per RFC 3021 and RFC 6164) and where it sits against
the IANA special-purpose registries (RFC 6890)."""

from __future__ import annotations

import enum
import ipaddress

from netutil.address_text import format_address, network_text
from netutil.errors import InvalidInput, shown
from netutil.record import Record

TYPE_CHECKING = False  # typing costs ~2 ms of start-up (`ip info ADDR/LEN` imports this package)
if TYPE_CHECKING:
    from typing import Any

    IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
    IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

BITS = {4: 32, 6: 128}
#: Longest address text (IPv6 with embedded IPv4, and a zone: see netutil.address.LONGEST).
_LONGEST = 45 + 1 + 15


class HostSemantics(enum.Enum):
    """How the addresses of a block are used, which decides its usable hosts."""

    #: An ordinary subnet: IPv4 loses the network and broadcast addresses, IPv6 the
    #: Subnet-Router anycast address (RFC 4291 section 2.6.1).
    SUBNET = "subnet"
    #: A /31 (RFC 3021) or /127 (RFC 6164) point-to-point link: both addresses are hosts.
    POINT_TO_POINT = "point_to_point"
    #: A /32 or /128: the one address is the host.
    SINGLE_HOST = "single_host"


class RegistryClass(enum.Enum):
    """Where a network sits against the IANA special-purpose address registries."""

    INSIDE = "inside"  # wholly inside one entry (the most specific one is named)
    OVERLAPPING = "overlapping"  # intersects entries without lying inside one: all are named
    GLOBAL = "global"  # intersects no entry (and lies not wholly in multicast space)
    #: wholly in multicast space, which the registries do not cover: its blocks decide
    MULTICAST = "multicast"


# --------------------------------------------------------------------------------------------
# Parsing


def _lower_first(message: str) -> str:
    return message[:1].lower() + message[1:] if message else message


def _parse_address_text(text: str, original: str, what: str) -> IPAddress:
    """An address through `ipaddress`, with its own reason in our one-line message (text
    longer than any address is refused first: ipaddress's reason would repeat it whole)."""
    if len(text) > _LONGEST:
        raise InvalidInput(
            f"invalid {what} {shown(original)}: longer than any address ({_LONGEST} characters)"
        )
    try:
        if ":" in text:
            return ipaddress.IPv6Address(text)
        return ipaddress.IPv4Address(text)
    except ipaddress.AddressValueError as exc:
        reason = _lower_first(str(exc)) if text else "empty address"
        raise InvalidInput(f"invalid {what} {shown(original)}: {reason}") from None


def parse_address(value: str | IPAddress, *, what: str = "address") -> IPAddress:
    """One IPv4 or IPv6 address (no prefix length); InvalidInput names what is wrong."""
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return value
    if not isinstance(value, str):
        raise InvalidInput(f"invalid {what} {shown(value)}: expected text")
    text = value.strip()
    if "/" in text:
        raise InvalidInput(
            f"invalid {what} {shown(value)}: expected an address without a prefix length"
        )
    return _parse_address_text(text, value, what)


class ParsedNetwork(Record):
    """A network as given: the network it means and whether host bits were set."""

    _fields = ("text", "network", "host_bits_set")
    __slots__ = _fields

    text: str
    network: IPNetwork
    host_bits_set: bool

    @property
    def warning(self) -> str | None:
        if not self.host_bits_set:
            return None
        return f"host bits set in {self.text!r}: the network is {network_text(self.network)}"


def parse_network(value: Any, *, strict: bool = False, what: str = "network") -> ParsedNetwork:
    """Parse `ADDRESS[/PREFIXLEN]` (IPv4 also `/NETMASK` or `/HOSTMASK`), or take an ipaddress
    network, interface or address. Host bits set (`10.1.2.3/24`) mean the network around them
    (10.1.2.0/24), reported as `host_bits_set`; with `strict` they are an error."""
    if isinstance(value, ipaddress.IPv4Network | ipaddress.IPv6Network):
        return ParsedNetwork(network_text(value), value, False)
    if isinstance(value, ipaddress.IPv4Interface | ipaddress.IPv6Interface):
        text, net = f"{_address_text(value.ip)}/{value.network.prefixlen}", value.network
        host_bits = value.ip != net.network_address
    elif isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return ParsedNetwork(_address_text(value), ipaddress.ip_network(value), False)
    elif isinstance(value, str):
        text = value
        addr_text, slash, plen_text = value.strip().partition("/")
        addr = _parse_address_text(addr_text, value, what)
        bits = BITS[addr.version]
        if not slash:
            plen = bits
        elif plen_text.isascii() and plen_text.isdigit():
            plen = int(plen_text) if len(plen_text) <= 3 else bits + 1
            if plen > bits:
                raise InvalidInput(
                    f"invalid {what} {shown(value)}: prefix length {plen_text.lstrip('0') or 0}"
                    f" out of range 0-{bits} for IPv{addr.version}"
                    if len(plen_text) <= 3
                    else f"invalid {what} {shown(value)}: prefix length {shown(plen_text)} out of"
                    f" range 0-{bits} for IPv{addr.version}"
                )
        elif not plen_text:
            raise InvalidInput(f"invalid {what} {shown(value)}: missing prefix length after '/'")
        elif addr.version == 4:
            try:
                plen = ipaddress.IPv4Network(f"0.0.0.0/{plen_text}").prefixlen
            except ValueError:
                raise InvalidInput(
                    f"invalid {what} {shown(value)}: {shown(plen_text)} is neither a prefix length"
                    " nor a netmask"
                ) from None
        else:
            raise InvalidInput(
                f"invalid {what} {shown(value)}: prefix length {shown(plen_text)} is not a number"
            )
        net = make_network(addr.version, int(addr), plen, strict=False)
        host_bits = int(addr) != int(net.network_address)
    else:
        raise InvalidInput(f"invalid {what} {shown(value)}: expected text like '192.0.2.0/24'")
    if host_bits and strict:
        raise InvalidInput(
            f"invalid {what} {shown(text)}: host bits set (strict); the network is"
            f" {network_text(net)}"
        )
    return ParsedNetwork(text, net, host_bits)


def _network_or_address(value: Any, what: str, strict: bool = False) -> tuple[IPNetwork, bool]:
    """A network, or a single address as its /32 or /128; the flag says it was an address."""
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return ipaddress.ip_network(value), True
    if isinstance(value, str) and "/" not in value:
        return ipaddress.ip_network(parse_address(value, what=what)), True
    return parse_network(value, what=what, strict=strict).network, False


_NETWORK_CLASS = {4: ipaddress.IPv4Network, 6: ipaddress.IPv6Network}


def make_network(version: int, start: int, prefix_length: int, *, strict: bool = True) -> IPNetwork:
    """An ipaddress network object from integers (the version is explicit: 0 is also IPv4)."""
    return _NETWORK_CLASS[version]((start, prefix_length), strict=strict)


def _address_text(address: Any) -> str:
    return format_address(address.version, int(address))


# --------------------------------------------------------------------------------------------
# Network information


class RegistryMatch(Record):
    """A network against the special-purpose registries (see RegistryClass), and the multicast
    blocks it meets (`netutil.multicast`: the registries hold none)."""

    _fields = ("classification", "entries", "multicast")
    __slots__ = _fields

    classification: RegistryClass
    entries: tuple[Any, ...]  # netutil.registry.Entry, most specific first
    multicast: tuple[Any, ...]  # netutil.multicast.MulticastBlock, in address order

    @property
    def globally_reachable(self) -> bool | None:
        """The entry's flag when inside one; the multicast blocks' shared verdict when wholly
        in multicast space; True outside every entry and block; None when mixed."""
        if self.classification is RegistryClass.INSIDE:
            return self.entries[0].globally_reachable
        if self.classification is RegistryClass.MULTICAST:
            verdicts = {b.globally_reachable for b in self.multicast}
            return verdicts.pop() if len(verdicts) == 1 else None
        if self.classification is RegistryClass.GLOBAL and not self.multicast:
            return True
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "classification": self.classification.value,
            "globally_reachable": self.globally_reachable,
            "entries": [e.as_dict() for e in self.entries],
            "multicast": [b.as_dict() for b in self.multicast],
        }


def classify_network(network: IPNetwork) -> RegistryMatch:
    """Where `network` sits against the IANA special-purpose registries (non-terminated
    entries; RFC 6890): wholly inside one entry, overlapping several, wholly in multicast
    space (decided by `netutil.multicast`), or global."""
    from netutil import multicast, registry  # loaded on first use

    first, last = int(network.network_address), int(network.broadcast_address)
    blocks = multicast.blocks_in(network.version, first, last)
    entries = tuple(registry.overlapping(network))
    if not entries:
        if blocks and blocks[0].first <= first and blocks[-1].last >= last:
            return RegistryMatch(RegistryClass.MULTICAST, (), blocks)
        return RegistryMatch(RegistryClass.GLOBAL, (), blocks)
    if all(network.subnet_of(e.prefix) for e in entries):
        # Every entry it touches holds all of it: the most specific one decides.
        return RegistryMatch(RegistryClass.INSIDE, (entries[0],), blocks)
    return RegistryMatch(RegistryClass.OVERLAPPING, entries, blocks)


def _binary_mask(version: int, plen: int) -> str:
    bits = BITS[version]
    ones = "1" * plen + "0" * (bits - plen)
    group = 8 if version == 4 else 16
    sep = "." if version == 4 else ":"
    return sep.join(ones[i : i + group] for i in range(0, bits, group))


class NetworkInfo(Record):
    """Everything about one network: masks, bounds, usable hosts (RFC 3021 /31 and RFC 6164
    /127 point-to-point links, /32 and /128 single hosts), neighbours, and its registry class."""

    _fields = ("input", "network", "host_bits_set", "registry")
    __slots__ = _fields

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
        return f"host bits set in {self.input!r}: the network is {network_text(self.network)}"

    def as_dict(self) -> dict[str, Any]:
        def net(x: IPNetwork | None) -> str | None:
            return None if x is None else network_text(x)

        semantics = self.host_semantics
        broadcast = self.broadcast_address
        return {
            "input": self.input,
            "version": self.version,
            "network": network_text(self.network),
            "network_address": _address_text(self.network.network_address),
            "prefix_length": self.prefix_length,
            "netmask": _address_text(self.network.netmask),
            "hostmask": _address_text(self.network.hostmask),
            "netmask_binary": _binary_mask(self.version, self.prefix_length),
            "broadcast_address": None if broadcast is None else _address_text(broadcast),
            "first_host": _address_text(self.first_host),
            "last_host": _address_text(self.last_host),
            "num_addresses": str(self.num_addresses),
            "num_usable": str(self.num_usable),
            "host_semantics": semantics.value,
            "host_semantics_rfc": _SEMANTICS_RFC.get((self.version, semantics)),
            "previous_network": net(self.previous_network),
            "next_network": net(self.next_network),
            "supernet": net(self.supernet),
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
