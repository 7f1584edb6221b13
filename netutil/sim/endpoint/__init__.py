"""One endpoint's TCP: the RFC 9293 state machine, driven only by its user's calls, the segments
that arrive and its own timers.

The code follows RFC 9293 section 3.10 ("Event Processing") in order and in its names, so it can
be read beside the RFC: `open`, `send`, `receive`, `close`, `abort` are the user calls of
sections 3.10.1-3.10.5; `segment_arrives` is section 3.10.7 with its CLOSED, LISTEN, SYN-SENT and
"other states" branches, the last one the RFC's first to eighth checks as one method each; the
timeouts are section 3.10.8. Every state change records the rule id of `states.TRANSITIONS`.
What the RFC leaves to policy sits beside it: the sender's congestion control and loss recovery
(`sender.SenderPolicy`), the receiver's ACKs, window and reassembly (`receiver.ReceiverPolicy`),
RFC 6298's estimator (`rto.RtoEstimator`), the named timers (`timers.Timers`); the settings
shared by every connection of a scenario are `tcb.TCBParameters`, the segments' headers are
formed in `segments`.

Choices where the RFC leaves room (README "TCP connection simulator" lists them too):

* Sequence numbers are kept unwrapped (plain integers that keep growing past 2**32) and are
  reduced mod 2**32 only in headers; an arriving number is unwrapped to the value nearest the
  one expected, so comparisons are ordinary integer comparisons (RFC 9293 section 3.4).
* Every segment that carries data or a FIN is acknowledged at once, unless the receiver policy
  delays the ACK (`receiver.DelayedAck`: every second full-sized segment or the delayed-ACK
  timer, RFC 9293 section 3.8.6.3).
* Loss recovery: RFC 6298 retransmission timer (initial RTO 1 s, minimum 1 s, maximum 120 s as
  Linux's TCP_RTO_MAX, clock granularity 1 ms, Karn's rule: only segments sent once are timed),
  plus fast retransmit on the third duplicate ACK (RFC 5681 section 3.2) and, until everything
  sent before the loss is acknowledged, a retransmission on each partial ACK (RFC 6582). There is
  no congestion window: the sender is limited by the receiver's window alone (flow control).
* Retries: a SYN is retransmitted `syn_retries` times and a SYN,ACK `synack_retries` times
  (Linux: 6 and 5); data and FIN 15 times (Linux's tcp_retries2). One more expiry fails the
  connection (a SYN-RECEIVED from a passive OPEN goes back to LISTEN instead, as Linux drops
  the request and keeps the listener).
* A duplicate SYN in SYN-RECEIVED fails the acceptability test, so by the text of section
  3.10.7.4 it is answered with an ACK (`dup_syn="ack"`, the default); `dup_syn="syn-ack"` does
  what Linux does instead (tcp_check_req: re-send the SYN,ACK, at most one per 500 ms, and
  re-arm its timer).
* Simultaneous open: a SYN,ACK arriving in SYN-RECEIVED whose SYN is the one already received
  has that old SYN trimmed ("only the new parts are processed") and is taken as the ACK, as
  RFC 9293 Figure 7 shows and Linux does; a strict reading of the acceptability test would drop
  it and cost an extra round of ACKs.
* Zero window: the persist timer starts at one RTO and doubles up to 120 s. Each probe is, by
  default, one octet of new data at SND.NXT (RFC 9293 section 3.8.6.1; Wireshark calls it a
  ZeroWindowProbe): the receiver answers with its window, and keeps the octet if its window has
  opened meanwhile (a lost window update), so SND.NXT moves past it only when an ACK covers it.
  `zero_window_probe="linux"` sends Linux's probe instead (tcp_xmit_probe_skb: a zero-length ACK
  with SEQ = SND.UNA - 1, which fails the acceptability test and so draws an ACK; Wireshark
  shows it as a keep-alive); the RFC's probe does the same when only a FIN is left to send.
  Probing never gives up while probes are answered (MUST-37).
* The receiver's window is its buffer minus the bytes its application has not read yet; it moves
  its right edge only by at least min(buffer / 2, MSS) (receiver SWS avoidance, section
  3.8.6.2.2); the sender sends a short segment only when it is the last data, half the largest
  window seen, or nothing else is in flight (sender SWS avoidance, section 3.8.6.2.1).
* Options on SYNs: MSS, SACK-permitted, Timestamps, NOP, Window scale (Linux's order); once both
  SYNs carry Timestamps every segment carries them (RFC 7323), but they are not used for RTT
  measurement or PAWS. SACK-permitted is offered, but no SACK blocks are sent.

The endpoint is one class, `TCB`, whose methods sit in modules named for what they hold, in the
RFC's order: `user_calls` (OPEN, SEND, RECEIVE, CLOSE, ABORT: sections 3.10.1-3.10.5), this
module's `segment_arrives` (section 3.10.7's dispatch by state), `opening` (CLOSED, LISTEN and
SYN-SENT: sections 3.10.7.1-3.10.7.3, with the SYN this end sends and the options it takes from
the peer's), `checks` (section 3.10.7.4's checks, first to eighth, one method each),
`receiving` (text delivered in sequence, reassembly), `sending` (data and FIN as the windows
allow, new and duplicate ACKs, retransmission and persist timeouts), `headers` (the segments it
forms) and `closing` (the peer's FIN, TIME-WAIT, CLOSED or back to LISTEN). Each module holds
one part of the class (a base with no state of its own); `TCB` composes them and holds all the
state in its slots, so a method in one part calls one in another as plain `self._method()`.
(Parts, not separate objects each holding a piece of the state: the RFC's rules read and write
one TCB's variables across every part, and an object per part would add a reference to follow
for every variable on every segment.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netutil.sim.endpoint.checks import SegmentChecks
from netutil.sim.endpoint.closing import Closing
from netutil.sim.endpoint.headers import Headers
from netutil.sim.endpoint.opening import Opening
from netutil.sim.endpoint.receiving import Receiving
from netutil.sim.endpoint.sending import Sending
from netutil.sim.endpoint.user_calls import ConnectionError_, UserCalls
from netutil.sim.rto import RtoEstimator
from netutil.sim.segments import DEFAULT_MSS
from netutil.sim.states import CLOSED, LISTEN, SYN_SENT, State
from netutil.sim.timers import (
    DELAYED_ACK,
    PERSIST,
    RETRANSMISSION,
    TIME_WAIT,
    Timers,
    dispatch_table,
)
from netutil.sim.trace import TEXT_EVENTS, make_arrive, make_congestion, make_state

if TYPE_CHECKING:
    from netutil.segment import TCPHeader
    from netutil.sim.engine import Engine
    from netutil.sim.network import Network
    from netutil.sim.receiver import ReceiverPolicy
    from netutil.sim.sender import SenderPolicy
    from netutil.sim.tcb import TCBParameters

__all__ = ["TCB", "ConnectionError_"]


class TCB(UserCalls, Opening, SegmentChecks, Receiving, Sending, Headers, Closing):
    """One endpoint: its transmission control block and the RFC 9293 event processing.

    `app` is the endpoint's application (see `run`): the TCB tells it, each time through its own
    engine event, that the connection is established (`on_established`), that data can be read
    (`on_data`), that the peer has closed (`on_eof`) and that the connection is gone
    (`on_closed`). `events` is the run's trace, the one sink its records go to (`trace`: the
    endpoint appends typed records, the network compact send entries). With `events` None, the
    null sink, nothing is built or recorded (Monte Carlo reads only the summary): the same
    state machine runs, it just writes no trace.
    """

    __slots__ = (
        "_ack_now",
        "_ack_owed",
        "_app_data_pending",
        "_last_oow",
        "_ts_at",
        "_ts_options",
        "app",
        "close_called_at",
        "data_end",
        "engine",
        "error",
        "error_in_listen",
        "error_in_listen_rule",
        "error_rule",
        "established_at",
        "events",
        "fin_queued",
        "fin_received",
        "fin_sent",
        "fin_seq",
        "finished_at",
        "ip",
        "irs",
        "isn",
        "isn_first",
        "iss",
        "last_change",
        "max_snd_wnd",
        "name",
        "network",
        "params",
        "passive",
        "peer",
        "peer_fin_seq",
        "persist_backoff",
        "port",
        "rcv_adv",
        "rcv_buf",
        "rcv_nxt",
        "rcv_wscale",
        "receiver",
        "remote_port",
        "retransmissions",
        "retries",
        "rtt",
        "rtt_seq",
        "rtt_time",
        "sack_ok",
        "send_data",
        "sender",
        "snd_mss",
        "snd_nxt",
        "snd_una",
        "snd_wl1",
        "snd_wl2",
        "snd_wnd",
        "snd_wscale",
        "state",
        "syn_timed_out",
        "timers",
        "ts_offset",
        "ts_ok",
        "ts_recent",
        "unread",
    )

    def __init__(
        self,
        name: str,
        engine: Engine,
        network: Network,
        events: list[Any] | None,
        ip: str,
        port: int,
        remote_port: int,
        isn: int,
        ts_offset: int,
        params: TCBParameters,
    ) -> None:
        """An endpoint in CLOSED named `name` ("client", "server"), at `ip`:`port` talking to
        `remote_port`, with initial sequence number `isn`, timestamp clock offset `ts_offset`
        and the scenario's shared settings `params` (`tcb.tcb_parameters`)."""
        self.name = name
        self.engine = engine
        self.network = network
        self.events = events
        self.app: Any = None
        self.peer: Any = None
        self.ip = ip
        self.port = port
        self.remote_port = remote_port
        self.isn = isn
        self.isn_first = isn  # the ISN of the first connection (a later one may differ)
        self.ts_offset = ts_offset
        self.params = params
        self.rcv_buf = params.rcv_buf
        self.state = CLOSED
        self.passive = False
        self.timers = Timers(engine, self, _TIMEOUTS)
        self.send_data = b""
        self.retransmissions = 0
        self.established_at: float | None = None
        self.close_called_at: float | None = None
        self.finished_at: float | None = None
        self.last_change = 0.0
        self.error: str | None = None
        self.error_rule: str | None = None  # the rule (states.TRANSITIONS) that ended it so
        # why a passive end last went back to LISTEN (RFC 9293 3.10.7.4, 3.10.8): its peer may
        # still hold the connection it gave up, half-open (3.5.1)
        self.error_in_listen: str | None = None
        self.error_in_listen_rule: str | None = None
        self._last_oow = -1.0
        self._reset_tcb()

    # the settings, as attributes of the TCB too
    mss = property(lambda self: self.params.mss, doc="The MSS this end announces.")
    msl = property(lambda self: self.params.msl, doc="Maximum Segment Lifetime (seconds).")
    syn_retries = property(lambda self: self.params.syn_retries)
    synack_retries = property(lambda self: self.params.synack_retries)
    dup_syn = property(lambda self: self.params.dup_syn)
    ws_shift = property(lambda self: self.params.ws_shift)
    # RFC 6298's variables, as the RFC names them
    rto = property(lambda self: self.rtt.rto, doc="RTO (seconds), RFC 6298.")
    srtt = property(lambda self: self.rtt.srtt, doc="SRTT (seconds), RFC 6298.")
    rttvar = property(lambda self: self.rtt.rttvar, doc="RTTVAR (seconds), RFC 6298.")

    def _reset_tcb(self) -> None:
        """Forget the connection (a fresh TCB, as after CLOSED or back to LISTEN)."""
        self.iss = self.isn
        self.irs: int | None = None
        self.snd_una = self.snd_nxt = self.iss
        self.snd_wnd = self.max_snd_wnd = 0
        self.snd_wl1 = self.snd_wl2 = 0
        self.snd_mss = DEFAULT_MSS
        self.snd_wscale = self.rcv_wscale = 0
        self.ts_ok = False
        self.ts_recent = 0
        self._ts_at = -1.0  # no timestamp options made yet (see _transmit)
        self._ts_options: tuple[Any, ...] = ()
        self.rcv_nxt = self.rcv_adv = 0
        self.unread = bytearray()
        self.receiver: ReceiverPolicy | None = None  # made by the SYN exchange (_syn_options)
        self.peer_fin_seq: int | None = None
        self.fin_received = False
        self.data_end = self.iss + 1 + len(self.send_data)
        self.fin_queued = self.fin_sent = False
        self.fin_seq = 0
        self.rtt = RtoEstimator()
        self.rtt_seq: int | None = None
        self.rtt_time = 0.0
        self.retries = 0
        self.syn_timed_out = False
        self.sender: SenderPolicy | None = None  # made by the SYN exchange (_syn_options)
        self.sack_ok = False  # both SYNs offered SACK-permitted, and the sender uses SACK
        self.persist_backoff = 0
        self._ack_now = False
        self._ack_owed = False  # the delayed-ACK timer runs for text not yet acknowledged
        self._app_data_pending = False

    def detach(self) -> None:
        """Drop the links that make reference cycles (peer, application, timers) once the run
        is over and only its numbers are wanted: the run's objects are then freed at once by
        reference counting, not by the cyclic garbage collector."""
        self.peer = self.app = self.timers = None

    def _set_state(self, new: State, rule: str) -> None:
        """Change state, recording the rule in the trace. (The times the summary reports are
        noted where their states are entered: ESTABLISHED in `_begin_data`, TIME-WAIT in
        `_enter_time_wait`, CLOSED in `_delete_tcb`; not tested at every change.)"""
        if self.events is not None:
            self.events.append(
                make_state(self.engine.now, self.name, self.state._value_, new._value_, rule)
            )
        self.state = new
        self.last_change = self.engine.now

    def _note(self, kind: str, text: str) -> None:
        events = self.events
        if events is not None:
            events.append(TEXT_EVENTS[kind](self.engine.now, self.name, text))

    def _congestion_note(
        self, cwnd: int, ssthresh: int | None, flight: int, phase: str, rule: str | None
    ) -> None:
        """The sender policy's report of its congestion state (see `sender.SenderPolicy`)."""
        self.events.append(
            make_congestion(self.engine.now, self.name, cwnd, ssthresh, flight, phase, rule)
        )

    def _notify(self, method: str, args: tuple[Any, ...] = ()) -> None:
        """Tell the application, as its own event at the current time (it runs after the TCP
        has finished with the segment, as a process would)."""
        app = self.app
        if app is not None:
            engine = self.engine
            engine.call_at(engine.now, getattr(app, method), args)

    def packet_arrives(self, data: bytes, number: int, copy: int) -> None:
        """A segment as bytes (a corrupted copy): verify its checksum before anything else."""
        from netutil.segment import parse

        try:
            parsed = parse(data, self.peer.ip, self.ip)
        except ValueError:
            result = "malformed"
        else:
            if _checksum_good(parsed):
                self.segment_arrives(parsed.header, parsed.payload, number, copy)
                return
            result = "bad checksum"
        if self.events is not None:
            self.events.append(make_arrive(self.engine.now, self.name, number, copy, result))

    def segment_arrives(self, header: TCPHeader, payload: bytes, number: int, copy: int) -> None:
        """SEGMENT ARRIVES (section 3.10.7) for a segment whose checksum is good: CLOSED,
        LISTEN and SYN-SENT have their own rules (`opening`), every other state the checks of
        section 3.10.7.4 (`checks`). The trace has the arrival first, then what it causes; its
        result when known."""
        state = self.state
        if state is CLOSED:
            arrives = self._closed_arrives
        elif state is LISTEN:
            arrives = self._listen_arrives
        elif state is SYN_SENT:
            arrives = self._syn_sent_arrives
        else:
            arrives = self._other_arrives
        events = self.events
        if events is None:
            arrives(header, payload)
            return
        # the arrival's place is kept (None) before what it causes; its record, with the
        # result, takes it when that is known, before the engine's step ends
        at = len(events)
        events.append(None)
        result = arrives(header, payload)
        events[at] = make_arrive(self.engine.now, self.name, number, copy, result)


# The timers' dispatch table (section 3.10.8): one handler per named timer, checked when made.
_TIMEOUTS = dispatch_table(
    {
        RETRANSMISSION: TCB._retransmission_timeout,
        PERSIST: TCB._persist_timeout,
        TIME_WAIT: TCB._time_wait_timeout,
        DELAYED_ACK: TCB._delayed_ack_timeout,
    }
)


def _checksum_good(parsed: Any) -> bool:
    """Whether a parsed segment's checksum verified (see netutil.segment.parse)."""
    status = getattr(parsed, "checksum_ok", None)
    if status is None:
        status = getattr(parsed, "checksum_status", None)
        return str(getattr(status, "value", status)).lower() == "good"
    return bool(status)
