"""`netutil subnet ...`: inspect, split, summarize and compare networks.

Operations passed to `netutil.cli.backend.call` (the API implements the same; results are the
core's `as_dict()`, see netutil/subnet/ and README.md, section "Subnets"):

- `subnet_info`, params `network: str`, `strict: bool`; result `NetworkInfo.as_dict()`.
- `subnet_split`, params `network: str`, `new_prefix: int | None`, `count: int | None`,
  `hosts: list[int] | None` (exactly one of the three), `strict: bool`, `start: int`,
  `limit: int | None`; result `CidrList.as_dict(start, limit)`.
- `subnet_summarize`, params `items: list[str]` (addresses and networks, IPv4 and IPv6 mixed),
  `start: int`, `limit: int | None`; result `CidrList.as_dict(start, limit)`.
- `subnet_range`, params `start_address: str`, `end_address: str`, `start: int`,
  `limit: int | None`; result `CidrList.as_dict(start, limit)`.
- `subnet_contains`, params `network: str`, `other: str` (address or network), `strict: bool`;
  result `Containment.as_dict()`.
- `subnet_overlap`, params `a: str`, `b: str`, `strict: bool`; result `Overlap.as_dict()`.
- `subnet_exclude`, params `network: str`, `excluded: list[str]`, `strict: bool`, `start: int`,
  `limit: int | None`; result `CidrList.as_dict(start, limit)`.
- summarize and exclude also pass `skip_invalid: bool` (true when items come from '-'): the
  service then skips bad items like the local core does and lists them in the result's extra
  `invalid_items` key, which the command takes out and reports as bad lines.

List results (split, summarize, range, exclude) are one JSON object: the operation's header
keys, then `total`, `start`, `limit`, `count`, `next_start` and `items` last. Locally the
`items` value is an iterator and the CLI streams it (constant memory); `start`/`limit` page it
(`next_start` is the next page's `start`, null on the last page). Bad input raises InvalidInput
(exit 1); over a cap, LimitExceeded (exit 1).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

_STDIN = """
With '-', items are read from standard input, one a line (blank lines and lines starting with
'#' are skipped); a bad line is reported as 'line N: <message>' on stderr, the rest is still
used, and the exit status is 1.
"""
#: The commands that read '-' as standard input.
_READS_STDIN = {"info", "summarize", "exclude"}
_EXIT = """Exit status: 0 ok, 1 invalid data, 2 usage errors.
"""

_LIST_NOTE = """
List output gives every item unless --limit N is set (more than 16777216 items need a limit);
the header always shows the total, counted without enumerating. --start K begins at item K
(computed directly, not by skipping). --json prints one JSON object whose "items" are streamed;
--format jsonl one JSON object a block, a line each; --format cidr one CIDR a line, nothing else
(for pipes: `... --format cidr | sort -u`).
"""

EPILOGS = {
    "info": """examples:
  netutil subnet info 192.168.1.0/24
  netutil subnet info 10.1.2.3/24 --json        # host bits set: reported, with a warning
  netutil subnet info 10.0.0.0/31 2001:db8::/127
  netutil subnet info 10.1.2.3/24 --strict      # host bits set: an error
  printf '10.0.0.0/8\\n::/0\\n' | netutil subnet info - --json   # JSON Lines

With several networks or '-', each result is printed as soon as it is known (with --json, one
JSON object a line) and a bad network is reported without stopping the run.
""",
    "split": """examples:
  netutil subnet split 10.0.0.0/24 --prefix 26
  netutil subnet split 10.0.0.0/24 --count 5    # rounded up to 8 /27s
  netutil subnet split 192.168.1.0/24 --hosts 50 20 10 2     # VLSM, largest first
  netutil subnet split 10.0.0.0/8 --prefix 32 --limit 5 --start 1000
  netutil subnet split 2001:db8::/32 --prefix 64 --limit 3 --json
