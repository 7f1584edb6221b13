"""A wall-clock budget for one request, enforced inside the worker.

gunicorn kills a sync worker whose request runs past its `timeout` (30 s) and answers with an
HTML page, or drops the connection: the client learns nothing, and the worker's other work is
lost. A request that runs past `REQUEST_BUDGET` seconds (well under that timeout) is instead
interrupted where it is, by a SIGALRM timer, and answered 503 problem+json naming the budget,
with a Retry-After. The caps in `api.limits` keep every valid request far below the budget on
an idle core; the budget is the backstop for load, a slow machine, and work the caps miss.

Only the main thread can take a signal, so elsewhere (a threaded test server) there is no timer
and the caps alone bound the work.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


class BudgetExceeded(Exception):
    """The request used up its time budget; answered as a 503 problem."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the request passed its time budget of {seconds:g} s")
        self.seconds = seconds


def _usable() -> bool:
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


@contextlib.contextmanager
def budget(seconds: float | None) -> Iterator[None]:
    """Run the block with a deadline `seconds` from now (None or 0: no deadline)."""
    if not seconds or not _usable():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise BudgetExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
