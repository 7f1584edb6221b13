"""The congestion window every algorithm shares: slow start, the phases, loss recovery without
SACK (RFC 5681 fast retransmit / fast recovery, RFC 6582 NewReno partial ACKs), the response to
a retransmission timeout, and the trace reports and summary figures.

An algorithm (`reno.Reno`, `reno.NewReno`, `cubic.Cubic`) subclasses `CongestionControl` and
supplies three rules: how cwnd grows in congestion avoidance (`_avoid`), and ssthresh after a
loss found by duplicate ACKs (`_reduce`) or by the timer (`_reduce_on_timeout`). With SACK
(`sack=True`) loss recovery is RFC 6675's scoreboard instead (`scoreboard`).

cwnd, ssthresh and FlightSize are in bytes, as in RFC 5681. Where Linux differs from the RFC
text, this follows the RFC and says so:

* Slow start: RFC 5681 (2), cwnd += min(N, SMSS) per ACK (Linux adds every packet ACKed, so
  with delayed ACKs it grows faster); congestion avoidance by byte counting (RFC 5681 section
  3.1, RFC 3465), Linux counts packets.
* ssthresh from FlightSize (RFC 5681 (4), RFC 9438 section 4.6); Linux from cwnd.
* Fast recovery inflates cwnd by one SMSS per duplicate ACK (RFC 5681 section 3.2); Linux
  uses PRR (RFC 6937) and never inflates. No RACK-TLP (RFC 8985), no F-RTO, no HyStart.
* cwnd grows only while the sender uses it (its flight before the ACK was within one SMSS of
  cwnd), as RFC 7661 and Linux's tcp_is_cwnd_limited do: a window the receiver limits does not
  let cwnd climb without bound.
"""

from __future__ import annotations

from typing import Any

from netutil.sim.congestion.scoreboard import Scoreboard, sack_duplicate_ack, sack_new_ack
from netutil.sim.congestion.summary import CongestionSummary
from netutil.sim.sender import DUP_ACK_THRESHOLD, UNLIMITED, SenderPolicy

# The phases a trace names (Linux's Open state split in two, as RFC 5681 names them)
SLOW_START = "slow_start"
CONGESTION_AVOIDANCE = "congestion_avoidance"
FAST_RECOVERY = "fast_recovery"  # RFC 5681 3.2 / RFC 6582 / RFC 6675, until `recover`
RTO_RECOVERY = "rto_recovery"  # after a timeout, until all sent before it is ACKed
PHASES = (SLOW_START, CONGESTION_AVOIDANCE, FAST_RECOVERY, RTO_RECOVERY)

RULE_SLOW_START = "RFC 5681 (2): slow start, cwnd += min(N, SMSS)"
RULE_LIMITED_TRANSMIT = "RFC 3042: limited transmit, one new segment per duplicate ACK"
RULE_INFLATE = "RFC 5681 3.2 step 4: cwnd += SMSS for each further duplicate ACK"
RULE_DEFLATE = "RFC 5681 3.2 step 6: cwnd = ssthresh (deflate), fast recovery ends"
RULE_FULL_ACK = "RFC 6582 3.2 step 3: full ACK, cwnd = min(ssthresh, max(FlightSize, SMSS) + SMSS)"
RULE_PARTIAL_ACK = (
    "RFC 6582 3.2 step 3: partial ACK, retransmit, cwnd -= acked (+ SMSS if acked >= SMSS)"
)
RULE_FAST_RETRANSMIT = "RFC 5681 3.2 step 3: retransmit, cwnd = ssthresh + 3*SMSS"
RULE_RTO = (
    "RFC 5681 (4) after a timeout: ssthresh = max(FlightSize / 2, 2*SMSS), cwnd = LW = 1 SMSS"
)
RULE_RTO_HELD = "RFC 5681 3.1: timeout again, ssthresh held, cwnd = LW = 1 SMSS"
RULE_RTO_HOLE = "RFC 6582 3.2 step 4: after a timeout, resend the next hole below recover"
RULE_RTO_DONE = "all data sent before the timeout is ACKed: recovery ends"
RULE_SYN_LOST = "RFC 5681 3.1: SYN or SYN,ACK lost, IW = 1 segment"


