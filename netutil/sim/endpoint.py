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
* Every segment that carries data or a FIN is acknowledged at once (no delayed ACK).
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
* Zero window: the persist timer starts at one RTO and doubles up to 120 s; each probe is a
  zero-length ACK with SEQ = SND.UNA - 1 (Linux's tcp_write_wakeup), which the receiver must
  answer with its current window (the probe fails the acceptability test). Probing never gives up
  while probes are answered (MUST-37).
* The receiver's window is its buffer minus the bytes its application has not read yet; it moves
  its right edge only by at least min(buffer / 2, MSS) (receiver SWS avoidance, section
  3.8.6.2.2); the sender sends a short segment only when it is the last data, half the largest
  window seen, or nothing else is in flight (sender SWS avoidance, section 3.8.6.2.1).
* Options on SYNs: MSS, SACK-permitted, Timestamps, NOP, Window scale (Linux's order); once both
  SYNs carry Timestamps every segment carries them (RFC 7323), but they are not used for RTT
  measurement or PAWS. SACK-permitted is offered, but no SACK blocks are sent.
"""

from __future__ import annotations

from math import trunc  # int() of a float, without the cost of calling the int type
from typing import TYPE_CHECKING, Any

from netutil.segment import TCPHeader
from netutil.sim.rto import RTO_MAX, RtoEstimator
from netutil.sim.segments import (
    CONTROL_BITS,
    F_ACK,
    F_FIN_ACK,
    F_FIN_PSH_ACK,
    F_PSH_ACK,
    F_RST,
    F_RST_ACK,
    F_SYN,
    F_SYN_ACK,
    HALF,
    MASK,
    NOP_OPTION,
    SACK_PERMITTED,
    header,
    make_timestamps,
    peer_syn_options,
)
from netutil.sim.states import State
from netutil.sim.tcb import (
    DEFAULT_MSS,
    OOW_RATE_LIMIT,
    RETRIES2,
    TCBParameters,
    tcb_parameters,
)
from netutil.sim.timers import PERSIST, RETRANSMISSION, TIME_WAIT, Timers, dispatch_table

if TYPE_CHECKING:
    from netutil.sim.engine import Engine
    from netutil.sim.network import Network
    from netutil.sim.receiver import ReceiverPolicy
    from netutil.sim.sender import SenderPolicy

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

# States in which queued data and the FIN may be sent.
# (Tuples, not sets: `in` on a tuple compares identity first, while a set would call the
# Enum's Python-level __hash__; a miss still costs a comparison per member.)
# CLOSING is one: a CLOSE queues the FIN behind unsent data, and the peer's FIN may arrive
# (FIN-WAIT-1 -> CLOSING) before that data has gone out.
_SEND_STATES = (ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, LAST_ACK, CLOSING)
# States in which arriving text is delivered (section 3.10.7.4 seventh).
_RECEIVE_STATES = (ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2)


class ConnectionError_(Exception):
    """A user call the RFC answers with an error ("connection already exists", ...)."""


class TCB:
    """One endpoint: its transmission control block and the RFC 9293 event processing.

    `app` is the endpoint's application (see `run`): the TCB tells it, each time through its own
    engine event, that the connection is established (`on_established`), that data can be read
    (`on_data`), that the peer has closed (`on_eof`) and that the connection is gone
    (`on_closed`). `events` is the run's trace; entries are tuples (see `run.Trace`). With
    `events` None nothing is recorded (Monte Carlo reads only the summary): the same state
    machine runs, it just writes no trace.
    """

    __slots__ = (
        "_ack_now",
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
        *,
        ip: str,
        port: int,
        remote_port: int,
        isn: int,
        ts_offset: int,
        mss: int = 1460,
        rcv_buf: int = 65535,
        msl: float = 120.0,
        syn_retries: int = 6,
        synack_retries: int = 5,
        dup_syn: str = "ack",
        sender: type[SenderPolicy] | None = None,
        receiver: type[ReceiverPolicy] | None = None,
    ) -> None:
        params = tcb_parameters(mss, rcv_buf, msl, syn_retries, synack_retries, dup_syn)
        if sender is not None or receiver is not None:
            params = params.with_policies(sender, receiver)
        self._setup(name, engine, network, events, ip, port, remote_port, isn, ts_offset, params)

    def _setup(
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
        # why a passive end last went back to LISTEN (RFC 9293 3.10.7.4, 3.10.8): its peer may
        # still hold the connection it gave up, half-open (3.5.1)
        self.error_in_listen: str | None = None
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
        self.persist_backoff = 0
        self._ack_now = False
        self._app_data_pending = False

    def detach(self) -> None:
        """Drop the links that make reference cycles (peer, application, timers) once the run
        is over and only its numbers are wanted: the run's objects are then freed at once by
        reference counting, not by the cyclic garbage collector."""
        self.peer = self.app = self.timers = None

    # ------------------------------------------------------------------ trace helpers

    def _set_state(self, new: State, rule: str) -> None:
        """Change state, recording the rule in the trace. (The times the summary reports are
        noted where their states are entered: ESTABLISHED in `_begin_data`, TIME-WAIT in
        `_enter_time_wait`, CLOSED in `_delete_tcb`; not tested at every change.)"""
        if self.events is not None:
            self.events.append(("state", self.engine.now, self.name, self.state, new, rule))
        self.state = new
        self.last_change = self.engine.now

    def _note(self, kind: str, text: str) -> None:
        events = self.events
        if events is not None:
            events.append((kind, self.engine.now, self.name, text))

    def _congestion_note(self, text: str) -> None:
        """The sender policy's report of a congestion state change (see `sender`)."""
        self._note("congestion", text)

    def _notify(self, method: str, args: tuple[Any, ...] = ()) -> None:
        """Tell the application, as its own event at the current time (it runs after the TCP
        has finished with the segment, as a process would)."""
        app = self.app
        if app is not None:
            engine = self.engine
            engine.call_at(engine.now, getattr(app, method), args)

    # ------------------------------------------------------------------ user calls (3.10.1-5)

    def open(self, active: bool) -> None:
        """OPEN call (section 3.10.1): passive -> LISTEN (U1); active -> send SYN (U2/U3)."""
        state = self.state
        if state is not CLOSED and not (active and state is LISTEN):
            raise ConnectionError_("error: connection already exists")
        if self.events is not None:
            self._note("user", "OPEN (active)" if active else "OPEN (passive)")
        if not active:
            self.passive = True
            self._set_state(LISTEN, "U1")
            return
        rule = "U3" if state is LISTEN else "U2"
        self.passive = False
        if state is LISTEN:
            self._reset_tcb()
            self.timers.stop_all()
        self.snd_nxt = self.iss + 1
        self._set_state(SYN_SENT, rule)
        self._send_syn(F_SYN)
        self.rtt_seq, self.rtt_time = self.snd_nxt, self.engine.now
        self.timers.start(RETRANSMISSION, self.rtt.rto)

    def send(self, data: bytes) -> None:
        """SEND call (section 3.10.2): queue `data`; it goes out when the window allows."""
        if self.state is CLOSED:
            raise ConnectionError_("error: connection does not exist")
        if self.fin_queued:
            raise ConnectionError_("error: connection closing")
        self.send_data += data
        self.data_end = self.iss + 1 + len(self.send_data)
        if self.events is not None:
            self._note("user", f"SEND {len(data)} bytes")
        if self.state in _SEND_STATES:
            self._output()

    def receive(self, limit: int) -> bytes:
        """RECEIVE call (section 3.10.3): take up to `limit` bytes the application has not read.

        Freeing buffer space may open the window; if the receiver policy finds it opened enough
        to matter, a window update is sent.
        """
        unread = self.unread
        chunk = bytes(unread[:limit])
        del unread[:limit]
        self._app_data_pending = False
        if (
            chunk
            and self.state in _RECEIVE_STATES
            and self.receiver.window_update(self.rcv_nxt, self.rcv_adv, len(unread))
        ):
            self._send_ack("window update")
        return chunk

    def close(self) -> None:
        """CLOSE call (section 3.10.4)."""
        state = self.state
        if self.close_called_at is None:
            self.close_called_at = self.engine.now
        if self.events is not None:
            self._note("user", "CLOSE")
        if state is LISTEN:
            self._delete_tcb("U4")
        elif state is SYN_SENT:
            self._delete_tcb("U5")
        elif state is SYN_RECEIVED:
            self.fin_queued = True
            self._set_state(FIN_WAIT_1, "U6")
            self._output()
        elif state is ESTABLISHED:
            self.fin_queued = True
            self._set_state(FIN_WAIT_1, "U7")
            self._output()
        elif state is CLOSE_WAIT:
            self.fin_queued = True
            self._set_state(LAST_ACK, "U8")
            self._output()
        elif state is CLOSED:
            raise ConnectionError_("error: connection does not exist")
        else:
            raise ConnectionError_("error: connection closing")

    def abort(self) -> None:
        """ABORT call (section 3.10.5)."""
        state = self.state
        self._note("user", "ABORT")
        if state is LISTEN or state is SYN_SENT:
            self._delete_tcb("U11")
        elif state in (SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT):
            self._send_reset()
            self._delete_tcb("U12", "connection reset (aborted by the user)")
        elif state in (CLOSING, LAST_ACK, TIMEWAIT):
            self._delete_tcb("U13")
        else:
            raise ConnectionError_("error: connection does not exist")

    def _delete_tcb(self, rule: str, error: str | None = None) -> None:
        if error is not None:
            self.error = error
            self._note("error", error)
        self._set_state(CLOSED, rule)
        if self.finished_at is None and self.close_called_at is not None:
            self.finished_at = self.engine.now  # done with a close the user asked for
        self.timers.stop_all()
        self._notify("on_closed", (error,))

    # ------------------------------------------------------------------ segment arrives (3.10.7)

    def packet_arrives(self, data: bytes, number: int, copy: int) -> None:
        """A segment as bytes (a corrupted copy): verify its checksum before anything else."""
        from netutil.segment import parse

        record = ["arrive", self.engine.now, self.name, number, copy, ""]
        if self.events is not None:
            self.events.append(record)
        try:
            parsed = parse(data, self.peer.ip, self.ip)
        except ValueError:
            record[5] = "malformed"
            return
        if not _checksum_good(parsed):
            record[5] = "bad checksum"
            return
        record[5] = self._segment(parsed.header, parsed.payload)

    def segment_arrives(self, header: TCPHeader, payload: bytes, number: int, copy: int) -> None:
        """SEGMENT ARRIVES (section 3.10.7) for a segment whose checksum is good."""
        events = self.events
        if events is not None:
            # the arrival first in the trace, then what it causes; its result when known
            record = ["arrive", self.engine.now, self.name, number, copy, ""]
            events.append(record)
            record[5] = self._segment(header, payload)
            return
        self._segment(header, payload)

    def _segment(self, h: TCPHeader, payload: bytes) -> str:
        state = self.state
        if state is CLOSED:
            return self._closed_arrives(h, payload)
        if state is LISTEN:
            return self._listen_arrives(h, payload)
        if state is SYN_SENT:
            return self._syn_sent_arrives(h, payload)
        return self._other_arrives(h, payload)

    def _closed_arrives(self, h: TCPHeader, payload: bytes) -> str:
        """Section 3.10.7.1: no TCB. Anything but a RST is answered with a RST (S1, S2)."""
        syn, fin, rst, ack = CONTROL_BITS[h.flags + 0]
        if rst:
            return "discarded"  # S3
        if ack:
            self._reply_rst(h, F_RST, h.ack, 0, "S2")
        else:
            seg_len = len(payload) + syn + fin
            self._reply_rst(h, F_RST_ACK, 0, (h.seq + seg_len) & MASK, "S1")
        return "reset sent"

    def _listen_arrives(self, h: TCPHeader, payload: bytes) -> str:
        """Section 3.10.7.2."""
        syn, _, rst, ack = CONTROL_BITS[h.flags + 0]
        # first: check for a RST (S4)
        if rst:
            return "ignored"
        # second: check for an ACK (S5)
        if ack:
            self._reply_rst(h, F_RST, h.ack, 0, "S5")
            return "reset sent"
        # third: check for a SYN (S6)
        if syn:
            self.irs = h.seq
            self.rcv_nxt = h.seq + 1
            self._syn_options(h)
            self.rcv_adv = self.rcv_nxt + self.params.syn_window
            self.snd_wnd = self.max_snd_wnd = h.window  # a SYN's window is never scaled
            self.snd_wl1 = self.rcv_nxt - 1
            self.snd_una = self.iss
            self.snd_nxt = self.iss + 1
            self._set_state(SYN_RECEIVED, "S6")
            self._send_syn(F_SYN_ACK)
            self.rtt_seq, self.rtt_time = self.snd_nxt, self.engine.now
            self.timers.start(RETRANSMISSION, self.rtt.rto)
            return "accepted"
        # fourth: other text or control (S7)
        return "dropped"

    def _syn_sent_arrives(self, h: TCPHeader, payload: bytes) -> str:
        """Section 3.10.7.3."""
        syn, _, rst, ack = CONTROL_BITS[h.flags + 0]
        seg_ack = 0
        # first: check the ACK bit
        if ack:
            seg_ack = self.snd_nxt + ((h.ack - self.snd_nxt + HALF) & MASK) - HALF
            if seg_ack <= self.iss or seg_ack > self.snd_nxt:
                if rst:
                    return "dropped"
                self._reply_rst(h, F_RST, h.ack, 0, "S8")
                return "reset sent"
        # second: check the RST bit
        if rst:
            if ack:  # the ACK was acceptable (checked above)
                self._delete_tcb("S9", "connection refused (RST received in SYN-SENT)")
                return "reset"
            return "dropped"  # S10
        # third: security (not modelled). fourth: check the SYN bit
        if syn:
            self.irs = h.seq
            self.rcv_nxt = h.seq + 1
            self._syn_options(h)
            self.rcv_adv = self.rcv_nxt + self.params.syn_window
            if ack:
                self.snd_una = seg_ack
            now = self.engine.now
            if self.snd_una > self.iss:
                # S11: our SYN has been ACKed
                self.snd_wnd = self.max_snd_wnd = h.window
                self.snd_wl1, self.snd_wl2 = self.rcv_nxt - 1, seg_ack
                self.timers.deadline[RETRANSMISSION] = None
                self.retries = 0
                if self.rtt_seq is not None and seg_ack >= self.rtt_seq:
                    self.rtt.sample(now - self.rtt_time)
                self.rtt_seq = None
                self._set_state(ESTABLISHED, "S11")
                self._begin_data()
                self._transmit(F_ACK, self.snd_nxt, b"", None)  # the ACK of the SYN,ACK
                self._notify("on_established")
                self._output()
                return "accepted"
            # S12: simultaneous open
            self.snd_wnd = self.max_snd_wnd = h.window
            self.snd_wl1 = self.rcv_nxt - 1
            self._set_state(SYN_RECEIVED, "S12")
            self._send_syn(F_SYN_ACK)
            return "accepted"
        # fifth: neither SYN nor RST (S13)
        return "dropped"

    def _other_arrives(self, h: TCPHeader, payload: bytes) -> str:
        """Section 3.10.7.4: SYN-RECEIVED and the synchronized states, the RFC's checks in order.

        Each check returns the arrival's result when it ends the processing of the segment.
        """
        syn, fin, rst, ack = CONTROL_BITS[h.flags + 0]
        # first: check sequence number (and trim the segment to the window)
        checked = self._check_sequence(h, payload, syn, fin, rst, ack)
        if checked.__class__ is str:
            return checked
        seq, seg_len, syn, fin, payload = checked
        # second: check the RST bit
        if rst:
            return self._check_rst(seq)
        # third: security (not modelled). fourth: check the SYN bit
        if syn:
            return self._check_syn()
        # fifth: check the ACK field
        if not ack:
            return "dropped"  # S22
        done = self._check_ack(h, seq, seg_len)
        if done is not None:
            return done
        # sixth: URG (not modelled). seventh: process the segment text
        result = self._process_text(seq, payload, fin) if payload or fin else "accepted"
        # eighth: check the FIN bit
        if self.peer_fin_seq is not None and self.peer_fin_seq == self.rcv_nxt:
            self._fin_arrives()
        self._output()
        return result

    def _check_sequence(
        self, h: TCPHeader, payload: bytes, syn: int, fin: int, rst: int, ack: int
    ) -> tuple[int, int, int, int, bytes] | str:
        """First check: the acceptability test (Table 6) and the trim to the window.

        Returns the segment as it is processed further (SEG.SEQ, SEG.LEN before the trim, SYN,
        FIN, text) or, for an unacceptable segment, the result (S14 ACK, S34 TIME-WAIT restart,
        or Linux's duplicate-SYN reply).
        """
        rcv_nxt = self.rcv_nxt
        seq = rcv_nxt + ((h.seq - rcv_nxt + HALF) & MASK) - HALF
        plen = len(payload)
        seg_len = plen + syn + fin
        wnd = self.rcv_adv - rcv_nxt
        # A segment that starts at RCV.NXT, the common case, passes every row of the table but
        # one: data into a zero window.
        if seq == rcv_nxt:
            ok = wnd > 0 if seg_len else wnd >= 0
        elif seg_len == 0:
            ok = wnd > 0 and rcv_nxt <= seq < rcv_nxt + wnd
        elif wnd == 0:
            ok = False
        else:
            end = seq + seg_len - 1
            ok = rcv_nxt <= seq < rcv_nxt + wnd or rcv_nxt <= end < rcv_nxt + wnd
        if not ok:
            state = self.state
            if syn and ack and state is SYN_RECEIVED and not self.passive and seq == rcv_nxt - 1:
                # Simultaneous open (Figure 7): the peer's SYN,ACK repeats the SYN we have;
                # only its new part - the ACK - is processed.
                syn = 0
                seq += 1
                seg_len -= 1
                ok = seg_len == 0 or (wnd > 0 and seq < rcv_nxt + wnd)
            elif wnd == 0 and seq == rcv_nxt:
                # "special allowance should be made to accept valid ACKs, URGs, and RSTs"
                payload, plen, fin, seg_len, ok = b"", 0, 0, 0, True
                self._ack_now = True
            if not ok:
                return self._unacceptable(seq, syn, fin, rst, ack)
        # Trim to the window: "only the new parts are processed".
        if seq < rcv_nxt:
            cut = rcv_nxt - seq
            if syn:
                syn = 0
                cut -= 1
                seq += 1
            if cut:
                if cut > plen:
                    fin = 0
                    cut = plen
                payload = payload[cut:]
                plen -= cut
                seq += cut
        if plen and seq + plen > rcv_nxt + wnd:
            keep = rcv_nxt + wnd - seq
            payload = payload[:keep]
            fin = 0
        return seq, seg_len, syn, fin, payload

    def _unacceptable(self, seq: int, syn: int, fin: int, rst: int, ack: int) -> str:
        """An unacceptable segment: dropped if a RST, else ACKed (S14), with TIME-WAIT's and
        Linux's duplicate-SYN exceptions."""
        if rst:
            return "dropped"
        state = self.state
        if state is TIMEWAIT and fin:
            # S34: a retransmitted FIN restarts the 2 MSL wait
            self.timers.start(TIME_WAIT, 2.0 * self.params.msl)
        rcv_nxt = self.rcv_nxt
        if (
            state is SYN_RECEIVED
            and syn
            and not ack
            and seq == rcv_nxt - 1
            and self.params.dup_syn == "syn-ack"
        ):
            # Linux tcp_check_req: a pure retransmitted SYN gets the SYN,ACK again.
            now = self.engine.now
            if now - self._last_oow >= OOW_RATE_LIMIT:
                self._last_oow = now
                self._send_syn(F_SYN_ACK, "retransmission (duplicate SYN)")
                self.retransmissions += 1
                self.rtt_seq = None
                self.timers.start(RETRANSMISSION, self.rtt.rto)
            return "duplicate"
        self._send_ack(None)  # S14
        return "duplicate" if seq < rcv_nxt else "out of window"

    def _check_rst(self, seq: int) -> str:
        """Second check: the RST bit (RFC 5961 section 3 as adopted by RFC 9293)."""
        if seq != self.rcv_nxt:
            self._send_ack("challenge ACK")  # S19
            return "challenge ACK"
        state = self.state
        if state is SYN_RECEIVED:
            if self.passive:
                self._back_to_listen("S15", "connection reset in SYN-RECEIVED")
                return "reset"
            self._delete_tcb("S16", "connection refused (RST received in SYN-RECEIVED)")
            return "reset"
        if state in (ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT):
            self._delete_tcb("S17", "connection reset by peer")
        else:
            self._delete_tcb("S18")
        return "reset"

    def _check_syn(self) -> str:
        """Fourth check: a SYN in the window (RFC 5961 section 4 as adopted by RFC 9293)."""
        if self.state is SYN_RECEIVED and self.passive:
            self._back_to_listen("S20", None)
            return "reset"
        self._send_ack("challenge ACK")  # S21
        return "challenge ACK"

    def _check_ack(self, h: TCPHeader, seq: int, seg_len: int) -> str | None:
        """Fifth check: the ACK field (SYN-RECEIVED's S23/S24, S25, new and duplicate ACKs, the
        window update, our FIN acknowledged: S26-S28). None: go on to the segment text."""
        state = self.state
        seg_ack = self.snd_una + ((h.ack - self.snd_una + HALF) & MASK) - HALF
        if state is SYN_RECEIVED:
            if self.snd_una < seg_ack <= self.snd_nxt:
                self.snd_wnd = h.window << self.snd_wscale
                if self.snd_wnd > self.max_snd_wnd:
                    self.max_snd_wnd = self.snd_wnd
                self.snd_wl1, self.snd_wl2 = seq, seg_ack
                self._set_state(ESTABLISHED, "S23")
                self._begin_data()
                self._notify("on_established")
                state = ESTABLISHED
            else:
                self._reply_rst(h, F_RST, h.ack, 0, "S24")
                return "reset sent"
        if seg_ack > self.snd_nxt:
            self._send_ack(None)  # S25
            return "dropped"
        if seg_ack > self.snd_una:
            self._new_ack(seg_ack)
        elif (
            seg_ack == self.snd_una
            and seg_len == 0
            and self.snd_nxt > self.snd_una
            and (h.window << self.snd_wscale) == self.snd_wnd
            # a duplicate ACK (RFC 5681 section 2): the sender policy says what it means
            and self.sender.on_duplicate_ack(self.snd_una, self.snd_nxt)
        ):
            self.rtt_seq = None
            self._retransmit_head("fast retransmission")
        # window update (SND.UNA =< SEG.ACK =< SND.NXT, RFC 9293 section 3.10.7.4 fifth)
        if seg_ack >= self.snd_una and (
            self.snd_wl1 < seq or (self.snd_wl1 == seq and self.snd_wl2 <= seg_ack)
        ):
            window = h.window
            if self.snd_wscale:  # (shifts are not specialized: none when nothing is scaled)
                window <<= self.snd_wscale
            if window and not self.snd_wnd:
                self.timers.deadline[PERSIST] = None
                self.persist_backoff = 0
            self.snd_wnd = window
            if window > self.max_snd_wnd:
                self.max_snd_wnd = window
            self.snd_wl1, self.snd_wl2 = seq, seg_ack
        # (whether our FIN is acknowledged: asked only in the three states that wait for it)
        if state is FIN_WAIT_1:
            if self.fin_sent and self.snd_una > self.fin_seq:
                self._set_state(FIN_WAIT_2, "S26")
        elif state is CLOSING:
            if self.fin_sent and self.snd_una > self.fin_seq:
                self._enter_time_wait("S27")
                return "accepted"
            # else: data queued before our FIN may still be waiting for window (see _output)
        elif state is LAST_ACK:
            if self.fin_sent and self.snd_una > self.fin_seq:
                self._delete_tcb("S28")
                return "accepted"
        elif state is TIMEWAIT:
            return "accepted"
        return None

    def _process_text(self, seq: int, payload: bytes, fin: int) -> str:
        """Seventh check: deliver the text in sequence, keep what is beyond RCV.NXT for the
        reassembly, note where the peer's FIN is."""
        result = "accepted"
        if payload and self.state in _RECEIVE_STATES:
            plen = len(payload)
            in_order = seq == self.rcv_nxt
            if in_order:
                self._deliver(payload)
                if fin and seq + plen == self.rcv_nxt:
                    self.peer_fin_seq = self.rcv_nxt
                self._pull_reassembly()
            else:
                self.receiver.store(seq, payload)
                if fin:
                    self.peer_fin_seq = seq + plen
                result = "out of order"
            if self.receiver.ack_now(in_order):
                self._ack_now = True
        elif fin:
            if seq == self.rcv_nxt:
                self.peer_fin_seq = seq
            elif seq > self.rcv_nxt:
                self.peer_fin_seq = seq
                self._ack_now = True
                result = "out of order"
        elif payload:
            self._ack_now = True  # text in CLOSE-WAIT, CLOSING, ...: ignored, but ACKed
        return result

    def _fin_arrives(self) -> None:
        """Section 3.10.7.4 eighth: the peer's FIN, in sequence."""
        self.peer_fin_seq = None
        self.fin_received = True
        self.rcv_nxt += 1
        if self.rcv_nxt > self.rcv_adv:
            self.rcv_adv = self.rcv_nxt
        self._ack_now = True
        state = self.state
        if state is SYN_RECEIVED or state is ESTABLISHED:
            self._set_state(CLOSE_WAIT, "S29")
            self._notify("on_eof")
        elif state is FIN_WAIT_1:
            if self.fin_sent and self.snd_una > self.fin_seq:
                self._enter_time_wait("S30")
            else:
                self._set_state(CLOSING, "S31")
        elif state is FIN_WAIT_2:
            self._enter_time_wait("S32")
        elif state is TIMEWAIT:
            self.timers.start(TIME_WAIT, 2.0 * self.params.msl)

    def _deliver(self, payload: bytes) -> None:
        self.unread += payload
        self.rcv_nxt += len(payload)
        if not self._app_data_pending:
            self._app_data_pending = True
            self._notify("on_data")

    def _pull_reassembly(self) -> None:
        """Move out-of-order text that is now in sequence to the application."""
        receiver = self.receiver
        while True:
            payload = receiver.pull(self.rcv_nxt)
            if payload is None:
                return
            self._deliver(payload)

    def _new_ack(self, seg_ack: int) -> None:
        """An ACK of new data (section 3.10.7.4 fifth; RFC 6298 section 5)."""
        now = self.engine.now
        acked = seg_ack - self.snd_una
        self.snd_una = seg_ack
        self.retries = 0
        if self.rtt_seq is not None and seg_ack >= self.rtt_seq:
            self.rtt.sample(now - self.rtt_time)
            self.rtt_seq = None
        retransmit = self.sender.on_new_ack(seg_ack, acked, self.snd_nxt)
        if seg_ack >= self.snd_nxt:
            self.timers.deadline[RETRANSMISSION] = None  # (5.2)
        else:
            self.timers.start(RETRANSMISSION, self.rtt.rto)  # (5.3)
            if retransmit:
                self._retransmit_head("retransmission (partial ACK)")

    def _enter_time_wait(self, rule: str) -> None:
        deadline = self.timers.deadline
        deadline[RETRANSMISSION] = deadline[PERSIST] = None
        self._set_state(TIMEWAIT, rule)
        if self.finished_at is None and self.close_called_at is not None:
            self.finished_at = self.engine.now  # done with a close the user asked for
        self.timers.start(TIME_WAIT, 2.0 * self.params.msl)

    def _back_to_listen(self, rule: str, error: str | None) -> None:
        if error:
            self.error_in_listen = error
            self._note("error", error)
        self.isn = (self.isn + 64000) & MASK  # a new ISS for the next attempt
        self._reset_tcb()  # (which takes it as ISS)
        self.timers.stop_all()
        self._set_state(LISTEN, rule)

    # ------------------------------------------------------------------ timeouts (3.10.8)

    def _retransmission_timeout(self) -> None:
        """RETRANSMISSION TIMEOUT: RFC 6298 (5.4)-(5.6), bounded by the retry limits."""
        state = self.state
        if state is CLOSED or state is LISTEN or state is TIMEWAIT:
            return
        self.retries += 1
        if state is SYN_SENT:
            limit, what = self.params.syn_retries, "SYN"
        elif state is SYN_RECEIVED:
            limit = self.params.synack_retries if self.passive else self.params.syn_retries
            what = "SYN,ACK"
        else:
            limit, what = RETRIES2, "segment"
        if self.retries > limit:
            reason = f"connection timed out: {what} retransmitted {limit} times without an ACK"
            if state is SYN_RECEIVED and self.passive:
                self._back_to_listen("T5", reason)
            else:
                self._delete_tcb("T4" if state is SYN_SENT else "T6", reason)
            return
        events = self.events
        if events is not None:
            events.append(("timeout", self.engine.now, self.name, "retransmission", self.rtt.rto))
        if self.snd_una == self.iss:
            self.syn_timed_out = True
        self.rtt_seq = None  # Karn: never time a retransmitted segment
        sender = self.sender
        if sender is not None:  # (none before the SYN exchange)
            sender.on_timeout(self.snd_una, self.snd_nxt)
        self._retransmit_head("retransmission")
        self.rtt.back_off()  # (5.5)
        self.timers.start(RETRANSMISSION, self.rtt.rto)  # (5.6)

    def _persist_timeout(self) -> None:
        """The persist timer (section 3.8.6.1): probe a zero window."""
        if self.state not in _SEND_STATES or self.snd_nxt != self.snd_una:
            return
        if self.snd_wnd:
            self._output()
            return
        if self.events is not None:
            self.events.append(("timeout", self.engine.now, self.name, "persist", None))
        self._transmit(F_ACK, self.snd_una - 1, b"", "window probe")
        self.persist_backoff += 1
        self._start_persist()

    def _time_wait_timeout(self) -> None:
        """TIME-WAIT TIMEOUT: delete the TCB (T3)."""
        if self.state is TIMEWAIT:
            if self.events is not None:
                self.events.append(("timeout", self.engine.now, self.name, "time-wait", None))
            self._delete_tcb("T3")

    def _start_persist(self) -> None:
        """The persist timer at one RTO, doubled per probe sent, at most RTO_MAX."""
        self.timers.start(PERSIST, min(self.rtt.rto * (1 << self.persist_backoff), RTO_MAX))

    # ------------------------------------------------------------------ output

    def _begin_data(self) -> None:
        """Entering ESTABLISHED: note the time (the first time), and RFC 6298 (5.7): if a SYN
        (or SYN,ACK) timed out and no RTT sample exists, data transmission starts with RTO = 3 s
        (Linux: TCP_TIMEOUT_FALLBACK)."""
        if self.established_at is None:
            self.established_at = self.engine.now
        if self.syn_timed_out:
            self.rtt.fallback()

    def _output(self) -> None:
        """Send what the windows allow: queued data, then the FIN; else a pending ACK."""
        data_end = self.data_end
        # (the state test last: most calls have nothing queued, and `in` on a tuple of Enum
        # members pays a full comparison for every member that is not the one)
        if (
            self.snd_nxt < data_end or (self.fin_queued and not self.fin_sent)
        ) and self.state in _SEND_STATES:
            self._send_queued(data_end)
        if self._ack_now:
            self._transmit(F_ACK, self.snd_nxt, b"", None)

    def _send_queued(self, data_end: int) -> None:
        """Queued data and the FIN, as far as min(the peer's window, the sender policy's
        window) beyond SND.UNA allows (RFC 5681 section 3.1), with sender SWS avoidance."""
        mss = self.snd_mss
        limit = self.sender.window
        sent = False
        while True:
            nxt = self.snd_nxt
            snd_wnd = self.snd_wnd
            win_end = self.snd_una + (snd_wnd if snd_wnd < limit else limit)
            if nxt < data_end:
                n = min(mss, data_end - nxt, win_end - nxt)
                if n <= 0:
                    break
                if (
                    n < mss
                    and n < data_end - nxt
                    and nxt != self.snd_una
                    and 2 * n < self.max_snd_wnd
                ):
                    break  # sender SWS avoidance: wait for more window
                off = nxt - self.iss - 1
                end = nxt + n
                if end == data_end:
                    if self.fin_queued and win_end > end:
                        flags = F_FIN_PSH_ACK
                        self.fin_sent = True
                        self.fin_seq = end
                        self.snd_nxt = end + 1
                    else:
                        flags = F_PSH_ACK
                        self.snd_nxt = end
                else:
                    flags = F_ACK
                    self.snd_nxt = end
                self._transmit(flags, nxt, self.send_data[off : off + n], None)
                sent = True
            elif self.fin_queued and not self.fin_sent:
                if win_end <= nxt and nxt != self.snd_una:
                    break
                if win_end <= nxt and not snd_wnd:
                    break
                self.fin_sent = True
                self.fin_seq = nxt
                self.snd_nxt = nxt + 1
                self._transmit(F_FIN_ACK, nxt, b"", None)
                sent = True
            else:
                break
            if self.rtt_seq is None:
                self.rtt_seq, self.rtt_time = self.snd_nxt, self.engine.now
        deadline = self.timers.deadline
        if sent and deadline[RETRANSMISSION] is None:
            self.timers.start(RETRANSMISSION, self.rtt.rto)  # (5.1)
        if (
            self.snd_nxt == self.snd_una
            and (self.snd_nxt < data_end or (self.fin_queued and not self.fin_sent))
            and deadline[PERSIST] is None
        ):
            self._start_persist()

    def _retransmit_head(self, note: str) -> None:
        """Resend the earliest unacknowledged segment (RFC 6298 (5.4))."""
        self.retransmissions += 1
        if self.snd_una == self.iss:  # the SYN itself is unacknowledged
            self._send_syn(F_SYN if self.irs is None else F_SYN_ACK, note)
            return
        seq = self.snd_una
        data_sent_end = min(self.snd_nxt, self.data_end)
        n = min(self.snd_mss, data_sent_end - seq) if seq < data_sent_end else 0
        end = seq + n
        fin = self.fin_sent and end == self.fin_seq
        if n:
            off = seq - self.iss - 1
            payload = self.send_data[off : off + n]
            flags = F_FIN_PSH_ACK if fin else (F_PSH_ACK if end == self.data_end else F_ACK)
        elif fin:
            payload, flags = b"", F_FIN_ACK
        else:
            self.retransmissions -= 1
            return
        self._transmit(flags, seq, payload, note)

    # ------------------------------------------------------------------ segments

    def _transmit(self, f: int, seq: int, payload: bytes, note: str | None) -> None:
        """Form a segment <SEQ=seq><ACK=RCV.NXT><CTL=f> and hand it to the network.

        `f` always has ACK: once a connection is established the acknowledgment number is
        always sent (section 3.1); SYNs are `_send_syn`'s, RSTs `_send_reset`'s and `_reply_rst`'s.
        The window field is RCV.WND as the receiver policy offers it.
        """
        rcv_nxt = self.rcv_nxt
        self._ack_now = False
        self.rcv_adv = rcv_adv = self.receiver.right_edge(rcv_nxt, self.rcv_adv, len(self.unread))
        window = rcv_adv - rcv_nxt
        if self.rcv_wscale:  # (shifts are not specialized: none when nothing is scaled)
            window >>= self.rcv_wscale
        if window > 0xFFFF:
            window = 0xFFFF
        if self.ts_ok:
            # TSval is the clock in ms (RFC 7323 section 4.1): segments sent at one time (an
            # ACK and the FIN after it) share one options tuple, made once
            now = self.engine.now
            if now != self._ts_at:
                self._ts_at = now
                tsval = (self.ts_offset + trunc(now * 1000)) & MASK
                self._ts_options = (NOP_OPTION, NOP_OPTION, make_timestamps(tsval, self.ts_recent))
            options = self._ts_options
        else:
            options = ()
        h = header(self.port, self.remote_port, seq & MASK, rcv_nxt & MASK, f, window, options)
        self.network.send(self, h, payload, note)

    def _send_reset(self) -> None:
        """ABORT's <SEQ=SND.NXT><CTL=RST> (section 3.10.5): no ACK, no window, no options."""
        h = header(self.port, self.remote_port, self.snd_nxt & MASK, 0, F_RST, 0, ())
        self.network.send(self, h, b"", None)

    def _send_ack(self, note: str | None) -> None:
        self._transmit(F_ACK, self.snd_nxt, b"", note)

    def _send_syn(self, f: int, note: str | None = None) -> None:
        """A SYN or SYN,ACK with Linux's option layout: MSS, SACK-permitted, TS, NOP, WS."""
        tsval = (self.ts_offset + trunc(self.engine.now * 1000)) & MASK
        params = self.params
        if f == F_SYN_ACK:
            ack = self.rcv_nxt & MASK
            tsecr = self.ts_recent
            self._ack_now = False
        else:
            ack = tsecr = 0
        options = (
            params.syn_mss,
            SACK_PERMITTED,
            make_timestamps(tsval, tsecr),
            NOP_OPTION,
            params.syn_ws,
        )
        h = header(self.port, self.remote_port, self.iss & MASK, ack, f, params.syn_window, options)
        self.network.send(self, h, b"", note)

    def _reply_rst(self, h: TCPHeader, f: int, seq: int, ack: int, rule: str) -> None:
        """A RST in reply to `h` (sections 3.5.2 and 3.10.7), from whatever state we are in."""
        reply = header(h.dst_port, h.src_port, seq & MASK, ack, f, 0, ())
        self.network.send(self, reply, b"", f"reset ({rule})")

    def _syn_options(self, h: TCPHeader) -> None:
        """Take the peer's MSS, window scale and timestamps from its SYN (RFC 9293 3.7.1,
        RFC 7323), and tell the policies the segment size."""
        mss, peer_shift, ts = peer_syn_options(h.options)
        own = self.params.mss
        self.snd_mss = snd_mss = mss if mss < own else own
        params = self.params
        self.receiver = params.receiver(params.rcv_buf, snd_mss)
        self.sender = sender = params.sender(snd_mss)
        if self.events is not None:
            sender.report = self._congestion_note
        if peer_shift is not None:
            self.snd_wscale = peer_shift
            self.rcv_wscale = self.params.ws_shift
        else:
            self.snd_wscale = self.rcv_wscale = 0
        self._ts_at = -1.0  # TSecr changes: the next segment makes its options anew
        if ts is not None:
            self.ts_ok = True
            self.ts_recent = ts
        else:
            self.ts_ok = False


# The timers' dispatch table (section 3.10.8): one handler per named timer, checked when made.
_TIMEOUTS = dispatch_table(
    {
        RETRANSMISSION: TCB._retransmission_timeout,
        PERSIST: TCB._persist_timeout,
        TIME_WAIT: TCB._time_wait_timeout,
    }
)


def _checksum_good(parsed: Any) -> bool:
    """Whether a parsed segment's checksum verified (see netutil.segment.parse)."""
    status = getattr(parsed, "checksum_ok", None)
    if status is None:
        status = getattr(parsed, "checksum_status", None)
        return str(getattr(status, "value", status)).lower() == "good"
    return bool(status)
