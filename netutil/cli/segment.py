"""`netutil tcp header build ...` and `netutil tcp parse HEX | --pcap FILE`.

Operations (for backend.call and the API):
  tcp_header_build  params: src (str, IP address), src_port (int), dst (str), dst_port (int),
                    seq (int), ack (int), flags (list of str, e.g. ["SYN", "ACK"]), window (int),
                    urgent (int), mss (int|null), wscale (int|null), sack_permitted (bool),
                    timestamps ([tsval, tsecr]|null), sack ([[left, right], ...]), payload (str,
                    hex), ip (bool: wrap in an IPv4/IPv6 packet), ttl (int)
                    result: {src, dst, ip_version, layer, length, segment_length, payload_length,
                    header: {src_port, dst_port, seq, ack, data_offset, header_length, reserved,
                    flags, flags_value, window, checksum, urgent, options}, segment_hex, hex}
  tcp_parse         params: data (str, hex) with layer ("auto"|"ip"|"tcp"), src (str|null),
                    dst (str|null)
                    result: {layer, ip: {...}|null, tcp: {src, dst, header, length,
                    payload_length, payload, checksum_status, expected_checksum}|null, note}
                    or params: pcap (str, base64 of the whole pcap file; the CLI sends it only
                    to a service, locally the file is streamed)
                    result: a stream of {index, time, ip_version, src, dst, src_port, dst_port,
                    flags, seq, ack, window, length, options, checksum, checksum_status,
                    expected_checksum}, one per TCP segment (JSON Lines on the CLI)

Options in results are {kind, name, length, value}; value is an int for mss and window_scale,
[[left, right], ...] for sack, {tsval, tsecr} for timestamps, hex for unknown kinds, else null.
"""

from __future__ import annotations

import argparse
import ipaddress
from typing import Any

from netutil.cli import backend
from netutil.cli.arguments import integer
from netutil.cli.checksum import hex_bytes
from netutil.cli.output import emit_json, format_block, json_line, write_lines
from netutil.errors import InvalidInput
from netutil.numbers import parse_int

BUILD_EPILOG = """examples:
  netutil tcp header build --src 10.0.0.1:1234 --dst 10.0.0.2:80 --seq 1000 \\
      --flags SYN --window 64240 --mss 1460 --sack-perm --ts 100,0 --wscale 7
  netutil tcp header build --src [2001:db8::1]:1234 --dst [2001:db8::2]:80 \\
      --seq 1 --ack 2 --flags PSH,ACK --window 512 --payload 68656c6c6f \\
      --ip --json

Options are laid out as Linux does (MSS, SACK-permitted, timestamps, NOP, window scale).
"""

PARSE_EPILOG = """examples:
  netutil tcp parse 4500003c...                     # an IPv4/IPv6 packet or a bare segment
  netutil tcp parse --layer tcp --src 10.0.0.1 --dst 10.0.0.2 04d20050...
  netutil tcp parse --pcap capture.pcap             # one line per TCP segment
  netutil tcp parse --pcap capture.pcap --json      # JSON Lines

With --layer auto (the default) the bytes are read as an IP packet when they are one beyond
doubt (IPv4: total length matches and the header checksum verifies; IPv6: payload length
matches), else as a TCP segment, whose checksum is checked only with --src and --dst.
"""


def endpoint(text: str) -> tuple[str, int]:
    """argparse type: `10.0.0.1:1234` or `[2001:db8::1]:1234` to (address, port).

    An IPv6 address with a port must be bracketed, as in RFC 3986 section 3.2.2: in
    `2001:db8::1:80` the last group may be the port or part of the address (both are valid).
    """
    bracketed = text.startswith("[")
    if bracketed:
        host, sep, port = text[1:].partition("]:")
    else:
        host, sep, port = text.rpartition(":")
    if not sep or not host:
        raise argparse.ArgumentTypeError(
            f"invalid endpoint {text!r}: expected ADDRESS:PORT or [IPv6]:PORT"
        )
    if not bracketed and ":" in host:
        raise argparse.ArgumentTypeError(
            f"invalid endpoint {text!r}: write an IPv6 address with a port in brackets, "
            f"[ADDRESS]:PORT (RFC 3986), e.g. [{host}]:{port} or [{text}]:PORT"
        )
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid endpoint {text!r}: bad address {host!r}"
        ) from None
    if bracketed and addr.version == 4:
        raise argparse.ArgumentTypeError(
            f"invalid endpoint {text!r}: brackets are for IPv6 addresses; write {host}:{port}"
        )
    try:
        number = parse_int(port, "port", 0, 0xFFFF)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(f"invalid endpoint {text!r}: {exc}") from None
    return str(addr), number


