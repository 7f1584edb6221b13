"""`CidrList`: the one lazy result type of split, summarize, range and exclude, and the sources
that produce its blocks by index (children of a split, packed blocks, the blocks of a range)."""

from __future__ import annotations

from netutil.address_text import format_address, ntop6
from netutil.errors import InvalidInput, LimitExceeded, shown
from netutil.record import Record
from netutil.subnet.info import BITS, make_network, usable_hosts
from netutil.subnet.ranges import _range_parts, range_block_count
from netutil.subnet.text import (
    _FORMAT_CHUNK,
    _SUFFIX,
    _TABLES_PAY_OFF,
    _range_texts6,
    _v4_tables,
)

TYPE_CHECKING = False  # typing costs ~2 ms of start-up (`ip info ADDR/LEN` imports this package)
if TYPE_CHECKING:
    from array import array
    from collections.abc import Iterator
    from typing import Any

    from netutil.subnet.info import IPNetwork

#: Most items a list result gives out in one go without an explicit limit (2**24: all /32s of
#: a /8). Past it, ask for a page (`limit`), because 2**96 children never finish.
MAX_ITEMS_WITHOUT_LIMIT = 1 << 24
#: Most items a list result materializes at once (`as_dict(lazy=False)`); stream past it.
MAX_MATERIALIZED_ITEMS = 1_000_000
#: Lines of CIDR text per piece that `CidrList.text` gives (about 1 MB of IPv4 text).
TEXT_LINES = 65_536
#: Fewest IPv4 lines that `CidrList.text` writes with NumPy (importing it costs about what the
#: per-item loop spends on this many lines).
_NUMPY_TEXT_FROM = 200_000


def _joined(lines: Iterator[str], count: int) -> Iterator[str]:
    """`count` lines from `lines`, each ending in a newline, `TEXT_LINES` to a piece."""
    from itertools import islice

    lines = islice(lines, count)
    while chunk := list(islice(lines, TEXT_LINES)):
        chunk.append("")
        yield "\n".join(chunk)


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

    def text(self, start: int, stop: int) -> Iterator[str]:
        """Items `start` to `stop` (exclusive) as CIDR lines, in pieces (see `CidrList.text`).
        IPv4 children smaller than a /16: the text of the low 16 bits and the prefix length
        is the same in every /16, so it is made once and each /16's piece is one `str.join`
        with the /16's 'a.b.' (a copy of bytes a line, no per-line object)."""
        host = BITS[self.version] - self.new_prefix
        if self.version == 4 and host < 16:
            per16 = 1 << (16 - host)  # children in one /16
            suffix = f"/{self.new_prefix}"
            tails = [f"{i >> 8}.{i & 255}{suffix}" for i in range(0, 1 << 16, 1 << host)]
            high, _ = _v4_tables()
            first = self.base + (start << host)
            while start < stop:
                head = high[first >> 16]
                at = start % per16
                part = tails[at : at + min(per16 - at, stop - start)]
                yield head + f"\n{head}".join(part) + "\n"
                start += len(part)
                first = ((first >> 16) + 1) << 16
            return
        yield from _joined(self.cidrs(start), stop - start)

    def ipv4_run(self, start: int, stop: int) -> int:
        """How many items from `start` (before `stop`) are IPv4 blocks `packed4` can give."""
        return stop - start if self.version == 4 else 0

    def packed4(self, start: int, stop: int) -> Any:
        """Items `start` to `stop` (IPv4) packed `first << 8 | host_bits` in a NumPy array."""
        import numpy as np

        host = 32 - self.new_prefix
        first = np.arange(start, stop, dtype=np.uint64) << np.uint64(host)
        return (first + np.uint64(self.base)) << np.uint64(8) | np.uint64(host)

    def requested(self, index: int) -> int | None:
        return None


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
                from netutil.subnet import bulk

                v4 = self.v4
                for i in range(start, n4, bulk.TEXT_CHUNK):
                    yield from bulk.cidr_text(v4[i : i + bulk.TEXT_CHUNK])
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
            ntop, suffix = ntop6(), _SUFFIX[6]
            for k in islice(self.v6, max(start - n4, 0), None):
                a = k >> 8
                if a > 0xFFFFFFFFFFFF:  # see format_address
                    yield ntop(a.to_bytes(16, "big")) + suffix[k & 255]
                else:
                    yield format_address(6, a) + suffix[k & 255]

    def text(self, start: int, stop: int) -> Iterator[str]:
        """Items `start` to `stop` (exclusive) as CIDR lines, in pieces (see `CidrList.text`):
        the IPv4 ones of a long list through NumPy."""
        n4 = len(self.v4)
        if start < n4 and min(stop, n4) - start >= _NUMPY_TEXT_FROM:
            from netutil.subnet import bulk

            v4 = self.v4
            for i in range(start, min(stop, n4), TEXT_LINES):
                yield bulk.cidr_block(v4[i : min(i + TEXT_LINES, stop, n4)])
            start = n4
            if start >= stop:
                return
        yield from _joined(self.cidrs(start), stop - start)

    def ipv4_run(self, start: int, stop: int) -> int:
        """How many items from `start` (before `stop`) are IPv4 blocks `packed4` can give
        (none with VLSM requests: their rows say more)."""
        return max(min(stop, len(self.v4)) - start, 0) if self.requests is None else 0

    def packed4(self, start: int, stop: int) -> Any:
        return self.v4[start:stop]

    def requested(self, index: int) -> int | None:
        return None if self.requests is None else self.requests[index]


