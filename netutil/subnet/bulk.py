"""Many IPv4 prefixes at once, in NumPy arrays: text lines parsed, merged and written back.

A list of a million prefixes costs CPython about half a microsecond an item in each pass (one
object per step); NumPy does each step as one loop in C over the whole chunk. `netutil.subnet`
takes this path for long lists only (importing NumPy costs ~0.1 s), and only for the usual
spelling `a.b.c.d` or `a.b.c.d/len` in decimal without leading zeros (the strict form that
libc's `inet_pton` and `ipaddress` both accept): every other line is handed back by number, for
the per-item path to parse or to word its error. Keys are `address << 6 | host_bits` (uint64),
the packed blocks `first << 8 | host_bits`, as in `netutil.subnet.keys`.
"""

from __future__ import annotations

from array import array

import numpy as np

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_DOT, _SLASH, _NEWLINE = ord("."), ord("/"), ord("\n")
_LONGEST = len("255.255.255.255/32")
_NO_KEYS = np.empty(0, np.uint64)


def parse_lines(lines: list[str], *, strict: bool = False) -> tuple[np.ndarray, list[int]] | None:
    """Keys of the lines written `a.b.c.d[/len]` (host bits cleared), and the indices of the
    other lines. None when the chunk cannot be read as one ASCII text of exactly these lines
    (an item that is not a string, holds a newline or a non-ASCII character): the caller then
    takes the whole chunk item by item. Lines longer than '255.255.255.255/32' are handed
    back unread, so the arrays stay within ~19 bytes a line whatever the input holds."""
    try:
        text = "\n".join(lines)
    except TypeError:
        return None
    n = len(lines)
    if len(text) >= _LONGEST * n + n:  # some line is longer than any it could take
        short = [i for i, line in enumerate(lines) if len(line) <= _LONGEST]
        parsed = parse_lines([lines[i] for i in short], strict=strict) if short else (_NO_KEYS, [])
        if parsed is None:
            return None
        keys, others = parsed
        taken = set(short).difference(short[i] for i in others)
        return keys, [i for i in range(n) if i not in taken]
    if text.count("\n") != n - 1:  # a line holds a newline
        return None
    try:
        raw = (text + "\n").encode("ascii")
    except UnicodeEncodeError:
        return None
    keys, bad, _, _ = parse_text(raw, strict=strict)
    return keys, bad.tolist()


