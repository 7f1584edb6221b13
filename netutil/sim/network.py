"""The network between the endpoints: a bottleneck link with a drop-tail queue, delay, jitter,
loss, drops, reordering, duplication and corruption, every random choice drawn from one seeded
`random.Random`.

Segments are numbered 1, 2, 3, ... in the order they are sent (both directions, retransmissions
included); that number is what `--drop 2,5` names and what the ladder shows. Each segment's fate
is decided when it is sent, in this order: a deterministic drop (by number or by kind); then,
with a `bandwidth`, the bottleneck (`Link`): a segment that finds `queue` packets waiting is
dropped ("queue-drop", what congestion does), any other waits its turn and takes its IP
packet's size * 8 / bandwidth seconds to serialize; then random loss for its direction (a lost
segment has used the link, as a loss on the wire beyond the bottleneck would); a segment that
survives gets the one-way delay (from the end of its serialization) plus jitter (and the
reordering delay if chosen), may be corrupted (one bit of its packed bytes flipped, so the
receiver's checksum check discards it), and may be duplicated (a second copy, decided the same
way, arrives one millisecond after the first).

Each direction has its own link and queue; every connection sending that way shares them (the
flows of `netutil.sim.flows`). A packet's size is 20 bytes of IPv4 header, the TCP header with
its options, and the payload (no link-layer framing, as ns-3's PointToPoint without PPP).
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from netutil.segment import EOL, MSS, NOP, SACK, SACKPermitted, TCPFlag, Timestamps, WindowScale

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

#: Fates of a segment that never arrives (the renderers draw them as stopping midway).
LOST_FATES = ("lost", "dropped", "queue-drop")

IPV4_HEADER = 20  # bytes, no IP options (RFC 791)
TCP_HEADER = 20  # bytes without options (RFC 9293 section 3.1)
_OPTION_LENGTH = {NOP: 1, EOL: 1, MSS: 4, WindowScale: 3, SACKPermitted: 2, Timestamps: 10}

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


@dataclass(frozen=True, slots=True)
class BottleneckSummary:
    """What the bottleneck did in one run: its settings, the queue drops and the longest queue
    of each direction (by link name), and the packets each carried."""

    bandwidth: float  # bits per second
    queue: int  # packets that may wait
    packets: tuple[int, int]  # admitted: client->server, server->client
    queue_drops: tuple[int, int]
    max_queue: tuple[int, int]

    def as_dict(self) -> dict[str, Any]:
        names = ("client->server", "server->client")
        return {
            "bandwidth": self.bandwidth,
            "queue": self.queue,
            "packets": dict(zip(names, self.packets, strict=True)),
            "queue_drops": dict(zip(names, self.queue_drops, strict=True)),
            "max_queue": dict(zip(names, self.max_queue, strict=True)),
        }


def packet_size(header: TCPHeader, length: int) -> int:
    """Bytes of the IPv4 packet that carries a segment: IP and TCP headers (options padded to a
    multiple of four, RFC 9293 section 3.1) and `length` bytes of payload."""
    options = 0
    for option in header.options:
        cls = type(option)
        n = _OPTION_LENGTH.get(cls)
        if n is None:  # SACK blocks, or an unknown option's kind, length and data
            n = 2 + 8 * len(option.blocks) if cls is SACK else 2 + len(option.data)
        options += n
    return IPV4_HEADER + TCP_HEADER + (options + 3 & ~3) + length


class Link:
    """One direction's bottleneck: a drop-tail FIFO of at most `capacity` waiting packets in
    front of a link that sends `rate` bits per second, one packet at a time.

    Nothing is scheduled for it: a packet's finish time is known when it is admitted (the
    later of now and the previous packet's finish, plus its serialization time), and the
    packets still in the system at a time are those whose finish lies after it; the first of
    them is being serialized, the others wait.
    """

    __slots__ = ("_bytes", "_finish", "_sizes", "byte_time", "capacity", "drops",
                 "last_traced", "max_waiting", "name", "packets", "rate")  # fmt: skip

    def __init__(self, name: str, rate: float, capacity: int) -> None:
        self.name = name  # "client->server" or "server->client"
        self.rate = rate  # bits per second
        self.byte_time = 8.0 / rate  # seconds to serialize one byte
        self.capacity = capacity
        self._finish: deque[float] = deque()  # finish times of the packets in the system
        self._sizes: deque[int] = deque()  # and their sizes
        self._bytes = 0  # bytes in the system
        self.drops = 0  # packets the full queue refused
        self.max_waiting = 0  # the most packets that ever waited
        self.packets = 0  # packets admitted
        self.last_traced = 0  # the queue length the trace last recorded (it starts empty)

    def _drain(self, now: float) -> None:
        finish, sizes = self._finish, self._sizes
        while finish and finish[0] <= now:
            finish.popleft()
            self._bytes -= sizes.popleft()

    def waiting(self, now: float) -> tuple[int, int]:
        """Packets and bytes waiting at `now` (not counting the packet being serialized)."""
        self._drain(now)
        if not self._finish:
            return 0, 0
        return len(self._finish) - 1, self._bytes - self._sizes[0]

    def admit(self, now: float, size: int) -> float | None:
        """The time a `size`-byte packet arriving at `now` has left the link, or None: the
        queue is full and drops it (drop-tail)."""
        self._drain(now)
        finish = self._finish
        if len(finish) > self.capacity:  # one serializing, `capacity` waiting
            self.drops += 1
            return None
        end = (finish[-1] if finish else now) + size * self.byte_time
        finish.append(end)
        self._sizes.append(size)
        self._bytes += size
        self.packets += 1
        waiting = len(finish) - 1
        if waiting > self.max_waiting:
            self.max_waiting = waiting
        return end


class Network:
    """Carries segments between endpoints through the impairments of `SimOptions`.

    `send` records one "send" event per segment with its fate in the sending endpoint's trace
    (its `events` list; None: record nothing), and schedules an arrival for every copy that
    survives; `trace` is the network's own list's `append` (None: record nothing), for the
    bottleneck queue's "queue" events.
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
        "links",
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
        self.lost = 0  # lost or dropped (queue drops are counted by the links)
        self.corrupted = 0  # copies corrupted
        self.duplicated = 0  # segments that arrived twice
        self.last_send = 0.0
        self._rng = rng
        self._random = rng.random
        self._kind_counts: dict[str, int] = {}
        bandwidth = options.bandwidth
        #: the bottleneck of each direction, by the name of the side that sends into it
        self.links: dict[str, Link] | None = (
            None
            if bandwidth is None
            else {
                "client": Link("client->server", bandwidth, options.queue),
                "server": Link("server->client", bandwidth, options.queue),
            }
        )
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

    def bottleneck(self) -> BottleneckSummary | None:
        """The bottleneck's numbers so far (None without a bandwidth)."""
        links = self.links
        if links is None:
            return None
        up, down = links["client"], links["server"]
        return BottleneckSummary(
            up.rate,
            up.capacity,
            (up.packets, down.packets),
            (up.drops, down.drops),
            (up.max_waiting, down.max_waiting),
        )

    def send(self, sender: Any, header: TCPHeader, payload: bytes, note: str | None) -> None:
        """Put one segment on the wire from `sender` to `sender.peer`; decide its fate."""
        self.number = number = self.number + 1
        self.last_send = now = self.engine.now
        # the send is recorded in its connection's trace (one list per flow), the queue in the
        # network's own (for a single connection the same list)
        events = sender.events
        trace = None if events is None else events.append
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
        links = self.links
        if links is not None:
            length = len(payload)
            link = links[sender.name]
            start = link.admit(now, packet_size(header, length))
            if self.trace is not None:
                packets, size = link.waiting(now)
                if packets != link.last_traced:
                    link.last_traced = packets
                    self.trace(("queue", now, sender.name, link.name, packets, size, link.capacity))
            if start is None:
                if trace is not None:
                    record = (sender.name, number, header, length, note, "queue-drop")
                    trace(("send", now, *record, None, None, None, None))
                return
        else:
            start = now
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
            arrival = start + self._delay
            self.engine.call_at(arrival, receiver.segment_arrives, (header, payload, number, 1))
            if trace is None and not self._duplicate:
                return  # nothing more to decide or record
            fate, bit = "delivered", None
        else:
            fate, arrival, bit = self._deliver(sender, receiver, header, payload, number, 1, start)
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
