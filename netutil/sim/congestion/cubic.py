"""CUBIC (RFC 9438): after a loss the window follows W_cubic(t) = C (t - K)^3 + W_max, concave
up to the window of the last loss and convex beyond it, never slower than the Reno estimate.

Windows here are in segments (floats, RFC 9438 section 4.1), turned into cwnd bytes as
int(W * SMSS). The constants are the RFC's (and Linux's): C = 0.4, beta_cubic = 0.7, fast
convergence on (section 4.7). t runs from the start of the congestion-avoidance stage (the
first ACK after fast recovery, or after slow start), and the target is W_cubic(t + RTT) with
RTT the connection's SRTT (RFC 6298; Linux uses the least RTT seen). Loss recovery is the
shared one of `window.CongestionControl` with NewReno's partial ACKs (as Linux's CUBIC uses
NewReno or SACK recovery); with SACK, RFC 6675. Slow start is RFC 5681's (no HyStart++).
"""

from __future__ import annotations

from netutil.sim.congestion.window import CongestionControl

C = 0.4  # RFC 9438 section 5.1 (segments / s^3)
BETA = 0.7  # RFC 9438 section 4.6
ALPHA = 3 * (1 - BETA) / (1 + BETA)  # RFC 9438 section 4.3, eq. 4: 0.5294...

RULE_FRIENDLY = "RFC 9438 4.3: Reno-friendly region, cwnd = W_est"
RULE_CONCAVE = "RFC 9438 4.4: concave region, cwnd += (target - cwnd) / cwnd"
RULE_CONVEX = "RFC 9438 4.5: convex region, cwnd += (target - cwnd) / cwnd"


def cubic_window(t: float, k: float, w_max: float) -> float:
    """RFC 9438 section 4.2, eq. 1: W_cubic(t) = C (t - K)^3 + W_max (segments)."""
    d = t - k
    return C * d * d * d + w_max


def cubic_k(w_max: float, cwnd_epoch: float) -> float:
    """RFC 9438 section 4.2, eq. 2: K = cbrt((W_max - cwnd_epoch) / C) (seconds)."""
    x = (w_max - cwnd_epoch) / C
    return x ** (1.0 / 3.0) if x >= 0 else -((-x) ** (1.0 / 3.0))


class Cubic(CongestionControl):
    """RFC 9438 CUBIC with fast convergence and the Reno-friendly region."""

    __slots__ = ()  # (its state is in CongestionControl's slots: one constructor)

    name = "cubic"
    newreno = True

    def _avoid(self, acked: int, now: float) -> str | None:
        mss = self.mss
        if self.t_epoch is None:
            # a new congestion-avoidance stage (RFC 9438 4.2; 4.8 after a timeout and 4.10
            # after a slow start that ended without loss: K = 0, W_max = cwnd)
            self.t_epoch = now
            self._w = w = self.cwnd / mss
            self.cwnd_epoch = self.w_est = w
            if self._after_timeout or self.w_max <= w:
                self.k = 0.0
                self.w_max = w
                if self.cwnd_prior < w:
                    self.cwnd_prior = w
                self._after_timeout = False
            else:
                self.k = cubic_k(self.w_max, w)
        w = self._w
        segments = acked / mss
        t = now - self.t_epoch
        srtt = self.rtt.srtt
        target = cubic_window(t + (srtt if srtt is not None else 0.0), self.k, self.w_max)
        if target < w:
            target = w
        elif target > 1.5 * w:
            target = 1.5 * w
        # RFC 9438 4.3: W_est grows as AIMD(alpha_cubic, beta) would; alpha 1 once past cwnd_prior
        self.w_est = w_est = self.w_est + (1.0 if self.w_est >= self.cwnd_prior else ALPHA) * (
            segments / w
        )
        if cubic_window(t, self.k, self.w_max) < w_est:
            w = w_est
            rule = RULE_FRIENDLY
        else:
            w += (target - w) / w * segments
            rule = RULE_CONCAVE if w < self.w_max else RULE_CONVEX
        self._w = w
        cwnd = int(w * mss)
        if cwnd == self.cwnd:
            return None
        self._set_cwnd(cwnd)
        return rule

    def _reduce(self, flight: int, now: float) -> tuple[int, str]:
        # RFC 9438 4.7 fast convergence, then 4.6: ssthresh = flight_size * beta_cubic
        mss = self.mss
        cwnd = self.cwnd / mss
        if cwnd < self.w_max:
            self.w_max = cwnd * (1 + BETA) / 2
            how = "4.7 fast convergence: W_max = cwnd * (1 + beta) / 2"
        else:
            self.w_max = cwnd
            how = "W_max = cwnd"
        self.cwnd_prior = cwnd
        self.t_epoch = None
        ssthresh = int(flight * BETA)
        if ssthresh < 2 * mss:
            ssthresh = 2 * mss
        return ssthresh, (
            f"RFC 9438 4.6: ssthresh = FlightSize * 0.7; {how} = {self.w_max:.2f} segments"
        )

    def _reduce_on_timeout(self, flight: int, now: float) -> tuple[int, str]:
        ssthresh, _ = self._reduce(flight, now)
        self._after_timeout = True
        return ssthresh, (
            "RFC 9438 4.8: ssthresh = FlightSize * 0.7, cwnd = 1 SMSS; next stage K = 0, "
            "W_max = cwnd"
        )

    def _recovery_ends(self, now: float) -> None:
        self.t_epoch = None
