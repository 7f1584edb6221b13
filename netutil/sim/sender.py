"""Sender policy: how much the sender may have in flight and how it answers ACKs, duplicate
ACKs and timeouts (congestion control and loss recovery), behind one small interface.

In the spirit of smoltcp's congestion `Controller`: the endpoint makes the policy when the SYN
exchange has fixed the MSS (`SenderPolicy(mss)`: initial windows are counted in it), reads its
`window` before it sends (it sends at most min(peer's window, `window`) beyond SND.UNA: RFC 5681
section 3.1's min(cwnd, rwnd)), and reports every ACK of new data (`on_new_ack`), every
duplicate ACK as RFC 5681 section 2 defines it (`on_duplicate_ack`) and every retransmission
timeout after the handshake (`on_timeout`); the answers of the first two say whether to
retransmit the first unacknowledged segment now. The endpoint keeps the
sequence space, the retransmission timer and the RTO (see `rto.RtoEstimator`). A policy that
changes congestion state (cwnd, ssthresh, recovery) tells the trace through `report`, set by the
endpoint when a trace is kept (None in Monte Carlo runs, which keep none).

`NoCongestionControl` is the first implementation: no congestion window (the receiver's window
alone limits the sender), fast retransmit on the third duplicate ACK (RFC 5681 section 3.2) and,
until everything sent before a loss is acknowledged, one retransmission per partial ACK
(RFC 6582's `recover`).
"""

from __future__ import annotations

from collections.abc import Callable

DUP_ACK_THRESHOLD = 3  # RFC 5681 section 3.2

#: The `window` of a policy without a congestion window: larger than any scaled window.
UNLIMITED = 1 << 62


class SenderPolicy:
    """The interface an endpoint's sender uses (subclass it; one object per connection).

    Sequence numbers are the endpoint's unwrapped integers; `flight` is SND.NXT - SND.UNA.
    """

    __slots__ = ("mss", "report", "window")

    def __init__(self, mss: int) -> None:
        self.mss = mss  # the sender's MSS (SMSS of RFC 5681), fixed by the SYN exchange
        #: Bytes the sender may have in flight (cwnd), before the peer's window is applied.
        self.window = UNLIMITED
        #: Where congestion state changes go (text for the trace), or None: nothing is traced.
        self.report: Callable[[str], None] | None = None

    def on_new_ack(self, ack: int, acked: int, snd_nxt: int) -> bool:
        """SEG.ACK acknowledged `acked` new bytes; True: retransmit SND.UNA's segment now."""
        raise NotImplementedError

    def on_duplicate_ack(self, snd_una: int, snd_nxt: int) -> bool:
        """A duplicate ACK (RFC 5681 section 2); True: retransmit SND.UNA's segment now."""
        raise NotImplementedError

    def on_timeout(self, snd_una: int, snd_nxt: int) -> None:
        """The retransmission timer expired; the endpoint resends SND.UNA's segment."""
        raise NotImplementedError


class NoCongestionControl(SenderPolicy):
    """Flow control only: fast retransmit on the third duplicate ACK, and one retransmission
    per partial ACK until `recover` (RFC 5681 section 3.2, RFC 6582 section 3.2)."""

    __slots__ = ("dupacks", "recover")

    def __init__(self, mss: int) -> None:
        self.mss = mss
        self.window = UNLIMITED  # no congestion window
        self.report = None
        self.dupacks = 0
        self.recover: int | None = None  # SND.NXT when the loss was detected; None: none

    def on_new_ack(self, ack: int, acked: int, snd_nxt: int) -> bool:
        self.dupacks = 0
        if ack >= snd_nxt:
            self.recover = None
            return False
        recover = self.recover
        if recover is not None:
            if ack < recover:
                return True  # a partial ACK: the next hole is lost too
            self.recover = None
        return False

    def on_duplicate_ack(self, snd_una: int, snd_nxt: int) -> bool:
        self.dupacks = dupacks = self.dupacks + 1
        if dupacks == DUP_ACK_THRESHOLD and (self.recover is None or snd_una >= self.recover):
            self.recover = snd_nxt
            return True
        return False

    def on_timeout(self, snd_una: int, snd_nxt: int) -> None:
        self.recover = snd_nxt
        self.dupacks = 0
