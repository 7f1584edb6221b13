"""`netutil ip ...`: inspect IP addresses.

Operations passed to `netutil.cli.backend.call` (the API implements the same):

- `ip_info`, params `address: str` (an address, `ADDR%ZONE`, `ADDR/PREFIXLEN` or
  `IPv4/NETMASK`); result: `netutil.address.AddressInfo.as_dict()` (keys in README.md, section
  "IP addresses"). Invalid input raises InvalidInput with a one-line message. With `-` the
  command calls `ip_info` once per input line.

Output: text blocks by default. With `--json`, one ADDR prints one JSON object, several print a
JSON array; as soon as `-` (standard input) is among them every result is one line of JSON Lines,
printed as it is computed, so memory stays constant however long the input is.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from typing import Any

EPILOG = """examples:
  netutil ip info 192.168.0.1
  netutil ip info 2001:db8::1 fe80::21b:21ff:fe3a:4b5c%eth0 10.1.2.3/24 --json
  printf '10.0.0.1\\n::1\\n' | netutil ip info - --json     # JSON Lines

With '-', addresses are read from standard input, one a line (blank lines and lines starting
with '#' are skipped); a bad line is reported as 'line N: <message>' on stderr and the run goes
on. Exit status: 0 all good, 1 if any address was invalid, 2 for usage errors.
"""


def register(sub: Any) -> None:
    """Add the `ip` group and its commands to the top-level sub-parsers."""
    import argparse

    group = sub.add_parser(
        "ip",
        help="inspect IP addresses (version, forms, IANA registry class, ...)",
        description="Inspect IP addresses.",
    )
    commands = group.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True  # `netutil ip` alone is a usage error (exit 2) naming COMMAND
    info = commands.add_parser(
        "info",
        help="everything about one or more addresses",
        description=(
            "Describe IP addresses: forms, integer, hex, binary, reverse pointer, IANA "
            "special-purpose registry entry and verdicts, embedded IPv4, EUI-64 MAC, multicast "
            "scope, and with a prefix the network and the address's place in it."
        ),
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    info.add_argument(
        "addresses",
        nargs="+",
        metavar="ADDR",
        help="IPv4 or IPv6 address, optionally %%ZONE and /PREFIXLEN or /NETMASK; '-' reads stdin",
    )
    info.add_argument("--json", action="store_true", help="print JSON (JSON Lines with '-')")
    info.add_argument(
        "--line-buffered",
        action="store_true",
        help="with '-': write each result as soon as it is known (default: in batches)",
    )
    info.set_defaults(func=run_info)

    from netutil.cli import registry  # the registries as a table

    registry.register(commands)


def _lookup(args: Any, address: str) -> dict[str, Any]:
    from netutil.cli import backend

    return backend.call(args, "ip_info", lambda: _local_info(address), address=address)


def _local_info(address: str) -> dict[str, Any]:
    from netutil.address import info

    return info(address).as_dict()


def run_info(args: Any) -> int:
    """`netutil ip info`: exit 0, or 1 when any address was invalid."""
    from netutil.errors import InvalidInput

    if "-" in args.addresses:
        return _run_stream(args)
    results: list[dict[str, Any]] = []
    failed = False
    for address in args.addresses:
        try:
            results.append(_lookup(args, address))
        except InvalidInput as exc:
            if len(args.addresses) == 1:
                raise
            _error(str(exc))
            failed = True
    if args.json:
        from netutil.cli.output import emit_json

        emit_json(results[0] if len(args.addresses) == 1 else results)
    else:
        sys.stdout.write("\n\n".join(render_text(r) for r in results) + ("\n" if results else ""))
    return 1 if failed else 0


def _run_stream(args: Any) -> int:
    """Addresses from the command line and, at each '-', standard input; one result per line
    of output (JSON Lines with --json, text blocks otherwise), written in batches of at most
    `_BATCH` results (or one by one with --line-buffered), so memory stays constant.

    With --json the local result is the object's JSON text (`address.info_json`: the same
    text as encoding `info(text).as_dict()`, at a fraction of the cost); a service's answer
    (`--api`) is the object itself, encoded here."""
    from functools import partial

    from netutil.address import info_json
    from netutil.cli.backend import call
    from netutil.errors import InvalidInput

    local = info_json if args.json else _local_info
    sink = _Sink(json_lines=args.json, batch=1 if args.line_buffered else _BATCH)
    pending, encode, batch = sink.pending, sink.encode, sink.batch
    if args.api:
        return _run_stream_remote(args, sink)
    failed = False
    for source, number, text in _inputs(args.addresses):
        try:
            result = call(args, "ip_info", partial(local, text), address=text)
        except InvalidInput as exc:
            sink.flush()
            _error(f"line {number}: {exc}" if source == "-" else str(exc))
            failed = True
            continue
        pending.append(encode(result))
        if len(pending) >= batch:
            sink.flush()
    sink.flush()
    return 1 if failed else 0


def _run_stream_remote(args: Any, sink: _Sink) -> int:
    """`_run_stream` against a service: the addresses go in batches through `POST /api/ip`
    (one request per address with --line-buffered, so each answer comes at once)."""
    from collections import deque

    from netutil.client import Client

    inputs: deque[tuple[str, int, str]] = deque()  # sent, answer not yet written

    def texts():
        for item in _inputs(args.addresses):
            inputs.append(item)
            yield item[2]

    failed = False
    with Client(args.api) as client:
        rows = client.ip_info_many(texts(), batch=1 if args.line_buffered else 1000)
        for result, error in rows:
            source, number, _text = inputs.popleft()
            if error is not None:
                sink.flush()
                _error(f"line {number}: {error}" if source == "-" else error)
                failed = True
                continue
            sink.pending.append(sink.encode(result))
            if len(sink.pending) >= sink.batch:
                sink.flush()
    sink.flush()
    return 1 if failed else 0


_BATCH = 256


class _Sink:
    """Buffered output of streamed results, one text per result in `pending`. JSON Lines are
    the compact JSON of each object (json.dumps with separators (',', ':') and
    ensure_ascii=False, the same text as output.emit_json_line), written to the binary stdout
    as UTF-8; text blocks are rendered from the JSON objects and separated by a blank line."""

    def __init__(self, json_lines: bool, batch: int) -> None:
        self.batch = batch
        self.pending: list[str] = []
        self.shown = False
        self.json_lines = json_lines
        self.binary = getattr(sys.stdout, "buffer", None) if json_lines else None
        if json_lines:
            import json

            dumps = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
            self.encode = lambda result: result if result.__class__ is str else dumps(result)
        else:
            self.encode = render_text

    def flush(self) -> None:
        pending = self.pending
        if pending:
            if not self.json_lines:
                text = ("\n" if self.shown else "") + "\n\n".join(pending) + "\n"
                self.shown = True
                sys.stdout.write(text)
            elif self.binary is None:  # a text-only stdout (tests that swap in a StringIO)
                from netutil.cli.output import json_safe

                sys.stdout.write(json_safe("\n".join(pending) + "\n"))
            else:
                sys.stdout.flush()
                # backslashreplace: a zone read from undecodable input bytes (held as lone
                # surrogates) goes out as the JSON escape \udcff, so the output stays UTF-8
                self.binary.write(("\n".join(pending) + "\n").encode("utf-8", "backslashreplace"))
            pending.clear()
        sys.stdout.flush()


def _inputs(addresses: list[str]):
    """(source, line number, text) for each address: arguments as given, '-' as stdin lines."""
    for position, address in enumerate(addresses, 1):
        if address != "-":
            yield "arg", position, address
            continue
        for number, line in enumerate(sys.stdin, 1):
            text = line.strip()
            if text and not text.startswith("#"):
                yield "-", number, text


def _error(message: str) -> None:
    print(f"netutil: error: {message}", file=sys.stderr)


_FLAG_LABELS = (
    ("source", "source"),
    ("destination", "destination"),
    ("forwardable", "forwardable"),
    ("globally_reachable", "globally reachable"),
    ("reserved_by_protocol", "reserved-by-protocol"),
)


def _yes_no(value: bool | None) -> str:
    return "n/a" if value is None else ("yes" if value else "no")


def render_text(d: dict[str, Any]) -> str:
    """Aligned `key: value` lines for one `ip_info` result (the JSON object, not the core's)."""
    address = d["compressed"] + (f"%{d['zone']}" if d["zone"] else "")
    pairs: list[tuple[str, Any]] = [
        ("address", address),
        ("version", f"IPv{d['version']}"),
        ("exploded", d["exploded"]),
        ("integer", d["integer"]),
        ("hex", d["hex"]),
        ("binary", d["binary"]),
        ("reverse pointer", d["reverse_pointer"]),
    ]
    if d["historical_class"]:
        pairs.append(("historical class", f"{d['historical_class']} (pre-CIDR, historical only)"))
    if d["classified_by_ipv4"]:
        pairs.append(("classified by", f"{d['classified_by_ipv4']} (the IPv4 address it carries)"))
    entry = d["registry"]
    if entry is None:
        pairs.append(("registry entry", "none (not special-purpose)"))
    else:
        pairs.append(("registry entry", f"{entry['prefix']} {entry['name']} {entry['rfc']}"))
        pairs.append(
            (
                "registry flags",
                ", ".join(f"{label} {_yes_no(entry[k])}" for k, label in _FLAG_LABELS),
            )
        )
    if len(d["registry_chain"]) > 1 or (entry is None and d["registry_chain"]):
        pairs.append(("registry chain", " in ".join(d["registry_chain"])))
    pairs += [
        ("global", _yes_no(d["is_global"])),
        ("private", _yes_no(d["is_private"])),
        ("multicast", d["is_multicast"]),
        ("loopback", d["is_loopback"]),
        ("link-local", d["is_link_local"]),
        ("unspecified", d["is_unspecified"]),
        ("documentation", d["is_documentation"]),
    ]
    mcast = d["multicast"]
    if mcast:
        flags = [
            k.replace("_", " ")
            for k in ("transient", "prefix_based", "rendezvous_point_embedded")
            if mcast[k]
        ]
        pairs.append(("multicast scope", f"{mcast['scope_name']} ({mcast['scope']:x})"))
        pairs.append(("multicast flags", ", ".join(flags) or "none"))
    emb = d["embedded_ipv4"]
    if emb:
        pairs.append(("embedded IPv4", f"{emb['ipv4']} ({emb['kind']})"))
        if emb["kind"] == "teredo":
            cone = "cone" if emb["teredo_cone"] else "restricted"
            pairs.append(("teredo server", emb["teredo_server"]))
            pairs.append(("teredo client", f"{emb['ipv4']} port {emb['teredo_client_port']}"))
            pairs.append(("teredo flags", f"{emb['teredo_flags']} ({cone} NAT)"))
    if d["eui64_mac"]:
        pairs.append(("EUI-64 MAC", d["eui64_mac"]))
    net, host = d["network"], d["host"]
    if net:
        pairs += [
            ("network", net["network"]),
            ("netmask", f"{net['netmask']} (/{net['prefix_length']})"),
            ("hostmask", net["hostmask"]),
            ("broadcast", net["broadcast_address"]),
            ("first host", net["first_host"]),
            ("last host", net["last_host"]),
            ("addresses", net["num_addresses"]),
            ("usable hosts", f"{net['num_usable']} ({net['host_semantics'].replace('_', '-')})"),
            ("host index", host["host_index"]),
            ("network address", host["is_network_address"]),
            ("broadcast address", host["is_broadcast_address"]),
            ("usable host", host["is_usable_host"]),
        ]
    return _block(pairs)


#: Padded labels ('label:' and spaces up to the value) by the tuple of a block's labels: a
#: block has one of a few shapes, so the alignment is worked out once per shape.
_PADDED: dict[tuple[str, ...], list[str]] = {}
_WORDS = {None: "-", True: "yes", False: "no"}


def _block(pairs: list[tuple[str, Any]]) -> str:
    """`output.format_block(pairs)`, the same text (held to it by a test) at a third of the
    cost: `format_block` pads each label and converts each value on every call, which made
    `ip info -` text 4x slower than its JSON Lines (20,000 addresses: 0.48 s against 0.12 s of
    CPU)."""
    labels = tuple(k for k, _ in pairs)
    padded = _PADDED.get(labels)
    if padded is None:
        width = max(map(len, labels)) + 1
        padded = _PADDED[labels] = [f"{k}:".ljust(width) + " " for k in labels]
    words = _WORDS
    lines = [
        label + v
        if v.__class__ is str and v and not v[-1].isspace()
        else _line(label, words[v] if v is None or v.__class__ is bool else _value_text(v))
        for label, (_, v) in zip(padded, pairs, strict=True)
    ]
    return "\n".join(lines)


def _line(label: str, value: str) -> str:
    line = label + value
    return line if value and not value[-1].isspace() else line.rstrip()


def _value_text(value: Any) -> str:
    from netutil.cli.output import _text

    return _text(value)
