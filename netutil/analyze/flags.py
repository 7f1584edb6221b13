"""Per-segment analysis flags with Wireshark's meanings (`tcp.analysis.*`), each with its reason.

The checks follow Wireshark's `tcp_analyze_sequence_number` (epan/dissectors/packet-tcp.c) in its
order, on the raw sequence numbers and the raw (unscaled) window, one pass in file order, as
tshark 4.0 runs them: zero-window probe, zero window, previous segment not captured, keep-alive,
window update, window full, keep-alive ACK, zero-window-probe ACK, duplicate ACK, ACKed unseen
segment, then for a segment that carries data (or SYN/FIN) and does not advance the sequence:
fast retransmission, out-of-order, spurious retransmission or retransmission. Each flag comes with
one line saying which earlier frame or number it was measured against, since "why is this a
retransmission" is the question users ask.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Final

from netutil.layout import fast_constructor

__all__ = ["MAX_UNACKED_SEGMENTS", "AnalysisFlag", "FlowState", "SegmentFacts", "analyse_segment"]

MAX_UNACKED_SEGMENTS: Final = 10000  # Wireshark's TCP_MAX_UNACKED_SEGMENTS
FAST_RETRANSMISSION_WINDOW: Final = 0.020  # 20 ms after the last duplicate ACK
DEFAULT_OOO_THRESHOLD: Final = 0.003  # 3 ms when no handshake RTT is known

_SYN, _FIN, _RST, _ACK = 0x02, 0x01, 0x04, 0x10


class AnalysisFlag(enum.IntFlag):
    """Wireshark's sequence-analysis flags; `name.lower()` is the `tcp.analysis.` field name."""

    RETRANSMISSION = 0x0001
    LOST_SEGMENT = 0x0002
    ACK_LOST_SEGMENT = 0x0004
    KEEP_ALIVE = 0x0008
    DUPLICATE_ACK = 0x0010
    ZERO_WINDOW = 0x0020
    ZERO_WINDOW_PROBE = 0x0040
    ZERO_WINDOW_PROBE_ACK = 0x0080
    KEEP_ALIVE_ACK = 0x0100
    OUT_OF_ORDER = 0x0200
    FAST_RETRANSMISSION = 0x0400
    WINDOW_UPDATE = 0x0800
    WINDOW_FULL = 0x1000
    REUSED_PORTS = 0x2000
    SPURIOUS_RETRANSMISSION = 0x4000

    @property
    def field(self) -> str:
        """The tshark field, e.g. `tcp.analysis.lost_segment`."""
        return f"tcp.analysis.{self.name.lower()}"


# The flags as plain ints for the hot path (an IntFlag operation costs about a microsecond).
RETRANSMISSION: Final = int(AnalysisFlag.RETRANSMISSION)
LOST_SEGMENT: Final = int(AnalysisFlag.LOST_SEGMENT)
ACK_LOST_SEGMENT: Final = int(AnalysisFlag.ACK_LOST_SEGMENT)
KEEP_ALIVE: Final = int(AnalysisFlag.KEEP_ALIVE)
DUPLICATE_ACK: Final = int(AnalysisFlag.DUPLICATE_ACK)
ZERO_WINDOW: Final = int(AnalysisFlag.ZERO_WINDOW)
ZERO_WINDOW_PROBE: Final = int(AnalysisFlag.ZERO_WINDOW_PROBE)
ZERO_WINDOW_PROBE_ACK: Final = int(AnalysisFlag.ZERO_WINDOW_PROBE_ACK)
KEEP_ALIVE_ACK: Final = int(AnalysisFlag.KEEP_ALIVE_ACK)
OUT_OF_ORDER: Final = int(AnalysisFlag.OUT_OF_ORDER)
FAST_RETRANSMISSION: Final = int(AnalysisFlag.FAST_RETRANSMISSION)
WINDOW_UPDATE: Final = int(AnalysisFlag.WINDOW_UPDATE)
WINDOW_FULL: Final = int(AnalysisFlag.WINDOW_FULL)
SPURIOUS_RETRANSMISSION: Final = int(AnalysisFlag.SPURIOUS_RETRANSMISSION)
_ORDER: Final = tuple((int(f), f.name.lower()) for f in AnalysisFlag)
_NAMES: dict[int, tuple[str, ...]] = {}


def flag_names(flags: int) -> tuple[str, ...]:
    """The names of the set flags, in AnalysisFlag order (memoised: few combinations occur)."""
    names = _NAMES.get(flags)
    if names is None:
        names = _NAMES[flags] = tuple(name for bit, name in _ORDER if flags & bit)
    return names


def _gt(a: int, b: int) -> bool:
    return 0 < (a - b) % 2**32 < 2**31


def _lt(a: int, b: int) -> bool:
    return _gt(b, a)


@dataclass(slots=True)
class _Unacked:
    frame: int
    seq: int
    nextseq: int
    time: float
    resent: bool = False  # these bytes were sent more than once (Karn's rule: no RTT sample)


