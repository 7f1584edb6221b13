"""The network between the two endpoints: delay, jitter, loss, drops, reordering, duplication
and corruption, every random choice drawn from one seeded `random.Random`.

Segments are numbered 1, 2, 3, ... in the order they are sent (both directions, retransmissions
included); that number is what `--drop 2,5` names and what the ladder shows. Each segment's fate
is decided when it is sent, in this order: a deterministic drop (by number or by kind), then
random loss for its direction; a segment that survives gets the one-way delay plus jitter (and
the reordering delay if chosen), may be corrupted (one bit of its packed bytes flipped, so the
receiver's checksum check discards it), and may be duplicated (a second copy, decided the same
way, arrives one millisecond after the first).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from netutil.segment import TCPFlag

if TYPE_CHECKING:
    from netutil.segment import TCPHeader
    from netutil.sim.engine import Engine
    from netutil.sim.options import SimOptions

SYN = TCPFlag.SYN
ACK = TCPFlag.ACK
FIN = TCPFlag.FIN
RST = TCPFlag.RST

#: Gap between a segment and its duplicate copy (seconds).
DUPLICATE_GAP = 0.001

# Segment kinds, in priority order (a FIN carrying data is a "fin"): see `segment_kind`.
KINDS = ("syn", "syn-ack", "ack", "data", "fin", "rst")


def segment_kind(flags: int, length: int) -> str:
    """The kind `--drop` names: rst, syn-ack, syn, fin, data (payload), else ack.

    Checked in that order, so a RST is "rst" whatever else it carries, a FIN with data is "fin",
    and "ack" is a segment with none of SYN, FIN, RST and no payload (pure ACKs, window updates,
    window probes).
    """
    if flags & RST:
        return "rst"
    if flags & SYN:
        return "syn-ack" if flags & ACK else "syn"
    if flags & FIN:
        return "fin"
    if length:
        return "data"
    return "ack"


class Network:
    """Carries segments between two endpoints through the impairments of `SimOptions`.

    `trace` is the run's event list's `append` (None: record nothing); `send` records one "send"
    event per segment with its fate, and schedules an arrival for every copy that survives.
    """

    __slots__ = (
        "_by_kind",
        "_copies",
        "_corrupt",
        "_delay",
        "_drop_all_kinds",
        "_drop_numbers",
        "_drops",
        "_duplicate",
        "_jitter",
        "_kind_counts",
        "_loss",
        "_plain",
        "_random",
        "_reorder",
        "_reorder_delay",
        "_rng",
        "corrupted",
        "duplicated",
        "engine",
        "last_send",
        "lost",
        "number",
        "trace",
    )

    _last_setup: tuple[Any, tuple[Any, ...]] = (None, ())

    def __init__(
        self,
        engine: Engine,
        rng: random.Random,
        options: SimOptions,
        trace: Callable[[tuple[Any, ...]], None] | None,
    ) -> None:
        self.engine = engine
        self.trace = trace
        self.number = 0  # segments sent
        self.lost = 0  # lost or dropped
        self.corrupted = 0  # copies corrupted
        self.duplicated = 0  # segments that arrived twice
        self.last_send = 0.0
        self._rng = rng
        self._random = rng.random
        self._kind_counts: dict[str, int] = {}
        # what depends on the options alone is worked out once per options object (Monte Carlo
        # builds a Network per run from the same options); one (options, setup) pair is kept,
        # replaced as a whole so that concurrent simulations never mix two options' setups
        last = Network._last_setup
        if last[0] is options:
            setup = last[1]
        else:
            setup = _setup(options)
            Network._last_setup = (options, setup)
        (
            self._delay,
            self._jitter,
            self._reorder,
            self._reorder_delay,
            self._duplicate,
            self._corrupt,
            self._loss,
            self._drop_numbers,
            self._by_kind,
            self._drop_all_kinds,
            self._plain,
            self._drops,
        ) = setup

    def send(self, sender: Any, header: TCPHeader, payload: bytes, note: str | None) -> None:
        """Put one segment on the wire from `sender` to `sender.peer`; decide its fate."""
        self.number = number = self.number + 1
        self.last_send = now = self.engine.now
        trace = self.trace
        if self._drops:
            length = len(payload)
            dropped = number in self._drop_numbers
            if self._by_kind or self._drop_all_kinds:
                kind = segment_kind(header.flags, length)
                count = self._kind_counts[kind] = self._kind_counts.get(kind, 0) + 1
                if kind in self._drop_all_kinds or count in self._by_kind.get(kind, ()):
                    dropped = True
            if dropped:
                self.lost += 1
                if trace is not None:
                    trace(
                        (
                            "send",
                            now,
                            sender.name,
                            number,
                            header,
                            length,
                            note,
                            "dropped",
                            None,
                            None,
                            None,
                            None,
                        )
                    )
                return
        loss = self._loss[sender.name]
        if loss and self._random() < loss:
            self.lost += 1
            if trace is not None:
                length = len(payload)
                record = (sender.name, number, header, length, note, "lost")
                trace(("send", now, *record, None, None, None, None))
            return

        receiver = sender.peer
        if self._plain:
            # no jitter, reordering or corruption: the common case, without the general path
            arrival = now + self._delay
            self.engine.call_at(arrival, receiver.segment_arrives, (header, payload, number, 1))
            if trace is None and not self._duplicate:
                return  # nothing more to decide or record
            fate, bit = "delivered", None
        else:
            fate, arrival, bit = self._deliver(sender, receiver, header, payload, number, 1, now)
        dup_fate = dup_bit = None
        if self._duplicate and self._random() < self._duplicate:
            self.duplicated += 1
            dup_fate, _, dup_bit = self._deliver(
                sender, receiver, header, payload, number, 2, arrival + DUPLICATE_GAP
            )
        if trace is not None:
            length = len(payload)
            record = (sender.name, number, header, length, note, fate, arrival, dup_fate)
            trace(("send", now, *record, bit, dup_bit))

    def _deliver(
        self,
        sender: Any,
        receiver: Any,
        header: TCPHeader,
        payload: bytes,
        number: int,
        copy: int,
        start: float,
    ) -> tuple[str, float, int | None]:
        """Schedule one copy's arrival; returns its fate ("delivered"/"corrupted"), its time
        and, for a corrupted copy, the bit flipped (see `_corrupt`), else None."""
        rng = self._rng
        when = start + self._delay if copy == 1 else start
        if self._jitter:
            when += rng.random() * self._jitter
        if self._reorder and rng.random() < self._reorder:
            when += self._reorder_delay
        if self._corrupt and rng.random() < self._corrupt:
            self.corrupted += 1
            data, bit = _corrupt(rng, header, payload, sender.ip, receiver.ip)
            self.engine.call_at(when, receiver.packet_arrives, (data, number, copy))
            return "corrupted", when, bit
        self.engine.call_at(when, receiver.segment_arrives, (header, payload, number, copy))
        return "delivered", when, None


def _setup(options: SimOptions) -> tuple[Any, ...]:
    """The network's settings from the options, in the order `Network.__init__` unpacks them."""
    drops = options.drop_rules()
    jitter, reorder, corrupt = options.jitter, options.reorder, options.corrupt
    return (
        options.delay,
        jitter,
        reorder,
        max(options.delay, DUPLICATE_GAP),  # the reordering delay
        options.duplicate,
        corrupt,
        {"client": options.loss_up, "server": options.loss_down},  # loss by sender
        drops.numbers,
        drops.by_kind,
        drops.all_of_kind,
        not (jitter or reorder or corrupt),  # plain: the common case's short path in send
        bool(drops.numbers or drops.by_kind or drops.all_of_kind),
    )


def _corrupt(
    rng: random.Random, header: TCPHeader, payload: bytes, src: str, dst: str
) -> tuple[bytes, int]:
    """Pack the segment with its correct checksum, then flip one bit chosen at random: bit
    `bit` is mask 1 << (bit % 8) of byte bit // 8. Returns the bytes and the bit (the trace
    records it, so a capture can show the copy as the receiver got it).

    A single flipped bit changes the one's-complement sum by +/-2**k (never a multiple of
    0xFFFF), so the receiver's checksum check always catches it (RFC 1071).
    """
    from netutil.segment import build

    data = bytearray(build(header, payload, src, dst))
    bit = rng.randrange(len(data) * 8)
    data[bit >> 3] ^= 1 << (bit & 7)
    return bytes(data), bit
