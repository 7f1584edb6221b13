"""Packed integer keys: list input parsed into them, merged into the minimal covering blocks,
all on plain integers (no per-item objects).

`_merge` is the readable reference merge; `_merge4` (IPv4 keys in first-octet buckets) and
`netutil.subnet.bulk.merge` (NumPy) are the fast paths, held to it by property tests.
"""

from __future__ import annotations

import ipaddress

from netutil.address_text import network_text
from netutil.errors import InvalidInput, LimitExceeded, shown
from netutil.record import Record
from netutil.subnet.info import BITS, _network_or_address
from netutil.subnet.ranges import _packed_range

TYPE_CHECKING = False  # typing costs ~2 ms of start-up (`ip info ADDR/LEN` imports this package)
if TYPE_CHECKING:
    from array import array
    from collections.abc import Iterable, Iterator
    from typing import Any

#: Most items a list input (summarize, exclude, VLSM host counts) may hold.
MAX_INPUT_ITEMS = 10_000_000


_HOST_BITS = {4: {str(p): 32 - p for p in range(33)}, 6: {str(p): 128 - p for p in range(129)}}


class _Keys(Record):
    """Parsed list input. IPv6 blocks are packed `first << 8 | host_bits`; IPv4 blocks sit in
    256 buckets by first octet, packed `(first & 0xFFFFFF) << 6 | host_bits`: keys below 2**30
    are one-digit Python ints, which sort about twice as fast as the 38-bit keys would. The
    buckets are `array('I')`s (4 bytes a key instead of a 32-byte int object and a pointer):
    a bucket's keys become int objects only when it is sorted, side by side in memory, so
    the sort and the merge read them from cache instead of from all over the heap. A long
    list's IPv4 keys come in NumPy arrays instead, `bulk` (see `netutil.subnet.bulk`); its
    buckets then hold only the items that took the per-item path."""

    _fields = ("v4", "v6", "count", "accepted", "rejected", "bulk")
    __slots__ = _fields

    v4: list[array[int]] | list[list[int]]
    v6: list[int]
    count: int  # items read, blank and bad ones included
    accepted: int  # items taken
    rejected: int  # bad items skipped (recorded in `errors`)
    bulk: list[Any]


#: Items from which a list is parsed in NumPy arrays (`netutil.subnet.bulk`): importing NumPy
#: costs about what the per-item loop spends on 200,000 items.
_BULK_FROM = 200_000
#: Items parsed per NumPy pass (~1 MB of text: the arrays stay in cache, memory stays flat).
_BULK_CHUNK = 65_536


class ListText(Record):
    """A list given as its text, items one a line, in bytes `blocks` of any size (a file's
    `read` calls): what a pipeline's list is, read without a `str` per line. Iterating gives
    the items as text: each line (cut at b'\\n') decoded with `encoding` and `errors`, stripped
    of whitespace, and a comment line ('#...') as a blank item, so that an item's position is
    its line number. `encoding` must write '\\n' as that one byte (UTF-8, ASCII). `_parse_keys`
    reads a long list's usual IPv4 lines straight from the bytes (`netutil.subnet.bulk`)."""

    _fields = ("blocks", "encoding", "errors")
    __slots__ = _fields

    blocks: Iterable[bytes]
    encoding: str
    errors: str

    def chunks(self) -> Iterator[bytes]:
        """The text in pieces of whole lines, each piece ending in a newline (one is added to a
        last line without it)."""
        return _whole_lines(self.blocks)

    def item(self, line: bytes) -> str:
        """One line's item (see the class docstring)."""
        text = line.decode(self.encoding, self.errors).strip()
        return "" if text.startswith("#") else text

    def __iter__(self) -> Iterator[str]:
        return _items(self, self.chunks())


class FileListText(ListText):
    """`ListText` read as Python reads a text file (universal newlines): '\\r\\n' and a lone
    '\\r' end a line too, as '\\n' does."""

    __slots__ = ()

    def chunks(self) -> Iterator[bytes]:
        return _whole_lines(_universal_newlines(self.blocks))


