"""Simulator options: one frozen dataclass, validated in the core so the CLI and the API
accept and reject exactly the same input, plus the parsers for human spellings
(`100ms`, `1.5s`, `10MB`, `syn-ack:2`) that the CLI's argparse `type=` callables wrap.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, fields
from typing import Any

from netutil.errors import InvalidInput
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

CLOSERS = ("client", "server", "both")
DUP_SYN_REPLIES = ("ack", "syn-ack")


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
    result reports the seed used, so the run can be repeated).
    """

    seed: int | None = None
    delay: float = 0.05  # one-way; the RTT is twice this
    jitter: float = 0.0
    loss: float = 0.0
    loss_to_server: float | None = None
    loss_to_client: float | None = None
    drop: tuple[str, ...] = ()
    reorder: float = 0.0
    duplicate: float = 0.0
    corrupt: float = 0.0
    data: int = 0
    window: int = 65535
    read_rate: float | None = None  # bytes per second; None reads as soon as data arrives
    mss: int = 1460
    msl: float = 120.0
    close: bool = True
    closer: str = "client"
    simultaneous_open: bool = False
    listener: bool = True
    client_isn: int | None = None
    server_isn: int | None = None
    dup_syn: str = "ack"
    syn_retries: int = 6
    synack_retries: int = 5
    max_events: int = MAX_EVENTS
    max_time: float = MAX_TIME
    _drops: DropRules = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.seed is not None:
            _check_int("seed", self.seed, 0, 2**64 - 1)
        for name in ("delay", "jitter"):
            _check_number(name, getattr(self, name), 0.0, MAX_DELAY, "seconds")
        for name in ("loss", "reorder", "duplicate", "corrupt"):
            _check_number(name, getattr(self, name), 0.0, 1.0, "a probability")
        for name in ("loss_to_server", "loss_to_client"):
            if getattr(self, name) is not None:
                _check_number(name, getattr(self, name), 0.0, 1.0, "a probability")
        _check_int("data", self.data, 0, MAX_DATA)
        _check_int("window", self.window, 1, MAX_WINDOW)
        _check_int("mss", self.mss, MIN_MSS, MAX_MSS)
        if self.read_rate is not None:
            _check_number("read_rate", self.read_rate, 1.0, 1e12, "bytes per second")
        _check_number("msl", self.msl, 0.0, MAX_MSL, "seconds")
        if self.closer not in CLOSERS:
            raise InvalidInput(
                f"invalid closer {self.closer!r}: expected one of {', '.join(CLOSERS)}"
            )
        if self.dup_syn not in DUP_SYN_REPLIES:
            raise InvalidInput(
                f"invalid dup_syn {self.dup_syn!r}: expected one of {', '.join(DUP_SYN_REPLIES)}"
            )
        for name in ("client_isn", "server_isn"):
            if getattr(self, name) is not None:
                _check_int(name, getattr(self, name), 0, 2**32 - 1)
        _check_int("syn_retries", self.syn_retries, 1, MAX_RETRIES)
        _check_int("synack_retries", self.synack_retries, 1, MAX_RETRIES)
        _check_int("max_events", self.max_events, 1, MAX_EVENTS)
        _check_number("max_time", self.max_time, 1.0, MAX_TIME, "seconds")
        for flag in ("close", "simultaneous_open", "listener"):
            if not isinstance(getattr(self, flag), bool):
                raise InvalidInput(
                    f"invalid {flag} {getattr(self, flag)!r}: expected true or false"
                )
        if isinstance(self.drop, str) or not isinstance(self.drop, tuple | list):
            raise InvalidInput(f"invalid drop {self.drop!r}: expected a list of drop rules")
        if len(self.drop) > MAX_DROP_RULES:
            raise InvalidInput(f"too many drop rules ({len(self.drop)}): at most {MAX_DROP_RULES}")
        object.__setattr__(self, "drop", tuple(self.drop))
        object.__setattr__(self, "_drops", _drop_rules(self.drop))

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
        out["drop"] = list(self.drop)
        return out

    @classmethod
    def from_dict(cls, params: dict[str, Any]) -> SimOptions:
        """Options from JSON-able parameters; unknown names are an error."""
        names = {f.name for f in fields(cls) if f.init}
        unknown = sorted(set(params) - names)
        if unknown:
            raise InvalidInput(f"unknown simulator option {unknown[0]!r}")
        values = dict(params)
        if "drop" in values and isinstance(values["drop"], list):
            values["drop"] = tuple(values["drop"])
        return cls(**values)


def _check_number(name: str, value: Any, low: float, high: float, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidInput(f"invalid {name} {value!r}: expected a number ({what})")
    if math.isnan(value) or not low <= value <= high:
        raise InvalidInput(f"invalid {name} {value!r}: expected {what} in [{low:g}, {high:g}]")


def _check_int(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"invalid {name} {value!r}: expected an integer")
    if not low <= value <= high:
        raise InvalidInput(f"invalid {name} {value!r}: expected an integer in [{low}, {high}]")


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


_DURATION_RE = re.compile(r"^\s*(?P<value>\d+(?:\.\d*)?|\.\d+)\s*(?P<unit>us|ms|s|min)?\s*$")
_DURATION_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, None: 1.0}


def parse_duration(text: str) -> float:
    """Seconds from `100ms`, `0.1`, `1.5s`, `250us`, `2min` (a bare number is seconds)."""
    m = _DURATION_RE.match(text)
    if not m:
        if text.strip().startswith("-"):
            raise InvalidInput(f"invalid duration {text!r}: must not be negative")
        raise InvalidInput(
            f"invalid duration {text!r}: expected a number with unit us, ms, s or min"
        )
    return float(m["value"]) * _DURATION_UNITS[m["unit"]]


_SIZE_RE = re.compile(r"^\s*(?P<value>\d+(?:\.\d*)?)\s*(?P<unit>[kKmMgG]i?[bB]?|[bB])?\s*$")
_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 10**6,
    "mb": 10**6,
    "g": 10**9,
    "gb": 10**9,
    "ki": 1024,
    "kib": 1024,
    "mi": 2**20,
    "mib": 2**20,
    "gi": 2**30,
    "gib": 2**30,
}


def parse_size(text: str) -> int:
    """Bytes from `1000`, `64KiB`, `10MB`, `1.5k` (decimal k/M/G, binary Ki/Mi/Gi)."""
    m = _SIZE_RE.match(text)
    if not m:
        if text.strip().startswith("-"):
            raise InvalidInput(f"invalid size {text!r}: must not be negative")
        raise InvalidInput(f"invalid size {text!r}: expected bytes, e.g. 1000, 64KiB or 10MB")
    value = float(m["value"]) * _SIZE_UNITS[(m["unit"] or "").lower()]
    if value != int(value):
        raise InvalidInput(f"invalid size {text!r}: not a whole number of bytes")
    return int(value)


def parse_probability(text: str) -> float:
    """A probability from `0.1` or `10%`, in [0, 1]."""
    raw = text.strip()
    try:
        value = float(raw[:-1]) / 100 if raw.endswith("%") else float(raw)
    except ValueError:
        raise InvalidInput(f"invalid probability {text!r}: expected a number in [0, 1]") from None
    if math.isnan(value) or not 0.0 <= value <= 1.0:
        raise InvalidInput(f"invalid probability {text!r}: expected a number in [0, 1]")
    return value
