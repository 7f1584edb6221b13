"""`netutil subnet intersect|diff|union|compare|count`: set operations across lists of networks.

Each LIST is a file of addresses and networks, one a line (blank lines and lines starting with
'#' skipped), or '-' for standard input (one list at most). Operations passed to
`netutil.cli.backend.call` (the API implements the same; results are the core's `as_dict()`,
see netutil/subnet/setops.py):

- `subnet_intersect`, `subnet_diff`, params `a: list[str]`, `b: list[str]`, `start: int`,
  `limit: int | None`, `skip_invalid: bool`; result `CidrList.as_dict(start, limit)`.
- `subnet_union`, params `lists: list[list[str]]`, `start`, `limit`, `skip_invalid`.
- `subnet_compare`, params `a`, `b`, `start`, `limit`, `skip_invalid`; result
  `Comparison.as_dict(start, limit)`.
- `subnet_count`, params `items: list[str]`, `skip_invalid`; result `AddressCount.as_dict()`.

With `skip_invalid` bad items are left out and listed in the result's `invalid_items`
({list, item, message}; list and item from 1); the command reports them as 'FILE line N:
message' and exits 1.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

_LISTS = """
Each LIST is a file of addresses and networks, one a line (blank lines and lines starting with
'#' are skipped), or '-' for standard input. IPv4 and IPv6 may be mixed: each version is
handled on its own. Host bits set (10.1.2.3/24) mean the network around them. A bad line is
reported as 'FILE line N: <message>' on stderr, the rest is still used, and the exit status is 1.

--format text (default) prints a header and one line per block; cidr one CIDR a line and
nothing else (for pipelines); jsonl one JSON object a line; json (or --json) one JSON object.
Exit status: 0 ok, 1 invalid data, 2 usage errors.
"""

EPILOGS = {
    "intersect": """examples:
  netutil subnet intersect allow.txt block.txt
  netutil subnet intersect today.txt - --format cidr < yesterday.txt
""",
    "diff": """examples:
  netutil subnet diff allow.txt block.txt --format cidr     # in allow.txt, not in block.txt
""",
    "union": """examples:
  netutil subnet union a.txt b.txt c.txt --format cidr
""",
    "compare": """examples:
  netutil subnet compare yesterday.txt today.txt
  netutil subnet compare yesterday.txt today.txt --format cidr   # '+CIDR' added, '-CIDR' removed
""",
    "filter": """examples:
  netutil subnet filter --in blocklist.txt access.log          # lines whose client is listed
  netutil subnet filter --not-in ours.txt --any fw.log        # lines with no address of ours
  zcat access.log.gz | netutil subnet filter --in 2001-db8.txt --count

An address is a whole word: the line is cut at every character that is not a letter, a digit,
'.' or ':', and a word counts only if all of it is an address (strict dotted quad, any IPv6
form), an IPv4 address with a port (10.0.0.1:8080), or an address and one '.' or ':' after
it. So 10.0.0.1 is found in 'src=10.0.0.1', '[10.0.0.1]', 'host-10.0.0.1' and '10.0.0.1:80',
never in 'x10.0.0.1', '1.10.0.0.1' or '10.0.0.1a'. ::ffff:10.0.0.1 is an IPv6 address.
By default the first address of a line decides; with --any, any address (as grepcidr does).
Lines without an address are never printed. Exit status: 0 ok (matches or not), 1 invalid
lines in the list, 2 usage errors.
""",
    "count": """examples:
  netutil subnet count allow.txt          # addresses the list holds, overlaps counted once
  netutil subnet count - --json < prefixes.txt
