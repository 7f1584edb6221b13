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
from netutil.cli.output import emit_json, error, format_block, terminal_width, write_lines

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
  netutil tcp handshake --loss 0.2 --data 5000 -o run.pcapng   # both NICs, with comments
  netutil tcp handshake --loss 0.3 --seed 4 -o run.svg          # the sequence diagram
  netutil tcp handshake --loss 0.1 --data 40000 --plot sequence -o tsg.svg
  netutil tcp handshake --loss 0.2 --runs 10000 --plot establish -o est.svg

Drop rules: N (the N-th segment sent, from 1), KIND (the first of that kind), KIND:N,
KIND:all; kinds are syn, syn-ack, ack (no payload, no SYN/FIN/RST), data, fin, rst.
Times take us, ms, s or min (a bare number is seconds); sizes take k, M, Ki, Mi (bytes).
"""

STATES_EPILOG = """examples:
  netutil tcp states
  netutil tcp states --json
"""


class _DropRules(argparse.Action):
    """`--drop` given once or more, comma-separated: one list, its length checked as it grows
    (past the cap is a usage error like any other bad value)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from netutil.sim.options import OPTION

        rules = [*(getattr(namespace, self.dest, None) or []), *values]
        cap = OPTION["drop"].high
        if len(rules) > cap:
            raise argparse.ArgumentError(self, f"too many drop rules ({len(rules)}): at most {cap}")
        setattr(namespace, self.dest, rules)


