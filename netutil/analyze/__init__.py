"""A real capture (pcap or pcapng) as TCP connections and per-segment analysis flags.

`analyse_capture` reads the capture once, streaming, and yields one `SegmentEvent` per TCP
segment (in file order, with the connection it belongs to, the side that sent it and Wireshark's
analysis flags with their reasons) and one `FrameNote` per damaged frame; `CaptureAnalysis`
collects the events' connections into the connection list. Memory grows with the number of
connections open at once (each capped at Wireshark's 10,000 unacknowledged segments a side), not
with the file: at most `MAX_CONNECTIONS` are followed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from ipaddress import ip_address
from typing import BinaryIO, Final

from netutil.analyze.connections import Connection, ConnectionSummary
from netutil.analyze.flags import AnalysisFlag
from netutil.analyze.follow import FollowedStream, StreamDirection
from netutil.analyze.scan import wire_segments
from netutil.errors import InvalidInput, LimitExceeded
from netutil.segment import TCPFlag, option_as_dict, parse_options

__all__ = [
    "MAX_CONNECTIONS",
    "MAX_EVENTS",
    "Analysis",
    "AnalysisFlag",
    "CaptureAnalysis",
    "ConnectionSummary",
    "Followed",
    "FrameNote",
    "SegmentEvent",
    "analyse",
    "analyse_capture",
    "follow_connection",
]

MAX_CONNECTIONS: Final = 100_000
MAX_EVENTS: Final = 1_000_000  # events a whole-capture result holds (JSON, the API)
_SIDES: Final = ("client", "server")


@dataclass(frozen=True, slots=True)
class SegmentEvent:
    """One TCP segment of the capture, analysed: the trace event of a real capture."""

    frame: int
    time: float
    connection: int
    side: str  # who sent it: "client" or "server"
    flags: tuple[str, ...]
    seq: int
    ack: int
    window: int
    length: int
    analysis: tuple[str, ...]  # Wireshark's tcp.analysis flag names, e.g. "retransmission"
    reasons: tuple[str, ...]  # one line for each flag
    dup_ack_num: int | None
    dup_ack_frame: int | None
    truncated: bool
    options: tuple = ()  # the segment's TCP options (netutil.segment option objects)
    acked_frame: int | None = None  # the frame of the peer's segment this ACK completes
    ack_rtt: float | None = None  # seconds since that frame (Wireshark's tcp.analysis.ack_rtt)
    karn_rtt: float | None = None  # ack_rtt, unless those bytes were seen twice (Karn's rule)
    ts_rtt: float | None = None  # seconds since the peer's TSval this segment echoes was seen

    def as_dict(self) -> dict:
        return {
            "type": "segment",
            "frame": self.frame,
            "time": self.time,
            "connection": self.connection,
            "side": self.side,
            "flags": list(self.flags),
            "seq": self.seq,
            "ack": self.ack,
            "window": self.window,
            "len": self.length,
            "options": [option_as_dict(o) for o in self.options],
            "analysis": list(self.analysis),
            "reasons": list(self.reasons),
            "dup_ack_num": self.dup_ack_num,
            "dup_ack_frame": self.dup_ack_frame,
            "truncated": self.truncated,
            "acked_frame": self.acked_frame,
            "ack_rtt": _round(self.ack_rtt),
            "karn_rtt": _round(self.karn_rtt),
            "ts_rtt": _round(self.ts_rtt),
        }


def _round(seconds: float | None) -> float | None:
    """A time difference to the nanosecond (what a capture's timestamps can hold)."""
    return None if seconds is None else round(seconds, 9)


@dataclass(frozen=True, slots=True)
class FrameNote:
    """A frame that could not be analysed (damaged, or cut before its TCP header ends)."""

    frame: int
    time: float
    note: str

    def as_dict(self) -> dict:
        return {"type": "note", "frame": self.frame, "time": self.time, "note": self.note}


_TCP_FLAG_NAMES: dict[int, tuple[str, ...]] = {}


def _tcp_flag_names(flags: int) -> tuple[str, ...]:
    names = _TCP_FLAG_NAMES.get(flags)
    if names is None:
        names = _TCP_FLAG_NAMES[flags] = tuple(TCPFlag(flags).names)
    return names


class CaptureAnalysis:
    """The connections of a capture, filled in as `events()` is consumed."""

    def __init__(
        self,
        fileobj: BinaryIO,
        *,
        max_connections: int = MAX_CONNECTIONS,
        follow: int | None = None,
    ) -> None:
        self._fileobj = fileobj
        self._follow = follow
        self.followed = FollowedStream()
        self.epoch: list = [None]  # the whole second the capture's times count from
        self._max = max_connections
        self._open: dict[tuple, Connection] = {}
        self._done: list[Connection] = []
        self.frames = 0

    def events(self, every_segment: bool = True) -> Iterator[SegmentEvent | FrameNote]:
        """Every TCP segment and damaged frame, in file order (with `every_segment` False, only
        the flagged segments and the notes: the others are analysed but make no event)."""
        one = self._one
        for wire in wire_segments(self._fileobj, self.epoch):
            self.frames += 1
            if wire[0] == "note":
                yield FrameNote(wire[1], self.epoch[0] + wire[2], wire[3])
                continue
            event = one(wire, every_segment)
            if event is not None:
                yield event

    def _one(self, wire: tuple, every: bool) -> SegmentEvent | None:
        (frame, now, version, src, sport, dst, dport, seq, ack, flags, window, length, opts,
         shift, tsval, tsecr, frame_length, truncated, payload) = wire  # fmt: skip
        a, b = (src, sport), (dst, dport)
        key = (a, b) if a <= b else (b, a)
        conn = self._open.get(key)
        reused = False
        if conn is not None and flags & 0x02:
            reused = conn.starts_anew(0 if a == conn.raw_client else 1, seq, flags)
            if reused:
                old = self._open.pop(key)
                self._done.append(old)
                conn = None
        if conn is None:
            if len(self._open) >= self._max:
                raise LimitExceeded(
                    f"frame {frame}: more than {self._max} connections in one capture"
                )
            # the client: the sender of a pure SYN, or of a SYN,ACK's peer; else the first sender
            if flags & 0x12 == 0x12:
                raw, guessed = (b, a), False
            else:
                raw, guessed = (a, b), not flags & 0x02
            ends = tuple((str(ip_address(addr)), port) for addr, port in raw)
            number = len(self._done) + len(self._open)
            conn = Connection(number, version, ends, guessed, now, raw_client=raw[0])
            self._open[key] = conn
        side = 0 if a == conn.raw_client else 1
        facts = conn.add(
            side, frame, now, seq, ack, length, flags, window, shift, frame_length, tsval, tsecr
        )
        if conn.number == self._follow:
            self.followed.add(side, seq, flags, length, payload)
        if not (every or facts.flags or reused):
            return None
        names, reasons = facts.names(), facts.reasons
        if reused:
            names += ("reused_ports",)
            reasons = (
                f"a new connection on the ports of connection {old.number}: a SYN after its "
                "FIN or RST, or with another initial sequence number",
                *reasons,
            )
        return SegmentEvent(
            frame,
            self.epoch[0] + now,
            conn.number,
            _SIDES[side],
            _tcp_flag_names(flags),
            seq,
            ack,
            window,
            length,
            names,
            reasons,
            facts.dup_ack_num,
            facts.dup_ack_frame,
            truncated,
            parse_options(opts) if opts else (),
            facts.acked_frame,
            _round(facts.ack_rtt),
            _round(facts.karn_rtt),
            _round(conn.ts_rtt),
        )

    def connections(self) -> list[ConnectionSummary]:
        """The connection list, in order of first appearance (Wireshark's tcp.stream order)."""
        every = self._done + list(self._open.values())
        epoch = self.epoch[0] or 0
        return [c.summary(epoch) for c in sorted(every, key=lambda c: c.number)]


def analyse_capture(fileobj: BinaryIO, **kwargs) -> CaptureAnalysis:
    """A `CaptureAnalysis` of a pcap or pcapng file object (consume `events()`, then read
    `connections()`)."""
    return CaptureAnalysis(fileobj, **kwargs)


@dataclass(frozen=True, slots=True)
class Analysis:
    """A whole capture analysed: how many frames held TCP, the connection list, and the events
    (every segment, or only the flagged ones and the notes)."""

    segments: int
    start: float | None  # time of the first TCP segment
    connections: tuple[ConnectionSummary, ...]
    events: tuple[SegmentEvent | FrameNote, ...]
    every_segment: bool

    def as_dict(self) -> dict:
        flagged = sum(1 for e in self.events if isinstance(e, SegmentEvent) and e.analysis)
        return {
            "segments": self.segments,
            "start": self.start,
            "connections": [c.as_dict() for c in self.connections],
            "flagged_segments": flagged,
            "every_segment": self.every_segment,
            "events": [e.as_dict() for e in self.events],
        }


def analyse(
    fileobj: BinaryIO, *, every_segment: bool = True, max_events: int = MAX_EVENTS
) -> Analysis:
    """Analyse a whole capture. With `every_segment` False, only flagged segments and notes are
    kept (what the text report lists), so memory follows the problems, not the file."""
    capture = CaptureAnalysis(fileobj)
    kept: list[SegmentEvent | FrameNote] = []
    for event in capture.events(every_segment):
        if len(kept) >= max_events:
            raise LimitExceeded(
                f"frame {event.frame}: more than {max_events} events to list; list only "
                "the flagged segments (without --all) or split the capture"
            )
        kept.append(event)
    connections = tuple(capture.connections())
    start = min((c.start for c in connections), default=None)
    return Analysis(capture.frames, start, connections, tuple(kept), every_segment)


@dataclass(frozen=True, slots=True)
class Followed:
    """One connection's reassembled byte streams (client's first) and its row of the list."""

    connection: ConnectionSummary
    directions: tuple[StreamDirection, StreamDirection]

    def as_dict(self) -> dict:
        return {
            "connection": self.connection.as_dict(),
            "client_to_server": self.directions[0].as_dict(),
            "server_to_client": self.directions[1].as_dict(),
        }


def follow_connection(fileobj: BinaryIO, number: int) -> Followed:
    """Connection `number`'s bytes each way, put back in sequence order (Follow TCP Stream)."""
    capture = CaptureAnalysis(fileobj, follow=number)
    for _ in capture.events(False):
        pass
    connections = capture.connections()
    if not 0 <= number < len(connections):
        raise InvalidInput(
            f"connection {number} does not exist: the capture has {len(connections)}"
            + (f" (0 to {len(connections) - 1})" if connections else "")
        )
    f = capture.followed
    return Followed(connections[number], (f.direction(0), f.direction(1)))
