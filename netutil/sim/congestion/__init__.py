"""Congestion control for the simulator's sender: `--cc none|reno|newreno|cubic`.

Each algorithm is a `sender.SenderPolicy`: `none` is `sender.NoCongestionControl` (the
receiver's window alone limits the sender), `reno` RFC 5681, `newreno` RFC 6582, `cubic`
RFC 9438 (the Linux default, and the simulator's). `window` holds what they share (slow start,
fast retransmit and recovery, the timeout response, trace reports), `scoreboard` RFC 6675's
SACK loss recovery, `summary` the figures a run reports. `sender_factory` makes the policy
class the endpoints call with their MSS.
"""

from __future__ import annotations

from collections.abc import Callable

from netutil.sim.congestion.cubic import Cubic
from netutil.sim.congestion.reno import NewReno, Reno
from netutil.sim.congestion.summary import CongestionSummary
from netutil.sim.congestion.window import CongestionControl
from netutil.sim.sender import NoCongestionControl, SenderPolicy

ALGORITHMS = ("none", "reno", "newreno", "cubic")
DEFAULT = "cubic"

_CLASSES: dict[str, type[CongestionControl]] = {"reno": Reno, "newreno": NewReno, "cubic": Cubic}

__all__ = [
    "ALGORITHMS",
    "DEFAULT",
    "CongestionControl",
    "CongestionSummary",
    "Cubic",
    "NewReno",
    "Reno",
    "sender_factory",
]


def sender_factory(
    name: str, initial_window: int = 10, sack: bool = False
) -> Callable[..., SenderPolicy]:
    """The policy maker `policy(mss, tcb)` for algorithm `name` (one of ALGORITHMS)."""
    if name == "none":
        return NoCongestionControl
    try:
        cls = _CLASSES[name]
    except KeyError:
        raise ValueError(f"unknown congestion control {name!r}") from None
    return _factory(cls, initial_window, sack)


_made: dict[tuple[type, int, bool], type[CongestionControl]] = {}


def _factory(cls: type[CongestionControl], initial_window: int, sack: bool) -> type[SenderPolicy]:
    """`cls` with these settings as class attributes: the endpoint makes its policy with one
    call, the class's (a maker function around it would cost a call more per connection).
    One class per setting, so TCBParameters (cached per setting) compare equal."""
    key = (cls, initial_window, sack)
    made = _made.get(key)
    if made is None:
        made = type(
            f"{cls.__name__}_iw{initial_window}{'_sack' if sack else ''}",
            (cls,),
            {"__slots__": (), "initial_segments": initial_window, "uses_sack": sack},
        )
        _made[key] = made
    return made
