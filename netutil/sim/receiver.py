"""Receiver policy: when to acknowledge, what window to offer, and the reassembly of segments
that arrive out of order, behind one small interface.

The endpoint keeps RCV.NXT and the buffer of bytes its application has not read (RFC 9293
section 3.3.1). It makes the policy when the SYN exchange has fixed the peer's segment size
(`ReceiverPolicy(buffer, mss)`), and asks it for the right edge of the window to advertise in
every segment it sends (`right_edge`), whether a read has freed enough to send a window update
(`window_update`), and whether arriving text is acknowledged at once (`ack_now`); it hands
out-of-order text to `store` and takes it back with `pull` once RCV.NXT reaches it.

`ImmediateAck` is the first implementation: every segment with text is acknowledged at once (no
delayed ACK, RFC 9293 section 3.8.6.3 allows both), the window is the buffer minus the unread
bytes with its right edge moved only by at least min(buffer / 2, MSS) (receiver SWS avoidance,
section 3.8.6.2.2). `DelayedAck` (made by `delayed_ack(delay)`) holds the ACK of in-order
text until two full-sized segments' worth has arrived or `delay` has passed (RFC 9293 section
3.8.6.3, RFC 1122 section 4.2.3.2), and acknowledges at once what arrives out of order or
fills a hole (RFC 5681 section 4.2). Both keep the out-of-order text as blocks, from which
`sack_blocks` gives the SACK option's blocks in RFC 2018 section 4's order; the endpoint sends
them when both SYNs carried SACK-permitted.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache

#: SACK blocks an ACK can carry: 4 in the 40 bytes of option space, 3 beside Timestamps
#: (RFC 2018 section 3).
MAX_SACK_BLOCKS, MAX_SACK_BLOCKS_WITH_TIMESTAMPS = 4, 3
#: The longest ACK delay allowed here: RFC 1122 section 4.2.3.2's "less than 0.5 seconds".
MAX_ACK_DELAY = 0.5


class ReceiverPolicy:
    """The interface an endpoint's receiver uses (subclass it; one object per connection).

    A subclass also has `held`, true while text beyond RCV.NXT is held (the endpoint asks for
    `sack_blocks` only then).
    """

    __slots__ = ("buffer", "sws")

    #: seconds an ACK may wait (the delayed-ACK timer), or None: every ACK is sent at once
    delay: float | None = None

    def __init__(self, buffer: int, mss: int) -> None:
        self.buffer = buffer  # RCV.BUFF: bytes the receive buffer holds
        # the least the window's right edge moves by: min(Fr * RCV.BUFF, Eff.snd.MSS), Fr = 1/2
        # (section 3.8.6.2.2)
        half = buffer >> 1
        self.sws = half if half < mss else mss

    def right_edge(self, rcv_nxt: int, rcv_adv: int, unread: int) -> int:
        """RCV.NXT + RCV.WND to advertise now, `rcv_adv` being the one advertised last."""
        raise NotImplementedError

    def window_update(self, rcv_nxt: int, rcv_adv: int, unread: int) -> bool:
        """After the application read: whether the window opened enough to say so at once."""
        raise NotImplementedError

    def ack_now(self, in_order: bool, length: int) -> bool:
        """Whether a segment with `length` bytes of text is acknowledged at once; False: the
        endpoint starts the delayed-ACK timer (for `delay`) unless it is running."""
        raise NotImplementedError

    def ack_sent(self) -> None:
        """A segment carrying the current acknowledgment went out (nothing is owed now)."""

    def sack_blocks(self, rcv_nxt: int, limit: int) -> tuple[tuple[int, int], ...]:
        """At most `limit` (left, right) blocks of text held beyond `rcv_nxt`, in RFC 2018
        section 4's order; () when nothing is held."""
        raise NotImplementedError

    def store(self, seq: int, payload: bytes) -> None:
        """Keep text that arrived beyond RCV.NXT."""
        raise NotImplementedError

    def pull(self, rcv_nxt: int) -> bytes | None:
        """Stored text that starts at or before `rcv_nxt` and reaches past it (from `rcv_nxt`
        on), dropping what is wholly before it; None when there is none."""
        raise NotImplementedError


