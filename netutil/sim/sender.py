"""Sender policy: how much the sender may have in flight and how it answers ACKs, duplicate
ACKs and timeouts (congestion control and loss recovery), behind one small interface.

In the spirit of smoltcp's congestion `Controller`: the endpoint makes the policy when the SYN
exchange has fixed the MSS, as `SenderPolicy(mss, tcb)` (initial windows are counted in the
MSS; from the TCB a policy may read, in its constructor only, the engine for the time, the
`rto.RtoEstimator` whose SRTT CUBIC reads, the ISS, so that the ACK of the SYN is not taken for
data, and whether a trace is kept). It reads the policy's `window` before it sends (at most
min(peer's window, `window`) beyond SND.UNA: RFC 5681 section 3.1's min(cwnd, rwnd)), and
reports every ACK of new data (`on_new_ack`), every duplicate ACK as RFC 5681 section 2
defines it (`on_duplicate_ack`) and every retransmission timeout after the handshake
(`on_timeout`); the answers of the first two say whether to retransmit now. The endpoint keeps
the sequence space, the retransmission timer and the RTO. A policy that changes congestion
state tells the trace through `report` (the TCB's `_congestion_note` when a trace is kept;
None in Monte Carlo runs, which keep none).

On entering ESTABLISHED after a lost SYN or SYN,ACK, or whenever a trace is kept, the endpoint
calls `established(syn_retransmissions)` (RFC 5681 section 3.1: a one-segment initial window
after a loss; a trace notes the initial window). With SACK in use,
`on_sack(blocks)` hands it the SACK blocks of each arriving ACK before the ACK itself (RFC
2018; unwrapped (left, right) pairs, right the first sequence number after the block); when an
answer says "retransmit", `retransmissions(snd_una)` lists the (seq, length) segments to
resend (RFC 6675's NextSeg; by default SND.UNA's alone). `summary()` gives the figures the
run's summary reports.

The algorithms themselves live in `netutil.sim.congestion` (Reno, NewReno, CUBIC).
`NoCongestionControl` is the first implementation: no congestion window (the receiver's window
alone limits the sender), fast retransmit on the third duplicate ACK (RFC 5681 section 3.2) and,
until everything sent before a loss is acknowledged, one retransmission per partial ACK
(RFC 6582's `recover`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

DUP_ACK_THRESHOLD = 3  # RFC 5681 section 3.2

#: The `window` of a policy without a congestion window: larger than any scaled window.
UNLIMITED = 1 << 62


class SenderPolicy:
    """The interface an endpoint's sender uses (subclass it; one object per connection).

    Sequence numbers are the endpoint's unwrapped integers; `flight` is SND.NXT - SND.UNA.
    """

    __slots__ = ("mss", "report", "window")

    #: whether it reads SACK blocks (`on_sack`); the endpoint hands none to a policy that does not
    uses_sack = False

    def __init__(self, mss: int, tcb: Any = None) -> None:
        self.mss = mss  # the sender's MSS (SMSS of RFC 5681), fixed by the SYN exchange
        #: Bytes the sender may have beyond SND.UNA (cwnd), before the peer's window is applied.
        self.window = UNLIMITED
        #: Where congestion state changes go, or None: nothing is traced. Called as
        #: report(cwnd, ssthresh or None, bytes in flight, phase, rule or None).
        self.report: Callable[[int, int | None, int, str, str | None], None] | None = None

    def established(self, syn_retransmissions: int) -> None:
        """The connection is ESTABLISHED after this many SYN (or SYN,ACK) retransmissions."""

    def on_sack(self, blocks: tuple[tuple[int, int], ...]) -> None:
        """The SACK blocks of the ACK about to be reported (RFC 2018 section 3)."""

    def retransmissions(self, snd_una: int) -> tuple[tuple[int, int], ...]:
        """After an answer of True: (sequence number, at most this many bytes) to resend now."""
        return ((snd_una, self.mss),)

    def summary(self) -> Any:
        """What the run's summary reports of this sender (see `congestion.CongestionSummary`)."""
        return None

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

    __slots__ = ("dupacks", "fast_retransmits", "partial_acks", "recover", "timeouts")

    def __init__(self, mss: int, tcb: Any = None) -> None:
        self.mss = mss
        self.window = UNLIMITED  # no congestion window
        self.report = None
        self.dupacks = 0
        self.recover: int | None = None  # SND.NXT when the loss was detected; None: none
        self.timeouts = self.fast_retransmits = self.partial_acks = 0

    def on_new_ack(self, ack: int, acked: int, snd_nxt: int) -> bool:
        self.dupacks = 0
        if ack >= snd_nxt:
            self.recover = None
            return False
        recover = self.recover
        if recover is not None:
            if ack < recover:
                self.partial_acks += 1
                return True  # a partial ACK: the next hole is lost too
            self.recover = None
        return False

    def on_duplicate_ack(self, snd_una: int, snd_nxt: int) -> bool:
        self.dupacks = dupacks = self.dupacks + 1
        if dupacks == DUP_ACK_THRESHOLD and (self.recover is None or snd_una >= self.recover):
            self.recover = snd_nxt
            self.fast_retransmits += 1
            return True
        return False

    def on_timeout(self, snd_una: int, snd_nxt: int) -> None:
        self.recover = snd_nxt
        self.dupacks = 0
        self.timeouts += 1

    def summary(self) -> Any:
        from netutil.sim.congestion.summary import CongestionSummary

        return CongestionSummary(
            "none", self.timeouts, self.fast_retransmits, self.partial_acks, 0,
            None, None, None, None, None,
        )  # fmt: skip
