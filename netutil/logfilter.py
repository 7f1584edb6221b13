"""Lines of text (a log) kept or dropped by whether their addresses fall inside a list of networks.

What counts as an address in a line, exactly (so that an address inside a longer token is never
matched by accident):

- The line is cut into words at whitespace and at every other ASCII character that is not a
  letter, a digit, '.' or ':' (non-ASCII characters belong to words). So spaces, brackets, '/',
  '%', '-', '=', ',' and quotes end a word: in
  `src=[2001:db8::1]:443`, `fe80::1%eth0`, `10.0.0.0/8` and `host-192.0.2.7` the words are
  `2001:db8::1`, `fe80::1`, `10.0.0.0` and `192.0.2.7`.
- A word is an address when all of it is one, in the strict text `inet_pton` and `ipaddress`
  both accept (IPv4 dotted quad without leading zeros; any RFC 4291 section 2.2 IPv6 form);
  `x10.0.0.1`, `10.0.0.1a`, `1.10.0.0.1`, `a.10.0.0.1` and `client:10.0.0.1` hold none.
- Two spellings common in logs are taken too: an IPv4 address with a port (`10.0.0.1:8080`),
  and an address followed by one '.' or ':' of punctuation (`from 10.0.0.1.`, `10.0.0.1: refused`).
- An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is IPv6 text and is looked up as IPv6 (list
  `::ffff:10.0.0.0/104` to catch it).

`grepcidr` (the peer tool) looks at every address on a line by default, as `any_address` does
here, and finds `10.0.0.1` inside `x10.0.0.1` and `a.10.0.0.1`; the default here is the line's
first address (the client of a web server's access log).
"""

from __future__ import annotations

from _socket import AF_INET as _AF_INET
from _socket import AF_INET6 as _AF_INET6
from _socket import inet_pton as _pton
from bisect import bisect_right

from netutil.record import Record

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from typing import Any

#: Bytes for `bytes.translate`: every ASCII character that ends a word (see the module
#: docstring) becomes a space, so that `translate` and `split` cut a line into words in C.
_CUT = bytes(c if c >= 128 or chr(c).isalnum() or chr(c) in ".:" else 32 for c in range(256))

#: Longest part of a line searched, in bytes (a longer line is searched up to there, its last
#: word there left out, and written whole if it matches): bounds the work of one line.
MAX_LINE = 65_536


def _address(word: bytes) -> tuple[int, int] | None:
    """(version, integer) of a word by the rules in the module docstring, or None."""
    if b"." not in word and b":" not in word:
        return None
    try:
        text = word.decode("ascii")
    except UnicodeDecodeError:
        return None
    for candidate in (text, text[:-1] if text[-1] in ".:" else None):
        if not candidate:
            continue
        try:
            if ":" in candidate:
                return 6, int.from_bytes(_pton(_AF_INET6, candidate), "big")
            return 4, int.from_bytes(_pton(_AF_INET, candidate), "big")
        except OSError:
            pass
    host, colon, port = text.rpartition(":")
    if colon and "." in host and port.isdigit() and len(port) <= 5 and ":" not in host:
        try:
            return 4, int.from_bytes(_pton(_AF_INET, host), "big")
        except OSError:
            pass
    return None


def _words(line: bytes) -> list[bytes]:
    if len(line) <= MAX_LINE:
        return line.translate(_CUT).split()
    return line[:MAX_LINE].translate(_CUT).split()[:-1]


def _bytes(line: str | bytes) -> bytes:
    return line if isinstance(line, bytes) else line.encode("utf-8", "surrogateescape")


def addresses(line: str | bytes) -> Iterator[tuple[int, int]]:
    """Every address in a line, in order, as (version, integer) (see the module docstring)."""
    for word in _words(_bytes(line)):
        found = _address(word)
        if found is not None:
            yield found


def first_address(line: str | bytes) -> tuple[int, int] | None:
    """The line's first address as (version, integer), or None when it holds none."""
    return next(addresses(line), None)


class NetworkSet(Record):
    """Networks merged into sorted disjoint ranges per IP version, for membership tests by
    bisection (one `bisect` over the range starts per address)."""

    _fields = ("starts", "ends", "count")
    __slots__ = _fields

    starts: dict[int, list[int]]
    ends: dict[int, list[int]]
    count: int

    def __contains__(self, address: tuple[int, int]) -> bool:
        version, value = address
        starts = self.starts[version]
        i = bisect_right(starts, value) - 1
        return i >= 0 and value < self.ends[version][i]


