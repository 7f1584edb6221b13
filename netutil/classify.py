"""Many addresses classified in one call: the registry entry and the verdicts of `ip info`, as
columns (NumPy arrays, or a pandas DataFrame for a pandas Series).

The verdicts depend only on where an address lies: between two consecutive boundaries of the
special-purpose registries (RFC 6890; the most specific entry decides) and of the multicast
blocks and scopes (RFC 5771 and RFC 2365 for IPv4; RFC 4291 section 2.7 and RFC 7346 for IPv6,
whose flags and scope sit in the second byte), nothing in them changes. So each address is
placed in its stretch by bisection, and each stretch met is classified once, by `ip info`'s own
function (`netutil.address.info`) on the stretch's first address: the columns agree with
`ip info` row for row, whatever that function decides. IPv4-mapped addresses are placed by the
IPv4 address they carry (RFC 4291 section 2.5.5.2), as `ip info` classifies them; texts other
than a plain address (a zone, a prefix, surrounding spaces) go through `ip info` whole.
"""

from __future__ import annotations

from netutil import address, registry
from netutil.errors import InvalidInput

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from typing import Any

#: The columns, in order: name -> the `ip info --json` field it holds (dotted: nested).
COLUMNS = {
    "version": "version",
    "registry_prefix": "registry.prefix",
    "registry_name": "registry.name",
    "registry_rfc": "registry.rfc",
    "is_global": "is_global",
    "is_private": "is_private",
    "is_multicast": "is_multicast",
    "is_loopback": "is_loopback",
    "is_link_local": "is_link_local",
    "is_unspecified": "is_unspecified",
    "is_documentation": "is_documentation",
}


def _multicast_cuts(version: int) -> list[int]:
    """Where a multicast verdict may change: the first address of each RFC 5771 block and 240/4
    (IPv4), every flags-and-scope /16 ffXY:: (IPv6, RFC 4291 section 2.7): the blocks of
    `netutil.multicast`, the table `ip info` decides multicast by."""
    if version == 4:
        from netutil import multicast

        return [*multicast._V4_FIRSTS, 0xF0000000]
    return [0xFF00 + byte << 112 for byte in range(256)]


_CUTS: dict[int, list[int]] = {}


def cuts(version: int) -> list[int]:
    """The sorted stretch boundaries of one IP version (see the module docstring)."""
    found = _CUTS.get(version)
    if found is None:
        points = {0}
        for entry in registry.entries(version):
            first = int(entry.prefix.network_address)
            points.update((first, first + entry.prefix.num_addresses))
        points.update(_multicast_cuts(version))
        top = 1 << (32 if version == 4 else 128)
        found = _CUTS[version] = sorted(p for p in points if p < top)
    return found


def _facts(d: dict[str, Any]) -> tuple[Any, ...]:
    """The columns' values from one `ip info` JSON object."""
    entry = d["registry"] or {}
    return (
        d["version"],
        entry.get("prefix"),
        entry.get("name"),
        entry.get("rfc"),
        d["is_global"],
        d["is_private"],
        d["is_multicast"],
        d["is_loopback"],
        d["is_link_local"],
        d["is_unspecified"],
        d["is_documentation"],
    )


#: A row that is not an address, with errors="null".
_INVALID = (0, None, None, None, None, None, False, False, False, False, False)


def classify(addresses: Any, *, errors: str = "raise") -> Any:
    """Classify every address of `addresses` (a NumPy array of text, a pandas Series, or any
    sequence of text) in one call. Returns a dict of NumPy arrays named by `COLUMNS`, or for a
    Series a pandas DataFrame with its index and the dtypes of `FRAME_DTYPES` (`is_global` and
    `is_private` nullable: IANA's N/A and multicast without an entry are <NA>). A text
    that is not an address raises InvalidInput naming its row, or with `errors="null"` gives
    version 0 and empty columns."""
    import numpy as np

    if errors not in ("raise", "null"):
        raise InvalidInput(f"invalid errors {errors!r}: expected 'raise' or 'null'")
    series = None
    if type(addresses).__module__.startswith("pandas"):
        series = addresses
        texts = addresses.tolist()
    elif isinstance(addresses, np.ndarray):
        texts = addresses.ravel().tolist()
    else:
        texts = list(addresses)
    n = len(texts)
    # stretch of each row: version 4 rows by IPv4 stretch, 6 by IPv6; -1 rows are classified
    # on their own (`own`), one `ip info` each
    stretch = np.full(n, -1, np.int64)
    family = np.zeros(n, np.int8)
    own: dict[int, tuple[Any, ...]] = {}
    v4_rows, v4_values = _place_ipv4(texts, np)
    family[v4_rows] = 4
    cuts4, cuts6 = cuts(4), cuts(6)
    stretch[v4_rows] = np.searchsorted(np.array(cuts4, np.uint64), v4_values, side="right") - 1
    _place_others(texts, family, stretch, own, cuts4, cuts6, errors)
    # one `ip info` per stretch met, then every column gathered from those rows in one take
    table: list[tuple[Any, ...]] = []
    index = np.full(n, -1, np.int64)
    for version, bounds in ((4, cuts4), (6, cuts6)):
        rows = family == version
        met, inverse = np.unique(stretch[rows], return_inverse=True)
        for s in met.tolist():
            text = address.format_address(version, bounds[s])
            table.append(_facts(address.info(text).as_dict()))
        index[rows] = inverse + (len(table) - len(met))
    for row, facts in own.items():
        index[row] = len(table)
        table.append(facts)
    columns = _columns(table, index, np)
    if series is None:
        return columns
    import pandas as pd

    return _typed(pd.DataFrame(columns, index=series.index))


