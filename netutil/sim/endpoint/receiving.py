"""The receiving side: arriving text handed to the application in sequence, and what is beyond
RCV.NXT taken back from the receiver policy's reassembly once RCV.NXT reaches it (RFC 9293
section 3.10.7.4 seventh; when to ACK and what window to offer are `receiver.ReceiverPolicy`'s).
"""

from __future__ import annotations

from netutil.sim.states import State
from netutil.sim.trace import make_timeout

# States in which arriving text is delivered (section 3.10.7.4 seventh).
RECEIVE_STATES = (State.ESTABLISHED, State.FIN_WAIT_1, State.FIN_WAIT_2)
# States in which no ACK is sent (the connection is gone or not yet there).
_NO_ACK_STATES = (State.CLOSED, State.LISTEN, State.SYN_SENT, State.TIME_WAIT)


class Receiving:
    """The receiving side, as methods of `endpoint.TCB`."""

    __slots__ = ()

    def _deliver(self, payload: bytes) -> None:
        self.unread += payload
        self.rcv_nxt += len(payload)
        if not self._app_data_pending:
            self._app_data_pending = True
            self._notify("on_data")

    def _delayed_ack_timeout(self) -> None:
        """The delayed-ACK timer expired: send the ACK it held back (RFC 1122 section 4.2.3.2:
        within 0.5 s of the text's arrival)."""
        if not self._ack_owed or self.state in _NO_ACK_STATES:
            return
        events = self.events
        if events is not None:
            events.append(make_timeout(self.engine.now, self.name, "delayed-ack", None))
        self._send_ack(None)

    def _pull_reassembly(self) -> None:
        """Move out-of-order text that is now in sequence to the application."""
        receiver = self.receiver
        while True:
            payload = receiver.pull(self.rcv_nxt)
            if payload is None:
                return
            self._deliver(payload)
