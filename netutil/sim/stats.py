"""Monte Carlo: the same scenario run many times through the very same state machines.

All runs draw from one `random.Random` seeded once with the options' seed (or one drawn from
the operating system and reported), so the same seed and options give the same statistics.
Percentiles use the nearest-rank method over the runs that reached the event in question.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from netutil.errors import InvalidInput, LimitExceeded
from netutil.sim.options import MAX_MONTE_CARLO_BYTES, MAX_RUNS, SimOptions
from netutil.sim.request import Budget
from netutil.sim.run import connect

#: Distinct client times to ESTABLISHED listed in full (beyond this the list is null).
MAX_HISTOGRAM = 64


@dataclass(frozen=True, slots=True)
class Distribution:
    """Mean and nearest-rank percentiles of a sample (None when the sample is empty)."""

    count: int
    mean: float | None
    p50: float | None
    p90: float | None
    p99: float | None
    min: float | None
    max: float | None

    @classmethod
    def of(cls, values: Sequence[float]) -> Distribution:
        if not values:
            return cls(0, None, None, None, None, None, None)
        ordered = sorted(values)
        n = len(ordered)

        def rank(p: float) -> float:
            return ordered[max(1, math.ceil(p * n)) - 1]

        return cls(n, sum(ordered) / n, rank(0.5), rank(0.9), rank(0.99), ordered[0], ordered[-1])

    def as_dict(self) -> dict[str, Any]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 6)

        return {
            "count": self.count,
            "mean": r(self.mean),
            "p50": r(self.p50),
            "p90": r(self.p90),
            "p99": r(self.p99),
            "min": r(self.min),
            "max": r(self.max),
        }


@dataclass(frozen=True, slots=True)
class MonteCarloResult:
    """Statistics over `runs` simulated connections (`events`: engine events run in total)."""

    options: SimOptions
    seed: int
    runs: int
    outcomes: dict[str, int]
    time_to_established: Distribution
    server_time_to_established: Distribution
    retransmissions: Distribution
    retransmission_counts: dict[int, int]
    time_to_close: Distribution
    established_times: tuple[tuple[float, int], ...] | None
    events: int
    #: bits per second (as the summary's) over the runs that delivered all their data (None
    #: when data is 0)
    goodput: Distribution | None = None

    @property
    def success_rate(self) -> float:
        return self.outcomes.get("completed", 0) / self.runs

    def as_dict(self) -> dict[str, Any]:
        return {
            "options": {**self.options.as_dict(), "seed": self.seed},
            "runs": self.runs,
            "success_rate": round(self.success_rate, 6),
            "outcomes": dict(sorted(self.outcomes.items())),
            "time_to_established": self.time_to_established.as_dict(),
            "server_time_to_established": self.server_time_to_established.as_dict(),
            "retransmissions": self.retransmissions.as_dict(),
            "retransmission_counts": [
                {"retransmissions": k, "runs": v}
                for k, v in sorted(self.retransmission_counts.items())
            ],
            "time_to_close": self.time_to_close.as_dict(),
            "established_times": None
            if self.established_times is None
            else [{"time": t, "runs": n} for t, n in self.established_times],
            "events": self.events,
            "goodput": None if self.goodput is None else self.goodput.as_dict(),
        }


def monte_carlo(
    options: SimOptions,
    runs: int,
    budget: Budget | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> MonteCarloResult:
    """Run the scenario `runs` times (1..MAX_RUNS) and summarize.

    Reported per run: the outcome, the client's time to ESTABLISHED, the retransmissions of
    both sides together, and the time from the first CLOSE to both sides being done with the
    close (in TIME-WAIT or CLOSED). Past the `budget` (events and segments over all runs, CPU
    time) the request ends with BudgetExceeded. `progress`, if given, is called with (runs
    done, runs) about a hundred times (the CLI's progress line on a terminal).
    """
    if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= MAX_RUNS:
        raise InvalidInput(f"invalid runs {runs!r}: expected an integer in [1, {MAX_RUNS}]")
    if runs * options.data > MAX_MONTE_CARLO_BYTES:
        raise LimitExceeded(
            f"runs x data = {runs * options.data} bytes passes the cap of "
            f"{MAX_MONTE_CARLO_BYTES} bytes for one Monte Carlo request"
        )
    seed = options.seed if options.seed is not None else random.SystemRandom().getrandbits(32)
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    established: list[float] = []
    server_established: list[float] = []
    retransmissions: list[int] = []
    closes: list[float] = []
    goodputs: list[float] = []
    events = 0
    spending = None if budget is None else budget.start()
    # progress(runs done, runs) about a hundred times and at the end, never once per run
    every = max(1, runs // 100) if progress is not None else runs + 1
    for run in range(runs):
        if run % every == 0 and run:
            progress(run, runs)  # type: ignore[misc]
        if spending is None:
            s, client, server = connect(options, rng, None)
        else:
            if not run & 63:
                spending.check_time()
            s, client, server = connect(options, rng, None, spending)
            spending.spend(s.events, s.segments_sent)
        client.detach()
        server.detach()
        events += s.events
        outcomes[s.outcome] += 1
        if s.client_established is not None:
            established.append(s.client_established)
        if s.server_established is not None:
            server_established.append(s.server_established)
        retransmissions.append(s.client_retransmissions + s.server_retransmissions)
        if s.time_to_close is not None:
            closes.append(s.time_to_close)
        if s.goodput is not None:
            goodputs.append(s.goodput)
    # (map over a builtin, not a generator expression: no Python frame resumed per run)
    if progress is not None:
        progress(runs, runs)
    histogram = Counter(map(round, established, repeat(6)))
    return MonteCarloResult(
        options=options,
        seed=seed,
        runs=runs,
        outcomes=dict(outcomes),
        time_to_established=Distribution.of(established),
        server_time_to_established=Distribution.of(server_established),
        retransmissions=Distribution.of(retransmissions),
        retransmission_counts=dict(Counter(retransmissions)),
        time_to_close=Distribution.of(closes),
        established_times=tuple(sorted(histogram.items()))
        if len(histogram) <= MAX_HISTOGRAM
        else None,
        events=events,
        goodput=Distribution.of(goodputs) if options.data else None,
    )
