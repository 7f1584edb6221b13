"""RFC 9293 section 3.10.7.4: a segment that arrives in SYN-RECEIVED or a synchronized state,
the RFC's checks in its order, one method each (first: sequence number, second: RST, fourth:
SYN, fifth: ACK, seventh: segment text, eighth: FIN; the third, security, and the sixth, URG,
are not modelled). Every state change records its rule id (`states.TRANSITIONS`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netutil.sim.endpoint.receiving import RECEIVE_STATES
from netutil.sim.segments import CONTROL_BITS, F_RST, F_SYN_ACK, HALF, MASK
from netutil.sim.states import (
    CLOSE_WAIT,
    CLOSING,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    LAST_ACK,
    SYN_RECEIVED,
    TIMEWAIT,
    State,
)
from netutil.sim.tcb import OOW_RATE_LIMIT
from netutil.sim.timers import DELAYED_ACK, PERSIST, RETRANSMISSION, TIME_WAIT

if TYPE_CHECKING:
    from netutil.segment import TCPHeader


class SegmentChecks:
    """The checks of section 3.10.7.4, as methods of `endpoint.TCB`."""

    __slots__ = ()

    def _other_arrives(self, h: TCPHeader, payload: bytes) -> str:
        """Section 3.10.7.4: SYN-RECEIVED and the synchronized states, the RFC's checks in order.

        Each check returns the arrival's result when it ends the processing of the segment.
        """
        syn, fin, rst, ack = CONTROL_BITS[h.flags + 0]
        seg_len = len(payload) + syn + fin
        # first: check sequence number (and trim the segment to the window)
        checked = self._check_sequence(h.seq, seg_len, syn, fin, rst, ack, payload)
        if checked.__class__ is int:
            seq = checked  # acceptable as it is (the common case: no tuple made)
        elif checked.__class__ is str:
            return checked
        else:
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
        self, seg_seq: int, seg_len: int, syn: int, fin: int, rst: int, ack: int, payload: bytes
    ) -> int | tuple[int, int, int, int, bytes] | str:
        """First check: the acceptability test (Table 6) and the trim to the window.

        Returns SEG.SEQ (unwrapped) for a segment processed as it is; for one trimmed or let
        through by an allowance, the segment as it is processed further (SEG.SEQ, SEG.LEN
        before the trim, SYN, FIN, text); for an unacceptable segment, the result (S14 ACK, S34
        TIME-WAIT restart, or Linux's duplicate-SYN reply).
        """
        rcv_nxt = self.rcv_nxt
        seq = rcv_nxt + ((seg_seq - rcv_nxt + HALF) & MASK) - HALF
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
            return self._allowances(seq, seg_len, wnd, syn, fin, rst, ack, payload)
        if seq < rcv_nxt or seq + len(payload) > rcv_nxt + wnd:
            return self._trim(seq, seg_len, wnd, syn, fin, payload)
        return seq

    def _allowances(
        self,
        seq: int,
        seg_len: int,
        wnd: int,
        syn: int,
        fin: int,
        rst: int,
        ack: int,
        payload: bytes,
    ) -> tuple[int, int, int, int, bytes] | str:
        """A segment the table refuses, but for the two cases the RFC lets through: the repeated
        SYN of a simultaneous open's SYN,ACK, and an ACK (or RST) at RCV.NXT into a zero window.
        Anything else is `_unacceptable`."""
        rcv_nxt = self.rcv_nxt
        ok = False
        if syn and ack and self.state is SYN_RECEIVED and not self.passive and seq == rcv_nxt - 1:
            # Simultaneous open (Figure 7): the peer's SYN,ACK repeats the SYN we have;
            # only its new part - the ACK - is processed.
            syn = 0
            seq += 1
            seg_len -= 1
            ok = seg_len == 0 or (wnd > 0 and seq < rcv_nxt + wnd)
        elif wnd == 0 and seq == rcv_nxt:
            # "special allowance should be made to accept valid ACKs, URGs, and RSTs"
            payload, fin, seg_len, ok = b"", 0, 0, True
            self._ack_now = True
        if not ok:
            return self._unacceptable(seq, syn, fin, rst, ack)
        return self._trim(seq, seg_len, wnd, syn, fin, payload)

    def _trim(
        self, seq: int, seg_len: int, wnd: int, syn: int, fin: int, payload: bytes
    ) -> tuple[int, int, int, int, bytes]:
        """Trim an acceptable segment to the window: "only the new parts are processed" (a SYN
        or text before RCV.NXT is cut off, and text beyond the window with the FIN after it)."""
        rcv_nxt = self.rcv_nxt
        plen = len(payload)
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
            self.timers.start(TIME_WAIT, 2 * self.params.msl)
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
            if not self._syn_acked(h, seq, seg_ack):
                return "reset sent"
            state = ESTABLISHED
        if seg_ack > self.snd_nxt:
            if not (
                seg_ack == self.snd_nxt + 1
                and self.persist_backoff
                and self.params.octet_probe
                and self.snd_nxt < self.data_end
            ):
                self._send_ack(None)  # S25
                return "dropped"
            self.snd_nxt = seg_ack  # the receiver took the octet of our window probe
        # (SACK blocks come beyond NOP, NOP, Timestamps when those are on)
        if self.sack_ok and len(h.options) > 3 * self.ts_ok:
            self._sack_arrives(h.options)
        if seg_ack > self.snd_una:
            self._new_ack(seg_ack)
        elif seg_ack == self.snd_una and seg_len == 0 and self.snd_nxt > self.snd_una:
            self._duplicate_ack(h.window)  # if it is one (RFC 5681 section 2)
        # window update (SND.UNA =< SEG.ACK =< SND.NXT), from a segment newer than the last
        # that set it (SND.WL1, SND.WL2); a window that opens stops the persist timer (3.8.6.1)
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
        # (whether our FIN is acknowledged: asked only in the states that wait for it)
        if state is ESTABLISHED or state is CLOSE_WAIT or state is FIN_WAIT_2:
            return None
        return self._fin_acked(state)

    def _syn_acked(self, h: TCPHeader, seq: int, seg_ack: int) -> bool:
        """The fifth check in SYN-RECEIVED: an acceptable ACK of our SYN establishes (S23, with
        the window it carries); any other is answered with a RST (S24). True: established."""
        if self.snd_una < seg_ack <= self.snd_nxt:
            self.snd_wnd = h.window << self.snd_wscale
            if self.snd_wnd > self.max_snd_wnd:
                self.max_snd_wnd = self.snd_wnd
            self.snd_wl1, self.snd_wl2 = seq, seg_ack
            self._set_state(ESTABLISHED, "S23")
            self._begin_data()
            self._notify("on_established")
            return True
        self._reply_rst(h, F_RST, h.ack, 0, "S24")
        return False

    def _fin_acked(self, state: State) -> str | None:
        """The end of the fifth check in FIN-WAIT-1, CLOSING, LAST-ACK and TIME-WAIT: whether
        our FIN is acknowledged (S26-S28). None: go on to the segment text."""
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
        if payload and self.state in RECEIVE_STATES:
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
            receiver = self.receiver
            if receiver.ack_now(in_order, plen):
                self._ack_now = True
            elif not self._ack_owed:
                # the delayed ACK (RFC 9293 3.8.6.3): the timer runs from the first text that
                # is not acknowledged at once
                self._ack_owed = True
                self.timers.start(DELAYED_ACK, receiver.delay)
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
