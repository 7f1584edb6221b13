"""`netutil subnet summarize - --format cidr` as a pipeline stage: whole processes, file to file,
CPU time (user + system) and peak memory of each, the peer measured in the same run.

- IPv4: 1,000,000 random /24-/32 prefixes against firehol's `iprange` (Debian package
  `iprange`, C, IPv4 only), outputs compared as sets of networks; netutil's aligned text and
  `--json` runs printed beside.
- IPv6: 1,000,000 random prefixes (/32-/128 in 2000::/3) against the fastest IPv6-capable peer
  that runs here: netaddr's `cidr_merge` and `ipaddress.collapse_addresses` in a whole Python
  process each, and `aggregate6` (PyPI, py-radix in C) when installed; outputs compared as
  sets. Debian's C aggregators (`iprange`, `aggregate`) are IPv4-only, and `netmask` (C, IPv6)
  takes its ranges as command-line arguments only, so none of them can take this list.
- `split 10.0.0.0/8 --prefix 32 --format cidr`: its 16,777,216 lines read from a pipe, the rate
  of each eighth of them (a steady writer keeps them level) and the process's peak memory.

Each process runs under `/usr/bin/time`, whose own small size keeps the child's peak memory its
own (getrusage in a big parent would carry the parent's peak across fork). Goal: netutil's
`--format cidr` CPU time at most 1.25x iprange's; text and JSON at most 2x `--format cidr`.
"""

from __future__ import annotations

import ipaddress
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
from itertools import pairwise

NETUTIL = os.path.join(os.path.dirname(sys.executable), "netutil")

_PY_PEERS = {
    "netaddr": "import sys, netaddr\n"
    "nets = netaddr.cidr_merge([line.strip() for line in sys.stdin if line.strip()])\n"
    "sys.stdout.write(''.join(f'{n}\\n' for n in nets))\n",
    "ipaddress": "import sys, ipaddress\n"
    "nets = ipaddress.collapse_addresses(ipaddress.ip_network(line.strip()) for line in sys.stdin"
    " if line.strip())\n"
    "sys.stdout.write(''.join(f'{n}\\n' for n in nets))\n",
}


def _inputs(path: str, n: int, version: int) -> None:
    rnd = random.Random(20261207)
    with open(path, "w") as f:
        for _ in range(n):
            if version == 4:
                p = rnd.randint(24, 32)
                x = rnd.getrandbits(32) >> (32 - p) << (32 - p)
                f.write(f"{x >> 24}.{x >> 16 & 255}.{x >> 8 & 255}.{x & 255}/{p}\n")
            else:
                p = rnd.randint(32, 128)
                x = (1 << 125 | rnd.getrandbits(125)) >> (128 - p) << (128 - p)
                f.write(f"{ipaddress.IPv6Address(x).compressed}/{p}\n")


