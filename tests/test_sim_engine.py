"""The event engine: time order, ties in scheduling order, run(until=), caps."""

from __future__ import annotations

import re

import pytest

from netutil.errors import LimitExceeded
from netutil.sim.engine import Engine


def test_events_run_in_time_order_and_ties_in_scheduling_order():
    e = Engine()
    seen = []
    for name, delay in [("c", 2.0), ("a", 1.0), ("b", 1.0), ("d", 0.0)]:
        e.schedule(delay, lambda n=name: seen.append((n, e.now)))
    e.run()
    assert seen == [("d", 0.0), ("a", 1.0), ("b", 1.0), ("c", 2.0)]
    assert e.events == 4 and e.pending == 0


def test_events_scheduled_by_events():
    e = Engine()
    seen = []

    def tick(n):
        seen.append(e.now)
        if n:
            e.schedule(0.5, tick, n - 1)

    e.schedule(0.0, tick, 3)
    e.run()
    assert seen == [0.0, 0.5, 1.0, 1.5]


def test_step_and_run_until():
    e = Engine()
    seen = []
    for t in (1.0, 2.0, 3.0):
        e.schedule_at(t, seen.append, t)
    assert e.step() and seen == [1.0]
    e.run(until=2.5)
    assert seen == [1.0, 2.0] and e.now == 2.5 and e.peek() == 3.0
    e.run()
    assert seen == [1.0, 2.0, 3.0]
    assert not e.step()


def test_event_cap():
    e = Engine(max_events=3)
    for t in range(5):
        e.schedule(t, lambda: None)
    with pytest.raises(LimitExceeded, match=re.escape("simulation passed its cap of 3 events")):
        e.run()


def test_time_cap():
    e = Engine(max_time=10.0)
    e.schedule(11.0, lambda: None)
    with pytest.raises(
        LimitExceeded, match=re.escape("simulation passed its cap of 10 simulated seconds")
    ):
        e.run()
