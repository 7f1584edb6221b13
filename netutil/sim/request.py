"""One simulator request, as the CLI and the API both make it: options as JSON-able parameters
plus `runs`, answered by one trace or by Monte Carlo statistics, within a work `Budget`.

The CLI runs without a budget (its caps are the options' own); a service passes one so that a
request ends with a `BudgetExceeded` naming the budget it spent, well before a worker timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from netutil.errors import InvalidInput, LimitExceeded
from netutil.sim.options import SimOptions


class BudgetExceeded(LimitExceeded):
    """A request spent one of its `Budget`'s allowances (the message names which)."""


@dataclass(frozen=True, slots=True)
class Budget:
    """The work one request may cost; None leaves an allowance unbounded.

    `events`: engine events over every run of the request; `segments`: segments sent over
    every run; `trace_events`: records in one run's trace (what sizes its JSON: about 300
    bytes each); `cpu_seconds`: process CPU time from the request's start. The simulator checks
    them inside its loops: events and segments after each Monte Carlo run (and each run's
    events cannot pass what is left), trace records and CPU time as the trace grows, CPU time
    every 64 Monte Carlo runs.
    """

    events: int | None = None
    segments: int | None = None
    trace_events: int | None = None
    cpu_seconds: float | None = None

    def __post_init__(self) -> None:
        for name in ("events", "segments", "trace_events"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise InvalidInput(f"invalid budget {name} {value!r}: expected an integer")
            if value is not None and value < 1:
                raise InvalidInput(f"invalid budget {name} {value!r}: at least 1")
        cpu = self.cpu_seconds
        if cpu is not None and (isinstance(cpu, bool) or not isinstance(cpu, int | float)):
            raise InvalidInput(f"invalid budget cpu_seconds {cpu!r}: expected a number")
        if cpu is not None and not cpu > 0:
            raise InvalidInput(f"invalid budget cpu_seconds {cpu!r}: must be positive")

    def start(self) -> Spending:
        """A meter for one request, started now."""
        deadline = None if self.cpu_seconds is None else time.process_time() + self.cpu_seconds
        return Spending(self, deadline)


class Spending:
    """What one request has spent of its budget so far (made by `Budget.start`)."""

    __slots__ = ("budget", "deadline", "events", "segments")

    def __init__(self, budget: Budget, deadline: float | None) -> None:
        self.budget = budget
        self.deadline = deadline
        self.events = 0
        self.segments = 0

    def events_left(self) -> int | None:
        cap = self.budget.events
        return None if cap is None else cap - self.events

    def spend(self, events: int, segments: int) -> None:
        """Count one finished run; BudgetExceeded past the events or segments allowance."""
        self.events += events
        self.segments += segments
        budget = self.budget
        if budget.events is not None and self.events > budget.events:
            raise self.out_of_events()
        if budget.segments is not None and self.segments > budget.segments:
            raise BudgetExceeded(
                f"the request passed its budget of {budget.segments} simulated segments"
            )

    def out_of_events(self) -> BudgetExceeded:
        return BudgetExceeded(
            f"the request passed its budget of {self.budget.events} simulation events"
        )

    def check_time(self) -> None:
        if self.deadline is not None and time.process_time() > self.deadline:
            raise BudgetExceeded(
                f"the request passed its budget of {self.budget.cpu_seconds:g} s of CPU time"
            )


class BudgetedTrace(list):
    """A run's trace list that stops the run when it passes the budget: trace records,
    segments sent, or (checked every 1024 records) CPU time."""

    __slots__ = ("_cap", "_segments", "_spending")

    def __init__(self, spending: Spending) -> None:
        super().__init__()
        self._spending = spending
        self._cap = spending.budget.trace_events
        self._segments = spending.budget.segments

    def append(self, record: Any) -> None:
        super().append(record)
        n = len(self)
        if self._cap is not None and n > self._cap:
            raise BudgetExceeded(
                f"the request passed its budget of {self._cap} trace events in one run"
            )
        if (
            self._segments is not None
            and record.__class__ is tuple  # (the network's compact send entry, see trace)
            and record[0] == "send"
            and record[3] > self._segments
        ):
            raise BudgetExceeded(
                f"the request passed its budget of {self._segments} simulated segments"
            )
        if not n & 1023:
            self._spending.check_time()


def check_feasible(options: SimOptions) -> None:
    """LimitExceeded before running when the transfer cannot finish within the run's caps.

    Every data segment carries at most min(MSS, window) bytes (the receiver never offers more
    than its buffer) and its arrival is one engine event, so delivering `data` bytes takes at
    least data / min(MSS, window) events; with a `read_rate` the reader alone needs data /
    read_rate simulated seconds. Past either cap the run could only end as limit_exceeded,
    after all that work: say so now, with the numbers.
    """
    if not options.data:
        return
    per_segment = min(options.mss, options.window)
    segments = -(-options.data // per_segment)
    if segments > options.max_events:
        raise LimitExceeded(
            f"sending {options.data} bytes in segments of at most {per_segment} bytes "
            f"(min of MSS {options.mss} and window {options.window}) takes at least "
            f"{segments} events, past the cap of {options.max_events}: "
            "a larger window or MSS, or less data, fits"
        )
    if options.read_rate is not None and options.data / options.read_rate > options.max_time:
        needed = options.data / options.read_rate
        raise LimitExceeded(
            f"reading {options.data} bytes at {options.read_rate:g} bytes/s takes at least "
            f"{needed:g} simulated seconds, past the cap of {options.max_time:g}"
        )


def minimum_events(options: SimOptions) -> int:
    """A lower bound on the events a run that delivers all its data takes (see
    `check_feasible`): what the CLI warns about before a long run."""
    if not options.data:
        return 0
    return -(-options.data // min(options.mss, options.window))


def run_request(
    params: dict[str, Any],
    runs: int | None = None,
    budget: Budget | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Any:
    """The result of one request: `simulate` (a `Trace`) without `runs`, `monte_carlo` (a
    `MonteCarloResult`, calling `progress(done, runs)` as it goes) with it, `simulate_flows` (a
    `FlowsTrace`) for more than one flow; InvalidInput for bad parameters, LimitExceeded past a
    cap, BudgetExceeded past the budget."""
    options = SimOptions.from_dict(params)
    check_feasible(options)
    if options.flows > 1:
        if runs is not None:
            raise InvalidInput(
                f"runs and flows: Monte Carlo runs one connection, not {options.flows} flows"
            )
        from netutil.sim.flows import simulate_flows

        return simulate_flows(options, budget=budget)
    if runs is None:
        from netutil.sim.run import simulate

        return simulate(options, budget=budget)
    from netutil.sim.stats import monte_carlo

    return monte_carlo(options, runs, budget=budget, progress=progress)
