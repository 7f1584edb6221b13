"""Several connections sharing one bottleneck: `flows` client/server pairs, each with its own
ports, ISNs, trace and summary, over one network (so one drop-tail queue and one link each way),
each started at its own offset and with its own sender policy.

Every flow is the scenario of `run` (the client writes `data` bytes and closes, the server reads
and closes) started at its `flow_start` offset; the network and the engine are shared, so the
flows compete for the link as real ones do. The summary gives each flow's throughput (the bits
of its client's IP packets that crossed the bottleneck, retransmissions included, per second)
and goodput (the bits its server's application read, per second), both over the flow's
transfer time (from its OPEN to the server application's last read), and Jain's fairness index
over the goodputs: (sum x)^2 / (n * sum x^2), 1 when all are equal, 1/n when one takes all
(R. Jain, D. Chiu, W. Hawe, DEC-TR-301, 1984).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from netutil.errors import LimitExceeded
from netutil.sim.congestion import sender_factory
from netutil.sim.endpoint import TCB
from netutil.sim.engine import Engine
from netutil.sim.network import BottleneckSummary, Network, packet_size
from netutil.sim.options import SimOptions
from netutil.sim.request import Budget, BudgetExceeded
from netutil.sim.run import (
    _PORT_BITS,
    _PORT_WIDTH,
    CLIENT_IP,
    EPHEMERAL_PORTS,
    SERVER_IP,
    Application,
    Endpoint,
    Summary,
    _scenario,
    _summarize,
    stream_bytes,
)
from netutil.sim.trace import record

#: Fates of a segment that has used the bottleneck link (random loss comes after it).
_CROSSED = ("delivered", "corrupted", "lost")


def jain_index(values: Iterable[float]) -> float | None:
    """Jain's fairness index (sum x)^2 / (n * sum x^2) of `values`; None for no values or all
    zero (no share to judge)."""
    xs = list(values)
    square_sum = sum(x * x for x in xs)
    if not xs or square_sum == 0:
        return None
    total = sum(xs)
    return total * total / (len(xs) * square_sum)


class _FlowApplication(Application):
    """The run's application, noting when it last read data (the end of its transfer)."""

    __slots__ = ("last_read",)

    def __init__(self, tcb: TCB, engine: Engine, script: Any) -> None:
        Application.__init__(self, tcb, engine, script)
        self.last_read: float | None = None

    def _take(self, size: int) -> None:
        Application._take(self, size)
        if size:
            self.last_read = self.engine.now


class _FlowCounts:
    """One flow's share of the network's counters, from its own trace (what `_summarize`
    reads of a `Network`)."""

    __slots__ = ("corrupted", "duplicated", "last_send", "lost", "number", "queue_drops")

    def __init__(self, events: list[tuple[Any, ...]]) -> None:
        self.number = self.lost = self.corrupted = self.duplicated = self.queue_drops = 0
        self.last_send = 0.0
        for e in events:
            if e.__class__ is not tuple or e[0] != "send":
                continue  # (the network's sends are compact tuples; other records may be typed)
            self.number += 1
            self.last_send = e[1]
            fate, dup = e[7], e[9]
            if fate in ("lost", "dropped"):
                self.lost += 1
            elif fate == "queue-drop":
                self.queue_drops += 1
            elif fate == "corrupted":
                self.corrupted += 1
            if dup is not None:
                self.duplicated += 1
                if dup == "corrupted":
                    self.corrupted += 1

    def bottleneck(self) -> None:
        return None  # the shared link's numbers are in the flows' summary, not one flow's


@dataclass(frozen=True, slots=True)
class FlowSummary:
    """One flow's numbers: its connection's summary, and its share of the bottleneck."""

    flow: int  # from 1
    cc: str  # its sender policy
    start: float  # its OPEN, seconds from the run's start
    transfer_time: float | None  # its OPEN to the server application's last read
    throughput: float | None  # bits/s of its client's IP packets that crossed the link
    goodput: float | None  # bits/s its server's application read
    queue_drops: int
    connection: Summary

    def as_dict(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "cc": self.cc,
            "start": self.start,
            "transfer_time": _t(self.transfer_time),
            "throughput": _rate(self.throughput),
            "goodput": _rate(self.goodput),
            "queue_drops": self.queue_drops,
            **_connection(self.connection),
        }


