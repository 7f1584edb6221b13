"""The costliest requests within the service's caps, for memory, and the probe that measures
one in a fresh process (shared by tests/reliability/test_memory.py and the benchmark)."""

from __future__ import annotations

import json

#: Peak RSS growth one request may cause a worker (MiB). The Deployment's memory limit
#: (deploy/kubernetes) is sized from it: workers x (baseline + this).
MEMORY_BUDGET_MIB = 64


def _addresses(n: int) -> list[str]:
    """n distinct addresses of 10.0.0.0/8 scattered over it (seeded): the longest remainder
    an exclude can leave, and a summarize that merges little."""
    import random

    picks = random.Random(11).sample(range(1 << 24), n)
    return [f"10.{i >> 16}.{i >> 8 & 255}.{i & 255}" for i in picks]


# About as many short IPv4 addresses ("10.a.b.c", quoted, comma-separated) as a 1 MiB body holds.
_ITEMS = _addresses(60_000)
_TRACE = "/api/handshake?data=1048576&mss=88&window=1"
#: name -> (method, path, JSON body text or None, warm-up (method, path, body), statuses)
CASES = {
    # the 68-byte request: 10 million events allowed, a single trace
    "one trace, max_events 10 million": (
        "GET", _TRACE + "&max_events=10000000", None, ("GET", "/api/handshake", None), (422,),
    ),
    "one trace, loss 0.5, MSS 88": (
        "GET", "/api/handshake?data=1048576&mss=88&window=88&loss=0.5&max_events=10000000",
        None, ("GET", "/api/handshake", None), (200, 422),
    ),
    "Monte Carlo near the caps": (
        "GET", "/api/handshake?seed=1&runs=10000&data=1677&mss=88&window=1&duplicate=1&reorder=1",
        None, ("GET", "/api/handshake?runs=2", None), (422, 503),
    ),
    "summarize 60,000 items (1 MiB body)": (
        "POST", "/api/subnet/summarize", json.dumps({"items": _ITEMS, "limit": 1000}),
        ("POST", "/api/subnet/summarize", {"items": ["10.0.0.0/8"]}), (200,),
    ),
    "exclude 60,000 from 10.0.0.0/8": (
        "POST", "/api/subnet/exclude",
        json.dumps({"network": "10.0.0.0/8", "excluded": _ITEMS, "limit": 1000}),
        ("POST", "/api/subnet/exclude", {"network": "10.0.0.0/8", "excluded": ["10.0.0.1"]}),
        (200,),
    ),
    "ip batch of 1,000 IPv6 interfaces": (
        "POST", "/api/ip", json.dumps({"addresses": [f"2001:db8::{i:x}/64" for i in range(1000)]}),
        ("POST", "/api/ip", {"addresses": ["10.0.0.1"]}), (200,),
    ),
}  # fmt: skip

#: Run in a fresh interpreter: reads [method, path, body, warm] on stdin, prints the figures.
PROBE = """
import json, sys, time
method, path, body, warm = json.loads(sys.stdin.read())
from api import create_app
client = create_app().test_client()
def send(m, p, b, raw):
    if m == "GET":
        return client.get(p)
    return client.post(p, data=b if raw else json.dumps(b), content_type="application/json")
send(*warm, False)
def rss():  # the peak resident set of this process (ru_maxrss would carry the parent's over exec)
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:")) / 1024
before = rss()
cpu = time.process_time()
r = send(method, path, body, True)
cpu = time.process_time() - cpu
problem = r.get_json(silent=True) if r.status_code >= 400 else None
print(json.dumps({"status": r.status_code, "answer_bytes": len(r.data),
                  "baseline_mib": round(before, 1), "growth_mib": round(rss() - before, 1),
                  "cpu_s": round(cpu, 2), "problem": (problem or {}).get("type")}))
"""