""",
    "summarize": """examples:
  netutil subnet summarize 10.0.0.0/25 10.0.0.128/25 10.0.1.0/24
  netutil subnet summarize - < prefixes.txt
  printf '192.0.2.1\\n192.0.2.0/32\\n2001:db8::/33\\n' | netutil subnet summarize -
""",
    "range": """examples:
  netutil subnet range 192.168.0.10 192.168.0.20
  netutil subnet range :: ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe --json
""",
    "contains": """examples:
  netutil subnet contains 10.0.0.0/8 10.20.30.40
  netutil subnet contains 10.0.0.0/8 10.0.0.0/7 --json
""",
    "overlap": """examples:
  netutil subnet overlap 10.0.0.0/8 10.20.0.0/16
  netutil subnet overlap 2001:db8::/32 2001:db9::/32 --json
""",
    "exclude": """examples:
  netutil subnet exclude 10.0.0.0/24 10.0.0.64/26
  netutil subnet exclude 10.0.0.0/8 - < in-use.txt
""",
}


def register(sub: Any) -> None:
    """Add the `subnet` group and its commands to the top-level sub-parsers."""
    import argparse

    group = sub.add_parser(
        "subnet",
        help="inspect, split, summarize and compare networks",
        description="Inspect, split, summarize and compare IPv4 and IPv6 networks.",
    )
    commands = group.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True  # `netutil subnet` alone is a usage error (exit 2)

    def command(name: str, help_text: str, description: str, *, lists: bool = False) -> Any:
        epilog = (
            EPILOGS[name]
            + (_LIST_NOTE if lists else "")
            + (_STDIN if name in _READS_STDIN else "\n")
            + _EXIT
        )
        parser = commands.add_parser(
            name,
            help=help_text,
            description=description,
            epilog=epilog,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if lists:
            from netutil.cli.listing import add_list_options

            add_list_options(parser, _count)
        else:
            parser.add_argument("--json", action="store_true", help="print JSON")
        return parser

    strict_help = "host bits set (10.1.2.3/24) are an error instead of a warning"

    p = command(
        "info",
        "everything about one or more networks",
        "Describe networks: masks, broadcast, usable hosts (RFC 3021 /31, RFC 6164 /127, /32 and "
        "/128), counts, neighbours, supernet, binary mask, IANA special-purpose registry class.",
    )
    p.add_argument(
        "networks",
        nargs="+",
        metavar="NETWORK",
        help="ADDRESS/PREFIXLEN (IPv4 also /NETMASK); '-' reads standard input",
    )  # checked one by one in run_info: a bad one among several does not stop the run
    p.add_argument("--strict", action="store_true", help=strict_help)
    p.set_defaults(func=run_info, prog=p.prog)

    p = command(
        "split",
        "cut a network into subnets (by prefix, count or host counts)",
        "Split a network by new prefix length, by number of subnets (rounded up to a power of "
        "two), or by host counts (VLSM: largest first, each the smallest block that fits; "
        "leftover space shown as CIDRs).",
        lists=True,
    )
    p.add_argument("network", metavar="NETWORK", type=_network)
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--prefix", type=_prefix_length, metavar="LEN", help="new prefix length")
    how.add_argument("--count", type=_positive, metavar="N", help="number of subnets")
    how.add_argument(
        "--hosts",
        type=_host_counts,
        nargs="+",
        metavar="H",
        help="host counts, e.g. 50 20 10 or 50,20,10",
    )
    p.add_argument("--strict", action="store_true", help=strict_help)
    p.set_defaults(func=run_split, prog=p.prog)

    p = command(
        "summarize",
        "aggregate addresses and networks into the fewest CIDRs",
        "Summarize addresses and networks into the minimal list of CIDR blocks covering exactly "
        "them (IPv4 and IPv6 grouped separately).",
        lists=True,
    )
    p.add_argument(
        "items",
        nargs="+",
        metavar="ITEM",
        type=_network_or_dash,
        help="address or network; '-' reads standard input",
    )
    p.add_argument("--strict", action="store_true", help=strict_help)
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress line on stderr while reading '-' (default: only when stderr is a"
        " terminal and the output is not JSON)",
    )
    p.set_defaults(func=run_summarize)

    p = command(
        "range",
        "the fewest CIDRs covering START..END",
        "The minimal list of CIDR blocks covering exactly the addresses from START to END.",
        lists=True,
    )
    p.add_argument("start_address", metavar="START", type=_address)
    p.add_argument("end_address", metavar="END", type=_address)
    p.set_defaults(func=run_range)

    p = command(
        "contains",
        "does a network hold an address or network?",
        "Whether NETWORK holds ADDR_OR_NETWORK (all of it), and how the two nest.",
    )
    p.add_argument("network", metavar="NETWORK", type=_network)
    p.add_argument("other", metavar="ADDR_OR_NETWORK", type=_network)
    p.add_argument("--strict", action="store_true", help=strict_help)
    p.set_defaults(func=run_contains)

    p = command(
        "overlap",
        "do two networks share addresses?",
        "Whether networks A and B overlap, how they nest, and their common block.",
    )
    p.add_argument("a", metavar="A", type=_network)
    p.add_argument("b", metavar="B", type=_network)
    p.add_argument("--strict", action="store_true", help=strict_help)
    p.set_defaults(func=run_overlap)

    p = command(
        "exclude",
        "what is left of a network without some of its parts",
        "Remove networks (or addresses) from NETWORK and list what is left as the fewest CIDRs.",
        lists=True,
    )
    p.add_argument("network", metavar="NETWORK", type=_network)
    p.add_argument(
        "excluded",
        nargs="+",
        metavar="EXCLUDED",
        type=_network_or_dash,
        help="network or address to take out; '-' reads standard input",
    )
    p.add_argument(
        "--strict", action="store_true", help=strict_help + " (in NETWORK and every EXCLUDED)"
    )
    p.set_defaults(func=run_exclude)

    from netutil.cli import setops  # intersect, diff, union, compare, count, filter

    setops.register(commands)


# --------------------------------------------------------------------------------------------
# argparse types: a bad value is a usage error (exit 2) with the core's message


def _usage(exc: Exception) -> Exception:
    import argparse

    return argparse.ArgumentTypeError(str(exc))


def _network(text: str) -> str:
    from netutil.errors import InvalidInput
    from netutil.subnet import parse_network

    try:
        parse_network(text)
    except InvalidInput as exc:
        raise _usage(exc) from None
    return text


def _network_or_dash(text: str) -> str:
    return text if text == "-" else _network(text)


def _address(text: str) -> str:
    from netutil.errors import InvalidInput
    from netutil.subnet import parse_address

    try:
        parse_address(text)
    except InvalidInput as exc:
        raise _usage(exc) from None
    return text


def _whole(text: str, what: str, low: int, high: int | None = None) -> int:
    """A whole number in ASCII digits (netutil.numbers: bounded length, one message)."""
    from netutil.cli.arguments import integer

    return integer(what, low, high)(text)


def _count(text: str) -> int:
    return _whole(text, "number", 0)


def _positive(text: str) -> int:
    return _whole(text, "count", 1)


def _prefix_length(text: str) -> int:
    return _whole(text.removeprefix("/"), "prefix length", 0, 128)


def _host_counts(text: str) -> list[int]:
    return [_whole(part, "host count", 1) for part in text.split(",") if part]


# --------------------------------------------------------------------------------------------
# Input lists: arguments and standard input, with line numbers for errors


#: Bytes of standard input read at a time when a list is read as text (`_Items.text`).
_READ_SIZE = 1 << 20


class _Items:
    """The ITEM arguments with each '-' replaced by standard input's lines, as one iterable;
    `where(i)` says where item i (1-based) came from, for error messages."""

    def __init__(self, values: list[str]) -> None:
        self.values = values
        self.origins: list[tuple[int, str, int]] = []  # (first item index, source, first number)
        self.from_stdin = "-" in values

    def __iter__(self) -> Iterator[str]:
        index = 0
        for position, value in enumerate(self.values, 1):
            if value != "-":
                index += 1
                self.origins.append((index, "arg", position))
                yield value
                continue
            self.origins.append((index + 1, "-", 1))
            for line in sys.stdin:
                index += 1
                text = line.strip()
                yield "" if text.startswith("#") else text  # the core skips blank items

    def text(self) -> Any:
        """Standard input as the core's `ListText` (read in large bytes blocks, no `str` per
        line: the pipeline case `summarize -`), when it is the only item and its text is
        UTF-8 or ASCII; None otherwise (iterate instead)."""
        stdin = sys.stdin
        buffer = getattr(stdin, "buffer", None)
        encoding = getattr(stdin, "encoding", None)
        if self.values != ["-"] or buffer is None or not isinstance(encoding, str):
            return None
        import codecs

        try:
            if codecs.lookup(encoding).name not in ("utf-8", "ascii"):
                return None
        except LookupError:
            return None
        from functools import partial

        from netutil.subnet import ListText

        self.origins.append((1, "-", 1))
        return ListText(iter(partial(buffer.read, _READ_SIZE), b""), encoding, stdin.errors)

    def where(self, index: int) -> str:
        from bisect import bisect_right

        i = bisect_right(self.origins, (index, "~", 0)) - 1
        first, source, number = self.origins[i]
        return f"line {number + index - first}" if source == "-" else f"argument {number}"


def _report(items: _Items, errors: list[tuple[int, str]]) -> int:
    for index, message in errors:
        print(f"netutil: error: {items.where(index)}: {message}", file=sys.stderr)
    return 1 if errors else 0


# --------------------------------------------------------------------------------------------
# Commands


def _call(args: Any, operation: str, local: Any, **params: Any) -> Any:
    from netutil.cli import backend

    return backend.call(args, operation, local, **params)


def run_info(args: Any) -> int:
    """`netutil subnet info`: one block (or JSON object) per network; with several networks or
    '-', each is printed as soon as it is known (JSON Lines with --json) and a bad one is
    reported without stopping the run."""
    from netutil.errors import InvalidInput
    from netutil.subnet import network_info

    def info(network: str) -> dict[str, Any]:
        return _call(
            args,
            "subnet_info",
            lambda: network_info(network, strict=args.strict).as_dict(),
            network=network,
            strict=args.strict,
        )

    if len(args.networks) == 1 and args.networks[0] != "-":
        try:
            result = info(args.networks[0])
        except InvalidInput as exc:
            from netutil.subnet import parse_network

            try:  # host bits with --strict are invalid data (exit 1) ...
                parse_network(args.networks[0])
            except InvalidInput:  # ... a network that does not parse, a usage error
                return _usage_error(args, f"argument NETWORK: {exc}")
            raise
        if args.json:
            from netutil.cli.output import emit_json

            emit_json(result)
        else:
            sys.stdout.write(render_info(result) + "\n")
        return 0
    from netutil.cli.output import emit_json_line

    items = _Items(args.networks)
    errors: list[tuple[int, str]] = []
    first = True
    for index, network in enumerate(items, 1):
        if not network:
            continue
        try:
            result = info(network)
        except InvalidInput as exc:
            sys.stdout.flush()
            _report(items, [(index, str(exc))])
            errors.append((index, str(exc)))
            continue
        if args.json:
            emit_json_line(result)
        else:
            sys.stdout.write(("" if first else "\n") + render_info(result) + "\n")
        first = False
    return 1 if errors else 0


def _usage_error(args: Any, message: str) -> int:
    """A usage error found after parsing (it needs two arguments together): argparse's one-line
    format on stderr, exit status 2."""
    print(f"{args.prog}: error: {message} (see '{args.prog} --help')", file=sys.stderr)
    return 2


def run_split(args: Any) -> int:
    """`netutil subnet split`: the subnets, streamed."""
    from netutil.subnet import split

    if args.prefix is not None:
        from netutil.subnet import BITS, parse_network

        version = parse_network(args.network).network.version
        if args.prefix > BITS[version]:
            return _usage_error(
                args,
                f"argument --prefix: invalid prefix length {args.prefix}: out of range"
                f" 0-{BITS[version]} for the IPv{version} network {args.network}",
            )
    hosts = None if args.hosts is None else [h for group in args.hosts for h in group]
    result = _call(
        args,
        "subnet_split",
        lambda: split(args.network, args.prefix, count=args.count, hosts=hosts, strict=args.strict),
        network=args.network,
        new_prefix=args.prefix,
        count=args.count,
        hosts=hosts,
        strict=args.strict,
        start=args.start,
        limit=args.limit,
    )
    _emit_list(args, result)
    return 0


def run_summarize(args: Any) -> int:
    """`netutil subnet summarize`: the minimal covering list."""
    from netutil.subnet import summarize

    items = _Items(args.items)
    errors: list[tuple[int, str]] = []
    values: Any = list(items) if args.api else _with_progress(args, items.text()) or items
    result = _call(
        args,
        "subnet_summarize",
        lambda: summarize(values, errors=errors if items.from_stdin else None, strict=args.strict),
        items=values,
        strict=args.strict,
        start=args.start,
        limit=args.limit,
        skip_invalid=items.from_stdin,
    )
    _remote_errors(args, result, errors)
    _emit_list(args, result)
    return _report(items, errors)


def _with_progress(args: Any, text: Any) -> Any:
    """Standard input's `ListText` with a progress line on stderr as its blocks are read, when
    wanted (--progress; by default on a terminal, and never for JSON output unless asked)."""
    if text is None or args.progress is False:
        return text
    from netutil.cli.listing import list_format

    if args.progress is None and list_format(args) in ("json", "jsonl"):
        return text
    from netutil.cli import progress

    if not progress.wanted(args.progress):
        return text
    from netutil.subnet import ListText

    report = progress.reporter("summarize: reading", unit="bytes")
    size = progress.input_size(sys.stdin.buffer)
    return ListText(progress.counted(text.blocks, report, size), text.encoding, text.errors)


def _remote_errors(args: Any, result: dict[str, Any], errors: list[tuple[int, str]]) -> None:
    """With --api, the service lists the bad stdin items it skipped (`skip_invalid`) in the
    result; move them to `errors`, so they are reported like a local run's."""
    if args.api:
        errors.extend((e["item"], e["message"]) for e in result.pop("invalid_items", None) or ())


