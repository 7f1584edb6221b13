"""What a run's summary says of a sender's congestion control: its retransmissions by cause, the
time it spent in slow start, and its congestion window's least, mean and largest value."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class CongestionSummary:
    """One sender's congestion-control figures (times in simulated seconds).

    Retransmissions are counted by what caused them: the retransmission timer (`timeout`),
    the third duplicate ACK (`fast_retransmit`, RFC 5681 section 3.2), a partial ACK
    (`partial_ack`: RFC 6582's NewReno, and the holes resent after a timeout) and the SACK
    scoreboard (`sack`, RFC 6675). The cwnd figures (bytes) are weighted by time from
    ESTABLISHED to the last ACK the sender took; `cwnd_mean` is None when no time passed.
    `algorithm` "none" has no congestion window: its cwnd figures and slow-start time are None.
    """

    algorithm: str
    timeout: int
    fast_retransmit: int
    partial_ack: int
    sack: int
    time_in_slow_start: float | None
    cwnd_min: int | None
    cwnd_mean: float | None
    cwnd_max: int | None
    ssthresh: int | None  # the last value; None: never set (still "arbitrarily high")

    def as_dict(self) -> dict[str, Any]:
        return {
            "algorithm": self.algorithm,
            "retransmissions": {
                "timeout": self.timeout,
                "fast_retransmit": self.fast_retransmit,
                "partial_ack": self.partial_ack,
                "sack": self.sack,
            },
            "time_in_slow_start": None
            if self.time_in_slow_start is None
            else round(self.time_in_slow_start, 6),
            "cwnd": {
                "min": self.cwnd_min,
                "mean": None if self.cwnd_mean is None else round(self.cwnd_mean, 1),
                "max": self.cwnd_max,
            },
            "ssthresh": self.ssthresh,
        }
