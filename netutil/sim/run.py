"""A scenario in, a trace out: two endpoints, their applications and the network, run to the end.

The client's application opens actively at time 0, writes `data` bytes and (with `close`) closes;
the server's application listens (or, with `simultaneous_open`, opens actively too; with
`listener=False` there is nothing on the port), reads what arrives (at `read_rate`) and closes
once it has read everything and seen the client's FIN. `closer="server"` reverses the close,
`closer="both"` has both applications close when established (the client one one-way delay
later, so that without loss the two FINs cross: simultaneous close). Nothing else is
scripted: every segment comes from one of the two state machines.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from netutil.errors import InvalidInput, LimitExceeded
from netutil.layout import fast_constructor
from netutil.sim.congestion import CongestionSummary, sender_factory
from netutil.sim.endpoint import TCB
from netutil.sim.engine import Engine
from netutil.sim.network import BottleneckSummary, Network
from netutil.sim.options import SimOptions
from netutil.sim.receiver import delayed_ack
from netutil.sim.request import Budget, BudgetedTrace, BudgetExceeded, Spending
from netutil.sim.states import RESET_RULES, State
from netutil.sim.tcb import TCBParameters, tcb_parameters
from netutil.sim.trace import Event, record

CLIENT_IP = "192.0.2.1"  # RFC 5737 documentation addresses
SERVER_IP = "192.0.2.2"
SERVER_PORT = 9  # the default of the server_port option (see options.py)
EPHEMERAL_PORTS = (32768, 60999)  # Linux's default ip_local_port_range
_PORT_WIDTH = EPHEMERAL_PORTS[1] + 1 - EPHEMERAL_PORTS[0]
_PORT_BITS = _PORT_WIDTH.bit_length()
PATTERN_PERIOD = 1_000_003  # bytes; a prime, so no segment size lines up with it
# States as module constants (reading an Enum class attribute is a slow, unspecialized lookup)
_CLOSED, _LISTEN, _ESTABLISHED, _CLOSE_WAIT = (
    State.CLOSED,
    State.LISTEN,
    State.ESTABLISHED,
    State.CLOSE_WAIT,
)


@lru_cache(maxsize=1)
def _pattern() -> bytes:
    return random.Random(0x6E65747574696C).randbytes(PATTERN_PERIOD)


def stream_bytes(offset: int, length: int) -> bytes:
    """Bytes `offset` .. `offset + length` of the data stream the client sends.

    The stream is a fixed pseudo-random sequence (the same in every run), so a trace's segments
    can be rebuilt byte for byte from their sequence numbers alone (see `capture`).
    """
    pattern = _pattern()
    out = bytearray()
    while length > 0:
        start = offset % PATTERN_PERIOD
        take = min(length, PATTERN_PERIOD - start)
        out += pattern[start : start + take]
        offset += take
        length -= take
    return bytes(out)


@dataclass(frozen=True, slots=True)
class AppScript:
    """What one end's application does: the same in every run of a scenario (see `_scenario`)."""

    read_rate: float | None  # bytes per second; None: it reads whatever arrives at once
    chunk: int  # bytes per read: min(MSS, buffer / 4), one chunk per chunk / rate seconds
    keep: bool  # keep what it reads (to compare with what was sent)
    close_on_established: bool
    close_on_eof: bool
    close_when_read: int | None  # close once it has read this many bytes
    close_delay: float  # with close_on_established: seconds from ESTABLISHED to the CLOSE
    expect: int  # bytes it is sent: when it has read them all is noted (for the goodput)


