"""TCP connections in a capture: the 4-tuple plus SYN boundaries, each direction's analysis state,
and the summary a connection list shows (endpoints, start, duration, packets and bytes each way,
the handshake and its round-trip times, how it closed, the window scale in effect).

A connection begins at the first segment of a 4-tuple not yet seen, or, as Wireshark splits
conversations (packet-tcp.c, "reused ports"), at a SYN or SYN,ACK on a known 4-tuple whose
sequence number differs from the one that direction began with, or that comes after a FIN or RST.
The client is the sender of the first pure SYN; with no SYN captured, the sender of the first
segment (and the summary says the roles were guessed).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Final

from netutil.analyze.flags import RETRANSMISSION, FlowState, SegmentFacts, analyse_segment

__all__ = ["Connection", "ConnectionSummary", "Endpoint"]

_FIN, _SYN, _RST, _ACK = 0x01, 0x02, 0x04, 0x10
_PURE_SYN: Final = _SYN
MAX_TS_PENDING: Final = 10000  # TSvals a side may have sent unechoed before the oldest are let go
Endpoint = tuple[str, int]  # (address, port)


def _gt(a: int, b: int) -> bool:
    return 0 < (a - b) % 2**32 < 2**31


@dataclass(slots=True)
class RttStats:
    """Running count, minimum, sum and maximum of one kind of RTT sample (seconds)."""

    count: int = 0
    low: float = 0.0
    total: float = 0.0
    high: float = 0.0

    def add(self, rtt: float) -> None:
        if not self.count or rtt < self.low:
            self.low = rtt
        if rtt > self.high:
            self.high = rtt
        self.count += 1
        self.total += rtt

    def as_dict(self) -> dict:
        if not self.count:
            return {"samples": 0, "min": None, "mean": None, "max": None}
        return {
            "samples": self.count,
            "min": _t(self.low),
            "mean": _t(self.total / self.count),
            "max": _t(self.high),
        }


def _t(seconds: float | None) -> float | None:
    """A time difference to the nanosecond (what the capture's timestamps can hold)."""
    return None if seconds is None else round(seconds, 9)


@dataclass(frozen=True, slots=True)
class ConnectionSummary:
    """One row of the connection list (times in seconds; bytes are TCP payload and frame bytes
    each way, client to server first)."""

    number: int
    ip_version: int
    client: Endpoint
    server: Endpoint
    roles_guessed: bool
    start: float
    duration: float
    packets: tuple[int, int]
    payload_bytes: tuple[int, int]
    frame_bytes: tuple[int, int]
    handshake: str
    syn_to_synack: float | None  # client side: SYN to SYN,ACK
    synack_to_ack: float | None  # server side: SYN,ACK to the client's ACK
    initial_rtt: float | None  # Wireshark's iRTT: the last SYN to the first ACK
    close: str
    window_scale: tuple[int | None, int | None]  # shift each side offered (None: unknown/not used)
    flag_counts: dict[str, int]
    data_segments: tuple[int, int]  # segments with payload, each way
    retransmitted: tuple[int, int]  # of those, flagged as a retransmission of any kind
    acked_bytes: tuple[int, int]  # bytes of each side the peer acknowledged (highest ACK)
    rtt_ack: tuple[dict, dict]  # Karn's-rule samples of each side's data: RttStats.as_dict()
    rtt_timestamps: tuple[dict, dict]  # samples from each side's echoed TSvals
    largest_gap: tuple[float, int, int] | None  # (seconds, frame before, frame after)

    def as_dict(self) -> dict:
        def each(pair) -> dict:
            return {"client_to_server": pair[0], "server_to_client": pair[1]}

        duration = self.duration
        return {
            "number": self.number,
            "ip_version": self.ip_version,
            "client": {"address": self.client[0], "port": self.client[1]},
            "server": {"address": self.server[0], "port": self.server[1]},
            "roles_guessed": self.roles_guessed,
            "start": self.start,
            "duration": _t(self.duration),
            "packets": {"client_to_server": self.packets[0], "server_to_client": self.packets[1]},
            "payload_bytes": {
                "client_to_server": self.payload_bytes[0],
                "server_to_client": self.payload_bytes[1],
            },
            "frame_bytes": {
                "client_to_server": self.frame_bytes[0],
                "server_to_client": self.frame_bytes[1],
            },
            "handshake": self.handshake,
            "syn_to_synack": _t(self.syn_to_synack),
            "synack_to_ack": _t(self.synack_to_ack),
            "initial_rtt": _t(self.initial_rtt),
            "close": self.close,
            "window_scale": {"client": self.window_scale[0], "server": self.window_scale[1]},
            "flag_counts": dict(self.flag_counts),
            "data_segments": each(self.data_segments),
            "retransmitted_segments": each(self.retransmitted),
            "retransmission_rate": each(
                tuple(
                    round(r / d, 6) if d else None
                    for r, d in zip(self.retransmitted, self.data_segments, strict=True)
                )
            ),
            "acked_bytes": each(self.acked_bytes),
            "throughput": each(
                tuple(round(b / duration, 3) if duration > 0 else None for b in self.payload_bytes)
            ),
            "goodput": each(
                tuple(round(b / duration, 3) if duration > 0 else None for b in self.acked_bytes)
            ),
            "rtt_ack": each(self.rtt_ack),
            "rtt_timestamps": each(self.rtt_timestamps),
            "largest_gap": None
            if self.largest_gap is None
            else {
                "seconds": _t(self.largest_gap[0]),
                "after_frame": self.largest_gap[1],
                "before_frame": self.largest_gap[2],
            },
        }


@dataclass(slots=True)
class Connection:
    """One connection being followed: both directions' state and the running totals. Side 0 is
    the client."""

    number: int
    ip_version: int
    ends: tuple[Endpoint, Endpoint]
    roles_guessed: bool
    start: float
    raw_client: tuple = ()  # the client's (address bytes, port), as the scanner gives them
    last: float = 0.0
    flows: tuple[FlowState, FlowState] = field(default_factory=lambda: (FlowState(), FlowState()))
    base_seq: list = field(default_factory=lambda: [None, None])
    packets: list = field(default_factory=lambda: [0, 0])
    payload: list = field(default_factory=lambda: [0, 0])
    frames: list = field(default_factory=lambda: [0, 0])
    syn_time: float | None = None  # the most recent pure SYN
    synack_time: float | None = None
    syn_to_synack: float | None = None
    synack_to_ack: float | None = None
    first_rtt: float | None = None
    fin: list = field(default_factory=lambda: [False, False])
    rst: list = field(default_factory=lambda: [False, False])
    offered_scale: list = field(default_factory=lambda: [None, None])
    flag_counts: dict = field(default_factory=dict)
    data_segments: list = field(default_factory=lambda: [0, 0])
    retransmitted: list = field(default_factory=lambda: [0, 0])
    high_ack: list = field(default_factory=lambda: [None, None])  # highest ACK each side sent
    rtt_ack: tuple = field(default_factory=lambda: (RttStats(), RttStats()))
    rtt_ts: tuple = field(default_factory=lambda: (RttStats(), RttStats()))
    ts_sent: tuple = field(default_factory=lambda: (deque(), deque()))  # (TSval, first time)
    last_frame: int = 0
    gap: tuple | None = None
    gap_seconds: float = -1.0
    ts_rtt: float | None = None  # the Timestamps sample the last segment gave, if any

    def starts_anew(self, side: int, seq: int, tcp_flags: int) -> bool:
        """A SYN (or SYN,ACK) that begins a new connection on this 4-tuple (ports reused)."""
        if not tcp_flags & _SYN or self.base_seq[side] is None:
            return False
        return seq != self.base_seq[side] or any(self.fin) or any(self.rst)

    def add(
        self,
        side: int,
        frame: int,
        now: float,
        seq: int,
        ack: int,
        seglen: int,
        tcp_flags: int,
        window: int,
        window_shift: int | None,
        frame_length: int,
        tsval: int | None = None,
        tsecr: int | None = None,
    ) -> SegmentFacts:
        """Account for one segment sent by `side` and analyse it."""
        dt = now - self.last
        if dt > self.gap_seconds and self.last_frame:
            self.gap_seconds, self.gap = dt, (dt, self.last_frame, frame)
        self.last, self.last_frame = now, frame
        self.packets[side] += 1
        self.frames[side] += frame_length
        if self.base_seq[side] is None:
            self.base_seq[side] = seq if tcp_flags & _SYN else (seq - 1) % 2**32
        if tcp_flags & _SYN:
            if not tcp_flags & _ACK:
                self.syn_time = now
            else:
                if self.syn_time is not None and self.syn_to_synack is None:
                    self.syn_to_synack = now - self.syn_time
                self.synack_time = now
        elif tcp_flags & _ACK and self.first_rtt is None and self.syn_time is not None:
            self.first_rtt = now - self.syn_time
            if side == 0 and self.synack_time is not None:
                self.synack_to_ack = now - self.synack_time
        flows = self.flows
        fwd, rev = flows[side], flows[1 - side]
        facts = analyse_segment(
            fwd, rev, frame, now, seq, ack, seglen, tcp_flags, window, self.first_rtt
        )
        if tcp_flags & 0x07:
            self._special(side, fwd, rev, tcp_flags, window_shift)
        if seglen:
            self.payload[side] += seglen
            self.data_segments[side] += 1
            if facts.flags & RETRANSMISSION:
                self.retransmitted[side] += 1
        if tcp_flags & _ACK:
            high = self.high_ack[side]
            if high is None or 0 < (ack - high) % 4294967296 < 2147483648:
                self.high_ack[side] = ack
            if facts.karn_rtt is not None:  # an RTT sample of the peer's data
                self.rtt_ack[1 - side].add(facts.karn_rtt)
        self.ts_rtt = None
        if tsval is not None:
            self._timestamps(side, now, tsval, tsecr, tcp_flags)
        if facts.flags:
            counts = self.flag_counts
            for name in facts.names():
                counts[name] = counts.get(name, 0) + 1
        return facts

    def _special(
        self, side: int, fwd: FlowState, rev: FlowState, tcp_flags: int, shift: int | None
    ) -> None:
        """A SYN, FIN or RST: window scaling (settled by the SYNs' options, RFC 7323 section
        2.2) and the close."""
        if tcp_flags & _SYN:
            if shift is not None:
                fwd.win_scale = min(shift, 14)
                self.offered_scale[side] = shift
            if fwd.win_scale == -1:
                fwd.win_scale = rev.win_scale = -2
            elif tcp_flags & _ACK and rev.win_scale == -2:
                fwd.win_scale = -2
        if tcp_flags & _FIN:
            self.fin[side] = True
        if tcp_flags & _RST:
            self.rst[side] = True

    def _timestamps(self, side: int, now: float, tsval: int, tsecr: int, tcp_flags: int) -> None:
        """RTT samples from Timestamps (RFC 7323 section 4.1): the time from a TSval passing the
        capture point to the first segment of the peer that echoes it. Each TSval is timed from
        the first segment that carried it; an echo of a TSval already echoed gives no sample."""
        sent = self.ts_sent[side]
        if not sent or sent[-1][0] != tsval:
            if len(sent) >= MAX_TS_PENDING:
                sent.popleft()
            sent.append((tsval, now))
        if not tcp_flags & _ACK:
            return
        peer = self.ts_sent[1 - side]
        while peer and _gt(tsecr, peer[0][0]):
            peer.popleft()
        if peer and peer[0][0] == tsecr:
            self.ts_rtt = rtt = now - peer.popleft()[1]
            self.rtt_ts[1 - side].add(rtt)

    def acked(self, side: int) -> int:
        """Bytes of `side`'s data its peer acknowledged: the peer's highest ACK past the side's
        ISN, less the SYN and FIN it counts."""
        high, base = self.high_ack[1 - side], self.base_seq[side]
        if high is None or base is None:
            return 0
        n = (high - base) % 2**32
        n -= 1 if n else 0  # the SYN
        if self.fin[side] and n:
            n -= 1 if (high - self.flows[side].nextseq) % 2**32 == 0 else 0
        return max(0, min(n, self.payload[side]))

    def summary(self, epoch: int = 0) -> ConnectionSummary:
        """The connection's row; `epoch` is added to its start (times here count from it)."""
        if self.syn_time is None and self.synack_time is None:
            handshake = "not captured"
        elif self.syn_to_synack is None:
            handshake = "no SYN,ACK" if self.synack_time is None else "SYN,ACK without SYN"
        elif self.synack_to_ack is None:
            handshake = "no ACK of the SYN,ACK"
        else:
            handshake = "complete"
        if self.rst[0] or self.rst[1]:
            who = "client" if self.rst[0] else "server"
            close = f"reset by the {who}" if not all(self.rst) else "reset by both"
        elif all(self.fin):
            close = "FIN from both"
        elif self.fin[0] or self.fin[1]:
            close = f"FIN from the {'client' if self.fin[0] else 'server'} only"
        else:
            close = "open at the end of the capture"
        scale = tuple(
            None if self.flows[i].win_scale < 0 else self.offered_scale[i] for i in (0, 1)
        )
        return ConnectionSummary(
            self.number,
            self.ip_version,
            self.ends[0],
            self.ends[1],
            self.roles_guessed,
            epoch + self.start,
            self.last - self.start,
            tuple(self.packets),
            tuple(self.payload),
            tuple(self.frames),
            handshake,
            self.syn_to_synack,
            self.synack_to_ack,
            self.first_rtt,
            close,
            scale,
            dict(sorted(self.flag_counts.items())),
            tuple(self.data_segments),
            tuple(self.retransmitted),
            (self.acked(0), self.acked(1)),
            (self.rtt_ack[0].as_dict(), self.rtt_ack[1].as_dict()),
            (self.rtt_ts[0].as_dict(), self.rtt_ts[1].as_dict()),
            self.gap,
        )
