"""A bounded load generator: threads sending a fixed mix of requests for a fixed time.

Each request is one of MIX (weights in the list), sent on a keep-alive session with a timeout;
a request failed when it raised (connection refused or reset, a timeout) or answered other than
the status the mix expects. Latencies are wall-clock seconds per request.
"""

from __future__ import annotations

import socket
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import requests

#: (name, weight, method, path, JSON body or None, expected status): what teams send.
MIX = [
    ("ip info", 8, "GET", "/api/ip/192.168.0.1", None, 200),
    ("ip batch", 2, "POST", "/api/ip", {"addresses": ["10.0.0.1", "2001:db8::1", "x"] * 10}, 200),
    ("subnet split page", 4, "GET", "/api/subnet/split?network=10.0.0.0/8&new_prefix=24"
     "&limit=100&cursor=5000", None, 200),
    ("checksum", 4, "POST", "/api/checksum", {"data": "0001f203f4f5f6f7" * 64}, 200),
    ("handshake", 2, "GET", "/api/handshake?seed=7&data=3000", None, 200),
    ("monte carlo", 1, "GET", "/api/handshake?seed=9&runs=2000&loss=0.1", None, 200),
]  # fmt: skip


@dataclass
class Result:
    duration: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def failed(self) -> int:
        return sum(self.failures.values())

    @property
    def rate(self) -> float:
        return self.requests / self.duration

    def quantile(self, q: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[round(q * 100) - 1]

    def line(self, label: str) -> str:
        return (
            f"{label}: {self.requests} requests in {self.duration:.1f} s = {self.rate:.0f}/s, "
            f"p50 {self.quantile(0.5) * 1000:.0f} ms, p99 {self.quantile(0.99) * 1000:.0f} ms, "
            f"failed {self.failed}" + (f" {dict(self.failures)}" if self.failed else "")
        )


def _schedule(mix: list) -> list:
    return [item for item in mix for _ in range(item[1])]


def run(
    base_url: str, seconds: float, threads: int = 8, mix: list | None = None, timeout: float = 40
) -> Result:
    """Send the mix from `threads` threads for `seconds` seconds; every request is awaited."""
    plan = _schedule(mix or MIX)
    result = Result(duration=seconds)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(offset: int) -> None:
        i = offset
        with requests.Session() as session:
            while time.monotonic() < stop_at:
                name, _, method, path, body, expected = plan[i % len(plan)]
                i += 1
                started = time.monotonic()
                try:
                    r = session.request(method, base_url + path, json=body, timeout=timeout)
                    status, outcome = (
                        r.status_code,
                        None if r.status_code == expected else (f"{name}: {r.status_code}"),
                    )
                except requests.RequestException as exc:
                    status, outcome = None, f"{name}: {type(exc).__name__}"
                elapsed = time.monotonic() - started
                with lock:
                    result.latencies.append(elapsed)
                    result.statuses[status] += 1
                    if outcome:
                        result.failures[outcome] += 1

    pool = [threading.Thread(target=worker, args=(n * 7,)) for n in range(threads)]
    began = time.monotonic()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    result.duration = time.monotonic() - began
    return result


def in_background(base_url: str, seconds: float, threads: int = 8, mix=None):
    """Start `run` in a thread; returns (thread, holder) where holder[0] is the Result."""
    holder: list[Result] = []
    t = threading.Thread(target=lambda: holder.append(run(base_url, seconds, threads, mix)))
    t.start()
    return t, holder


def slowloris(port: int, count: int) -> list[socket.socket]:
    """`count` connections to 127.0.0.1:port that each send part of a request's headers and
    then go quiet (the slowloris attack); the caller closes them."""
    held = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-a: ")
        held.append(sock)
    return held
