"""Subnet operations against `ipaddress` and netaddr on the same input, each run in its own
child process (so peak memory is each one's own): summarize, range over huge spans, exclude,
and streaming a split of 10.0.0.0/8 into /32s through the CLI.

Every run turns text into text: the list of input strings in, the list of output CIDR strings
out (parsing and formatting included for everyone); the outputs are compared by digest. The
timed part starts after the input is made and includes each contestant's own imports (the
input is made without importing any of them, so no contestant's import is paid in the set-up).
netutil is byte-compiled before the runs, as pip does at install time and as the peers are.

Where the time goes (CPU profiles of netutil on this 2-core machine, Python 3.11):
- summarize (1,000,000 prefixes): past 200,000 items the list takes NumPy
  (`netutil/subnet/bulk.py`): 65,536 lines at a time joined into one ASCII text, the
  separators found and the octets and prefix lengths read in C loops over the chunk, one
  `np.sort` of 38-bit keys, the runs found with `maximum.accumulate`, the text written as
  NUL-padded four-byte words compacted in one pass. CPU time: NumPy's import ~0.12 s, parsing
  ~0.2 s, merging ~0.1 s, text ~0.13 s (splitting it into a million str objects is most of
  that). The per-item loop it replaces (still taken below 200,000 items, where the import
  does not pay) spent ~1.2 s: parsing about 45% (one `inet_pton` and a few integer
  operations per item), sorting 10%, merging 20%, text 25%, every step one pass at CPython's
  cost of creating an object. Measured and not paying for that loop (CPU time, same output):
  splitting the whole input in bulk with str methods (`'/'.join(...).split('/')`,
  `map(inet_pton)` and one `struct.unpack`: the temporary lists cost more than the per-item
  calls they save); one 38-bit sort key (two-digit ints sort 3.5x slower than the
  first-octet buckets' one-digit keys); reusing the input text for blocks that pass through
  unchanged; a C-level disjointness check per bucket.
- range (2000 spans, ~126 blocks each): the IPv6 text. One libc `inet_ntop` per block (~0.43
  us here: a `sprintf` per group) plus `int.to_bytes` made ours 188 ms (7.7x netaddr). A
  range's block starts share their high groups (left of the aligned boundary: `first` rounded
  up to powers of two; right of it: `last + 1` cut down), so the text is made from pieces: a
  head per 16-bit group (one `split` of the ends' own text), then per block the hex of one byte
  and a tail by block size from small tables, all joined in one list comprehension per range:
  ~75 ms, 20x netaddr (1.53 s), which spends ~6 us per block. Per block the comprehension's
  f-string is now most of ours (~0.2 us). Measured and not paying: a 65,536-entry hex table
  per 16-bit group instead of `format(v, 'x')` (which makes a bound `__format__` method each
  time; 25% fewer instructions, but 3 ms to build and cache misses: the byte tables do
  better); per-group tables of whole block texts added to the head with
  `map(head.__add__, ...)` or `map(add, repeat(head), ...)` (slower than the comprehension:
  method-wrapper calls build an argument tuple each, and the ~50k strings take ~10 ms to
  build); an `append` call per block instead of the one comprehension (~70% more
  instructions per block); the ends' text from the group tables instead of `inet_ntop` (as
  many instructions: eight shifts and masks of a 128-bit int cost what glibc's `sprintf`s
  do). Earlier: computing the blocks' starts and host bits with C-level maps (set bits via
  `bin`/`translate`/`compress`) measured no faster than the loop.
- exclude (1,000,000 exclusions, as summarize: the same NumPy path, plus one vectorized test
  of each block against the network): the output is ~50,000 blocks. At 100,000 exclusions
  (the earlier workload, a line without the goal) the list stays on the per-item loop,
  because NumPy's ~0.1 s import is about what that loop spends on 200,000 items: parsing is
  ~half of ours there, and a merge that skips nested blocks by bisection took 15% off its
  merge.
"""

from __future__ import annotations

import statistics
import sys

from benchmarks import harness