def parse_text(
    raw: bytes, *, strict: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`parse_lines` for the bytes of whole lines, each ending in a newline (b'\\n'), as read
    from a file: the keys of the lines written `a.b.c.d[/len]`, and for every other line its
    index and where its bytes start and stop in `raw` (without the newline), to be read item
    by item. No `str` is made for a line NumPy takes; a line with anything else (a space, a
    carriage return, a comment, an IPv6 address, a byte above 127) is handed back."""
    buf = np.frombuffer(raw, np.uint8)
    digit = buf - np.uint8(48)  # wraps round: every non-digit is above 9
    sep = np.flatnonzero(digit > 9)  # '.', '/', the newline and anything else
    char = buf[sep]
    ends = np.flatnonzero(char == _NEWLINE)  # each line's newline, as an index into `sep`
    n = len(ends)
    firsts = np.empty(n, np.intp)
    firsts[0] = 0
    firsts[1:] = ends[:-1] + 1
    seps = ends - firsts + 1  # 4 for 'a.b.c.d', 5 for 'a.b.c.d/len'
    # the field before each separator: its length and value (up to three digits)
    start = np.empty_like(sep)
    start[0] = 0
    start[1:] = sep[:-1] + 1
    length = sep - start
    top = len(buf) - 1
    d0 = digit[start].astype(np.uint16)
    d1 = digit[np.minimum(start + 1, top)].astype(np.uint16)
    d2 = digit[np.minimum(start + 2, top)].astype(np.uint16)
    value = np.where(length == 1, d0, np.where(length == 2, d0 * 10 + d1, d0 * 100 + d1 * 10 + d2))
    # where each separator stands in its line, and the one it must be there
    line_seps = np.repeat(seps, seps)
    place = np.arange(len(sep)) - np.repeat(firsts, seps)
    expected = np.where(
        place < 3, _DOT, np.where((place == 3) & (line_seps == 5), _SLASH, _NEWLINE)
    )
    good = (
        (char == expected)
        & (length >= 1)
        & (length <= 3)
        & ((length == 1) | (d0 != 0))  # no leading zeros
        & (value <= np.where(place == 4, 32, 255))
    )
    bad_line = np.logical_or.reduceat(~good, firsts) | (seps < 4) | (seps > 5)
    first = firsts[~bad_line]
    octets = [value[first + i].astype(np.uint64) for i in range(4)]
    address = octets[0] << 24 | octets[1] << 16 | octets[2] << 8 | octets[3]
    with_length = seps[~bad_line] == 5
    prefix = np.where(with_length, value[np.where(with_length, first + 4, first)], 32)
    host = (32 - prefix).astype(np.uint64)
    network = address >> host << host
    if strict and (held := network != address).any():  # host bits set: the per-item path
        bad_line[np.flatnonzero(~bad_line)[held]] = True  # words the error
        network, host = network[~held], host[~held]
    keys = network << np.uint64(6) | host
    bad = np.flatnonzero(bad_line)
    stops = sep[ends[bad]]
    starts = np.where(bad > 0, sep[ends[np.maximum(bad - 1, 0)]] + 1, 0)
    return keys, bad, starts, stops


def combine(arrays: list[np.ndarray], buckets: list[array[int]] | list[list[int]]) -> np.ndarray:
    """One key array from the chunks' arrays and from the first-octet buckets of the items that
    took the per-item path (`netutil.subnet.keys._Keys`: `(address & 0xFFFFFF) << 6 |
    host_bits`)."""
    parts = list(arrays)
    parts.extend(
        np.asarray(bucket, np.uint64) | np.uint64(octet << 30)
        for octet, bucket in enumerate(buckets)
        if bucket
    )
    return np.concatenate(parts) if parts else np.empty(0, np.uint64)


def clip(keys: np.ndarray, lo: int, hi: int) -> tuple[np.ndarray, int, bool]:
    """The keys whose blocks meet [lo, hi) without holding all of it, how many lie outside it,
    and whether one holds all of it (`netutil.subnet.lists.exclude`'s three cases)."""
    host = keys & np.uint64(63)
    start = keys >> np.uint64(6)
    end = start + (np.uint64(1) << host)
    meets = (end > lo) & (start < hi)
    holds = meets & (start <= lo) & (end >= hi)
    return keys[meets & ~holds], len(keys) - int(np.count_nonzero(meets)), bool(holds.any())


def merge(keys: np.ndarray) -> array[int]:
    """The minimal blocks covering the union of the keys' blocks, sorted, packed into an
    `array('Q')`: what `netutil.subnet.keys._merge4` gives, with the sort and the run detection done
    by NumPy (a block starting inside or right after a run extends it; a run that is exactly its
    first block is that block, any other is cut into the minimal blocks of its range)."""
    from netutil.subnet.ranges import _packed_range

    out = array("Q")
    if not len(keys):
        return out
    keys = np.sort(keys)
    start = keys >> np.uint64(6)
    host = keys & np.uint64(63)
    end = start + (np.uint64(1) << host)  # exclusive
    reach = np.maximum.accumulate(end)
    opens = np.empty(len(keys), bool)
    opens[0] = True
    opens[1:] = start[1:] > reach[:-1]
    firsts = np.flatnonzero(opens)
    lasts = np.empty_like(firsts)
    lasts[:-1] = firsts[1:] - 1
    lasts[-1] = len(keys) - 1
    run_end = reach[lasts]
    single = end[firsts] == run_end
    blocks = start[firsts[single]] << np.uint64(8) | host[firsts[single]]
    cut = [
        packed
        for first, last in zip(
            start[firsts[~single]].tolist(), (run_end[~single] - np.uint64(1)).tolist(), strict=True
        )
        for packed in _packed_range(first, last, 32)
    ]
    if cut:  # in order already, as the runs are: slot them in (no second sort)
        cut_blocks = np.array(cut, np.uint64)
        blocks = np.insert(blocks, np.searchsorted(blocks, cut_blocks), cut_blocks)
    out.frombytes(blocks.tobytes())
    return out


#: Blocks written per NumPy pass.
TEXT_CHUNK = 65_536

_WORDS: list[np.ndarray] = []


def _word_tables() -> np.ndarray:
    """Four-byte pieces of the text, NUL-padded: for 0-255 the octet followed by '.', by '/'
    (the last octet), and for 0-32 the prefix length followed by a newline."""
    if not _WORDS:
        table = np.zeros((3, 256, 4), np.uint8)
        for i in range(256):
            digits = list(str(i).encode())
            table[0, i, : len(digits)] = digits
            table[1, i, : len(digits)] = digits
            table[0, i, 3], table[1, i, 3] = _DOT, _SLASH
            if i <= 32:
                table[2, i, : len(digits)] = digits
                table[2, i, 2] = _NEWLINE
        _WORDS.append(table.view(np.uint32)[..., 0])
    return _WORDS[0]


def cidr_block(packed: array[int] | list[int] | np.ndarray) -> str:
    """'a.b.c.d/len' and a newline for each packed IPv4 block, as one text: each line laid out
    in five four-byte words from the tables above (one gather per word), then the NUL padding
    dropped in one pass."""
    if isinstance(packed, np.ndarray):
        blocks = packed.astype(np.uint64, copy=False)
    elif isinstance(packed, array):
        blocks = np.frombuffer(packed, np.uint64)
    else:
        blocks = np.array(packed, np.uint64)
    if not len(blocks):
        return ""
    dotted, slashed, ended = _word_tables()
    address = (blocks >> np.uint64(8)).astype(np.intp)
    words = np.empty((len(blocks), 5), np.uint32)
    words[:, 0] = dotted[address >> 24]
    words[:, 1] = dotted[address >> 16 & 255]
    words[:, 2] = dotted[address >> 8 & 255]
    words[:, 3] = slashed[address & 255]
    words[:, 4] = ended[32 - (blocks & np.uint64(255)).astype(np.intp)]
    text = words.view(np.uint8).ravel()
    return text[text != 0].tobytes().decode("ascii")


def cidr_text(packed: array[int] | list[int]) -> list[str]:
    """`cidr_block`'s lines, one string each."""
    lines = cidr_block(packed).split("\n")
    lines.pop()
    return lines


# --------------------------------------------------------------------------------------------
# Rows of text laid out from a template (the CLI's aligned rows, JSON items, JSON Lines)

_LAYOUT: dict[str, np.ndarray] = {}


def _layout_tables() -> dict[str, np.ndarray]:
    """Four-byte words (NUL-padded, as uint32) for the pieces of an IPv4 block's text: an octet
    followed by '.', an octet alone, '/' and a prefix length; and the octets' text lengths."""
    if not _LAYOUT:
        words = np.zeros((4, 256, 4), np.uint8)
        for i in range(256):
            digits = list(str(i).encode())
            words[0, i, : len(digits) + 1] = [*digits, _DOT]
            words[1, i, : len(digits)] = digits
            if i <= 32:
                words[2, i, : len(digits) + 1] = [_SLASH, *digits]
        table = words.view(np.uint32)[..., 0]
        _LAYOUT.update(
            dotted=table[0], plain=table[1], prefix=table[2][:33],
            length=np.array([len(str(i)) for i in range(256)], np.intp),
        )  # fmt: skip
    return _LAYOUT


def _words(text: str) -> np.ndarray:
    """A literal's bytes as uint32 words, NUL-padded to a multiple of four bytes."""
    raw = text.encode("ascii")
    return np.frombuffer(raw + b"\0" * (-len(raw) % 4), np.uint32)


def _word_table(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Texts as rows of uint32 words (NUL-padded to the longest), and their lengths."""
    width = max(map(len, texts), default=0)
    raw = b"".join(t.encode("ascii").ljust(width + -width % 4, b"\0") for t in texts)
    table = np.frombuffer(raw, np.uint32).reshape(len(texts), -1)
    return table, np.array([len(t) for t in texts], np.intp)


def layout(packed: array[int] | list[int] | np.ndarray, template: tuple[Any, ...]) -> bytes:
    """The text of one row per packed IPv4 block (`first << 8 | host_bits`), laid out by
    `template`, a sequence of pieces: a `str` (written as it is), ("network",), ("first",) or
    ("last",) (the block as 'a.b.c.d/len', its first or last address as 'a.b.c.d'),
    ("by_prefix", texts) (texts[prefix length]), and ("pad", width, *pieces) (the pieces,
    then spaces up to `width` characters, as `str.ljust`). Every row is laid out in four-byte
    words (NUL-padded pieces gathered from tables, one NumPy pass a word), and the NULs are
    dropped from the whole text in one pass: no Python object per row. Text must be ASCII."""
    blocks = _as_blocks(packed)
    n = len(blocks)
    if not n:
        return b""
    tables = _layout_tables()
    host = (blocks & np.uint64(255)).astype(np.intp)
    first = (blocks >> np.uint64(8)).astype(np.intp)
    octets = {"first": [first >> s & 255 for s in (24, 16, 8, 0)]}
    if _uses(template, "last"):
        last = first + (np.intp(1) << host) - 1
        octets["last"] = [last >> s & 255 for s in (24, 16, 8, 0)]
    prefix = 32 - host
    columns: list[np.ndarray] = []

    def lay(pieces: tuple[Any, ...], lengths: np.ndarray | None) -> np.ndarray | int:
        """Append the pieces' words to `columns`; their text length (per row, or one int)."""
        total: np.ndarray | int = 0
        for piece in pieces:
            if isinstance(piece, str):
                columns.append(_words(piece)[None, :])
                total = total + len(piece)
                continue
            kind = piece[0]
            if kind in ("network", "first", "last"):
                o = octets["last" if kind == "last" else "first"]
                columns.extend(tables["dotted"][x][:, None] for x in o[:3])
                columns.append(tables["plain"][o[3]][:, None])
                if lengths is not None:
                    length = tables["length"]
                    total = total + length[o[0]] + length[o[1]] + length[o[2]] + length[o[3]] + 3
                if kind == "network":
                    columns.append(tables["prefix"][prefix][:, None])
                    if lengths is not None:
                        total = total + 2 + (prefix >= 10)
            elif kind == "by_prefix":
                table, widths = _word_table(list(piece[1]))
                columns.append(table[prefix])
                if lengths is not None:
                    total = total + widths[prefix]
            elif kind == "pad":
                width = piece[1]
                inner = lay(piece[2:], first)
                pads, _ = _word_table([" " * k for k in range(width + 1)])
                columns.append(pads[np.clip(width - inner, 0, width)])
                total = total + np.maximum(inner, width)
            else:
                raise ValueError(f"unknown template piece {piece!r}")
        return total

    lay(template, None)  # lengths are worked out inside "pad" pieces only
    rows = np.empty((n, sum(c.shape[1] for c in columns)), np.uint32)
    at = 0
    for c in columns:
        rows[:, at : at + c.shape[1]] = c
        at += c.shape[1]
    # bytes.translate deletes in a plain C loop: ~4x faster than NumPy's boolean compress
    return rows.tobytes().translate(None, b"\0")


def _uses(template: tuple[Any, ...], kind: str) -> bool:
    for piece in template:
        if isinstance(piece, tuple) and (
            piece[0] == kind or (piece[0] == "pad" and _uses(piece[2:], kind))
        ):
            return True
    return False


def _as_blocks(packed: array[int] | list[int] | np.ndarray) -> np.ndarray:
    if isinstance(packed, np.ndarray):
        return packed.astype(np.uint64, copy=False)
    if isinstance(packed, array):
        return np.frombuffer(packed, np.uint64)
    return np.array(packed, np.uint64)