class ImmediateAck(ReceiverPolicy):
    """ACK every segment at once; receiver SWS avoidance; reassembly by starting sequence,
    with the held text's blocks for SACK (RFC 2018)."""

    __slots__ = ("_blocks", "_filled", "_ooo", "_recent", "held")

    def __init__(self, buffer: int, mss: int) -> None:
        self.buffer = buffer
        half = buffer >> 1
        self.sws = half if half < mss else mss
        self._ooo: dict[int, bytes] = {}  # out-of-order text by its first sequence number
        # the held text as sorted, disjoint [left, right) blocks (left edges, right edges)
        self._blocks: tuple[list[int], list[int]] = ([], [])
        #: the held blocks' left edges: empty (false) when nothing beyond RCV.NXT is held, so
        #: that a sender of SACK blocks asks `sack_blocks` only when there are some
        self.held = self._blocks[0]
        self._recent: list[int] = []  # a sequence number in each block reported, newest first
        self._filled = False  # text pulled from the reassembly since the last ack_now

    def right_edge(self, rcv_nxt: int, rcv_adv: int, unread: int) -> int:
        # keep RCV.NXT + RCV.WND fixed until it can move by at least `sws` (3.8.6.2.2)
        avail = self.buffer - unread
        if avail - (rcv_adv - rcv_nxt) >= self.sws:
            return rcv_nxt + avail
        return rcv_adv

    def window_update(self, rcv_nxt: int, rcv_adv: int, unread: int) -> bool:
        # as the next segment would move the edge, and only when the window at least doubles
        avail = self.buffer - unread
        current = rcv_adv - rcv_nxt
        return avail - current >= self.sws and avail >= 2 * current

    def ack_now(self, in_order: bool, length: int = 0) -> bool:
        return True

    def store(self, seq: int, payload: bytes) -> None:
        self._ooo[seq] = payload
        self._hold(seq, seq + len(payload))

    def _hold(self, left: int, right: int) -> None:
        """Add [left, right) to the held blocks, merging the ones it touches or overlaps,
        and make it the most recent (RFC 2018 section 4: the block of the newest segment
        comes first)."""
        lefts, rights = self._blocks
        i = bisect_right(lefts, left)
        if i and rights[i - 1] >= left:  # touches or overlaps the block before it
            i -= 1
            left = lefts[i]
            right = max(right, rights[i])
        j = i
        while j < len(lefts) and lefts[j] <= right:  # and the blocks after it
            right = max(right, rights[j])
            j += 1
        lefts[i:j] = [left]
        rights[i:j] = [right]
        recent = self._recent
        recent.insert(0, left)
        del recent[8:]  # (more than any option carries; the rest are older)

    def pull(self, rcv_nxt: int) -> bytes | None:
        ooo = self._ooo
        if not ooo:
            return None
        payload = ooo.pop(rcv_nxt, None)
        if payload is None:
            # a stored segment may start before RCV.NXT and reach past it
            for start in sorted(ooo):
                if start > rcv_nxt:
                    break
                data = ooo.pop(start)
                if start + len(data) > rcv_nxt:
                    payload = data[rcv_nxt - start :]
                    break
            else:
                return None
            if payload is None:
                return None
        self._filled = True
        self._trim(rcv_nxt + len(payload))
        return payload

    def _trim(self, rcv_nxt: int) -> None:
        """Forget the blocks RCV.NXT has reached (their text is no longer held)."""
        lefts, rights = self._blocks
        k = 0
        while k < len(lefts) and rights[k] <= rcv_nxt:
            k += 1
        if k:
            del lefts[:k], rights[:k]
            if not lefts:
                self._recent.clear()

    def sack_blocks(self, rcv_nxt: int, limit: int) -> tuple[tuple[int, int], ...]:
        lefts, rights = self._blocks
        if not lefts:
            return ()
        self._trim(rcv_nxt)
        out: list[tuple[int, int]] = []
        for seq in self._recent:
            i = bisect_right(lefts, seq) - 1
            if i < 0 or rights[i] <= seq:
                continue  # delivered since
            block = (max(lefts[i], rcv_nxt), rights[i])
            if block not in out:
                out.append(block)
                if len(out) == limit:
                    break
        return tuple(out)


class DelayedAck(ImmediateAck):
    """Delay the ACK of in-order text: ACK once 2 * MSS bytes are unacknowledged (RFC 9293
    section 3.8.6.3: "at least every second full-sized segment or 2*RMSS bytes of new data")
    or when the timer of `delay` seconds started by the first of them expires (RFC 1122 section
    4.2.3.2: under 0.5 s; Linux waits 40 to 200 ms); ACK at once text that arrives out of
    order or fills all or part of a hole (RFC 5681 section 4.2)."""

    __slots__ = ("_owed", "full")

    delay: float | None = 0.2  # (a class made by `delayed_ack` sets it)

    def __init__(self, buffer: int, mss: int) -> None:
        ImmediateAck.__init__(self, buffer, mss)
        self.full = 2 * mss  # bytes of text that are ACKed at once
        self._owed = 0  # bytes of in-order text not yet acknowledged

    def ack_now(self, in_order: bool, length: int = 0) -> bool:
        if not in_order or self._filled or self._blocks[0]:
            # out of order, filling all or part of a hole: at once (RFC 5681 section 4.2)
            self._filled = False
            return True
        self._owed = owed = self._owed + length
        return owed >= self.full

    def ack_sent(self) -> None:
        self._owed = 0


@lru_cache(maxsize=64)
def delayed_ack(delay: float) -> type[DelayedAck]:
    """The `DelayedAck` policy whose timer runs `delay` seconds (0 < delay < 0.5)."""
    if not 0 < delay <= MAX_ACK_DELAY:
        raise ValueError(f"delayed-ACK time {delay!r}: expected more than 0, at most 0.5 s")
    return type(f"DelayedAck{delay * 1000:g}ms", (DelayedAck,), {"__slots__": (), "delay": delay})
