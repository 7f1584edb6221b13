"""Each side's RFC 9293 state, inferred from the segments a capture saw it send and receive.

The rules are those of the simulator's table (`netutil.sim.states.TRANSITIONS`, printed by
`netutil tcp states`), so a captured connection's ladder shows the same states, with the same
rule ids, as a simulated one. A side that sends a SYN first is the active opener (U2); the
other is taken to have been listening (U1, at the first segment). A side changes state when it
sends a SYN, FIN or RST (U2, U6-U8, U12) and when the peer's SYN, ACK of its SYN or FIN, FIN
or RST reaches it (S6, S9, S11, S12, S15, S17, S18, S23, S26-S32). The fifth check (the ACK)
runs before the eighth (the FIN), so a FIN that also acknowledges our FIN in FIN-WAIT-1 is S26
then S32 at one instant, as the table says.

A capture point sees a segment pass, not arrive: a state change on receipt is inferred as if
the segment arrived. Each side is followed on its own clock, estimated from the handshake:
what it sent left it one one-way delay (capture point to that side) before the capture saw it,
what it received reached it that delay after, so a simultaneous close seen at one end is still
read in the order each side lived it. When the sender sends the same SYN or FIN again, the
first copy may have been lost after the capture point: the change is kept at the first copy
and a limit says so.
TIME-WAIT's end (T3, 2 MSL later) and anything after the capture ends are not seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

__all__ = ["StateChange", "infer_states"]

_FIN, _SYN, _RST, _ACK = 0x01, 0x02, 0x04, 0x10
_BITS: Final = {"FIN": _FIN, "SYN": _SYN, "RST": _RST, "ACK": _ACK}
_SYNCHRONIZED_RST: Final = {
    "ESTABLISHED": "S17",
    "FIN-WAIT-1": "S17",
    "FIN-WAIT-2": "S17",
    "CLOSE-WAIT": "S17",
    "CLOSING": "S18",
    "LAST-ACK": "S18",
    "TIME-WAIT": "S18",
}


@dataclass(frozen=True, slots=True)
class StateChange:
    """One side's inferred transition, made by the segment of `frame` (sent or received)."""

    frame: int
    side: str
    old: str
    new: str
    rule: str
    received: bool  # inferred from a segment reaching the side, which a capture cannot see

    def as_dict(self, time: float) -> dict:
        return {
            "type": "state",
            "time": time,
            "side": self.side,
            "from": self.old,
            "to": self.new,
            "rule": self.rule,
            "inferred": "on receipt (assumed delivered)" if self.received else "on sending",
        }


def _bits(flags: Iterable[str]) -> int:
    return sum(_BITS.get(f, 0) for f in flags)


def infer_states(
    segments: Iterable[tuple[int, float, str, tuple[str, ...], int, int, int]],
    delay: dict[str, float] | None = None,
) -> tuple[list[tuple[float, StateChange]], list[str]]:
    """Both sides' state changes as (estimated time, change), and sentences on what the capture
    point could not see. `segments` are (frame, capture time, side that sent it, TCP flag names,
    seq, ack, payload length); `delay` the one-way time from the capture point to each side
    (from the handshake: half of SYN to SYN,ACK for the server, half of SYN,ACK to ACK for the
    client). Each side is run on its own clock: a segment it sent left it `delay` before the
    capture saw it, one it received reached it `delay` after."""
    delay = delay or {"client": 0.0, "server": 0.0}
    segments = list(segments)
    limits: list[str] = []
    first_syn: dict[str, int] = {}
    for _, _, side, names, *_ in segments:
        bits = _bits(names)
        if bits & _SYN and side not in first_syn:
            first_syn[side] = bits
    if not first_syn:
        limits.append(
            "no SYN was captured: the handshake happened before the capture began, so neither "
            "side's state can be followed from the start, and none is shown"
        )
        return [], limits
    out: list[tuple[float, StateChange]] = []
    for side in ("client", "server"):
        d = delay[side]
        timeline = sorted(
            (
                (t - d if sender == side else t + d, i, sender == side, frame, _bits(names), seq,
                 ack, length)
                for i, (frame, t, sender, names, seq, ack, length) in enumerate(segments)
            ),
            key=lambda x: x[:2],
        )  # fmt: skip
        passive = first_syn.get(side, 0) & (_SYN | _ACK) == _SYN | _ACK
        out.extend(_run(side, timeline, passive, limits))
    out.sort(key=lambda x: x[0])
    for side in ("client", "server"):
        last = [c for _, c in out if c.side == side]
        if last and last[-1].new == "TIME-WAIT":
            limits.append(
                f"the {side} is in TIME-WAIT at the end of the capture: its CLOSED (T3, 2 MSL "
                "later) sends nothing, so no capture shows it"
            )
    return out, limits


