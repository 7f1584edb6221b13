"""The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890, updated by RFC 8190).

The registries ship as package data in IANA's own CSV layout (see data/IANA-SOURCE.txt for their
date and origin) and are parsed at first use into sorted integer tables searched with `bisect`.
Entries nest (`192.0.0.9/32` lies inside `192.0.0.0/24`); the most specific entry that has not
been terminated decides an address's flags. Terminated entries stay visible in `entries()` and
`containing()` but never decide.
"""

from __future__ import annotations

import ipaddress
import os
from bisect import bisect_right

from netutil.address_text import network_text
from netutil.errors import InvalidInput
from netutil.record import Record

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from typing import Any

REGISTRY_DATE = "2026-07-18"
"""When the bundled copy of both registries was taken from iana.org."""

REGISTRY_FILES = {
    4: "iana-ipv4-special-registry-1.csv",
    6: "iana-ipv6-special-registry-1.csv",
}
REGISTRY_URLS = {
    4: "https://www.iana.org/assignments/iana-ipv4-special-registry/",
    6: "https://www.iana.org/assignments/iana-ipv6-special-registry/",
}
DATA_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

_FLAG_COLUMNS = (
    "Source",
    "Destination",
    "Forwardable",
    "Globally Reachable",
    "Reserved-by-Protocol",
)
_FLAG_VALUES: dict[str, bool | None] = {"True": True, "False": False, "N/A": None, "": None}


class Entry(Record):
    """One registry row for one prefix (a row listing two prefixes gives two entries).

    Flags are booleans as published; None where IANA says N/A (Teredo and 6to4 Globally
    Reachable) or leaves the cell empty (terminated entries). `termination_date` is None unless
    the entry was terminated. Dates are IANA's `YYYY-MM` text.
    """

    _fields = (
        "prefix",
        "name",
        "rfc",
        "allocation_date",
        "termination_date",
        "source",
        "destination",
        "forwardable",
        "globally_reachable",
        "reserved_by_protocol",
    )
    __slots__ = _fields
    prefix: ipaddress.IPv4Network | ipaddress.IPv6Network
    name: str
    rfc: str
    allocation_date: str
    termination_date: str | None
    source: bool | None
    destination: bool | None
    forwardable: bool | None
    globally_reachable: bool | None
    reserved_by_protocol: bool | None

    @property
    def terminated(self) -> bool:
        """True for entries IANA has terminated (they never decide an address's flags)."""
        return self.termination_date is not None

    def as_dict(self) -> dict[str, Any]:
        """The entry's JSON shape (flags as booleans, null for N/A or empty)."""
        return {
            "prefix": network_text(self.prefix),  # str() differs by Python version
            "name": self.name,
            "rfc": self.rfc,
            "allocation_date": self.allocation_date,
            "termination_date": self.termination_date,
            "source": self.source,
            "destination": self.destination,
            "forwardable": self.forwardable,
            "globally_reachable": self.globally_reachable,
            "reserved_by_protocol": self.reserved_by_protocol,
        }


class _Table:
    """One version's registry: entries in published order, plus the address line cut into
    intervals at every entry boundary. Interval i starts at `starts[i]`; `decides[i]` is the most
    specific non-terminated entry covering it (or None) and `chains[i]` every entry covering it,
    terminated ones included, most specific first."""

    __slots__ = ("chains", "decides", "entries", "starts")

    def __init__(self, entries: tuple[Entry, ...]) -> None:
        self.entries = entries
        spans = [
            (int(e.prefix.network_address), int(e.prefix.broadcast_address), e) for e in entries
        ]
        cuts = sorted({lo for lo, _, _ in spans} | {hi + 1 for _, hi, _ in spans} | {0})
        self.starts = cuts
        self.decides: list[Entry | None] = []
        self.chains: list[tuple[Entry, ...]] = []
        for cut in cuts:
            # CIDR blocks never overlap partially, so what covers `cut` covers its whole interval.
            covering = sorted(
                (e for lo, hi, e in spans if lo <= cut <= hi),
                key=lambda e: -e.prefix.prefixlen,
            )
            self.chains.append(tuple(covering))
            self.decides.append(next((e for e in covering if not e.terminated), None))


