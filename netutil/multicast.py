"""Multicast address blocks and whether each is globally reachable: the one place that decides
it for addresses (`netutil ip info`) and networks (`netutil subnet info`) alike.

The IANA special-purpose registries hold no multicast blocks; reachability comes from the scope
instead. IPv6 (ff00::/8): the 4-bit scop field of ffXY::/16 (RFC 4291 section 2.7, names from
RFC 7346): only global scope E reaches beyond an administrative region; scope F "must be treated
the same as" E; scope 0 must be dropped; every other value (interface-, link-, realm-, admin-,
site-, organization-local and the unassigned ones, which administrators define) stays inside
its zone. IPv4 (224.0.0.0/4): the blocks of RFC 5771 section 3: the Local Network Control Block
is never forwarded (section 4), the Administratively Scoped Block stays inside its
organization (RFC 2365), the blocks that may be routed through the Internet are global, and a
reserved block has no verdict (None).
"""

from __future__ import annotations

from netutil.record import Record

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from typing import Any


class MulticastBlock(Record):
    """One multicast block: its integer bounds, name, source and reachability."""

    _fields = ("version", "first", "last", "name", "rfc", "globally_reachable")
    __slots__ = _fields

    version: int
    first: int
    last: int
    name: str
    rfc: str
    globally_reachable: bool | None

    def as_dict(self) -> dict[str, Any]:
        from netutil.address_text import format_address

        return {
            "first_address": format_address(self.version, self.first),
            "last_address": format_address(self.version, self.last),
            "name": self.name,
            "rfc": self.rfc,
            "globally_reachable": self.globally_reachable,
        }


def _v4(a: int, b: int, c: int, d: int) -> int:
    return a << 24 | b << 16 | c << 8 | d


# RFC 5771 section 3's table (234/8 from RFC 6034), in address order, covering 224.0.0.0/4.
_V4_TABLE = (
    ((224, 0, 0, 0), (224, 0, 0, 255), "Local Network Control Block", "RFC 5771 section 4", False),
    ((224, 0, 1, 0), (224, 0, 1, 255), "Internetwork Control Block", "RFC 5771 section 5", True),
    ((224, 0, 2, 0), (224, 0, 255, 255), "AD-HOC Block I", "RFC 5771 section 6", True),
    ((224, 1, 0, 0), (224, 1, 255, 255), "Reserved", "RFC 5771 section 3", None),
    ((224, 2, 0, 0), (224, 2, 255, 255), "SDP/SAP Block", "RFC 5771 section 7", True),
    ((224, 3, 0, 0), (224, 4, 255, 255), "AD-HOC Block II", "RFC 5771 section 6", True),
    ((224, 5, 0, 0), (231, 255, 255, 255), "Reserved", "RFC 5771 section 3", None),
    ((232, 0, 0, 0), (232, 255, 255, 255), "Source-Specific Multicast Block", "RFC 4607", True),
    ((233, 0, 0, 0), (233, 251, 255, 255), "GLOP Block", "RFC 3180", True),
    ((233, 252, 0, 0), (233, 255, 255, 255), "AD-HOC Block III", "RFC 5771 section 6", True),
    ((234, 0, 0, 0), (234, 255, 255, 255), "Unicast-Prefix-based Block", "RFC 6034", True),
    ((235, 0, 0, 0), (238, 255, 255, 255), "Reserved", "RFC 5771 section 3", None),
    ((239, 0, 0, 0), (239, 255, 255, 255), "Administratively Scoped Block", "RFC 2365", False),
)

#: IPv6 multicast scopes (RFC 4291 section 2.7, RFC 7346 section 2): name and reachability.
SCOPES: dict[int, tuple[str, bool]] = {
    0x0: ("reserved", False),  # must not be originated; dropped when received
    0x1: ("interface-local", False),
    0x2: ("link-local", False),
    0x3: ("realm-local", False),
    0x4: ("admin-local", False),
    0x5: ("site-local", False),
    0x8: ("organization-local", False),
    0xE: ("global", True),
    0xF: ("reserved", True),  # "treated the same as" global scope E
}
_UNASSIGNED = ("unassigned", False)  # 6, 7, 9-D: regions that administrators define

_V4_BLOCKS = tuple(
    MulticastBlock(4, _v4(*lo), _v4(*hi), name, rfc, verdict)
    for lo, hi, name, rfc, verdict in _V4_TABLE
)
_V4_FIRSTS = [b.first for b in _V4_BLOCKS]
_V6_BLOCKS: dict[int, MulticastBlock] = {}


def scope_name(scope: int) -> str:
    """The name of an IPv6 multicast scop value (RFC 7346 section 2)."""
    return SCOPES.get(scope, _UNASSIGNED)[0]


def _v6_block(top16: int) -> MulticastBlock:
    """The ffXY::/16 block (flags X, scope Y) as one MulticastBlock, made once."""
    block = _V6_BLOCKS.get(top16)
    if block is None:
        scope = top16 & 0xF
        name, verdict = SCOPES.get(scope, _UNASSIGNED)
        first = top16 << 112
        block = _V6_BLOCKS[top16] = MulticastBlock(
            6, first, first | (1 << 112) - 1, f"{name} scope", "RFC 4291 section 2.7", verdict
        )
    return block


def block_of(version: int, value: int) -> MulticastBlock | None:
    """The multicast block that holds the address, or None for a unicast address."""
    if version == 4:
        if value >> 28 != 0xE:
            return None
        from bisect import bisect_right

        return _V4_BLOCKS[bisect_right(_V4_FIRSTS, value) - 1]
    if value >> 120 != 0xFF:
        return None
    return _v6_block(value >> 112)


#: All of ff00::/8, for a range that holds it whole: one block of every scope (no verdict).
_V6_ALL = MulticastBlock(
    6, 0xFF << 120, (1 << 128) - 1, "every scope", "RFC 4291 section 2.7", None
)


def blocks_in(version: int, first: int, last: int) -> tuple[MulticastBlock, ...]:
    """The multicast blocks that meet the range [first, last], in address order: at most 13
    for IPv4 (RFC 5771's table); for IPv6 the ffXY::/16 blocks it meets, or one block for all
    of ff00::/8 when it holds it whole."""
    if version == 4:
        return tuple(b for b in _V4_BLOCKS if b.first <= last and b.last >= first)
    low = max(first, 0xFF << 120)
    if low > last:
        return ()
    if low == 0xFF << 120 and last == (1 << 128) - 1:
        return (_V6_ALL,)
    return tuple(_v6_block(top) for top in range(low >> 112, (last >> 112) + 1))
