"""REST service throughput: GET /api/ip/192.168.0.1 under gunicorn, driven by wrk over loopback,
next to a bare Flask constant-JSON endpoint (benchmarks/ceiling_app.py) under the same gunicorn
settings in the same run. Goal: at least 70% of the ceiling's requests per second.

wrk comes from Debian (`apt-get install wrk`); without it this benchmark says so and stops.
Both servers bind 127.0.0.1 only; every wrk run is bounded in time.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks import harness

ROOT = Path(__file__).resolve().parents[1]
WORKERS = "2"  # two cores here: two sync workers, wrk on one thread
CONNECTIONS = "16"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(app: str, probe: str) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    argv = [gunicorn, "--config", "python:api.gunicorn_conf", "--bind", f"127.0.0.1:{port}"]
    env = {**os.environ, "WEB_CONCURRENCY": WORKERS, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [*argv, "--access-logfile", "/dev/null", app],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}{probe}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.1)
    _stop(proc)
    raise RuntimeError(f"{app} did not start")


def _peak_rss_mib(master: int) -> float:
    """Largest peak resident set (VmHWM) among the gunicorn master and its workers, in MiB."""
    pids = [master]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == master:
                        pids.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
    peak = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return peak / 1024


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def _wrk(url: str, seconds: int) -> tuple[float, float]:
    """(requests per second, p99 latency in seconds) of one wrk run; non-2xx answers fail it."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 30,
    ).stdout
    if "Non-2xx" in out or "Socket errors" in out:
        raise RuntimeError(f"wrk saw errors:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out).groups()
    return rps, float(value) * _UNITS[unit]


def run(quick: bool) -> None:
    if shutil.which("wrk") is None:
        harness.note("wrk not found (apt-get install wrk): api benchmark skipped")
        return
    seconds, rounds = (2, 2) if quick else (3, 7)
    ours_proc, ours_url = _start("api:create_app()", "/api/ip/192.168.0.1")
    ceil_proc, ceil_url = _start("benchmarks.ceiling_app:create_app()", "/ceiling")
    ours: list[tuple[float, float]] = []
    ceiling: list[tuple[float, float]] = []
    try:
        _wrk(ours_url, 1)  # warm both up
        _wrk(ceil_url, 1)
        for _ in range(rounds):  # alternate, so drift hits both alike
            ours.append(_wrk(ours_url, seconds))
            ceiling.append(_wrk(ceil_url, seconds))
        ours_rss, ceil_rss = _peak_rss_mib(ours_proc.pid), _peak_rss_mib(ceil_proc.pid)
    finally:
        _stop(ours_proc)
        _stop(ceil_proc)
    # harness.report compares seconds per request: peer/ours = our rps / ceiling rps.
    ratio = harness.report(
        "GET /api/ip/192.168.0.1 (s/request, wrk)",
        [1 / rps for rps, _ in ours],
        "bare Flask",
        [1 / rps for rps, _ in ceiling],
        goal=">= 0.70 of the ceiling",
    )
    ours_rps = sorted(r for r, _ in ours)[len(ours) // 2]
    ceil_rps = sorted(r for r, _ in ceiling)[len(ceiling) // 2]
    ours_p99 = sorted(p for _, p in ours)[len(ours) // 2]
    ceil_p99 = sorted(p for _, p in ceiling)[len(ceiling) // 2]
    harness.note(
        f"requests/s: netutil {ours_rps:,.0f}, bare Flask {ceil_rps:,.0f} "
        f"({ratio:.0%} of the ceiling); p99: netutil {ours_p99 * 1e3:.2f} ms, "
        f"bare Flask {ceil_p99 * 1e3:.2f} ms"
    )
    harness.note(
        f"peak RSS of one gunicorn process: netutil {ours_rss:.1f} MiB, "
        f"bare Flask {ceil_rss:.1f} MiB"
    )
    harness.note(
        f"gunicorn sync workers: {WORKERS}, wrk: 1 thread, {CONNECTIONS} connections, "
        f"{rounds} x {seconds} s each"
    )