@dataclass(slots=True)
class FlowState:
    """What Wireshark remembers about one direction of a connection (`tcp_flow_t` and its
    `tcp_analyze_seq_flow_info_t`)."""

    nextseq: int = 0  # highest seq + len seen (SYN/FIN count one)
    nextseq_frame: int = 0
    nextseq_time: float = 0.0
    maxseqtobeacked: int = 0  # highest contiguous seq
    lastack: int = 0  # ack field of the previous segment in this direction
    lastack_time: float | None = None  # time of the previous segment in this direction
    window: int = 0xFFFFFFFF  # raw window of the previous segment (never equal at first)
    win_scale: int = -1  # -1 unknown, -2 not used, else the shift
    window_from_syn: bool = False  # `window` came from a SYN, which is never scaled
    lastsegmentflags: int = 0  # the AnalysisFlag bits of the previous segment
    dupacknum: int = 0
    lastnondupack: int = 0
    unacked: list[_Unacked] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SegmentFacts:
    """The flags found for one segment, the reason for each, and the duplicate-ACK count."""

    flags: int  # AnalysisFlag bits
    reasons: tuple[str, ...]
    dup_ack_num: int | None = None
    dup_ack_frame: int | None = None
    rto_frame: int | None = None
    acked_frame: int | None = None
    ack_rtt: float | None = None  # Wireshark's tcp.analysis.ack_rtt
    karn_rtt: float | None = None  # the same, unless the acked bytes were sent twice (RFC 6298 3)

    def names(self) -> tuple[str, ...]:
        return flag_names(self.flags)


_make_facts = fast_constructor(SegmentFacts)


