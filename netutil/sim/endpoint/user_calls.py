"""The user calls of RFC 9293 sections 3.10.1-3.10.5: OPEN, SEND, RECEIVE, CLOSE, ABORT.

What the endpoint's application asks of it; the error texts are the RFC's.
"""

from __future__ import annotations

from netutil.sim.endpoint.receiving import RECEIVE_STATES
from netutil.sim.endpoint.sending import SEND_STATES
from netutil.sim.segments import F_SYN
from netutil.sim.states import (
    CLOSE_WAIT,
    CLOSED,
    CLOSING,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    LAST_ACK,
    LISTEN,
    SYN_RECEIVED,
    SYN_SENT,
    TIMEWAIT,
)
from netutil.sim.timers import RETRANSMISSION


class ConnectionError_(Exception):
    """A user call the RFC answers with an error ("connection already exists", ...)."""


class UserCalls:
    """The user calls, as methods of `endpoint.TCB`."""

    __slots__ = ()

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
        if self.state in SEND_STATES:
            self._output()

    def receive(self, limit: int) -> bytes:
        """RECEIVE call (section 3.10.3): take up to `limit` bytes the application has not read.

        Freeing buffer space may open the window; if the receiver policy finds it opened enough
        to matter, a window update is sent. The read is traced (`RECEIVE n bytes`), before that
        update, so the ladder can show what moved the window.
        """
        unread = self.unread
        chunk = bytes(unread[:limit])
        del unread[:limit]
        self._app_data_pending = False
        if self.events is not None and chunk:
            self._note("user", f"RECEIVE {len(chunk)} bytes")
        if (
            chunk
            and self.state in RECEIVE_STATES
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
