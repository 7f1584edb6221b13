"""Bulk: 1,000,000 mixed IPv4/IPv6 lines through `netutil ip info - --json` (whole process,
JSON Lines to a file) against a whole-process Python script that reads the same lines and prints
`is_private`, `is_global` and `is_multicast` from `ipaddress` for each (goal: at least as fast,
while giving every field of `ip info`).

The input is made here from a fixed seed: half IPv4, half IPv6, about a third of them drawn from
special-purpose blocks (private, loopback, link-local with EUI-64 identifiers, documentation,
Teredo, 6to4, IPv4-mapped, NAT64, multicast) and the rest uniformly random.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile

from benchmarks import harness
from benchmarks.bench_startup import children_cpu, netutil_script

PEER = """\
import ipaddress, sys
write = sys.stdout.write
for line in sys.stdin:
    a = ipaddress.ip_address(line.strip())
    write(f"{a.is_private} {a.is_global} {a.is_multicast}\\n")
"""

_V4_SPECIAL = [
    (0x0A000000, 8),  # 10/8
    (0xC0A80000, 16),  # 192.168/16
    (0x7F000000, 8),  # 127/8
    (0xA9FE0000, 16),  # 169.254/16
    (0xC0000000, 24),  # 192.0.0/24
    (0xE0000000, 4),  # multicast
    (0x64400000, 10),  # 100.64/10
]
_V6_SPECIAL = [
    (0xFE80 << 112, 64),
    (0x20010DB8 << 96, 32),
    (0x2001 << 112, 32),  # Teredo
    (0x2002 << 112, 16),  # 6to4
    (0xFFFF << 32, 96),  # IPv4-mapped
    (0x64FF9B << 96, 96),  # NAT64
    (0xFF02 << 112, 16),  # multicast
    (0xFC00 << 112, 7),
]


def make_lines(n: int, seed: int = 2026) -> list[str]:
    import ipaddress

    rnd = random.Random(seed)
    lines = []
    for i in range(n):
        special = rnd.random() < 0.35
        if i % 2 == 0:
            if special:
                base, plen = rnd.choice(_V4_SPECIAL)
                value = base | rnd.getrandbits(32 - plen)
            else:
                value = rnd.getrandbits(32)
            lines.append(str(ipaddress.IPv4Address(value)))
        else:
            if special:
                base, plen = rnd.choice(_V6_SPECIAL)
                value = base | rnd.getrandbits(128 - plen)
                if base == 0xFE80 << 112:  # an EUI-64 interface identifier
                    value = (value & ~(0xFFFF << 24)) | (0xFFFE << 24)
            else:
                value = (0x2 << 125) | rnd.getrandbits(125)  # global unicast 2000::/3
            lines.append(str(ipaddress.IPv6Address(value)))
    return lines


def peak_rss_mib(argv: list[str], stdin_path: str, stdout_path: str) -> float | None:
    """Peak resident memory of one whole process, from GNU time's %M (the child's own rusage;
    measured from here a child would inherit this benchmark's high-water mark across exec)."""
    if not os.path.exists("/usr/bin/time"):
        return None
    with open(stdin_path, "rb") as fin, open(stdout_path, "wb") as fout:
        proc = subprocess.run(
            ["/usr/bin/time", "-f", "@@rss %M", *argv],
            stdin=fin,
            stdout=fout,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    rss = [ln for ln in proc.stderr.splitlines() if ln.startswith("@@rss ")]
    return int(rss[-1].split()[1]) / 1024 if rss else None


def run(quick: bool) -> None:
    n = 100_000 if quick else 1_000_000
    repeat = 3 if quick else 5
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "addresses.txt")
        with open(src, "w") as f:
            f.write("\n".join(make_lines(n)) + "\n")
        out = os.path.join(tmp, "out.txt")
        ours = [netutil_script(), "ip", "info", "-", "--json"]
        peer = [sys.executable, "-c", PEER]
        ours_s: list[float] = []
        peer_s: list[float] = []
        ours_cpu: list[float] = []
        peer_cpu: list[float] = []
        for _ in range(repeat):
            before = children_cpu()
            ours_s += harness.time_process(ours, repeat=1, stdin_path=src, stdout_path=out)
            middle = children_cpu()
            peer_s += harness.time_process(peer, repeat=1, stdin_path=src, stdout_path=out)
            ours_cpu.append(middle - before)
            peer_cpu.append(children_cpu() - middle)
        with open(out, "rb") as f:
            peer_lines = sum(1 for _ in f)
        harness.time_process(ours, repeat=1, stdin_path=src, stdout_path=out)
        with open(out, "rb") as f:
            ours_lines = sum(1 for _ in f)
            size = f.tell()
        harness.report(
            f"ip info - --json, {n:,} lines (whole process)",
            ours_s,
            "ipaddress is_private/is_global/is_multicast script",
            peer_s,
            goal="at least as fast (ratio >= 1)",
        )
        harness.note(
            f"{ours_lines:,} JSON lines ({size / 1e6:.0f} MB, {size / ours_lines:.0f} bytes each)"
            f" vs {peer_lines:,} peer lines; {sum(ours_s) / len(ours_s) / n * 1e6:.1f} us/line"
        )
        # CPU seconds (user + system) do not depend on what else the machine is running.
        harness.report(
            "  the same, CPU time (user + system)",
            ours_cpu,
            "ipaddress script",
            peer_cpu,
            goal="at least as fast (ratio >= 1)",
        )
        small = os.path.join(tmp, "small.txt")
        with open(small, "w") as f:
            f.write("\n".join(make_lines(1000)) + "\n")
        big, tiny, other = (
            peak_rss_mib(ours, src, out),
            peak_rss_mib(ours, small, out),
            peak_rss_mib(peer, src, out),
        )
        if None not in (big, tiny, other):
            harness.note(
                f"peak RSS: netutil {big:.1f} MiB for {n:,} lines, {tiny:.1f} MiB for 1,000 "
                f"lines (constant memory); peer {other:.1f} MiB"
            )
