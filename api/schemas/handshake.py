"""Connection simulator shapes (`netutil.sim` results' `as_dict()`) and the options request."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import fields, validate

from api import limits
from api.schemas import patterns
from api.schemas.base import JsonBoolean, JsonInteger, JsonNumber, Strict, nullable, present
from api.schemas.tcp import TcpOption
from api.schemas.union import OneOf
from netutil.sim.capture import CAPTURE_POINTS
from netutil.sim.engine import MAX_EVENTS
from netutil.sim.network import KINDS
from netutil.sim.options import OPTIONS, RUNS, Option

SIDE = validate.OneOf(["client", "server"])
PROBABILITY = validate.Range(0.0, 1.0)
SECONDS = {"description": "simulated seconds"}


# --- options (the request, and echoed in every result with the seed used) ---------------------
# Every field comes from the core's one declaration of each option (`netutil.sim.options`
# OPTIONS): its type, range (OpenAPI minimum/maximum), choices (enum), help and default.

_LIMITS = {"data": limits.SIM_DATA_MAX}  # the service's own caps below the core's
#: A drop rule as `netutil.sim.options.parse_drop_rule` takes it: a segment number 1..MAX_EVENTS,
#: or a segment kind with an optional count (1.. in up to 9 digits) or `all`.
_DROP_RULE = (
    f"^(?:{patterns.range_pattern(1, MAX_EVENTS)}|(?:{'|'.join(KINDS)})"
    r"(?::(?:[1-9][0-9]{0,8}|all))?)$"
)


class AsciiInteger(fields.Integer):
    """A query-string integer in ASCII digits (Python's int() also takes Arabic-Indic ones)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not re.fullmatch(r"[0-9]+", value.strip(), re.ASCII):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class AsciiNumber(fields.Float):
    """A query-string number in ASCII digits, no inf or nan (float() takes them all)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and not _ASCII_NUMBER.fullmatch(value.strip()):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


_ASCII_NUMBER = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)


def _description(option: Option, high: Any) -> str:
    text = option.help
    if option.unit:
        text += f" ({option.unit})"
    if option.nullable:
        text += f"; left out or null: {option.null_means}"
    elif not option.is_list:
        default = option.default
        text += f"; default {str(default).lower() if isinstance(default, bool) else default}"
    if option.source:
        text += f" ({option.source})"
    if option.name in _LIMITS:
        text += f"; at most {high} here"
    return text


def option_field(
    option: Option,
    integer: type,
    number: type,
    boolean: type,
    *,
    response: bool = False,
    null: bool = True,
) -> fields.Field:
    """The marshmallow field of one simulator option (request or, with `response`, result);
    `null` False for a query string, which cannot say null (leaving it out does)."""
    high = _LIMITS.get(option.name, option.high)
    kw: dict[str, Any] = {"metadata": {"description": _description(option, high)}}
    if response:
        kw["required"] = True
    if option.nullable and null:
        kw["allow_none"] = True
    if option.kind == "flag":
        return boolean(**kw)
    if option.kind == "choice":
        return fields.String(validate=validate.OneOf(option.choices), **kw)
    if option.kind == "drop":
        return fields.List(
            fields.String(validate=patterns.Pattern(_DROP_RULE, error="Not a drop rule.")),
            validate=validate.Length(max=option.high),
            **kw,
        )
    if option.kind == "choices":
        return fields.List(
            fields.String(validate=validate.OneOf(option.choices)),
            validate=validate.Length(max=option.max_items),
            **kw,
        )
    if option.kind == "durations":
        return fields.List(
            number(validate=validate.Range(option.low, high)),
            validate=validate.Length(max=option.max_items),
            **kw,
        )
    cls = integer if option.is_integer else number
    return cls(validate=validate.Range(option.low, high), **kw)


def _options(
    integer: type, number: type, boolean: type, null: bool, capture: bool = True
) -> dict[str, fields.Field]:
    """The simulator's options and `runs` as request fields (any left out take the core's
    defaults); the field types differ between a query string and a JSON body. With `capture`,
    also `capture_point`, for an answer that is a capture."""
    out = {o.name: option_field(o, integer, number, boolean, null=null) for o in OPTIONS}
    out["runs"] = integer(
        validate=validate.Range(RUNS.low, limits.SIM_RUNS_MAX),
        metadata={
            "description": f"{RUNS.help} (at most {limits.SIM_RUNS_MAX} here, and runs x data "
            f"at most {limits.SIM_RUNS_DATA_MAX} bytes)"
        },
    )
    if capture:
        out["capture_point"] = fields.String(
            validate=validate.OneOf(CAPTURE_POINTS),
            allow_none=null,
            metadata={
                "description": "for a pcap or pcapng answer: whose network interface it shows "
                "(what that side sent, lost segments too, and what arrived there); default "
                "client for pcap, both (one interface per side) for pcapng"
            },
        )
    return out


#: Every option of a run; the result's copy has the seed actually used.
SimOptions = Strict.from_dict(
    {
        o.name: option_field(o, fields.Integer, fields.Float, fields.Boolean, response=True)
        for o in OPTIONS
    },
    name="SimOptions",
)
HandshakeQuery = Strict.from_dict(
    _options(AsciiInteger, AsciiNumber, fields.Boolean, null=False), name="HandshakeQuery"
)
#: The same options for a chart (no capture point: a chart is not a capture).
PlotQuery = Strict.from_dict(
    _options(AsciiInteger, AsciiNumber, fields.Boolean, null=False, capture=False),
    name="PlotQuery",
)
HandshakeBody = Strict.from_dict(
    _options(JsonInteger, JsonNumber, JsonBoolean, null=True), name="HandshakeBody"
)


# --- one trace ------------------------------------------------------------------------------


class EndpointInfo(Strict):
    role = present(fields.String, validate=SIDE)
    ip = present(fields.String)
    port = present(fields.Integer)
    isn = present(fields.Integer)


class _Event(Strict):
    time = present(fields.Float, metadata=SECONDS)
    side = present(fields.String, validate=SIDE)


CORRUPT_BIT = (
    "for a corrupted copy, the bit the network flipped: mask 1 << (bit % 8) of byte bit // 8 "
    "of the TCP segment (null when not corrupted)"
)


class SendEvent(_Event):
    """A segment put on the wire, with its fate (delivered, lost, dropped, queue-drop,
    corrupted)."""

    type = present(fields.String, validate=validate.Equal("send"))
    number = present(fields.Integer, metadata={"description": "segment number, from 1"})
    kind = present(fields.String)
    flags = present(fields.List, fields.String())
    seq = present(fields.Integer)
    ack = present(fields.Integer)
    window = present(fields.Integer)
    len = present(fields.Integer)
    options = present(fields.List, fields.Nested(TcpOption))
    note = nullable(fields.String)
    fate = present(fields.String)
    arrival = nullable(fields.Float, metadata=SECONDS)
    duplicate = nullable(fields.String, metadata={"description": "fate of a duplicate copy"})
    corrupt_bit = nullable(fields.Integer, metadata={"description": CORRUPT_BIT})
    duplicate_corrupt_bit = nullable(
        fields.Integer, metadata={"description": "the same for a corrupted duplicate copy"}
    )

    class Meta(Strict.Meta):
        fields = (
            "type", "time", "side", "number", "kind", "flags", "seq", "ack", "window", "len",
            "options", "note", "fate", "arrival", "duplicate", "corrupt_bit",
            "duplicate_corrupt_bit",
        )  # fmt: skip


class ArriveEvent(_Event):
    type = present(fields.String, validate=validate.Equal("arrive"))
    number = present(fields.Integer)
    copy = present(fields.Integer)
    result = present(fields.String)

    class Meta(Strict.Meta):
        fields = ("type", "time", "side", "number", "copy", "result")


class StateEvent(_Event):
    type = present(fields.String, validate=validate.Equal("state"))
    from_ = present(fields.String, data_key="from", attribute="from")
    to = present(fields.String)
    rule = present(fields.String, metadata={"description": "rule id in GET /api/tcp/states"})

    class Meta(Strict.Meta):
        fields = ("type", "time", "side", "from_", "to", "rule")


class TimeoutEvent(_Event):
    type = present(fields.String, validate=validate.Equal("timeout"))
    timer = present(fields.String)
    rto = nullable(fields.Float, metadata=SECONDS)

    class Meta(Strict.Meta):
        fields = ("type", "time", "side", "timer", "rto")


class TextEvent(_Event):
    """A user call (OPEN, SEND, CLOSE, ...) or an error report."""

    type = present(fields.String, validate=validate.OneOf(["user", "error"]))
    text = present(fields.String)

    class Meta(Strict.Meta):
        fields = ("type", "time", "side", "text")


class QueueEvent(_Event):
    """The bottleneck queue the side sends into, as a segment meets it (with a bandwidth)."""

    type = present(fields.String, validate=validate.Equal("queue"))
    link = present(fields.String, validate=validate.OneOf(["client->server", "server->client"]))
    packets = present(fields.Integer, metadata={"description": "packets waiting"})
    bytes = present(fields.Integer, metadata={"description": "bytes waiting"})
    capacity = present(fields.Integer, metadata={"description": "the queue's size, packets"})

    class Meta(Strict.Meta):
        fields = ("type", "time", "side", "link", "packets", "bytes", "capacity")


class CongestionEvent(_Event):
    """The sender's congestion state after a change, and the rule that changed it."""

    type = present(fields.String, validate=validate.Equal("congestion"))
    cwnd = present(fields.Integer, metadata={"description": "congestion window, bytes"})
    ssthresh = nullable(
        fields.Integer, metadata={"description": "bytes; null while arbitrarily high"}
    )
    flight = present(fields.Integer, metadata={"description": "SND.NXT - SND.UNA, bytes"})
    phase = present(
        fields.String,
        validate=validate.OneOf(
            ["slow_start", "congestion_avoidance", "fast_recovery", "rto_recovery"]
        ),
    )
    rule = nullable(fields.String, metadata={"description": "the RFC rule applied"})

    class Meta(Strict.Meta):
        fields = ("type", "time", "side", "cwnd", "ssthresh", "flight", "phase", "rule")


