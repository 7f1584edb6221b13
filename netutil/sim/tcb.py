"""One endpoint's TCP: the RFC 9293 state machine, driven only by its user's calls, the segments
that arrive and its own timers.

The code follows RFC 9293 section 3.10 ("Event Processing") in order and in its names, so it can
be read beside the RFC: `open`, `send`, `receive`, `close`, `abort` are the user calls of
sections 3.10.1-3.10.5; `segment_arrives` is section 3.10.7 with its CLOSED, LISTEN, SYN-SENT and
"other states" branches and the "first" to "eighth" checks; the timeouts are section 3.10.8 with
RFC 6298's retransmission timer. Every state change records the rule id of `states.TRANSITIONS`.

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

from dataclasses import dataclass
from functools import lru_cache
from heapq import heappush
from math import trunc  # int() of a float, without the cost of calling the int type
from typing import TYPE_CHECKING, Any

from netutil.layout import fast_constructor
from netutil.segment import (
    MSS,
    NOP,
    SACKPermitted,
    TCPFlag,
    TCPHeader,
    Timestamps,
    WindowScale,
)
from netutil.sim.states import State

if TYPE_CHECKING:
    from netutil.sim.engine import Engine
    from netutil.sim.network import Network

MASK = 0xFFFFFFFF
HALF = 0x80000000

# Flag bits as plain ints (IntFlag arithmetic is slow in a hot loop) and the combinations sent;
# a header gets the TCPFlag member of its int from `_FLAG`.
_FIN, _SYN, _RST, _PSH, _ACK = 0x01, 0x02, 0x04, 0x08, 0x10
F_SYN = _SYN
F_SYN_ACK = _SYN | _ACK
F_ACK = _ACK
F_PSH_ACK = _PSH | _ACK
F_FIN_ACK = _FIN | _ACK
F_FIN_PSH_ACK = _FIN | _PSH | _ACK
F_RST = _RST
F_RST_ACK = _RST | _ACK
_FLAG = tuple(TCPFlag(v) for v in range(32))
# An arriving segment's SYN, FIN, RST and ACK bits, each 0 or 1, by the int value of its nine
# flag bits (`h.flags + 0`: the plain int of the TCPFlag, cheaper than int()): one table lookup
# per segment instead of a `&` per test (the interpreter does not specialize `&`), and SYN and
# FIN add straight into SEG.LEN.
_CONTROL_BITS = tuple((v >> 1 & 1, v & 1, v >> 2 & 1, v >> 4 & 1) for v in range(512))

# Headers and timestamps are made for every segment: build them without the frozen dataclass
# __init__'s per-field object.__setattr__ (see netutil.layout.fast_constructor). Arguments:
# src_port, dst_port, seq, ack, flags, window, urgent, options, data_offset, reserved, checksum.
_make_header = fast_constructor(TCPHeader)
_make_ts = fast_constructor(Timestamps)

RTO_INITIAL = 1.0  # RFC 6298 (2.1)
RTO_MIN = 1.0  # RFC 6298 (2.4)
RTO_MAX = 120.0  # RFC 6298 (2.5) allows >= 60 s; Linux TCP_RTO_MAX
RTO_SYN_FALLBACK = 3.0  # RFC 6298 (5.7)
CLOCK_GRANULARITY = 0.001  # G in RFC 6298 (2.2)/(2.3)
RETRIES2 = 15  # Linux tcp_retries2: retransmissions of data/FIN before giving up
DEFAULT_MSS = 536  # RFC 9293 section 3.7.1: assumed when the peer sends no MSS option
DUP_ACK_THRESHOLD = 3  # RFC 5681 section 3.2
OOW_RATE_LIMIT = 0.5  # Linux tcp_invalid_ratelimit, for the "syn-ack" duplicate-SYN reply

_NOP = NOP()
_SACK_PERMITTED = SACKPermitted()

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
TIME_WAIT = State.TIME_WAIT

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


# The TCB's three timers (section 3.8.1, RFC 6298, section 3.6.1's 2 MSL), as indexes into its
# timer fields (see TCB._start_timer).
RTX, PERSIST, TIMEWAIT = 0, 1, 2


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
        "_sws",
        "_ts_at",
        "_ts_options",
        "app",
        "close_called_at",
        "data_end",
        "dupacks",
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
        "ooo",
        "params",
        "passive",
        "peer",
        "peer_fin_seq",
        "persist",
        "persist_backoff",
        "port",
        "rcv_adv",
        "rcv_buf",
        "rcv_nxt",
        "rcv_wscale",
        "recover",
        "remote_port",
        "retransmissions",
        "retries",
        "rto",
        "rtt_seq",
        "rtt_time",
        "rttvar",
        "send_data",
        "snd_mss",
        "snd_nxt",
        "snd_una",
        "snd_wl1",
        "snd_wl2",
        "snd_wnd",
        "snd_wscale",
        "srtt",
        "state",
        "syn_timed_out",
        "timer_deadline",
        "timer_pending",
        "timer_token",
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
    ) -> None:
        self._setup(
            name,
            engine,
            network,
            events,
            ip,
            port,
            remote_port,
            isn,
            ts_offset,
            tcb_parameters(mss, rcv_buf, msl, syn_retries, synack_retries, dup_syn),
        )

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
        # the timers, indexed by RTX, PERSIST, TIMEWAIT (see _start_timer); their deadlines are
        # set, all stopped, by _reset_tcb
        self.timer_pending: list[float | None] = [None, None, None]
        self.timer_token = [0, 0, 0]
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

    def _reset_tcb(self) -> None:
        """Forget the connection (a fresh TCB, as after CLOSED or back to LISTEN)."""
        self.iss = self.isn
        self.irs: int | None = None
        self.snd_una = self.snd_nxt = self.iss
        self.snd_wnd = self.max_snd_wnd = 0
        self.snd_wl1 = self.snd_wl2 = 0
        self.snd_mss = DEFAULT_MSS
        self._sws = self.params.sws
        self.snd_wscale = self.rcv_wscale = 0
        self.ts_ok = False
        self.ts_recent = 0
        self._ts_at = -1.0  # no timestamp options made yet (see _transmit)
        self._ts_options: tuple[Any, ...] = ()
        self.rcv_nxt = self.rcv_adv = 0
        self.unread = bytearray()
        self.ooo: dict[int, bytes] = {}
        self.peer_fin_seq: int | None = None
        self.fin_received = False
        self.data_end = self.iss + 1 + len(self.send_data)
        self.fin_queued = self.fin_sent = False
        self.fin_seq = 0
        self.rto = RTO_INITIAL
        self.srtt: float | None = None
        self.rttvar = 0.0
        self.rtt_seq: int | None = None
        self.rtt_time = 0.0
        self.retries = 0
        self.syn_timed_out = False
        self.recover: int | None = None
        self.dupacks = 0
        self.persist_backoff = 0
        self._ack_now = False
        self._app_data_pending = False
        self.timer_deadline: list[float | None] = [None, None, None]  # all stopped

    def detach(self) -> None:
        """Drop the links that make reference cycles (peer, application) once the run is over
        and only its numbers are wanted: the run's objects are then freed at once by reference
        counting, not by the cyclic garbage collector."""
        self.peer = self.app = None

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

    def _notify(self, method: str, args: tuple[Any, ...] = ()) -> None:
        """Tell the application, as its own event at the current time (it runs after the TCP
        has finished with the segment, as a process would). (`args` as one tuple, not *args:
        the interpreter specializes calls to functions without a star parameter.)"""
        app = self.app
        if app is not None:
            engine = self.engine
            engine._seq = seq = engine._seq + 1
            heappush(engine._heap, (engine.now, seq, getattr(app, method), args))

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
        self.snd_nxt = self.iss + 1
        self._set_state(SYN_SENT, rule)
        self._send_syn(F_SYN)
        self.rtt_seq, self.rtt_time = self.snd_nxt, self.engine.now
        self._start_timer(RTX, self.rto)

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

        Freeing buffer space may open the window; if it opens enough to matter (at least
        min(buffer / 2, MSS) and at least double what was advertised) a window update is sent.
        """
        unread = self.unread
        chunk = bytes(unread[:limit])
        del unread[:limit]
        self._app_data_pending = False
        if chunk and self.state in _RECEIVE_STATES:
            avail = self.rcv_buf - len(unread)
            current = self.rcv_adv - self.rcv_nxt
            if avail - current >= min(self.rcv_buf // 2, self.snd_mss) and avail >= 2 * current:
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
        elif state in (CLOSING, LAST_ACK, TIME_WAIT):
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
        deadline = self.timer_deadline
        deadline[RTX] = deadline[PERSIST] = deadline[TIMEWAIT] = None
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
        if self.events is not None:
            record = ["arrive", self.engine.now, self.name, number, copy, ""]
            self.events.append(record)
            record[5] = self._segment(header, payload)
            return
        state = self.state  # as in _segment, without the trace record
        if state is CLOSED:
            self._closed_arrives(header, payload)
        elif state is LISTEN:
            self._listen_arrives(header, payload)
        elif state is SYN_SENT:
            self._syn_sent_arrives(header, payload)
        else:
            self._other_arrives(header, payload)

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
        syn, fin, rst, ack = _CONTROL_BITS[h.flags + 0]
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
        syn, _, rst, ack = _CONTROL_BITS[h.flags + 0]
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
            self._start_timer(RTX, self.rto)
            return "accepted"
        # fourth: other text or control (S7)
        return "dropped"

    def _syn_sent_arrives(self, h: TCPHeader, payload: bytes) -> str:
        """Section 3.10.7.3."""
        syn, _, rst, ack = _CONTROL_BITS[h.flags + 0]
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
                self.timer_deadline[RTX] = None
                self.retries = 0
                if self.rtt_seq is not None and seg_ack >= self.rtt_seq:
                    self._rtt_sample(now - self.rtt_time)
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
        """Section 3.10.7.4: SYN-RECEIVED and the synchronized states."""
        state = self.state
        syn, fin, rst, ack = _CONTROL_BITS[h.flags + 0]
        rcv_nxt = self.rcv_nxt
        seq = rcv_nxt + ((h.seq - rcv_nxt + HALF) & MASK) - HALF
        plen = len(payload)
        seg_len = plen + syn + fin
        wnd = self.rcv_adv - rcv_nxt

        # first: check sequence number (Table 6). A segment that starts at RCV.NXT, the common
        # case, passes every row of the table but one: data into a zero window.
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
            if rst:
                return "dropped"
            if state is TIME_WAIT and fin:
                # S34: a retransmitted FIN restarts the 2 MSL wait
                self._start_timer(TIMEWAIT, 2.0 * self.params.msl)
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
                    self._start_timer(RTX, self.rto)
                return "duplicate"
            self._send_ack(None)  # S14
            return "duplicate" if seq < rcv_nxt else "out of window"

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
            plen = keep
            fin = 0

        # second: check the RST bit (RFC 5961 section 3 as adopted by RFC 9293)
        if rst:
            if seq != rcv_nxt:
                self._send_ack("challenge ACK")  # S19
                return "challenge ACK"
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

        # third: security (not modelled). fourth: check the SYN bit
        if syn:
            if state is SYN_RECEIVED and self.passive:
                self._back_to_listen("S20", None)
                return "reset"
            self._send_ack("challenge ACK")  # S21
            return "challenge ACK"

        # fifth: check the ACK field
        if not ack:
            return "dropped"  # S22
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
        result = "accepted"
        if seg_ack > self.snd_una:
            self._new_ack(seg_ack)
        elif (
            seg_ack == self.snd_una
            and seg_len == 0
            and self.snd_nxt > self.snd_una
            and (h.window << self.snd_wscale) == self.snd_wnd
        ):
            self.dupacks += 1
            if self.dupacks == DUP_ACK_THRESHOLD and (
                self.recover is None or self.snd_una >= self.recover
            ):
                self.recover = self.snd_nxt
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
                self.timer_deadline[PERSIST] = None
                self.persist_backoff = 0
            self.snd_wnd = window
            if window > self.max_snd_wnd:
                self.max_snd_wnd = window
            self.snd_wl1, self.snd_wl2 = seq, seg_ack
        # (whether our FIN is acknowledged: asked only in the three states that wait for it)
        if state is FIN_WAIT_1:
            if self.fin_sent and self.snd_una > self.fin_seq:
                self._set_state(FIN_WAIT_2, "S26")
                state = FIN_WAIT_2
        elif state is CLOSING:
            if self.fin_sent and self.snd_una > self.fin_seq:
                self._enter_time_wait("S27")
                return result
            # else: data queued before our FIN may still be waiting for window (see _output)
        elif state is LAST_ACK:
            if self.fin_sent and self.snd_una > self.fin_seq:
                self._delete_tcb("S28")
                return result
        elif state is TIME_WAIT:
            return result

        # sixth: URG (not modelled). seventh: process the segment text
        if plen and state in _RECEIVE_STATES:
            if seq == self.rcv_nxt:
                self._deliver(payload)
                if fin and seq + plen == self.rcv_nxt:
                    self.peer_fin_seq = self.rcv_nxt
                    fin = 0
                self._pull_reassembly()
            else:
                self.ooo[seq] = payload
                if fin:
                    self.peer_fin_seq = seq + plen
                    fin = 0
                result = "out of order"
            self._ack_now = True
        elif fin:
            if seq == self.rcv_nxt:
                self.peer_fin_seq = seq
            elif seq > self.rcv_nxt:
                self.peer_fin_seq = seq
                self._ack_now = True
                result = "out of order"
            fin = 0
        elif plen:
            self._ack_now = True  # text in CLOSE-WAIT, CLOSING, ...: ignored, but ACKed

        # eighth: check the FIN bit
        if self.peer_fin_seq is not None and self.peer_fin_seq == self.rcv_nxt:
            self._fin_arrives()

        self._output()
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
        elif state is TIME_WAIT:
            self._start_timer(TIMEWAIT, 2.0 * self.params.msl)

    def _deliver(self, payload: bytes) -> None:
        self.unread += payload
        self.rcv_nxt += len(payload)
        if not self._app_data_pending:
            self._app_data_pending = True
            self._notify("on_data")

    def _pull_reassembly(self) -> None:
        """Move out-of-order segments that are now in sequence to the application."""
        ooo = self.ooo
        while ooo:
            rcv_nxt = self.rcv_nxt
            payload = ooo.pop(rcv_nxt, None)
            if payload is None:
                # a stored segment may start before RCV.NXT and reach past it
                for start in sorted(ooo):
                    if start > rcv_nxt:
                        break
                    data = ooo.pop(start)
                    if start + len(data) > rcv_nxt:
                        payload = data[rcv_nxt - start :]
                        break
                if payload is None:
                    return
            self._deliver(payload)

    def _new_ack(self, seg_ack: int) -> None:
        """An ACK of new data (section 3.10.7.4 fifth; RFC 6298 section 5)."""
        now = self.engine.now
        self.snd_una = seg_ack
        self.dupacks = 0
        self.retries = 0
        if self.rtt_seq is not None and seg_ack >= self.rtt_seq:
            self._rtt_sample(now - self.rtt_time)
            self.rtt_seq = None
        if seg_ack >= self.snd_nxt:
            self.timer_deadline[RTX] = None  # (5.2)
            self.recover = None
        else:
            self._start_timer(RTX, self.rto)  # (5.3)
            recover = self.recover
            if recover is not None:
                if seg_ack < recover:
                    self._retransmit_head("retransmission (partial ACK)")
                else:
                    self.recover = None

    def _enter_time_wait(self, rule: str) -> None:
        deadline = self.timer_deadline
        deadline[RTX] = deadline[PERSIST] = None
        self._set_state(TIME_WAIT, rule)
        if self.finished_at is None and self.close_called_at is not None:
            self.finished_at = self.engine.now  # done with a close the user asked for
        self._start_timer(TIMEWAIT, 2.0 * self.params.msl)

    def _back_to_listen(self, rule: str, error: str | None) -> None:
        if error:
            self.error_in_listen = error
            self._note("error", error)
        self.isn = (self.isn + 64000) & MASK  # a new ISS for the next attempt
        self._reset_tcb()  # (which takes it as ISS)
        self._set_state(LISTEN, rule)

    # ------------------------------------------------------------------ timeouts (3.10.8)

    def _start_timer(self, timer: int, delay: float) -> None:
        """(Re)start a timer to expire `delay` seconds from now.

        A timer is `timer_deadline[timer]` (None: stopped; stopping is clearing it). Restarting
        does not touch the heap when the new deadline is later than the engine event already
        pending (`timer_pending`): that event, when it fires, sees the later deadline and
        re-arms itself. Stopped or superseded events fire as no-ops (they carry a token that no
        longer matches `timer_token`).
        """
        engine = self.engine
        when = engine.now + delay
        self.timer_deadline[timer] = when
        pending = self.timer_pending
        if pending[timer] is None or when < pending[timer]:
            # as _arm_timer, written out: most starts arm an engine event
            tokens = self.timer_token
            tokens[timer] = token = tokens[timer] + 1
            pending[timer] = when
            engine._seq = seq = engine._seq + 1
            heappush(engine._heap, (when, seq, self._timer_fires, (timer, token)))

    def _arm_timer(self, timer: int, when: float) -> None:
        """Put an engine event for `timer` at `when` on the heap (see `_start_timer`)."""
        tokens = self.timer_token
        tokens[timer] = token = tokens[timer] + 1
        self.timer_pending[timer] = when
        engine = self.engine
        engine._seq = seq = engine._seq + 1
        heappush(engine._heap, (when, seq, self._timer_fires, (timer, token)))

    def _timer_fires(self, timer: int, token: int) -> None:
        """The engine event of a timer: a timeout if its deadline has come."""
        if token != self.timer_token[timer]:
            return
        self.timer_pending[timer] = None
        deadline = self.timer_deadline[timer]
        if deadline is None:
            return
        if deadline > self.engine.now:
            self._arm_timer(timer, deadline)
            return
        self.timer_deadline[timer] = None
        if timer == RTX:
            self._retransmission_timeout()
        elif timer == PERSIST:
            self._persist_timeout()
        else:
            self._time_wait_timeout()

    def _retransmission_timeout(self) -> None:
        """RETRANSMISSION TIMEOUT: RFC 6298 (5.4)-(5.6), bounded by the retry limits."""
        state = self.state
        if state is CLOSED or state is LISTEN or state is TIME_WAIT:
            return
        self.retries += 1
        if state is SYN_SENT:
            limit, what = self.params.syn_retries, "SYN"
        elif state is SYN_RECEIVED:
            limit, what = (
                (self.params.synack_retries, "SYN,ACK")
                if self.passive
                else (
                    self.params.syn_retries,
                    "SYN,ACK",
                )
            )
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
            events.append(("timeout", self.engine.now, self.name, "retransmission", self.rto))
        if self.snd_una == self.iss:
            self.syn_timed_out = True
        self.rtt_seq = None  # Karn: never time a retransmitted segment
        self.recover = self.snd_nxt
        self.dupacks = 0
        self._retransmit_head("retransmission")
        rto = self.rto * 2.0
        self.rto = rto if rto < RTO_MAX else RTO_MAX  # (5.5)
        self._start_timer(RTX, self.rto)  # (5.6)

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
        self._start_timer(PERSIST, min(self.rto * (1 << self.persist_backoff), RTO_MAX))

    def _time_wait_timeout(self) -> None:
        """TIME-WAIT TIMEOUT: delete the TCB (T3)."""
        if self.state is TIME_WAIT:
            if self.events is not None:
                self.events.append(("timeout", self.engine.now, self.name, "time-wait", None))
            self._delete_tcb("T3")

    # ------------------------------------------------------------------ output

    def _begin_data(self) -> None:
        """Entering ESTABLISHED: note the time (the first time), and RFC 6298 (5.7): if a SYN
        (or SYN,ACK) timed out and no RTT sample exists, data transmission starts with RTO = 3 s
        (Linux: TCP_TIMEOUT_FALLBACK)."""
        if self.established_at is None:
            self.established_at = self.engine.now
        if self.syn_timed_out and self.srtt is None:
            self.rto = RTO_SYN_FALLBACK

    def _rtt_sample(self, r: float) -> None:
        """RFC 6298 (2.2)/(2.3), then (2.4) and (2.5). (Float constants only: the interpreter
        specializes float * float, not float / int or int * float; the values are the same.)"""
        if self.srtt is None:
            self.srtt = r
            self.rttvar = r * 0.5  # R/2
        else:
            self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - r)
            self.srtt = 0.875 * self.srtt + 0.125 * r
        k_rttvar = 4.0 * self.rttvar  # K = 4
        rto = self.srtt + (k_rttvar if k_rttvar > CLOCK_GRANULARITY else CLOCK_GRANULARITY)
        self.rto = RTO_MIN if rto < RTO_MIN else (RTO_MAX if rto > RTO_MAX else rto)

    def _output(self) -> None:
        """Send what the window allows: queued data, then the FIN; else a pending ACK."""
        data_end = self.data_end
        # (the state test last: most calls have nothing queued, and `in` on a tuple of Enum
        # members pays a full comparison for every member that is not the one)
        if (
            self.snd_nxt < data_end or (self.fin_queued and not self.fin_sent)
        ) and self.state in _SEND_STATES:
            mss = self.snd_mss
            sent = False
            while True:
                nxt = self.snd_nxt
                win_end = self.snd_una + self.snd_wnd
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
                    if win_end <= nxt and not self.snd_wnd:
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
            if sent and self.timer_deadline[RTX] is None:
                self._start_timer(RTX, self.rto)  # (5.1)
            if (
                self.snd_nxt == self.snd_una
                and (self.snd_nxt < data_end or (self.fin_queued and not self.fin_sent))
                and self.timer_deadline[PERSIST] is None
            ):
                self._start_timer(PERSIST, min(self.rto * (1 << self.persist_backoff), RTO_MAX))
        if self._ack_now:
            self._transmit(F_ACK, self.snd_nxt, b"", None)

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
        """
        rcv_nxt = self.rcv_nxt
        self._ack_now = False
        # the window field: RCV.WND with receiver SWS avoidance (section 3.8.6.2.2)
        avail = self.rcv_buf - len(self.unread)
        window = self.rcv_adv - rcv_nxt
        if avail - window >= self._sws:
            self.rcv_adv = rcv_nxt + avail
            window = avail
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
                self._ts_options = (_NOP, _NOP, _make_ts(tsval, self.ts_recent))
            options = self._ts_options
        else:
            options = ()
        header = _make_header(
            self.port,
            self.remote_port,
            seq & MASK,
            rcv_nxt & MASK,
            _FLAG[f],
            window,
            0,
            options,
            None,
            0,
            None,
        )
        self.network.send(self, header, payload, note)

    def _send_reset(self) -> None:
        """ABORT's <SEQ=SND.NXT><CTL=RST> (section 3.10.5): no ACK, no window, no options."""
        header = _make_header(
            self.port,
            self.remote_port,
            self.snd_nxt & MASK,
            0,
            _FLAG[F_RST],
            0,
            0,
            (),
            None,
            0,
            None,
        )
        self.network.send(self, header, b"", None)

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
        options = (params.syn_mss, _SACK_PERMITTED, _make_ts(tsval, tsecr), _NOP, params.syn_ws)
        header = _make_header(
            self.port,
            self.remote_port,
            self.iss & MASK,
            ack,
            _FLAG[f],
            params.syn_window,
            0,
            options,
            None,
            0,
            None,
        )
        self.network.send(self, header, b"", note)

    def _reply_rst(self, h: TCPHeader, f: int, seq: int, ack: int, rule: str) -> None:
        """A RST in reply to `h` (sections 3.5.2 and 3.10.7), from whatever state we are in."""
        header = _make_header(
            h.dst_port, h.src_port, seq & MASK, ack, _FLAG[f], 0, 0, (), None, 0, None
        )
        self.network.send(self, header, b"", f"reset ({rule})")

    def _syn_options(self, h: TCPHeader) -> None:
        """Take the peer's MSS, window scale and timestamps from its SYN (RFC 9293 3.7.1,
        RFC 7323)."""
        options = h.options
        if (
            len(options) == 5
            and type(options[0]) is MSS
            and type(options[1]) is SACKPermitted
            and type(options[2]) is Timestamps
            and type(options[3]) is NOP
            and type(options[4]) is WindowScale
        ):
            # Linux's layout (as _send_syn sends it), read by position
            mss = options[0].value
            peer_shift = options[4].shift
            if peer_shift > 14:
                peer_shift = 14
            ts = options[2].tsval
        else:
            mss = DEFAULT_MSS
            peer_shift = None
            ts = None
            for option in options:
                cls = type(option)  # (a class check: `kind` is a class attribute, slower to read)
                if cls is MSS:
                    mss = option.value
                elif cls is WindowScale:
                    peer_shift = option.shift if option.shift < 14 else 14
                elif cls is Timestamps:
                    ts = option.tsval
        own = self.params.mss
        self.snd_mss = snd_mss = mss if mss < own else own
        half = self.rcv_buf >> 1
        self._sws = half if half < snd_mss else snd_mss
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


