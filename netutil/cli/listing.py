"""Output of every command that gives a list of CIDR blocks (`subnet split`, `summarize`,
`range`, `exclude` and the set operations): one writer, four formats.

- `text` (the default): an aligned header, the blocks one a row, and a trailer for a page.
- `json`: the list's JSON object (`CidrList.as_dict()`), its `items` streamed.
- `jsonl`: one JSON object a line, one line per block (the `items` objects), nothing else.
- `cidr`: one CIDR a line, nothing else, written in large blocks (`CidrList.text`), for pipes.

A command calls `add_list_options(parser)` and, with its result, `emit_list(args, result)`:
`result` is the core's `CidrList` when computed here, or the JSON object a netutil service
returned (`--api`); both give the same bytes in every format.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from typing import Any

FORMATS = ("text", "json", "jsonl", "cidr")

#: JSON items written per `write` call.
_WRITE_CHUNK = 1024


def add_list_options(parser: Any, count: Any) -> None:
    """--json, --format (one of the two: --json is --format json), --limit and --start;
    `count` is the argparse type for whole numbers >= 0."""
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--json", action="store_true", help="print JSON (as --format json)")
    how.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="text (default), json, jsonl (one JSON object a block, one a line) or cidr (one"
        " CIDR a line, nothing else: for pipes)",
    )
    parser.add_argument(
        "--limit", type=count, metavar="N", help="give at most N items (total still shown)"
    )
    parser.add_argument(
        "--start", type=count, default=0, metavar="K", help="begin at item K (0-based)"
    )


def list_format(args: Any) -> str:
    """The format asked for (argparse lets only one of --json and --format through)."""
    return "json" if args.json else getattr(args, "format", None) or "text"


def emit_list(args: Any, result: Any, out: Any = None) -> None:
    """Write `result` (a `CidrList`, or its JSON object from a service) in `args`' format and
    page (`args.start`, `args.limit`), streaming: memory stays flat however long the list."""
    out = out or sys.stdout
    fmt = list_format(args)
    rows: Any = ()
    if not isinstance(result, dict):  # the core's CidrList
        if fmt == "cidr":
            for piece in result.text(args.start, args.limit):
                out.write(piece)
            return
        core = result
        result = core.as_dict(args.start, args.limit, lazy=True)
        start, count = int(result["start"]), result["count"]
        pieces, taken = core.rows4(start, count, _templates()[fmt])
        if taken:  # the leading IPv4 rows laid out in NumPy, the rest item by item
            result["items"] = core.items(start + taken, count - taken)
            rows = _RowPieces(pieces, taken, out)
    if fmt == "cidr":
        from netutil.cli.output import write_lines

        write_lines((item["network"] for item in result["items"]), out)
    elif fmt == "jsonl":
        from netutil.cli.output import json_line, write_lines

        for piece in rows:
            piece.write()
        write_lines(map(json_line, result["items"]), out)
    elif fmt == "json":
        _write_json(result, out, rows)
    else:
        _write_text(result, out, rows)


class _RowPieces:
    """Rows laid out by the core (`CidrList.rows4`, bytes, one piece per NumPy pass), to be
    written to `out`: straight to its bytes buffer when it has one (no str made)."""

    def __init__(self, pieces: Any, count: int, out: Any) -> None:
        self.pieces, self.count, self.out = pieces, count, out

    def __iter__(self) -> Any:
        buffer = getattr(self.out, "buffer", None)
        if buffer is not None:
            self.out.flush()
        for piece in self.pieces:
            yield _Piece(piece, self.out, buffer)


class _Piece:
    __slots__ = ("buffer", "data", "out")

    def __init__(self, data: bytes, out: Any, buffer: Any) -> None:
        self.data, self.out, self.buffer = data, out, buffer

    def write(self, skip: int = 0) -> None:
        data = self.data[skip:] if skip else self.data
        if self.buffer is not None:
            self.buffer.write(data)
        else:
            self.out.write(data.decode("ascii"))


_TEMPLATES: dict[str, tuple[Any, ...]] = {}


def _templates() -> dict[str, tuple[Any, ...]]:
    """The IPv4 rows of each format as `netutil.subnet.bulk.layout` templates: the same text as
    `render_item` (aligned text), the JSON encoder's (--json) and `json_line` (jsonl) give an
    item, held to them by property tests."""
    if not _TEMPLATES:
        from netutil.subnet import usable_hosts

        sizes = [str(1 << (32 - p)) for p in range(33)]
        usable = [str(usable_hosts(4, p)) for p in range(33)]
        tails = tuple(
            f"{n} address{'' if n == '1' else 'es'}, {u} usable"
            for n, u in zip(sizes, usable, strict=True)
        )
        _TEMPLATES["text"] = (
            ("pad", 18, ("network",)), "  ", ("pad", 33, ("first",), " - ", ("last",)),
            "  ", ("by_prefix", tails), "\n",
        )  # fmt: skip

        def item(colon: str, comma: str) -> tuple[Any, ...]:
            return (
                f'{{"network"{colon}"', ("network",), f'"{comma}"version"{colon}4{comma}',
                f'"first_address"{colon}"', ("first",), f'"{comma}"last_address"{colon}"',
                ("last",), f'"{comma}"num_addresses"{colon}"', ("by_prefix", tuple(sizes)),
                f'"{comma}"num_usable"{colon}"', ("by_prefix", tuple(usable)),
                f'"{comma}"hosts_requested"{colon}null}}',
            )  # fmt: skip

        _TEMPLATES["json"] = (",\n    ", *item(": ", ", "))
        _TEMPLATES["jsonl"] = (*item(":", ","), "\n")
    return _TEMPLATES


def _write_json(result: dict[str, Any], out: Any, rows: Any = ()) -> None:
    import json
    from itertools import islice

    items = iter(result["items"])
    dump = json.JSONEncoder(ensure_ascii=False).encode
    out.write("{\n")
    for key, value in result.items():
        if key != "items":
            out.write(f"  {dump(key)}: {dump(value)},\n")
    out.write('  "items": [')
    sep = "\n    "
    for piece in rows:  # each row starts ',\n    ': the first one without the comma
        piece.write(1 if sep == "\n    " else 0)
        sep = ",\n    "
    while chunk := list(islice(items, _WRITE_CHUNK)):
        out.write(sep + ",\n    ".join(map(dump, chunk)))
        sep = ",\n    "
    out.write("\n  ]\n}\n" if sep != "\n    " else "]\n}\n")


def _write_text(result: dict[str, Any], out: Any, rows: Any = ()) -> None:
    """The header, a blank line and a row per block, `_WRITE_CHUNK` rows a write. IPv4 rows
    have fixed columns; IPv6 ones as wide as the longest cell so far (grown a chunk at a time,
    so the rows of a chunk, and of any list that fits in one, line up). `rows`: the leading
    IPv4 rows, laid out by the core; the chunks of the items after them keep their places
    (a chunk holds items `start + k * _WRITE_CHUNK` on), so the IPv6 widths are as without."""
    from itertools import islice

    items = iter(result["items"])
    header = {k: v for k, v in result.items() if k != "items"}
    out.write(render_list_header(header) + "\n")
    if rows:
        out.write("\n")
        for piece in rows:
            piece.write()
        chunk = list(islice(items, -rows.count % _WRITE_CHUNK or _WRITE_CHUNK))
    else:
        chunk = list(islice(items, _WRITE_CHUNK))
        if chunk:
            out.write("\n")
    widths = (0, 0)
    while chunk:
        v6 = [item for item in chunk if item["version"] == 6]
        if v6:
            widths = (
                max(widths[0], *(len(item["network"]) for item in v6)),
                max(widths[1], *(len(_span(item)) for item in v6)),
            )
        out.write("\n".join([render_item(item, widths) for item in chunk]) + "\n")
        chunk = list(islice(items, _WRITE_CHUNK))
    trailer = render_list_trailer(header)
    if trailer:
        out.write("\n" + trailer + "\n")


def _span(item: dict[str, Any]) -> str:
    return f"{item['first_address']} - {item['last_address']}"


_HEADER_LABELS = (
    ("network", "network"),
    ("warning", "warning"),
    ("mode", "split by"),
    ("new_prefix", "new prefix"),
    ("subnets_requested", "subnets requested"),
    ("hosts_requested", "hosts requested"),
    ("note", "note"),
    ("leftover", "leftover"),
    ("version", "version"),
    ("start_address", "start address"),
    ("end_address", "end address"),
    ("input_count", "input items"),
    ("rejected_count", "rejected items"),
    ("ipv4_count", "IPv4 blocks"),
    ("ipv6_count", "IPv6 blocks"),
    ("excluded_count", "excluded items"),
    ("excluded_outside", "excluded outside"),
    ("num_addresses", "addresses"),
    ("total", "total"),
)


def render_list_header(result: dict[str, Any]) -> str:
    """The aligned header block of a list result (only the keys that apply)."""
    from netutil.cli.output import format_block

    pairs = []
    for key, label in _HEADER_LABELS:
        if key not in result:
            continue
        value = result[key]
        if value is None:
            continue
        if key == "new_prefix":
            value = f"/{value}"
        elif key == "version":
            value = f"IPv{value}"
        elif key == "leftover" and value == []:
            value = "none"
        elif key == "total":
            value = f"{value} ({'subnets' if result.get('operation') == 'split' else 'blocks'})"
        pairs.append((label, value))
    return format_block(pairs)


def render_item(item: dict[str, Any], widths: tuple[int, int] = (0, 0)) -> str:
    """One line per block: CIDR, address span, sizes (and the VLSM request). IPv4 columns are
    as wide as the widest IPv4 cell ('255.255.255.255/32'); IPv6 ones `widths`."""
    network_width, span_width = (18, 33) if item["version"] == 4 else widths
    line = (
        f"{item['network']:<{network_width}}  {_span(item):<{span_width}}"
        f"  {item['num_addresses']} address{'' if item['num_addresses'] == '1' else 'es'},"
        f" {item['num_usable']} usable"
    )
    if item["hosts_requested"] is not None:
        line += f" ({item['hosts_requested']} hosts requested)"
    return line


def render_list_trailer(result: dict[str, Any]) -> str:
    """What was left out, when a page holds fewer than all items."""
    total, start, count = int(result["total"]), int(result["start"]), result["count"]
    if start == 0 and count == total:
        return ""
    shown = f"items {start}-{start + count - 1}" if count else "no items"
    tail = f"; next: --start {result['next_start']}" if result["next_start"] is not None else ""
    return f"showing {shown} of {total}{tail}"
