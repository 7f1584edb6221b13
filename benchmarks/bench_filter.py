"""`netutil subnet filter` against grepcidr (Debian package `grepcidr`) on the same log.

A generated access log of 5,000,000 lines (500,000 with --quick), each starting with
its client address (nine in ten IPv4, one in ten IPv6) and holding a second address in brackets
later on, is filtered by a list of 2,000 IPv4 networks and 20 IPv6 ones, file to file, as whole
processes: netutil with `--any` against grepcidr's default (both look at every address of a
line, and on this log both read the same addresses: the outputs are checked to be identical),
and netutil's default (the first address) against `grepcidr -x` (the address at the start of
the line). CPU time (user + system) and peak resident memory are each process's own (GNU
time); one run each (CPU time swings far less than wall time on a shared machine).
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from benchmarks.harness import note


def _write_inputs(directory: str, lines: int) -> tuple[str, str]:
    rng = random.Random(20261207)
    listed = os.path.join(directory, "list.txt")
    with open(listed, "w") as f:
        for _ in range(2000):
            plen = rng.randint(12, 24)
            a = rng.getrandbits(32) >> (32 - plen) << (32 - plen)
            f.write(f"{a >> 24}.{a >> 16 & 255}.{a >> 8 & 255}.{a & 255}/{plen}\n")
        for _ in range(20):
            f.write(f"2001:db8:{rng.getrandbits(16):x}::/48\n")
    log = os.path.join(directory, "access.log")
    with open(log, "w") as f:
        chunk = []
        for i in range(lines):
            if i % 10 == 0:
                client = f"2001:db8:{rng.getrandbits(16):x}::{rng.getrandbits(16):x}"
            else:
                a = rng.getrandbits(32)
                client = f"{a >> 24}.{a >> 16 & 255}.{a >> 8 & 255}.{a & 255}"
            b = rng.getrandbits(32)
            peer = f"{b >> 24}.{b >> 16 & 255}.{b >> 8 & 255}.{b & 255}"
            chunk.append(f'{client} - - [07/Dec/2026:10:{i % 60:02d}] "GET /p?{i}" 200 [{peer}]\n')
            if len(chunk) == 65536:
                f.write("".join(chunk))
                chunk.clear()
        f.write("".join(chunk))
    return listed, log


def _run(argv: list[str], out_path: str) -> tuple[float, float, float]:
    """(CPU seconds, wall seconds, peak RSS MiB) of one whole process, stdout to a file. The
    figures come from GNU time (Debian package `time`), whose own small process starts the
    program: wait4 here would report at least this process's peak, which Linux carries across
    fork and exec."""
    timing = out_path + ".time"
    with open(out_path, "wb") as out:
        start = time.perf_counter()
        code = subprocess.run(
            [_TIME, "-q", "-f", "%U %S %M", "-o", timing, *argv], stdout=out, check=False
        ).returncode
        wall = time.perf_counter() - start
    if code not in (0, 1):  # grepcidr: 1 when nothing matched
        raise RuntimeError(f"{argv[0]} exited {code}")
    with open(timing) as f:
        user, system, peak_kib = f.read().split()[-3:]
    return float(user) + float(system), wall, int(peak_kib) / 1024


_TIME = "/usr/bin/time"


def _digest(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def run(quick: bool) -> None:
    grepcidr = shutil.which("grepcidr")
    if grepcidr is None or not os.path.exists(_TIME):
        print("needs grepcidr and GNU time (apt-get install grepcidr time): skipped")
        return
    lines = 500_000 if quick else 5_000_000
    repeat = 1  # a 5,000,000-line run costs netutil about a minute of CPU time
    netutil = [sys.executable, "-m", "netutil", "subnet", "filter"]
    with tempfile.TemporaryDirectory(prefix="bench-filter-") as tmp:
        listed, log = _write_inputs(tmp, lines)
        note(f"{lines:,} lines, {os.path.getsize(log) / 2**20:.0f} MiB; list of 2,020 networks")
        for label, ours_argv, peer_argv in (
            (
                "any address",
                [*netutil, "--in", listed, "--any", log],
                [grepcidr, "-f", listed, log],
            ),
            ("first address", [*netutil, "--in", listed, log], [grepcidr, "-x", "-f", listed, log]),
        ):
            ours_out, peer_out = os.path.join(tmp, "ours.txt"), os.path.join(tmp, "peer.txt")
            ours = [_run(ours_argv, ours_out) for _ in range(repeat)]
            peer = [_run(peer_argv, peer_out) for _ in range(repeat)]
            same = _digest(ours_out) == _digest(peer_out)
            with open(ours_out, "rb") as f:
                matched = sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
            ours_cpu = statistics.median(r[0] for r in ours)
            peer_cpu = statistics.median(r[0] for r in peer)
            rate = lines / ours_cpu
            print(
                f"filter {label:<14} CPU netutil {ours_cpu:7.2f} s   grepcidr {peer_cpu:7.2f} s"
                f"   netutil/grepcidr {ours_cpu / peer_cpu:6.2f}x   ({rate:,.0f} lines/s)",
                flush=True,
            )
            note(
                f"wall netutil {statistics.median(r[1] for r in ours):.2f} s, grepcidr"
                f" {statistics.median(r[1] for r in peer):.2f} s; peak RSS netutil"
                f" {max(r[2] for r in ours):.1f} MiB, grepcidr {max(r[2] for r in peer):.1f} MiB;"
                f" {matched:,} lines out, {'identical' if same else 'DIFFERENT'} output"
            )