class Application:
    """The process on one end: opens, writes, reads at its rate, and closes by its script."""

    __slots__ = (
        "_close_asked",
        "_reading",
        "engine",
        "eof",
        "read_all_at",
        "received",
        "received_count",
        "script",
        "tcb",
    )

    def __init__(self, tcb: TCB, engine: Engine, script: AppScript) -> None:
        self.tcb = tcb
        self.engine = engine
        self.script = script
        # what it has read, if it keeps it (no buffer made for an application that does not)
        self.received = bytearray() if script.keep else b""
        self.received_count = 0
        self.read_all_at: float | None = None  # when it had read all it was sent
        self.eof = False
        self._close_asked = False
        self._reading = False

    def on_established(self) -> None:
        script = self.script
        read_all = (
            script.close_when_read is not None and self.received_count >= script.close_when_read
        )
        if script.close_on_established and script.close_delay:
            self.engine.schedule(script.close_delay, self._close)
        elif script.close_on_established or read_all:
            self._close()

    def on_data(self) -> None:
        if self.script.read_rate is None:
            self._take(len(self.tcb.unread))
        elif not self._reading:
            self._schedule_read()

    def on_eof(self) -> None:
        self.eof = True
        if not self.tcb.unread:
            self._end_of_stream()

    def on_closed(self, error: str | None) -> None:
        pass

    def _schedule_read(self) -> None:
        self._reading = True
        size = min(self.script.chunk, len(self.tcb.unread))
        self.engine.schedule(size / self.script.read_rate, self._read, size)

    def _read(self, size: int) -> None:
        self._reading = False
        self._take(size)
        if self.tcb.unread:
            self._schedule_read()
        elif self.eof:
            self._end_of_stream()

    def _take(self, size: int) -> None:
        chunk = self.tcb.receive(size)
        self.received_count += len(chunk)
        if self.script.keep:
            self.received += chunk
        if self.received_count == self.script.expect:
            self.read_all_at = self.engine.now
        close_when_read = self.script.close_when_read
        if close_when_read is not None and self.received_count >= close_when_read:
            self._close()

    def _end_of_stream(self) -> None:
        if self.script.close_on_eof:
            self._close()

    def _close(self) -> None:
        state = self.tcb.state
        if self._close_asked or not (state is _ESTABLISHED or state is _CLOSE_WAIT):
            return
        self._close_asked = True
        self.tcb.close()


@dataclass(frozen=True, slots=True)
class Endpoint:
    """Where one end of the connection lives and how it numbers its bytes."""

    role: str
    ip: str
    port: int
    isn: int

    def as_dict(self) -> dict[str, Any]:
        return {"role": self.role, "ip": self.ip, "port": self.port, "isn": self.isn}


@dataclass(frozen=True, slots=True)
class Summary:
    """What happened, in numbers (times in simulated seconds from the client's OPEN)."""

    outcome: str  # completed | failed | reset | incomplete | limit_exceeded
    reason: str | None
    client_established: float | None
    server_established: float | None
    client_retransmissions: int
    server_retransmissions: int
    segments_sent: int
    segments_lost: int
    segments_corrupted: int
    segments_duplicated: int
    bytes_sent: int
    bytes_delivered: int
    data_intact: bool
    #: bits per second the server's application read, from the client's OPEN (time 0) to its
    #: last byte (as a flow's goodput, `flows`); None without data, or if not all was read
    goodput: float | None
    time_to_close: float | None
    duration: float
    client_state: str
    server_state: str
    events: int
    bottleneck: BottleneckSummary | None  # None: no bandwidth set
    #: the client's (the data sender's) congestion control; None if it never got that far,
    #: and in Monte Carlo runs
    congestion: CongestionSummary | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "reason": self.reason,
            "time_to_established": {
                "client": _t(self.client_established),
                "server": _t(self.server_established),
            },
            "retransmissions": {
                "client": self.client_retransmissions,
                "server": self.server_retransmissions,
            },
            "segments_sent": self.segments_sent,
            "segments_lost": self.segments_lost,
            "segments_corrupted": self.segments_corrupted,
            "segments_duplicated": self.segments_duplicated,
            "bytes_sent": self.bytes_sent,
            "bytes_delivered": self.bytes_delivered,
            "data_intact": self.data_intact,
            "goodput": None if self.goodput is None else round(self.goodput, 3),
            "time_to_close": _t(self.time_to_close),
            "duration": _t(self.duration),
            "final_states": {"client": self.client_state, "server": self.server_state},
            "events": self.events,
            "bottleneck": None if self.bottleneck is None else self.bottleneck.as_dict(),
            "congestion": None if self.congestion is None else self.congestion.as_dict(),
        }


def _t(value: float | None) -> float | None:
    """Times are reported to the microsecond (the float sums of delays carry noise below it)."""
    return None if value is None else round(value, 6)


