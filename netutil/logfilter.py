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
        if not any_address:  # the first word, from the line's head alone when it ends there
            head = line[:_HEAD].translate(_CUT).split(None, 1)
            if head and (len(head) == 2 or len(line) <= _HEAD):
                address = _address(head[0])
                if address is not None:
                    if contains(address) != invert:
                        yield line
                    continue
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
        if seen and found != invert:
            yield line