def _reader(option, scale: float = 1.0, flag: str | None = None):
    """An argparse `type=` from the option's declaration: `Option.parse_text`, its InvalidInput
    a usage error (exit 2); a delay typed without a unit and large enough to be a slip (`--rtt
    50`) is read as seconds, with a warning on stderr."""

    def convert(text: str) -> Any:
        try:
            value = option.parse_text(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        warning = option.bare_number_warning(text)
        if warning is not None:
            print(f"netutil: warning: {flag or option.cli_flag}: {warning}", file=sys.stderr)
        return value * scale if scale != 1.0 else value

    convert.__name__ = option.name
    return convert


def _add_option(group: argparse._ArgumentGroup, option) -> None:
    """The CLI argument of one `OPTIONS` entry (every default is the core's, left to it)."""
    flag = option.cli_flag
    kw: dict[str, Any] = {"dest": option.name, "default": None, "help": _help(option)}
    if option.kind == "flag":
        kw["action"] = "store_false" if option.default is True else "store_true"
        kw["default"] = option.default
    elif option.kind == "choice":
        kw["choices"] = option.choices
    elif option.kind == "drop":
        kw.update(type=_reader(option), action=_DropRules, default=[], metavar=option.metavar)
    else:
        kw.update(type=_reader(option), metavar=option.metavar)
    if option.alias is None:
        group.add_argument(flag, **kw)
        return
    alias, scale, alias_help = option.alias
    either = group.add_mutually_exclusive_group()
    from dataclasses import replace

    # the alias's own range and name in messages: --rtt takes 0 to twice the delay's cap
    spelled = replace(
        option, name=alias.lstrip("-"), low=option.low / scale, high=option.high / scale
    )
    either.add_argument(
        alias,
        dest=option.name,
        type=_reader(spelled, scale, alias),
        metavar=option.metavar,
        help=alias_help,
    )
    either.add_argument(flag, **kw)


def _help(option) -> str:
    if option.kind == "flag":
        return option.help
    if option.nullable:
        return f"{option.help} (default: {option.null_means})"
    default = option.default
    if option.kind == "duration":
        shown = f"{default * 1000:g}ms" if default < 1 else f"{default:g}s"
    elif option.kind == "drop":
        return f"{option.help} (at most {option.high})"
    elif option.is_list:
        return f"{option.help}; comma-separated (at most {option.max_items}; default none)"
    else:
        shown = default
    return f"{option.help} (default {shown})"


def register(sub: argparse._SubParsersAction) -> None:
    from netutil.sim.options import OPTIONS, RUNS

    p = sub.add_parser(
        "handshake",
        help="simulate a TCP connection segment by segment (ladder, JSON, pcap, pcapng, "
        "Monte Carlo)",
        description=(
            "Simulate a TCP connection between two RFC 9293 state machines over an impaired "
            "network: open (3-way handshake), data transfer, close (FIN exchange, TIME-WAIT)."
        ),
        epilog=HANDSHAKE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    groups = {
        name: p.add_argument_group(name) for name in ("network", "connection", "flows", "limits")
    }
    for option in OPTIONS:
        if option.cli_flag is not None:
            _add_option(groups[option.group], option)

    out = p.add_argument_group("output")
    out.add_argument(
        "--format",
        choices=("ladder", "json", "pcap", "pcapng", "svg"),
        help="what to write (default: ladder, or what --output's name ends in: "
        ".txt ladder, .json json, .pcap pcap, .pcapng pcapng, .svg svg); svg: the sequence "
        "diagram to scale; pcapng: one interface per side, each packet with comments",
    )
    out.add_argument(
        "--capture-point",
        choices=CAPTURE_POINTS,
        help="whose network interface the capture shows: what that side sent (lost segments "
        "too) and what arrived there (corrupted copies with their bad checksum); default "
        "client for pcap, both (one interface each) for pcapng",
    )
    out.add_argument(
        "--json", action="store_const", const="json", dest="format", help="same as --format json"
    )
    out.add_argument(
        "--output", "-o", metavar="FILE", help="write to FILE instead of standard output"
    )
    out.add_argument(
        "--plot",
        choices=("sequence", "window", "cwnd", "establish"),
        help="write a chart as SVG instead: the time-sequence graph, the windows and bytes in "
        "flight, congestion control, or (with --runs) the time to ESTABLISHED",
    )
    out.add_argument(
        "--runs",
        type=_reader(RUNS),
        metavar=RUNS.metavar,
        help=f"{RUNS.help} (at most {RUNS.high})",
    )
    out.add_argument(
        "--explain",
        action="store_true",
        help="under the ladder, one sentence per state change and reaction, with its rule "
        "and RFC 9293 section",
    )
    out.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="a progress line on stderr during --runs (default: only when stderr is a "
        "terminal and the output is not JSON)",
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
    """The JSON-able simulator options given on the command line (the API's request body);
    those left out take the core's defaults, here and in the service alike."""
    from netutil.sim.options import OPTIONS

    params: dict[str, Any] = {}
    for option in OPTIONS:
        value = getattr(args, option.name, None)
        if option.kind == "drop":
            if value:
                params[option.name] = value
        elif value is not None and value != option.default:
            params[option.name] = value
    return params


#: --output's file name suffix -> the format written when --format is not given (a new
#: format adds its suffix here and its writer in `_write`).
OUTPUT_FORMATS = {
    ".txt": "ladder",
    ".json": "json",
    ".pcap": "pcap",
    ".pcapng": "pcapng",
    ".svg": "svg",
}
#: The formats that are captures (binary files), and whose network interface they show.
CAPTURE_FORMATS = ("pcap", "pcapng")
CAPTURE_POINTS = ("client", "server", "both")


#: A run that takes at least this many events is announced on stderr before it starts.
LONG_RUN_EVENTS = 1_000_000


def handshake_result(params: dict[str, Any], runs: int | None, progress: Any = None) -> Any:
    """The core call behind `tcp_handshake`, locally: Monte Carlo statistics as JSON
    (`progress(done, runs)` called as the runs go, when given), or one run as a `TraceStream`,
    whose events are written as the engine makes them (the trace is never held whole; `--api`
    results arrive whole, as JSON)."""
    from netutil.sim.request import run_request

    if runs is not None:
        return run_request(params, runs, progress=progress).as_dict()
    from netutil.sim.options import SimOptions
    from netutil.sim.request import check_feasible, minimum_events
    from netutil.sim.run import TraceStream

    options = SimOptions.from_dict(params)
    check_feasible(options)
    if options.flows > 1:
        from netutil.sim.flows import simulate_flows

        return simulate_flows(options).as_dict()
    least = minimum_events(options)
    if least >= LONG_RUN_EVENTS:
        print(
            f"netutil: note: this run takes at least {least} events (one per data segment; "
            f"the cap is {options.max_events}); it is written as it runs",
            file=sys.stderr,
        )
    return TraceStream(options)


def output_format(args: argparse.Namespace) -> str:
    """--format, or the one --output's file name says; a name that says none is refused.
    `--plot KIND` is the format "plot:KIND" (an SVG chart)."""
    if getattr(args, "plot", None) is not None:
        from netutil.cli.pictures import check_plot

        check_plot(args)
        return f"plot:{args.plot}"
    if args.format is not None:
        return args.format
    if args.output is None:
        return "ladder"
    from pathlib import PurePath

    suffix = PurePath(args.output).suffix.lower()
    if suffix not in OUTPUT_FORMATS:
        known = ", ".join(OUTPUT_FORMATS)
        raise argparse.ArgumentTypeError(
            f"cannot tell the format of {args.output!r} from its name (known: {known}): "
            "give --format ladder, json, pcap, pcapng or svg"
        )
    return OUTPUT_FORMATS[suffix]


def run_handshake(args: argparse.Namespace) -> int:
    try:
        fmt = output_format(args)
    except argparse.ArgumentTypeError as exc:
        error(str(exc))
        return 2
    params = options_params(args)
    if fmt in ("pcap", "pcapng", "svg") and args.runs is not None:
        error(f"--format {fmt} shows one run; drop --runs")
        return 2
    flows = params.get("flows", 1)
    one_connection = fmt in ("pcap", "pcapng", "svg") or (
        fmt.startswith("plot:") and fmt != "plot:cwnd"  # the cwnd chart draws every flow
    )
    if flows > 1 and one_connection:
        shown = "--plot" if fmt.startswith("plot:") else f"--format {fmt}"
        error(f"{shown} shows one connection, not {flows} flows: use --format json or ladder")
        return 2
    if flows > 1 and args.runs is not None:
        error(f"--runs is Monte Carlo over one connection, not {flows} flows: drop one")
        return 2
    if args.capture_point is not None and fmt not in CAPTURE_FORMATS:
        error(f"--capture-point applies to --format pcap or pcapng, not {fmt}")
        return 2
    if fmt == "pcap" and args.capture_point == "both":
        error(
            "--capture-point both: a classic pcap holds one interface; give client or server, "
            "or --format pcapng (one interface per side)"
        )
        return 2
    binary = fmt in CAPTURE_FORMATS
    if binary and args.output is None and sys.stdout.isatty():
        error(f"refusing to write a binary {fmt} to a terminal; use --output FILE or redirect")
        return 2
    progress = None
    if args.runs is not None:
        from netutil.cli import progress as progress_line

        flag = args.progress
        if flag is None and fmt == "json":
            flag = False  # JSON is for programs: no line unless asked for
        if progress_line.wanted(flag):
            progress = progress_line.reporter("monte carlo runs")
    result = backend.call(
        args,
        "tcp_handshake",
        lambda: handshake_result(params, args.runs, progress),
        **params,
        runs=args.runs,
    )
    point = args.capture_point
    if args.output is None:
        _write(fmt, result, sys.stdout, args.explain, point)
    else:
        try:
            mode = "wb" if binary else "w"
            with open(args.output, mode, encoding=None if binary else "utf-8") as out:
                _write(fmt, result, out, args.explain, point)
        except OSError as exc:
            error(f"cannot write {args.output!r}: {exc.strerror}")
            return 1
    if args.seed is None and (binary or args.output is not None):
        # the ladder's header and the JSON's options carry it; a pcap or a file is not read
        # on the terminal, so the seed that repeats the run goes to stderr
        seed = (result if isinstance(result, dict) else result.head())["options"]["seed"]
        print(f"netutil: seed {seed} (--seed {seed} repeats this run)", file=sys.stderr)
    return 0


def _write(
    fmt: str, result: Any, out: Any, explain: bool = False, point: str | None = None
) -> None:
    """The result in `fmt` on `out` (a text stream; pcap goes to its binary buffer). `result`
    is a JSON dict (Monte Carlo, or anything from `--api`) or a local run's TraceStream; with
    `explain` the ladder is followed by its explanations, which read the whole trace; `point`
    is a capture's capture point (None: client for pcap, both for pcapng)."""
    if explain and not isinstance(result, dict):
        result = _whole(result)
    if isinstance(result, dict):
        trace, events, summary = result, result.get("events"), lambda: result["summary"]
    else:
        trace, events = result.head(), result.events()
        summary = lambda: result.summary.as_dict()  # noqa: E731 (known once events are read)
    if fmt == "json":
        if isinstance(result, dict):
            emit_json(result, out)
        else:
            write_json_stream(trace, events, summary, out)
    elif fmt == "svg":
        from netutil.render.svg import render_svg

        out.write(render_svg(_whole(result)))
    elif fmt.startswith("plot:"):
        from netutil.render.plots import render_plot

        out.write(render_plot(fmt.removeprefix("plot:"), _whole(result)))
    elif fmt in CAPTURE_FORMATS:
        from netutil.sim.capture import write_trace_pcap, write_trace_pcapng

        binary = getattr(out, "buffer", out)
        whole = {**trace, "events": events}
        if fmt == "pcap":
            write_trace_pcap(binary, whole, point or "client")
        else:
            write_trace_pcapng(binary, whole, point or "both")
        binary.flush()
    elif "flows" in trace:  # several flows: their summary, one block each
        from netutil.render.flows import flows_pairs

        out.write(format_block(flows_pairs(result)) + "\n")
    elif "runs" in trace:  # Monte Carlo statistics
        from netutil.render.simulation import monte_carlo_pairs

        out.write(format_block(monte_carlo_pairs(result)) + "\n")
    else:
        from netutil.render.ladder import render_ladder, summary_pairs

        # the terminal's width on a terminal, 80 columns in a pipe or a file
        width = terminal_width() if out is sys.stdout else 80
        write_lines(render_ladder(trace, events, width=width, legend=True), out)
        out.write("\n")
        if explain:
            from netutil.render.explain import explain_lines

            write_lines(explain_lines(result), out)
            out.write("\n")
        out.write(format_block(summary_pairs(summary())))
        out.write("\n")


def _whole(result: Any) -> dict[str, Any]:
    """The result as one JSON dict (a picture is drawn from all of it at once)."""
    if isinstance(result, dict):
        return result
    whole = {**result.head(), "events": list(result.events())}
    whole["summary"] = result.summary.as_dict()
    return whole


def write_json_stream(
    head: dict[str, Any], events: Any, summary: Any, out: Any, chunk: int = 256
) -> None:
    """The trace's JSON written as its events come: byte for byte what `emit_json` writes for
    the whole dict (two-space indent, keys in the core's order), `chunk` events per write."""
    import json

    encode = json.JSONEncoder(indent=2, ensure_ascii=False).encode  # emit_json's settings

    def dumps(obj: Any, depth: int) -> str:
        return encode(obj).replace("\n", "\n" + "  " * depth)

    out.write("{\n")
    for key, value in head.items():
        out.write(f"  {json.dumps(key)}: {dumps(value, 1)},\n")
    out.write('  "events": [')
    pending: list[Any] = []
    first = True

    def flush() -> None:
        # the chunk as a JSON list, brackets taken off, one level deeper: its items as the
        # whole dict's dump has them
        inner = encode(pending)[2:-2].replace("\n", "\n  ")
        out.write(("\n  " if first else ",\n  ") + inner)
        pending.clear()

    for event in events:
        pending.append(event)
        if len(pending) == chunk:
            flush()
            first = False
    if pending:
        flush()
        first = False
    out.write("]" if first else "\n  ]")
    out.write(f',\n  "summary": {dumps(summary(), 1)}\n}}\n')


def run_states(args: argparse.Namespace) -> int:
    def local() -> dict[str, Any]:
        from netutil.sim.states import transition_table

        return transition_table().as_dict()

    result = backend.call(args, "tcp_states", local)
    if args.json:
        emit_json(result)
        return 0
    from netutil.render.states import states_table
    from netutil.sim.states import NOT_TRANSITIONS

    width = terminal_width() if sys.stdout.isatty() else None
    write_lines(states_table(result, width, NOT_TRANSITIONS))
    return 0
