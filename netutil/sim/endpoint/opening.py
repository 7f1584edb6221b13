"""Opening a connection: a segment that arrives in CLOSED, LISTEN or SYN-SENT (RFC 9293
sections 3.10.7.1-3.10.7.3), the SYN and SYN,ACK this end sends (Linux's option layout) and the
peer's SYN options it takes (section 3.7.1, RFC 7323).
"""

from __future__ import annotations

from math import trunc  # int() of a float, without the cost of calling the int type
from typing import TYPE_CHECKING

from netutil.sim.segments import (
    CONTROL_BITS,
    F_ACK,
    F_RST,
    F_RST_ACK,
    F_SYN_ACK,
    HALF,
    MASK,
    NOP_OPTION,
    SACK_PERMITTED,
    header,
    make_timestamps,
    peer_syn_options,
)
from netutil.sim.states import ESTABLISHED, SYN_RECEIVED
from netutil.sim.timers import RETRANSMISSION

if TYPE_CHECKING:
    from netutil.segment import TCPHeader


class Opening:
    """The opening of a connection, as methods of `endpoint.TCB`."""

    __slots__ = ()

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
            if self.snd_una > self.iss:
                self._syn_ack_arrives(h, seg_ack)
                return "accepted"
            # S12: simultaneous open
            self.snd_wnd = self.max_snd_wnd = h.window
            self.snd_wl1 = self.rcv_nxt - 1
            self._set_state(SYN_RECEIVED, "S12")
            self._send_syn(F_SYN_ACK)
            return "accepted"
        # fifth: neither SYN nor RST (S13)
        return "dropped"

    def _syn_ack_arrives(self, h: TCPHeader, seg_ack: int) -> None:
        """S11: SYN-SENT's SYN,ACK that acknowledges our SYN: established, and its ACK sent."""
        now = self.engine.now
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

    def _syn_options(self, h: TCPHeader) -> None:
        """Take the peer's MSS, window scale and timestamps from its SYN (RFC 9293 3.7.1,
        RFC 7323), and tell the policies the segment size."""
        mss, peer_shift, ts, peer_sack = peer_syn_options(h.options)
        own = self.params.mss
        self.snd_mss = snd_mss = mss if mss < own else own
        params = self.params
        self.receiver = params.receiver(params.rcv_buf, snd_mss)
        # (the policy reads the clock, the RTT estimator, the ISS and the trace from the TCB)
        self.sender = sender = params.sender(snd_mss, self)
        # SACK blocks go to a sender that uses them, when both SYNs offered SACK-permitted
        self.sack_ok = peer_sack and params.sack and sender.uses_sack
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
        if params.sack:
            options = (
                params.syn_mss,
                SACK_PERMITTED,
                make_timestamps(tsval, tsecr),
                NOP_OPTION,
                params.syn_ws,
            )
        else:  # Linux's layout without SACK: MSS, NOP, NOP, TS, NOP, WS
            options = (
                params.syn_mss,
                NOP_OPTION,
                NOP_OPTION,
                make_timestamps(tsval, tsecr),
                NOP_OPTION,
                params.syn_ws,
            )
        h = header(self.port, self.remote_port, self.iss & MASK, ack, f, params.syn_window, options)
        self.network.send(self, h, b"", note)

    def _begin_data(self) -> None:
        """Entering ESTABLISHED: note the time (the first time), and RFC 6298 (5.7): if a SYN
        (or SYN,ACK) timed out and no RTT sample exists, data transmission starts with RTO = 3 s
        (Linux: TCP_TIMEOUT_FALLBACK)."""
        if self.established_at is None:
            self.established_at = self.engine.now
        if self.retransmissions or self.events is not None:
            # RFC 5681 3.1: a lost SYN or SYN,ACK shrinks the IW (and a trace notes the IW)
            self.sender.established(self.retransmissions)
        if self.syn_timed_out:
            self.rtt.fallback()
