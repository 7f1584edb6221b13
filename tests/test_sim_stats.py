"""Monte Carlo against the hand calculation.

With independent loss p per segment, no jitter and RTT 100 ms, the client is ESTABLISHED after
exactly one RTT when neither the SYN nor the SYN,ACK is lost: probability (1-p)^2. Otherwise it
waits whole seconds of retransmission timeouts (RTO 1, 2, 4, ... s with no RTT sample before the
handshake completes), so every client time is 0.1 s plus a whole number of seconds.
"""

from __future__ import annotations

import math

import pytest

from netutil.errors import InvalidInput, LimitExceeded
from netutil.sim.options import SimOptions
from netutil.sim.stats import Distribution, monte_carlo

RUNS = 3000


@pytest.mark.parametrize("p", [0.0, 0.1, 0.3])
def test_fraction_established_in_one_rtt_is_one_minus_p_squared(p):
    r = monte_carlo(SimOptions(loss=p, seed=2024), RUNS).as_dict()
    times = {t["time"]: t["runs"] for t in r["established_times"]}
    expected = (1 - p) ** 2
    sigma = math.sqrt(expected * (1 - expected) / RUNS)
    assert abs(times[0.1] / RUNS - expected) <= 5 * sigma + 1e-12
    for t in times:
        whole = t - 0.1
        assert abs(whole - round(whole)) < 1e-6, t
    assert r["outcomes"].get("completed", 0) + r["outcomes"].get("failed", 0) == RUNS


def test_one_second_late_fraction_matches_hand_calculation():
    # ESTABLISHED at 1.1 s: SYN lost once then SYN and SYN,ACK through, p(1-p)^2; or SYN
    # through, first SYN,ACK lost, its retransmission through, (1-p)p(1-p). Total 2p(1-p)^2.
    p = 0.1
    r = monte_carlo(SimOptions(loss=p, seed=99), RUNS).as_dict()
    times = {t["time"]: t["runs"] for t in r["established_times"]}
    expected = 2 * p * (1 - p) ** 2
    sigma = math.sqrt(expected * (1 - expected) / RUNS)
    assert abs(times[1.1] / RUNS - expected) <= 5 * sigma


def test_loss_zero_is_exact():
    r = monte_carlo(SimOptions(seed=1), 50).as_dict()
    assert r["success_rate"] == 1.0
    assert r["time_to_established"]["p99"] == 0.1
    assert r["time_to_close"]["max"] == 0.15
    assert r["retransmission_counts"] == [{"retransmissions": 0, "runs": 50}]


def test_loss_one_always_fails_at_127_seconds():
    r = monte_carlo(SimOptions(loss=1.0, seed=1), 5).as_dict()
    assert r["outcomes"] == {"failed": 5}
    assert r["time_to_established"]["count"] == 0
    assert r["retransmissions"]["mean"] == 6


def test_same_seed_same_statistics():
    o = SimOptions(loss=0.2, seed=7)
    assert monte_carlo(o, 200).as_dict() == monte_carlo(o, 200).as_dict()


def test_nearest_rank_percentiles():
    d = Distribution.of([float(x) for x in range(1, 101)])
    assert (d.p50, d.p90, d.p99, d.mean) == (50.0, 90.0, 99.0, 50.5)


@pytest.mark.parametrize("runs", [0, 100_001, True, 2.5])
def test_runs_out_of_range(runs):
    with pytest.raises(
        InvalidInput, match=r"invalid runs .*: expected an integer in \[1, 100000\]"
    ):
        monte_carlo(SimOptions(), runs)


def test_runs_times_data_is_capped():
    with pytest.raises(LimitExceeded, match="runs x data"):
        monte_carlo(SimOptions(data=1_000_000), 100)
