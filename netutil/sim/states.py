"""TCP connection states and the transition table of RFC 9293, as data.

`State` names the eleven states of RFC 9293 section 3.3.2 (CLOSED being the fictional "no TCB").
`TRANSITIONS` lists every rule the simulator's `tcb` applies, each with the RFC section it comes
from; the endpoint records the rule id (U2, S11, T3, ...) on every state change it makes, so a
trace can be read beside this table and the table beside the RFC. `netutil tcp states` prints it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class State(enum.Enum):
    """RFC 9293 section 3.3.2 connection states; the value is the RFC's spelling."""

    CLOSED = "CLOSED"
    LISTEN = "LISTEN"
    SYN_SENT = "SYN-SENT"
    SYN_RECEIVED = "SYN-RECEIVED"
    ESTABLISHED = "ESTABLISHED"
    FIN_WAIT_1 = "FIN-WAIT-1"
    FIN_WAIT_2 = "FIN-WAIT-2"
    CLOSE_WAIT = "CLOSE-WAIT"
    CLOSING = "CLOSING"
    LAST_ACK = "LAST-ACK"
    TIME_WAIT = "TIME-WAIT"

    def __str__(self) -> str:
        return self.value


#: The states as plain names, for the endpoint's tests of its state on every segment.
CLOSED = State.CLOSED
LISTEN = State.LISTEN
SYN_SENT = State.SYN_SENT
SYN_RECEIVED = State.SYN_RECEIVED
ESTABLISHED = State.ESTABLISHED
FIN_WAIT_1 = State.FIN_WAIT_1
FIN_WAIT_2 = State.FIN_WAIT_2
CLOSE_WAIT = State.CLOSE_WAIT
CLOSING = State.CLOSING
LAST_ACK = State.LAST_ACK
TIMEWAIT = State.TIME_WAIT


#: States in which both sequence spaces are synchronized (RFC 9293 section 3.5.2).
SYNCHRONIZED = frozenset(
    {
        State.ESTABLISHED,
        State.FIN_WAIT_1,
        State.FIN_WAIT_2,
        State.CLOSE_WAIT,
        State.CLOSING,
        State.LAST_ACK,
        State.TIME_WAIT,
    }
)


class EventKind(enum.Enum):
    """What drives a transition (RFC 9293 section 3.10): a user call, a segment, a timeout."""

    USER = "user call"
    SEGMENT = "segment arrives"
    TIMEOUT = "timeout"


@dataclass(frozen=True, slots=True)
class Transition:
    """One rule: in `state`, on `event`, send `action` and move to `next_state`."""

    rule: str
    state: str
    kind: EventKind
    event: str
    action: str
    next_state: str
    section: str

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "state": self.state,
            "kind": self.kind.value,
            "event": self.event,
            "action": self.action,
            "next_state": self.next_state,
            "section": self.section,
        }


_U, _S, _T = EventKind.USER, EventKind.SEGMENT, EventKind.TIMEOUT