@dataclass(frozen=True, slots=True)
class Trace:
    """One simulated connection: the options and seed, both endpoints, every event, a summary.

    `events` holds what the endpoints and the network recorded: the endpoints' typed records of
    `netutil.sim.trace` and the network's compact send entries; `records()` gives them all as
    records, whose `as_dict` is each kind's JSON (README "TCP connection simulator" documents
    each kind).
    """

    options: SimOptions
    seed: int | None
    client: Endpoint
    server: Endpoint
    events: tuple[Any, ...]
    summary: Summary

    def records(self) -> Iterator[Event]:
        """The events as typed records, made one at a time."""
        return map(record, self.events)

    def as_dict(self) -> dict[str, Any]:
        return {
            "options": {**self.options.as_dict(), "seed": self.seed},
            "client": self.client.as_dict(),
            "server": self.server.as_dict(),
            "events": [record(e).as_dict() for e in self.events],
            "summary": self.summary.as_dict(),
        }


def simulate(options: SimOptions, seed: int | None = None, budget: Budget | None = None) -> Trace:
    """Run one connection to its end and return the trace.

    `seed` overrides `options.seed`; with neither, a seed is drawn from the operating system and
    reported in the result. Hitting a cap on events or simulated time ends the run with outcome
    "limit_exceeded"; passing the `budget` raises BudgetExceeded.
    """
    if options.flows != 1:
        raise InvalidInput(
            f"{options.flows} flows: one connection runs here; netutil.sim.flows runs several"
        )
    if seed is None:
        seed = options.seed
        if seed is None:
            seed = random.SystemRandom().getrandbits(32)
    if budget is None:
        events: list[Any] = []
        summary, client, server = connect(options, random.Random(seed), events)
    else:
        spending = budget.start()
        events = BudgetedTrace(spending)
        summary, client, server = connect(options, random.Random(seed), events, spending)
        spending.spend(summary.events, summary.segments_sent)
    return Trace(
        options,
        seed,
        Endpoint("client", CLIENT_IP, client.port, client.isn_first),
        Endpoint("server", SERVER_IP, server.port, server.isn_first),
        tuple(events),
        summary,
    )


def connect(
    options: SimOptions,
    rng: random.Random,
    events: list[Any] | None,
    spending: Spending | None = None,
) -> tuple[Summary, TCB, TCB]:
    """Build the two endpoints, their applications and the network, run to the end.

    The trace goes to `events` (None: no trace is recorded, as Monte Carlo needs only the
    summary; the endpoints and the network run exactly the same code); random choices come
    from `rng` (Monte Carlo passes one stream for all its runs). With a request's `spending`,
    what its budget leaves caps the run's events below `options.max_events`: BudgetExceeded
    past it.
    Returns the summary and the two endpoints.
    """
    max_events = options.max_events
    if spending is not None:
        left = spending.events_left()
        if left is not None and left < max_events:
            max_events = left
    built = _build(options, rng, events, max_events)
    engine = built[0]
    limit_reason = None
    try:
        engine.run()
    except BudgetExceeded:
        raise
    except LimitExceeded as exc:
        if max_events < options.max_events and engine.events > max_events:
            raise spending.out_of_events() from None
        limit_reason = str(exc)
    return _finish(options, built, limit_reason)


def _build(
    options: SimOptions, rng: random.Random, events: list[Any] | None, max_events: int
) -> tuple[Engine, Network, TCB, TCB, Application, bytes]:
    """The engine, the network, both endpoints with their applications, opened and with the
    client's data written (what `connect` and `TraceStream` then run)."""
    engine = Engine(max_events, options.max_time)
    network = Network(engine, rng, options, None if events is None else events.append)

    # = rng.randint(*EPHEMERAL_PORTS), written out: randint's two Python-level calls cost 1.05%
    # of a Monte Carlo run (callgrind: 385,796 vs 381,788 instructions a run). Invariant: it
    # draws exactly as randrange does (low + _randbelow(width): getrandbits of width's bit
    # length until below width), so every run's port and every later draw are randint's.
    getrandbits = rng.getrandbits
    client_port = getrandbits(_PORT_BITS)
    while client_port >= _PORT_WIDTH:
        client_port = getrandbits(_PORT_BITS)
    client_port += EPHEMERAL_PORTS[0]
    if options.client_port is not None:
        client_port = options.client_port  # drawn all the same: the rest of the run is unchanged
    server_port = options.server_port
    client_isn = options.client_isn if options.client_isn is not None else getrandbits(32)
    server_isn = options.server_isn if options.server_isn is not None else getrandbits(32)
    params, client_script, server_script = _scenario(options)
    client = TCB(
        "client",
        engine,
        network,
        events,
        CLIENT_IP,  # ip
        client_port,  # port
        server_port,  # remote_port
        client_isn,  # isn
        getrandbits(32),  # ts_offset
        params,
    )
    server = TCB(
        "server",
        engine,
        network,
        events,
        SERVER_IP,  # ip
        server_port,  # port
        client_port,  # remote_port
        server_isn,  # isn
        getrandbits(32),  # ts_offset
        params,
    )
    client.peer, server.peer = server, client
    client_app = Application(client, engine, client_script)
    server_app = Application(server, engine, server_script)
    client.app, server.app = client_app, server_app

    payload = stream_bytes(0, options.data) if options.data else b""
    if options.simultaneous_open:
        server.open(active=True)
    elif options.listener:
        server.open(active=False)
    client.open(active=True)
    if payload:
        client.send(payload)
    return engine, network, client, server, server_app, payload