def _measure(argv: list[str], src: str, dst: str) -> tuple[float, float, float]:
    """(CPU seconds, wall seconds, peak MiB) of one whole process, stdin from src, stdout to
    dst."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        with open(src, "rb") as fin, open(dst, "wb") as fout:
            subprocess.run(
                ["/usr/bin/time", "-o", t.name, "-f", "%U %S %e %M", *argv],
                stdin=fin,
                stdout=fout,
                check=True,
            )
        user, system, wall, kib = t.read().split()[-4:]
    return float(user) + float(system), float(wall), int(kib) / 1024


def _networks(path: str) -> set:
    with open(path) as f:
        return {ipaddress.ip_network(line.strip()) for line in f if line.strip()}


def _line(name: str, runs: list[tuple[float, float, float]], ref: float | None, what: str) -> float:
    cpu = statistics.median(r[0] for r in runs)
    wall = statistics.median(r[1] for r in runs)
    peak = max(r[2] for r in runs)
    ratio = f"   {cpu / ref:5.2f}x {what}" if ref else ""
    print(f"  {name:<34} CPU {cpu:7.3f} s   wall {wall:7.3f} s   peak {peak:7.1f} MiB{ratio}")
    return cpu


def _contest(version: int, n: int, repeat: int, tmp: str) -> None:
    src = os.path.join(tmp, f"in{version}.txt")
    _inputs(src, n, version)
    out = {name: os.path.join(tmp, f"{name}{version}.out") for name in ("cidr", "text", "json")}
    ours = [NETUTIL, "subnet", "summarize", "-"]
    if version == 4:
        peers = {"iprange": [shutil.which("iprange") or "iprange"]}
    else:
        peers = {name: [sys.executable, "-c", code] for name, code in _PY_PEERS.items()}
        aggregate6 = shutil.which("aggregate6", path=os.path.dirname(sys.executable))
        if aggregate6:
            peers["aggregate6"] = [aggregate6]
        else:
            print("  (aggregate6 not installed: pip install aggregate6 to measure it too)")
    print(f"summarize - of {n} random IPv{version} prefixes, file to file (median of {repeat})")
    results: dict[str, list] = {k: [] for k in (*peers, "cidr", "text", "json")}
    for _ in range(repeat):  # interleaved, so that load swings hit every contestant alike
        for name, argv in peers.items():
            results[name].append(_measure(argv, src, os.path.join(tmp, f"{name}{version}.out")))
        results["cidr"].append(_measure([*ours, "--format", "cidr"], src, out["cidr"]))
        results["text"].append(_measure(ours, src, out["text"]))
        results["json"].append(_measure([*ours, "--json"], src, out["json"]))
    peer_cpu = {name: statistics.median(r[0] for r in results[name]) for name in peers}
    fastest = min(peer_cpu, key=peer_cpu.get)
    for name in peers:
        _line(name, results[name], None, "")
    cidr = _line("netutil --format cidr", results["cidr"], peer_cpu[fastest], f"{fastest}'s")
    _line("netutil (aligned text)", results["text"], cidr, "--format cidr's")
    _line("netutil --json", results["json"], cidr, "--format cidr's")
    ours_set = _networks(out["cidr"])
    for name in peers:
        same = _networks(os.path.join(tmp, f"{name}{version}.out")) == ours_set
        print(f"  {name} output identical to netutil's as a set: {'yes' if same else 'NO'}")
    print(f"  {len(ours_set)} CIDRs out; fastest IPv{version} peer: {fastest}", flush=True)


def _split_rate(quick: bool, tmp: str) -> None:
    """The lines of a long split read from a pipe: rate per eighth, and peak memory."""
    import time

    prefix = 28 if quick else 32
    argv = [NETUTIL, "subnet", "split", "10.0.0.0/8", "--prefix", str(prefix), "--format", "cidr"]
    total = 1 << (prefix - 8)
    timing = os.path.join(tmp, "split.time")
    proc = subprocess.Popen(
        ["/usr/bin/time", "-o", timing, "-f", "%U %S %e %M", *argv], stdout=subprocess.PIPE
    )
    assert proc.stdout is not None
    eighth, lines, marks = total // 8, 0, [time.perf_counter()]
    while piece := proc.stdout.read(1 << 20):
        lines += piece.count(b"\n")
        while lines >= eighth * len(marks) and len(marks) <= 8:
            marks.append(time.perf_counter())
    proc.wait()
    with open(timing) as f:
        user, system, wall, kib = f.read().split()[-4:]
    rates = [eighth / (b - a) / 1e6 for a, b in pairwise(marks)]
    print(f"split 10.0.0.0/8 --prefix {prefix} --format cidr, read from a pipe")
    print(
        f"  {lines} lines (expected {total}); CPU {float(user) + float(system):.2f} s, wall"
        f" {float(wall):.2f} s, peak {int(kib) / 1024:.1f} MiB; Mlines/s per eighth:"
        f" {' '.join(f'{r:.1f}' for r in rates)}",
        flush=True,
    )


def run(quick: bool) -> None:
    n = 100_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        _contest(4, n, 1 if quick else 3, tmp)
        _contest(6, n, 1, tmp)
        _split_rate(quick, tmp)
