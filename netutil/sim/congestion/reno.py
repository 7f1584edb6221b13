"""Reno (RFC 5681) and NewReno (RFC 6582): additive increase by one SMSS per round trip,
ssthresh = max(FlightSize / 2, 2*SMSS) on a loss.

The two differ only in fast recovery (see `window.CongestionControl`): Reno's ends at the
first ACK of new data (RFC 5681 section 3.2 step 6), so a second loss in the same window
usually waits for the retransmission timer; NewReno's goes on through partial ACKs, resending
one hole per round trip, until everything sent before the loss is acknowledged.
"""

from __future__ import annotations

from netutil.sim.congestion.window import RULE_RTO, CongestionControl

RULE_AVOID = "RFC 5681 3.1 / RFC 3465: congestion avoidance, cwnd += SMSS per cwnd bytes ACKed"
RULE_REDUCE = "RFC 5681 (4): ssthresh = max(FlightSize / 2, 2*SMSS)"


class Reno(CongestionControl):
    """RFC 5681: slow start, congestion avoidance by byte counting, fast retransmit and fast
    recovery, and (4) after a loss or a timeout."""

    __slots__ = ()

    name = "reno"
    newreno = False

    def _avoid(self, acked: int, now: float) -> str | None:
        # RFC 5681 3.1's byte counting (RFC 3465 section 2.1): when bytes_acked reaches cwnd,
        # bytes_acked -= cwnd and cwnd += SMSS
        bytes_acked = self.bytes_acked + acked
        if bytes_acked >= self.cwnd:
            self.bytes_acked = bytes_acked - self.cwnd
            self._set_cwnd(self.cwnd + self.mss)
            return RULE_AVOID
        self.bytes_acked = bytes_acked
        return None

    def _reduce(self, flight: int, now: float) -> tuple[int, str]:
        self.bytes_acked = 0
        half = flight >> 1
        floor = 2 * self.mss
        return (half if half > floor else floor), RULE_REDUCE

    def _reduce_on_timeout(self, flight: int, now: float) -> tuple[int, str]:
        return self._reduce(flight, now)[0], RULE_RTO


class NewReno(Reno):
    """Reno with RFC 6582's fast recovery: partial ACKs resend the next hole."""

    __slots__ = ()

    name = "newreno"
    newreno = True
