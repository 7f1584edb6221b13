"""A transfer over a bottleneck: 10 MB over 10 Mbit/s with a 100 ms RTT, a 100-packet drop-tail
queue and 1% loss each way, against ns-3 on the same scenario in the same run.

netutil: `simulate` with the trace kept, in a fresh interpreter (wall time, peak memory), and
the same run without a trace (as Monte Carlo runs) for CPU time and events per CPU second.
ns-3 (3.37, Debian's libns3-dev): `ns3_bottleneck.cc`, built here at run time with g++ into a
cache directory (never committed), with the same link, queue, loss, MSS 1460, timestamps,
SACK, an ACK per segment and the same congestion control where both have it; its events are
`Simulator::GetEventCount()`, its CPU time that of `Simulator::Run()`. The two count events
differently (ns-3 has an event per device, queue and channel step of each packet; netutil one
per arrival and timer), so the time per transfer is printed beside the events per second.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from benchmarks import harness

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "ns3_bottleneck.cc"
NS3_HEADER = Path("/usr/include/ns3/core-module.h")
NS3_LIBS = [
    f"-lns3-{name}"
    for name in ("core", "network", "internet", "point-to-point", "applications",
                 "traffic-control", "bridge", "stats")
]  # fmt: skip
#: ns-3's socket type for each of netutil's --cc names
NS3_CC = {"none": "TcpNewReno", "reno": "TcpLinuxReno", "newreno": "TcpNewReno",
          "cubic": "TcpCubic"}  # fmt: skip

RATE = 10_000_000  # bits/s
DELAY = 0.05  # one-way seconds: a 100 ms RTT
QUEUE = 100  # packets
LOSS = 0.01
BUFFER = 1 << 20  # bytes: receive window and send buffer, over the 125 kB BDP


def _cc() -> str:
    """The congestion control netutil runs: cubic once the simulator has it, else none."""
    from netutil.sim.options import OPTION

    option = OPTION.get("cc")
    return "cubic" if option is not None and "cubic" in option.choices else "none"


def _netutil_child(size: int, cc: str) -> str:
    cc_arg = "" if cc == "none" else f", cc={cc!r}"
    return (
        "import random, time\n"
        "from netutil.sim.options import SimOptions\n"
        "from netutil.sim.run import connect, simulate\n"
        f"o = SimOptions(seed=1, data={size}, bandwidth={RATE}, delay={DELAY}, queue={QUEUE}, "
        f"loss={LOSS}, window={BUFFER}{cc_arg})\n"
        "t = simulate(o)\n"
        "s = t.summary\n"
        f"assert s.outcome == 'completed' and s.data_intact and s.bytes_delivered == {size}, s\n"
        "cpu_start = time.process_time()\n"
        "quiet = connect(o, random.Random(1), None)[0]\n"
        "cpu = time.process_time() - cpu_start\n"
        "assert quiet.events == s.events\n"
        # to the last byte read, as ns-3's figure (s.duration runs on to the end of TIME-WAIT)
        f"last_byte = {size} * 8 / s.goodput\n"
        "print(s.events, cpu, last_byte, s.client_retransmissions, len(t.events))\n"
    )


def _build_ns3() -> Path | None:
    """The ns-3 program, built once per source version into a cache; None without ns-3."""
    if not NS3_HEADER.exists() or shutil.which("g++") is None:
        return None
    digest = hashlib.sha256(SOURCE.read_bytes()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "netutil-bench"
    binary = cache / f"ns3_bottleneck-{digest}"
    if binary.exists():
        return binary
    cache.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache) as tmp:
        out = Path(tmp) / "prog"
        subprocess.run(
            ["g++", "-O2", "-std=c++17", "-o", str(out), str(SOURCE), *NS3_LIBS],
            check=True,
            capture_output=True,
        )
        out.replace(binary)
    return binary


def _run_ns3(binary: Path, size: int, cc: str) -> tuple[int, float, int, float]:
    """(events, CPU seconds of the run, bytes received, simulated seconds to the last byte)."""
    out = subprocess.run(
        [
            str(binary),
            str(size),
            str(RATE),
            str(DELAY),
            str(QUEUE),
            str(LOSS),
            NS3_CC[cc],
            str(BUFFER),
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return int(out[0]), float(out[1]), int(out[2]), float(out[3])


def run(quick: bool) -> None:
    size = 1_000_000 if quick else 10_000_000
    repeat = 3 if quick else 5
    cc = _cc()
    label = f"{size // 1_000_000} MB, 10 Mbit/s, RTT 100 ms, queue {QUEUE}, 1% loss, cc {cc}"
    walls, peaks, cpus = [], [], []
    events = duration = rtx = records = 0
    for _ in range(repeat):
        child = harness.run_child(_netutil_child(size, cc))
        e, cpu, d, r, n = child.stdout.split()
        events, duration, rtx, records = int(e), float(d), int(r), int(n)
        walls.append(child.seconds)
        peaks.append(child.peak_rss_mib)
        cpus.append(float(cpu))
    ours_cpu = statistics.median(cpus)
    harness.note(
        f"netutil {label}: wall {statistics.median(walls):.3f} s (trace of {records} records "
        f"kept, fresh interpreter), peak {statistics.median(peaks):.1f} MiB; without a trace "
        f"{ours_cpu:.3f} CPU s for {events} events = {events / ours_cpu:,.0f} events per CPU "
        f"second; {duration:.2f} simulated s to the last byte read, {rtx} retransmissions"
    )
    try:
        binary = _build_ns3()
    except subprocess.CalledProcessError as exc:
        harness.note(f"ns-3: the build failed ({exc.stderr.decode()[-300:]!r}); no comparison")
        return
    if binary is None:
        harness.note("ns-3: not installed here (apt-get install libns3-dev g++); no comparison")
        return
    peer = [_run_ns3(binary, size, cc) for _ in range(repeat)]
    peer_cpu = statistics.median(p[1] for p in peer)
    peer_events = peer[0][0]
    assert all(p[2] == size for p in peer), peer
    harness.report(
        f"bottleneck transfer CPU s ({NS3_CC[cc]} in ns-3)",
        cpus,
        "ns-3 3.37",
        [p[1] for p in peer],
    )
    ours_rate, peer_rate = events / ours_cpu, peer_events / peer_cpu
    harness.note(
        f"ns-3 {label} ({NS3_CC[cc]}): {peer_cpu:.3f} CPU s for {peer_events} events = "
        f"{peer_rate:,.0f} events per CPU second; {peer[0][3]:.2f} simulated s to the last byte"
    )
    harness.note(
        f"events per CPU second: netutil {ours_rate:,.0f}, ns-3 {peer_rate:,.0f}, ratio "
        f"{ours_rate / peer_rate:.2f} (goal: >= 1); time per transfer: ns-3 / netutil = "
        f"{peer_cpu / ours_cpu:.2f}"
    )
