"""`netutil tcp analyze` on a big capture against tshark's `-q -z conv,tcp -z expert`, which
dissects the same file (all of it: tshark is C, but decodes every layer; netutil reads only
TCP/IP) and prints the connection table and the expert summary (the analysis flags).

The capture is generated: about 2,000 connections interleaved 100 at a time, each a
handshake, data segments of 64 bytes each acknowledged, about 1 in 100 lost once (three
duplicate ACKs, then the fast retransmission), and the FIN exchange. Peak memory is measured on
the whole capture and on a quarter of it: it follows the connections open at once, not the file.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile

from benchmarks import harness


def _write_capture(path: str, packets_wanted: int, seed: int = 1) -> int:
    from netutil.packet import build_packet
    from netutil.pcap import write_pcap
    from netutil.segment import TCPFlag, TCPHeader

    rng = random.Random(seed)
    per_conn = max(10, packets_wanted // 2000)
    A, PA, SYN, SA, FA = (TCPFlag.ACK, TCPFlag.PSH | TCPFlag.ACK, TCPFlag.SYN,
                          TCPFlag.SYN | TCPFlag.ACK, TCPFlag.FIN | TCPFlag.ACK)  # fmt: skip
    payload = bytes(64)

    def connection(n: int):
        """The segments of connection n as (sender is client, flags, seq, ack, length)."""
        c, s = rng.getrandbits(32), rng.getrandbits(32)
        yield True, SYN, c, 0, 0
        yield False, SA, s, c + 1, 0
        yield True, A, c + 1, s + 1, 0
        seq, sent = c + 1, 3
        while sent < per_conn - 4:
            if rng.random() < 0.01 and sent < per_conn - 10:  # lost: 3 dup ACKs, resend
                yield True, PA, seq + 64, s + 1, 64
                for _ in range(3):
                    yield False, A, s + 1, seq, 0
                yield True, PA, seq, s + 1, 64
                yield False, A, s + 1, seq + 128, 0
                seq, sent = seq + 128, sent + 6
                continue
            yield True, PA, seq, s + 1, 64
            yield False, A, s + 1, seq + 64, 0
            seq, sent = seq + 64, sent + 2
        yield True, FA, seq, s + 1, 0
        yield False, FA, s + 1, seq + 1, 0
        yield True, A, seq + 1, s + 2, 0

    def frames():
        open_conns, started, t, count = [], 0, 1.7e9, 0
        while count < packets_wanted:
            while len(open_conns) < 100:
                port = 10000 + started % 50000
                open_conns.append((port, started % 250, connection(started)))
                started += 1
            i = rng.randrange(len(open_conns))
            port, host, gen = open_conns[i]
            step = next(gen, None)
            if step is None:
                open_conns.pop(i)
                continue
            client, flags, seq, ack, n = step
            cli, srv = f"10.1.{host}.2", "10.0.0.1"
            h = TCPHeader(port if client else 5001, 5001 if client else port, seq % 2**32,
                          ack % 2**32, flags, 65535)  # fmt: skip
            t += 1e-5
            count += 1
            yield t, build_packet(h, payload[:n], cli if client else srv, srv if client else cli)

    with open(path, "wb") as f:
        return write_pcap(f, frames())


_OURS = (
    "from netutil.analyze import analyse\n"
    "with open({path!r}, 'rb') as f:\n"
    "    result = analyse(f, every_segment=False)\n"
    "print(len(result.connections), sum(1 for e in result.events if e.analysis))\n"
)


def run(quick: bool = False) -> None:
    tshark = shutil.which("tshark")
    packets = 100_000 if quick else 1_000_000
    with tempfile.TemporaryDirectory() as tmp:
        path, quarter = os.path.join(tmp, "big.pcap"), os.path.join(tmp, "quarter.pcap")
        _write_capture(path, packets)
        _write_capture(quarter, packets // 4)
        ours = harness.run_child(_OURS.format(path=path))
        small = harness.run_child(_OURS.format(path=quarter))
        conns, flagged = ours.stdout.split()
        size = os.path.getsize(path) / 2**20
        name = f"analyse {packets:,} packets ({size:.0f} MiB, {conns} connections)"
        if tshark is None:
            harness.note(f"{name}: netutil {ours.seconds:.3f} s (tshark not installed)")
        else:
            peer = harness.time_process(
                [tshark, "-n", "-r", path, "-q", "-z", "conv,tcp", "-z", "expert"], repeat=1
            )
            harness.report(name, [ours.seconds], "tshark", peer, goal=">= 1x")
        harness.note(
            f"{flagged} flagged segments; peak RSS {ours.peak_rss_mib:.1f} MiB for the whole "
            f"capture, {small.peak_rss_mib:.1f} MiB for a quarter of it"
        )
