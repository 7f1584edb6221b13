"""Start-up: `netutil ip info 192.168.0.1` as a whole process against `python -c "import
ipaddress"`, the floor of any Python tool built on ipaddress (goal: within 1.75x).

Both run with this interpreter (the venv's; `netutil` is its console script), alternately, after
a warm-up run that lets Python write its bytecode caches as an installed package has them
(PYTHONDONTWRITEBYTECODE is cleared for the children).
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
from pathlib import Path

from benchmarks import harness


def netutil_script() -> str:
    """The console script next to this interpreter (the venv's), else the one on PATH."""
    beside = Path(sys.executable).with_name("netutil")
    if beside.exists():
        return str(beside)
    found = shutil.which("netutil")
    if not found:
        raise SystemExit("netutil is not installed in this environment (pip install -e .)")
    return found


def children_cpu() -> float:
    """CPU seconds (user + system) of every finished child so far: unlike wall time, it does
    not grow when other work shares the machine."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(quick: bool) -> None:
    ours = [netutil_script(), "ip", "info", "192.168.0.1"]
    peer = [sys.executable, "-c", "import ipaddress"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    saved = os.environ.copy()
    os.environ.clear()
    os.environ.update(env)
    try:
        for argv in (ours, peer):  # warm-up: bytecode caches, page cache
            harness.time_process(argv, repeat=2)
        repeat = 10 if quick else 40
        ours_s: list[float] = []
        peer_s: list[float] = []
        ours_cpu: list[float] = []
        peer_cpu: list[float] = []
        for _ in range(repeat):
            before = children_cpu()
            ours_s += harness.time_process(ours, repeat=1)
            middle = children_cpu()
            peer_s += harness.time_process(peer, repeat=1)
            ours_cpu.append(middle - before)
            peer_cpu.append(children_cpu() - middle)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    speed = harness.report(
        "ip info 192.168.0.1 (whole process)",
        ours_s,
        "python -c 'import ipaddress'",
        peer_s,
        goal="within 1.75x (ratio >= 0.57)",
    )
    harness.note(f"netutil takes {1 / speed:.2f}x the time of the floor")
    speed = harness.report(
        "  the same, CPU time (user + system)",
        ours_cpu,
        "python -c 'import ipaddress'",
        peer_cpu,
        goal="within 1.75x (ratio >= 0.57)",
    )
    harness.note(f"netutil takes {1 / speed:.2f}x the CPU time of the floor")
