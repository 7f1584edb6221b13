"""The fast paths of netutil.subnet held to its readable reference implementations: the merges
(`keys._merge4` over first-octet buckets, NumPy's `bulk.merge`) to `keys._merge`, the range cut
from the bits (`ranges._range_parts`) to `ranges.range_blocks` (the largest aligned block at
each step), and the IPv6 range text made from pieces (`text._range_texts6`) to one
`format_address` per block. The references themselves are checked against ipaddress in
tests/test_subnet.py."""

from __future__ import annotations

import ipaddress
from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from netutil.address_text import format_address
from netutil.subnet import bulk, keys, ranges, text


@st.composite
def v4_blocks(draw):
    """(first address, host bits) of random IPv4 blocks, clustered so that they nest and touch."""
    n = draw(st.integers(0, 60))
    base = draw(st.integers(0, 2**32 - 1)) & ~0xFFFFF
    out = []
    for _ in range(n):
        host = draw(st.integers(0, 32))
        first = draw(st.one_of(st.integers(0, 2**32 - 1), st.integers(base, base + 0xFFFFF)))
        out.append((first >> host << host, host))
    return out


@settings(max_examples=300, deadline=None)
@given(v4_blocks())
def test_merge4_over_buckets_is_the_reference_merge(blocks):
    reference = keys._merge([first << 8 | host for first, host in blocks], 32)
    buckets = [array("I") for _ in range(256)]
    for first, host in blocks:
        buckets[first >> 24].append((first & 0xFFFFFF) << 6 | host)
    assert list(keys._merge4(buckets)) == reference


@settings(max_examples=300, deadline=None)
@given(v4_blocks())
def test_numpy_merge_is_the_reference_merge(blocks):
    import numpy as np

    reference = keys._merge([first << 8 | host for first, host in blocks], 32)
    packed = np.array([first << 6 | host for first, host in blocks], np.uint64)
    assert list(bulk.merge(packed)) == reference


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([32, 128]), st.data())
def test_range_parts_is_the_reference_cut(bits, data):
    first = data.draw(st.integers(0, 2**bits - 1))
    last = data.draw(st.integers(first, min(2**bits - 1, first + data.draw(st.sampled_from(
        [2**8, 2**40, 2**bits])))))  # fmt: skip
    reference = list(ranges.range_blocks(first, last, bits))
    starts, hosts = ranges._range_parts(first, last, bits)
    assert [(a, bits - h) for a, h in zip(starts, hosts, strict=True)] == reference
    assert ranges.range_block_count(first, last) == len(reference)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_ipv6_range_text_from_pieces_is_one_format_address_per_block(data):
    first = data.draw(st.integers(0x1000000000000, 2**128 - 1))
    span = data.draw(st.sampled_from([2**4, 2**20, 2**64, 2**128]))
    last = data.draw(st.integers(first, min(2**128 - 1, first + span)))
    expected = [f"{format_address(6, a)}/{p}" for a, p in ranges.range_blocks(first, last, 128)]
    texts = text._range_texts6(first, last, format_address(6, first), format_address(6, last))
    assert texts == expected
    assert texts == [
        f"{ipaddress.IPv6Address(a).compressed}/{p}"
        for a, p in ranges.range_blocks(first, last, 128)
    ]