#: Every rule the endpoint follows. `state` may name several states ("FIN-WAIT-1/2"); `next_state`
#: "same" means no change (RFC 9293 section 3.10: "If no state change is mentioned, the TCP
#: connection stays in the same state").
TRANSITIONS: tuple[Transition, ...] = (
    # (a) user calls, RFC 9293 sections 3.10.1-3.10.5 and Figure 5
    Transition("U1", "CLOSED", _U, "passive OPEN", "create TCB", "LISTEN", "3.10.1"),
    Transition("U2", "CLOSED", _U, "active OPEN", "send SYN", "SYN-SENT", "3.10.1"),
    Transition("U3", "LISTEN", _U, "active OPEN / SEND", "send SYN", "SYN-SENT", "3.10.1, 3.10.2"),
    Transition("U4", "LISTEN", _U, "CLOSE", "delete TCB", "CLOSED", "3.10.4"),
    Transition("U5", "SYN-SENT", _U, "CLOSE", "delete TCB", "CLOSED", "3.10.4"),
    Transition("U6", "SYN-RECEIVED", _U, "CLOSE", "send FIN", "FIN-WAIT-1", "3.10.4"),
    Transition(
        "U7", "ESTABLISHED", _U, "CLOSE", "send FIN after queued data", "FIN-WAIT-1", "3.10.4"
    ),
    Transition("U8", "CLOSE-WAIT", _U, "CLOSE", "send FIN after queued data", "LAST-ACK", "3.10.4"),
    Transition("U11", "LISTEN, SYN-SENT", _U, "ABORT", "none", "CLOSED", "3.10.5"),
    Transition(
        "U12",
        "SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT",
        _U,
        "ABORT",
        "send RST",
        "CLOSED",
        "3.10.5",
    ),
    Transition("U13", "CLOSING, LAST-ACK, TIME-WAIT", _U, "ABORT", "none", "CLOSED", "3.10.5"),
    # (b) segment arrives, RFC 9293 section 3.10.7
    Transition(
        "S1",
        "CLOSED",
        _S,
        "segment without RST, ACK off (e.g. SYN, no listener)",
        "send RST,ACK <SEQ=0><ACK=SEG.SEQ+SEG.LEN>",
        "CLOSED",
        "3.10.7.1",
    ),
    Transition(
        "S2",
        "CLOSED",
        _S,
        "segment without RST, ACK on",
        "send RST <SEQ=SEG.ACK>",
        "CLOSED",
        "3.10.7.1",
    ),
    Transition("S3", "CLOSED", _S, "RST", "discard", "CLOSED", "3.10.7.1"),
    Transition("S4", "LISTEN", _S, "RST", "ignore", "same", "3.10.7.2"),
    Transition("S5", "LISTEN", _S, "ACK", "send RST <SEQ=SEG.ACK>", "same", "3.10.7.2"),
    Transition("S6", "LISTEN", _S, "SYN", "send SYN,ACK", "SYN-RECEIVED", "3.10.7.2"),
    Transition("S7", "LISTEN", _S, "other (no SYN, ACK, RST)", "drop", "same", "3.10.7.2"),
    Transition(
        "S8",
        "SYN-SENT",
        _S,
        "unacceptable ACK, no RST",
        "send RST <SEQ=SEG.ACK>",
        "same",
        "3.10.7.3",
    ),
    Transition(
        "S9", "SYN-SENT", _S, "RST with acceptable ACK", "connection refused", "CLOSED", "3.10.7.3"
    ),
    Transition("S10", "SYN-SENT", _S, "RST without acceptable ACK", "drop", "same", "3.10.7.3"),
    Transition(
        "S11", "SYN-SENT", _S, "SYN,ACK (acceptable ACK)", "send ACK", "ESTABLISHED", "3.10.7.3"
    ),
    Transition(
        "S12",
        "SYN-SENT",
        _S,
        "SYN (simultaneous open)",
        "send SYN,ACK",
        "SYN-RECEIVED",
        "3.10.7.3, Figure 7",
    ),
    Transition("S13", "SYN-SENT", _S, "neither SYN nor RST", "drop", "same", "3.10.7.3"),
    Transition(
        "S14",
        "SYN-RECEIVED and synchronized",
        _S,
        "unacceptable segment (incl. duplicate SYN, duplicate SYN,ACK)",
        "send ACK <SEQ=SND.NXT><ACK=RCV.NXT>",
        "same",
        "3.10.7.4 first",
    ),
    Transition(
        "S15",
        "SYN-RECEIVED (passive OPEN)",
        _S,
        "acceptable RST",
        "flush retransmission queue",
        "LISTEN",
        "3.10.7.4 second",
    ),
    Transition(
        "S16",
        "SYN-RECEIVED (active OPEN)",
        _S,
        "acceptable RST",
        "connection refused",
        "CLOSED",
        "3.10.7.4 second",
    ),
    Transition(
        "S17",
        "ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT",
        _S,
        "acceptable RST",
        "connection reset",
        "CLOSED",
        "3.10.7.4 second",
    ),
    Transition(
        "S18",
        "CLOSING, LAST-ACK, TIME-WAIT",
        _S,
        "acceptable RST",
        "delete TCB",
        "CLOSED",
        "3.10.7.4 second",
    ),
    Transition(
        "S19",
        "SYN-RECEIVED and synchronized",
        _S,
        "RST in window, SEQ != RCV.NXT",
        "send challenge ACK (RFC 5961)",
        "same",
        "3.10.7.4 second",
    ),
    Transition(
        "S20",
        "SYN-RECEIVED (passive OPEN)",
        _S,
        "in-window SYN",
        "none",
        "LISTEN",
        "3.10.7.4 fourth",
    ),
    Transition(
        "S21", "synchronized", _S, "SYN", "send challenge ACK (RFC 5961)", "same", "3.10.7.4 fourth"
    ),
    Transition(
        "S22", "SYN-RECEIVED and synchronized", _S, "ACK bit off", "drop", "same", "3.10.7.4 fifth"
    ),
    Transition(
        "S23",
        "SYN-RECEIVED",
        _S,
        "ACK of our SYN",
        "continue processing",
        "ESTABLISHED",
        "3.10.7.4 fifth",
    ),
    Transition(
        "S24",
        "SYN-RECEIVED",
        _S,
        "unacceptable ACK",
        "send RST <SEQ=SEG.ACK>",
        "same",
        "3.10.7.4 fifth",
    ),
    Transition(
        "S25",
        "ESTABLISHED, FIN-WAIT-1/2, CLOSE-WAIT, CLOSING",
        _S,
        "ACK of something not yet sent",
        "send ACK, drop",
        "same",
        "3.10.7.4 fifth",
    ),
    Transition("S26", "FIN-WAIT-1", _S, "ACK of our FIN", "none", "FIN-WAIT-2", "3.10.7.4 fifth"),
    Transition(
        "S27", "CLOSING", _S, "ACK of our FIN", "start 2MSL timer", "TIME-WAIT", "3.10.7.4 fifth"
    ),
    Transition("S28", "LAST-ACK", _S, "ACK of our FIN", "delete TCB", "CLOSED", "3.10.7.4 fifth"),
    Transition(
        "S29", "SYN-RECEIVED, ESTABLISHED", _S, "FIN", "send ACK", "CLOSE-WAIT", "3.10.7.4 eighth"
    ),
    Transition(
        "S30",
        "FIN-WAIT-1",
        _S,
        "FIN, our FIN acknowledged (the fifth check has moved to FIN-WAIT-2 first, so this "
        "shows as S26 then S32 at one instant)",
        "send ACK, start 2MSL timer",
        "TIME-WAIT",
        "3.10.7.4 eighth",
    ),
    Transition(
        "S31",
        "FIN-WAIT-1",
        _S,
        "FIN, our FIN not acknowledged (simultaneous close)",
        "send ACK",
        "CLOSING",
        "3.10.7.4 eighth, Figure 13",
    ),
    Transition(
        "S32", "FIN-WAIT-2", _S, "FIN", "send ACK, start 2MSL timer", "TIME-WAIT", "3.10.7.4 eighth"
    ),
    Transition(
        "S33",
        "CLOSE-WAIT, CLOSING, LAST-ACK",
        _S,
        "FIN (retransmitted)",
        "send ACK",
        "same",
        "3.10.7.4 eighth",
    ),
    Transition(
        "S34",
        "TIME-WAIT",
        _S,
        "retransmitted FIN",
        "send ACK, restart 2MSL timer",
        "same",
        "3.10.7.4 fifth, eighth",
    ),
    # (c) timeouts, RFC 9293 section 3.10.8 and 3.8.3; RFC 6298 section 5
    Transition(
        "T2",
        "SYN-SENT, SYN-RECEIVED, data and closing states",
        _T,
        "RETRANSMISSION",
        "resend the oldest unacknowledged segment, double RTO",
        "same",
        "3.10.8, RFC 6298 5.4-5.6",
    ),
    Transition("T3", "TIME-WAIT", _T, "TIME-WAIT (2MSL)", "delete TCB", "CLOSED", "3.10.8"),
    Transition(
        "T4",
        "SYN-SENT",
        _T,
        "RETRANSMISSION after tcp_syn_retries SYNs",
        "connection timed out",
        "CLOSED",
        "3.8.3",
    ),
    Transition(
        "T5",
        "SYN-RECEIVED (passive OPEN)",
        _T,
        "RETRANSMISSION after tcp_synack_retries SYN,ACKs",
        "drop the embryonic connection",
        "LISTEN",
        "3.8.3",
    ),
    Transition(
        "T6",
        "synchronized",
        _T,
        "RETRANSMISSION after tcp_retries2 retransmissions",
        "connection timed out",
        "CLOSED",
        "3.8.3",
    ),
    Transition(
        "T7", "synchronized", _T, "PERSIST (zero window)", "send a window probe", "same", "3.8.6.1"
    ),
)

