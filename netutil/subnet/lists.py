"""The list operations: summarize, range, exclude and split (by prefix, count or host counts),
each a `CidrList` computed on packed integers."""

from __future__ import annotations

import enum
from itertools import repeat
from operator import and_

from netutil.address_text import format_address, network_text
from netutil.errors import InvalidInput, LimitExceeded, shown
from netutil.subnet.cidrlist import (
    CidrList,
    _GapSource,
    _PackedSource,
    _RangeSource,
    _SplitSource,
)
from netutil.subnet.info import BITS, ParsedNetwork, make_network, parse_address, parse_network
from netutil.subnet.keys import _merge, _merge4, _parse_keys
from netutil.subnet.ranges import _packed_range

TYPE_CHECKING = False  # typing costs ~2 ms of start-up (`ip info ADDR/LEN` imports this package)
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any

    from netutil.subnet.info import IPNetwork

#: Most host counts one VLSM split may request.
MAX_VLSM_REQUESTS = 100_000


def summarize(
    items: Iterable[Any], *, errors: list[tuple[int, str]] | None = None, strict: bool = False
) -> CidrList:
    """The minimal list of CIDR blocks covering exactly the given addresses and networks
    (what `ipaddress.collapse_addresses` gives), IPv4 blocks first, then IPv6, each sorted.
    Host bits set mean the network around them (with `strict`, they make the item bad). See
    `_parse_keys` for `errors`; `input_count` counts the items taken, `rejected_count` the bad
    ones skipped."""
    keys = _parse_keys(items, errors, "summarize", strict=strict)
    if keys.bulk:
        from netutil.subnet import bulk

        v4 = bulk.merge(bulk.combine(keys.bulk, keys.v4))
    else:
        v4 = _merge4(keys.v4)
    v6 = _merge(keys.v6, 128)
    header = (
        ("operation", "summarize"),
        ("input_count", keys.accepted),
        ("rejected_count", keys.rejected),
        ("ipv4_count", len(v4)),
        ("ipv6_count", len(v6)),
    )
    return CidrList("summarize", header, _PackedSource(v4, v6, bulk=bool(keys.bulk)))


def _address_int(value: Any, what: str) -> tuple[int, int]:
    """(version, integer) of one address: libc's strict `inet_pton` for the usual spelling,
    `parse_address` (ipaddress) for anything else and for the error message."""
    if isinstance(value, str) and "/" not in value:
        import _socket as socket  # the C module socket.py re-exports (see address_text)

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
            f"start {shown(str(start))} is IPv{version} but end {shown(str(end))} is"
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
    lazy: bool = False,
) -> CidrList:
    """What is left of NETWORK after taking out every excluded network or address, as the
    minimal list of CIDR blocks. Exclusions outside NETWORK are counted and ignored; one that
    holds all of it leaves nothing. With `lazy` the blocks are made only when a page asks for
    them (only the gaps between exclusions are kept, see `_GapSource`): a page from any start
    then costs the blocks it gives, which is what a service paging the result wants; without
    it they are made here, which writing the whole list (the CLI) wants."""
    parsed = parse_network(network, strict=strict)
    net = parsed.network
    version, bits = net.version, BITS[net.version]
    # a network of /8 or longer lies in one first-octet bucket: plain lists do there
    one_bucket = version == 4 and net.prefixlen >= 8
    keys = _parse_keys(excluded, errors, "exclude", only=net, compact=not one_bucket, strict=strict)
    lo = int(net.network_address)
    hi = lo + net.num_addresses  # exclusive
    outside = 0
    everything = False
    if keys.bulk:  # a long list: the same steps in NumPy (see netutil.subnet.bulk)
        from netutil.subnet import bulk

        inside_keys, outside, everything = bulk.clip(bulk.combine(keys.bulk, keys.v4), lo, hi)
        removed = bulk.merge(inside_keys)
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
    gaps: list[tuple[int, int]] = []
    cursor = lo
    removed_addresses = 0
    for k in removed:
        s = k >> 8
        size = 1 << (k & 255)
        if s > cursor:
            if lazy:
                gaps.append((cursor, s - 1))
            else:
                left.extend(_packed_range(cursor, s - 1, bits))
        cursor = s + size
        removed_addresses += size
    if cursor < hi:
        if lazy:
            gaps.append((cursor, hi - 1))
        else:
            left.extend(_packed_range(cursor, hi - 1, bits))
    header = (
        ("operation", "exclude"),
        ("network", network_text(net)),
        ("host_bits_set", parsed.host_bits_set),
        ("warning", parsed.warning),
        ("excluded_count", keys.accepted),
        ("rejected_count", keys.rejected),
        ("excluded_outside", outside),
        ("num_addresses", str(net.num_addresses - removed_addresses)),
    )
    if lazy:
        return CidrList("exclude", header, _GapSource(version, gaps))
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
            raise InvalidInput(f"invalid subnet count {shown(count)}: expected a whole number >= 1")
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
            raise InvalidInput(f"invalid new prefix {shown(new_prefix)}: expected a whole number")
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
            raise InvalidInput(
                f"invalid host count {shown(h)} (item {i}): expected a whole number >= 1"
            )
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
