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
section 3.8.6.2.2), and no SACK blocks are sent.
"""

from __future__ import annotations


class ReceiverPolicy:
    """The interface an endpoint's receiver uses (subclass it; one object per connection)."""

    __slots__ = ("buffer", "sws")

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

    def ack_now(self, in_order: bool) -> bool:
        """Whether a segment with text (or a FIN) is acknowledged at once."""
        raise NotImplementedError

    def store(self, seq: int, payload: bytes) -> None:
        """Keep text that arrived beyond RCV.NXT."""
        raise NotImplementedError

    def pull(self, rcv_nxt: int) -> bytes | None:
        """Stored text that starts at or before `rcv_nxt` and reaches past it (from `rcv_nxt`
        on), dropping what is wholly before it; None when there is none."""
        raise NotImplementedError


class ImmediateAck(ReceiverPolicy):
    """ACK every segment at once; receiver SWS avoidance; reassembly by starting sequence."""

    __slots__ = ("_ooo",)

    def __init__(self, buffer: int, mss: int) -> None:
        self.buffer = buffer
        half = buffer >> 1
        self.sws = half if half < mss else mss
        self._ooo: dict[int, bytes] = {}  # out-of-order text by its first sequence number

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

    def ack_now(self, in_order: bool) -> bool:
        return True

    def store(self, seq: int, payload: bytes) -> None:
        self._ooo[seq] = payload

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
                    return data[rcv_nxt - start :]
        return payload