class BySide(Strict):
    client = nullable(fields.Float, metadata=SECONDS)
    server = nullable(fields.Float, metadata=SECONDS)


class CountBySide(Strict):
    client = present(fields.Integer)
    server = present(fields.Integer)


class StateBySide(Strict):
    client = present(fields.String)
    server = present(fields.String)


class ByLink(Strict):
    client_server = present(fields.Integer, data_key="client->server", attribute="client->server")
    server_client = present(fields.Integer, data_key="server->client", attribute="server->client")


class Bottleneck(Strict):
    bandwidth = present(fields.Float, metadata={"description": "bits per second"})
    queue = present(fields.Integer, metadata={"description": "packets that may wait"})
    packets = present(fields.Nested, ByLink, metadata={"description": "packets carried"})
    queue_drops = present(fields.Nested, ByLink)
    max_queue = present(fields.Nested, ByLink, metadata={"description": "most packets waiting"})


OUTCOMES = validate.OneOf(["completed", "failed", "reset", "incomplete", "limit_exceeded"])


class CongestionRetransmissions(Strict):
    timeout = present(fields.Integer)
    fast_retransmit = present(fields.Integer)
    partial_ack = present(fields.Integer)
    sack = present(fields.Integer)


class CwndFigures(Strict):
    min = nullable(fields.Integer)
    mean = nullable(fields.Float)
    max = nullable(fields.Integer)