""",
}

FORMATS = ("text", "cidr", "jsonl", "json")


def register(commands: Any) -> None:
    """Add the set operations to the `subnet` group's sub-parsers."""
    import argparse

    from netutil.cli.subnet import _count

    def command(name: str, help_text: str, description: str, *, lists: bool = True) -> Any:
        parser = commands.add_parser(
            name,
            help=help_text,
            description=description,
            epilog=EPILOGS[name] + _LISTS,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        parser.add_argument(
            "--format",
            choices=FORMATS if lists else ("text", "json"),
            default="text",
            help="output format (default: text)",
        )
        parser.add_argument("--json", action="store_true", help="the same as --format json")
        if lists:
            parser.add_argument(
                "--limit", type=_count, metavar="N", help="give at most N items (total still shown)"
            )
            parser.add_argument(
                "--start", type=_count, default=0, metavar="K", help="begin at item K (0-based)"
            )
        return parser

    for name, help_text, description in (
        (
            "intersect",
            "the addresses two lists share, as CIDRs",
            "The addresses in both LIST A and LIST B, as the fewest CIDR blocks.",
        ),
        (
            "diff",
            "the addresses of one list not in another, as CIDRs",
            "The addresses in LIST A that are not in LIST B, as the fewest CIDR blocks.",
        ),
        (
            "compare",
            "what was added and removed between two lists, as CIDRs",
            "What LIST B adds to LIST A and what it removes, each as the fewest CIDR blocks.",
        ),
    ):
        p = command(name, help_text, description)
        p.add_argument("a", metavar="A", type=_list_file, help="first list (file or '-')")
        p.add_argument("b", metavar="B", type=_list_file, help="second list (file or '-')")
        p.set_defaults(func=run_compare if name == "compare" else run_binary)

    p = command(
        "union",
        "the addresses of any of several lists, as CIDRs",
        "The addresses in any LIST, as the fewest CIDR blocks (summarize of them all).",
    )
    p.add_argument("lists", nargs="+", metavar="LIST", type=_list_file, help="file or '-'")
    p.set_defaults(func=run_union)

    p = commands.add_parser(
        "filter",
        help="the lines of a log whose address is (or is not) in a list",
        description="Print the lines of FILEs (or standard input) whose first address, or any\n"
        "address with --any, lies inside the networks of LIST (--in) or outside (--not-in).",
        epilog=EPILOGS["filter"],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--in", dest="inside", metavar="LIST", type=_list_file, help="lines inside LIST (a file)"
    )
    which.add_argument(
        "--not-in", dest="outside", metavar="LIST", type=_list_file, help="lines outside LIST"
    )
    p.add_argument("--any", action="store_true", help="any address of a line, not the first")
    p.add_argument("--count", action="store_true", help="print how many lines match, not them")
    p.add_argument("files", nargs="*", metavar="FILE", type=_list_file, help="default: stdin")
    p.set_defaults(func=run_filter)

    p = command(
        "count",
        "how many addresses a list holds (overlaps once)",
        "How many distinct addresses LIST holds, exactly, per IP version.",
        lists=False,
    )
    p.add_argument("items", metavar="LIST", type=_list_file, help="file or '-'")
    p.set_defaults(func=run_count)


def _list_file(text: str) -> str:
    """A readable file, or '-' (a missing file is a usage error, like grep's)."""
    import argparse
    import os

    if text != "-" and not os.access(text, os.R_OK):
        why = "no such file" if not os.path.exists(text) else "not readable"
        raise argparse.ArgumentTypeError(f"cannot read list {text!r}: {why}")
    if text != "-" and os.path.isdir(text):
        raise argparse.ArgumentTypeError(f"cannot read list {text!r}: is a directory")
    return text


# --------------------------------------------------------------------------------------------
# Input


class _Lines:
    """One LIST's lines as items (comments as blank items, so positions are line numbers)."""

    def __init__(self, path: str) -> None:
        self.path = path

    @property
    def name(self) -> str:
        return "standard input" if self.path == "-" else self.path

    def __iter__(self) -> Iterator[str]:
        if self.path == "-":
            yield from _items(sys.stdin)
            return
        with open(self.path, encoding="utf-8", errors="surrogateescape") as f:
            yield from _items(f)


def _items(lines: Any) -> Iterator[str]:
    for line in lines:
        text = line.strip()
        yield "" if text.startswith("#") else text


class _FileBlocks:
    """A file's bytes in large blocks, the file open only while they are read."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __iter__(self) -> Iterator[bytes]:
        with open(self.path, "rb") as f:
            yield from iter(lambda: f.read(1 << 20), b"")


def _list(path: str) -> Any:
    """One LIST as the core's `ListText` (its bytes read in large blocks, no str a line; the
    items `_Lines` gives), or `_Lines` for a standard input that is not UTF-8 bytes."""
    from netutil.subnet import FileListText

    if path != "-":  # read as open(path, encoding="utf-8", errors="surrogateescape") reads it
        return FileListText(_FileBlocks(path), "utf-8", "surrogateescape")
    from netutil.cli.subnet import _Items

    return _Items(["-"]).text() or _Lines(path)


def _sources(args: Any, paths: list[str]) -> list[Any]:
    from netutil.errors import InvalidInput

    if paths.count("-") > 1:
        raise InvalidInput("standard input ('-') can be one list only")
    sources = [_list(path) for path in paths]
    return [list(s) for s in sources] if args.api else sources


def _report(paths: list[str], errors: list[tuple[int, int, str]]) -> int:
    for which, line, message in errors:
        name = "standard input" if paths[which] == "-" else paths[which]
        print(f"netutil: error: {name} line {line}: {message}", file=sys.stderr)
    return 1 if errors else 0


def _remote_errors(args: Any, result: dict[str, Any], errors: list[tuple[int, int, str]]) -> None:
    if args.api:
        for e in result.pop("invalid_items", None) or ():
            errors.append((e["list"] - 1, e["item"], e["message"]))


def _call(args: Any, operation: str, local: Any, **params: Any) -> Any:
    from netutil.cli import backend

    return backend.call(args, operation, local, **params)


def _format(args: Any) -> str:
    return "json" if args.json else args.format


# --------------------------------------------------------------------------------------------
# Commands


def run_binary(args: Any) -> int:
    """`netutil subnet intersect|diff A B`."""
    from netutil.subnet import setops

    paths = [args.a, args.b]
    a, b = _sources(args, paths)
    errors: list[tuple[int, int, str]] = []
    operation = setops.intersect if args.command == "intersect" else setops.difference

    def local() -> Any:
        return operation(a, b, errors=errors)

    _emit_list(args, f"subnet_{args.command}", local, errors, a=a, b=b)
    return _report(paths, errors)


def run_union(args: Any) -> int:
    """`netutil subnet union LIST...`."""
    from netutil.subnet import setops

    lists = _sources(args, args.lists)
    errors: list[tuple[int, int, str]] = []
    _emit_list(
        args, "subnet_union", lambda: setops.union(*lists, errors=errors), errors, lists=lists
    )
    return _report(args.lists, errors)


def run_compare(args: Any) -> int:
    """`netutil subnet compare A B`: '+' added, '-' removed."""
    from itertools import islice

    from netutil.cli.output import write_lines
    from netutil.subnet import setops

    paths = [args.a, args.b]
    a, b = _sources(args, paths)
    errors: list[tuple[int, int, str]] = []
    fmt = _format(args)
    if fmt == "cidr" and not args.api:  # straight from the core's text (NumPy for long lists)
        result = setops.compare(a, b, errors=errors)
        stop = None if args.limit is None else args.start + args.limit
        for sign, part in (("+", result.added), ("-", result.removed)):
            start = min(args.start, part.total)
            write_lines(sign + c for c in islice(part.cidrs(start), stop and stop - start))
        return _report(paths, errors)
    result = _call(
        args,
        "subnet_compare",
        lambda: setops.compare(a, b, errors=errors).as_dict(args.start, args.limit),
        a=a,
        b=b,
        start=args.start,
        limit=args.limit,
        skip_invalid=True,
    )
    _remote_errors(args, result, errors)
    out = sys.stdout
    if fmt == "json":
        from netutil.cli.output import emit_json

        emit_json(result)
    elif fmt == "jsonl":
        from netutil.cli.output import json_line

        for change in ("added", "removed"):
            write_lines(json_line({"change": change, **item}) for item in result[change]["items"])
    elif fmt == "cidr":
        for sign, change in (("+", "added"), ("-", "removed")):
            write_lines(sign + item["network"] for item in result[change]["items"])
    else:
        from netutil.cli.listing import render_item, render_list_trailer
        from netutil.cli.output import format_block

        added, removed = result["added"], result["removed"]
        counts = result["input_counts"]
        out.write(
            format_block(
                [
                    ("input items", f"{counts[0]} (A), {counts[1]} (B)"),
                    ("unchanged addresses", result["unchanged_addresses"]),
                    ("added", _summary(added)),
                    ("removed", _summary(removed)),
                ]
            )
            + "\n"
        )
        for sign, part in (("+", added), ("-", removed)):
            if part["items"]:
                out.write("\n")
                write_lines(f"{sign} {render_item(item)}" for item in part["items"])
            trailer = render_list_trailer(part)
            if trailer:
                out.write(f"{part['operation']}: {trailer}\n")
    return _report(paths, errors)


def _summary(part: dict[str, Any]) -> str:
    v4, v6 = part["ipv4_addresses"], part["ipv6_addresses"]
    blocks = "1 block" if part["total"] == "1" else f"{part['total']} blocks"
    return (
        f"{blocks} ({part['ipv4_count']} IPv4, {v4} addresses;"
        f" {part['ipv6_count']} IPv6, {v6} addresses)"
    )


def run_count(args: Any) -> int:
    """`netutil subnet count LIST`."""
    from netutil.subnet import setops

    (items,) = _sources(args, [args.items])
    errors: list[tuple[int, int, str]] = []
    result = _call(
        args,
        "subnet_count",
        lambda: setops.count(items, errors=errors).as_dict(),
        items=items,
        skip_invalid=True,
    )
    _remote_errors(args, result, errors)
    if _format(args) == "json":
        from netutil.cli.output import emit_json

        emit_json(result)
    else:
        from netutil.cli.output import format_block

        sys.stdout.write(
            format_block(
                [
                    ("input items", result["input_count"]),
                    ("IPv4 blocks", result["ipv4_blocks"]),
                    ("IPv4 addresses", result["ipv4_addresses"]),
                    ("IPv6 blocks", result["ipv6_blocks"]),
                    ("IPv6 addresses", result["ipv6_addresses"]),
                    ("addresses", result["num_addresses"]),
                ]
            )
            + "\n"
        )
    return _report([args.items], errors)


def run_filter(args: Any) -> int:
    """`netutil subnet filter`: the matching lines, written unchanged, 1024 per write call."""
    from netutil.errors import InvalidInput
    from netutil.logfilter import network_set

    path = args.inside or args.outside
    files = args.files or ["-"]
    if path == "-" and "-" in files:
        raise InvalidInput("standard input ('-') can be the list or the log, not both")
    errors: list[tuple[int, str]] = []
    networks = network_set(_list(path), errors=errors)
    matched = 0
    sys.stdout.flush()
    out = getattr(sys.stdout, "buffer", None)
    write = out.write if out is not None else _text_writer(sys.stdout)
    for name in files:
        with _binary(name) as source:
            pieces = _log_pieces(source, networks, args)
            if args.count:
                matched += sum(piece.count(b"\n") for piece in pieces)
                continue
            for piece in pieces:
                if piece:
                    write(piece)
    if args.count:
        write(f"{matched}\n".encode())
    if out is not None:
        out.flush()
    return _report([path], [(0, line, message) for line, message in errors])


def _log_pieces(source: Any, networks: Any, args: Any) -> Iterator[bytes]:
    """The kept lines of one log, each ending in a newline, in pieces of many lines: a log of
    at least `logfilter.CHUNK` bytes goes through `filter_chunks` (NumPy: worth its import
    past about a megabyte), a shorter one, or one without `read`, line by line."""
    import io

    from netutil.logfilter import CHUNK, filter_chunks, filter_lines

    invert = bool(args.outside)
    head = source.read(CHUNK) if hasattr(source, "read") else None
    if head is None or len(head) < CHUNK:
        lines = source if head is None else io.BytesIO(head)  # lines end at b'\n' only
        found = filter_lines(lines, networks, any_address=args.any, invert=invert)
        pending: list[bytes] = []
        for line in found:
            pending.append(line if line.endswith(b"\n") else line + b"\n")
            if len(pending) == 1024:
                yield b"".join(pending)
                pending.clear()
        yield b"".join(pending)
        return
    from itertools import chain

    from netutil.subnet import ListText

    blocks = chain([head], iter(lambda: source.read(CHUNK), b""))
    chunks = ListText(blocks, "ascii", "strict").chunks()
    yield from filter_chunks(chunks, networks, any_address=args.any, invert=invert)


def _binary(name: str) -> Any:
    """A log's lines as bytes, every byte as it is (standard input's bytes when it has them)."""
    import contextlib

    if name != "-":
        return open(name, "rb")
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is None:  # a text stream without bytes under it (tests)
        lines = (line.encode("utf-8", "surrogateescape") for line in sys.stdin)
        return contextlib.nullcontext(lines)
    return contextlib.nullcontext(buffer)


def _text_writer(stream: Any) -> Any:
    return lambda data: stream.write(data.decode("utf-8", "surrogateescape"))


# --------------------------------------------------------------------------------------------
# Output of list results


_HEADER_LABELS = (
    ("input_counts", "input items"),
    ("ipv4_count", "IPv4 blocks"),
    ("ipv4_addresses", "IPv4 addresses"),
    ("ipv6_count", "IPv6 blocks"),
    ("ipv6_addresses", "IPv6 addresses"),
    ("total", "total"),
)


def _emit_list(
    args: Any, operation: str, local: Any, errors: list[tuple[int, int, str]], **params: Any
) -> None:
    """A list result in the chosen format; `--format cidr` locally writes the core's CIDR text
    straight (NumPy's for long IPv4 lists), without an item object per block."""
    from itertools import chain, islice

    from netutil.cli.output import write_lines

    fmt = _format(args)
    if fmt == "cidr" and not args.api:
        stop = None if args.limit is None else args.start + args.limit
        write_lines(islice(local().cidrs(args.start), stop and stop - args.start))
        return
    result = _call(
        args,
        operation,
        lambda: local().as_dict(args.start, args.limit, lazy=True),
        **params,
        start=args.start,
        limit=args.limit,
        skip_invalid=True,
    )
    _remote_errors(args, result, errors)
    if fmt == "cidr":
        write_lines(item["network"] for item in result["items"])
    elif fmt == "jsonl":
        from netutil.cli.output import json_line

        write_lines(map(json_line, result["items"]))
    elif fmt == "json":
        from netutil.cli.subnet import _emit_list as emit_json_list

        args.json = True
        emit_json_list(args, result)
    else:
        from netutil.cli.listing import render_item, render_list_trailer
        from netutil.cli.output import format_block

        out = sys.stdout
        pairs = []
        for key, label in _HEADER_LABELS:
            value = result[key]
            if key == "input_counts":
                value = ", ".join(map(str, value))
            elif key == "total":
                value = f"{value} (blocks)"
            pairs.append((label, value))
        out.write(format_block([("operation", result["operation"]), *pairs]) + "\n")
        items = iter(result["items"])
        first = next(items, None)
        if first is not None:
            write_lines(chain(("", render_item(first)), map(render_item, items)), out)
        trailer = render_list_trailer(result)
        if trailer:
            out.write("\n" + trailer + "\n")
