"""`netutil tcp analyze FILE`: a real capture's TCP connections and Wireshark-style flags."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from netutil.cli.output import emit_json

ANALYZE_EPILOG = """\
examples:
  netutil tcp analyze capture.pcapng            # connection table, then the flagged segments
  netutil tcp analyze capture.pcap --json       # connections and every segment's analysis
  netutil tcp analyze capture.pcap --connection 0      # one connection's ladder and reasons
  netutil tcp analyze capture.pcap --connection 0 --format svg > conn0.svg
  netutil tcp analyze capture.pcap --connection 0 --plot sequence > conn0-seq.svg
  netutil tcp analyze capture.pcap --follow 0   # connection 0's bytes each way (hex and text)
  netutil tcp analyze capture.pcap --follow 0 --direction client > request.bin
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
        "--follow",
        type=_connection_number,
        metavar="N",
        help="connection N's reassembled byte stream each way (as Wireshark's Follow TCP Stream)",
    )
    p.add_argument(
        "--direction",
        choices=("client", "server"),
        help="with --follow: write only the bytes this side sent, raw, to standard output",
    )
    p.add_argument(
        "--format",
        choices=("ladder", "svg", "json"),
        help="with --connection: the ladder (default), the SVG sequence diagram, or the trace "
        "as JSON",
    )
    p.add_argument(
        "--plot",
        choices=("sequence",),
        help="with --connection: the time-sequence graph (SVG) of the bytes --side sent",
    )
    p.add_argument(
        "--side",
        choices=("client", "server"),
        default="client",
        help="with --plot sequence: whose bytes (default: client)",
    )
    p.set_defaults(func=run_analyze)


def _connection_number(text: str) -> int:
    if not text.isascii() or not text.isdigit():
        raise argparse.ArgumentTypeError(f"connection number {text!r} is not a whole number")
    return int(text)


def run_analyze(args: argparse.Namespace) -> int:
    from netutil.analyze import analyse
    from netutil.errors import InvalidInput

    if (args.format is not None or args.plot is not None) and args.connection is None:
        what = "--format" if args.format is not None else "--plot"
        raise InvalidInput(f"{what} needs --connection N (which connection to draw)")
    if args.plot is not None and args.format not in (None, "svg"):
        raise InvalidInput(f"--plot writes SVG; drop --format {args.format}")
    if args.direction is not None and args.follow is None:
        raise InvalidInput("--direction needs --follow N (which connection to follow)")
    if args.follow is not None:
        return _follow(args)
    every = args.connection is not None or (args.json and not args.flagged)
    if args.connection is None and not args.json:
        return _report(args)
    with _input(args) as f:
        result = analyse(f, every_segment=every)
    if args.connection is not None:
        from netutil.analyze.trace import connection_trace

        trace = connection_trace(result, args.connection)
        if args.plot == "sequence":
            from netutil.analyze.trace import as_run
            from netutil.render.plots import sequence_plot

            sys.stdout.write(sequence_plot(as_run(trace), args.side))
        elif args.format == "svg":
            from netutil.render.svg import render_svg

            sys.stdout.write(render_svg(trace))
        elif args.json or args.format == "json":
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


@contextmanager
def _input(args: argparse.Namespace) -> Iterator[BinaryIO]:
    """The capture to read: standard input for '-' (left open), else the file (closed after)."""
    from netutil.errors import InvalidInput

    if args.file == "-":
        yield sys.stdin.buffer
        return
    try:
        f = open(args.file, "rb")  # noqa: SIM115 (closed below)
    except OSError as exc:
        raise InvalidInput(f"cannot read {args.file!r}: {exc.strerror}") from None
    with f:
        yield f


def _report(args: argparse.Namespace) -> int:
    """The text report in memory that does not grow with the capture: the flagged segments go
    to a temporary file as they are found (the connection table, printed first, needs the
    whole capture), then are read back one at a time."""
    import json
    import tempfile

    from netutil.analyze import CaptureAnalysis

    with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
        with _input(args) as f:
            capture = CaptureAnalysis(f)
            flagged = 0
            for event in capture.events(False):
                flagged += 1 if getattr(event, "analysis", ()) else 0
                spool.write(json.dumps(event.as_dict(), separators=(",", ":")) + "\n")
        connections = [c.as_dict() for c in capture.connections()]
        obj = {
            "segments": capture.frames,
            "start": min((c["start"] for c in connections), default=None),
            "connections": connections,
            "flagged_segments": flagged,
        }
        spool.seek(0)
        write = sys.stdout.write
        for line in render_report(obj, (json.loads(line) for line in spool)):
            write(line + "\n")
    return 0


def _follow(args: argparse.Namespace) -> int:
    from netutil.analyze import follow_connection

    with _input(args) as f:
        followed = follow_connection(f, args.follow)
    if args.direction is not None:
        sys.stdout.flush()
        sys.stdout.buffer.write(followed.directions[args.direction == "server"].data)
        sys.stdout.buffer.flush()
        return 0
    if args.json:
        emit_json(followed.as_dict())
        return 0
    sys.stdout.write(render_follow(followed.as_dict()))
    return 0


