"""The trace's events as typed records: one small frozen class per kind, each with the one
`as_dict()` that defines its JSON (the CLI's `--json`, the API's body, and through them the
ladder, the pcap writer and the API's response schema, which a test checks field by field).

The endpoints and the network record each event through one sink, the run's trace list (a
Monte Carlo run passes None instead, the null sink: every emission site tests for it first and
builds nothing, so an untraced run pays nothing for tracing). The endpoints append the records
themselves, made by the fast makers below (`make_state`, `make_arrive`, ...); a segment sent is
recorded compactly by the network, its header as it was sent, and `record` makes its
`SendEvent` when the trace is read, so that a long trace holds no per-segment dicts. `record`
passes a record through; a compact entry of a kind without a maker is an error, never decoded
as another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from netutil.layout import fast_constructor
from netutil.segment import option_as_dict
from netutil.sim.network import segment_kind


def _t(value: float | None) -> float | None:
    """Times are reported to the microsecond (the float sums of delays carry noise below it)."""
    return None if value is None else round(value, 6)


@dataclass(frozen=True, slots=True)
class SendEvent:
    """A segment put on the wire by `side`, with what the network did to it (`fate`:
    delivered, lost, dropped or corrupted; `duplicate`: a second copy's fate, or None; for a
    corrupted copy, the bit the network flipped: mask 1 << (bit % 8) of byte bit // 8 of the
    TCP segment, so a capture can show the bytes the receiver got)."""

    time: float
    side: str
    number: int  # segments are numbered from 1 in the order sent, both directions
    kind: str  # syn, syn-ack, ack, data, fin or rst (see network.segment_kind)
    flags: tuple[str, ...]
    seq: int
    ack: int
    window: int
    len: int
    options: tuple[dict[str, Any], ...]
    note: str | None  # "retransmission", "window probe", ...
    fate: str
    arrival: float | None
    duplicate: str | None
    corrupt_bit: int | None
    duplicate_corrupt_bit: int | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": "send",
            "time": _t(self.time),
            "side": self.side,
            "number": self.number,
            "kind": self.kind,
            "flags": list(self.flags),
            "seq": self.seq,
            "ack": self.ack,
            "window": self.window,
            "len": self.len,
            "options": list(self.options),
            "note": self.note,
            "fate": self.fate,
            "arrival": _t(self.arrival),
            "duplicate": self.duplicate,
            "corrupt_bit": self.corrupt_bit,
            "duplicate_corrupt_bit": self.duplicate_corrupt_bit,
        }


@dataclass(frozen=True, slots=True)
class ArriveEvent:
    """Segment `number` (its `copy`, 1 or 2) reached `side`, which judged it `result`
    (accepted, out of order, duplicate, out of window, bad checksum, reset, ...)."""

    time: float
    side: str
    number: int
    copy: int
    result: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": "arrive",
            "time": _t(self.time),
            "side": self.side,
            "number": self.number,
            "copy": self.copy,
            "result": self.result,
        }


@dataclass(frozen=True, slots=True)
class StateEvent:
    """`side` moved from one RFC 9293 state to another by `rule` (see `states`)."""

    time: float
    side: str
    from_state: str
    to_state: str
    rule: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": "state",
            "time": _t(self.time),
            "side": self.side,
            "from": self.from_state,
            "to": self.to_state,
            "rule": self.rule,
        }


@dataclass(frozen=True, slots=True)
class TimeoutEvent:
    """A timer of `side` fired: retransmission (with the RTO it ran for), persist, time-wait."""

    time: float
    side: str
    timer: str
    rto: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": "timeout",
            "time": _t(self.time),
            "side": self.side,
            "timer": self.timer,
            "rto": self.rto,
        }


@dataclass(frozen=True, slots=True)
class UserEvent:
    """A call of `side`'s application (OPEN, SEND, CLOSE, ...)."""

    time: float
    side: str
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"type": "user", "time": _t(self.time), "side": self.side, "text": self.text}


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """An error `side` reports to its application ("connection reset", ...)."""

    time: float
    side: str
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"type": "error", "time": _t(self.time), "side": self.side, "text": self.text}


