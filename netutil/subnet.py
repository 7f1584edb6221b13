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
from itertools import repeat
from operator import and_

from netutil.errors import InvalidInput, LimitExceeded
from netutil.record import Record

TYPE_CHECKING = False  # typing costs ~2 ms of start-up (`ip info ADDR/LEN` imports this module)
if TYPE_CHECKING:
    from array import array
    from collections.abc import Iterable, Iterator
    from typing import Any

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
        raise InvalidInput(
            f"invalid {what} {text!r}: host bits set (strict); the network is {network_text(net)}"
        )
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
    """The text form of an address integer: `netutil.address.format_address` (RFC 5952, with
    IPv4-mapped addresses in section 5's mixed notation `::ffff:192.0.2.1`, on every Python),
    without a call into it in the common cases: IPv4 inline, IPv6 above ::ffff:ffff:ffff (where
    no mixed notation applies) through libc's `inet_ntop`."""
    if version == 4:
        return f"{value >> 24}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"
    if value > 0xFFFFFFFFFFFF:
        return _ntop6()(value.to_bytes(16, "big"))
    from netutil.address import format_address as address_text  # ::/80: mapped, compatible

    return address_text(6, value)


def network_text(network: IPNetwork) -> str:
    """'address/prefix' with the address spelled by `format_address` (ipaddress's own text
    writes IPv4-mapped networks in hex groups before Python 3.13 and mixed from 3.13 on)."""
    return f"{format_address(network.version, int(network.network_address))}/{network.prefixlen}"


def _address_text(address: Any) -> str:
    return format_address(address.version, int(address))


_NTOP6: list[Any] = []


def _ntop6() -> Any:
    """`socket.inet_ntop` bound to AF_INET6 (socket is imported on first use, not at start-up)."""
    if not _NTOP6:
        # `_socket` is the C module that `socket` re-exports inet_pton/inet_ntop from; importing
        # `socket` itself would add selectors, enum flags etc. (~0.6 MB and start-up time).
        import _socket as socket
        import functools

        _NTOP6.append(functools.partial(socket.inet_ntop, socket.AF_INET6))
    return _NTOP6[0]


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
    """How many blocks `range_blocks` yields for [first, last], without producing them: one per
    set bit of each side of the aligned boundary inside the range (see `_range_parts`)."""
    if first > last:
        return 0
    if first == last:
        return 1
    k = (first ^ last).bit_length() - 1
    mid = last >> k << k
    left, right = mid - first, last + 1 - mid
    if left == right == 1 << k:
        return 1
    return left.bit_count() + right.bit_count()


# --------------------------------------------------------------------------------------------
# Network information


class RegistryMatch(Record):
    """A network against the special-purpose registries (see RegistryClass)."""

    _fields = ("classification", "entries")
    __slots__ = _fields

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


def classify_network(network: IPNetwork) -> RegistryMatch:
    """Where `network` sits against the IANA special-purpose registries (non-terminated
    entries; RFC 6890): wholly inside one entry, overlapping several, or global."""
    from netutil import registry  # loaded on first use

    entries = tuple(registry.overlapping(network))
    if not entries:
        return RegistryMatch(RegistryClass.GLOBAL, ())
    if all(network.subnet_of(e.prefix) for e in entries):
        # Every entry it touches holds all of it: the most specific one decides.
        return RegistryMatch(RegistryClass.INSIDE, (entries[0],))
    return RegistryMatch(RegistryClass.OVERLAPPING, entries)


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


# --------------------------------------------------------------------------------------------
# Lists of networks: one lazy result type for split, summarize, range and exclude

#: Most items a list result gives out in one go without an explicit limit (2**24: all /32s of
#: a /8). Past it, ask for a page (`limit`), because 2**96 children never finish.
MAX_ITEMS_WITHOUT_LIMIT = 1 << 24
#: Most items a list result materializes at once (`as_dict(lazy=False)`); stream past it.
MAX_MATERIALIZED_ITEMS = 1_000_000

_V4_HIGH: list[str] = []
_V4_LOW: list[str] = []


#: Items formatted per list comprehension when text is made in bulk.
_FORMAT_CHUNK = 4096
#: Fewest IPv4 addresses to format before the tables below pay for their ~20-40 ms.
_TABLES_PAY_OFF = 50_000


def _v4_tables() -> tuple[list[str], list[str]]:
    """'a.b.' for the top 16 bits and 'c.d' for the low 16, built once: formatting a million
    IPv4 addresses is then two lookups each instead of a socket call and a bytes object."""
    if not _V4_HIGH:
        octets = [str(i) for i in range(256)]
        _V4_LOW.extend(f"{a}.{b}" for a in octets for b in octets)
        _V4_HIGH.extend(f"{ab}." for ab in _V4_LOW)
    return _V4_HIGH, _V4_LOW


class _SplitSource:
    """The children of one network at a longer prefix, computed by index (never enumerated)."""

    __slots__ = ("base", "new_prefix", "total", "version")

    @property
    def has_v4(self) -> bool:
        return self.version == 4

    def __init__(self, version: int, base: int, new_prefix: int, total: int) -> None:
        self.version, self.base, self.new_prefix, self.total = version, base, new_prefix, total

    def blocks(self, start: int) -> Iterator[tuple[int, int, int]]:
        version, plen = self.version, self.new_prefix
        step = 1 << (BITS[version] - plen)
        addr = self.base + start * step
        for _ in range(start, self.total):
            yield version, addr, plen
            addr += step

    def cidrs(self, start: int) -> Iterator[str]:
        version, plen = self.version, self.new_prefix
        step = 1 << (BITS[version] - plen)
        addr = self.base + start * step
        suffix = f"/{plen}"
        if version == 4 and self.total - start >= _TABLES_PAY_OFF:
            high, low = _v4_tables()
            for _ in range(start, self.total):
                yield f"{high[addr >> 16]}{low[addr & 0xFFFF]}{suffix}"
                addr += step
        elif version == 4:
            for _ in range(start, self.total):
                yield f"{addr >> 24}.{addr >> 16 & 255}.{addr >> 8 & 255}.{addr & 255}{suffix}"
                addr += step
        else:
            for _ in range(start, self.total):
                yield format_address(6, addr) + suffix
                addr += step

    def requested(self, index: int) -> int | None:
        return None


_SUFFIX = {v: [f"/{b - h}" for h in range(b + 1)] for v, b in BITS.items()}  # by host bits


