"""Closing a connection: the peer's FIN (RFC 9293 section 3.10.7.4 eighth), TIME-WAIT and its
2 MSL timeout (section 3.10.8), the TCB deleted (CLOSED) or a passive end back to LISTEN.
"""

from __future__ import annotations

from netutil.sim.segments import MASK
from netutil.sim.states import (
    CLOSE_WAIT,
    CLOSED,
    CLOSING,
    ESTABLISHED,
    FIN_WAIT_1,
    FIN_WAIT_2,
    LISTEN,
    SYN_RECEIVED,
    TIMEWAIT,
)
from netutil.sim.timers import PERSIST, RETRANSMISSION, TIME_WAIT
from netutil.sim.trace import make_timeout


class Closing:
    """The closing of a connection, as methods of `endpoint.TCB`."""

    __slots__ = ()

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
            self.timers.start(TIME_WAIT, 2 * self.params.msl)

    def _enter_time_wait(self, rule: str) -> None:
        deadline = self.timers.deadline
        deadline[RETRANSMISSION] = deadline[PERSIST] = None
        self._set_state(TIMEWAIT, rule)
        if self.finished_at is None and self.close_called_at is not None:
            self.finished_at = self.engine.now  # done with a close the user asked for
        self.timers.start(TIME_WAIT, 2 * self.params.msl)

    def _time_wait_timeout(self) -> None:
        """TIME-WAIT TIMEOUT: delete the TCB (T3)."""
        if self.state is TIMEWAIT:
            if self.events is not None:
                self.events.append(make_timeout(self.engine.now, self.name, "time-wait", None))
            self._delete_tcb("T3")

    def _delete_tcb(self, rule: str, error: str | None = None) -> None:
        if error is not None:
            self.error = error
            self.error_rule = rule
            self._note("error", error)
        self._set_state(CLOSED, rule)
        if self.finished_at is None and self.close_called_at is not None:
            self.finished_at = self.engine.now  # done with a close the user asked for
        self.timers.stop_all()
        self._notify("on_closed", (error,))

    def _back_to_listen(self, rule: str, error: str | None) -> None:
        if error:
            self.error_in_listen = error
            self.error_in_listen_rule = rule
            self._note("error", error)
        self.isn = (self.isn + 64000) & MASK  # a new ISS for the next attempt
        self._reset_tcb()  # (which takes it as ISS)
        self.timers.stop_all()
        self._set_state(LISTEN, rule)