class CongestionSummary(Strict):
    """The client's congestion control: retransmissions by cause, slow start, cwnd (bytes)."""

    algorithm = present(fields.String)
    retransmissions = present(fields.Nested, CongestionRetransmissions)
    time_in_slow_start = nullable(fields.Float, metadata=SECONDS)
    cwnd = present(fields.Nested, CwndFigures)
    ssthresh = nullable(fields.Integer)


class ConnectionSummary(Strict):
    """What one connection came to: the fields a run's summary and a flow's share."""

    outcome = present(fields.String, validate=OUTCOMES)
    reason = nullable(fields.String)
    time_to_established = present(fields.Nested, BySide)
    retransmissions = present(fields.Nested, CountBySide)
    segments_sent = present(fields.Integer)
    segments_lost = present(fields.Integer)
    segments_corrupted = present(fields.Integer)
    segments_duplicated = present(fields.Integer)
    bytes_sent = present(fields.Integer)
    bytes_delivered = present(fields.Integer)
    data_intact = present(fields.Boolean)
    time_to_close = nullable(fields.Float, metadata=SECONDS)
    duration = present(fields.Float, metadata=SECONDS)
    final_states = present(fields.Nested, StateBySide)
    congestion = nullable(fields.Nested, CongestionSummary)


class Summary(ConnectionSummary):
    """One run's summary: the connection's, its goodput, its event count and the bottleneck."""

    goodput = nullable(
        fields.Float, metadata={"description": "bits/s the server's application read"}
    )
    events = present(fields.Integer)
    bottleneck = nullable(
        fields.Nested, Bottleneck, metadata={"description": "null without a bandwidth"}
    )


