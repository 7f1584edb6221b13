"""CIDR text in bulk: IPv4 lookup tables (two lookups an address instead of a socket call) and
the IPv6 text of a range's blocks made from per-group pieces (RFC 5952 section 4), both held to
`netutil.address_text.format_address` (the one spelling) by tests."""

from __future__ import annotations

from netutil.address_text import format_address
from netutil.subnet.info import BITS

TYPE_CHECKING = False  # typing costs ~2 ms of start-up (`ip info ADDR/LEN` imports this package)
if TYPE_CHECKING:
    from typing import Any

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


_SUFFIX = {v: [f"/{b - h}" for h in range(b + 1)] for v, b in BITS.items()}  # by host bits


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
