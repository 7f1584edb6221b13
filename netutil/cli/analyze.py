"""`netutil tcp analyze FILE`: a real capture's TCP connections and Wireshark-style flags."""

from __future__ import annotations

import argparse
import sys

from netutil.cli.output import emit_json

ANALYZE_EPILOG = """\
examples:
  netutil tcp analyze capture.pcapng            # connection table, then the flagged segments
  netutil tcp analyze capture.pcap --json       # connections and every segment's analysis
  netutil tcp analyze capture.pcap --connection 0      # one connection's ladder and reasons
  dumpcap -q -i lo -w - | netutil tcp analyze -

flags follow Wireshark's tcp.analysis definitions (tshark 4.0), each with the reason it was
raised: retransmission, fast_retransmission, spurious_retransmission, out_of_order,
duplicate_ack, zero_window, zero_window_probe, zero_window_probe_ack, keep_alive,
keep_alive_ack, window_full, window_update, lost_segment (previous segment not captured),
ack_lost_segment (ACKed unseen segment), reused_ports."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "analyze",
        help="analyse a pcap or pcapng capture: connections and Wireshark-style flags",
        description=(
            "Read a classic pcap or pcapng capture (FILE, or - for standard input), split it "
            "into TCP connections and flag each segment as Wireshark's TCP analysis does, with "
            "the reason for each flag."
        ),
        epilog=ANALYZE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("file", metavar="FILE", help="a pcap or pcapng file, or - for standard input")
    p.add_argument(
        "--json",
        action="store_true",
        help="print the analysis as JSON (every segment's event unless --flagged)",
    )
    p.add_argument(
        "--flagged", action="store_true", help="with --json: only flagged segments and notes"
    )
    p.add_argument(
        "--connection",
        type=_connection_number,
        metavar="N",
        help="one connection (numbered from 0, as tshark's tcp.stream): its ladder diagram",
    )
    p.add_argument(
        "--format",
        choices=("ladder", "json"),
        help="with --connection: the ladder (default) or its trace as JSON",
    )
    p.set_defaults(func=run_analyze)


def _connection_number(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(f"connection number {text!r} is not a whole number")
    return int(text)


def run_analyze(args: argparse.Namespace) -> int:
    from netutil.analyze import analyse
    from netutil.errors import InvalidInput

    if args.format is not None and args.connection is None:
        raise InvalidInput("--format needs --connection N (which connection to draw)")
    every = args.connection is not None or (args.json and not args.flagged)
    if args.file == "-":
        result = analyse(sys.stdin.buffer, every_segment=every)
    else:
        try:
            f = open(args.file, "rb")  # noqa: SIM115 (closed below)
        except OSError as exc:
            raise InvalidInput(f"cannot read {args.file!r}: {exc.strerror}") from None
        with f:
            result = analyse(f, every_segment=every)
    if args.connection is not None:
        from netutil.analyze.trace import connection_trace

        trace = connection_trace(result, args.connection)
        if args.json or args.format == "json":
            emit_json(trace)
        else:
            sys.stdout.write(render_connection(trace))
        return 0
    obj = result.as_dict()
    if args.json:
        emit_json(obj)
    else:
        sys.stdout.write(render_report(obj))
    return 0


def render_connection(trace: dict) -> str:
    """A captured connection's ladder, then why each flagged segment was flagged."""
    from netutil.render.ladder import render_ladder

    lines = list(render_ladder(trace))
    flagged = [e for e in trace["events"] if e["analysis"]]
    if flagged:
        lines += ["", "flags (Wireshark's tcp.analysis meanings):"]
        for e in flagged:
            lines.append(f"  #{e['number']} {' '.join(e['analysis'])}")
            lines.extend(f"      {reason}" for reason in e["reasons"])
    return "\n".join(lines) + "\n"


def _endpoint(e: dict, version: int) -> str:
    return f"{e['address']}:{e['port']}" if version == 4 else f"[{e['address']}]:{e['port']}"


def _ms(t: float | None) -> str:
    return "-" if t is None else f"{t * 1e3:.3f}"


def render_report(obj: dict) -> str:
    """The connection table, then one line per flagged segment with its reasons."""
    conns = obj["connections"]
    lines = [f"{len(conns)} connection(s), {obj['segments']} TCP segment(s)", ""]
    if not conns:
        return lines[0] + "\n"
    head = ("#", "client", "server", "start s", "dur s", "pkts c>s", "s>c", "bytes c>s", "s>c",
            "handshake", "syn>syn,ack ms", "syn,ack>ack ms", "close")  # fmt: skip
    rows = [head]
    for c in conns:
        v = c["ip_version"]
        rows.append(
            (
                str(c["number"]),
                _endpoint(c["client"], v) + ("?" if c["roles_guessed"] else ""),
                _endpoint(c["server"], v),
                f"{c['start'] - obj['start']:.6f}",
                f"{c['duration']:.6f}",
                str(c["packets"]["client_to_server"]),
                str(c["packets"]["server_to_client"]),
                str(c["payload_bytes"]["client_to_server"]),
                str(c["payload_bytes"]["server_to_client"]),
                c["handshake"],
                _ms(c["syn_to_synack"]),
                _ms(c["synack_to_ack"]),
                c["close"],
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    if any(c["roles_guessed"] for c in conns):
        lines.append("? no SYN captured: the client is the first sender")
    flagged = [e for e in obj["events"] if e["type"] == "note" or e["analysis"]]
    t0 = obj["start"] or 0.0  # times from the first TCP segment, as in the table
    lines += ["", f"{obj['flagged_segments']} flagged segment(s)"]
    for e in flagged:
        if e["type"] == "note":
            lines.append(f"{e['frame']:>7} {e['time'] - t0:10.6f}  note: {e['note']}")
            continue
        lines.append(
            f"{e['frame']:>7} {e['time'] - t0:10.6f}  #{e['connection']} {e['side']:<6} "
            f"[{','.join(e['flags'])}] seq {e['seq']} ack {e['ack']} win {e['window']} "
            f"len {e['len']}  {' '.join(e['analysis'])}"
        )
        lines.extend(f"{'':>9}{reason}" for reason in e["reasons"])
    return "\n".join(lines) + "\n"
