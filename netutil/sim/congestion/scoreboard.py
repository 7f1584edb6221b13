"""SACK loss recovery (RFC 6675): the scoreboard of SACKed ranges, IsLost, SetPipe and NextSeg.

The scoreboard holds the SACKed ranges above SND.UNA (HighACK) as sorted, merged [left, right)
pairs of unwrapped sequence numbers; the un-SACKed gaps between them, and above the highest
one up to SND.NXT (HighData), are the holes. Every rule of RFC 6675 section 4 is the same for
all bytes of one hole (the bytes SACKed above them are the same), so the functions walk holes,
never bytes or segments: a few steps per SACK block per ACK, only during recovery.

Recovery (section 5) starts on the third duplicate ACK, or when IsLost(HighACK + 1); it sets
RecoveryPoint = HighData, ssthresh by the algorithm (`_reduce`: RFC 5681 (4) for Reno, beta 0.7
for CUBIC) and cwnd = ssthresh, and retransmits the first hole. On every ACK in recovery the
sender then sends while cwnd - pipe >= 1 SMSS: the next lost hole not yet resent (NextSeg rule
1), else new data (rule 2; the endpoint's, through `window`). Rules 3 and 4 (unlost holes,
the rescue retransmission) are not used. Recovery ends when HighACK reaches RecoveryPoint.
After a retransmission timeout the scoreboard is cleared (RFC 2018 section 8: the receiver
may have reneged) and recovery is the timeout's (see `window`). Linux detects SACK losses by
RACK-TLP (RFC 8985) instead of RFC 6675's counts: this simulator does not model RACK-TLP.
A peer that never sends a SACK block is recovered from as without SACK.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import TYPE_CHECKING

from netutil.sim.sender import DUP_ACK_THRESHOLD

if TYPE_CHECKING:
    from netutil.sim.congestion.window import CongestionControl

RULE_SACK_ENTER = "RFC 6675 5 (4): RecoveryPoint = HighData, cwnd = ssthresh, retransmit"
RULE_SACK_SEND = "RFC 6675 5 (C): NextSeg rule 1, retransmit lost holes while cwnd - pipe >= SMSS"
RULE_SACK_EXIT = "RFC 6675 5 (A): HighACK passed RecoveryPoint, recovery ends"


class Scoreboard:
    """SACKed ranges above SND.UNA, HighRxt, RecoveryPoint and the retransmissions due."""

    __slots__ = ("due", "high_rxt", "mss", "pipe", "ranges", "recovery_point", "seen")

    def __init__(self, mss: int) -> None:
        self.mss = mss
        self.ranges: list[list[int]] = []  # sorted, disjoint, non-adjacent [left, right)
        self.seen = False  # a SACK block has arrived: the peer does SACK
        self.high_rxt = 0  # the end of the highest byte retransmitted in this recovery
        self.recovery_point = 0  # RFC 6675 RecoveryPoint; 0: not in SACK recovery
        self.pipe = 0
        self.due: list[tuple[int, int]] = []  # (seq, length) to retransmit now

    def add(self, blocks: tuple[tuple[int, int], ...]) -> None:
        """Merge an ACK's SACK blocks (RFC 2018 section 3) into the ranges."""
        ranges = self.ranges
        for left, right in blocks:
            if right <= left:
                continue
            self.seen = True
            i = bisect_left(ranges, [left])
            if i and ranges[i - 1][1] >= left:
                i -= 1
            j = i
            while j < len(ranges) and ranges[j][0] <= right:
                j += 1
            if j > i:
                left = min(left, ranges[i][0])
                right = max(right, ranges[j - 1][1])
            ranges[i:j] = [[left, right]]

    def advance(self, snd_una: int) -> None:
        """Forget what the cumulative ACK covers."""
        ranges = self.ranges
        while ranges and ranges[0][1] <= snd_una:
            del ranges[0]
        if ranges and ranges[0][0] < snd_una:
            ranges[0][0] = snd_una

    def holes(self, snd_una: int, snd_nxt: int) -> list[tuple[int, int, int, int]]:
        """Each un-SACKed gap (start, end, SACKed bytes above it, SACKed ranges above it),
        lowest first, from SND.UNA to SND.NXT."""
        ranges = self.ranges
        out = []
        above_bytes = sum(right - left for left, right in ranges)
        above_count = len(ranges)
        start = snd_una
        for left, right in ranges:
            if left > start:
                out.append((start, left, above_bytes, above_count))
            above_bytes -= right - left
            above_count -= 1
            start = right
        if snd_nxt > start:
            out.append((start, snd_nxt, 0, 0))
        return out

    def is_lost(self, above_bytes: int, above_count: int) -> bool:
        """RFC 6675 IsLost: DupThresh SACKed ranges above, or more than (DupThresh - 1) SMSS
        SACKed bytes above."""
        return above_count >= DUP_ACK_THRESHOLD or above_bytes > (DUP_ACK_THRESHOLD - 1) * self.mss

    def set_pipe(self, snd_una: int, snd_nxt: int) -> int:
        """RFC 6675 SetPipe: each un-SACKed byte counts once if not lost, once more if resent."""
        pipe = 0
        high_rxt = self.high_rxt
        for start, end, above_bytes, above_count in self.holes(snd_una, snd_nxt):
            if not self.is_lost(above_bytes, above_count):
                pipe += end - start
            if high_rxt > start:
                pipe += (end if end < high_rxt else high_rxt) - start
        self.pipe = pipe
        return pipe

    def next_lost(self, snd_una: int, snd_nxt: int) -> tuple[int, int] | None:
        """NextSeg rule 1: the first lost un-SACKed segment above HighRxt, as (seq, length)."""
        high_rxt = self.high_rxt
        for start, end, above_bytes, above_count in self.holes(snd_una, snd_nxt):
            if end <= high_rxt:
                continue
            if not self.is_lost(above_bytes, above_count):
                return None  # holes above have fewer SACKed bytes above them still
            seq = start if start > high_rxt else high_rxt
            n = end - seq
            return seq, (n if n < self.mss else self.mss)
        return None

    def send_due(self, cwnd: int, snd_una: int, snd_nxt: int) -> int:
        """RFC 6675 5 (C): queue retransmissions of lost holes while cwnd - pipe >= SMSS;
        returns the pipe after them."""
        pipe = self.set_pipe(snd_una, snd_nxt)
        mss = self.mss
        while cwnd - pipe >= mss:
            nxt = self.next_lost(snd_una, snd_nxt)
            if nxt is None:
                break
            seq, n = nxt
            self.due.append(nxt)
            self.high_rxt = seq + n
            pipe += n
        self.pipe = pipe
        return pipe

    def take_retransmissions(self, snd_una: int) -> tuple[tuple[int, int], ...]:
        due = tuple(self.due)
        self.due.clear()
        return due

    def on_timeout(self, snd_una: int, snd_nxt: int) -> None:
        self.ranges.clear()
        self.due.clear()
        self.high_rxt = snd_una
        self.recovery_point = 0


