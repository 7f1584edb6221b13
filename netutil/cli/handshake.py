"""`netutil tcp handshake ...` (simulate a connection) and `netutil tcp states` (the table).

Operations (for backend.call and the API):
  tcp_handshake  params: the simulator options, each JSON-able (SimOptions.as_dict() names):
                   seed (int|null), delay (number, one-way seconds), jitter (number, s),
                   loss (number 0..1), loss_to_server (number|null), loss_to_client (number|null),
                   drop (list of str: "N", "KIND", "KIND:N", "KIND:all"; kinds syn, syn-ack,
                   ack, data, fin, rst), reorder, duplicate, corrupt (numbers 0..1),
                   data (int bytes), window (int bytes), read_rate (number bytes/s|null),
                   mss (int), msl (number s), close (bool), closer ("client"|"server"|"both"),
                   simultaneous_open (bool), listener (bool), client_isn (int|null),
                   server_isn (int|null), dup_syn ("ack"|"syn-ack"), syn_retries (int),
                   synack_retries (int), max_events (int), max_time (number s)
                 plus runs (int|null).
                 result with runs null: Trace.as_dict() = {options (with the seed used),
                   client: {role, ip, port, isn}, server: {...}, events: [...], summary: {...}}
                   (README "TCP connection simulator" lists every event and summary key);
                 result with runs N: MonteCarloResult.as_dict() = {options, runs, success_rate,
                   outcomes, time_to_established, server_time_to_established, retransmissions,
                   retransmission_counts, time_to_close, established_times, events}.
  tcp_states     params: none.
                 result: {states: [11 names], transitions: [{rule, state, kind, event, action,
                   next_state, section}, ...]}
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from netutil.cli import backend
from netutil.cli.output import emit_json, error, format_block

HANDSHAKE_EPILOG = """examples:
  netutil tcp handshake                            # open and close, 100 ms RTT, no loss
  netutil tcp handshake --drop syn-ack --seed 7    # the first SYN,ACK is lost
  netutil tcp handshake --loss 0.1 --data 20000 --seed 3
  netutil tcp handshake --data 5000 --window 1000 --read-rate 200   # zero window, probes
  netutil tcp handshake --closer both              # simultaneous close (CLOSING)
  netutil tcp handshake --simultaneous-open        # both sides send SYN
  netutil tcp handshake --no-listener              # SYN to a closed port -> RST
  netutil tcp handshake --loss 0.1 --runs 10000    # Monte Carlo statistics
  netutil tcp handshake --corrupt 0.2 --format pcap --output run.pcap

Drop rules: N (the N-th segment sent, from 1), KIND (the first of that kind), KIND:N,
KIND:all; kinds are syn, syn-ack, ack (no payload, no SYN/FIN/RST), data, fin, rst.
Times take us, ms, s or min (a bare number is seconds); sizes take k, M, Ki, Mi (bytes).
"""

STATES_EPILOG = """examples:
  netutil tcp states
  netutil tcp states --json
