"""Internet checksum throughput: netutil.checksum vs scapy's checksum and dpkt's in_cksum.

Goal (issue 5): at least 3x the faster peer at 40 and 1500 bytes, 5x at 1 MiB.
"""

from __future__ import annotations

import functools
import os

from benchmarks import harness


def run(quick: bool) -> None:
    import dpkt
    from scapy.utils import checksum as scapy_checksum

    from netutil.checksum import checksum

    sizes = [(40, 20000, "3x"), (1500, 5000, "3x"), (1 << 20, 5, "5x")]
    repeat = 5 if quick else 9
    for size, number, goal in sizes:
        if quick:
            number = max(1, number // 5)
        data = os.urandom(size)
        assert checksum(data) == scapy_checksum(data) == dpkt.in_cksum(data)
        ours = harness.time_calls(functools.partial(checksum, data), repeat, number)
        label = f"checksum {size} B" if size < 1 << 20 else "checksum 1 MiB"
        peers = [
            ("scapy", harness.time_calls(functools.partial(scapy_checksum, data), repeat, number)),
            ("dpkt", harness.time_calls(functools.partial(dpkt.in_cksum, data), repeat, number)),
        ]
        faster = min(peers, key=lambda p: sorted(p[1])[len(p[1]) // 2])
        for name, samples in peers:
            mark = f"{goal} the faster peer" if name == faster[0] else ""
            harness.report(f"{label} vs {name}", ours, name, samples, goal=mark)
        if size == 1 << 20:
            mib_s = 1 / sorted(ours)[len(ours) // 2]
            harness.note(f"netutil checksum throughput: {mib_s:.0f} MiB/s")
