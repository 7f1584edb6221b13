"""Two networks (or a network and an address): does one hold the other, do they overlap."""

from __future__ import annotations

import enum

from netutil.address_text import network_text
from netutil.errors import InvalidInput, shown
from netutil.record import Record
from netutil.subnet.info import _address_text, _network_or_address, parse_network

TYPE_CHECKING = False  # typing costs ~2 ms of start-up (`ip info ADDR/LEN` imports this package)
if TYPE_CHECKING:
    from typing import Any

    from netutil.subnet.info import IPNetwork


class Relation(enum.Enum):
    """How network A relates to network B (CIDR blocks either nest or are disjoint)."""

    EQUAL = "equal"
    CONTAINS = "contains"  # A strictly contains B
    WITHIN = "within"  # A lies strictly inside B
    DISJOINT = "disjoint"


def _relation(a: IPNetwork, b: IPNetwork) -> Relation:
    a0, a1 = int(a.network_address), int(a.broadcast_address)
    b0, b1 = int(b.network_address), int(b.broadcast_address)
    if (a0, a1) == (b0, b1):
        return Relation.EQUAL
    if a0 <= b0 and b1 <= a1:
        return Relation.CONTAINS
    if b0 <= a0 and a1 <= b1:
        return Relation.WITHIN
    return Relation.DISJOINT


def _pair(a: Any, b: Any, what_a: str, what_b: str) -> tuple[IPNetwork, bool, IPNetwork, bool]:
    na, a_is_addr = _network_or_address(a, what_a)
    nb, b_is_addr = _network_or_address(b, what_b)
    if na.version != nb.version:
        raise InvalidInput(
            f"{what_a} {shown(str(a))} is IPv{na.version} but {what_b} {shown(str(b))} is"
            f" IPv{nb.version}: compare networks of one version"
        )
    return na, a_is_addr, nb, b_is_addr


class Containment(Record):
    """Whether NETWORK holds another network or an address."""

    _fields = ("network", "other", "other_is_address", "relation")
    __slots__ = _fields

    network: IPNetwork
    other: IPNetwork
    other_is_address: bool
    relation: Relation

    @property
    def contains(self) -> bool:
        return self.relation in (Relation.EQUAL, Relation.CONTAINS)

    def as_dict(self) -> dict[str, Any]:
        other = self.other
        return {
            "network": network_text(self.network),
            "other": _address_text(other.network_address)
            if self.other_is_address
            else network_text(other),
            "other_kind": "address" if self.other_is_address else "network",
            "contains": self.contains,
            "relation": self.relation.value,
        }


def contains(network: Any, other: Any, *, strict: bool = False) -> Containment:
    """Does NETWORK hold OTHER (an address, or a network: all of it)?"""
    net = parse_network(network, strict=strict, what="network").network
    other_net, is_addr = _network_or_address(other, "other")
    if net.version != other_net.version:
        raise InvalidInput(
            f"network {shown(str(network))} is IPv{net.version} but {shown(str(other))} is"
            f" IPv{other_net.version}: compare networks of one version"
        )
    return Containment(net, other_net, is_addr, _relation(net, other_net))


class Overlap(Record):
    """Whether two networks share addresses, and which."""

    _fields = ("a", "b", "relation")
    __slots__ = _fields

    a: IPNetwork
    b: IPNetwork
    relation: Relation

    @property
    def overlaps(self) -> bool:
        return self.relation is not Relation.DISJOINT

    @property
    def intersection(self) -> IPNetwork | None:
        """CIDR blocks nest, so the common part is the smaller one (or nothing)."""
        if not self.overlaps:
            return None
        return self.b if self.relation is Relation.CONTAINS else self.a

    def as_dict(self) -> dict[str, Any]:
        common = self.intersection
        return {
            "a": network_text(self.a),
            "b": network_text(self.b),
            "overlaps": self.overlaps,
            "relation": self.relation.value,
            "intersection": None if common is None else network_text(common),
            "num_common_addresses": "0" if common is None else str(common.num_addresses),
        }


def overlap(a: Any, b: Any, *, strict: bool = False) -> Overlap:
    """Do networks A and B share any address (and how do they nest)?"""
    na = parse_network(a, strict=strict, what="network A").network
    nb = parse_network(b, strict=strict, what="network B").network
    if na.version != nb.version:
        raise InvalidInput(
            f"network A {shown(str(a))} is IPv{na.version} but network B {shown(str(b))} is"
            f" IPv{nb.version}: compare networks of one version"
        )
    return Overlap(na, nb, _relation(na, nb))
