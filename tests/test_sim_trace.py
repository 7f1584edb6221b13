"""The typed trace records: one definition per event kind, which the API's response schema
follows field for field, and no kind decoded as another."""

from __future__ import annotations

import dataclasses

import pytest

from api.schemas import handshake as schemas
from netutil.sim.options import SimOptions
from netutil.sim.run import simulate
from netutil.sim.trace import EVENT_TYPES, ErrorEvent, SendEvent, record

SCHEMAS = {
    "send": schemas.SendEvent,
    "arrive": schemas.ArriveEvent,
    "state": schemas.StateEvent,
    "timeout": schemas.TimeoutEvent,
    "user": schemas.TextEvent,
    "error": schemas.TextEvent,
    "queue": schemas.QueueEvent,
    "congestion": schemas.CongestionEvent,
}


def _example(kind):
    """An event of each kind from real runs (a refused connection has the error event)."""
    for options in (
        SimOptions(seed=2, loss=0.3, data=3000, cc="reno"),
        SimOptions(seed=1, listener=False),
        SimOptions(seed=1, data=30_000, bandwidth=1e6),
    ):
        for e in simulate(options).records():
            if isinstance(e, EVENT_TYPES[kind]):
                return e
    raise AssertionError(f"no {kind} event")


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_the_api_schema_has_each_record_field_in_order(kind):
    shown = _example(kind).as_dict()
    assert shown["type"] == kind
    schema = SCHEMAS[kind]()
    assert [schema.fields[name].data_key or name for name in schema.Meta.fields] == list(shown)
    assert schema.load(shown) is not None  # the schema accepts what the record shows


@pytest.mark.parametrize("kind", sorted(EVENT_TYPES))
def test_records_are_small_frozen_values(kind):
    cls = EVENT_TYPES[kind]
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
    assert hasattr(cls, "__slots__")
    event = _example(kind)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.side = "x"


def test_the_json_trace_is_the_records_as_dicts():
    trace = simulate(SimOptions(seed=7, drop=("syn-ack",), data=2000))
    assert trace.as_dict()["events"] == [e.as_dict() for e in trace.records()]
    first = next(trace.records())
    assert isinstance(first, type(first)) and first.as_dict()["type"] in EVENT_TYPES


def test_an_unknown_kind_is_an_error_not_a_guess():
    with pytest.raises(TypeError, match="unknown trace event kind 'delayed-ack'"):
        record(("delayed-ack", 1.0, "client", "x"))
    assert record(("error", 1.0, "client", "connection reset")) == ErrorEvent(
        1.0, "client", "connection reset"
    )


def test_send_record_reads_the_header():
    send = next(e for e in simulate(SimOptions(seed=1)).records() if isinstance(e, SendEvent))
    assert (send.number, send.kind, send.flags, send.len) == (1, "syn", ("SYN",), 0)
    # Linux's order of SYN options: MSS, SACK-permitted, Timestamps, NOP, Window scale
    assert [o["name"] for o in send.options] == [
        "mss", "sack_permitted", "timestamps", "nop", "window_scale"
    ]  # fmt: skip