@dataclass(frozen=True, slots=True)
class CongestionEvent:
    """`side`'s congestion state after a change (`SenderPolicy.report`): cwnd, ssthresh (None
    while still "arbitrarily high", RFC 5681 3.1) and bytes in flight (SND.NXT - SND.UNA) in
    bytes, the phase (slow_start, congestion_avoidance, fast_recovery, rto_recovery), and the
    rule that changed cwnd or ssthresh (None when only the flight changed)."""

    time: float
    side: str
    cwnd: int
    ssthresh: int | None
    flight: int
    phase: str
    rule: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": "congestion",
            "time": _t(self.time),
            "side": self.side,
            "cwnd": self.cwnd,
            "ssthresh": self.ssthresh,
            "flight": self.flight,
            "phase": self.phase,
            "rule": self.rule,
        }


@dataclass(frozen=True, slots=True)
class QueueEvent:
    """The bottleneck queue of `link` ("client->server" or "server->client", the one `side`
    sends into) holds `packets` waiting packets of `bytes` bytes (the one being serialized not
    counted), of at most `capacity`: recorded as a segment meets the queue, when the count
    differs from the one recorded last (between two records the queue only drains)."""

    time: float
    side: str
    link: str
    packets: int
    bytes: int
    capacity: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": "queue",
            "time": _t(self.time),
            "side": self.side,
            "link": self.link,
            "packets": self.packets,
            "bytes": self.bytes,
            "capacity": self.capacity,
        }


Event = (
    SendEvent
    | ArriveEvent
    | StateEvent
    | TimeoutEvent
    | UserEvent
    | ErrorEvent
    | CongestionEvent
    | QueueEvent
)
EVENT_TYPES: dict[str, type] = {
    "send": SendEvent,
    "arrive": ArriveEvent,
    "state": StateEvent,
    "timeout": TimeoutEvent,
    "user": UserEvent,
    "error": ErrorEvent,
    "congestion": CongestionEvent,
    "queue": QueueEvent,
}

_FLAG_BITS = (
    (0x100, "AE"),
    (0x80, "CWR"),
    (0x40, "ECE"),
    (0x20, "URG"),
    (0x10, "ACK"),
    (0x08, "PSH"),
    (0x04, "RST"),
    (0x02, "SYN"),
    (0x01, "FIN"),
)
_FLAG_ORDER = ("SYN", "FIN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "AE")


def flag_names(flags: int) -> tuple[str, ...]:
    """Flag names in the order people say them: SYN, FIN, RST, PSH, ACK, ..."""
    present = {name for bit, name in _FLAG_BITS if flags & bit}
    return tuple(name for name in _FLAG_ORDER if name in present)


def _send(e: tuple[Any, ...]) -> SendEvent:
    _, time, side, number, header, length, note, fate, arrival, dup, bit, dup_bit = e
    flags = int(header.flags)
    return SendEvent(
        time,
        side,
        number,
        segment_kind(flags, length),
        flag_names(flags),
        header.seq,
        header.ack,
        header.window,
        length,
        tuple(option_as_dict(o) for o in header.options),
        note,
        fate,
        arrival,
        dup,
        bit,
        dup_bit,
    )


def _state(e: tuple[Any, ...]) -> StateEvent:
    _, time, side, old, new, rule = e
    return StateEvent(time, side, old.value, new.value, rule)


_FROM_RECORDED = {
    "send": _send,
    "arrive": lambda e: ArriveEvent(*e[1:]),
    "state": _state,
    "timeout": lambda e: TimeoutEvent(*e[1:]),
    "user": lambda e: UserEvent(*e[1:]),
    "error": lambda e: ErrorEvent(*e[1:]),
    "congestion": lambda e: CongestionEvent(*e[1:]),
    "queue": lambda e: QueueEvent(*e[1:]),
}


def record(recorded: Any) -> Event:
    """The typed record of one trace entry: a record as it is, a compact entry made into one."""
    if recorded.__class__ in _RECORD_CLASSES:
        return recorded
    try:
        make = _FROM_RECORDED[recorded[0]]
    except KeyError:
        raise TypeError(f"unknown trace event kind {recorded[0]!r}") from None
    return make(recorded)


_RECORD_CLASSES = frozenset(EVENT_TYPES.values())

# The makers the emission sites use: every field in order (see netutil.layout.fast_constructor;
# a frozen dataclass's own __init__ sets each field through object.__setattr__).
make_arrive = fast_constructor(ArriveEvent)
make_state = fast_constructor(StateEvent)
make_timeout = fast_constructor(TimeoutEvent)
make_congestion = fast_constructor(CongestionEvent)
#: The record of a text event by its kind (`endpoint.TCB._note`).
TEXT_EVENTS = {
    "user": fast_constructor(UserEvent),
    "error": fast_constructor(ErrorEvent),
}