def run_range(args: Any) -> int:
    """`netutil subnet range`: START..END as CIDRs."""
    from netutil.subnet import range_cidrs

    result = _call(
        args,
        "subnet_range",
        lambda: range_cidrs(args.start_address, args.end_address),
        start_address=args.start_address,
        end_address=args.end_address,
        start=args.start,
        limit=args.limit,
    )
    _emit_list(args, result)
    return 0


def run_exclude(args: Any) -> int:
    """`netutil subnet exclude`: what is left, as CIDRs."""
    from netutil.subnet import exclude

    items = _Items(args.excluded)
    errors: list[tuple[int, str]] = []
    values: Any = list(items) if args.api else items.text() or items
    result = _call(
        args,
        "subnet_exclude",
        lambda: exclude(
            args.network,
            values,
            strict=args.strict,
            errors=errors if items.from_stdin else None,
        ),
        network=args.network,
        excluded=values,
        strict=args.strict,
        start=args.start,
        limit=args.limit,
        skip_invalid=items.from_stdin,
    )
    _remote_errors(args, result, errors)
    _emit_list(args, result)
    return _report(items, errors)


def run_contains(args: Any) -> int:
    """`netutil subnet contains`."""
    from netutil.subnet import contains

    result = _call(
        args,
        "subnet_contains",
        lambda: contains(args.network, args.other, strict=args.strict).as_dict(),
        network=args.network,
        other=args.other,
        strict=args.strict,
    )
    _emit_pair(args, result, render_contains)
    return 0