"""


def _type(parse_name: str, check=None):
    """An argparse type from a core parser: InvalidInput becomes a usage error (exit 2)."""

    def convert(text: str) -> Any:
        from netutil.sim import options as sim_options

        try:
            value = getattr(sim_options, parse_name)(text)
            if check is not None:
                check(value, text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        return value

    convert.__name__ = parse_name.removeprefix("parse_")
    return convert


def _ranged(name: str, low_name: str | float, high_name: str | float):
    def check(value: float, text: str) -> None:
        from netutil.errors import InvalidInput
        from netutil.sim import options as o

        low = getattr(o, low_name) if isinstance(low_name, str) else low_name
        high = getattr(o, high_name) if isinstance(high_name, str) else high_name
        if not low <= value <= high:
            raise InvalidInput(f"invalid {name} {text!r}: expected {low} to {high}")

    return check


def _int_in(name: str, low: int, high_name: str | int):
    def convert(text: str) -> int:
        from netutil.sim import options as o

        high = getattr(o, high_name) if isinstance(high_name, str) else high_name
        try:
            value = int(text, 0)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid {name} {text!r}: not an integer") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"invalid {name} {text!r}: expected an integer in [{low}, {high}]"
            )
        return value

    convert.__name__ = name
    return convert


def _drop_list(text: str) -> list[str]:
    from netutil.sim.options import parse_drop_rule

    try:
        return [parse_drop_rule(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _rate(text: str) -> float:
    """Bytes per second: `2000`, `2000/s`, `64KiB/s`."""
    from netutil.sim.options import parse_size

    raw = text.strip()
    if raw.endswith("/s"):
        raw = raw[:-2]
    try:
        value = parse_size(raw)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"invalid read rate {text!r}: at least 1 byte per second")
    return float(value)


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "handshake",
        help="simulate a TCP connection segment by segment (ladder, JSON, pcap, Monte Carlo)",
        description=(
            "Simulate a TCP connection between two RFC 9293 state machines over an impaired "
            "network: open (3-way handshake), data transfer, close (FIN exchange, TIME-WAIT)."
        ),
        epilog=HANDSHAKE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    prob = _type("parse_probability")
    dur = _type("parse_duration", _ranged("delay", 0, "MAX_DELAY"))
    net = p.add_argument_group("network")
    timing = net.add_mutually_exclusive_group()
    timing.add_argument("--rtt", type=dur, metavar="TIME", help="round-trip time (default 100ms)")
    timing.add_argument("--delay", type=dur, metavar="TIME", help="one-way delay (RTT / 2)")
    net.add_argument(
        "--jitter",
        type=dur,
        metavar="TIME",
        default=0.0,
        help="extra delay per segment, uniform in [0, TIME]",
    )
    net.add_argument(
        "--loss",
        type=prob,
        metavar="P",
        default=0.0,
        help="loss probability per segment, both directions",
    )
    net.add_argument("--loss-to-server", type=prob, metavar="P", help="override, client->server")
    net.add_argument("--loss-to-client", type=prob, metavar="P", help="override, server->client")
    net.add_argument(
        "--drop",
        type=_drop_list,
        action="append",
        metavar="RULES",
        default=[],
        help="drop these segments: N, KIND, KIND:N or KIND:all, comma-separated",
    )
    net.add_argument(
        "--reorder",
        type=prob,
        metavar="P",
        default=0.0,
        help="probability a segment is held back one extra one-way delay",
    )
    net.add_argument(
        "--duplicate",
        type=prob,
        metavar="P",
        default=0.0,
        help="probability a segment arrives twice",
    )
    net.add_argument(
        "--corrupt",
        type=prob,
        metavar="P",
        default=0.0,
        help="probability a bit is flipped (the receiver's checksum drops it)",
    )
    net.add_argument(
        "--seed",
        type=_int_in("seed", 0, 2**64 - 1),
        metavar="N",
        help="random seed (default: random, reported in the output)",
    )

    conn = p.add_argument_group("connection")
    conn.add_argument(
        "--data",
        type=_type("parse_size", _ranged("data", 0, "MAX_DATA")),
        metavar="BYTES",
        default=0,
        help="bytes the client sends (default 0)",
    )
    conn.add_argument(
        "--window",
        type=_type("parse_size", _ranged("window", 1, "MAX_WINDOW")),
        metavar="BYTES",
        default=65535,
        help="receive buffer of each side (default 65535)",
    )
    conn.add_argument(
        "--read-rate",
        type=_rate,
        metavar="BYTES/S",
        help="how fast the server's application reads (default: at once)",
    )
    conn.add_argument(
        "--mss",
        type=_int_in("mss", 88, "MAX_MSS"),
        default=1460,
        help="MSS option each side sends (default 1460)",
    )
    conn.add_argument(
        "--msl",
        type=_type("parse_duration", _ranged("msl", 0, "MAX_MSL")),
        metavar="TIME",
        default=120.0,
        help="maximum segment lifetime; TIME-WAIT is 2 MSL (default 120s; "
        "--msl 30 gives Linux's 60 s)",
    )
    conn.add_argument("--no-close", action="store_true", help="leave the connection open")
    conn.add_argument(
        "--closer",
        choices=("client", "server", "both"),
        default="client",
        help="who closes first; both = simultaneous close (default client)",
    )
    conn.add_argument(
        "--simultaneous-open",
        action="store_true",
        help="both sides open actively (RFC 9293 Figure 7)",
    )
    conn.add_argument(
        "--no-listener",
        action="store_true",
        help="nothing listens on the server port (the SYN gets a RST)",
    )
    conn.add_argument("--client-isn", type=_int_in("ISN", 0, 2**32 - 1), metavar="N")
    conn.add_argument("--server-isn", type=_int_in("ISN", 0, 2**32 - 1), metavar="N")
    conn.add_argument(
        "--dup-syn",
        choices=("ack", "syn-ack"),
        default="ack",
        help="answer to a duplicate SYN in SYN-RECEIVED: the RFC's ACK "
        "(default) or Linux's SYN,ACK",
    )
    conn.add_argument("--syn-retries", type=_int_in("syn retries", 1, "MAX_RETRIES"), default=6)
    conn.add_argument(
        "--synack-retries", type=_int_in("synack retries", 1, "MAX_RETRIES"), default=5
    )

    out = p.add_argument_group("output")
    out.add_argument("--format", choices=("ladder", "json", "pcap"), default="ladder")
    out.add_argument(
        "--json", action="store_const", const="json", dest="format", help="same as --format json"
    )
    out.add_argument("--output", "-o", metavar="FILE", help="write the pcap to FILE")
    out.add_argument(
        "--runs",
        type=_int_in("runs", 1, "MAX_RUNS"),
        metavar="N",
        help="Monte Carlo over N runs (at most 100000)",
    )
    p.set_defaults(func=run_handshake)

    s = sub.add_parser(
        "states",
        help="the RFC 9293 states and every transition the simulator follows",
        description="The eleven TCP states and the transition table (rule, state, event, "
        "action, next state, RFC 9293 section), as the simulator uses it.",
        epilog=STATES_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    s.add_argument("--json", action="store_true", help="print JSON")
    s.set_defaults(func=run_states)


def options_params(args: argparse.Namespace) -> dict[str, Any]:
    """The JSON-able simulator options from the command line (the API's request body)."""
    if args.rtt is not None:
        delay = args.rtt / 2
    elif args.delay is not None:
        delay = args.delay
    else:
        delay = 0.05
    return {
        "seed": args.seed,
        "delay": delay,
        "jitter": args.jitter,
        "loss": args.loss,
        "loss_to_server": args.loss_to_server,
        "loss_to_client": args.loss_to_client,
        "drop": [rule for group in args.drop for rule in group],
        "reorder": args.reorder,
        "duplicate": args.duplicate,
        "corrupt": args.corrupt,
        "data": args.data,
        "window": args.window,
        "read_rate": args.read_rate,
        "mss": args.mss,
        "msl": args.msl,
        "close": not args.no_close,
        "closer": args.closer,
        "simultaneous_open": args.simultaneous_open,
        "listener": not args.no_listener,
        "client_isn": args.client_isn,
        "server_isn": args.server_isn,
        "dup_syn": args.dup_syn,
        "syn_retries": args.syn_retries,
        "synack_retries": args.synack_retries,
    }


def handshake_result(params: dict[str, Any], runs: int | None) -> dict[str, Any]:
    """The core call behind `tcp_handshake`: one trace, or Monte Carlo statistics."""
    from netutil.sim.options import SimOptions

    options = SimOptions.from_dict(params)
    if runs is None:
        from netutil.sim.run import simulate

        return simulate(options).as_dict()
    from netutil.sim.stats import monte_carlo

    return monte_carlo(options, runs).as_dict()


def run_handshake(args: argparse.Namespace) -> int:
    params = options_params(args)
    if args.format == "pcap":
        if args.runs is not None:
            error("--format pcap shows one run; drop --runs")
            return 2
        if args.output is None and sys.stdout.isatty():
            error("refusing to write a binary pcap to a terminal; use --output FILE or redirect")
            return 2
    result = backend.call(
        args,
        "tcp_handshake",
        lambda: handshake_result(params, args.runs),
        **params,
        runs=args.runs,
    )
    if args.format == "json":
        emit_json(result)
        return 0
    if args.format == "pcap":
        from netutil.sim.capture import write_trace_pcap

        if args.output is not None:
            with open(args.output, "wb") as f:
                write_trace_pcap(f, result)
        else:
            write_trace_pcap(sys.stdout.buffer, result)
            sys.stdout.buffer.flush()
        return 0
    if args.runs is not None:
        from netutil.render.simulation import monte_carlo_pairs

        print(format_block(monte_carlo_pairs(result)))
        return 0
    from netutil.render.ladder import render_ladder, summary_pairs

    out = sys.stdout
    for line in render_ladder(result):
        out.write(line)
        out.write("\n")
    out.write("\n")
    out.write(format_block(summary_pairs(result["summary"])))
    out.write("\n")
    return 0


def run_states(args: argparse.Namespace) -> int:
    def local() -> dict[str, Any]:
        from netutil.sim.states import transition_table

        return transition_table().as_dict()

    result = backend.call(args, "tcp_states", local)
    if args.json:
        emit_json(result)
        return 0
    from netutil.render.simulation import states_table

    for line in states_table(result):
        print(line)
    return 0