RULES: dict[str, Transition] = {t.rule: t for t in TRANSITIONS}

#: Rule ids of the full list of RFC 9293's events (section 3.10) that TRANSITIONS leaves out,
#: and why: they change no state, or never happen in the simulator. They explain the gaps in
#: the rule numbers (U9, U10, T1) and the ends of the lists (U14, S35).
NOT_TRANSITIONS: dict[str, str] = {
    "U9": "CLOSE in FIN-WAIT-1 or FIN-WAIT-2 is refused with 'error: connection closing' "
    "(3.10.4); the state stays",
    "U10": "CLOSE in CLOSING, LAST-ACK or TIME-WAIT is refused with 'error: connection "
    "closing' (3.10.4); the state stays",
    "U14": "OPEN on an existing connection is refused with 'error: connection already exists' "
    "(3.10.1); the state stays",
    "S35": "a FIN in CLOSED, LISTEN or SYN-SENT is dropped, since SEG.SEQ cannot be validated "
    "(3.10.7.4 eighth); the state stays",
    "T1": "the USER TIMEOUT (3.10.8) is not simulated: a run ends at the retransmission limits "
    "instead (T4 to T6)",
}


@dataclass(frozen=True, slots=True)
class TransitionTable:
    """The whole table as one result (what `netutil tcp states` shows)."""

    states: tuple[State, ...]
    transitions: tuple[Transition, ...]

    def as_dict(self) -> dict[str, object]:
        return {
            "states": [s.value for s in self.states],
            "transitions": [t.as_dict() for t in self.transitions],
        }


#: The rules that end a connection by a reset, received (S9 refused in SYN-SENT, S15 and S16 in
#: SYN-RECEIVED, S17 in a synchronized state: RFC 9293 section 3.10.7) or sent by ABORT (U12,
#: section 3.10.5); the other rules that end one with an error are timeouts (T4 to T6). A run's
#: outcome is "reset" or "failed" by this table, never by the error's wording.
RESET_RULES = frozenset({"S9", "S15", "S16", "S17", "U12"})


def transition_table() -> TransitionTable:
    """The eleven states and every rule the simulator follows."""
    return TransitionTable(tuple(State), TRANSITIONS)