# Code run in the child before the timed part: a seeded list of input strings in `data`.
# N random IPv4 prefixes of /{shortest}-/32 (network addresses, so every peer accepts them)
# with their top bits {base} and {free} random bits below.
_RANDOM_PREFIXES = """
import random
rnd = random.Random(20260718)
data = []
for _ in range({{n}}):
    p = rnd.randint({shortest}, 32)
    x = ({base} | rnd.getrandbits({free})) >> (32 - p) << (32 - p)
    data.append("%d.%d.%d.%d/%d" % (x >> 24, x >> 16 & 255, x >> 8 & 255, x & 255, p))
"""
_SETUP = {
    # anywhere in the IPv4 space
    "summarize": _RANDOM_PREFIXES.format(shortest=24, base=0, free=32),
    # N IPv6 ranges with random 128-bit ends: each spans a huge part of the space (~126 CIDRs).
    # The text is RFC 5952's, written by libc (the same strings ipaddress writes for these:
    # none falls in ::/80), so that no contestant finds ipaddress imported for it.
    "range": """
import random, _socket
rnd = random.Random(20260718)
data = []
for _ in range({n}):
    a, b = sorted((rnd.getrandbits(128), rnd.getrandbits(128)))
    data.append(tuple(_socket.inet_ntop(_socket.AF_INET6, x.to_bytes(16, "big")) for x in (a, b)))
""",
    # inside 10.0.0.0/8, to take out of it (summarize's distribution)
    "exclude": _RANDOM_PREFIXES.format(shortest=24, base=10 << 24, free=24),
    # the earlier, smaller workload: /20-/32 inside 10.0.0.0/8
    "exclude_small": _RANDOM_PREFIXES.format(shortest=20, base=10 << 24, free=24),
}

# The timed part: `data` in, `out` (a list of CIDR strings) out.
_RUN = {
    ("summarize", "netutil"): """
from netutil.subnet import summarize
out = list(summarize(data).cidrs())
""",
    ("summarize", "ipaddress"): """
import ipaddress
out = [str(n) for n in ipaddress.collapse_addresses(ipaddress.ip_network(s) for s in data)]
""",
    ("summarize", "netaddr"): """
import netaddr
out = [str(n) for n in netaddr.cidr_merge(data)]
""",
    ("range", "netutil"): """
from netutil.subnet import range_cidrs
out = [c for a, b in data for c in range_cidrs(a, b).cidrs()]
""",
    ("range", "ipaddress"): """
import ipaddress
ip = ipaddress.IPv6Address
out = [str(n) for a, b in data for n in ipaddress.summarize_address_range(ip(a), ip(b))]
""",
    ("range", "netaddr"): """
import netaddr
out = [str(n) for a, b in data for n in netaddr.iprange_to_cidrs(a, b)]
""",
    ("exclude", "netutil"): """
from netutil.subnet import exclude
out = list(exclude("10.0.0.0/8", data).cidrs())
""",
    # ipaddress has address_exclude for one network at a time: walk the sorted, collapsed
    # exclusions once, cutting only the piece that holds the next one (no quadratic rescans).
    ("exclude", "ipaddress"): """
import ipaddress
done, pending = [], [ipaddress.ip_network("10.0.0.0/8")]
for ex in ipaddress.collapse_addresses(ipaddress.ip_network(s) for s in data):
    while True:
        piece = pending.pop()
        if ex.subnet_of(piece):
            if piece != ex:
                after = []
                for part in sorted(piece.address_exclude(ex)):
                    (done if part < ex else after).append(part)
                pending.extend(reversed(after))
            break
        done.append(piece)
done.extend(reversed(pending))
out = [str(n) for n in done]
""",
    ("exclude", "netaddr"): """
import netaddr
left = netaddr.IPSet(["10.0.0.0/8"]) - netaddr.IPSet(data)
out = [str(n) for n in left.iter_cidrs()]
""",
}

for _who in ("netutil", "ipaddress", "netaddr"):
    _RUN[("exclude_small", _who)] = _RUN[("exclude", _who)]

_REPORT = """
import hashlib, time
t0 = time.perf_counter()
{run}
dt = time.perf_counter() - t0
print(dt, len(out), hashlib.sha256("\\n".join(out).encode()).hexdigest())
"""


# Children may cache bytecode, as an installed package does (pip compiles it at install time;
# the peers' modules are cached that way already), so no child pays for compiling netutil.
_ENV = {"PYTHONDONTWRITEBYTECODE": ""}


def _child(op: str, who: str, n: int) -> tuple[float, float, int, str]:
    code = _SETUP[op].format(n=n) + _REPORT.format(run=_RUN[(op, who)])
    result = harness.run_child(code, env=_ENV)
    dt, count, digest = result.stdout.split()
    return float(dt), result.peak_rss_mib, int(count), digest