def _run(side: str, timeline: list, passive: bool, limits: list[str]) -> list:
    """One side's machine over its own timeline of sent and received segments."""
    state = "LISTEN" if passive else "CLOSED"
    out: list[tuple[float, StateChange]] = []
    if passive:
        first = timeline[0]
        out.append((first[0], StateChange(first[3], side, "CLOSED", "LISTEN", "U1", False)))
    iss = fin = None  # our SYN's seq, the seq our FIN occupies
    syn_frame = fin_frame = None

    def move(t, frame, new, rule, received):
        nonlocal state
        out.append((t, StateChange(frame, side, state, new, rule, received)))
        state = new

    for t, _, sent, frame, bits, seq, ack, length in timeline:
        if sent:
            if bits & _RST:
                if state in _SYNCHRONIZED_RST or state == "SYN-RECEIVED":
                    move(t, frame, "CLOSED", "U12", False)
                continue
            if bits & _SYN:
                if iss is not None and seq == iss:
                    limits.append(
                        f"frame {frame}: the {side} sent its SYN again (first in frame "
                        f"{syn_frame}): that copy may have been lost after the capture point"
                    )
                elif iss is None:
                    iss, syn_frame = seq, frame
                if not bits & _ACK and state == "CLOSED":
                    move(t, frame, "SYN-SENT", "U2", False)
            if bits & _FIN:
                at = (seq + length) % 2**32
                if fin is not None:
                    if at == fin:
                        limits.append(
                            f"frame {frame}: the {side} sent its FIN again (first in frame "
                            f"{fin_frame}): that copy may have been lost after the capture point"
                        )
                    continue
                fin, fin_frame = at, frame
                rule = {"ESTABLISHED": "U7", "SYN-RECEIVED": "U6", "CLOSE-WAIT": "U8"}.get(state)
                if rule is not None:
                    move(t, frame, "LAST-ACK" if rule == "U8" else "FIN-WAIT-1", rule, False)
            continue
        # a segment of the peer reaching this side (assumed: the capture saw it pass)
        if bits & _RST:
            if state == "SYN-SENT" and bits & _ACK:
                move(t, frame, "CLOSED", "S9", True)
            elif state == "SYN-RECEIVED":
                move(t, frame, "LISTEN" if passive else "CLOSED", "S15" if passive else "S16", True)
            elif state in _SYNCHRONIZED_RST:
                move(t, frame, "CLOSED", _SYNCHRONIZED_RST[state], True)
            continue
        acks_syn = bits & _ACK and iss is not None and ack == (iss + 1) % 2**32
        if bits & _SYN:
            if state == "LISTEN" and not bits & _ACK:
                move(t, frame, "SYN-RECEIVED", "S6", True)
            elif state == "SYN-SENT" and acks_syn:
                move(t, frame, "ESTABLISHED", "S11", True)
            elif state == "SYN-SENT" and not bits & _ACK:
                move(t, frame, "SYN-RECEIVED", "S12", True)
            elif state == "SYN-RECEIVED" and acks_syn:
                move(t, frame, "ESTABLISHED", "S23", True)
            continue
        if not bits & _ACK:
            continue
        if state == "SYN-RECEIVED" and acks_syn:  # the fifth check
            move(t, frame, "ESTABLISHED", "S23", True)
        if fin is not None and ack == (fin + 1) % 2**32:
            if state == "FIN-WAIT-1":
                move(t, frame, "FIN-WAIT-2", "S26", True)
            elif state == "CLOSING":
                move(t, frame, "TIME-WAIT", "S27", True)
            elif state == "LAST-ACK":
                move(t, frame, "CLOSED", "S28", True)
        if bits & _FIN:  # the eighth check
            if state in ("SYN-RECEIVED", "ESTABLISHED"):
                move(t, frame, "CLOSE-WAIT", "S29", True)
            elif state == "FIN-WAIT-1":
                move(t, frame, "CLOSING", "S31", True)
            elif state == "FIN-WAIT-2":
                move(t, frame, "TIME-WAIT", "S32", True)
    return out