@dataclass(frozen=True, slots=True)
class TCBParameters:
    """An endpoint's settings and what follows from them, fixed for the life of its TCB.

    The same for every connection of a scenario, so one object (from `tcb_parameters`) serves
    both endpoints of every run, instead of each TCB working them out and storing them anew.
    """

    mss: int  # the largest segment this end receives (the MSS it announces)
    rcv_buf: int  # receive buffer: the window it offers when empty
    msl: float  # Maximum Segment Lifetime; TIME-WAIT lasts 2 * msl
    syn_retries: int
    synack_retries: int
    dup_syn: str  # reply to a duplicate SYN in SYN-RECEIVED: "ack" or "syn-ack" (Linux)
    ws_shift: int  # the window scale it announces: the least that fits rcv_buf (RFC 7323)
    syn_window: int  # a SYN's window field (never scaled)
    syn_mss: MSS  # the options a SYN carries (shared: options are immutable values)
    syn_ws: WindowScale
    sws: int  # receiver SWS threshold min(rcv_buf / 2, MSS) until the peer's MSS is known


@lru_cache(maxsize=64)
def tcb_parameters(
    mss: int = 1460,
    rcv_buf: int = 65535,
    msl: float = 120.0,
    syn_retries: int = 6,
    synack_retries: int = 5,
    dup_syn: str = "ack",
) -> TCBParameters:
    """The `TCBParameters` for these settings (one shared object per distinct settings)."""
    shift = 0
    while shift < 14 and (rcv_buf >> shift) > 0xFFFF:
        shift += 1
    half = rcv_buf >> 1
    return TCBParameters(
        mss,
        rcv_buf,
        msl,
        syn_retries,
        synack_retries,
        dup_syn,
        shift,
        rcv_buf if rcv_buf < 0xFFFF else 0xFFFF,
        MSS(mss),
        WindowScale(shift),
        half if half < DEFAULT_MSS else DEFAULT_MSS,
    )


def _checksum_good(parsed: Any) -> bool:
    """Whether a parsed segment's checksum verified (see netutil.segment.parse)."""
    status = getattr(parsed, "checksum_ok", None)
    if status is None:
        status = getattr(parsed, "checksum_status", None)
        return str(getattr(status, "value", status)).lower() == "good"
    return bool(status)