class _PackedSource:
    """Blocks held as packed integers `first << 8 | host_bits`, IPv4 ones before IPv6 ones."""

    __slots__ = ("bulk", "requests", "total", "v4", "v6")

    def __init__(
        self,
        v4: list[int] | array[int],
        v6: list[int],
        requests: list[int] | None = None,
        *,
        bulk: bool = False,
    ) -> None:
        self.v4, self.v6, self.requests = v4, v6, requests
        self.total = len(v4) + len(v6)
        self.bulk = bulk  # from a long list, with NumPy loaded: write the IPv4 text with it too

    @property
    def has_v4(self) -> bool:
        return bool(self.v4)

    def blocks(self, start: int) -> Iterator[tuple[int, int, int]]:
        n4 = len(self.v4)
        for version, packed, skip in ((4, self.v4, start), (6, self.v6, start - n4)):
            bits = BITS[version]
            for i in range(max(skip, 0), len(packed)):
                k = packed[i]
                yield version, k >> 8, bits - (k & 255)

    def cidrs(self, start: int) -> Iterator[str]:
        from itertools import islice

        n4 = len(self.v4)
        if start < n4:
            suffix = _SUFFIX[4]
            if self.bulk:
                from netutil import prefix_array

                v4 = self.v4
                for i in range(start, n4, prefix_array.TEXT_CHUNK):
                    yield from prefix_array.cidr_text(v4[i : i + prefix_array.TEXT_CHUNK])
            elif n4 - start >= _TABLES_PAY_OFF:
                # a list comprehension a chunk at a time: the cheapest way CPython has to make
                # many strings, handed on through `yield from` (a list iterator, not a frame)
                high, low = _v4_tables()
                v4 = self.v4
                for i in range(start, n4, _FORMAT_CHUNK):
                    yield from [
                        f"{high[k >> 24]}{low[k >> 8 & 0xFFFF]}{suffix[k & 255]}"
                        for k in v4[i : i + _FORMAT_CHUNK]
                    ]
            else:
                for k in islice(self.v4, start, None):
                    a = k >> 8
                    yield f"{a >> 24}.{a >> 16 & 255}.{a >> 8 & 255}.{a & 255}{suffix[k & 255]}"
        if self.v6:
            ntop, suffix = _ntop6(), _SUFFIX[6]
            for k in islice(self.v6, max(start - n4, 0), None):
                a = k >> 8
                if a > 0xFFFFFFFFFFFF:  # see format_address
                    yield ntop(a.to_bytes(16, "big")) + suffix[k & 255]
                else:
                    yield format_address(6, a) + suffix[k & 255]

    def requested(self, index: int) -> int | None:
        return None if self.requests is None else self.requests[index]


class CidrList(Record):
    """A list of CIDR blocks produced lazily, with its total known up front.

    JSON shape (`as_dict`): the operation's own header keys, then `total` (decimal string),
    `start` (decimal string: index of the first item given), `limit` (number or null), `count`
    (items given), `next_start` (decimal string, or null at the end) and `items` last, each
    `{"network", "version", "first_address", "last_address", "num_addresses", "num_usable",
    "hosts_requested"}`. A page is `as_dict(start=K, limit=N)`; item K is computed directly.
    """

    _fields = ("operation", "header", "source")
    __slots__ = _fields

    operation: str
    header: tuple[tuple[str, Any], ...]
    source: _SplitSource | _PackedSource | _RangeSource

    @property
    def total(self) -> int:
        return self.source.total

    def _check_start(self, start: int) -> int:
        try:
            start = int(start)
        except (TypeError, ValueError):
            raise InvalidInput(f"invalid start {start!r}: expected a whole number") from None
        if start < 0 or start > self.total:
            raise InvalidInput(
                f"invalid start {start}: out of range 0-{self.total} ({self.total} items)"
            )
        return start

    def blocks(self, start: int = 0) -> Iterator[tuple[int, int, int]]:
        """(version, first address as int, prefix length) from item `start` on."""
        return self.source.blocks(self._check_start(start))

    def networks(self, start: int = 0) -> Iterator[IPNetwork]:
        """The blocks as ipaddress network objects."""
        for version, first, plen in self.blocks(start):
            yield make_network(version, first, plen)

    def cidrs(self, start: int = 0) -> Iterator[str]:
        """The blocks as 'address/prefix' text (ipaddress's spelling), cheaply."""
        return self.source.cidrs(self._check_start(start))

    def items(self, start: int = 0, limit: int | None = None) -> Iterator[dict[str, Any]]:
        """One JSON object per block, from `start`, at most `limit` of them."""
        start = self._check_start(start)
        many = (self.total - start if limit is None else limit) >= _TABLES_PAY_OFF
        high, low = _v4_tables() if self.source.has_v4 and many else ([], [])
        index = start
        stop = None if limit is None else start + limit
        requested = self.source.requested
        for version, first, plen in self.source.blocks(start):
            if index == stop:
                return
            host = BITS[version] - plen
            last = first + (1 << host) - 1
            if version == 4 and high:
                a, b = (
                    f"{high[first >> 16]}{low[first & 0xFFFF]}",
                    f"{high[last >> 16]}{low[last & 0xFFFF]}",
                )
            elif version == 4:
                a, b = format_address(4, first), format_address(4, last)
            else:
                a, b = format_address(6, first), format_address(6, last)
            yield {  # the item shape (see the class docstring)
                "network": f"{a}/{plen}",
                "version": version,
                "first_address": a,
                "last_address": b,
                "num_addresses": str(1 << host),
                "num_usable": str(usable_hosts(version, plen)),
                "hosts_requested": requested(index),
            }
            index += 1

    def as_dict(
        self, start: int = 0, limit: int | None = None, *, lazy: bool = False
    ) -> dict[str, Any]:
        """The JSON object (see the class docstring); with `lazy`, `items` is an iterator so an
        adapter can stream it in constant memory."""
        start = self._check_start(start)
        if limit is not None and (
            not isinstance(limit, int) or isinstance(limit, bool) or limit < 0
        ):
            raise InvalidInput(f"invalid limit {limit!r}: expected a whole number >= 0")
        count = self.total - start if limit is None else min(limit, self.total - start)
        if limit is None and count > MAX_ITEMS_WITHOUT_LIMIT:
            raise LimitExceeded(
                f"{self.operation} gives {self.total} items, more than"
                f" {MAX_ITEMS_WITHOUT_LIMIT} at once: ask for a page with a limit"
            )
        if not lazy and count > MAX_MATERIALIZED_ITEMS:
            raise LimitExceeded(
                f"{self.operation}: {count} items is more than {MAX_MATERIALIZED_ITEMS} in one"
                " page: use a smaller limit"
            )
        items = self.items(start, count)
        end = start + count
        return {
            **dict(self.header),
            "total": str(self.total),
            "start": str(start),
            "limit": limit,
            "count": count,
            "next_start": str(end) if end < self.total else None,
            "items": items if lazy else list(items),
        }


# --------------------------------------------------------------------------------------------
# Bulk parsing and merging (sort-and-merge over packed integers)