class _GapSource:
    """What is left of a network after exclusions: the minimal CIDR cover of each gap between
    the merged excluded blocks, each gap's blocks made only when a page reaches them. Up front
    only the number of blocks per gap is worked out (arithmetic on the two ends, see
    `range_block_count`), so a page from any start costs a bisect over the gaps and the blocks
    it gives, not the whole remainder. `made` counts the blocks made (the work a page did)."""

    __slots__ = ("ends", "gaps", "made", "total", "version")

    def __init__(self, version: int, gaps: list[tuple[int, int]]) -> None:
        self.version, self.gaps = version, gaps
        ends: list[int] = []
        total = 0
        for first, last in gaps:
            total += range_block_count(first, last)
            ends.append(total)
        self.ends, self.total, self.made = ends, total, 0

    @property
    def has_v4(self) -> bool:
        return self.version == 4

    def blocks(self, start: int) -> Iterator[tuple[int, int, int]]:
        from bisect import bisect_right

        version, bits, gaps = self.version, BITS[self.version], self.gaps
        at = bisect_right(self.ends, start)  # the gap that holds block `start`
        skip = start - (self.ends[at - 1] if at else 0)
        for first, last in gaps[at:]:
            starts, hosts = _range_parts(first, last, bits)
            for i in range(skip, len(starts)):
                self.made += 1
                yield version, starts[i], bits - hosts[i]
            skip = 0

    def cidrs(self, start: int) -> Iterator[str]:
        suffix = _SUFFIX[self.version]
        bits = BITS[self.version]
        for version, first, plen in self.blocks(start):
            yield format_address(version, first) + suffix[bits - plen]

    def text(self, start: int, stop: int) -> Iterator[str]:
        yield from _joined(self.cidrs(start), stop - start)

    def requested(self, index: int) -> int | None:
        return None


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
    source: _SplitSource | _PackedSource | _RangeSource | _GapSource

    @property
    def total(self) -> int:
        return self.source.total

    def _check_start(self, start: int) -> int:
        try:
            start = int(start)
        except (TypeError, ValueError):
            raise InvalidInput(f"invalid start {shown(start)}: expected a whole number") from None
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

    def _page(self, start: int, limit: int | None) -> tuple[int, int]:
        """The checked start and the number of items from it that a page with `limit` holds."""
        start = self._check_start(start)
        if limit is not None and (
            not isinstance(limit, int) or isinstance(limit, bool) or limit < 0
        ):
            raise InvalidInput(f"invalid limit {shown(limit)}: expected a whole number >= 0")
        count = self.total - start if limit is None else min(limit, self.total - start)
        if limit is None and count > MAX_ITEMS_WITHOUT_LIMIT:
            raise LimitExceeded(
                f"{self.operation} gives {self.total} items, more than"
                f" {MAX_ITEMS_WITHOUT_LIMIT} at once: ask for a page with a limit"
            )
        return start, count

    def text(self, start: int = 0, limit: int | None = None) -> Iterator[str]:
        """The page's blocks as CIDR text, one a line, each line ending in a newline, given in
        pieces of up to `TEXT_LINES` lines (long IPv4 lists formatted in NumPy): what
        `--format cidr` writes, in large blocks and constant memory. The page is checked as
        for `as_dict`."""
        start, count = self._page(start, limit)
        return self.source.text(start, start + count)

    def rows4(
        self, start: int, count: int, template: tuple[Any, ...]
    ) -> tuple[Iterator[bytes], int]:
        """Rows of text for the IPv4 blocks that lead items `start` to `start + count`, laid out
        by `template` in NumPy (`netutil.subnet.bulk.layout`), `TEXT_LINES` rows a piece; and
        how many items they are. Zero (and no rows) when the run is too short to pay for NumPy,
        or its rows need more than the block (VLSM requests): take `items` then."""
        run = self.source.ipv4_run(start, start + count)
        if run < _NUMPY_TEXT_FROM:
            return iter(()), 0
        source = self.source

        def pieces() -> Iterator[bytes]:
            from netutil.subnet import bulk

            for i in range(start, start + run, TEXT_LINES):
                yield bulk.layout(source.packed4(i, min(i + TEXT_LINES, start + run)), template)

        return pieces(), run

    def as_dict(
        self, start: int = 0, limit: int | None = None, *, lazy: bool = False
    ) -> dict[str, Any]:
        """The JSON object (see the class docstring); with `lazy`, `items` is an iterator so an
        adapter can stream it in constant memory."""
        start, count = self._page(start, limit)
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

    def text(self, start: int, stop: int) -> Iterator[str]:
        """Items `start` to `stop` (exclusive) as CIDR lines (at most 2 * 128 of them)."""
        yield from _joined(self.cidrs(start), stop - start)

    def ipv4_run(self, start: int, stop: int) -> int:
        return 0  # at most 64 blocks: the per-item path

    def requested(self, index: int) -> int | None:
        return None
