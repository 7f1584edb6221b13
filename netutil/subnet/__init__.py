"""Networks (CIDR blocks), IPv4 and IPv6: what a block holds, how to carve it up, how to aggregate.

Parsing is `ipaddress`'s (with `socket.inet_pton`, the C parser for the same strict syntax, as a
fast path for bulk input); the operations themselves work on plain integers, so that summarizing a
million prefixes or splitting a /8 into /32s costs no per-item objects. Every list-producing
operation returns a `CidrList`: its total is known up front and its items are produced lazily from
any start index, so a caller can page through 2**96 children without enumerating them.

The modules, in the order they build on one another:

- `info`: parsing one network, `NetworkInfo` and its registry class.
- `ranges`: address ranges cut into CIDR blocks.
- `keys`: list input as packed integer keys, and the merges.
- `bulk`: the same for long IPv4 lists in NumPy (imported only for them).
- `text`: CIDR text in bulk (IPv4 tables, IPv6 range text from pieces).
- `cidrlist`: the lazy `CidrList` and the sources of its blocks.
- `lists`: summarize, range, exclude, split.
- `pairs`: contains, overlap.
"""

from __future__ import annotations

from netutil.address_text import format_address, network_text
from netutil.subnet.cidrlist import MAX_ITEMS_WITHOUT_LIMIT, MAX_MATERIALIZED_ITEMS, CidrList
from netutil.subnet.info import (
    BITS,
    HostSemantics,
    NetworkInfo,
    ParsedNetwork,
    RegistryClass,
    RegistryMatch,
    classify_network,
    make_network,
    network_info,
    parse_address,
    parse_network,
    usable_hosts,
)
from netutil.subnet.keys import MAX_INPUT_ITEMS, FileListText, ListText
from netutil.subnet.lists import (
    MAX_VLSM_REQUESTS,
    SplitMode,
    block_for_hosts,
    exclude,
    range_cidrs,
    split,
    summarize,
)
from netutil.subnet.pairs import Containment, Overlap, Relation, contains, overlap
from netutil.subnet.ranges import range_block_count, range_blocks

__all__ = [
    "BITS",
    "MAX_INPUT_ITEMS",
    "MAX_ITEMS_WITHOUT_LIMIT",
    "MAX_MATERIALIZED_ITEMS",
    "MAX_VLSM_REQUESTS",
    "CidrList",
    "Containment",
    "FileListText",
    "HostSemantics",
    "ListText",
    "NetworkInfo",
    "Overlap",
    "ParsedNetwork",
    "RegistryClass",
    "RegistryMatch",
    "Relation",
    "SplitMode",
    "block_for_hosts",
    "classify_network",
    "contains",
    "exclude",
    "format_address",
    "make_network",
    "network_info",
    "network_text",
    "overlap",
    "parse_address",
    "parse_network",
    "range_block_count",
    "range_blocks",
    "range_cidrs",
    "split",
    "summarize",
    "usable_hosts",
]