def network_set(items: Iterable[Any], *, errors: list[tuple[int, str]] | None = None) -> NetworkSet:
    """The set of addresses the items (addresses and networks, as `summarize` takes them) hold;
    bad items raise InvalidInput or, with `errors`, are recorded as (position, message)."""
    from netutil.subnet import setops

    found: list[tuple[int, int, str]] | None = None if errors is None else []
    merged = setops._merged(items, found, 0, "filter")
    if errors is not None and found:
        errors.extend((position, message) for _, position, message in found)
    starts: dict[int, list[int]] = {}
    ends: dict[int, list[int]] = {}
    for version, packed in ((4, merged.v4), (6, merged.v6)):
        ranges = setops.intervals(packed)
        starts[version] = [s for s, _ in ranges]
        ends[version] = [e for _, e in ranges]
    return NetworkSet(starts, ends, merged.count)


#: Bytes of a line's start cut into words first when only its first address counts: most logs
#: begin with it, and the rest of the line is then never split.
_HEAD = 64


def filter_lines(
    lines: Iterable[bytes],
    networks: NetworkSet,
    *,
    any_address: bool = False,
    invert: bool = False,
) -> Iterator[bytes]:
    """The lines whose first address (with `any_address`, any of their addresses) is inside
    `networks`; with `invert`, the lines that hold an address and whose first address (or every
    address) is outside. Lines without an address are never given (as with grepcidr). Lines are
    bytes (a log's own, whatever its encoding), given back unchanged."""
    contains = networks.__contains__
    for line in lines:
        if _keep(line, contains, any_address, invert):
            yield line


def _keep(line: bytes, contains: Any, any_address: bool, invert: bool) -> bool:
    """Whether `filter_lines` gives `line` (the rule stated there, one line)."""
    if not any_address:  # the first word, from the line's head alone when it ends there
        head = line[:_HEAD].translate(_CUT).split(None, 1)
        if head and (len(head) == 2 or len(line) <= _HEAD):
            address = _address(head[0])
            if address is not None:
                return contains(address) != invert
    seen = found = False
    for word in _words(line):
        address = _address(word)
        if address is None:
            continue
        seen = True
        if contains(address):
            found = True
            break
        if not any_address:
            break
    return seen and found != invert


#: Bytes of a line's start searched for its first word in NumPy: an IPv6 address is at most
#: 45 characters ('ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255').
_WORD = 48

#: Bytes of a log read per NumPy pass by `filter_chunks` (whole lines; about 14,000 lines of a
#: web server's access log).
CHUNK = 1 << 20


def filter_chunks(
    chunks: Iterable[bytes],
    networks: NetworkSet,
    *,
    any_address: bool = False,
    invert: bool = False,
) -> Iterator[bytes]:
    """`filter_lines` for a log given as pieces of whole lines (each piece ending in a newline):
    the lines given, as one bytes object per piece. Without `any_address`, the lines that begin
    with an IPv4 address in the usual spelling (a word of digits and three dots, no leading
    zeros: the only words `inet_pton` takes as IPv4 without a colon or a trailing dot) are
    decided in NumPy, a piece at a time; every other line by `_keep`, the per-line rule, which
    a property test holds the whole to."""
    contains = networks.__contains__
    if any_address:
        from io import BytesIO

        for chunk in chunks:  # lines end at b'\n' only, as a binary file's
            yield b"".join([line for line in BytesIO(chunk) if _keep(line, contains, True, invert)])
        return
    import numpy as np

    starts4 = np.array(networks.starts.get(4, []), np.uint64)
    ends4 = np.array(networks.ends.get(4, []), np.uint64)
    cut = np.frombuffer(_CUT, np.uint8) == 32
    for chunk in chunks:
        buf = np.frombuffer(chunk, np.uint8)
        ends = np.flatnonzero(buf == 10)  # each line's newline
        if not len(ends):
            continue
        starts = np.empty_like(ends)
        starts[0] = 0
        starts[1:] = ends[:-1] + 1
        # each line's first _WORD bytes (the piece padded with newlines past its end): where
        # the first separator stands in them is the first word's length when it is short
        padded = np.concatenate([buf, np.full(_WORD, 10, np.uint8)])
        window = np.lib.stride_tricks.sliding_window_view(padded, _WORD)[starts]
        length = cut[window].argmax(axis=1)  # 0: the line starts with a separator (or none)
        address, plain = _first_ipv4(window, length)
        plain &= ends - starts <= MAX_LINE  # (longer lines: the per-line rule's bound)
        i = np.searchsorted(starts4, address, side="right").astype(np.intp) - 1
        inside = (i >= 0) & (address < ends4[np.maximum(i, 0)] if len(ends4) else False)
        keep = plain & (inside != invert)
        others = np.flatnonzero(~plain)
        if len(others):
            keep[others] = _decide(chunk, others, starts, ends, length, contains, invert)
        yield _kept(chunk, keep, starts, ends)