_HOST_BITS = {4: {str(p): 32 - p for p in range(33)}, 6: {str(p): 128 - p for p in range(129)}}


class _Keys(Record):
    """Parsed list input. IPv6 blocks are packed `first << 8 | host_bits`; IPv4 blocks sit in
    256 buckets by first octet, packed `(first & 0xFFFFFF) << 6 | host_bits`: keys below 2**30
    are one-digit Python ints, which sort about twice as fast as the 38-bit keys would. The
    buckets are `array('I')`s (4 bytes a key instead of a 32-byte int object and a pointer):
    a bucket's keys become int objects only when it is sorted, side by side in memory, so
    the sort and the merge read them from cache instead of from all over the heap. A long
    list's IPv4 keys come in NumPy arrays instead, `bulk` (see `netutil.prefix_array`); its
    buckets then hold only the items that took the per-item path."""

    _fields = ("v4", "v6", "count", "bulk")
    __slots__ = _fields

    v4: list[array[int]] | list[list[int]]
    v6: list[int]
    count: int
    bulk: list[Any]


#: Items from which a list is parsed in NumPy arrays (`netutil.prefix_array`): importing NumPy
#: costs about what the per-item loop spends on 200,000 items.
_BULK_FROM = 200_000
#: Items parsed per NumPy pass (~1 MB of text: the arrays stay in cache, memory stays flat).
_BULK_CHUNK = 65_536


def _parse_keys(
    items: Iterable[Any],
    errors: list[tuple[int, str]] | None,
    what: str,
    only: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None,
    *,
    compact: bool = True,
) -> _Keys:
    """Parse many networks/addresses into packed keys. The usual spelling goes through libc's
    strict `inet_pton` (same syntax as ipaddress: no leading zeros, no short forms), or for a
    long list through `netutil.prefix_array` (the same strict IPv4 syntax, in NumPy); anything
    else through `parse_network`, which accepts what ipaddress accepts and words the error.
    Blank items are skipped. A bad item (or, with `only`, one of the other IP version) raises,
    or with `errors` is recorded as (position, message) and skipped. With `compact` False the
    IPv4 buckets are plain lists (see _Keys: worth it when the keys that matter all fall in one
    bucket, whose int objects are then made side by side anyway)."""
    if isinstance(items, str | bytes):
        raise InvalidInput(f"invalid {what} list {items!r}: expected a list of networks")
    from array import array
    from itertools import chain, islice

    items = iter(items)
    head = list(islice(items, _BULK_FROM))
    if len(head) == _BULK_FROM and (only is None or only.version == 4):
        return _parse_bulk(chain(head, items), errors, what, only)
    v4 = [array("I") if compact else [] for _ in range(256)]
    v6: list[int] = []
    skipped = _parse_each(chain(head, items), errors, what, only, v4, v6)
    count = sum(map(len, v4)) + len(v6) + skipped
    if count > MAX_INPUT_ITEMS:
        raise LimitExceeded(f"more than {MAX_INPUT_ITEMS} items in the {what} list")
    return _Keys(v4, v6, count, [])


def _parse_bulk(
    items: Iterator[Any],
    errors: list[tuple[int, str]] | None,
    what: str,
    only: ipaddress.IPv4Network | ipaddress.IPv6Network | None,
) -> _Keys:
    """`_parse_keys` for a long list: a chunk at a time, the lines NumPy takes as keys, the rest
    item by item with their positions in the whole list."""
    from itertools import islice

    from netutil import prefix_array

    v4: list[list[int]] = [[] for _ in range(256)]
    v6: list[int] = []
    bulk = []
    count = 0
    items = islice(items, MAX_INPUT_ITEMS + 1)
    while chunk := list(islice(items, _BULK_CHUNK)):
        if count + len(chunk) > MAX_INPUT_ITEMS:
            raise LimitExceeded(f"more than {MAX_INPUT_ITEMS} items in the {what} list")
        parsed = prefix_array.parse_lines(chunk)
        keys, others = parsed if parsed is not None else (None, range(len(chunk)))
        if keys is not None and len(keys):
            bulk.append(keys)
        if others:
            where = [count + i + 1 for i in others]
            _parse_each([chunk[i] for i in others], errors, what, only, v4, v6, where)
        count += len(chunk)
    return _Keys(v4, v6, count, bulk)


def _parse_each(
    items: Iterable[Any],
    errors: list[tuple[int, str]] | None,
    what: str,
    only: ipaddress.IPv4Network | ipaddress.IPv6Network | None,
    v4: list[array[int]] | list[list[int]],
    v6: list[int],
    where: list[int] | None = None,
) -> int:
    """The per-item loop of `_parse_keys`: adds each item's key to `v4` or `v6` and returns
    how many it skipped (blank or, with `errors`, bad). `where` gives the items' positions in
    the whole list (1, 2, ... when None)."""
    import _socket as socket  # see _ntop6
    from itertools import islice

    pton, fb = socket.inet_pton, int.from_bytes
    af4, af6 = socket.AF_INET, socket.AF_INET6
    h4, h6 = _HOST_BITS[4], _HOST_BITS[6]
    add6 = v6.append
    refuse4 = False
    if only is not None:  # the other version takes the slow path, which words the error
        if only.version == 4:
            add6 = _refuse
        else:
            refuse4 = True
    before = sum(map(len, v4)) + len(v6)
    skipped = 0
    for item in islice(items, MAX_INPUT_ITEMS + 1):
        try:
            a, slash, p = item.partition("/")
            if ":" in a:
                h = h6[p] if slash else 0
                add6((fb(pton(af6, a), "big") >> h << h) << 8 | h)
            else:
                h = h4[p] if slash else 0
                if refuse4:
                    raise ValueError("the other IP version")
                x = fb(pton(af4, a), "big") >> h << h
                v4[x >> 24].append((x & 0xFFFFFF) << 6 | h)
            continue
        except (OSError, KeyError, ValueError, TypeError, AttributeError):
            pass
        position = sum(map(len, v4)) + len(v6) - before + skipped + 1
        if position > MAX_INPUT_ITEMS:
            raise LimitExceeded(f"more than {MAX_INPUT_ITEMS} items in the {what} list")
        if where is not None:
            position = where[position - 1]
        if isinstance(item, str) and not item.strip():
            skipped += 1
            continue
        try:
            net = _network_or_address(item, "network")[0]
            if only is not None and net.version != only.version:
                raise InvalidInput(
                    f"{item!r} is IPv{net.version} but the network {network_text(only)} is"
                    f" IPv{only.version}"
                )
        except InvalidInput as exc:
            if errors is None:
                raise InvalidInput(f"item {position}: {exc}") from None
            errors.append((position, str(exc)))
            skipped += 1
            continue
        h = BITS[net.version] - net.prefixlen
        x = int(net.network_address)
        if net.version == 4:
            v4[x >> 24].append((x & 0xFFFFFF) << 6 | h)
        else:
            v6.append(x << 8 | h)
    return skipped


