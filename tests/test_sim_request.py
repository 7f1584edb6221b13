"""One simulator request: the dispatch both adapters use, the transfer that cannot fit its caps
refused before it runs, and the per-request work budget."""

from __future__ import annotations

import re

import pytest

from netutil.errors import LimitExceeded
from netutil.sim.options import SimOptions
from netutil.sim.request import Budget, BudgetExceeded, check_feasible, run_request
from netutil.sim.run import simulate
from netutil.sim.stats import monte_carlo


def test_dispatch_gives_the_trace_or_the_statistics():
    assert (
        run_request({"seed": 3, "loss": 0.2}).as_dict()
        == simulate(SimOptions(seed=3, loss=0.2)).as_dict()
    )
    assert (
        run_request({"seed": 3, "loss": 0.2}, 50).as_dict()
        == monte_carlo(SimOptions(seed=3, loss=0.2), 50).as_dict()
    )


def test_a_transfer_past_the_event_cap_is_refused_before_it_runs():
    # 64 MiB through a 1-byte window: one segment per byte, 67108864 arrivals at least
    message = (
        "sending 67108864 bytes in segments of at most 1 bytes (min of MSS 1460 and window 1) "
        "takes at least 67108864 events, past the cap of 10000000"
    )
    with pytest.raises(LimitExceeded, match=re.escape(message)):
        run_request({"seed": 1, "window": 1, "data": 64 * 2**20})


def test_a_read_rate_past_the_time_cap_is_refused_before_it_runs():
    options = SimOptions(data=10_000, read_rate=1.0, max_time=600.0)
    message = "reading 10000 bytes at 1 bytes/s takes at least 10000 simulated seconds"
    with pytest.raises(LimitExceeded, match=re.escape(message)):
        check_feasible(options)


def test_a_transfer_that_fits_is_not_refused():
    # 3000 bytes in 1000-byte segments: 3 arrivals, well within 100 events
    check_feasible(SimOptions(data=3000, mss=1000, max_events=100))
    assert run_request({"seed": 1, "data": 3000, "mss": 1000})


@pytest.mark.parametrize(
    ("budget", "runs", "message"),
    [
        (Budget(events=1000), 10_000, "the request passed its budget of 1000 simulation events"),
        (Budget(segments=50), 10_000, "the request passed its budget of 50 simulated segments"),
        (Budget(cpu_seconds=0.01), 10_000, "the request passed its budget of 0.01 s of CPU time"),
    ],
)
def test_monte_carlo_stops_at_its_budget(budget, runs, message):
    with pytest.raises(BudgetExceeded, match=re.escape(message)):
        run_request({"seed": 1, "loss": 0.1}, runs, budget)


def test_one_run_cannot_pass_what_the_budget_leaves():
    # a long transfer, its events capped by the budget, not by max_events
    with pytest.raises(
        BudgetExceeded, match=re.escape("the request passed its budget of 500 simulation events")
    ):
        run_request({"seed": 1, "data": 1_000_000, "mss": 100}, None, Budget(events=500))
    with pytest.raises(
        BudgetExceeded, match=re.escape("the request passed its budget of 500 simulation events")
    ):
        run_request({"seed": 1, "data": 1_000_000, "mss": 100}, 3, Budget(events=500))


def test_a_traced_run_stops_at_its_trace_and_segment_budget():
    with pytest.raises(BudgetExceeded, match=re.escape("budget of 20 trace events in one run")):
        run_request({"seed": 1, "data": 100_000}, None, Budget(trace_events=20))
    with pytest.raises(BudgetExceeded, match=re.escape("budget of 10 simulated segments")):
        run_request({"seed": 1, "data": 100_000}, None, Budget(segments=10))


def test_within_budget_the_result_is_unchanged():
    budget = Budget(events=10**6, segments=10**6, trace_events=10**6, cpu_seconds=60)
    params = {"seed": 5, "loss": 0.1, "data": 20_000}
    assert run_request(params, None, budget).as_dict() == run_request(params).as_dict()
    assert run_request(params, 200, budget).as_dict() == run_request(params, 200).as_dict()


def test_the_user_cap_still_ends_a_run_as_limit_exceeded_under_a_larger_budget():
    result = run_request({"seed": 19, "loss": 1.0, "max_events": 5}, None, Budget(events=1000))
    assert result.summary.outcome == "limit_exceeded"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"events": 0}, "invalid budget events 0: at least 1"),
        ({"segments": 1.5}, "invalid budget segments 1.5: expected an integer"),
        ({"cpu_seconds": 0}, "invalid budget cpu_seconds 0: must be positive"),
    ],
)
def test_bad_budgets(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Budget(**kwargs)
