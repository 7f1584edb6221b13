"""Set operations across lists of networks: intersect, difference, union, compare and count.

Each list is read and merged as `summarize` reads it (the packed keys and the merges of
`netutil.subnet.keys`; `netutil.subnet.bulk` for long IPv4 lists), which leaves each IP version
as sorted, disjoint CIDR blocks. The operations then sweep the boundaries of two such lists
once: every stretch of the address line between two boundaries lies wholly inside or wholly
outside each list, so the stretches a rule keeps (in both; in A, not in B; ...) are coalesced
into ranges and cut into the minimal CIDR blocks. IPv4 and IPv6 are kept apart (a mixed list
is handled per version). The readable sweep below is the reference; long IPv4 lists take the
same steps in NumPy (`_sweep4`), which a property test holds to the reference.
"""

from __future__ import annotations

from itertools import pairwise

from netutil.errors import InvalidInput
from netutil.record import Record
from netutil.subnet.cidrlist import CidrList, _PackedSource
from netutil.subnet.keys import _merge, _merge4, _parse_keys
from netutil.subnet.ranges import _packed_range

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from array import array
    from collections.abc import Iterable
    from typing import Any

#: Which stretches each operation keeps, by where a stretch lies: 1 in A only, 2 in B only,
#: 3 in both (A's membership is bit 0, B's bit 1).
INTERSECT = frozenset({3})
DIFFERENCE = frozenset({1})  # in A, not in B
ADDED = frozenset({2})  # in B, not in A
UNION = frozenset({1, 2, 3})

#: Blocks (both lists together) from which IPv4 is swept in NumPy: importing it costs ~0.1 s,
#: about what the per-item sweep spends on this many blocks.
_NUMPY_FROM = 100_000

#: Most lists one union takes.
MAX_LISTS = 1_000


class _Merged(Record):
    """One list, merged: IPv4 and IPv6 blocks packed `first << 8 | host_bits`, sorted and
    disjoint; how many items it had; whether NumPy read it (a long list)."""

    _fields = ("v4", "v6", "count", "bulk")
    __slots__ = _fields

    v4: array[int] | list[int]
    v6: list[int]
    count: int
    bulk: bool


def _merged(
    items: Iterable[Any], errors: list[tuple[int, int, str]] | None, which: int, what: str
) -> _Merged:
    """Parse and merge list number `which` (0-based); bad items raise, or with `errors` are
    recorded as (list number, position, message) and skipped."""
    found: list[tuple[int, str]] | None = None if errors is None else []
    try:
        keys = _parse_keys(items, found, what)
    except InvalidInput as exc:
        raise InvalidInput(f"list {which + 1}: {exc}") from None
    if errors is not None and found:
        errors.extend((which, position, message) for position, message in found)
    if keys.bulk:
        from netutil.subnet import bulk

        v4 = bulk.merge(bulk.combine(keys.bulk, keys.v4))
    else:
        v4 = _merge4(keys.v4)
    return _Merged(v4, _merge(keys.v6, 128), keys.count, bool(keys.bulk))


# --------------------------------------------------------------------------------------------
# The reference sweep (Python integers, either version)