def _refuse(key: int) -> None:
    raise ValueError("the other IP version")


def _merge(keys: list[int], bits: int) -> list[int]:
    """Sort packed blocks and merge them into the minimal list of blocks covering their union.

    One pass after the sort: a block starting inside or right after the current run extends it
    (CIDR blocks nest or are disjoint); a run that is exactly its first block is passed through,
    any other run is cut into the minimal blocks of its range."""
    if not keys:
        return []
    keys.sort()
    out: list[int] = []
    emit = out.append
    it = iter(keys)
    k = next(it)
    run_key, run_start = k, k >> 8
    run_end = run_start + (1 << (k & 255))  # exclusive
    single = True
    for k in it:
        s = k >> 8
        if s > run_end:
            if single:
                emit(run_key)
            else:
                out.extend(_packed_range(run_start, run_end - 1, bits))
            run_key, run_start, run_end, single = k, s, s + (1 << (k & 255)), True
        else:
            e = s + (1 << (k & 255))
            if e > run_end:
                run_end, single = e, False
    if single:
        emit(run_key)
    else:
        out.extend(_packed_range(run_start, run_end - 1, bits))
    return out


def _merge4(buckets: list[array[int]] | list[list[int]]) -> array[int]:
    """`_merge` for IPv4 keys in first-octet buckets (see _Keys): each bucket is sorted on its
    own; runs carry over from one bucket to the next (a block shorter than /8 spans several).
    The result is an `array('Q')` (8 bytes a block instead of a 40-byte int and a pointer).
    After a block nested in the run, every block that starts later but before the run's end is
    nested too (CIDR blocks nest or are disjoint; the block that reaches the run's end starts no
    later): they are skipped at once, found by bisection, so a list of mostly nested blocks
    costs a step per run rather than per block."""
    from array import array
    from bisect import bisect_left
    from itertools import islice

    out = array("Q")
    emit = out.append
    run_key = -1  # no run yet
    run_start = 0
    run_end = -2  # exclusive; below any start, so the first block opens a run
    single = True
    for octet, bucket in enumerate(buckets):
        if not bucket:
            continue
        base = octet << 24
        keys = sorted(bucket)
        it = enumerate(keys)
        for i, k in it:
            s = base | k >> 6
            if s > run_end:
                if single:
                    if run_key >= 0:
                        emit(run_key)
                else:
                    out.extend(_packed_range(run_start, run_end - 1, 32))
                run_key, run_start, single = s << 8 | (k & 63), s, True
                run_end = s + (1 << (k & 63))
            else:
                e = s + (1 << (k & 63))
                if e > run_end:
                    run_end, single = e, False
                elif (n := bisect_left(keys, (run_end - base) << 6, i + 1) - i - 1) and (
                    keys[i + 1] >> 6 != k >> 6  # (a larger block at the same start holds it)
                ):
                    next(islice(it, n, n), None)  # the nested blocks that follow
    if single:
        if run_key >= 0:
            emit(run_key)
    else:
        out.extend(_packed_range(run_start, run_end - 1, 32))
    return out


def _range_parts(first: int, last: int, bits: int) -> tuple[list[int], list[int]]:
    """The minimal CIDR blocks covering [first, last] as two lists, first addresses and host
    bits, straight from the bits: where `first` and `last` first differ lies an aligned
    boundary `mid`; [first, mid) is one block per set bit of mid - first (growing), [mid, last]
    one per set bit of last + 1 - mid (shrinking). At most 2 * bits blocks."""
    if first > last:
        return [], []
    if first == last:
        return [first], [0]
    k = (first ^ last).bit_length() - 1  # the highest bit in which they differ
    mid = last >> k << k
    left, right = mid - first, last + 1 - mid
    half = 1 << k
    if left == half and right == half:  # the whole aligned block of 2**(k+1)
        return [first], [k + 1]
    starts: list[int] = []
    hosts: list[int] = []
    while left:
        low = left & -left
        starts.append(first)
        hosts.append(low.bit_length() - 1)
        first += low
        left ^= low
    while right:
        host = right.bit_length() - 1
        starts.append(mid)
        hosts.append(host)
        mid += 1 << host
        right ^= 1 << host
    return starts, hosts


def _packed_range(first: int, last: int, bits: int) -> list[int]:
    """`_range_parts` as packed `first << 8 | host_bits`."""
    starts, hosts = _range_parts(first, last, bits)
    return [a << 8 | h for a, h in zip(starts, hosts, strict=True)]


# IPv6 range text: a range's block starts share their high 16-bit groups (see `_range_texts6`),
# so each block's text is a head made once per group, the hex of one byte of the group, and a
# tail by block size, put together in one list comprehension per range.

#: Zero groups below a block start's group g, written when the address has no run of two or
#: more zero groups above g (RFC 5952 section 4.2.2: two or more become '::', one is '0').
_V6_ZEROS = ("", ":0") + ("::",) * 6
#: Tables built on first use by `_v6_tables` (~1 ms): a byte in hex, unpadded and in two digits.
_HEX8: list[str] = []
_HEX8_PADDED: list[str] = []
#: Per group index g (0 = the lowest 16 bits) and by the value of a block's size bit inside the
#: group's low byte or its high byte (1 .. 128): '/prefix length'; and the tails, that after
#: `_V6_ZEROS[g]` (the high byte's tails start with the low byte's '00').
_SUFFIX_LOW: list[list[str]] = []
_SUFFIX_HIGH: list[list[str]] = []
_TAIL_LOW: list[list[str]] = []
_TAIL_HIGH: list[list[str]] = []
#: Per byte value: (byte value of the block start, size bit) of the blocks that one byte of a
#: group gives. Rounding up (left of `mid`): from the byte itself, its lowest set bit and then
#: each zero bit above it. Cutting down (right of `mid`): from zero, each set bit, highest first
#: (and the same without the first block, which starts at a zero byte).
_ROUND_UP: list[tuple[tuple[int, int], ...]] = []
_CUT_DOWN: list[tuple[tuple[int, int], ...]] = []
_CUT_DOWN_REST: list[tuple[tuple[int, int], ...]] = []
#: A piece of text that stands for one whole block: the tables and the pairs that repeat it once.
_ONCE_TABLE = ("",)
_ONCE = ((0, 0),)


