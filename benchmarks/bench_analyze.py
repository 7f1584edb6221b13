"""`netutil tcp analyze FILE` on a big capture against `tshark -r FILE -q -z conv,tcp -z expert`,
which reads the same file (all of it: tshark is C but dissects every layer; netutil reads only
TCP/IP) and prints the connection table and the expert summary (the analysis flags).

The capture is generated once into a temporary directory by our pcap writer: about 2,000
connections interleaved 100 at a time, each a handshake (MSS, SACK-permitted, window scale,
timestamps), data segments of 64 bytes with the Timestamps option, each acknowledged, about 1 in
100 lost before the capture point (the next segment shows the gap, three duplicate ACKs follow,
then the fast retransmission), and the FIN exchange; checksums are right.

Both run as whole processes, one after the other in the same run; each one's CPU time (user +
system, from wait4) and peak resident memory (VmHWM of its /proc status, sampled until it
exits) are printed with the ratio. Peak memory is measured on the whole capture and on a
quarter of it: it follows the connections open at once, not the file.
"""

from __future__ import annotations

import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

from benchmarks import harness

_SYN, _ACK, _PSH, _FIN = 0x02, 0x10, 0x08, 0x01


def _sum(data: bytes) -> int:
    """The ones' complement sum of `data` mod 0xFFFF (RFC 1071; even length)."""
    return int.from_bytes(data, "big") % 0xFFFF


def _packet(src: bytes, dst: bytes, sport: int, dport: int, seq: int, ack: int, flags: int,
            options: bytes, payload: bytes) -> bytes:  # fmt: skip
    """An IPv4 packet holding one TCP segment, both checksums right."""
    hlen = 20 + len(options)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq % 2**32, ack % 2**32, hlen << 2, flags,
                      65535 if flags & _SYN else 2048, 0, 0) + options + payload  # fmt: skip
    pseudo = src + dst + struct.pack("!HH", 6, len(tcp))
    s = (_sum(pseudo) + _sum(tcp + (b"\0" if len(tcp) & 1 else b""))) % 0xFFFF
    tcp = tcp[:16] + struct.pack("!H", 0xFFFF - s if s else 0xFFFF) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, src, dst)
    c = 0xFFFF - _sum(ip) if _sum(ip) else 0xFFFF
    return ip[:10] + struct.pack("!H", c) + ip[12:] + tcp


def write_capture(path: str, packets_wanted: int, seed: int = 1) -> int:
    """The benchmark's capture at `path` (classic pcap, raw IPv4): how many packets it holds."""
    from netutil.pcap import write_pcap

    rng = random.Random(seed)
    per_conn = max(12, packets_wanted // 2000)
    payload = bytes(64)
    syn_opts = bytes.fromhex("020405b4") + b"\x04\x02\x08\x0a" + bytes(8) + b"\x01\x03\x03\x07"

    def ts(v: int, e: int) -> bytes:
        return b"\x01\x01\x08\x0a" + struct.pack("!II", v % 2**32, e % 2**32)

    def connection():
        """The segments of one connection: (sent by the client, flags, seq, ack, opts, len)."""
        c, s = rng.getrandbits(32), rng.getrandbits(32)
        yield True, _SYN, c, 0, syn_opts, 0
        yield False, _SYN | _ACK, s, c + 1, syn_opts, 0
        yield True, _ACK, c + 1, s + 1, ts(1, 1), 0
        seq, sent, clock = c + 1, 3, 2
        while sent < per_conn - 4:
            clock += 1
            if rng.random() < 0.01 and sent < per_conn - 10:  # lost before the capture point
                yield True, _PSH | _ACK, seq + 64, s + 1, ts(clock, clock), 64
                for _ in range(3):
                    yield False, _ACK, s + 1, seq, ts(clock, clock), 0
                yield True, _PSH | _ACK, seq, s + 1, ts(clock + 1, clock), 64
                yield False, _ACK, s + 1, seq + 128, ts(clock + 1, clock + 1), 0
                seq, sent = seq + 128, sent + 6
                continue
            yield True, _PSH | _ACK, seq, s + 1, ts(clock, clock), 64
            yield False, _ACK, s + 1, seq + 64, ts(clock, clock), 0
            seq, sent = seq + 64, sent + 2
        yield True, _FIN | _ACK, seq, s + 1, ts(clock, clock), 0
        yield False, _FIN | _ACK, s + 1, seq + 1, ts(clock, clock), 0
        yield True, _ACK, seq + 1, s + 2, ts(clock, clock), 0

    def frames():
        server = bytes((10, 0, 0, 1))
        open_conns, started, t, count = [], 0, 1.7e9, 0
        while count < packets_wanted:
            while len(open_conns) < 100:
                client = bytes((10, 1, started % 250, 2))
                open_conns.append((10000 + started % 50000, client, connection()))
                started += 1
            i = rng.randrange(len(open_conns))
            port, client, gen = open_conns[i]
            step = next(gen, None)
            if step is None:
                open_conns.pop(i)
                continue
            from_client, flags, seq, ack, opts, n = step
            src, dst = (client, server) if from_client else (server, client)
            sport, dport = (port, 5001) if from_client else (5001, port)
            t += 1e-5
            count += 1
            yield t, _packet(src, dst, sport, dport, seq, ack, flags, opts, payload[:n])

    with open(path, "wb") as f:
        return write_pcap(f, frames())


def measure(argv: list[str]) -> tuple[float, float]:
    """(CPU seconds, peak resident MiB) of one process run to its end, its output discarded."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    status = f"/proc/{proc.pid}/status"
    peak = 0
    while True:
        pid, code, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        try:  # VmHWM is the high-water mark: the last reading before the exit is the peak
            with open(status) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.02)
    proc.returncode = code
    if code:
        raise RuntimeError(f"{argv[0]} failed: {proc.stderr.read().decode()[-500:]}")
    proc.stderr.close()
    return usage.ru_utime + usage.ru_stime, peak / 1024


def run(quick: bool = False) -> None:
    tshark = shutil.which("tshark")
    packets = 100_000 if quick else 1_000_000
    ours_argv = [sys.executable, "-m", "netutil", "tcp", "analyze"]
    with tempfile.TemporaryDirectory() as tmp:
        path, quarter = os.path.join(tmp, "big.pcap"), os.path.join(tmp, "quarter.pcap")
        start = time.process_time()
        write_capture(path, packets)
        write_capture(quarter, packets // 4)
        made = time.process_time() - start
        size = os.path.getsize(path) / 2**20
        harness.note(f"capture: {packets:,} packets, {size:.0f} MiB, written in {made:.1f} s CPU")
        ours_cpu, ours_mib = measure([*ours_argv, path])
        _, quarter_mib = measure([*ours_argv, quarter])
        name = f"analyse {packets:,} packets (CPU time)"
        if tshark is None:
            harness.note(f"{name}: netutil {ours_cpu:.2f} s (tshark not installed)")
        else:
            peer = [tshark, "-n", "-r", path, "-q", "-z", "conv,tcp", "-z", "expert"]
            peer_cpu, peer_mib = measure(peer)
            harness.report(name, [ours_cpu], "tshark", [peer_cpu], goal=">= 1x")
            harness.note(f"tshark peak RSS {peer_mib:.1f} MiB")
        harness.note(
            f"netutil peak RSS {ours_mib:.1f} MiB for the whole capture, {quarter_mib:.1f} MiB "
            "for a quarter of it"
        )