def _uint(bits: int, what: str):
    """argparse type: an unsigned `bits`-bit field, decimal or 0x.. hex (ASCII digits only)."""
    return integer(what, 0, (1 << bits) - 1, prefixed=True)


def flag_list(text: str) -> list[str]:
    """argparse type: `SYN,ACK` to ['SYN', 'ACK'] (checked against the flag names)."""
    from netutil.segment import parse_flags

    try:
        return parse_flags(text).names
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def timestamps(text: str) -> list[int]:
    """argparse type: `TSVAL,TSECR`."""
    parts = text.split(",")
    u32 = _uint(32, "timestamp")
    if len(parts) != 2:
        raise argparse.ArgumentTypeError(f"invalid timestamps {text!r}: expected TSVAL,TSECR")
    return [u32(p) for p in parts]


def sack_block(text: str) -> list[int]:
    """argparse type: `LEFT-RIGHT` (one SACK block)."""
    left, sep, right = text.partition("-")
    if not sep:
        raise argparse.ArgumentTypeError(f"invalid SACK block {text!r}: expected LEFT-RIGHT")
    u32 = _uint(32, "SACK edge")
    return [u32(left), u32(right)]


def register(sub: argparse._SubParsersAction) -> None:
    header = sub.add_parser(
        "header",
        help="build TCP headers",
        description="Build TCP segments (and the IP packets around them) byte for byte.",
        epilog=BUILD_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    header_sub = header.add_subparsers(dest="header_command", metavar="COMMAND")
    header_sub.required = True
    build = header_sub.add_parser(
        "build",
        help="build a TCP segment and print it as hex",
        description="Build a TCP segment from its fields: data offset and checksum (over the "
        "IPv4 or IPv6 pseudo-header) are computed. Prints the bytes as hex.",
        epilog=BUILD_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("--src", type=endpoint, required=True, metavar="ADDR:PORT")
    build.add_argument("--dst", type=endpoint, required=True, metavar="ADDR:PORT")
    build.add_argument("--seq", type=_uint(32, "sequence number"), default=0)
    build.add_argument("--ack", type=_uint(32, "acknowledgment number"), default=0)
    build.add_argument("--flags", type=flag_list, default=[], help="e.g. SYN,ACK (AE, CWR, ECE, "
                       "URG, ACK, PSH, RST, SYN, FIN)")  # fmt: skip
    build.add_argument("--window", type=_uint(16, "window"), default=65535)
    build.add_argument("--urgent", type=_uint(16, "urgent pointer"), default=0)
    build.add_argument("--mss", type=_uint(16, "MSS"), help="add an MSS option")
    build.add_argument("--wscale", type=_uint(8, "window scale"), help="add a window scale option")
    build.add_argument("--sack-perm", action="store_true", help="add SACK-permitted")
    build.add_argument("--ts", type=timestamps, metavar="TSVAL,TSECR", help="add timestamps")
    build.add_argument(
        "--sack",
        type=sack_block,
        action="append",
        default=[],
        metavar="LEFT-RIGHT",
        help="add a SACK block (repeatable, up to 4)",
    )
    build.add_argument("--payload", type=hex_bytes, default=b"", metavar="HEX")
    build.add_argument("--ip", action="store_true", help="print the whole IPv4/IPv6 packet")
    build.add_argument("--ttl", type=_uint(8, "TTL"), default=64, help="IP TTL / hop limit")
    build.add_argument("--json", action="store_true", help="print JSON")
    build.set_defaults(func=run_build)

    parse = sub.add_parser(
        "parse",
        help="parse a TCP segment, an IP packet or a pcap file",
        description="Parse a TCP segment or IP packet (hex) into its fields, options and "
        "checksum status, or list every TCP segment of a pcap file.",
        epilog=PARSE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = parse.add_mutually_exclusive_group(required=True)
    what.add_argument("data", nargs="?", type=hex_bytes, metavar="HEX", help="the bytes as hex")
    what.add_argument("--pcap", metavar="FILE", help="a pcap or pcapng file")
    parse.add_argument("--layer", choices=["auto", "ip", "tcp"], default="auto")
    parse.add_argument("--src", help="source address (bare segments: to check the checksum)")
    parse.add_argument("--dst", help="destination address")
    parse.add_argument("--json", action="store_true", help="print JSON (JSON Lines for --pcap)")
    parse.set_defaults(func=run_parse)


def run_build(args: argparse.Namespace) -> int:
    (src, src_port), (dst, dst_port) = args.src, args.dst
    params: dict[str, Any] = {
        "src": src,
        "src_port": src_port,
        "dst": dst,
        "dst_port": dst_port,
        "seq": args.seq,
        "ack": args.ack,
        "flags": args.flags,
        "window": args.window,
        "urgent": args.urgent,
        "mss": args.mss,
        "wscale": args.wscale,
        "sack_permitted": args.sack_perm,
        "timestamps": args.ts,
        "sack": args.sack,
        "payload": args.payload.hex(),
        "ip": args.ip,
        "ttl": args.ttl,
    }

    def local() -> dict:
        from netutil.packet import build_from_fields

        fields = {
            k: v for k, v in params.items() if k not in ("src", "src_port", "dst", "dst_port")
        }
        fields["payload"] = args.payload
        return build_from_fields(src, src_port, dst, dst_port, **fields).as_dict()

    result = backend.call(args, "tcp_header_build", local, **params)
    if args.json:
        emit_json(result)
    else:
        print(result["hex"])
    return 0


def _pcap_param(args: argparse.Namespace) -> str | None:
    """The file as base64, for a service only (locally the file is streamed, not loaded)."""
    if not getattr(args, "api", None):
        return None
    import base64

    with open(args.pcap, "rb") as f:
        return base64.b64encode(f.read()).decode("ascii")


def run_parse(args: argparse.Namespace) -> int:
    if args.pcap is not None:
        return _run_pcap(args)
    if (args.src is None) != (args.dst is None):
        raise InvalidInput("give both --src and --dst (the pseudo-header needs both), or neither")

    def local() -> dict:
        from netutil.packet import parse_any

        return parse_any(args.data, args.layer, args.src, args.dst).as_dict()

    result = backend.call(
        args, "tcp_parse", local, data=args.data.hex(), layer=args.layer, src=args.src, dst=args.dst
    )
    if args.json:
        emit_json(result)
    else:
        print(render_parsed(result))
    return 0


def _run_pcap(args: argparse.Namespace) -> int:

    def local():
        from netutil.pcap import tcp_segments

        try:
            f = open(args.pcap, "rb")  # noqa: SIM115 (closed when the stream ends)
        except OSError as exc:
            raise InvalidInput(f"cannot read {args.pcap!r}: {exc.strerror}") from None

        def rows():
            with f:
                for found in tcp_segments(f):
                    yield found.as_dict()

        return rows()

    try:
        rows = backend.call(args, "tcp_parse", local, pcap=_pcap_param(args))
    except OSError as exc:
        raise InvalidInput(f"cannot read {args.pcap!r}: {exc.strerror}") from None
    # what was read before a bad record is still written before its error
    write_lines(map(json_line if args.json else render_pcap_row, rows))
    return 0


# ---------------------------------------------------------------------------------------------
# Text renderers (they take the JSON dicts)


def render_options(options: list[dict]) -> str:
    """Options the way tcpdump writes them: `mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7`."""
    out = []
    for o in options:
        name, value = o["name"], o["value"]
        if name == "mss":
            out.append(f"mss {value}")
        elif name == "window_scale":
            out.append(f"wscale {value}")
        elif name == "sack_permitted":
            out.append("sackOK")
        elif name == "timestamps":
            out.append(f"TS val {value['tsval']} ecr {value['tsecr']}")
        elif name == "sack":
            out.append("sack " + " ".join(f"{a}:{b}" for a, b in value))
        elif name in ("nop", "eol"):
            out.append(name)
        else:
            out.append(f"opt-{o['kind']}:{value}")
    return ",".join(out) or "-"


def _checksum_text(checksum: int, status: str, expected: int | None) -> str:
    text = f"0x{checksum:04x} {status}"
    if status == "bad" and expected is not None:
        text += f" (should be 0x{expected:04x})"
    return text


def render_parsed(result: dict) -> str:
    blocks = []
    ip = result["ip"]
    if ip is not None:
        if ip["version"] == 4:
            pairs = [
                ("ip version", 4),
                ("src", ip["src"]),
                ("dst", ip["dst"]),
                ("header length", ip["header_length"]),
                ("total length", ip["total_length"]),
                ("dscp / ecn", f"{ip['dscp']} / {ip['ecn']}"),
                ("identification", ip["identification"]),
                ("ip flags", ip["flags"]),
                ("fragment offset", ip["fragment_offset"]),
                ("ttl", ip["ttl"]),
                ("protocol", ip["protocol"]),
                (
                    "header checksum",
                    _checksum_text(ip["checksum"], ip["checksum_status"], ip["expected_checksum"]),
                ),
            ]
            if ip["options"]:
                pairs.append(("ip options", ip["options"]))
        else:
            pairs = [
                ("ip version", 6),
                ("src", ip["src"]),
                ("dst", ip["dst"]),
                ("traffic class", ip["traffic_class"]),
                ("flow label", f"0x{ip['flow_label']:05x}"),
                ("payload length", ip["payload_length"]),
                ("hop limit", ip["hop_limit"]),
                ("extension headers", [e["name"] for e in ip["extension_headers"]]),
                ("upper protocol", ip["upper_protocol"]),
            ]
        blocks.append(format_block(pairs))
    tcp = result["tcp"]
    if tcp is not None:
        h = tcp["header"]
        pairs = [
            ("src port", h["src_port"]),
            ("dst port", h["dst_port"]),
            ("seq", h["seq"]),
            ("ack", h["ack"]),
            ("data offset", f"{h['data_offset']} ({h['header_length']} bytes)"),
            ("reserved", h["reserved"]),
            ("flags", f"{','.join(h['flags']) or '-'} (0x{h['flags_value']:03x})"),
            ("window", h["window"]),
            (
                "checksum",
                _checksum_text(h["checksum"], tcp["checksum_status"], tcp["expected_checksum"]),
            ),
            ("urgent", h["urgent"]),
            ("options", render_options(h["options"])),
            ("payload length", tcp["payload_length"]),
        ]
        if tcp["payload"]:
            pairs.append(("payload", tcp["payload"]))
        blocks.append(format_block(pairs))
    if result["note"]:
        blocks.append(format_block([("note", result["note"])]))
    return "\n\n".join(blocks)


def render_pcap_row(row: dict) -> str:
    """One line per segment, tcpdump-like; a frame cut by the snap length or damaged says so."""
    head = f"{row['index']:>5} {row['time']:.6f}"
    note = f" [{row['note']}]" if row["note"] else ""
    if row["src_port"] is None:  # no TCP header to list: the addresses if known, and why
        fmt = "{}" if row["ip_version"] == 4 else "[{}]"
        where = (
            "" if row["src"] is None else f" {fmt.format(row['src'])} > {fmt.format(row['dst'])}"
        )
        return f"{head}{where}{note}"
    fmt = "{}" if row["ip_version"] == 4 else "[{}]"
    src = f"{fmt.format(row['src'])}:{row['src_port']}"
    dst = f"{fmt.format(row['dst'])}:{row['dst_port']}"
    return (
        f"{head} {src} > {dst} [{','.join(row['flags'])}] "
        f"seq {row['seq']} ack {row['ack']} win {row['window']} len {row['length']} "
        f"options [{render_options(row['options']) if row['options'] else ''}] "
        f"cksum {_checksum_text(row['checksum'], row['checksum_status'], row['expected_checksum'])}"
        f"{note}"
    )