#: pandas dtypes of the DataFrame columns: the same for every partition, whatever it holds.
FRAME_DTYPES = {
    "version": "int8",
    "registry_prefix": "string",
    "registry_name": "string",
    "registry_rfc": "string",
    "is_global": "boolean",
    "is_private": "boolean",
    "is_multicast": "bool",
    "is_loopback": "bool",
    "is_link_local": "bool",
    "is_unspecified": "bool",
    "is_documentation": "bool",
}


def _typed(frame: Any) -> Any:
    return frame.astype(FRAME_DTYPES)


def frame_meta() -> Any:
    """An empty pandas DataFrame with `classify`'s columns and dtypes: the `meta` that
    `dask.dataframe`'s `map_partitions(classify, meta=frame_meta())` needs (Dask cannot infer
    it by calling `classify` on made-up text, which is not an address)."""
    import pandas as pd

    return _typed(pd.DataFrame({name: [] for name in COLUMNS}))


def _place_ipv4(texts: list[Any], np: Any) -> tuple[Any, Any]:
    """Rows written as a plain dotted quad and their values, parsed in NumPy a chunk at a time
    (`netutil.subnet.bulk`, the strict syntax `inet_pton` takes)."""
    from netutil.subnet import bulk

    rows, values = [], []
    chunk = 65_536
    for base in range(0, len(texts), chunk):
        part = texts[base : base + chunk]
        plain = [i for i, t in enumerate(part) if isinstance(t, str) and "/" not in t]
        parsed = bulk.parse_lines([part[i] for i in plain]) if plain else None
        if parsed is None:
            continue
        keys, others = parsed
        taken = np.delete(np.array(plain, np.int64), others)
        rows.append(taken + base)
        values.append(keys >> np.uint64(6))
    if not rows:
        return np.empty(0, np.int64), np.empty(0, np.uint64)
    return np.concatenate(rows), np.concatenate(values)


def _place_others(
    texts: list[Any],
    family: Any,
    stretch: Any,
    own: dict[int, tuple[Any, ...]],
    cuts4: list[int],
    cuts6: list[int],
    errors: str,
) -> None:
    """The rows `_place_ipv4` left: plain IPv6 text through `inet_pton` and bisection (mapped
    addresses by their IPv4 address), everything else through `ip info` itself."""
    from _socket import AF_INET6, inet_pton
    from bisect import bisect_right

    for row in (family == 0).nonzero()[0].tolist():
        text = texts[row]
        try:
            value = int.from_bytes(inet_pton(AF_INET6, text), "big")
        except (OSError, TypeError, ValueError):
            try:
                own[row] = _facts(address.info(text).as_dict())
            except InvalidInput as exc:
                if errors == "raise":
                    raise InvalidInput(f"row {row}: {exc}") from None
                own[row] = _INVALID
            continue
        if value >> 32 == 0xFFFF:  # IPv4-mapped: classified by its IPv4 address, but version 6
            own[row] = _facts(address.info(text).as_dict())
            continue
        family[row] = 6
        stretch[row] = bisect_right(cuts6, value) - 1


def _columns(table: list[tuple[Any, ...]], index: Any, np: Any) -> dict[str, Any]:
    out = {}
    for i, name in enumerate(COLUMNS):
        values = [facts[i] for facts in table]
        if name == "version":
            column = np.array(values, np.int8)
        elif name.startswith("is_") and name not in ("is_global", "is_private"):
            column = np.array(values, bool)
        else:
            column = np.empty(len(values), object)
            column[:] = values
        out[name] = column[index] if len(table) else column[:0]
    return out