def _v6_tables() -> None:
    """Build the tables above on first use."""
    if _HEX8:
        return
    _HEX8.extend(f"{x:x}" for x in range(256))
    _HEX8_PADDED.extend(f"{x:02x}" for x in range(256))
    for g in range(8):
        low, high = [""] * 129, [""] * 129
        for r in range(8):
            low[1 << r], high[1 << r] = f"/{128 - 16 * g - r}", f"/{120 - 16 * g - r}"
        _SUFFIX_LOW.append(low)
        _SUFFIX_HIGH.append(high)
        _TAIL_LOW.append([_V6_ZEROS[g] + s for s in low])
        _TAIL_HIGH.append(["00" + _V6_ZEROS[g] + s for s in high])
    for byte in range(256):
        lowest = byte & -byte
        up = [lowest] + [1 << r for r in range(8) if ~byte >> r & 1 and 1 << r > lowest]
        down = [1 << r for r in range(7, -1, -1) if byte >> r & 1]
        for sizes, start, table in ((up, byte, _ROUND_UP), (down, 0, _CUT_DOWN)):
            pairs = []
            for bit in sizes if byte else ():
                pairs.append((start, bit))
                start += bit
            table.append(tuple(pairs))
        _CUT_DOWN_REST.append(_CUT_DOWN[-1][1:])


def _v6_heads(value: int, text: str) -> tuple[Any, Any, Any, Any]:
    """Pieces of RFC 5952 text for addresses whose groups above g are those of `value` (written
    `text`), whose group g is nonzero and whose groups below g are zero, by group index g: the
    head (the text before group g), the zeros after it, and the tails (see `_TAIL_LOW`). Which
    run of zero groups becomes '::' does not depend on group g's value as long as it is not
    zero (section 4.2.3: the longest run of two or more, the first of equal ones), so these
    pieces serve every block start in group g. Only the groups above the lowest are used.
    `value` is above ::ffff:ffff:ffff (no mixed notation: section 5)."""
    if "::" not in text:  # no run of two or more zero groups: every group written, '::' below g
        g7, g6, g5, g4, g3, g2, g1, _ = text.split(":")
        h6 = g7 + ":"
        h5 = f"{h6}{g6}:"
        h4 = f"{h5}{g5}:"
        h3 = f"{h4}{g4}:"
        h2 = f"{h3}{g3}:"
        h1 = f"{h2}{g2}:"
        return (f"{h1}{g1}:", h1, h2, h3, h4, h5, h6, ""), _V6_ZEROS, _TAIL_LOW, _TAIL_HIGH
    groups = [value >> shift & 0xFFFF for shift in range(112, -1, -16)]  # the highest first
    hexes = [f"{x:x}" for x in groups]
    heads, zeros, tails_low, tails_high = [], [], [], []
    for g in range(8):
        n = 7 - g  # groups above g
        run = best = at = 0
        for i in range(n):  # the longest run of zero groups among them, the first of equals
            run = run + 1 if groups[i] == 0 else 0
            if run > best:
                best, at = run, i + 1 - run
        if g >= 2 and g > best:
            heads.append(":".join(hexes[:n]) + ":" if n else "")
            zeros.append("::")
        elif best >= 2:
            after = hexes[at + best : n]
            heads.append(":".join(hexes[:at]) + "::" + (":".join(after) + ":" if after else ""))
            zeros.append(":0" * g)
        else:
            heads.append(":".join(hexes[:n]) + ":" if n else "")
            zeros.append(":0" * g)
        tails_low.append([zeros[g] + s for s in _SUFFIX_LOW[g]])
        tails_high.append(["00" + zeros[g] + s for s in _SUFFIX_HIGH[g]])
    return heads, zeros, tails_low, tails_high


def _low_byte_run(head: str, high: int, tails: list[str], pairs: Any) -> tuple[Any, ...]:
    """A run of blocks whose size bits lie in group g's low byte: a nonzero high byte joins the
    head and the low byte is then written in two digits (see `_range_texts6`)."""
    if high:
        return (f"{head}{_HEX8[high]}", _HEX8_PADDED, tails, pairs)
    return (head, _HEX8, tails, pairs)


def _whole(text: str) -> tuple[Any, ...]:
    """A run of one block whose text is known whole."""
    return (text, _ONCE_TABLE, _ONCE_TABLE, _ONCE)


