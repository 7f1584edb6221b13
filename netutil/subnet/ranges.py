"""Address ranges cut into CIDR blocks, on integers: `range_blocks` is the readable reference
(the largest aligned block at each step), `_range_parts` the fast path straight from the bits
(held to it by property tests). It imports nothing of netutil, so every module that cuts ranges
(the merges in `keys`, NumPy's in `bulk`) can use it.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs ~2 ms of start-up (`ip info ADDR/LEN` imports this package)
if TYPE_CHECKING:
    from collections.abc import Iterator


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