def initial_window(mss: int, segments: int) -> int:
    """The initial window in bytes: `segments` full-sized segments (RFC 6928's 10 as Linux's
    TCP_INIT_CWND), or with 0 RFC 5681 section 3.1's upper bound by SMSS."""
    if segments:
        return segments * mss
    if mss > 2190:
        return 2 * mss
    if mss > 1095:
        return 3 * mss
    return 4 * mss


def initial_window_rule(segments: int) -> str:
    if not segments:
        return "RFC 5681 3.1: IW by SMSS (2, 3 or 4 segments)"
    if segments == 10:
        return "RFC 6928: IW = 10 segments (Linux TCP_INIT_CWND)"
    return f"IW = {segments} segments (--initial-window)"


class CongestionControl(SenderPolicy):
    """cwnd and ssthresh of RFC 5681 with RFC 6582's or RFC 6675's loss recovery.

    `window` (what the endpoint may have beyond SND.UNA) is cwnd, plus the limited-transmit
    allowance on the first two duplicate ACKs; with SACK it is what keeps RFC 6675's pipe
    within cwnd (see `scoreboard`).
    """

    # No __slots__: an instance dict, so that the state a handshake-only connection never
    # touches is the class's defaults below and the constructor sets only what it must (a
    # Monte Carlo run makes two of these per handshake).
    ssthresh = UNLIMITED  # RFC 5681 3.1: "arbitrarily high"
    phase = SLOW_START
    recover: int | None = None  # RFC 6582's recover; None: no recovery yet
    rto_recover: int | None = None  # SND.NXT at the last timeout, until ACKed
    timed_out = False  # SND.UNA's segment was resent by the timer (RFC 5681 3.1's "already")
    _after_timeout = False
    dupacks = 0
    _lt_from = 0  # SND.NXT at the first duplicate ACK (limited transmit beyond it)
    bytes_acked = 0
    timeouts = fast_retransmits = partial_acks = sack_retransmits = 0
    # CUBIC's (RFC 9438, segments): t_epoch None while no congestion-avoidance stage runs
    w_max = k = cwnd_epoch = cwnd_prior = w_est = _w = 0.0
    t_epoch: float | None = None
    _area = _ss_time = 0.0  # time-weighted cwnd, time in slow start
    scoreboard: Scoreboard | None = None  # made by the first SACK block

    #: the algorithm's name in options and summaries
    name = "reno"
    #: RFC 6582: partial ACKs keep fast recovery going (else RFC 5681's: the first new ACK ends it)
    newreno = False
    #: the settings (`congestion.sender_factory` makes a subclass per setting)
    initial_segments = 10  # IW in segments; 0: RFC 5681 3.1's by SMSS
    uses_sack = False  # RFC 6675 recovery with the SACK blocks the peer sends

    def __init__(self, mss: int, tcb: Any = None) -> None:
        # (one constructor for every algorithm; the rest of the state starts as the class's
        # defaults; see `sender` for what `tcb` gives)
        self.mss = mss
        iw = self.initial_segments
        if iw:
            iw *= mss
        else:
            iw = initial_window(mss, 0)
        self.cwnd = self.window = self.cwnd_min = self.cwnd_max = iw
        if tcb is None:  # (a policy on its own, as tests make one)
            self._clock = self.rtt = self.report = None
            self.data_start = 1
            self._start = self._t_last = 0.0
            return
        self._clock = clock = tcb.engine
        self.rtt = tcb.rtt
        self.data_start = tcb.iss + 1
        self._start = self._t_last = clock.now
        self.report = None if tcb.events is None else tcb._congestion_note

    # ------------------------------------------------------------------ the algorithm's rules

    def _avoid(self, acked: int, now: float) -> str | None:
        """Congestion avoidance for one ACK of `acked` new bytes; the rule, when cwnd changed."""
        raise NotImplementedError

    def _reduce(self, flight: int, now: float) -> tuple[int, str]:
        """ssthresh after a loss detected by duplicate ACKs (or SACK), and the rule."""
        raise NotImplementedError

    def _reduce_on_timeout(self, flight: int, now: float) -> tuple[int, str]:
        """ssthresh after a retransmission timeout, and the rule."""
        return self._reduce(flight, now)

    def _recovery_ends(self, now: float) -> None:
        """Fast recovery is over (CUBIC starts a new epoch at the next ACK)."""

    # ------------------------------------------------------------------ the endpoint's calls

    def established(self, syn_retransmissions: int) -> None:
        # RFC 5681 3.1: a lost SYN or SYN,ACK gives IW = 1 segment; RFC 6928 section 2 (with
        # an explicit initial window, as Linux's tcp_init_transfer): only after more than one
        rule = initial_window_rule(self.initial_segments)
        if syn_retransmissions > (1 if self.initial_segments else 0):
            self.cwnd = self.window = self.cwnd_min = self.cwnd_max = self.mss
            rule = RULE_SYN_LOST
        if self.report is not None:
            self._report(0, rule)

    def _report(self, flight: int, rule: str | None) -> None:
        ssthresh = self.ssthresh
        self.report(
            self.cwnd, None if ssthresh == UNLIMITED else ssthresh, flight, self.phase, rule
        )

    def _account(self, now: float) -> None:
        """Time-weight the cwnd (and the slow-start time) up to now, before it changes."""
        dt = now - self._t_last
        if dt:
            self._area += self.cwnd * dt
            if self.cwnd < self.ssthresh and self.phase is not FAST_RECOVERY:
                self._ss_time += dt
            self._t_last = now

    def _set_cwnd(self, cwnd: int) -> None:
        self.cwnd = cwnd
        if cwnd < self.cwnd_min:
            self.cwnd_min = cwnd
        elif cwnd > self.cwnd_max:
            self.cwnd_max = cwnd

    def on_new_ack(self, ack: int, acked: int, snd_nxt: int) -> bool:
        if ack - acked < self.data_start:  # this ACK covers the SYN: not data (RFC 5681 3.1)
            acked -= 1
            if not acked:
                return False
        now = self._clock.now
        dt = now - self._t_last  # (self._account(now), inlined: once per ACK)
        if dt:
            self._area += self.cwnd * dt
            if self.cwnd < self.ssthresh and self.phase is not FAST_RECOVERY:
                self._ss_time += dt
            self._t_last = now
        flight = snd_nxt - ack
        scoreboard = self.scoreboard
        if scoreboard is not None and scoreboard.recovery_point:
            return self._sack_new_ack(ack, acked, snd_nxt, flight, now)
        self.dupacks = 0
        self.timed_out = False
        retransmit = False
        rule: str | None = None
        phase = self.phase
        if phase is FAST_RECOVERY:
            if self.newreno and ack < self.recover:
                cwnd = self.cwnd - acked + (self.mss if acked >= self.mss else 0)
                self._set_cwnd(cwnd if cwnd > self.mss else self.mss)
                self.partial_acks += 1
                retransmit, rule = True, RULE_PARTIAL_ACK
            else:
                if self.newreno:
                    most = (flight if flight > self.mss else self.mss) + self.mss
                    self._set_cwnd(self.ssthresh if self.ssthresh < most else most)
                    rule = RULE_FULL_ACK
                else:
                    self._set_cwnd(self.ssthresh)
                    rule = RULE_DEFLATE
                self.phase = SLOW_START if self.cwnd < self.ssthresh else CONGESTION_AVOIDANCE
                self._recovery_ends(now)
        else:
            if phase is RTO_RECOVERY:
                if ack < self.rto_recover:
                    retransmit = True  # the next hole of what was in flight at the timeout
                    self.partial_acks += 1
                else:
                    self.rto_recover = None
                    self.phase = SLOW_START
                    rule = RULE_RTO_DONE
            # grow only while cwnd-limited: the flight before this ACK within an SMSS of cwnd
            if flight + acked + self.mss > self.cwnd:
                if self.cwnd < self.ssthresh:
                    self._set_cwnd(self.cwnd + (acked if acked < self.mss else self.mss))
                    rule = RULE_SLOW_START if rule is None else f"{rule}; {RULE_SLOW_START}"
                    if self.cwnd >= self.ssthresh and self.phase is SLOW_START:
                        self.phase = CONGESTION_AVOIDANCE
                else:
                    if self.phase is SLOW_START:
                        self.phase = CONGESTION_AVOIDANCE
                    grown = self._avoid(acked, now)
                    if grown is not None:
                        rule = grown if rule is None else f"{rule}; {grown}"
            if retransmit and rule is None:
                rule = RULE_RTO_HOLE
        self.window = self.cwnd
        if self.report is not None:
            self._report(flight, rule)
        return retransmit

    def on_duplicate_ack(self, snd_una: int, snd_nxt: int) -> bool:
        scoreboard = self.scoreboard
        if scoreboard is not None and (
            scoreboard.recovery_point or (scoreboard.seen and self.phase is not FAST_RECOVERY)
        ):
            return self._sack_duplicate_ack(snd_una, snd_nxt)
        self.dupacks = dupacks = self.dupacks + 1
        phase = self.phase
        if phase is FAST_RECOVERY:
            now = self._clock.now
            self._account(now)
            self._set_cwnd(self.cwnd + self.mss)
            self.window = self.cwnd
            if self.report is not None:
                self._report(snd_nxt - snd_una, RULE_INFLATE)
            return False
        if dupacks < DUP_ACK_THRESHOLD:
            if dupacks == 1:
                self._lt_from = snd_nxt
            # RFC 3042: one new segment per duplicate ACK, cwnd unchanged
            self.window = self.cwnd + dupacks * self.mss
            if self.report is not None:
                self._report(snd_nxt - snd_una, RULE_LIMITED_TRANSMIT)
            return False
        if dupacks > DUP_ACK_THRESHOLD:
            return False
        if self.rto_recover is not None and snd_una < self.rto_recover:
            return False  # RFC 6582 section 4: not after a timeout until it is repaired
        if self.newreno and self.recover is not None and snd_una <= self.recover:
            return False  # RFC 6582 3.2 step 2: this loss was in the window already reduced
        now = self._clock.now
        self._account(now)
        # FlightSize without the limited-transmit segments (RFC 5681 3.2 step 2)
        flight = (self._lt_from if self._lt_from > snd_una else snd_nxt) - snd_una
        self.ssthresh, rule = self._reduce(flight, now)
        self.recover = snd_nxt
        self._set_cwnd(self.ssthresh + 3 * self.mss)
        self.window = self.cwnd
        self.phase = FAST_RECOVERY
        self.fast_retransmits += 1
        if self.report is not None:
            self._report(snd_nxt - snd_una, f"{rule}; {RULE_FAST_RETRANSMIT}")
        return True

    def on_timeout(self, snd_una: int, snd_nxt: int) -> None:
        now = self._clock.now
        self._account(now)
        self.timeouts += 1
        flight = snd_nxt - snd_una
        if self.timed_out:
            rule = RULE_RTO_HELD
        else:
            self.ssthresh, rule = self._reduce_on_timeout(flight, now)
            self.timed_out = True
        self._set_cwnd(self.mss)  # LW
        self.window = self.mss
        self.dupacks = 0
        self.phase = RTO_RECOVERY
        self.rto_recover = self.recover = snd_nxt  # RFC 6582 section 3.2 step 4
        if self.scoreboard is not None:
            self.scoreboard.on_timeout(snd_una, snd_nxt)
        if self.report is not None:
            self._report(flight, rule)

    # ------------------------------------------------------------------ SACK (RFC 6675)

    def on_sack(self, blocks: tuple[tuple[int, int], ...]) -> None:
        scoreboard = self.scoreboard
        if scoreboard is None:
            self.scoreboard = scoreboard = Scoreboard(self.mss)
        scoreboard.add(blocks)

    def _sack_new_ack(self, ack: int, acked: int, snd_nxt: int, flight: int, now: float) -> bool:
        return sack_new_ack(self, ack, acked, snd_nxt, flight, now)

    def _sack_duplicate_ack(self, snd_una: int, snd_nxt: int) -> bool:
        return sack_duplicate_ack(self, snd_una, snd_nxt)

    def retransmissions(self, snd_una: int) -> tuple[tuple[int, int], ...]:
        scoreboard = self.scoreboard
        if scoreboard is None or not scoreboard.due:
            return ((snd_una, self.mss),)
        return scoreboard.take_retransmissions(snd_una)

    # ------------------------------------------------------------------ summary

    def summary(self) -> CongestionSummary:
        elapsed = self._t_last - self._start
        ssthresh = self.ssthresh
        return CongestionSummary(
            self.name,
            self.timeouts,
            self.fast_retransmits,
            self.partial_acks,
            self.sack_retransmits,
            self._ss_time,
            self.cwnd_min,
            self._area / elapsed if elapsed > 0 else None,
            self.cwnd_max,
            None if ssthresh == UNLIMITED else ssthresh,
        )
