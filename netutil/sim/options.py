"""The simulator's options, each declared once in `OPTIONS`.

An `Option` holds an option's name, kind, unit, range, default, help text and where its default
comes from (an RFC section or Linux's setting). Everything else is derived from that table: the
checks of `SimOptions` (so the CLI and the API accept and reject exactly the same values), the
CLI's arguments and their text parsing (`Option.parse_text`: `100ms`, `64KiB`, `10%`, with the
same one-line error for every option), the API's marshmallow fields and so the OpenAPI text
(`api.schemas.handshake`), and the README's list (a test compares). Adding an option is one
`Option(...)` here, a field of `SimOptions`, and the behaviour that reads it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

from netutil.errors import InvalidInput
from netutil.numbers import parse_int
from netutil.sim import units
from netutil.sim.engine import MAX_EVENTS, MAX_TIME
from netutil.sim.network import KINDS

#: Caps on the inputs that size work (README "TCP connection simulator").
MAX_DATA = 64 * 1024 * 1024  # bytes the client sends
MAX_WINDOW = 0xFFFF << 14  # the largest window RFC 7323 window scaling can express
MIN_MSS, MAX_MSS = 88, 65495  # Linux's TCP_MIN_MSS; the loopback MSS
MAX_DELAY = 60.0  # one-way delay or jitter, seconds
MAX_MSL = 3600.0
MAX_RUNS = 100_000  # Monte Carlo runs in one request
MAX_MONTE_CARLO_BYTES = 64 * 1024 * 1024  # runs * data
MAX_RETRIES = 15
MAX_DROP_RULES = 100
MAX_READ_RATE = 1e12  # bytes per second
MIN_BANDWIDTH, MAX_BANDWIDTH = 1e3, 1e10  # bits per second: 1 kbit/s to 10 Gbit/s
DEFAULT_QUEUE = 100  # packets, as ns-3's DropTailQueue ("100p")
MAX_QUEUE = 100_000  # packets
MAX_FLOWS = 32  # connections in one run (and flows x data at most MAX_DATA)
MAX_FLOW_START = 3600.0  # seconds: the latest a flow may open

CLOSERS = ("client", "server", "both")
CONGESTION_CONTROLS = ("none", "reno", "newreno", "cubic")  # netutil.sim.congestion.ALGORITHMS
MAX_INITIAL_WINDOW = 1000  # segments
DUP_SYN_REPLIES = ("ack", "syn-ack")
ZERO_WINDOW_PROBES = ("rfc", "linux")
#: A bare number of at least this many seconds for a network delay draws a warning in the CLI
#: (`--rtt 50` is 50 seconds; people who type it usually mean milliseconds).
BARE_DELAY_WARNING = 1.0

#: Option kinds: how a value is checked, and how the CLI reads its text.
KINDS_OF_OPTION = ("int", "size", "number", "duration", "probability", "rate", "bitrate", "flag",
                   "choice", "drop", "durations", "choices")  # fmt: skip
#: The kinds whose value is a list (JSON array; comma-separated or repeated on the CLI).
LIST_KINDS = ("drop", "durations", "choices")


@dataclass(frozen=True, slots=True)
class Option:
    """One simulator option, declared once (see the module docstring).

    `kind` says how a value is checked and read: `int` (an integer, written in digits), `size`
    (an integer number of bytes, `64KiB`), `number`, `duration` (seconds, `100ms`),
    `probability` (`0.1`, `10%`), `rate` (bytes per second, `2000/s`), `bitrate` (bits per
    second, `10Mbit`), `flag` (a boolean), `choice` (one of `choices`), `drop` (a list of drop
    rules), `durations` (a list of seconds, each in [low, high]), `choices` (a list of names
    from `choices`); a list holds at most `max_items`. `nullable` options take None, which
    means `null_means` (on the command line also the `off` word, e.g. `--delayed-ack off`).
    `flag` is the CLI's spelling (None: not on the command line);
    a boolean that defaults to true is spelled `--no-...` on the command line.
    """

    name: str
    kind: str
    default: Any
    help: str
    source: str = ""  # where the default comes from
    low: int | float | None = None
    high: int | float | None = None
    unit: str = ""  # of the JSON value: "s", "bytes", "bytes/s", "bits/s", "packets" or ""
    nullable: bool = False
    null_means: str = ""
    choices: tuple[str, ...] = ()
    flag: str | None = ""  # "" derives --name-with-dashes; None: not a CLI argument
    metavar: str | None = None
    group: str = "connection"  # the CLI's help group: "network", "connection" or "limits"
    #: another CLI spelling as (flag, scale, help): `--rtt` is the delay times 2
    alias: tuple[str, float, str] | None = None
    #: a duration typed without a unit from this many seconds on draws a warning in the CLI
    warn_bare_from: float | None = None
    #: the command-line word for None ("": none)
    off: str = ""
    #: the most items a list option holds
    max_items: int = 0

    @property
    def cli_flag(self) -> str | None:
        if self.flag is None:
            return None
        if self.flag:
            return self.flag
        dashed = self.name.replace("_", "-")
        return f"--no-{dashed}" if self.kind == "flag" and self.default is True else f"--{dashed}"

    @property
    def is_integer(self) -> bool:
        return self.kind in ("int", "size")

    @property
    def is_list(self) -> bool:
        return self.kind in LIST_KINDS

    @property
    def what(self) -> str:
        """The words the core's messages use for a value of this option."""
        return {
            "duration": "seconds",
            "probability": "a probability",
            "rate": "bytes per second",
            "bitrate": "bits per second",
        }.get(self.kind, "a number")

    def check(self, value: Any) -> None:
        """Raise InvalidInput unless `value` is a valid JSON-able value of this option."""
        if value is None and self.nullable:
            return
        name, kind = self.name, self.kind
        if self.is_integer:
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInput(f"invalid {name} {_value(value)}: expected an integer")
            if not self.low <= value <= self.high:
                raise InvalidInput(
                    f"invalid {name} {_value(value)}: expected an integer in "
                    f"[{self.low}, {self.high}]"
                )
        elif kind in ("number", "duration", "probability", "rate", "bitrate"):
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidInput(
                    f"invalid {name} {_value(value)}: expected a number ({self.what})"
                )
            if math.isnan(value) or not self.low <= value <= self.high:
                raise InvalidInput(
                    f"invalid {name} {_value(value)}: expected {self.what} in "
                    f"[{self.low:g}, {self.high:g}]"
                )
        elif kind == "flag":
            if not isinstance(value, bool):
                raise InvalidInput(f"invalid {name} {_value(value)}: expected true or false")
        elif kind == "choice":
            if value not in self.choices:
                raise InvalidInput(
                    f"invalid {name} {_value(value)}: expected one of {', '.join(self.choices)}"
                )
        elif kind == "drop":
            if isinstance(value, str) or not isinstance(value, tuple | list):
                raise InvalidInput(f"invalid {name} {_value(value)}: expected a list of drop rules")
            if len(value) > self.high:
                raise InvalidInput(f"too many drop rules ({len(value)}): at most {self.high}")
            for rule in value:
                parse_drop_rule(rule)
        elif kind in ("durations", "choices"):
            what = "seconds" if kind == "durations" else "names"
            if isinstance(value, str) or not isinstance(value, tuple | list):
                raise InvalidInput(f"invalid {name} {_value(value)}: expected a list of {what}")
            if len(value) > self.max_items:
                raise InvalidInput(f"invalid {name}: {len(value)} items, at most {self.max_items}")
            for item in value:
                if kind == "choices":
                    if item not in self.choices:
                        raise InvalidInput(
                            f"invalid {name} item {_value(item)}: expected one of "
                            f"{', '.join(self.choices)}"
                        )
                elif (
                    isinstance(item, bool)
                    or not isinstance(item, int | float)
                    or math.isnan(item)
                    or not self.low <= item <= self.high
                ):
                    raise InvalidInput(
                        f"invalid {name} item {_value(item)}: expected seconds in "
                        f"[{self.low:g}, {self.high:g}]"
                    )

    def parse_text(self, text: str) -> Any:
        """The value from its command-line spelling; InvalidInput says what is wrong with it.

        Numbers are read exactly (`netutil.numbers`), so a 400-digit value is out of range,
        never an overflow, and `--msl 1e9` is out of range, not a bad spelling.
        """
        name, kind = self.name, self.kind
        if self.off and text.strip().lower() == self.off:
            return None
        if kind == "int":
            value = parse_int(text, name, prefixed=True)  # 0x.. as before (int(text, 0))
            units.in_range(name, text, value, self.low, self.high)
            return value
        if kind == "drop":
            return [parse_drop_rule(part) for part in text.split(",") if part.strip()]
        if kind == "choices":
            names = [part.strip().lower() for part in text.split(",") if part.strip()]
            self.check(names)
            return names
        if kind == "durations":
            items = []
            for part in text.split(","):
                seconds, _ = units.duration(part, name)
                units.in_range(name, part.strip(), seconds, self.low, self.high, "seconds")
                items.append(float(seconds))
            self.check(items)
            return items
        if kind == "size":
            value = units.size(text, name)
        elif kind == "rate":
            value = units.rate(text, name)
        elif kind == "bitrate":
            value = units.bitrate(text, name)
        elif kind == "probability":
            value = units.probability(text, name)
        elif kind == "duration":
            value, _ = units.duration(text, name)
        else:
            raise InvalidInput(f"option {name} is not read from text")  # pragma: no cover
        units.in_range(name, text, value, self.low, self.high, _UNIT_WORDS.get(self.unit, ""))
        return int(value) if self.is_integer else float(value)

    def bare_number_warning(self, text: str) -> str | None:
        """For a delay written without a unit and large enough to be a mistake, the warning the
        CLI prints (`--rtt 50` is 50 seconds)."""
        if self.warn_bare_from is None:
            return None
        try:
            value, has_unit = units.duration(text, self.name)
        except InvalidInput:
            return None
        if has_unit or value < Decimal(str(self.warn_bare_from)):
            return None
        number = text.strip()
        return (
            f"{number} without a unit is read as {number} seconds; "
            f"write {number}ms for milliseconds, or {number}s to say seconds"
        )

    def as_dict(self) -> dict[str, Any]:
        """The declaration as JSON (for documentation and tests)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "default": list(self.default) if isinstance(self.default, tuple) else self.default,
            "low": self.low,
            "high": self.high,
            "unit": self.unit,
            "nullable": self.nullable,
            "null_means": self.null_means or None,
            "choices": list(self.choices),
            "flag": self.cli_flag,
            "alias": None
            if self.alias is None
            else {"flag": self.alias[0], "scale": self.alias[1]},
            "help": self.help,
            "source": self.source,
        }


_UNIT_WORDS = {
    "s": "seconds",
    "bytes": "bytes",
    "bytes/s": "bytes per second",
    "bits/s": "bits per second",
    "packets": "packets",
}


def _value(value: Any) -> str:
    return repr(value[:48]) + "..." if isinstance(value, str) and len(value) > 48 else repr(value)


_P = {"kind": "probability", "default": 0.0, "low": 0.0, "high": 1.0, "metavar": "P",
      "group": "network"}  # fmt: skip

#: Every simulator option, in `SimOptions` field order (a test checks that the two agree).
OPTIONS: tuple[Option, ...] = (
    Option(
        "seed", "int", None, "random seed: the same seed and options give the same run",
        low=0, high=2**64 - 1, nullable=True,
        null_means="a seed drawn at random, reported in the result", metavar="N",
        group="network",
    ),
    Option(
        "delay", "duration", 0.05, "one-way delay (the RTT is twice this)",
        source="a 100 ms RTT, a path across a continent", low=0.0, high=MAX_DELAY, unit="s",
        metavar="TIME", group="network",
        alias=("--rtt", 0.5, "round-trip time: twice the one-way delay (default 100ms)"),
        warn_bare_from=BARE_DELAY_WARNING,
    ),
    Option(
        "jitter", "duration", 0.0, "extra delay per segment, uniform in [0, TIME]",
        low=0.0, high=MAX_DELAY, unit="s", metavar="TIME", group="network",
        warn_bare_from=BARE_DELAY_WARNING,
    ),
    Option("loss", help="loss probability per segment, both directions", **_P),
    Option(
        "loss_to_server", help="loss probability client -> server", nullable=True,
        null_means="as loss", **{**_P, "default": None},
    ),
    Option(
        "loss_to_client", help="loss probability server -> client", nullable=True,
        null_means="as loss", **{**_P, "default": None},
    ),
    Option(
        "drop", "drop", (), "drop these segments: N (the N-th sent, from 1), KIND (the first of "
        "a kind), KIND:N or KIND:all; kinds syn, syn-ack, ack, data, fin, rst; comma-separated "
        "or repeated", high=MAX_DROP_RULES, metavar="RULES", group="network",
    ),
    Option("reorder", help="probability a segment is held back one extra one-way delay", **_P),
    Option("duplicate", help="probability a segment arrives twice (the copy 1 ms later)", **_P),
    Option(
        "corrupt", help="probability one bit is flipped (the receiver's checksum drops it)", **_P
    ),
    Option(
        "bandwidth", "bitrate", None, "bottleneck rate of each direction: a segment takes "
        "(IP packet bytes * 8 / RATE) to serialize, behind a drop-tail queue",
        low=MIN_BANDWIDTH, high=MAX_BANDWIDTH, unit="bits/s", nullable=True,
        null_means="unlimited, no queue", metavar="RATE", group="network",
    ),
    Option(
        "queue", "int", DEFAULT_QUEUE, "drop-tail buffer in front of the bottleneck, packets "
        "waiting (the one being serialized not counted); used with --bandwidth",
        source="ns-3's DropTailQueue default of 100 packets", low=1, high=MAX_QUEUE,
        unit="packets", metavar="N", group="network",
    ),
    Option(
        "flows", "int", 1, "connections sharing the network (each its own client and server "
        "ports); the bottleneck's link and queue are shared", low=1, high=MAX_FLOWS,
        metavar="N", group="flows",
    ),
    Option(
        "flow_start", "durations", (), "when each flow opens: one offset per flow, or one "
        "gap between consecutive flows' starts", low=0.0, high=MAX_FLOW_START, unit="s",
        metavar="TIMES", group="flows", max_items=MAX_FLOWS,
    ),
    Option(
        "flow_cc", "choices", (), "each flow's congestion control: one name per flow (e.g. "
        "reno,cubic), or one for every flow; none given: --cc for every flow",
        choices=CONGESTION_CONTROLS, metavar="NAMES", group="flows", max_items=MAX_FLOWS,
    ),
    Option(
        "data", "size", 0, "bytes the client sends", low=0, high=MAX_DATA, unit="bytes",
        metavar="BYTES",
    ),
    Option(
        "window", "size", 65535, "receive buffer of each side",
        source="the largest window without window scaling (RFC 7323 section 2.2)", low=1,
        high=MAX_WINDOW, unit="bytes", metavar="BYTES",
    ),
    Option(
        "read_rate", "rate", None, "how fast the server's application reads", low=1.0,
        high=MAX_READ_RATE, unit="bytes/s", nullable=True, null_means="it reads at once",
        metavar="BYTES/S",
    ),
    Option(
        "delayed_ack", "duration", None, "delayed ACK: in-order text is ACKed after two "
        "full-sized segments or TIME after the first (RFC 9293 section 3.8.6.3; Linux 40 to "
        "200 ms); out-of-order text at once", low=0.001, high=0.5, unit="s", nullable=True,
        null_means="off: every segment is ACKed at once", metavar="TIME|off", off="off",
    ),
    Option(
        "mss", "int", 1460, "MSS option each side sends",
        source="a 1500-byte Ethernet MTU less 40 bytes of IPv4 and TCP headers "
        "(RFC 9293 section 3.7.1); at least Linux's TCP_MIN_MSS 88",
        low=MIN_MSS, high=MAX_MSS, unit="bytes", metavar="N",
    ),
    Option(
        "msl", "duration", 120.0, "maximum segment lifetime; TIME-WAIT lasts 2 MSL "
        "(--msl 30 gives Linux's 60 s)", source="RFC 9293 section 3.4.2 (two minutes)",
        low=0.0, high=MAX_MSL, unit="s", metavar="TIME",
    ),
    Option("close", "flag", True, "close after the transfer (--no-close leaves it open)"),
    Option(
        "closer", "choice", "client", "who closes first; both = simultaneous close",
        choices=CLOSERS,
    ),
    Option(
        "simultaneous_open", "flag", False, "both sides open actively (RFC 9293 Figure 7)"
    ),
    Option(
        "listener", "flag", True,
        "something listens on the server port (--no-listener: the SYN gets a RST)",
    ),
    Option(
        "server_port", "int", 9, "the port the server listens on",
        source="RFC 863 discard, which the server does; no Wireshark dissector claims it",
        low=1, high=65535, metavar="PORT",
    ),
    Option(
        "client_port", "int", None, "the client's port", low=1, high=65535, nullable=True,
        null_means="drawn from the seed in Linux's ephemeral range 32768-60999",
        metavar="PORT",
    ),
    Option(
        "client_isn", "int", None, "the client's initial sequence number", low=0,
        high=2**32 - 1, nullable=True, null_means="drawn from the seed", metavar="N",
    ),
    Option(
        "server_isn", "int", None, "the server's initial sequence number", low=0,
        high=2**32 - 1, nullable=True, null_means="drawn from the seed", metavar="N",
    ),
    Option(
        "zero_window_probe", "choice", "rfc",
        "a zero-window probe: rfc sends one octet of new data at SND.NXT, linux an empty "
        "ACK with SEQ = SND.UNA - 1 (which Wireshark shows as a keep-alive)",
        source="RFC 9293 section 3.8.6.1 (rfc); Linux tcp_xmit_probe_skb (linux)",
        choices=ZERO_WINDOW_PROBES,
    ),
    Option(
        "dup_syn", "choice", "ack",
        "answer to a duplicate SYN in SYN-RECEIVED: the RFC's ACK or Linux's SYN,ACK",
        source="RFC 9293 section 3.10.7.4 (ack); Linux tcp_check_req (syn-ack)",
        choices=DUP_SYN_REPLIES,
    ),
    Option(
        "syn_retries", "int", 6, "SYN retransmissions before the client gives up",
        source="Linux net.ipv4.tcp_syn_retries", low=1, high=MAX_RETRIES, metavar="N",
    ),
    Option(
        "synack_retries", "int", 5, "SYN,ACK retransmissions before the server gives up",
        source="Linux net.ipv4.tcp_synack_retries", low=1, high=MAX_RETRIES, metavar="N",
    ),
    Option(
        "cc", "choice", "cubic", "the sender's congestion control: none (the receiver's window "
        "alone), reno (RFC 5681), newreno (RFC 6582), cubic (RFC 9438)",
        choices=CONGESTION_CONTROLS, metavar="NAME",
    ),
    Option(
        "initial_window", "int", 10, "the initial congestion window, in segments; 0: RFC "
        "5681 section 3.1's 2, 3 or 4 segments by the MSS",
        source="RFC 6928 and Linux's TCP_INIT_CWND", low=0, high=MAX_INITIAL_WINDOW,
        metavar="SEGMENTS",
    ),
    Option(
        "sack", "flag", True, "offer SACK-permitted in SYNs and recover losses by RFC 6675's "
        "scoreboard when both sides did (--no-sack: RFC 5681 / RFC 6582 recovery)",
        source="Linux net.ipv4.tcp_sack = 1",
    ),
    Option(
        "max_events", "int", MAX_EVENTS, "cap on simulation events (the run ends as "
        "limit_exceeded past it)", low=1, high=MAX_EVENTS, metavar="N", group="limits",
    ),
    Option(
        "max_time", "duration", MAX_TIME, "cap on simulated time",
        source="one simulated day", low=1.0, high=MAX_TIME, unit="s", metavar="TIME",
        group="limits",
    ),
)  # fmt: skip

OPTION: dict[str, Option] = {o.name: o for o in OPTIONS}

#: `runs`, a request parameter beside the options: Monte Carlo over this many seeded runs.
RUNS = Option(
    "runs", "int", None, "Monte Carlo over N seeded runs: statistics instead of one trace",
    low=1, high=MAX_RUNS, nullable=True, null_means="one run, its trace", metavar="N",
    group="output",
)  # fmt: skip


def _default(name: str) -> Any:
    return OPTION[name].default


@dataclass(frozen=True, slots=True)
class DropRules:
    """Deterministic drops: segment numbers, the n-th segment of a kind, or every one of a kind."""

    numbers: frozenset[int]
    by_kind: dict[str, frozenset[int]]
    all_of_kind: frozenset[str]


@dataclass(frozen=True, slots=True)
class SimOptions:
    """Everything that determines a simulated connection; equal options and seed, equal run.

    Times are seconds, sizes bytes, probabilities in [0, 1]. `loss` applies to both directions
    unless `loss_to_server` / `loss_to_client` override it. `seed` None picks one at random (the
    result reports the seed used, so the run can be repeated). Each field's range, default and
    meaning is its `OPTIONS` entry.
    """

    seed: int | None = _default("seed")
    delay: float = _default("delay")
    jitter: float = _default("jitter")
    loss: float = _default("loss")
    loss_to_server: float | None = _default("loss_to_server")
    loss_to_client: float | None = _default("loss_to_client")
    drop: tuple[str, ...] = _default("drop")
    reorder: float = _default("reorder")
    duplicate: float = _default("duplicate")
    corrupt: float = _default("corrupt")
    bandwidth: float | None = _default("bandwidth")  # bits per second; None: unlimited
    queue: int = _default("queue")
    flows: int = _default("flows")
    flow_start: tuple[float, ...] = _default("flow_start")
    flow_cc: tuple[str, ...] = _default("flow_cc")
    data: int = _default("data")
    window: int = _default("window")
    read_rate: float | None = _default("read_rate")  # None reads as soon as data arrives
    delayed_ack: float | None = _default("delayed_ack")  # None: every segment ACKed at once
    mss: int = _default("mss")
    msl: float = _default("msl")
    close: bool = _default("close")
    closer: str = _default("closer")
    simultaneous_open: bool = _default("simultaneous_open")
    listener: bool = _default("listener")
    server_port: int = _default("server_port")
    client_port: int | None = _default("client_port")
    client_isn: int | None = _default("client_isn")
    server_isn: int | None = _default("server_isn")
    zero_window_probe: str = _default("zero_window_probe")
    dup_syn: str = _default("dup_syn")
    syn_retries: int = _default("syn_retries")
    synack_retries: int = _default("synack_retries")
    cc: str = _default("cc")
    initial_window: int = _default("initial_window")
    sack: bool = _default("sack")
    max_events: int = _default("max_events")
    max_time: float = _default("max_time")
    _drops: DropRules = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for option in OPTIONS:
            option.check(getattr(self, option.name))
        for option in OPTIONS:
            if option.is_list:
                object.__setattr__(self, option.name, tuple(getattr(self, option.name)))
        object.__setattr__(self, "_drops", _drop_rules(self.drop))
        if len(self.flow_start) not in (0, 1, self.flows):
            raise InvalidInput(
                f"invalid flow_start: {len(self.flow_start)} offsets for {self.flows} flows "
                "(give one per flow, or one gap)"
            )
        if len(self.flow_cc) not in (0, 1, self.flows):
            raise InvalidInput(
                f"invalid flow_cc: {len(self.flow_cc)} names for {self.flows} flows "
                "(give one per flow, or one for all)"
            )
        if self.client_port is not None and self.client_port + self.flows - 1 > 65535:
            raise InvalidInput(
                f"invalid client_port {self.client_port}: {self.flows} flows take the ports "
                f"from it to {self.client_port + self.flows - 1}, past 65535"
            )
        if self.flows * self.data > MAX_DATA:
            raise InvalidInput(
                f"too much data: {self.flows} flows x {self.data} bytes is over {MAX_DATA}"
            )

    @property
    def rtt(self) -> float:
        """Round-trip time without jitter: twice the one-way delay."""
        return 2 * self.delay

    @property
    def loss_up(self) -> float:
        """Loss probability client -> server."""
        return self.loss if self.loss_to_server is None else self.loss_to_server

    @property
    def loss_down(self) -> float:
        """Loss probability server -> client."""
        return self.loss if self.loss_to_client is None else self.loss_to_client

    def drop_rules(self) -> DropRules:
        return self._drops

    def with_seed(self, seed: int) -> SimOptions:
        """The same options with another seed (Monte Carlo runs)."""
        params = self.as_dict()
        params["seed"] = seed
        return SimOptions.from_dict(params)

    def as_dict(self) -> dict[str, Any]:
        """JSON-able options, in field order (also the API's request parameters)."""
        out = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
        for option in OPTIONS:
            if option.is_list:
                out[option.name] = list(out[option.name])
        return out

    @classmethod
    def from_dict(cls, params: dict[str, Any]) -> SimOptions:
        """Options from JSON-able parameters; unknown names are an error."""
        names = {f.name for f in fields(cls) if f.init}
        unknown = sorted(set(params) - names)
        if unknown:
            raise InvalidInput(f"unknown simulator option {unknown[0]!r}")
        values = dict(params)
        for option in OPTIONS:
            if isinstance(values.get(option.name), list):
                values[option.name] = tuple(values[option.name])
        return cls(**values)


_DROP_RE = re.compile(r"^(?:(?P<number>\d+)|(?P<kind>[a-z-]+)(?::(?P<nth>\d+|all))?)$")


def parse_drop_rule(text: str) -> str:
    """Check one drop rule and return it normalized.

    `N` drops segment number N (counting every segment sent, from 1); `KIND` drops the first
    segment of that kind, `KIND:N` the N-th, `KIND:all` every one. Kinds: syn, syn-ack, ack,
    data, fin, rst (see `network.segment_kind`).
    """
    if not isinstance(text, str):
        raise InvalidInput(
            f"invalid drop rule {text!r}: expected a string such as '2' or 'syn-ack'"
        )
    rule = text.strip().lower()
    m = _DROP_RE.match(rule)
    if not m:
        raise InvalidInput(f"invalid drop rule {text!r}: expected N, KIND, KIND:N or KIND:all")
    if m["number"] is not None:
        n = int(m["number"])
        if not 1 <= n <= MAX_EVENTS:
            raise InvalidInput(f"invalid drop rule {text!r}: segment numbers start at 1")
        return str(n)
    kind = m["kind"]
    if kind not in KINDS:
        raise InvalidInput(
            f"invalid drop rule {text!r}: unknown segment kind {kind!r} "
            f"(expected one of {', '.join(KINDS)})"
        )
    nth = m["nth"]
    if nth is None:
        return kind
    if nth != "all" and int(nth) < 1:
        raise InvalidInput(f"invalid drop rule {text!r}: counts start at 1")
    return f"{kind}:{nth if nth == 'all' else int(nth)}"


def _drop_rules(rules: tuple[str, ...]) -> DropRules:
    numbers: set[int] = set()
    by_kind: dict[str, set[int]] = {}
    all_of_kind: set[str] = set()
    for raw in rules:
        rule = parse_drop_rule(raw)
        if rule.isdigit():
            numbers.add(int(rule))
            continue
        kind, _, nth = rule.partition(":")
        if nth == "all":
            all_of_kind.add(kind)
        else:
            by_kind.setdefault(kind, set()).add(int(nth) if nth else 1)
    return DropRules(
        frozenset(numbers), {k: frozenset(v) for k, v in by_kind.items()}, frozenset(all_of_kind)
    )


# The spellings' parsers, kept under their old names for callers of this module.
def parse_duration(text: str) -> float:
    """Seconds from `100ms`, `0.1`, `1.5s`, `250us`, `2min` (a bare number is seconds)."""
    return float(units.duration(text)[0])


def parse_size(text: str) -> int:
    """Bytes from `1000`, `64KiB`, `10MB`, `1.5k` (decimal k/M/G, binary Ki/Mi/Gi)."""
    return int(units.size(text))


def parse_probability(text: str) -> float:
    """A probability from `0.1` or `10%`, in [0, 1]."""
    value = units.probability(text)
    units.in_range("probability", text, value, 0.0, 1.0)
    return float(value)