def _range_texts6(first: int, last: int, first_text: str, last_text: str) -> list[str]:
    """The CIDR text of the blocks `_range_parts` gives for an IPv6 range with `first` above
    ::ffff:ffff:ffff (`first_text` and `last_text` are the ends' text), made from pieces instead
    of one `inet_ntop` per block.

    Below the boundary `mid`, the block starts are `first` rounded up to successive powers of
    two: a start of 16 * g + r host bits has the groups of `first` above g, group g rounded up
    at bit r (so nonzero), and zero groups below. Above `mid`, they are `last + 1` with the
    bits from the block's size down cleared: the groups of `last + 1` above g, group g cut at
    bit r + 1 (zero for the largest block of the group, whose text is then that of the group
    above it), zeros below. So a block's text is a head of `first` or `last + 1` per group
    (`_v6_heads`), the hex of group g, and a tail by block size; and the blocks of one byte of
    a group follow from that byte alone (`_ROUND_UP`, `_CUT_DOWN`). Each run of blocks is
    listed as (prefix, hex table, tail table, pairs) and all are joined in one comprehension."""
    if first == last:
        return [first_text + "/128"]
    k = (first ^ last).bit_length() - 1  # the highest bit in which they differ
    below = (1 << k) - 1
    left_whole = not first & below  # [first, mid) is one aligned block
    right_whole = last & below == below  # so is [mid, last]
    if left_whole and right_whole:
        return [f"{first_text}/{127 - k}"]
    _v6_tables()
    hexes, padded = _HEX8, _HEX8_PADDED
    top_group = k >> 4
    runs: list[tuple[str, Any, Any, Any]]
    if left_whole:
        runs = [_whole(f"{first_text}/{128 - k}")]
    else:
        round_up = _ROUND_UP
        runs = []
        heads, _, tails_low, tails_high = _v6_heads(first, first_text)
        g = ((first & -first).bit_length() - 1) >> 4
        v = first >> 16 * g & 0xFFFF  # its lowest set bit is the first block's size
        while g < top_group:
            low, high = v & 255, v >> 8
            head = heads[g]
            if low:
                runs.append(_low_byte_run(head, high, tails_low[g], round_up[low]))
                high += 1  # the carry out of the low byte
            if high < 256:
                runs.append((head, hexes, tails_high[g], round_up[high]))
            g += 1
            v = (first >> 16 * g & 0xFFFF) + 1  # rounded up at its lowest zero bit
        stop = 1 << (k - 16 * g)  # the top group: the blocks below bit k only
        lowest = v & -v
        if lowest < stop:
            n = (~v & (stop - 1) & -(lowest << 1)).bit_count() + 1
            low, high = v & 255, v >> 8
            head = heads[g]
            if low:
                pairs = round_up[low]
                runs.append(_low_byte_run(head, high, tails_low[g], pairs[:n]))
                n -= len(pairs)
                high += 1
            if n > 0:
                runs.append((head, hexes, tails_high[g], round_up[high][:n]))
    if right_whole:
        runs.append(_whole(format_address(6, last >> k << k) + f"/{128 - k}"))
        return [f"{p}{d[x]}{t[bit]}" for p, d, t, pairs in runs for x, bit in pairs]
    cut_down, cut_down_rest = _CUT_DOWN, _CUT_DOWN_REST
    end = last + 1
    if last & 0xFFFF != 0xFFFF:  # `end`'s groups above the lowest are `last`'s
        heads, zeros, tails_low, tails_high = _v6_heads(end, last_text)
    else:
        heads, zeros, tails_low, tails_high = _v6_heads(end, format_address(6, end))
    g = top_group  # its blocks: the set bits below bit k
    group = end >> 16 * g & 0xFFFF
    sizes = group & (1 << (k - 16 * g)) - 1
    high, low = group >> 8, group & 255
    head = heads[g]
    if sizes >> 8:
        runs.append((head, hexes, tails_high[g], cut_down[high][-(sizes >> 8).bit_count() :]))
    if sizes & 255:
        pairs = cut_down[low][-(sizes & 255).bit_count() :]
        runs.append(_low_byte_run(head, high, tails_low[g], pairs))
    if high:
        # the text of a block start whose groups below g are zero: the largest block of a lower
        # group starts there when the groups between are zero
        above = f"{head}{hexes[high]}{padded[low]}{zeros[g]}"
    else:
        above = f"{head}{hexes[low]}{zeros[g]}"
    while g:
        g -= 1
        group = end >> 16 * g & 0xFFFF
        if not group:
            continue
        high, low = group >> 8, group & 255
        head = heads[g]
        if high:
            runs.append(_whole(above + _SUFFIX_HIGH[g][cut_down[high][0][1]]))
            runs.append((head, hexes, tails_high[g], cut_down_rest[high]))
            if low:
                above = f"{head}{hexes[high]}"
                runs.append((above, padded, tails_low[g], cut_down[low]))
                above = f"{above}{padded[low]}{zeros[g]}"
            else:
                above = f"{head}{hexes[high]}00{zeros[g]}"
        else:
            runs.append(_whole(above + _SUFFIX_LOW[g][cut_down[low][0][1]]))
            runs.append((head, hexes, tails_low[g], cut_down_rest[low]))
            above = f"{head}{hexes[low]}{zeros[g]}"
    return [f"{p}{d[x]}{t[bit]}" for p, d, t, pairs in runs for x, bit in pairs]


class _RangeSource:
    """The blocks of one address range, computed from its two ends when asked for (at most
    2 * bits of them): no packed list, and the text made in one pass (see `cidrs`). The ends'
    text is kept when the caller has made it already (`range_cidrs` has, for its header)."""

    __slots__ = ("first", "last", "texts", "total", "version")

    def __init__(
        self, version: int, first: int, last: int, texts: tuple[str, str] | None = None
    ) -> None:
        self.version, self.first, self.last, self.texts = version, first, last, texts
        self.total = range_block_count(first, last)

    @property
    def has_v4(self) -> bool:
        return self.version == 4

    def blocks(self, start: int) -> Iterator[tuple[int, int, int]]:
        version, bits = self.version, BITS[self.version]
        starts, hosts = _range_parts(self.first, self.last, bits)
        for i in range(start, len(starts)):
            yield version, starts[i], bits - hosts[i]

    def cidrs(self, start: int) -> Iterator[str]:
        """IPv6 text from per-group pieces (`_range_texts6`) when the range starts above
        ::ffff:ffff:ffff; below, blocks may need the mixed notation (see format_address)."""
        version, first = self.version, self.first
        if version == 6 and first > 0xFFFFFFFFFFFF:
            last = self.last
            first_text, last_text = self.texts or (
                format_address(6, first),
                format_address(6, last),
            )
            texts = _range_texts6(first, last, first_text, last_text)
        else:
            starts, hosts = _range_parts(first, self.last, BITS[version])
            suffix = _SUFFIX[version]
            texts = [
                format_address(version, a) + suffix[h] for a, h in zip(starts, hosts, strict=True)
            ]
        if start:
            del texts[:start]
        return iter(texts)

    def requested(self, index: int) -> int | None:
        return None


# --------------------------------------------------------------------------------------------
# Operations


def summarize(items: Iterable[Any], *, errors: list[tuple[int, str]] | None = None) -> CidrList:
    """The minimal list of CIDR blocks covering exactly the given addresses and networks
    (what `ipaddress.collapse_addresses` gives), IPv4 blocks first, then IPv6, each sorted.
    Host bits set mean the network around them. See `_parse_keys` for `errors`."""
    keys = _parse_keys(items, errors, "summarize")
    if keys.bulk:
        from netutil import prefix_array

        v4 = prefix_array.merge(prefix_array.combine(keys.bulk, keys.v4))
    else:
        v4 = _merge4(keys.v4)
    v6 = _merge(keys.v6, 128)
    header = (
        ("operation", "summarize"),
        ("input_count", keys.count),
        ("ipv4_count", len(v4)),
        ("ipv6_count", len(v6)),
    )
    return CidrList("summarize", header, _PackedSource(v4, v6, bulk=bool(keys.bulk)))


def _address_int(value: Any, what: str) -> tuple[int, int]:
    """(version, integer) of one address: libc's strict `inet_pton` for the usual spelling,
    `parse_address` (ipaddress) for anything else and for the error message."""
    if isinstance(value, str) and "/" not in value:
        import _socket as socket  # see _ntop6

        try:
            if ":" in value:
                return 6, int.from_bytes(socket.inet_pton(socket.AF_INET6, value), "big")
            return 4, int.from_bytes(socket.inet_pton(socket.AF_INET, value), "big")
        except (OSError, ValueError):
            pass
    addr = parse_address(value, what=what)
    return addr.version, int(addr)


def range_cidrs(start: Any, end: Any) -> CidrList:
    """The minimal list of CIDR blocks covering exactly the addresses START..END (inclusive)."""
    version, first = _address_int(start, "start address")
    end_version, last = _address_int(end, "end address")
    if version != end_version:
        raise InvalidInput(
            f"start {str(start)!r} is IPv{version} but end {str(end)!r} is"
            f" IPv{end_version}: a range needs one version"
        )
    if first > last:
        raise InvalidInput(
            f"start {format_address(version, first)} is above end {format_address(version, last)}"
        )
    first_text, last_text = format_address(version, first), format_address(version, last)
    header = (
        ("operation", "range"),
        ("version", version),
        ("start_address", first_text),
        ("end_address", last_text),
        ("num_addresses", str(last - first + 1)),
    )
    return CidrList("range", header, _RangeSource(version, first, last, (first_text, last_text)))


