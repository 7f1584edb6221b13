"""RFC 6298's retransmission timeout: the smoothed round-trip time estimator and the RTO it gives.

One `RtoEstimator` per connection. `sample(r)` takes one round-trip measurement (the sender
applies Karn's rule: only segments sent once are timed), `back_off()` doubles the RTO on a
retransmission timeout (5.5), `fallback()` is (5.7)'s 3 s after a handshake that timed out.
"""

from __future__ import annotations

RTO_INITIAL = 1.0  # RFC 6298 (2.1)
RTO_MIN = 1.0  # RFC 6298 (2.4)
RTO_MAX = 120.0  # RFC 6298 (2.5) allows >= 60 s; Linux TCP_RTO_MAX
RTO_SYN_FALLBACK = 3.0  # RFC 6298 (5.7)
CLOCK_GRANULARITY = 0.001  # G in RFC 6298 (2.2)/(2.3)


class RtoEstimator:
    """SRTT, RTTVAR and RTO of RFC 6298 section 2 (alpha 1/8, beta 1/4, K 4, G 1 ms)."""

    __slots__ = ("rto", "rttvar", "srtt")

    def __init__(self) -> None:
        self.rto = RTO_INITIAL  # (2.1)
        self.srtt: float | None = None
        self.rttvar = 0.0

    def sample(self, r: float) -> None:
        """One measurement R: (2.2) for the first, (2.3) after, then (2.4) and (2.5)."""
        if self.srtt is None:
            self.srtt = r
            self.rttvar = r / 2
        else:
            self.rttvar = 0.75 * self.rttvar + 0.25 * abs(self.srtt - r)
            self.srtt = 0.875 * self.srtt + 0.125 * r
        k_rttvar = 4 * self.rttvar  # K = 4
        rto = self.srtt + (k_rttvar if k_rttvar > CLOCK_GRANULARITY else CLOCK_GRANULARITY)
        self.rto = RTO_MIN if rto < RTO_MIN else (RTO_MAX if rto > RTO_MAX else rto)

    def back_off(self) -> None:
        """(5.5): the timer expired; double the RTO, up to the maximum."""
        rto = self.rto * 2
        self.rto = rto if rto < RTO_MAX else RTO_MAX

    def fallback(self) -> None:
        """(5.7): a SYN timed out and no sample exists yet: data starts with RTO = 3 s."""
        if self.srtt is None:
            self.rto = RTO_SYN_FALLBACK
