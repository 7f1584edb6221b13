"""The segments this endpoint forms after its SYN: the header of each (window, ACK, timestamps)
and the resets (RFC 9293 sections 3.1, 3.5.2 and 3.10.5; RFC 7323 section 4.1).
"""

from __future__ import annotations

from math import trunc  # int() of a float, without the cost of calling the int type
from typing import TYPE_CHECKING

from netutil.segment import SACK
from netutil.sim.segments import F_ACK, F_RST, MASK, NOP_OPTION, header, make_timestamps
from netutil.sim.timers import DELAYED_ACK

if TYPE_CHECKING:
    from netutil.segment import TCPHeader


class Headers:
    """The segments an endpoint forms, as methods of `endpoint.TCB`."""

    __slots__ = ()

    def _transmit(self, f: int, seq: int, payload: bytes, note: str | None) -> None:
        """Form a segment <SEQ=seq><ACK=RCV.NXT><CTL=f> and hand it to the network.

        `f` always has ACK: once a connection is established the acknowledgment number is
        always sent (section 3.1); SYNs are `_send_syn`'s, RSTs `_send_reset`'s and `_reply_rst`'s.
        The window field is RCV.WND as the receiver policy offers it.
        """
        rcv_nxt = self.rcv_nxt
        self._ack_now = False
        if self._ack_owed:  # this segment carries the ACK the delayed-ACK timer waits for
            self._ack_owed = False
            self.timers.deadline[DELAYED_ACK] = None
            self.receiver.ack_sent()
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
        if self.sack_ok and self.receiver.held:
            # SACK blocks of the text held beyond RCV.NXT, newest first (RFC 2018 section 4):
            # 3 fit beside Timestamps in the 40 bytes of options, else 4
            blocks = self.receiver.sack_blocks(rcv_nxt, 3 if self.ts_ok else 4)
            if blocks:
                sack = SACK(tuple((left & MASK, right & MASK) for left, right in blocks))
                options = (*options, NOP_OPTION, NOP_OPTION, sack)
        h = header(self.port, self.remote_port, seq & MASK, rcv_nxt & MASK, f, window, options)
        self.network.send(self, h, payload, note)

    def _send_ack(self, note: str | None) -> None:
        self._transmit(F_ACK, self.snd_nxt, b"", note)

    def _send_reset(self) -> None:
        """ABORT's <SEQ=SND.NXT><CTL=RST> (section 3.10.5): no ACK, no window, no options."""
        h = header(self.port, self.remote_port, self.snd_nxt & MASK, 0, F_RST, 0, ())
        self.network.send(self, h, b"", None)

    def _reply_rst(self, h: TCPHeader, f: int, seq: int, ack: int, rule: str) -> None:
        """A RST in reply to `h` (sections 3.5.2 and 3.10.7), from whatever state we are in."""
        reply = header(h.dst_port, h.src_port, seq & MASK, ack, f, 0, ())
        self.network.send(self, reply, b"", f"reset ({rule})")