def _decide(
    chunk: bytes,
    others: Any,
    starts: Any,
    ends: Any,
    length: Any,
    contains: Any,
    invert: bool,
) -> list[bool]:
    """`_keep` (first address) for the lines NumPy left: the first word itself when it is an
    address (an IPv6 client; its length from the window, 0 when not known), the whole rule
    otherwise."""
    first, last, words = starts[others].tolist(), ends[others].tolist(), length[others].tolist()
    out = []
    for a, b, n in zip(first, last, words, strict=True):
        address = _address(chunk[a : a + n]) if n and b - a <= MAX_LINE else None
        if address is None:
            out.append(_keep(chunk[a : b + 1], contains, False, invert))
        else:
            out.append(contains(address) != invert)
    return out


def _first_ipv4(window: Any, lengths: Any) -> tuple[Any, Any]:
    """For each line (a row of `window`, its first bytes), the value of its first word
    (`lengths` bytes) read as a dotted quad, and whether it is one (what inet_pton's AF_INET
    takes: four fields of one to three digits, each at most 255, no leading zeros). Each
    digit's worth is its value times ten to the number of digits after it in its field, times
    256 to the number of fields after its own."""
    import numpy as np

    width = 15  # '255.255.255.255'
    places = np.arange(width, dtype=np.uint8)
    window = window[:, :width]
    inside = places < np.minimum(lengths, 255).astype(np.uint8)[:, None]
    digit = window - np.uint8(48)  # wraps round: every non-digit is above 9
    is_digit = (digit <= 9) & inside
    is_dot = (window == 46) & inside
    ok = (lengths >= 7) & (lengths <= width) & (is_digit | is_dot | ~inside).all(axis=1)
    ok &= is_dot.sum(axis=1, dtype=np.intp) == 3
    # where the field of each place ends (the next dot, or the word's end)
    end = np.where(is_dot | ~inside, places, np.uint8(width))
    end = np.minimum.accumulate(end[:, ::-1], axis=1)[:, ::-1]
    after = end - places - 1  # digits after this one in its field
    first = is_digit & np.concatenate(
        [np.ones((len(window), 1), bool), ~is_digit[:, :-1]], axis=1
    )  # the first digit of a field
    ok &= ~(is_digit & (after > 2)).any(axis=1)  # at most three digits
    ok &= ~(first & (digit == 0) & (after > 0)).any(axis=1)  # no leading zeros
    tens = np.array((1, 10, 100, 0), np.uint32)  # (a fourth digit is refused above)
    worth = np.where(is_digit, digit * tens[np.minimum(after, 3)], 0)
    field = np.cumsum(is_dot, axis=1, dtype=np.uint8)  # 0-3: the field of each place
    value = np.zeros(len(window), np.uint64)
    for f in range(4):
        part = np.where(field == f, worth, 0).sum(axis=1, dtype=np.uint32)
        ok &= part <= 255
        value = value << np.uint64(8) | part.astype(np.uint64)
    return value, ok


def _kept(chunk: bytes, keep: Any, starts: Any, ends: Any) -> bytes:
    """The kept lines of a piece, copied a run of consecutive kept lines at a time."""
    import numpy as np

    if not keep.any():
        return b""
    edges = np.flatnonzero(np.diff(keep.astype(np.int8), prepend=0, append=0))
    begin, stop = edges[0::2], edges[1::2]  # runs [begin, stop) of kept lines
    a, b = starts[begin].tolist(), (ends[stop - 1] + 1).tolist()
    if len(a) == 1:
        return chunk[a[0] : b[0]]
    view = memoryview(chunk)
    return b"".join([view[x:y] for x, y in zip(a, b, strict=True)])
