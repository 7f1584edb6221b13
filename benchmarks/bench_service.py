"""The service under load, faults and slow clients, through nginx (deploy/nginx.conf) in front
of gunicorn replicas on loopback: the figures of README "Deployment".

- mixed load (ip info, batches, subnet split pages, checksums, small handshakes, Monte Carlo)
  at saturation: requests/s, p50/p99, failed;
- the same load with a worker SIGKILLed, and with one replica's master SIGTERMed;
- normal requests while 200 slowloris connections are open, through nginx and, for the
  comparison that chose the proxy, straight to gunicorn;
- per-replica capacity of each endpoint family (one replica, its p99), and the mixed load's
  throughput with 1, 2 and 3 replicas behind nginx.

Every load phase is bounded in time; only 127.0.0.1 receives traffic. Wall-clock figures here
swing by half on a shared machine: compare figures of one run with each other.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import tempfile
import threading
import time
from pathlib import Path

from tests.reliability import load
from tests.reliability.stack import stack, start_replica
from tests.tools import require

FAMILIES = {
    "ip info": [load.MIX[0]],
    "ip batch (30 addresses)": [load.MIX[1]],
    "subnet split page (100)": [load.MIX[2]],
    "checksum (512 bytes)": [load.MIX[3]],
    "handshake (3000 bytes)": [load.MIX[4]],
    "monte carlo (2000 runs)": [load.MIX[5]],
}


def _drip(held: list[socket.socket], stop: threading.Event) -> None:
    """Keep the slowloris connections alive: one header byte each, every second."""
    while not stop.wait(1.0):
        for sock in held:
            with contextlib.suppress(OSError):
                sock.sendall(b"a")


def _with_slowloris(port: int, url: str, seconds: float, count: int = 200) -> load.Result:
    held = load.slowloris(port, count)
    stop = threading.Event()
    dripper = threading.Thread(target=_drip, args=(held, stop))
    dripper.start()
    try:
        mix = [("healthz", 1, "GET", "/healthz", None, 200), load.MIX[0]]
        return load.run(url, seconds, threads=4, mix=mix, timeout=10)
    finally:
        stop.set()
        dripper.join()
        for sock in held:
            sock.close()


def run(quick: bool = False) -> None:
    nginx = require("nginx")
    seconds = 5 if quick else 15
    threads = 8
    workers = 2
    print(
        f"nginx -> gunicorn replicas of {workers} sync workers; {threads} client threads; "
        f"{seconds} s a phase; cpus usable: {len(os.sched_getaffinity(0))}"
    )

    with stack(nginx, replicas=2, workers=workers) as s:
        print(load.run(s.url, seconds, threads).line("mixed load, 2 replicas"))
        thread, holder = load.in_background(s.url, seconds, threads)
        time.sleep(seconds / 3)
        os.kill(s.replicas[0].children()[0], signal.SIGKILL)
        thread.join()
        print(holder[0].line("mixed load, a worker SIGKILLed"))
        print(
            _with_slowloris(s.nginx.port, s.url, seconds).line(
                "healthz + ip info, 200 slowloris connections open, through nginx"
            )
        )

    with stack(nginx, replicas=2, workers=workers) as s:
        thread, holder = load.in_background(s.url, seconds, threads)
        time.sleep(seconds / 3)
        s.replicas[0].proc.send_signal(signal.SIGTERM)
        code = s.replicas[0].proc.wait(timeout=40)
        thread.join()
        print(holder[0].line(f"mixed load, a master SIGTERMed (exit {code})"))

    with tempfile.TemporaryDirectory() as tmp:
        direct = start_replica(Path(tmp), workers=workers)
        try:
            url = f"http://127.0.0.1:{direct.port}"
            print(
                _with_slowloris(direct.port, url, min(seconds, 6)).line(
                    "healthz + ip info, 200 slowloris connections open, straight to gunicorn"
                )
            )
        finally:
            direct.stop()

    with stack(nginx, replicas=1, workers=workers) as s:
        for family, mix in FAMILIES.items():
            print(load.run(s.url, seconds / 2, threads, mix).line(f"one replica, {family}"))

    for replicas in (1, 2, 3):
        with stack(nginx, replicas=replicas, workers=1) as s:
            print(
                load.run(s.url, seconds, threads).line(
                    f"mixed load, {replicas} replica(s) of 1 worker"
                )
            )