def render_follow(obj: dict) -> str:
    """Each direction's bytes as a hex and text dump (16 bytes a row), the gaps marked."""
    lines = []
    c, v = obj["connection"], obj["connection"]["ip_version"]
    for key, src, dst in (("client_to_server", "client", "server"),
                          ("server_to_client", "server", "client")):  # fmt: skip
        d = obj[key]
        lines.append(
            f"{src} {_endpoint(c[src], v)} -> {dst} {_endpoint(c[dst], v)}: {d['bytes']} bytes "
            f"in {d['segments']} segment(s)"
            + (f", {len(d['gaps'])} gap(s) not captured" if d["gaps"] else "")
        )
        data = bytes.fromhex(d["data_hex"])
        # offsets in the stream: captured bytes, and each gap's missing bytes skipped
        marks, skipped = [], 0
        for g in d["gaps"]:
            marks.append((g["offset"] - skipped, g["offset"], g["missing"]))
            skipped += g["missing"]
        pos, base = 0, 0
        for at, stream_at, missing in [*marks, (len(data), None, 0)]:
            for i in range(pos, at, 16):
                row = data[i : min(i + 16, at)]
                text = "".join(chr(b) if 32 <= b < 127 else "." for b in row)
                lines.append(f"  {base + i:08x}  {row.hex(' '):<47}  {text}")
            if stream_at is not None:
                lines.append(f"  [{missing} bytes at stream offset {stream_at} not captured]")
                base += missing
            pos = at
        lines.append("")
    return "\n".join(lines)


def render_connection(trace: dict) -> str:
    """A captured connection's ladder, then why each flagged segment was flagged."""
    from netutil.render.ladder import render_ladder

    lines = list(render_ladder(trace))
    lines += ["", "what the capture point cannot see:"]
    for limit in trace["capture_limits"]:
        lines.extend(textwrap.wrap(limit, 100, initial_indent="  ", subsequent_indent="    "))
    flagged = [e for e in trace["events"] if e["type"] == "send" and e["analysis"]]
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


def _rtt(r: dict) -> str:
    if not r["samples"]:
        return "-"
    return f"{r['min'] * 1e3:.3f}/{r['mean'] * 1e3:.3f}/{r['max'] * 1e3:.3f} ({r['samples']})"


def _num(v: float | None) -> str:
    return "-" if v is None else f"{v:,.0f}"


def _rate(c: dict, way: str) -> str:
    rate = c["retransmission_rate"][way]
    if rate is None:
        return "-"
    return f"{c['retransmitted_segments'][way]} ({rate * 100:.1f}%)"


def render_report(obj: dict, events=None) -> Iterator[str]:
    """Lines of the connection table, then one line per flagged segment with its reasons
    (`events`: the event dicts, default `obj["events"]`, read one at a time)."""
    conns = obj["connections"]
    lines = [f"{len(conns)} connection(s), {obj['segments']} TCP segment(s)", ""]
    if not conns:
        yield lines[0]
        return
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
    lines += ["", "per connection (c>s: the client's data; RTT in ms as min/mean/max (samples)):"]
    head = ("#", "RTT c>s ack", "RTT c>s TS", "RTT s>c ack", "RTT s>c TS", "B/s c>s", "s>c",
            "rtx c>s", "s>c", "largest gap s", "wscale c/s")  # fmt: skip
    rows = [head]
    for c in conns:
        rows.append(
            (
                str(c["number"]),
                _rtt(c["rtt_ack"]["client_to_server"]),
                _rtt(c["rtt_timestamps"]["client_to_server"]),
                _rtt(c["rtt_ack"]["server_to_client"]),
                _rtt(c["rtt_timestamps"]["server_to_client"]),
                _num(c["throughput"]["client_to_server"]),
                _num(c["throughput"]["server_to_client"]),
                _rate(c, "client_to_server"),
                _rate(c, "server_to_client"),
                "-" if c["largest_gap"] is None else f"{c['largest_gap']['seconds']:.6f}",
                "/".join("-" if v is None else str(v) for v in c["window_scale"].values()),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip())
    t0 = obj["start"] or 0.0  # times from the first TCP segment, as in the table
    lines += ["", f"{obj['flagged_segments']} flagged segment(s)"]
    yield from lines
    for e in obj["events"] if events is None else events:
        if e["type"] == "note":
            yield f"{e['frame']:>7} {e['time'] - t0:10.6f}  note: {e['note']}"
            continue
        if not e["analysis"]:
            continue
        yield (
            f"{e['frame']:>7} {e['time'] - t0:10.6f}  #{e['connection']} {e['side']:<6} "
            f"[{','.join(e['flags'])}] seq {e['seq']} ack {e['ack']} win {e['window']} "
            f"len {e['len']}  {' '.join(e['analysis'])}"
        )
        for reason in e["reasons"]:
            yield f"{'':>9}{reason}"