def run_overlap(args: Any) -> int:
    """`netutil subnet overlap`."""
    from netutil.subnet import overlap

    result = _call(
        args,
        "subnet_overlap",
        lambda: overlap(args.a, args.b, strict=args.strict).as_dict(),
        a=args.a,
        b=args.b,
        strict=args.strict,
    )
    _emit_pair(args, result, render_overlap)
    return 0


def _emit_pair(args: Any, result: dict[str, Any], render: Any) -> None:
    if args.json:
        from netutil.cli.output import emit_json

        emit_json(result)
    else:
        sys.stdout.write(render(result) + "\n")


# --------------------------------------------------------------------------------------------
# Output: text renderers take the JSON object (lists: netutil.cli.listing)


def _emit_list(args: Any, result: Any) -> None:
    from netutil.cli.listing import emit_list

    emit_list(args, result)


def render_info(result: dict[str, Any]) -> str:
    """`subnet info` as an aligned block."""
    from netutil.cli.output import format_block

    semantics = result["host_semantics"].replace("_", "-")
    if result["host_semantics_rfc"]:
        semantics += f", {result['host_semantics_rfc']}"
    pairs: list[tuple[str, Any]] = [("network", result["network"])]
    if result["host_bits_set"]:
        pairs.append(("input", result["input"]))
    pairs += [
        ("version", f"IPv{result['version']}"),
        ("netmask", f"{result['netmask']} (/{result['prefix_length']})"),
        ("hostmask", result["hostmask"]),
        ("netmask binary", result["netmask_binary"]),
        ("broadcast", result["broadcast_address"]),
        ("first host", result["first_host"]),
        ("last host", result["last_host"]),
        ("addresses", result["num_addresses"]),
        ("usable hosts", f"{result['num_usable']} ({semantics})"),
        ("previous network", result["previous_network"]),
        ("next network", result["next_network"]),
        ("supernet", result["supernet"]),
    ]
    registry = result["registry"]
    if registry is not None:
        names = [f"{e['prefix']} {e['name']} {e['rfc']}" for e in registry["entries"]]
        pairs.append(
            (
                "registry",
                f"{registry['classification']} {_REGISTRY_WORDS[registry['classification']]}",
            )
        )
        if names:
            pairs.append(("registry entries", names))
        blocks = registry.get("multicast") or []
        if blocks:
            shown = [_block_text(b) for b in blocks[:4]]
            if len(blocks) > 4:
                shown.append(f"... {len(blocks)} blocks in all (see --json)")
            pairs.append(("multicast blocks", shown))
        pairs.append(("globally reachable", registry["globally_reachable"]))
    if result["warning"]:
        pairs.append(("warning", result["warning"]))
    return format_block(pairs)


