"""The sequence diagram of a long trace: `render_svg` on a ~10,000-event transfer.

Goal (issue 14): well under a second in the CLI for 10,000 events. No other program draws this
diagram, so the peers are what the same trace costs in two views that do far less: the
terminal ladder (netutil's own text renderer, one line per event) and `json.dumps` of the
trace (writing the JSON that every view starts from). The ratio says how many times either
peer's time the drawing takes (below 1: the drawing is slower).
"""

from __future__ import annotations

import functools
import json
import os
import statistics
import sys
import tempfile
import time

from benchmarks import harness


def run(quick: bool) -> None:
    from netutil.render.ladder import render_ladder
    from netutil.render.svg import render_svg
    from netutil.sim.options import SimOptions
    from netutil.sim.run import simulate

    data = 1_000_000 if quick else 3_500_000
    trace = simulate(SimOptions(data=data, loss=0.01), seed=1).as_dict()
    events = len(trace["events"])
    repeat = 3 if quick else 7
    ours = harness.time_calls(functools.partial(render_svg, trace), repeat)
    ladder = harness.time_calls(lambda: list(render_ladder(trace)), repeat)
    dumps = harness.time_calls(functools.partial(json.dumps, trace), repeat)
    label = f"sequence diagram, {events} events"
    harness.report(label + " vs ladder", ours, "ladder", ladder, goal="well under 1 s")
    harness.report(label + " vs json.dumps", ours, "json", dumps)
    harness.note(f"SVG {len(render_svg(trace)) / 1e6:.1f} MB for {events} events")
    # CPU time as well: on a shared machine wall time also counts the other processes' turns
    cpu = []
    for _ in range(repeat):
        start = time.process_time()
        render_svg(trace)
        cpu.append(time.process_time() - start)
    harness.note(f"render_svg CPU time: median {statistics.median(cpu) * 1e3:.0f} ms")

    # the whole CLI process, as a user runs it: simulate, render, write; against the same
    # command writing the trace as JSON (the diagram's extra cost is the difference). CPU
    # seconds of the child (user + system), since wall time on a shared machine mostly counts
    # the other processes' turns.
    argv = [sys.executable, "-m", "netutil", "tcp", "handshake", "--data", str(data)]
    argv += ["--loss", "0.01", "--seed", "1"]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        svg_cpu = [_child_cpu([*argv, "--format", "svg"], out) for _ in range(repeat)]
        json_cpu = [_child_cpu([*argv, "--json"], out) for _ in range(repeat)]
    harness.report(
        f"CLI --format svg, {events} events (CPU)",
        svg_cpu,
        "--json (CPU)",
        json_cpu,
        goal="render well under 1 s",
    )
    harness.note(
        f"the diagram adds {(statistics.median(svg_cpu) - statistics.median(json_cpu)) * 1e3:.0f}"
        " ms CPU to the command (simulating the transfer is the rest)"
    )


def _child_cpu(argv: list[str], out: str) -> float:
    """User + system CPU seconds of one whole process."""
    import resource
    import subprocess

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out, "wb") as f:
        subprocess.run(argv, stdout=f, stdin=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