def exclude(
    network: Any,
    excluded: Iterable[Any],
    *,
    strict: bool = False,
    errors: list[tuple[int, str]] | None = None,
) -> CidrList:
    """What is left of NETWORK after taking out every excluded network or address, as the
    minimal list of CIDR blocks. Exclusions outside NETWORK are counted and ignored; one that
    holds all of it leaves nothing."""
    parsed = parse_network(network, strict=strict)
    net = parsed.network
    version, bits = net.version, BITS[net.version]
    # a network of /8 or longer lies in one first-octet bucket: plain lists do there
    one_bucket = version == 4 and net.prefixlen >= 8
    keys = _parse_keys(excluded, errors, "exclude", only=net, compact=not one_bucket)
    lo = int(net.network_address)
    hi = lo + net.num_addresses  # exclusive
    outside = 0
    everything = False
    if keys.bulk:  # a long list: the same steps in NumPy (see netutil.prefix_array)
        from netutil import prefix_array

        inside_keys, outside, everything = prefix_array.clip(
            prefix_array.combine(keys.bulk, keys.v4), lo, hi
        )
        removed = prefix_array.merge(inside_keys)
    elif version == 4:
        from array import array

        net_host = bits - net.prefixlen
        inside4 = [[] if one_bucket else array("I") for _ in range(256)]
        for octet, keys4 in enumerate(keys.v4):
            if not keys4:
                continue
            base = octet << 24
            # A whole bucket at once when its blocks all lie inside the network or all
            # outside it (one pass in C for the largest block instead of a loop per key).
            largest = max(map(and_, keys4, repeat(63)))
            if lo <= base and base + (1 << 24) <= hi and largest <= net_host:
                inside4[octet] = keys4
                continue
            if (base >= hi or base + (1 << 24) <= lo) and largest <= 24:
                outside += len(keys4)
                continue
            for k in keys4:
                s = base | k >> 6
                e = s + (1 << (k & 63))
                if e <= lo or s >= hi:
                    outside += 1
                elif s <= lo and e >= hi:
                    everything = True
                else:
                    inside4[octet].append(k)
        removed = _merge4(inside4)
    else:
        inside: list[int] = []
        for k in keys.v6:
            s = k >> 8
            e = s + (1 << (k & 255))
            if e <= lo or s >= hi:
                outside += 1
            elif s <= lo and e >= hi:
                everything = True
            else:
                inside.append(k)
        removed = _merge(inside, bits)
    if everything:
        removed = [lo << 8 | (bits - net.prefixlen)]
    left: list[int] = []
    cursor = lo
    removed_addresses = 0
    for k in removed:
        s = k >> 8
        size = 1 << (k & 255)
        if s > cursor:
            left.extend(_packed_range(cursor, s - 1, bits))
        cursor = s + size
        removed_addresses += size
    if cursor < hi:
        left.extend(_packed_range(cursor, hi - 1, bits))
    header = (
        ("operation", "exclude"),
        ("network", network_text(net)),
        ("host_bits_set", parsed.host_bits_set),
        ("warning", parsed.warning),
        ("excluded_count", keys.count),
        ("excluded_outside", outside),
        ("num_addresses", str(net.num_addresses - removed_addresses)),
    )
    bulk = bool(keys.bulk)
    source = _PackedSource(left, [], bulk=bulk) if version == 4 else _PackedSource([], left)
    return CidrList("exclude", header, source)


class SplitMode(enum.Enum):
    """How a split was asked for."""

    PREFIX = "prefix"  # a new prefix length
    COUNT = "count"  # a number of subnets, rounded up to a power of two
    HOSTS = "hosts"  # host counts, one block each (VLSM)


def split(
    network: Any,
    new_prefix: int | None = None,
    *,
    count: int | None = None,
    hosts: Iterable[int] | None = None,
    strict: bool = False,
) -> CidrList:
    """Cut NETWORK into subnets: all children at `new_prefix`, or `count` equal subnets (rounded
    up to a power of two), or one block per host count in `hosts` (VLSM: largest first, each
    the smallest block whose usable hosts suffice, leftover space reported as CIDRs).
    Exactly one of the three. Children are computed by index: nothing is enumerated here."""
    chosen = [x is not None for x in (new_prefix, count, hosts)]
    if sum(chosen) != 1:
        raise InvalidInput("split needs exactly one of: a new prefix, a count, host counts")
    parsed = parse_network(network, strict=strict)
    net = parsed.network
    version, bits, plen = net.version, BITS[net.version], net.prefixlen
    base = int(net.network_address)
    note = None
    requested_count = None
    host_list = None
    leftover = None
    if hosts is not None:
        return _split_hosts(parsed, hosts)
    if count is not None:
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise InvalidInput(f"invalid subnet count {count!r}: expected a whole number >= 1")
        requested_count = count
        grow = (count - 1).bit_length()
        if plen + grow > bits:
            raise InvalidInput(
                f"cannot split {network_text(net)} into {count} subnets: a /{plen} holds at most"
                f" {1 << (bits - plen)} (/{bits}s)"
            )
        new_prefix = plen + grow
        mode = SplitMode.COUNT
        if 1 << grow != count:
            note = (
                f"{count} subnets requested: rounded up to {1 << grow} (a power of two),"
                f" each a /{new_prefix}"
            )
    else:
        mode = SplitMode.PREFIX
        if not isinstance(new_prefix, int) or isinstance(new_prefix, bool):
            raise InvalidInput(f"invalid new prefix {new_prefix!r}: expected a whole number")
        if not 0 <= new_prefix <= bits:
            raise InvalidInput(
                f"invalid new prefix /{new_prefix}: out of range 0-{bits} for IPv{version}"
            )
        if new_prefix < plen:
            raise InvalidInput(
                f"new prefix /{new_prefix} is shorter than the network's:"
                f" {network_text(net)} is a /{plen}"
            )
    assert new_prefix is not None
    total = 1 << (new_prefix - plen)
    header = _split_header(parsed, mode, new_prefix, requested_count, note, host_list, leftover)
    return CidrList("split", header, _SplitSource(version, base, new_prefix, total))