_TABLES: dict[int, _Table] = {}


def _flag(cell: str, where: str) -> bool | None:
    try:
        return _FLAG_VALUES[cell]
    except KeyError:
        raise ValueError(f"unexpected flag value {cell!r} in {where}") from None


def _clean(cell: str) -> str:
    """A cell without IANA's footnote marks (`False [1]`) and with whitespace collapsed."""
    words = [w for w in cell.split() if not (w[:1] == "[" and w[-1:] == "]" and w[1:-1].isdigit())]
    return " ".join(words)


def parse_csv(path: str, version: int) -> tuple[Entry, ...]:
    """Parse one registry file in IANA's CSV layout into entries, in published order."""
    import csv

    network = ipaddress.IPv4Network if version == 4 else ipaddress.IPv6Network
    out: list[Entry] = []
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            where = f"{os.path.basename(path)} line {row['Address Block']!r}"
            flags = [_flag(_clean(row[c]), where) for c in _FLAG_COLUMNS]
            termination = _clean(row["Termination Date"])
            for block in _clean(row["Address Block"]).split(","):
                out.append(
                    Entry(
                        network(block.strip()),
                        _clean(row["Name"]),
                        _clean(row["RFC"]),
                        _clean(row["Allocation Date"]),
                        None if termination in ("", "N/A") else termination,
                        *flags,
                    )
                )
    return tuple(out)


def _table(version: int) -> _Table:
    table = _TABLES.get(version)
    if table is None:
        path = os.path.join(DATA_DIR, REGISTRY_FILES[version])
        table = _TABLES[version] = _Table(parse_csv(path, version))
    return table


def entries(version: int | None = None) -> tuple[Entry, ...]:
    """Every registry entry of one version (4 or 6) or of both (IPv4 first), in published order,
    terminated entries included."""
    if version is None:
        return _table(4).entries + _table(6).entries
    if version not in (4, 6):
        raise InvalidInput(f"invalid IP version {version!r}: expected 4 or 6")
    return _table(version).entries


def lookup_int(version: int, value: int) -> Entry | None:
    """`lookup` for an address given as its version and integer (the bulk path's form)."""
    table = _TABLES.get(version) or _table(version)
    return table.decides[bisect_right(table.starts, value) - 1]


def lookup(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> Entry | None:
    """The most specific non-terminated entry holding `address`, or None if none does.

    The address is taken as it is: `::ffff:10.0.0.1` is found in `::ffff:0:0/96` (callers that
    classify IPv4-mapped addresses by their IPv4 address look that up instead).
    """
    return lookup_int(address.version, int(address))


def containing(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> tuple[Entry, ...]:
    """Every entry holding `address`, terminated ones included, most specific first."""
    return containing_int(address.version, int(address))


def containing_int(version: int, value: int) -> tuple[Entry, ...]:
    """`containing` for an address given as its version and integer. The tuple returned is
    shared by every address of the same interval (callers may cache by its identity)."""
    table = _TABLES.get(version) or _table(version)
    return table.chains[bisect_right(table.starts, value) - 1]


def overlapping(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> tuple[Entry, ...]:
    """The non-terminated entries that intersect `network` (contain it or lie inside it), most
    specific first (longest prefix first, then by address)."""
    lo, hi = int(network.network_address), int(network.broadcast_address)
    found = [
        e
        for e in _table(network.version).entries
        if not e.terminated
        and int(e.prefix.network_address) <= hi
        and int(e.prefix.broadcast_address) >= lo
    ]
    found.sort(key=lambda e: (-e.prefix.prefixlen, int(e.prefix.network_address)))
    return tuple(found)