class Trace(Strict):
    """One simulated connection (`netutil tcp handshake --format json`)."""

    options = present(fields.Nested, SimOptions)
    client = present(fields.Nested, EndpointInfo)
    server = present(fields.Nested, EndpointInfo)
    events = present(
        fields.List,
        OneOf(
            SendEvent,
            ArriveEvent,
            StateEvent,
            TimeoutEvent,
            TextEvent,
            QueueEvent,
            CongestionEvent,
            required=True,
        ),
    )
    summary = present(fields.Nested, Summary)


# --- several flows ----------------------------------------------------------------------------


class FlowEndpoints(Strict):
    flow = present(fields.Integer, metadata={"description": "from 1"})
    client = present(fields.Nested, EndpointInfo)
    server = present(fields.Nested, EndpointInfo)
    events = present(
        fields.List,
        OneOf(
            SendEvent,
            ArriveEvent,
            StateEvent,
            TimeoutEvent,
            TextEvent,
            CongestionEvent,
            required=True,
        ),
    )


class FlowSummary(ConnectionSummary):
    """One flow: its share of the bottleneck, then its connection's summary."""

    flow = present(fields.Integer)
    cc = present(fields.String, metadata={"description": "its sender policy"})
    start = present(fields.Float, metadata=SECONDS)
    transfer_time = nullable(
        fields.Float, metadata={"description": "seconds from its OPEN to the last read"}
    )
    throughput = nullable(
        fields.Float, metadata={"description": "bits/s of its IP packets that crossed the link"}
    )
    goodput = nullable(fields.Float, metadata={"description": "bits/s its application read"})
    queue_drops = present(fields.Integer)


class FlowsSummary(Strict):
    outcome = present(fields.String, validate=OUTCOMES)
    reason = nullable(fields.String)
    flows = present(fields.List, fields.Nested(FlowSummary))
    jain_index = nullable(
        fields.Float, metadata={"description": "Jain's fairness index over the goodputs"}
    )
    bottleneck = nullable(fields.Nested, Bottleneck)
    duration = present(fields.Float, metadata=SECONDS)
    events = present(fields.Integer)


class FlowsTrace(Strict):
    """Several flows over one network (`netutil tcp handshake --flows N --format json`)."""

    options = present(fields.Nested, SimOptions)
    flows = present(fields.List, fields.Nested(FlowEndpoints))
    network = present(fields.List, fields.Nested(QueueEvent))
    summary = present(fields.Nested, FlowsSummary)


# --- Monte Carlo ------------------------------------------------------------------------------


class Distribution(Strict):
    count = present(fields.Integer)
    mean = nullable(fields.Float)
    p50 = nullable(fields.Float)
    p90 = nullable(fields.Float)
    p99 = nullable(fields.Float)
    min = nullable(fields.Float)
    max = nullable(fields.Float)


class RetransmissionCount(Strict):
    retransmissions = present(fields.Integer)
    runs = present(fields.Integer)


class EstablishedTime(Strict):
    time = present(fields.Float, metadata=SECONDS)
    runs = present(fields.Integer)


class MonteCarloResult(Strict):
    """Statistics over `runs` seeded runs (`netutil tcp handshake --runs N --format json`)."""

    options = present(fields.Nested, SimOptions)
    runs = present(fields.Integer)
    success_rate = present(fields.Float)
    outcomes = present(fields.Dict, keys=fields.String(), values=fields.Integer())
    time_to_established = present(fields.Nested, Distribution)
    server_time_to_established = present(fields.Nested, Distribution)
    retransmissions = present(fields.Nested, Distribution)
    retransmission_counts = present(fields.List, fields.Nested(RetransmissionCount))
    time_to_close = present(fields.Nested, Distribution)
    established_times = nullable(fields.List, fields.Nested(EstablishedTime))
    events = present(fields.Integer, metadata={"description": "engine events run in total"})
    goodput = nullable(
        fields.Nested, Distribution, metadata={"description": "bits/s, runs with data"}
    )


# --- the state machine's table ----------------------------------------------------------------


class Transition(Strict):
    rule = present(fields.String)
    state = present(fields.String)
    kind = present(
        fields.String, validate=validate.OneOf(["user call", "segment arrives", "timeout"])
    )
    event = present(fields.String)
    action = present(fields.String)
    next_state = present(fields.String)
    section = present(fields.String, metadata={"description": "RFC 9293 section"})


class TransitionTable(Strict):
    """`netutil tcp states --json`: the eleven states and every rule the simulator follows."""

    states = present(fields.List, fields.String())
    transitions = present(fields.List, fields.Nested(Transition))
