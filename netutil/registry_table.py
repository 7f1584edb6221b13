"""The IANA special-purpose registries as netutil applies them, as one table (`ip registry`).

One row per prefix (an IANA row listing two prefixes gives two), IPv4 first, in published
order: the prefix in RFC 5952 text (the same on every Python), its bounds as text and as
integers (for range joins in DuckDB, ClickHouse's `ip_trie` or a spreadsheet, which need no IP
type then), the entry's name, RFC, dates and five flags, and whether it decides (terminated
entries never do). `RULES` says how the rows are applied, so that a table loaded elsewhere gives
the answers `ip info` gives.
"""

from __future__ import annotations

from netutil import registry
from netutil.address_text import format_address, network_text

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from typing import Any

#: Column names, in order.
COLUMNS = (
    "prefix",
    "version",
    "prefix_length",
    "first_address",
    "last_address",
    "first_integer",
    "last_integer",
    "name",
    "rfc",
    "allocation_date",
    "termination_date",
    "source",
    "destination",
    "forwardable",
    "globally_reachable",
    "reserved_by_protocol",
    "decides",
)

#: How netutil applies the rows (RFC 6890 section 2.2, RFC 8190, RFC 4291 section 2.5.5.2).
RULES = (
    "Most specific wins: an address takes the flags of the row with the longest prefix_length"
    " that holds it (first_integer <= address <= last_integer, same version) among the rows"
    " whose decides is true; terminated rows (termination_date set) never decide.",
    "An address that no deciding row holds is globally reachable, except multicast"
    " (224.0.0.0/4, ff00::/8), which these registries do not cover: netutil decides it by"
    " its RFC 5771 block or its RFC 4291 scope.",
    "An IPv4-mapped address (::ffff:0:0/96) is looked up by the IPv4 address it carries.",
    "Empty flags are IANA's N/A (Teredo and 6to4 Globally Reachable) or a terminated row's"
    " empty cells.",
)


def rows() -> list[dict[str, Any]]:
    """Every registry entry as a row (the keys of `COLUMNS`), IPv4 first, in published order;
    integers as decimal strings (an IPv6 bound passes 2**64)."""
    out = []
    for entry in registry.entries():
        net = entry.prefix
        first = int(net.network_address)
        last = first + net.num_addresses - 1
        out.append(
            {
                "prefix": network_text(net),
                "version": net.version,
                "prefix_length": net.prefixlen,
                "first_address": format_address(net.version, first),
                "last_address": format_address(net.version, last),
                "first_integer": str(first),
                "last_integer": str(last),
                "name": entry.name,
                "rfc": entry.rfc,
                "allocation_date": entry.allocation_date,
                "termination_date": entry.termination_date,
                "source": entry.source,
                "destination": entry.destination,
                "forwardable": entry.forwardable,
                "globally_reachable": entry.globally_reachable,
                "reserved_by_protocol": entry.reserved_by_protocol,
                "decides": not entry.terminated,
            }
        )
    return out


def as_dict() -> dict[str, Any]:
    """The table's JSON shape: `registry_date`, `sources` (the IANA pages), `rules`, `columns`
    and `rows`."""
    return {
        "registry_date": registry.REGISTRY_DATE,
        "sources": [registry.REGISTRY_URLS[4], registry.REGISTRY_URLS[6]],
        "rules": list(RULES),
        "columns": list(COLUMNS),
        "rows": rows(),
    }
