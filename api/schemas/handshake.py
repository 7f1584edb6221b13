"""Connection simulator shapes (`netutil.sim` results' `as_dict()`) and the options request."""

from __future__ import annotations

from marshmallow import fields, validate

from api import limits
from api.schemas.base import JsonBoolean, JsonInteger, JsonNumber, Strict, nullable, present
from api.schemas.tcp import TcpOption
from api.schemas.union import OneOf

SIDE = validate.OneOf(["client", "server"])
PROBABILITY = validate.Range(0.0, 1.0)
SECONDS = {"description": "simulated seconds"}


# --- options (the request, and echoed in every result with the seed used) ---------------------


class SimOptions(Strict):
    """Every option of a run; the result's copy has the seed actually used."""

    seed = present(fields.Integer)
    delay = present(fields.Float, metadata={"description": "one-way delay, seconds"})
    jitter = present(fields.Float)
    loss = present(fields.Float, validate=PROBABILITY)
    loss_to_server = nullable(fields.Float, validate=PROBABILITY)
    loss_to_client = nullable(fields.Float, validate=PROBABILITY)
    drop = present(fields.List, fields.String())
    reorder = present(fields.Float, validate=PROBABILITY)
    duplicate = present(fields.Float, validate=PROBABILITY)
    corrupt = present(fields.Float, validate=PROBABILITY)
    data = present(fields.Integer)
    window = present(fields.Integer)
    read_rate = nullable(fields.Float)
    mss = present(fields.Integer)
    msl = present(fields.Float)
    close = present(fields.Boolean)
    closer = present(fields.String, validate=validate.OneOf(["client", "server", "both"]))
    simultaneous_open = present(fields.Boolean)
    listener = present(fields.Boolean)
    client_isn = nullable(fields.Integer)
    server_isn = nullable(fields.Integer)
    dup_syn = present(fields.String, validate=validate.OneOf(["ack", "syn-ack"]))
    syn_retries = present(fields.Integer)
    synack_retries = present(fields.Integer)
    max_events = present(fields.Integer)
    max_time = present(fields.Float)


def _options(integer: type, number: type, boolean: type) -> dict[str, fields.Field]:
    """The simulator's options and `runs` as request fields (any left out take the core's
    defaults); the field types differ between a query string and a JSON body."""
    return {
        "seed": integer(
            validate=validate.Range(0, 2**64 - 1),
            metadata={"description": "same seed and options, same run; left out: a random seed"},
        ),
        "delay": number(metadata={"description": "one-way delay in seconds (RTT / 2)"}),
        "jitter": number(metadata={"description": "seconds"}),
        "loss": number(validate=PROBABILITY, metadata={"description": "both directions"}),
        "loss_to_server": number(validate=PROBABILITY),
        "loss_to_client": number(validate=PROBABILITY),
        "drop": fields.List(
            fields.String(validate=validate.Length(min=1, max=30)),
            validate=validate.Length(max=100),
            metadata={
                "description": "N (the N-th segment sent), KIND, KIND:N or KIND:all; kinds: syn, "
                "syn-ack, ack, data, fin, rst"
            },
        ),
        "reorder": number(validate=PROBABILITY),
        "duplicate": number(validate=PROBABILITY),
        "corrupt": number(validate=PROBABILITY),
        "data": integer(
            validate=validate.Range(0, limits.SIM_DATA_MAX),
            metadata={
                "description": f"bytes the client sends (at most {limits.SIM_DATA_MAX} here)"
            },
        ),
        "window": integer(metadata={"description": "receive buffer, bytes"}),
        "read_rate": number(metadata={"description": "server reads, bytes/s (default: at once)"}),
        "mss": integer(),
        "msl": number(metadata={"description": "seconds; TIME-WAIT lasts 2 MSL"}),
        "close": boolean(metadata={"description": "close after the transfer"}),
        "closer": fields.String(validate=validate.OneOf(["client", "server", "both"])),
        "simultaneous_open": boolean(),
        "listener": boolean(metadata={"description": "false: the SYN meets a closed port"}),
        "client_isn": integer(validate=validate.Range(0, 2**32 - 1)),
        "server_isn": integer(validate=validate.Range(0, 2**32 - 1)),
        "dup_syn": fields.String(validate=validate.OneOf(["ack", "syn-ack"])),
        "syn_retries": integer(),
        "synack_retries": integer(),
        "max_events": integer(metadata={"description": "cap on simulation events"}),
        "max_time": number(metadata={"description": "cap on simulated seconds"}),
        "runs": integer(
            validate=validate.Range(1, limits.SIM_RUNS_MAX),
            metadata={
                "description": "Monte Carlo over this many seeded runs (at most "
                f"{limits.SIM_RUNS_MAX}, and runs x data at most {limits.SIM_RUNS_DATA_MAX} "
                "bytes): statistics instead of one trace"
            },
        ),
    }


HandshakeQuery = Strict.from_dict(
    _options(fields.Integer, fields.Float, fields.Boolean), name="HandshakeQuery"
)
HandshakeBody = Strict.from_dict(
    _options(JsonInteger, JsonNumber, JsonBoolean), name="HandshakeBody"
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


class SendEvent(_Event):
    """A segment put on the wire, with its fate (delivered, lost, dropped, corrupted)."""

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

    class Meta(Strict.Meta):
        fields = (
            "type", "time", "side", "number", "kind", "flags", "seq", "ack", "window", "len",
            "options", "note", "fate", "arrival", "duplicate",
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


class BySide(Strict):
    client = nullable(fields.Float, metadata=SECONDS)
    server = nullable(fields.Float, metadata=SECONDS)


class CountBySide(Strict):
    client = present(fields.Integer)
    server = present(fields.Integer)


class StateBySide(Strict):
    client = present(fields.String)
    server = present(fields.String)


class Summary(Strict):
    outcome = present(
        fields.String,
        validate=validate.OneOf(["completed", "failed", "reset", "incomplete", "limit_exceeded"]),
    )
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
    events = present(fields.Integer)


class Trace(Strict):
    """One simulated connection (`netutil tcp handshake --format json`)."""

    options = present(fields.Nested, SimOptions)
    client = present(fields.Nested, EndpointInfo)
    server = present(fields.Nested, EndpointInfo)
    events = present(
        fields.List,
        OneOf(SendEvent, ArriveEvent, StateEvent, TimeoutEvent, TextEvent, required=True),
    )
    summary = present(fields.Nested, Summary)


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