def _split_header(
    parsed: ParsedNetwork,
    mode: SplitMode,
    new_prefix: int | None,
    requested_count: int | None,
    note: str | None,
    hosts: list[int] | None,
    leftover: list[str] | None,
) -> tuple[tuple[str, Any], ...]:
    return (
        ("operation", "split"),
        ("network", network_text(parsed.network)),
        ("host_bits_set", parsed.host_bits_set),
        ("warning", parsed.warning),
        ("mode", mode.value),
        ("new_prefix", new_prefix),
        ("subnets_requested", requested_count),
        ("hosts_requested", hosts),
        ("note", note),
        ("leftover", leftover),
    )


def block_for_hosts(version: int, hosts: int) -> int:
    """The longest prefix (smallest block) with at least `hosts` usable addresses."""
    bits = BITS[version]
    if hosts <= 1:
        return bits
    if hosts == 2:
        return bits - 1  # RFC 3021 / RFC 6164 point-to-point
    reserved = 2 if version == 4 else 1
    return bits - (hosts + reserved - 1).bit_length()


def _split_hosts(parsed: ParsedNetwork, hosts: Iterable[int]) -> CidrList:
    net = parsed.network
    version, bits = net.version, BITS[net.version]
    wanted: list[int] = []
    for i, h in enumerate(hosts, 1):
        if i > MAX_VLSM_REQUESTS:
            raise LimitExceeded(f"more than {MAX_VLSM_REQUESTS} host counts in one split")
        if not isinstance(h, int) or isinstance(h, bool) or h < 1:
            raise InvalidInput(f"invalid host count {h!r} (item {i}): expected a whole number >= 1")
        wanted.append(h)
    if not wanted:
        raise InvalidInput("split by hosts needs at least one host count")
    order = sorted(wanted, reverse=True)
    lo = int(net.network_address)
    hi = lo + net.num_addresses
    cursor = lo
    packed: list[int] = []
    for i, h in enumerate(order):
        plen = block_for_hosts(version, h)
        size = 1 << (bits - plen)
        if plen < 0 or cursor + size > hi:
            left = [
                network_text(n) for n in _networks(version, _packed_range(cursor, hi - 1, bits))
            ]
            done = ", ".join(str(x) for x in order[:i]) or "nothing"
            need = f"a /{plen}" if plen >= 0 else "more than the whole address space"
            room = (
                f"only {hi - cursor} addresses are left ({', '.join(left)})"
                if left
                else "nothing is left"
            )
            raise InvalidInput(
                f"{h} hosts do not fit in {network_text(net)}: they need {need} ({size} addresses)"
                f" but {room} after allocating {done}"
            )
        packed.append(cursor << 8 | (bits - plen))
        cursor += size  # blocks come largest first, so each starts aligned
    leftover = [network_text(n) for n in _networks(version, _packed_range(cursor, hi - 1, bits))]
    header = _split_header(parsed, SplitMode.HOSTS, None, None, None, wanted, leftover)
    source = _PackedSource(packed, [], order) if version == 4 else _PackedSource([], packed, order)
    return CidrList("split", header, source)


def _networks(version: int, packed: list[int]) -> Iterator[IPNetwork]:
    bits = BITS[version]
    for k in packed:
        yield make_network(version, k >> 8, bits - (k & 255))


# --------------------------------------------------------------------------------------------
# Pairs


def _relation(a: IPNetwork, b: IPNetwork) -> Relation:
    a0, a1 = int(a.network_address), int(a.broadcast_address)
    b0, b1 = int(b.network_address), int(b.broadcast_address)
    if (a0, a1) == (b0, b1):
        return Relation.EQUAL
    if a0 <= b0 and b1 <= a1:
        return Relation.CONTAINS
    if b0 <= a0 and a1 <= b1:
        return Relation.WITHIN
    return Relation.DISJOINT


def _pair(a: Any, b: Any, what_a: str, what_b: str) -> tuple[IPNetwork, bool, IPNetwork, bool]:
    na, a_is_addr = _network_or_address(a, what_a)
    nb, b_is_addr = _network_or_address(b, what_b)
    if na.version != nb.version:
        raise InvalidInput(
            f"{what_a} {str(a)!r} is IPv{na.version} but {what_b} {str(b)!r} is"
            f" IPv{nb.version}: compare networks of one version"
        )
    return na, a_is_addr, nb, b_is_addr


class Containment(Record):
    """Whether NETWORK holds another network or an address."""

    _fields = ("network", "other", "other_is_address", "relation")
    __slots__ = _fields

    network: IPNetwork
    other: IPNetwork
    other_is_address: bool
    relation: Relation

    @property
    def contains(self) -> bool:
        return self.relation in (Relation.EQUAL, Relation.CONTAINS)

    def as_dict(self) -> dict[str, Any]:
        other = self.other
        return {
            "network": network_text(self.network),
            "other": _address_text(other.network_address)
            if self.other_is_address
            else network_text(other),
            "other_kind": "address" if self.other_is_address else "network",
            "contains": self.contains,
            "relation": self.relation.value,
        }


def contains(network: Any, other: Any, *, strict: bool = False) -> Containment:
    """Does NETWORK hold OTHER (an address, or a network: all of it)?"""
    net = parse_network(network, strict=strict, what="network").network
    other_net, is_addr = _network_or_address(other, "other")
    if net.version != other_net.version:
        raise InvalidInput(
            f"network {str(network)!r} is IPv{net.version} but {str(other)!r} is"
            f" IPv{other_net.version}: compare networks of one version"
        )
    return Containment(net, other_net, is_addr, _relation(net, other_net))


class Overlap(Record):
    """Whether two networks share addresses, and which."""

    _fields = ("a", "b", "relation")
    __slots__ = _fields

    a: IPNetwork
    b: IPNetwork
    relation: Relation

    @property
    def overlaps(self) -> bool:
        return self.relation is not Relation.DISJOINT

    @property
    def intersection(self) -> IPNetwork | None:
        """CIDR blocks nest, so the common part is the smaller one (or nothing)."""
        if not self.overlaps:
            return None
        return self.b if self.relation is Relation.CONTAINS else self.a

    def as_dict(self) -> dict[str, Any]:
        common = self.intersection
        return {
            "a": network_text(self.a),
            "b": network_text(self.b),
            "overlaps": self.overlaps,
            "relation": self.relation.value,
            "intersection": None if common is None else network_text(common),
            "num_common_addresses": "0" if common is None else str(common.num_addresses),
        }


def overlap(a: Any, b: Any, *, strict: bool = False) -> Overlap:
    """Do networks A and B share any address (and how do they nest)?"""
    na = parse_network(a, strict=strict, what="network A").network
    nb = parse_network(b, strict=strict, what="network B").network
    if na.version != nb.version:
        raise InvalidInput(
            f"network A {str(a)!r} is IPv{na.version} but network B {str(b)!r} is"
            f" IPv{nb.version}: compare networks of one version"
        )
    return Overlap(na, nb, _relation(na, nb))