def _window(policy: CongestionControl, board: Scoreboard, snd_una: int, snd_nxt: int) -> None:
    # new data may go out while pipe < cwnd: SND.NXT may reach SND.UNA + flight - pipe + cwnd
    room = policy.cwnd - board.pipe
    policy.window = snd_nxt - snd_una + (room if room > 0 else 0)


def sack_enter(policy: CongestionControl, snd_una: int, snd_nxt: int, now: float) -> bool:
    """RFC 6675 section 5 (4): enter loss recovery and retransmit the first hole."""
    board = policy.scoreboard
    flight = (policy._lt_from if policy._lt_from > snd_una else snd_nxt) - snd_una
    policy.ssthresh, rule = policy._reduce(flight, now)
    policy._set_cwnd(policy.ssthresh)
    policy.recover = board.recovery_point = snd_nxt
    policy.phase = "fast_recovery"
    policy.fast_retransmits += 1
    board.high_rxt = snd_una
    first = board.next_lost(snd_una, snd_nxt)
    if first is None or first[0] != snd_una:
        # the first hole is lost by the DupAcks count (rule (1)) even if IsLost is not true
        end = board.ranges[0][0] if board.ranges else snd_nxt
        n = end - snd_una
        first = (snd_una, n if n < policy.mss else policy.mss)
    board.due.append(first)
    board.high_rxt = first[0] + first[1]
    board.send_due(policy.cwnd, snd_una, snd_nxt)
    policy.sack_retransmits += len(board.due) - 1
    _window(policy, board, snd_una, snd_nxt)
    if policy.report is not None:
        policy._report(snd_nxt - snd_una, f"{rule}; {RULE_SACK_ENTER}")
    return True


def sack_new_ack(
    policy: CongestionControl, ack: int, acked: int, snd_nxt: int, flight: int, now: float
) -> bool:
    """A cumulative ACK during SACK recovery: (A) end it, or (B)-(C) resend lost holes."""
    board = policy.scoreboard
    board.advance(ack)
    policy.dupacks = 0
    policy.timed_out = False
    if ack >= board.recovery_point:
        board.recovery_point = 0
        board.due.clear()
        policy.phase = "congestion_avoidance" if policy.cwnd >= policy.ssthresh else "slow_start"
        policy._recovery_ends(now)
        policy.window = policy.cwnd
        if policy.report is not None:
            policy._report(flight, RULE_SACK_EXIT)
        return False
    return _sack_send(policy, board, ack, snd_nxt)


def sack_duplicate_ack(policy: CongestionControl, snd_una: int, snd_nxt: int) -> bool:
    """A duplicate ACK with SACK: count it, enter recovery (RFC 6675 5 (1)-(4)), or in
    recovery resend lost holes (5 (B)-(C))."""
    board = policy.scoreboard
    board.advance(snd_una)
    if policy.phase == "fast_recovery":
        return _sack_send(policy, board, snd_una, snd_nxt)
    policy.dupacks = dupacks = policy.dupacks + 1
    if dupacks == 1:
        policy._lt_from = snd_nxt
    if policy.rto_recover is not None and snd_una < policy.rto_recover:
        return False  # RFC 6675 5.1: not again until the timeout's data is ACKed
    holes = board.holes(snd_una, snd_nxt)
    first_lost = bool(holes) and board.is_lost(holes[0][2], holes[0][3])
    if dupacks >= DUP_ACK_THRESHOLD or first_lost:
        return sack_enter(policy, snd_una, snd_nxt, policy._clock.now)
    # RFC 6675 5 (3) / RFC 3042: limited transmit
    policy.window = policy.cwnd + dupacks * policy.mss
    return False


def _sack_send(policy: CongestionControl, board: Scoreboard, snd_una: int, snd_nxt: int) -> bool:
    before = len(board.due)
    board.send_due(policy.cwnd, snd_una, snd_nxt)
    sent = len(board.due) - before
    policy.sack_retransmits += sent
    _window(policy, board, snd_una, snd_nxt)
    if policy.report is not None:
        policy._report(snd_nxt - snd_una, RULE_SACK_SEND if sent else None)
    return sent > 0