def _block_text(block: dict[str, Any]) -> str:
    """A multicast block as 'ff02::/16 link-local scope RFC ...' (a range when not a CIDR)."""
    from netutil.subnet import range_cidrs

    cidrs = list(range_cidrs(block["first_address"], block["last_address"]).cidrs())
    where = cidrs[0] if len(cidrs) == 1 else f"{block['first_address']}-{block['last_address']}"
    return f"{where} {block['name']} {block['rfc']}"


_REGISTRY_WORDS = {
    "multicast": "(in multicast space: reachability by scope)",
    "inside": "(wholly inside one special-purpose block)",
    "overlapping": "(overlaps special-purpose blocks)",
    "global": "(in no special-purpose block)",
}


def render_contains(result: dict[str, Any]) -> str:
    from netutil.cli.output import format_block

    return format_block(
        [
            ("network", result["network"]),
            (result["other_kind"], result["other"]),
            ("contains", result["contains"]),
            ("relation", result["relation"]),
        ]
    )


def render_overlap(result: dict[str, Any]) -> str:
    from netutil.cli.output import format_block

    return format_block(
        [
            ("a", result["a"]),
            ("b", result["b"]),
            ("overlaps", result["overlaps"]),
            ("relation", result["relation"]),
            ("intersection", result["intersection"]),
            ("common addresses", result["num_common_addresses"]),
        ]
    )