def _finish(
    options: SimOptions, built: tuple[Any, ...], limit_reason: str | None
) -> tuple[Summary, TCB, TCB]:
    engine, network, client, server, server_app, payload = built
    summary = _summarize(
        options, engine, network, client, server, server_app, payload, limit_reason
    )
    return summary, client, server


class TraceStream:
    """One run whose events are read as the engine makes them, so that no part of the trace
    need be held whole (the CLI writes a 10-million-event run in constant memory).

    `head` (options with the seed used, client, server) is known before the first event;
    iterate `events()` once, to the end; then `summary` is the run's. The same run as
    `simulate(options, seed)`: the engine takes the same steps, one at a time.
    """

    def __init__(self, options: SimOptions, seed: int | None = None) -> None:
        if options.flows != 1:
            raise InvalidInput(
                f"{options.flows} flows: one connection runs here; netutil.sim.flows runs several"
            )
        if seed is None:
            seed = options.seed
            if seed is None:
                seed = random.SystemRandom().getrandbits(32)
        self.options = options
        self.seed = seed
        self._pending: list[Any] = []
        self._built = _build(options, random.Random(seed), self._pending, options.max_events)
        client, server = self._built[2], self._built[3]
        self.client = Endpoint("client", CLIENT_IP, client.port, client.isn_first)
        self.server = Endpoint("server", SERVER_IP, server.port, server.isn_first)
        self.summary: Summary | None = None

    def head(self) -> dict[str, Any]:
        """The trace's JSON before its events: `options` (with the seed), `client`, `server`."""
        return {
            "options": {**self.options.as_dict(), "seed": self.seed},
            "client": self.client.as_dict(),
            "server": self.server.as_dict(),
        }

    def events(self) -> Iterator[dict[str, Any]]:
        """The event dicts in time order, each as soon as the engine has made it."""
        if self.summary is not None:
            raise RuntimeError("a TraceStream's events are read once")
        engine, pending = self._built[0], self._pending
        limit_reason = None
        while True:
            try:
                more = engine.step()
            except LimitExceeded as exc:
                limit_reason, more = str(exc), False
            if pending:
                for e in pending:
                    yield record(e).as_dict()
                pending.clear()
            if not more:
                break
        self.summary = _finish(self.options, self._built, limit_reason)[0]


# What the runs of the last options object seen share (Monte Carlo connects many times with
# one options object), replaced as a whole so that concurrent simulations never mix two.
_last_scenario: tuple[Any, Any] = (None, None)