def _compare(
    op: str, label: str, n: int, ours_repeat: int, peer_repeat: int, *, goal: bool = True
) -> None:
    """Interleave the runs (ours, a peer, ours, the other peer, ...) so that a change in the
    machine's load during the benchmark weighs on every contestant alike."""
    runs: dict[str, list[tuple[float, float, int, str]]] = {"netutil": [], "ipaddress": [],
                                                            "netaddr": []}  # fmt: skip
    order = []
    for i in range(max(ours_repeat, 2 * peer_repeat)):
        if i < ours_repeat:
            order.append("netutil")
        if i < 2 * peer_repeat:
            order.append("ipaddress" if i % 2 == 0 else "netaddr")
    for who in order:
        runs[who].append(_child(op, who, n))
    ours = [r[0] for r in runs["netutil"]]
    faster = min(("ipaddress", "netaddr"), key=lambda w: statistics.median(r[0] for r in runs[w]))
    for peer in ("ipaddress", "netaddr"):
        marked = ">= 10x the faster peer" if goal and peer == faster else ""
        harness.report(f"{label} vs {peer}", ours, peer, [r[0] for r in runs[peer]], marked)
    for who, samples in runs.items():
        same = samples[0][3] == runs["netutil"][0][3]
        harness.note(
            f"{who:<9} peak RSS {max(r[1] for r in samples):7.1f} MiB, {samples[0][2]} CIDRs out"
            + (
                ""
                if who == "netutil"
                else f", output identical to netutil: {'yes' if same else 'NO'}"
            )
        )


_SPLIT = """
import os, sys
from netutil.cli import main
sys.stdout = open(os.devnull, "w")
main(["subnet", "split", "10.0.0.0/8", "--prefix", "32", "--limit", "{limit}"{json}])
"""


def _split_streaming(quick: bool) -> None:
    """The CLI streams: peak memory must not grow with --limit."""
    big = 100_000 if quick else 1_000_000
    for json_flag in ("", ', "--json"'):
        rows = []
        for limit in (1000, big):
            r = harness.run_child(_SPLIT.format(limit=limit, json=json_flag), env=_ENV)
            rows.append(f"--limit {limit}: {r.peak_rss_mib:.1f} MiB peak, {r.seconds:.2f} s")
        fmt = "json" if json_flag else "text"
        harness.note(f"split 10.0.0.0/8 --prefix 32 ({fmt}): " + "; ".join(rows))


def _split_timing(quick: bool) -> None:
    import ipaddress
    from itertools import islice

    from netutil.subnet import split

    n = 100_000 if quick else 1_000_000
    net = ipaddress.ip_network("10.0.0.0/8")

    def ours() -> None:
        for _ in islice(split("10.0.0.0/8", 32).cidrs(), n):
            pass

    def peer() -> None:
        for s in islice(net.subnets(new_prefix=32), n):
            str(s)

    repeat = 3 if quick else 5
    harness.report(
        f"split /8 into /32, first {n} as text",
        harness.time_calls(ours, repeat),
        "ipaddress",
        harness.time_calls(peer, repeat),
    )


def _compile_netutil() -> None:
    """Byte-compile the package, as pip does at install time: otherwise the first child would
    compile it inside its timed part (and its peak memory would hold the compiler's)."""
    import compileall
    import os

    import netutil

    compileall.compile_dir(os.path.dirname(netutil.__file__), quiet=1)


def run(quick: bool) -> None:
    _compile_netutil()
    n = 100_000 if quick else 1_000_000
    # The goals are stated for the full sizes; --quick's lists are below NumPy's threshold.
    full = not quick
    _compare("summarize", f"summarize {n} IPv4 /24-/32", n, 3, 1, goal=full)
    ranges = 200 if quick else 2000
    _compare("range", f"range: {ranges} random IPv6 spans", ranges, 5, 3)
    _compare("exclude", f"exclude {n} /24-/32 from 10/8", n, 3, 1, goal=full)
    # The earlier workload, below the size where NumPy's import pays (see the docstring).
    excluded = 10_000 if quick else 100_000
    _compare("exclude_small", f"exclude {excluded} /20-/32 from 10/8", excluded, 5, 3, goal=False)
    _split_timing(quick)
    _split_streaming(quick)


if __name__ == "__main__":
    run("--quick" in sys.argv)