@dataclass(frozen=True, slots=True)
class FlowsSummary:
    """The run's numbers: each flow's, Jain's index over their goodputs, the bottleneck's."""

    outcome: str  # completed when every flow completed, else the first other outcome
    reason: str | None
    flows: tuple[FlowSummary, ...]
    jain_index: float | None
    bottleneck: BottleneckSummary | None
    duration: float
    events: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "reason": self.reason,
            "flows": [f.as_dict() for f in self.flows],
            "jain_index": None if self.jain_index is None else round(self.jain_index, 6),
            "bottleneck": None if self.bottleneck is None else self.bottleneck.as_dict(),
            "duration": _t(self.duration),
            "events": self.events,
        }


@dataclass(frozen=True, slots=True)
class Flow:
    """One flow of a run: its endpoints and its own events (the network's `send` records of
    its segments among them)."""

    flow: int
    client: Endpoint
    server: Endpoint
    events: tuple[Any, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "client": self.client.as_dict(),
            "server": self.server.as_dict(),
            "events": [record(e).as_dict() for e in self.events],
        }


@dataclass(frozen=True, slots=True)
class FlowsTrace:
    """A run of several flows: the options and seed, each flow's trace, the shared network's
    events (the bottleneck queue's `queue` records), and the summary."""

    options: SimOptions
    seed: int
    flows: tuple[Flow, ...]
    network: tuple[Any, ...]
    summary: FlowsSummary

    def as_dict(self) -> dict[str, Any]:
        return {
            "options": {**self.options.as_dict(), "seed": self.seed},
            "flows": [f.as_dict() for f in self.flows],
            "network": [record(e).as_dict() for e in self.network],
            "summary": self.summary.as_dict(),
        }


def _connection(summary: Summary) -> dict[str, Any]:
    """A flow's connection summary without what belongs to the whole run (its events, the
    bottleneck: both in the run's summary)."""
    out = summary.as_dict()
    del out["events"], out["bottleneck"], out["goodput"]  # (a flow's goodput is its own)
    return out


