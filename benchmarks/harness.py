"""Timing and reporting helpers shared by the benchmark modules."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass


def time_calls(fn: Callable[[], object], repeat: int = 7, number: int = 1) -> list[float]:
    """Seconds per call of fn, `repeat` samples each averaging `number` calls."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number)
    return samples


def time_process(
    argv: Sequence[str],
    repeat: int = 20,
    stdin_path: str | None = None,
    stdout_path: str | None = None,
) -> list[float]:
    """Wall seconds of whole processes (start-up included), one sample per run."""
    samples = []
    for _ in range(repeat):
        stdin = open(stdin_path, "rb") if stdin_path else subprocess.DEVNULL  # noqa: SIM115
        stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            start = time.perf_counter()
            subprocess.run(argv, stdin=stdin, stdout=stdout, check=True)
            samples.append(time.perf_counter() - start)
        finally:
            for f in (stdin, stdout):
                if hasattr(f, "close"):
                    f.close()
    return samples


@dataclass(frozen=True, slots=True)
class ChildResult:
    seconds: float
    peak_rss_mib: float
    stdout: str


# The child's own high-water mark. getrusage's ru_maxrss is no good here: Linux carries the
# parent's peak across fork and exec, so a child of a big parent would report the parent's peak.
_PEAK_RSS_SOURCE = """
def _peak_rss_mib():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""


def run_child(code: str, env: dict[str, str] | None = None) -> ChildResult:
    """Run Python `code` in a fresh interpreter; its wall time and peak resident memory."""
    wrapper = (
        "import sys, time\n"
        f"{_PEAK_RSS_SOURCE}\n"
        "t0 = time.perf_counter()\n"
        f"exec(compile({code!r}, '<bench>', 'exec'))\n"
        "dt = time.perf_counter() - t0\n"
        "rss = _peak_rss_mib()\n"
        "sys.stderr.write(f'@@bench {dt} {rss}\\n')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    line = [ln for ln in proc.stderr.splitlines() if ln.startswith("@@bench ")][-1]
    _, dt, rss = line.split()
    return ChildResult(float(dt), float(rss), proc.stdout)


def _fmt_seconds(s: float) -> str:
    if s >= 1:
        return f"{s:.3f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3f} ms"
    return f"{s * 1e6:.3f} us"


def report(
    name: str,
    ours: Sequence[float],
    peer_name: str,
    peer: Sequence[float],
    goal: str = "",
) -> float:
    """Print one comparison line; returns peer median / our median (> 1 means we are faster)."""
    ours_med = statistics.median(ours)
    peer_med = statistics.median(peer)
    speedup = peer_med / ours_med if ours_med else float("inf")
    print(
        f"{name:<44} netutil {_fmt_seconds(ours_med):>12}   "
        f"{peer_name} {_fmt_seconds(peer_med):>12}   ratio {speedup:6.2f}x"
        f"{'   goal: ' + goal if goal else ''}",
        flush=True,
    )
    return speedup


def note(text: str) -> None:
    """A free-form line in the report (memory figures, counts)."""
    print(f"  {text}", flush=True)
