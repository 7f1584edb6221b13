"""Follow TCP stream: one connection's payload put back in sequence order, each direction apart.

Each side's bytes are placed by their sequence number relative to its ISN (the SYN's seq + 1,
or the first data segment's seq when no SYN was captured). Bytes seen twice (retransmissions,
overlaps) are kept once; bytes never captured (lost before the capture point, or
cut by the snap length) leave a gap, listed with its offset and size, and the bytes after it
follow. Memory is the followed connection's payload, capped at `MAX_FOLLOW_BYTES` a side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from netutil.errors import LimitExceeded

__all__ = ["MAX_FOLLOW_BYTES", "FollowedStream", "StreamDirection"]

MAX_FOLLOW_BYTES: Final = 64 * 2**20
_SYN: Final = 0x02


@dataclass(frozen=True, slots=True)
class StreamDirection:
    """The reassembled bytes one side sent, and the gaps (offset, bytes missing) in them."""

    data: bytes
    gaps: tuple[tuple[int, int], ...]
    segments: int  # payload-carrying segments captured

    def as_dict(self) -> dict:
        return {
            "bytes": len(self.data),
            "data_hex": self.data.hex(),
            "gaps": [{"offset": o, "missing": n} for o, n in self.gaps],
            "segments": self.segments,
        }


@dataclass(slots=True)
class FollowedStream:
    """Payload chunks of one connection as the analyser meets them, reassembled on demand."""

    isn: list = field(default_factory=lambda: [None, None])
    chunks: tuple = field(default_factory=lambda: ([], []))
    held: list = field(default_factory=lambda: [0, 0])

    def add(self, side: int, seq: int, flags: int, length: int, payload: bytes) -> None:
        if flags & _SYN:
            if self.isn[side] is None:
                self.isn[side] = seq
            seq = (seq + 1) % 2**32
        if not length:
            return
        if self.isn[side] is None:
            self.isn[side] = (seq - 1) % 2**32
        held = self.held[side] + len(payload)
        if held > MAX_FOLLOW_BYTES:
            raise LimitExceeded(
                f"following more than {MAX_FOLLOW_BYTES} captured payload bytes of one side"
            )
        self.held[side] = held
        self.chunks[side].append((seq, bytes(payload[:length])))

    def direction(self, side: int) -> StreamDirection:
        """One side's bytes in order, the first captured copy of each byte winning."""
        chunks = self.chunks[side]
        if not chunks:
            return StreamDirection(b"", (), 0)
        base = (self.isn[side] + 1) % 2**32
        placed = sorted(
            (((seq - base) % 2**32, i, data) for i, (seq, data) in enumerate(chunks)),
            key=lambda c: c[:2],
        )
        out = bytearray()
        gaps: list[tuple[int, int]] = []
        pos = 0  # stream offset reached, gaps included
        for offset, _, data in placed:
            if offset >= 2**31:  # before the ISN (a segment of an earlier connection): skip
                continue
            end = offset + len(data)
            if end <= pos:
                continue
            if offset > pos:
                gaps.append((pos, offset - pos))
                pos = offset
            out += data[pos - offset :]
            pos = end
        return StreamDirection(bytes(out), tuple(gaps), len(chunks))