def _t(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def flow_starts(options: SimOptions) -> tuple[float, ...]:
    """Each flow's start: `flow_start` gives one offset per flow, or one value, the gap
    between consecutive flows' starts (flow k starts at (k - 1) * gap); none: all at 0."""
    starts, n = options.flow_start, options.flows
    if not starts:
        return (0.0,) * n
    if len(starts) == 1 and n > 1:
        return tuple(k * starts[0] for k in range(n))
    return tuple(starts)


def flow_policies(options: SimOptions) -> tuple[tuple[str, Callable[..., Any] | None], ...]:
    """Each flow's sender policy: its name and the policy maker (None: the scenario's own,
    `--cc`'s), from `flow_cc` (one name per flow, or one for all; none: `cc` for all)."""
    names = options.flow_cc or (options.cc,)
    if len(names) == 1:
        names = names * options.flows
    return tuple(
        (
            name,
            None
            if name == options.cc
            else sender_factory(name, options.initial_window, options.sack),
        )
        for name in names
    )


def simulate_flows(
    options: SimOptions, seed: int | None = None, budget: Budget | None = None
) -> FlowsTrace:
    """Run `options.flows` connections over one network to their end; the trace of each.

    Every server listens on `server_port`; the clients' ports are drawn, distinct, from
    Linux's ephemeral range, or with `client_port` are that port and the ones after it.

    `seed` overrides `options.seed` (with neither, one is drawn and reported). The caps on
    events and simulated time hold for the whole run: past them every flow not yet finished
    ends as "limit_exceeded". Past a request's `budget` (events, segments, CPU time; its
    trace records are counted from the traces at the end) BudgetExceeded is raised.
    """
    if seed is None:
        seed = options.seed
        if seed is None:
            seed = random.SystemRandom().getrandbits(32)
    rng = random.Random(seed)
    max_events = options.max_events
    spending = None if budget is None else budget.start()
    if spending is not None:
        left = spending.events_left()
        if left is not None and left < max_events:
            max_events = left
    engine = Engine(max_events, options.max_time)
    network_events: list[Any] = []
    network = Network(engine, rng, options, network_events.append)
    params, client_script, server_script = _scenario(options)
    payload = stream_bytes(0, options.data) if options.data else b""
    starts = flow_starts(options)
    policies = flow_policies(options)
    getrandbits = rng.getrandbits
    used_ports: set[int] = set()
    server_port = options.server_port
    built = []
    for k in range(options.flows):
        port = getrandbits(_PORT_BITS)
        while port >= _PORT_WIDTH or port in used_ports:  # distinct ephemeral ports
            port = getrandbits(_PORT_BITS)
        used_ports.add(port)
        client_port = port + EPHEMERAL_PORTS[0]
        if options.client_port is not None:  # given: flow k takes the k-th port from it
            client_port = options.client_port + k
        client_isn = options.client_isn if options.client_isn is not None else getrandbits(32)
        server_isn = options.server_isn if options.server_isn is not None else getrandbits(32)
        cc, policy = policies[k]
        flow_params = params if policy is None else params.with_policies(policy, None)
        events: list[Any] = []
        client = TCB(
            "client", engine, network, events, CLIENT_IP, client_port, server_port,
            client_isn, getrandbits(32), flow_params,
        )  # fmt: skip
        server = TCB(
            "server", engine, network, events, SERVER_IP, server_port, client_port,
            server_isn, getrandbits(32), flow_params,
        )  # fmt: skip
        client.peer, server.peer = server, client
        client.app = _FlowApplication(client, engine, client_script)
        server.app = server_app = _FlowApplication(server, engine, server_script)
        if options.simultaneous_open:
            server.open(True)
        elif options.listener:
            server.open(False)
        engine.call_at(starts[k], _start_client, (client, payload))
        built.append((k + 1, cc, starts[k], client, server, server_app, events))

    limit_reason = None
    try:
        engine.run()
    except LimitExceeded as exc:
        if (
            spending is not None
            and max_events < options.max_events
            and (engine.events > max_events)
        ):
            raise spending.out_of_events() from None
        limit_reason = str(exc)
    if spending is not None:
        spending.spend(engine.events, network.number)
        spending.check_time()
        records = len(network_events) + sum(len(b[-1]) for b in built)
        cap = budget.trace_events
        if cap is not None and records > cap:
            raise BudgetExceeded(
                f"the request passed its budget of {cap} trace events ({records} recorded)"
            )
    return _finish(options, seed, engine, network, network_events, payload, built, limit_reason)


def _start_client(client: TCB, payload: bytes) -> None:
    client.open(True)
    if payload:
        client.send(payload)


def _finish(
    options: SimOptions,
    seed: int,
    engine: Engine,
    network: Network,
    network_events: list[Any],
    payload: bytes,
    built: list[tuple[Any, ...]],
    limit_reason: str | None,
) -> FlowsTrace:
    flows, summaries = [], []
    for number, cc, start, client, server, server_app, events in built:
        counts = _FlowCounts(events)
        summary = _summarize(
            options, engine, counts, client, server, server_app, payload, limit_reason
        )
        crossed = sum(
            packet_size(e[4], e[5])
            for e in events
            if e.__class__ is tuple and e[0] == "send" and e[2] == "client" and e[7] in _CROSSED
        )
        last = server_app.last_read
        transfer = None if last is None or last <= start else last - start
        summaries.append(
            FlowSummary(
                number,
                cc,
                start,
                transfer,
                None if transfer is None else crossed * 8 / transfer,
                None if transfer is None else server_app.received_count * 8 / transfer,
                counts.queue_drops,
                summary,
            )
        )
        flows.append(
            Flow(
                number,
                Endpoint("client", CLIENT_IP, client.port, client.isn_first),
                Endpoint("server", SERVER_IP, options.server_port, server.isn_first),
                tuple(events),
            )
        )
    outcome, reason = "completed", None
    for s in summaries:
        if s.connection.outcome != "completed":
            outcome = s.connection.outcome
            reason = f"flow {s.flow}: {s.connection.reason}"
            break
    goodputs = [s.goodput for s in summaries]
    return FlowsTrace(
        options,
        seed,
        tuple(flows),
        tuple(network_events),
        FlowsSummary(
            outcome,
            reason,
            tuple(summaries),
            None if None in goodputs else jain_index(goodputs),
            network.bottleneck(),
            max(s.connection.duration for s in summaries),
            engine.events,
        ),
    )