def _whole_lines(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """`blocks` cut into pieces of whole lines, each ending in b'\\n' (added to a last line
    without one)."""
    pending = b""
    for block in blocks:
        data = pending + block if pending else block
        cut = data.rfind(b"\n") + 1
        if cut:
            yield data if cut == len(data) else data[:cut]
            pending = data[cut:]
        else:
            pending = data
    if pending:
        yield pending + b"\n"


def _universal_newlines(blocks: Iterable[bytes]) -> Iterator[bytes]:
    """`blocks` with '\\r\\n' and a lone '\\r' turned into '\\n', as a text file reads them;
    a block's final '\\r' waits for the next block, whose first byte may be its '\\n'."""
    held = b""
    for block in blocks:
        data = held + block if held else block
        held = b""
        if data.endswith(b"\r"):
            data, held = data[:-1], b"\r"
        if b"\r" in data:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        yield data
    if held:
        yield b"\n"


def _items(text: ListText, chunks: Iterable[bytes]) -> Iterator[str]:
    item = text.item
    for chunk in chunks:
        lines = chunk.split(b"\n")
        lines.pop()
        yield from map(item, lines)


#: Bytes of whole lines past which a piece of list text holds a line longer than any item NumPy
#: reads: it is read item by item instead, so NumPy's arrays stay within ~40 bytes a line.
_TEXT_PIECE_MOST = 4 << 20


def _parse_text(
    text: ListText,
    errors: list[tuple[int, str]] | None,
    what: str,
    only: ipaddress.IPv4Network | ipaddress.IPv6Network | None,
    compact: bool,
    strict: bool,
) -> _Keys:
    """`_parse_keys` for list text: a long list's pieces go to NumPy as bytes, their other
    lines item by item (with their line numbers); a short one is read item by item."""
    from itertools import chain

    chunks = text.chunks()
    head: list[bytes] = []
    lines = 0
    for chunk in chunks:
        head.append(chunk)
        lines += chunk.count(b"\n")
        if lines >= _BULK_FROM:
            break
    if lines < _BULK_FROM or (only is not None and only.version != 4):
        items = _items(text, chain(head, chunks))
        return _parse_keys(items, errors, what, only, compact=compact, strict=strict)
    from netutil.subnet import bulk

    v4: list[list[int]] = [[] for _ in range(256)]
    v6: list[int] = []
    arrays = []
    count = 0
    before = len(errors) if errors is not None else 0
    item = text.item
    for chunk in chain(head, chunks):
        n = chunk.count(b"\n")
        if count + n > MAX_INPUT_ITEMS:
            raise LimitExceeded(f"more than {MAX_INPUT_ITEMS} items in the {what} list")
        if len(chunk) > _TEXT_PIECE_MOST:
            lines_ = chunk.split(b"\n")
            lines_.pop()
            where = list(range(count + 1, count + n + 1))
            _parse_each(map(item, lines_), errors, what, only, v4, v6, where, strict=strict)
        else:
            keys, bad, starts, stops = bulk.parse_text(chunk, strict=strict)
            if len(keys):
                arrays.append(keys)
            if len(bad):
                others = [
                    item(chunk[a:b]) for a, b in zip(starts.tolist(), stops.tolist(), strict=True)
                ]
                where = (bad + (count + 1)).tolist()
                _parse_each(others, errors, what, only, v4, v6, where, strict=strict)
        count += n
    accepted = sum(map(len, arrays)) + sum(map(len, v4)) + len(v6)
    rejected = len(errors) - before if errors is not None else 0
    return _Keys(v4, v6, count, accepted, rejected, arrays)


def _parse_keys(
    items: Iterable[Any],
    errors: list[tuple[int, str]] | None,
    what: str,
    only: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None,
    *,
    compact: bool = True,
    strict: bool = False,
) -> _Keys:
    """Parse many networks/addresses into packed keys. The usual spelling goes through libc's
    strict `inet_pton` (same syntax as ipaddress: no leading zeros, no short forms), or for a
    long list through `netutil.subnet.bulk` (the same strict IPv4 syntax, in NumPy); anything
    else through `parse_network`, which accepts what ipaddress accepts and words the error.
    Blank items are skipped. A bad item (or, with `only`, one of the other IP version; with
    `strict`, one with host bits set) raises, or with `errors` is recorded as (position,
    message) and skipped. With `compact` False the
    IPv4 buckets are plain lists (see _Keys: worth it when the keys that matter all fall in one
    bucket, whose int objects are then made side by side anyway)."""
    if isinstance(items, ListText):
        return _parse_text(items, errors, what, only, compact, strict)
    if isinstance(items, str | bytes):
        raise InvalidInput(f"invalid {what} list {shown(items)}: expected a list of networks")
    from array import array
    from itertools import chain, islice

    items = iter(items)
    head = list(islice(items, _BULK_FROM))
    if len(head) == _BULK_FROM and (only is None or only.version == 4):
        return _parse_bulk(chain(head, items), errors, what, only, strict)
    v4 = [array("I") if compact else [] for _ in range(256)]
    v6: list[int] = []
    before = len(errors) if errors is not None else 0
    skipped = _parse_each(chain(head, items), errors, what, only, v4, v6, strict=strict)
    accepted = sum(map(len, v4)) + len(v6)
    if accepted + skipped > MAX_INPUT_ITEMS:
        raise LimitExceeded(f"more than {MAX_INPUT_ITEMS} items in the {what} list")
    rejected = len(errors) - before if errors is not None else 0
    return _Keys(v4, v6, accepted + skipped, accepted, rejected, [])


def _parse_bulk(
    items: Iterator[Any],
    errors: list[tuple[int, str]] | None,
    what: str,
    only: ipaddress.IPv4Network | ipaddress.IPv6Network | None,
    strict: bool,
) -> _Keys:
    """`_parse_keys` for a long list: a chunk at a time, the lines NumPy takes as keys, the rest
    item by item with their positions in the whole list."""
    from itertools import islice

    from netutil.subnet import bulk

    v4: list[list[int]] = [[] for _ in range(256)]
    v6: list[int] = []
    arrays = []
    count = 0
    before = len(errors) if errors is not None else 0
    items = islice(items, MAX_INPUT_ITEMS + 1)
    while chunk := list(islice(items, _BULK_CHUNK)):
        if count + len(chunk) > MAX_INPUT_ITEMS:
            raise LimitExceeded(f"more than {MAX_INPUT_ITEMS} items in the {what} list")
        parsed = bulk.parse_lines(chunk, strict=strict)
        keys, others = parsed if parsed is not None else (None, range(len(chunk)))
        if keys is not None and len(keys):
            arrays.append(keys)
        if others:
            where = [count + i + 1 for i in others]
            _parse_each(
                [chunk[i] for i in others], errors, what, only, v4, v6, where, strict=strict
            )
        count += len(chunk)
    accepted = sum(map(len, arrays)) + sum(map(len, v4)) + len(v6)
    rejected = len(errors) - before if errors is not None else 0
    return _Keys(v4, v6, count, accepted, rejected, arrays)


def _parse_each(
    items: Iterable[Any],
    errors: list[tuple[int, str]] | None,
    what: str,
    only: ipaddress.IPv4Network | ipaddress.IPv6Network | None,
    v4: list[array[int]] | list[list[int]],
    v6: list[int],
    where: list[int] | None = None,
    *,
    strict: bool = False,
) -> int:
    """The per-item loop of `_parse_keys`: adds each item's key to `v4` or `v6` and returns
    how many it skipped (blank or, with `errors`, bad). `where` gives the items' positions in
    the whole list (1, 2, ... when None)."""
    import _socket as socket  # the C module socket.py re-exports (see address_text)
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
                v = fb(pton(af6, a), "big")
                x = v >> h << h
                if strict and x != v:
                    raise ValueError("host bits set")
                add6(x << 8 | h)
            else:
                h = h4[p] if slash else 0
                if refuse4:
                    raise ValueError("the other IP version")
                v = fb(pton(af4, a), "big")
                x = v >> h << h
                if strict and x != v:
                    raise ValueError("host bits set")
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
            net = _network_or_address(item, "network", strict)[0]
            if only is not None and net.version != only.version:
                raise InvalidInput(
                    f"{shown(item)} is IPv{net.version} but the network {network_text(only)} is"
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