def intervals(packed: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted, disjoint packed blocks as ranges [start, end), touching blocks joined."""
    out: list[tuple[int, int]] = []
    for k in packed:
        start = k >> 8
        end = start + (1 << (k & 255))
        if out and out[-1][1] == start:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def sweep(
    a: list[tuple[int, int]], b: list[tuple[int, int]], keep: frozenset[int]
) -> list[tuple[int, int]]:
    """The ranges [start, end) where the stretch's place (1 in A only, 2 in B only, 3 in both)
    is in `keep`, for two lists of sorted disjoint ranges: between two consecutive boundaries
    of either list nothing changes, so each such stretch is tested once."""
    points = sorted({p for r in a for p in r} | {p for r in b for p in r})
    out: list[tuple[int, int]] = []
    i = j = 0
    for lo, hi in pairwise(points):
        while i < len(a) and a[i][1] <= lo:
            i += 1
        while j < len(b) and b[j][1] <= lo:
            j += 1
        place = (i < len(a) and a[i][0] <= lo) | (j < len(b) and b[j][0] <= lo) << 1
        if place in keep:
            if out and out[-1][1] == lo:
                out[-1] = (out[-1][0], hi)
            else:
                out.append((lo, hi))
    return out


def _blocks(ranges: list[tuple[int, int]], bits: int) -> list[int]:
    """Ranges cut into their minimal CIDR blocks, packed, in order."""
    return [k for start, end in ranges for k in _packed_range(start, end - 1, bits)]


def _combine(a: list[int] | array[int], b: list[int] | array[int], keep: frozenset[int], bits: int):
    return _blocks(sweep(intervals(a), intervals(b), keep), bits)


# --------------------------------------------------------------------------------------------
# The same sweep in NumPy, for long IPv4 lists


def _keys_array(packed: Any) -> Any:
    from array import array

    import numpy as np

    if isinstance(packed, array):
        return np.frombuffer(packed, np.uint64)
    return np.array(packed, np.uint64)


def _bounds4(packed: Any) -> tuple[Any, Any]:
    import numpy as np

    keys = _keys_array(packed)
    start = keys >> np.uint64(8)
    return start, start + (np.uint64(1) << (keys & np.uint64(255)))


def _sweep4(a: Any, b: Any, keep: frozenset[int]) -> array[int]:
    """`sweep` and `_blocks` for IPv4 blocks in NumPy: each list's block starts count +1 (A)
    or +2 (B) and ends the opposite; summed at each distinct boundary and accumulated, they give
    every stretch's place; the kept runs are cut into blocks by `cut4`."""
    from array import array

    import numpy as np

    a_start, a_end = _bounds4(a)
    b_start, b_end = _bounds4(b)
    out = array("Q")
    points = np.concatenate([a_start, a_end, b_start, b_end])
    if not len(points):
        return out
    na, nb = len(a_start), len(b_start)
    delta = np.concatenate(
        [
            np.full(na, 1, np.int8),
            np.full(na, -1, np.int8),
            np.full(nb, 2, np.int8),
            np.full(nb, -2, np.int8),
        ]
    )
    order = np.argsort(points, kind="stable")
    points, delta = points[order], delta[order]
    firsts = np.flatnonzero(np.concatenate([[True], points[1:] != points[:-1]]))
    cuts = points[firsts]
    place = np.cumsum(np.add.reduceat(delta.astype(np.int16), firsts))[:-1]
    kept = np.isin(place, np.array(sorted(keep), np.int16)).astype(np.int8)
    edges = np.diff(np.concatenate([[0], kept, [0]]))
    starts, ends = cuts[np.flatnonzero(edges == 1)], cuts[np.flatnonzero(edges == -1)]
    out.frombytes(cut4(starts, ends).tobytes())
    return out


def cut4(starts: Any, ends: Any) -> Any:
    """The minimal CIDR blocks of IPv4 ranges [start, end) (uint64 arrays), packed, sorted: each
    pass takes from every range the largest aligned block at its start that fits (its size is
    the lower of the start's lowest set bit and the largest power of two within the range), so
    a range is done in at most 64 passes."""
    import numpy as np

    one = np.uint64(1)
    starts, ends = starts.copy(), ends.copy()
    parts_start, parts_host = [], []
    while len(starts):
        size = ends - starts
        fits = np.frexp(size.astype(np.float64))[1] - 1  # floor(log2 size), exact below 2**53
        lowest = starts & (~starts + one)
        align = np.where(starts == 0, 64, np.frexp(lowest.astype(np.float64))[1] - 1)
        host = np.minimum(fits, align).astype(np.uint64)
        parts_start.append(starts)
        parts_host.append(host)
        starts = starts + (one << host)
        more = starts < ends
        starts, ends = starts[more], ends[more]
    if not parts_start:
        return np.empty(0, np.uint64)
    first = np.concatenate(parts_start)
    host = np.concatenate(parts_host)
    order = np.argsort(first, kind="stable")
    return first[order] << np.uint64(8) | host[order]


def _combine4(a: _Merged, b: _Merged, keep: frozenset[int]) -> tuple[array[int] | list[int], bool]:
    """IPv4 blocks of one operation, and whether NumPy made them."""
    if a.bulk or b.bulk or len(a.v4) + len(b.v4) >= _NUMPY_FROM:
        return _sweep4(a.v4, b.v4, keep), True
    return _combine(a.v4, b.v4, keep, 32), False


# --------------------------------------------------------------------------------------------
# Results


def _addresses(packed: Iterable[int]) -> int:
    """How many addresses sorted disjoint packed blocks hold."""
    return sum(1 << (k & 255) for k in packed)


def _addresses4(packed: array[int] | list[int], bulk: bool) -> int:
    """`_addresses` for IPv4 blocks; those NumPy made are summed in NumPy (at most 2**32)."""
    if bulk and len(packed):
        import numpy as np

        keys = _keys_array(packed)
        return int(np.sum(np.uint64(1) << (keys & np.uint64(255)), dtype=np.uint64))
    return _addresses(packed)


def _result(
    operation: str,
    counts: list[int],
    v4: array[int] | list[int],
    v6: list[int],
    bulk: bool,
) -> CidrList:
    header = (
        ("operation", operation),
        ("input_counts", counts),
        ("ipv4_count", len(v4)),
        ("ipv6_count", len(v6)),
        ("ipv4_addresses", str(_addresses4(v4, bulk))),
        ("ipv6_addresses", str(_addresses(v6))),
    )
    return CidrList(operation, header, _PackedSource(v4, v6, bulk=bulk))


def _binary(
    operation: str,
    a: Iterable[Any],
    b: Iterable[Any],
    keep: frozenset[int],
    errors: list[tuple[int, int, str]] | None,
) -> CidrList:
    first = _merged(a, errors, 0, operation)
    second = _merged(b, errors, 1, operation)
    v4, bulk = _combine4(first, second, keep)
    v6 = _combine(first.v6, second.v6, keep, 128)
    return _result(operation, [first.count, second.count], v4, v6, bulk)


def intersect(
    a: Iterable[Any], b: Iterable[Any], *, errors: list[tuple[int, int, str]] | None = None
) -> CidrList:
    """The addresses in both lists, as the minimal CIDR blocks (IPv4 first, then IPv6). Items
    are addresses or networks as `summarize` takes them (host bits set mean the network around
    them); with `errors`, bad items are recorded as (list number 0 or 1, position, message) and
    skipped, else the first raises InvalidInput."""
    return _binary("intersect", a, b, INTERSECT, errors)


def difference(
    a: Iterable[Any], b: Iterable[Any], *, errors: list[tuple[int, int, str]] | None = None
) -> CidrList:
    """The addresses in A that are not in B, as the minimal CIDR blocks (see `intersect`)."""
    return _binary("diff", a, b, DIFFERENCE, errors)


def union(*lists: Iterable[Any], errors: list[tuple[int, int, str]] | None = None) -> CidrList:
    """The addresses in any of the lists, as the minimal CIDR blocks: `summarize` of them all
    (see `intersect` for `errors`; list numbers count from 0)."""
    if not lists:
        raise InvalidInput("union needs at least one list")
    if len(lists) > MAX_LISTS:
        raise InvalidInput(f"union of {len(lists)} lists: at most {MAX_LISTS}")
    merged = [_merged(items, errors, i, "union") for i, items in enumerate(lists)]
    total = merged[0]
    for other in merged[1:]:
        v4, bulk = _combine4(total, other, UNION)
        v6 = _combine(total.v6, other.v6, UNION, 128)
        total = _Merged(v4, v6, 0, bulk)
    bulk = any(m.bulk for m in merged) or total.bulk
    return _result("union", [m.count for m in merged], total.v4, total.v6, bulk)


class Comparison(Record):
    """What changed from list A to list B: `added` (in B, not in A) and `removed` (in A, not in
    B), each a CidrList. JSON shape: `operation`, `input_counts`, `unchanged_addresses` (decimal
    string: addresses in both), then `added` and `removed` as list results."""

    _fields = ("counts", "added", "removed", "unchanged")
    __slots__ = _fields

    counts: tuple[int, int]
    added: CidrList
    removed: CidrList
    unchanged: int

    def as_dict(self, start: int = 0, limit: int | None = None) -> dict[str, Any]:
        """The JSON object; `start` and `limit` page both lists alike."""
        return {
            "operation": "compare",
            "input_counts": list(self.counts),
            "unchanged_addresses": str(self.unchanged),
            "added": self.added.as_dict(min(start, self.added.total), limit),
            "removed": self.removed.as_dict(min(start, self.removed.total), limit),
        }


def compare(
    a: Iterable[Any], b: Iterable[Any], *, errors: list[tuple[int, int, str]] | None = None
) -> Comparison:
    """What was added from A to B and what was removed, as CIDR blocks (see `intersect`)."""
    first = _merged(a, errors, 0, "compare")
    second = _merged(b, errors, 1, "compare")
    counts = [first.count, second.count]
    parts = {}
    for name, keep in (("added", ADDED), ("removed", DIFFERENCE), ("both", INTERSECT)):
        v4, bulk = _combine4(first, second, keep)
        v6 = _combine(first.v6, second.v6, keep, 128)
        parts[name] = _result(name, counts, v4, v6, bulk)
    both = parts["both"].header
    unchanged = int(dict(both)["ipv4_addresses"]) + int(dict(both)["ipv6_addresses"])
    return Comparison((first.count, second.count), parts["added"], parts["removed"], unchanged)


class AddressCount(Record):
    """How many addresses a list holds (its union: overlaps counted once), exactly, per version.
    JSON: `operation`, `input_count`, `ipv4_blocks`, `ipv6_blocks` (the merged blocks), then
    `ipv4_addresses`, `ipv6_addresses` and their sum `num_addresses`, as decimal strings."""

    _fields = ("input_count", "ipv4_blocks", "ipv6_blocks", "ipv4_addresses", "ipv6_addresses")
    __slots__ = _fields

    input_count: int
    ipv4_blocks: int
    ipv6_blocks: int
    ipv4_addresses: int
    ipv6_addresses: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "operation": "count",
            "input_count": self.input_count,
            "ipv4_blocks": self.ipv4_blocks,
            "ipv6_blocks": self.ipv6_blocks,
            "ipv4_addresses": str(self.ipv4_addresses),
            "ipv6_addresses": str(self.ipv6_addresses),
            "num_addresses": str(self.ipv4_addresses + self.ipv6_addresses),
        }


def count(
    items: Iterable[Any], *, errors: list[tuple[int, int, str]] | None = None
) -> AddressCount:
    """How many distinct addresses the list's items hold (see `intersect` for `errors`)."""
    merged = _merged(items, errors, 0, "count")
    return AddressCount(
        merged.count,
        len(merged.v4),
        len(merged.v6),
        _addresses4(merged.v4, merged.bulk),
        _addresses(merged.v6),
    )
