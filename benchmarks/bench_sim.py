"""The connection simulator: Monte Carlo handshakes against a bare heapq event loop, and a
10 MB transfer at 1% loss (time and peak memory).

The floor: a bare `heapq` loop pushing and popping (and calling a no-op for) exactly as many
`(time, seq, callback, args)` events as the simulator ran, measured in the same process. The
simulator runs the very same state machines that draw the ladder (`stats.monte_carlo`, as
`netutil tcp handshake --loss 0.1 --runs 10000` does).
"""

from __future__ import annotations

import heapq
import time

from benchmarks import harness


def _bare_heapq_loop(events: int) -> float:
    """Seconds for a heapq loop running `events` events, a handful pending at any time."""

    def noop() -> None:
        pass

    push, pop = heapq.heappush, heapq.heappop
    heap: list = []
    start = time.perf_counter()
    for i in range(events):
        push(heap, (i * 0.001, i, noop, ()))
        if len(heap) > 4:
            _, _, fn, args = pop(heap)
            fn(*args)
    while heap:
        _, _, fn, args = pop(heap)
        fn(*args)
    return time.perf_counter() - start


def run(quick: bool) -> None:
    from netutil.sim.options import SimOptions
    from netutil.sim.stats import monte_carlo

    runs = 1000 if quick else 10_000
    repeat = 3 if quick else 5
    options = SimOptions(loss=0.1, seed=1)
    ours, floor = [], []
    events = 0
    for _ in range(repeat):
        start = time.perf_counter()
        result = monte_carlo(options, runs)
        ours.append(time.perf_counter() - start)
        events = result.events
        floor.append(_bare_heapq_loop(events))
    harness.report(
        f"handshake+close loss 0.1 x{runs} (runs)",
        ours,
        "bare heapq",
        floor,
        goal="ratio >= 0.10 (within 10x of the floor)",
    )
    best = sorted(ours)[len(ours) // 2]
    bare = sorted(floor)[len(floor) // 2]
    harness.note(
        f"{best / bare:.2f}x the floor; "
        f"{runs / best:,.0f} handshakes/s; {events} events ({events / runs:.1f} per run), "
        f"{best / events * 1e6:.2f} us per event vs "
        f"{bare / events * 1e6:.2f} us bare; "
        f"success rate {result.success_rate:.4f}"
    )

    size = 1_000_000 if quick else 10_000_000
    child = harness.run_child(
        "from netutil.sim.options import SimOptions\n"
        "from netutil.sim.run import simulate\n"
        f"s = simulate(SimOptions(seed=1, loss=0.01, data={size})).summary\n"
        "assert s.outcome == 'completed' and s.data_intact and s.bytes_delivered == "
        f"{size}, s\n"
        "print(s.segments_sent, s.client_retransmissions, s.duration)\n"
    )
    segments, retransmissions, duration = child.stdout.split()
    harness.note(
        f"{size / 1e6:g} MB at 1% loss: {child.seconds:.2f} s wall, peak RSS "
        f"{child.peak_rss_mib:.1f} MiB; {segments} segments, {retransmissions} retransmissions, "
        f"{float(duration):.1f} s simulated (TIME-WAIT included)"
    )
