"""An endpoint's named timers (RFC 9293 section 3.8.1's retransmission timer, section 3.8.6.1's
persist timer, section 3.6.1's 2 MSL TIME-WAIT wait, section 3.8.6.3's delayed ACK) on the
engine's heap, with lazy deletion.

A timer is its deadline (`deadline[timer]`, None when stopped: stopping is clearing it). Starting
a timer puts an engine event on the heap only when the new deadline is earlier than the event
already pending; a later deadline is found by that event when it fires, and it re-arms itself.
A stopped or superseded event carries a token that no longer matches and fires as a no-op.
An expired timer runs its handler from the dispatch table the owner gives, one per named timer:
a timer without a handler, or a handler for a timer that does not exist, is an error when the
table is made, and starting an unknown timer raises `UnknownTimer`; nothing falls through.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netutil.sim.engine import Engine

# The named timers, as indexes into the deadline list (the delayed-ACK timer: RFC 9293
# section 3.8.6.3, RFC 1122 section 4.2.3.2).
RETRANSMISSION, PERSIST, TIME_WAIT, DELAYED_ACK = 0, 1, 2, 3
NAMES = ("retransmission", "persist", "time-wait", "delayed-ack")
COUNT = len(NAMES)
_ALL_STOPPED = (None,) * COUNT


class UnknownTimer(LookupError):
    """A timer that is not one of `NAMES` was started or given a handler."""


def dispatch_table(
    handlers: Mapping[int, Callable[[Any], None]],
) -> tuple[Callable[[Any], None], ...]:
    """The handlers by timer index; every named timer must have one, and nothing else may."""
    unknown = sorted(set(handlers) - set(range(COUNT)))
    if unknown:
        raise UnknownTimer(f"no timer {unknown[0]!r}: the timers are {', '.join(NAMES)}")
    missing = [NAMES[i] for i in range(COUNT) if i not in handlers]
    if missing:
        raise UnknownTimer(f"timer {missing[0]!r} has no handler")
    return tuple(handlers[i] for i in range(COUNT))


class Timers:
    """One endpoint's timers: deadlines, the engine events that carry them, the handlers."""

    __slots__ = ("_engine", "_handlers", "_owner", "_pending", "_token", "deadline")

    def __init__(
        self, engine: Engine, owner: Any, handlers: tuple[Callable[[Any], None], ...]
    ) -> None:
        self._engine = engine
        self._owner = owner  # the handlers' argument (the endpoint)
        self._handlers = handlers  # from `dispatch_table`
        self.deadline: list[float | None] = [None] * COUNT
        self._pending: list[float | None] = [None] * COUNT  # the engine event's time
        self._token = [0] * COUNT

    def start(self, timer: int, delay: float) -> None:
        """(Re)start `timer` to expire `delay` seconds from now."""
        if not 0 <= timer < COUNT:
            raise UnknownTimer(f"no timer {timer!r}: the timers are {', '.join(NAMES)}")
        engine = self._engine
        when = engine.now + delay
        self.deadline[timer] = when
        pending = self._pending
        if pending[timer] is None or when < pending[timer]:
            # as _arm, written out: most starts arm an engine event
            tokens = self._token
            tokens[timer] = token = tokens[timer] + 1
            pending[timer] = when
            engine.call_at(when, self._fires, (timer, token))

    def stop_all(self) -> None:
        self.deadline[:] = _ALL_STOPPED

    def _arm(self, timer: int, when: float) -> None:
        tokens = self._token
        tokens[timer] = token = tokens[timer] + 1
        self._pending[timer] = when
        self._engine.call_at(when, self._fires, (timer, token))

    def _fires(self, timer: int, token: int) -> None:
        """The engine event of a timer: its handler runs if its deadline has come."""
        if token != self._token[timer]:
            return
        self._pending[timer] = None
        deadline = self.deadline[timer]
        if deadline is None:
            return
        if deadline > self._engine.now:
            self._arm(timer, deadline)
            return
        self.deadline[timer] = None
        self._handlers[timer](self._owner)