def _scenario(options: SimOptions) -> tuple[TCBParameters, AppScript, AppScript]:
    """The `TCBParameters` both endpoints share (see `tcb_parameters`), and the scripts of the
    client's and the server's applications."""
    global _last_scenario
    last = _last_scenario
    if last[0] is options:
        return last[1]
    params = tcb_parameters(
        options.mss,
        options.window,  # rcv_buf
        options.msl,
        options.syn_retries,
        options.synack_retries,
        options.dup_syn,
        options.zero_window_probe,
        options.sack,
    ).with_policies(sender_factory(options.cc, options.initial_window, options.sack), None)
    if options.delayed_ack is not None:
        params = params.with_policies(None, delayed_ack(options.delayed_ack))
    # both read min(MSS, buffer / 4) bytes at a time (at least one)
    chunk = max(1, min(options.mss, options.window // 4))
    close, closer = options.close, options.closer
    client = AppScript(
        options.read_rate,
        chunk,
        False,  # keep
        close and closer in ("client", "both"),  # close_on_established
        close and closer == "server",  # close_on_eof
        None,  # close_when_read
        # close_delay: with "both", the client waits one one-way delay, so that (without loss)
        # its FIN leaves after the server's ESTABLISHED and before the server's FIN arrives:
        # the FINs cross
        options.delay if closer == "both" else 0.0,
        -1,  # expect: nothing
    )
    server = AppScript(
        options.read_rate,
        chunk,
        options.data > 0,  # keep
        close and closer == "both",  # close_on_established
        close and closer == "client",  # close_on_eof
        options.data if close and closer == "server" else None,  # close_when_read
        0.0,  # close_delay
        options.data if options.data else -1,  # expect
    )
    scenario = (params, client, server)
    _last_scenario = (options, scenario)
    return scenario


def _summarize(
    options: SimOptions,
    engine: Engine,
    network: Network,
    client: TCB,
    server: TCB,
    server_app: Application,
    payload: bytes,
    limit_reason: str | None,
) -> Summary:
    last = network.last_send
    for who in (client, server):
        if who.last_change > last:
            last = who.last_change
    delivered = server_app.received_count
    # intact: what the application read is exactly the start of what was sent (in order, once)
    intact = delivered <= len(payload) and (
        not delivered or server_app.received == payload[:delivered]
    )
    everything = intact and delivered == len(payload)
    cs, ss = client.state, server.state
    if limit_reason is not None:
        outcome, reason = "limit_exceeded", limit_reason
    elif client.error or (server.error and ss is _CLOSED and cs is not _CLOSED):
        failed = client if client.error else server
        outcome = "reset" if failed.error_rule in RESET_RULES else "failed"
        reason = f"{failed.name}: {failed.error}"
    elif server.error and not (cs is _CLOSED and everything):
        outcome, reason = "failed", f"server: {server.error}"
    elif everything and (
        (options.close and cs is _CLOSED and (ss is _CLOSED or ss is _LISTEN))
        or (not options.close and cs is _ESTABLISHED and ss is _ESTABLISHED)
    ):
        outcome, reason = "completed", None
    elif ss is _LISTEN and server.error_in_listen and cs is not _CLOSED:
        # the server gave the connection up and listens again, while the client still holds
        # it: a half-open connection (RFC 9293 3.5.1) that nothing in this run would end
        outcome = "reset" if server.error_in_listen_rule in RESET_RULES else "failed"
        reason = f"server: {server.error_in_listen}; the client is left half-open in {cs.value}"
    else:
        outcome = "incomplete"
        reason = f"client in {cs.value}, server in {ss.value}"
        if not everything:
            reason += f", {delivered} of {len(payload)} bytes delivered"
    read_all_at = server_app.read_all_at
    goodput = None if read_all_at is None or read_all_at <= 0 else delivered * 8 / read_all_at
    # from the first CLOSE call to the later of the two ends (plain comparisons: this runs once
    # per Monte Carlo run, and min()/max() over lists cost more)
    start, other = client.close_called_at, server.close_called_at
    if start is None or (other is not None and other < start):
        start = other
    end, other = client.finished_at, server.finished_at
    if end is None or other is None or start is None:
        time_to_close = None
    else:
        time_to_close = (end if end >= other else other) - start
    # one per Monte Carlo run: the fast constructor (see netutil.layout), fields in order
    return _make_summary(
        outcome,
        reason,
        client.established_at,  # client_established
        server.established_at,  # server_established
        client.retransmissions,  # client_retransmissions
        server.retransmissions,  # server_retransmissions
        network.number,  # segments_sent
        network.lost,  # segments_lost
        network.corrupted,  # segments_corrupted
        network.duplicated,  # segments_duplicated
        len(payload),  # bytes_sent
        delivered,  # bytes_delivered
        intact,  # data_intact
        goodput,
        time_to_close,
        last,  # duration
        cs._value_,  # client_state
        ss._value_,  # server_state
        engine.events,  # events
        network.bottleneck(),
        # congestion: for a trace only (a Monte Carlo run reads none of it)
        None if client.sender is None or client.events is None else client.sender.summary(),
    )


_make_summary = fast_constructor(Summary)