def analyse_segment(
    fwd: FlowState,
    rev: FlowState,
    frame: int,
    now: float,
    seq: int,
    ack: int,
    seglen: int,
    tcp_flags: int,
    window: int,
    first_rtt: float | None,
) -> SegmentFacts:
    """Apply the checks to one segment sent in direction `fwd` (the other is `rev`), update both
    directions' state as Wireshark does, and return what was found."""
    found = 0
    why: list[str] = []
    dup_num = dup_frame = rto_frame = None
    sfr = tcp_flags & (_SYN | _FIN | _RST)
    nextseq = (seq + seglen + (1 if tcp_flags & (_SYN | _FIN) else 0)) % 2**32
    to_finished = False

    if seglen == 1 and seq == fwd.nextseq and rev.window == 0:
        found |= ZERO_WINDOW_PROBE
        why.append(f"1 byte at the next sequence number {seq} while the peer's window is 0")
        to_finished = True
    if not to_finished:
        if window == 0 and not sfr:
            found |= ZERO_WINDOW
            why.append("advertises a zero receive window")
        if (
            fwd.nextseq
            and 0 < (seq - fwd.nextseq) % 4294967296 < 2147483648
            and not tcp_flags & _RST
        ):
            found |= LOST_SEGMENT
            why.append(
                f"seq {seq} is past the next expected {fwd.nextseq} (frame {fwd.nextseq_frame}): "
                f"{(seq - fwd.nextseq) % 2**32} bytes before it were not captured"
            )
        if seglen in (0, 1) and seq == (fwd.nextseq - 1) % 2**32 and not sfr:
            found |= KEEP_ALIVE
            why.append(f"{seglen} bytes at seq {seq}, one below the next expected {fwd.nextseq}")
        same = seglen == 0 and seq == fwd.nextseq and ack == fwd.lastack and not sfr
        if same and window and window != fwd.window:
            found |= WINDOW_UPDATE
            why.append(f"no data, same seq and ack, window {fwd.window} -> {window}")
        if seglen > 0 and rev.win_scale != -1 and not sfr:
            shift = 0 if rev.window_from_syn or rev.win_scale == -2 else rev.win_scale
            edge = (rev.lastack + (rev.window << shift)) % 2**32
            if (seq + seglen) % 2**32 == edge:
                found |= WINDOW_FULL
                why.append(f"its last byte reaches the edge {edge} of the peer's offered window")
        if same and window and window == fwd.window and rev.lastsegmentflags & KEEP_ALIVE:
            found |= KEEP_ALIVE_ACK
            why.append("repeats the previous ACK right after the peer's keep-alive")
            to_finished = True
        elif same and window == 0 and fwd.window == 0 and rev.lastsegmentflags & ZERO_WINDOW_PROBE:
            found |= ZERO_WINDOW_PROBE_ACK
            why.append("repeats the previous ACK and zero window right after the peer's probe")
            to_finished = True
        elif same and window and window == fwd.window:
            fwd.dupacknum = 1 if fwd.dupacknum == -1 else fwd.dupacknum + 1
            found |= DUPLICATE_ACK
            dup_num, dup_frame = fwd.dupacknum, fwd.lastnondupack
            why.append(
                f"duplicate ACK #{dup_num} of ack {ack} (first sent in frame {dup_frame}): "
                "no data, same seq, ack and window"
            )
    if ack != fwd.lastack:
        fwd.lastnondupack = frame
        fwd.dupacknum = 0
    if (
        rev.maxseqtobeacked
        and 0 < (ack - rev.maxseqtobeacked) % 4294967296 < 2147483648
        and tcp_flags & _ACK
    ):
        # flagged once for one gap: again only after the peer has sent something since
        unseen = rev.maxseqtobeacked > rev.nextseq or rev.dupacknum == 0
        if unseen:
            found |= ACK_LOST_SEGMENT
            why.append(
                f"acks {ack}, past {rev.maxseqtobeacked}, the highest contiguous byte the peer "
                "was seen to send"
            )
        if rev.maxseqtobeacked > rev.nextseq:
            rev.maxseqtobeacked = rev.nextseq
        else:
            rev.dupacknum = -1
    if (seglen > 0 or tcp_flags & (_SYN | _FIN)) and not found & KEEP_ALIVE:
        not_advanced = bool(fwd.nextseq) and 0 < (fwd.nextseq - seq) % 4294967296 < 2147483648
        if seglen > 1 and (fwd.nextseq - 1) % 2**32 == seq:
            not_advanced = False  # new data right after a probe byte
        t_rev = now - rev.lastack_time if rev.lastack_time is not None else now
        t_fwd = now - fwd.nextseq_time
        threshold = first_rtt if first_rtt else DEFAULT_OOO_THRESHOLD
        if (
            seglen > 0
            and rev.lastack
            and not 0 < ((seq + seglen) % 2**32 - rev.lastack) % 4294967296 < 2147483648
        ):
            found |= SPURIOUS_RETRANSMISSION | RETRANSMISSION
            why.append(
                f"all of its bytes up to {(seq + seglen) % 2**32} were already acknowledged "
                f"(the peer's ack {rev.lastack})"
            )
        elif (
            not_advanced
            and rev.dupacknum >= 2
            and rev.lastack == seq
            and t_rev < FAST_RETRANSMISSION_WINDOW
        ):
            found |= FAST_RETRANSMISSION | RETRANSMISSION
            why.append(
                f"resends seq {seq} {t_rev * 1e3:.3f} ms after the peer's duplicate ACK "
                f"#{rev.dupacknum} asking for it (within 20 ms)"
            )
        elif not_advanced and t_fwd < threshold and fwd.nextseq != nextseq:
            found |= OUT_OF_ORDER
            why.append(
                f"seq {seq} is below the highest sent {fwd.nextseq}, {t_fwd * 1e3:.3f} ms after "
                f"frame {fwd.nextseq_frame} (within the {threshold * 1e3:.3f} ms threshold)"
            )
        elif not_advanced:
            found |= RETRANSMISSION
            rto_frame = fwd.unacked[0].frame if fwd.unacked else fwd.nextseq_frame
            why.append(
                f"seq {seq} is below the highest sent {fwd.nextseq}: sent before (the oldest "
                f"unacknowledged segment is frame {rto_frame}), sent again"
            )

    # state updates, as after Wireshark's checks
    if found & RETRANSMISSION:  # every earlier copy of these bytes is ambiguous too
        for u in fwd.unacked:
            if (
                0 < (nextseq - u.seq) % 4294967296 < 2147483648
                and 0 < (u.nextseq - seq) % 4294967296 < 2147483648
            ):
                u.resent = True
    if (seglen or tcp_flags & (_SYN | _FIN)) and len(fwd.unacked) < MAX_UNACKED_SEGMENTS:
        fwd.unacked.append(_Unacked(frame, seq, nextseq, now, bool(found & RETRANSMISSION)))
    probe = found & ZERO_WINDOW_PROBE
    if (0 < (nextseq - fwd.nextseq) % 4294967296 < 2147483648 or not fwd.nextseq) and not probe:
        fwd.nextseq, fwd.nextseq_frame, fwd.nextseq_time = nextseq, frame, now
    if (seq == fwd.maxseqtobeacked or not fwd.maxseqtobeacked) and not probe:
        fwd.maxseqtobeacked = fwd.nextseq
    fwd.window, fwd.lastack, fwd.lastack_time = window, ack, now
    fwd.window_from_syn = bool(tcp_flags & _SYN)
    fwd.lastsegmentflags = found
    acked_frame = ack_rtt = None
    ambiguous = False
    if tcp_flags & _ACK and rev.unacked:
        kept = []
        for u in reversed(rev.unacked):  # newest first, as Wireshark walks its list
            if ack == u.nextseq:
                acked_frame, ack_rtt = u.frame, now - u.time
                ambiguous = ambiguous or u.resent
            elif (
                0 < (ack - u.seq) % 4294967296 < 2147483648
                and not 0 < (ack - u.nextseq) % 4294967296 < 2147483648
            ):
                u.seq = ack
                kept.append(u)
                continue
            elif 0 < (u.nextseq - ack) % 4294967296 < 2147483648:
                kept.append(u)
                continue
        kept.reverse()
        rev.unacked = kept
    karn = None if ambiguous or ack_rtt is None else ack_rtt
    return _make_facts(found, tuple(why), dup_num, dup_frame, rto_frame, acked_frame, ack_rtt, karn)
