"""The one spelling of addresses and networks in netutil: dotted quads for IPv4, RFC 5952
section 4 text for IPv6, with IPv4-mapped addresses (::ffff:0:0/96) in the mixed notation that
section 5 recommends (`::ffff:192.0.2.1`, as Python 3.13's ipaddress, netaddr and glibc's
inet_ntop write them). Every module writes its addresses, networks and masks through here, so
the text never depends on the Python version (`str()` of an ipaddress object does: 3.13 writes
`::ffff:0.0.0.0/96` where 3.11 and 3.12 write `::ffff:0:0/96`).

It imports nothing of netutil, so the address, registry and subnet modules can all use it
without importing one another.
"""

from __future__ import annotations

# The C library's inet_ntop (what `socket` re-exports, without socket.py's import cost).
from _socket import AF_INET6, inet_ntop

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    import ipaddress
    from typing import Any

_LOW32 = 0xFFFF_FFFF


def v4_text(value: int) -> str:
    """The dotted quad of an IPv4 address integer."""
    return f"{value >> 24}.{(value >> 16) & 255}.{(value >> 8) & 255}.{value & 255}"


def format_address(version: int, value: int) -> str:
    """The text of an address integer (see the module docstring). Above ::ffff:ffff:ffff no
    mixed notation applies and libc's `inet_ntop` writes RFC 5952 text; below, IPv4-mapped
    addresses are written mixed and the rest of ::/96 in hex groups (libc would write the
    deprecated IPv4-compatible form ::a.b.c.d there)."""
    if version == 4:
        return f"{value >> 24}.{value >> 16 & 255}.{value >> 8 & 255}.{value & 255}"
    if value > 0xFFFFFFFFFFFF:
        return inet_ntop(AF_INET6, value.to_bytes(16, "big"))
    if value >> 32 == 0xFFFF:
        return "::ffff:" + v4_text(value & _LOW32)
    if value >> 32 == 0:
        from ipaddress import IPv6Address  # RFC 5952 hex groups, with '::' for the zeros

        return str(IPv6Address(value))
    return inet_ntop(AF_INET6, value.to_bytes(16, "big"))


def network_text(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str:
    """'address/prefix' with the address spelled by `format_address`."""
    return f"{format_address(network.version, int(network.network_address))}/{network.prefixlen}"


def ntop6() -> Any:
    """`inet_ntop` bound to AF_INET6, for loops that write many IPv6 addresses above
    ::ffff:ffff:ffff (where it gives `format_address`'s text)."""
    import functools

    return functools.partial(inet_ntop, AF_INET6)
