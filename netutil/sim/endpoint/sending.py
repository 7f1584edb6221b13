"""The sending side: queued data and the FIN sent as the windows allow (with sender SWS
avoidance), ACKs of new data and duplicate ACKs, retransmission (RFC 6298, RFC 5681 section
3.2) and the persist timer's zero-window probes (RFC 9293 section 3.8.6.1). What the sender may
have in flight and how it reacts to ACKs and timeouts is `sender.SenderPolicy`'s.
"""

from __future__ import annotations

from typing import Any

from netutil.segment import SACK
from netutil.sim.rto import RTO_MAX
from netutil.sim.segments import (
    F_ACK,
    F_FIN_ACK,
    F_FIN_PSH_ACK,
    F_PSH_ACK,
    F_SYN,
    F_SYN_ACK,
    HALF,
    MASK,
)
from netutil.sim.states import (
    CLOSE_WAIT,
    CLOSED,
    CLOSING,
    ESTABLISHED,
    FIN_WAIT_1,
    LAST_ACK,
    LISTEN,
    SYN_RECEIVED,
    SYN_SENT,
    TIMEWAIT,
)
from netutil.sim.tcb import RETRIES2
from netutil.sim.timers import PERSIST, RETRANSMISSION
from netutil.sim.trace import make_timeout

# States in which queued data and the FIN may be sent.
# (Tuples, not sets: `in` on a tuple compares identity first, while a set would call the
# Enum's Python-level __hash__; a miss still costs a comparison per member.)
# CLOSING is one: a CLOSE queues the FIN behind unsent data, and the peer's FIN may arrive
# (FIN-WAIT-1 -> CLOSING) before that data has gone out.
SEND_STATES = (ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, LAST_ACK, CLOSING)


class Sending:
    """The sending side, as methods of `endpoint.TCB`."""

    __slots__ = ()

    def _output(self) -> None:
        """Send what the windows allow: queued data, then the FIN; else a pending ACK."""
        data_end = self.data_end
        # (the state test last: most calls have nothing queued, and `in` on a tuple of Enum
        # members pays a full comparison for every member that is not the one)
        if (
            self.snd_nxt < data_end or (self.fin_queued and not self.fin_sent)
        ) and self.state in SEND_STATES:
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
                self._policy_retransmit("retransmission (partial ACK)")

    def _duplicate_ack(self, window: int) -> None:
        """An ACK of nothing new, without text, while data is outstanding: a duplicate ACK if
        it also leaves the window as it was (RFC 5681 section 2); the sender policy says what
        it means (fast retransmit on the third, RFC 5681 section 3.2)."""
        if (window << self.snd_wscale) == self.snd_wnd and self.sender.on_duplicate_ack(
            self.snd_una, self.snd_nxt
        ):
            self.rtt_seq = None
            self._policy_retransmit("fast retransmission")

    def _sack_arrives(self, options: tuple[Any, ...]) -> None:
        """Hand an arriving ACK's SACK blocks to the sender policy, unwrapped (RFC 2018)."""
        for option in options:
            if type(option) is SACK:
                una = self.snd_una
                self.sender.on_sack(
                    tuple(
                        (
                            una + ((left - una + HALF) & MASK) - HALF,
                            una + ((right - una + HALF) & MASK) - HALF,
                        )
                        for left, right in option.blocks
                    )
                )
                return

    def _policy_retransmit(self, note: str) -> None:
        """Resend what the sender policy names: SND.UNA's segment, or with SACK the lost
        holes RFC 6675's NextSeg chose."""
        due = self.sender.retransmissions(self.snd_una)
        if len(due) == 1 and due[0][0] == self.snd_una:
            self._retransmit_head(note)
            return
        for seq, most in due:
            if seq >= self.snd_una:
                self._retransmit_head("retransmission (SACK)", seq, most)

    def _retransmit_head(self, note: str, seq: int = -1, most: int = 0) -> None:
        """Resend the earliest unacknowledged segment (RFC 6298 (5.4)), or with `seq` the one
        there, of at most `most` bytes (SACK recovery)."""
        self.retransmissions += 1
        if self.snd_una == self.iss:  # the SYN itself is unacknowledged
            self._send_syn(F_SYN if self.irs is None else F_SYN_ACK, note)
            return
        if seq < 0:
            seq = self.snd_una
            most = self.snd_mss
        data_sent_end = min(self.snd_nxt, self.data_end)
        n = min(most, data_sent_end - seq) if seq < data_sent_end else 0
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
            events.append(make_timeout(self.engine.now, self.name, "retransmission", self.rtt.rto))
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
        """The persist timer (section 3.8.6.1): probe a zero window.

        The RFC's probe is one octet of new data at SND.NXT, beyond the window: the receiver
        answers with its window, and takes the octet if the window has opened meanwhile (its
        ACK of SND.NXT + 1 is then taken as ours, see `_check_ack`). SND.NXT stays put until
        then, so the probe is no data in flight: no retransmission timer, no duplicate ACKs.
        Linux's probe (and the RFC's when only a FIN is left to send) is an empty ACK with
        SEQ = SND.UNA - 1, which fails the receiver's acceptability test and so draws an ACK.
        """
        if self.state not in SEND_STATES or self.snd_nxt != self.snd_una:
            return
        if self.snd_wnd:
            self._output()
            return
        if self.events is not None:
            self.events.append(make_timeout(self.engine.now, self.name, "persist", None))
        nxt = self.snd_nxt
        if self.params.octet_probe and nxt < self.data_end:
            off = nxt - self.iss - 1
            self._transmit(F_ACK, nxt, self.send_data[off : off + 1], "window probe: 1 octet")
        else:
            self._transmit(F_ACK, self.snd_una - 1, b"", "window probe: SEQ=SND.UNA-1")
        self.persist_backoff += 1
        self._start_persist()

    def _start_persist(self) -> None:
        """The persist timer at one RTO, doubled per probe sent, at most RTO_MAX."""
        self.timers.start(PERSIST, min(self.rtt.rto * (1 << self.persist_backoff), RTO_MAX))
