"""The `netutil subnet` runs whose output is stored in outputs.json (see its README).

Each case is (argv after `subnet`, standard input or None). Long inputs are made here from a
seeded generator, so the file stays small and the input is the same on every machine.
"""

from __future__ import annotations

import random


def _random_v4(seed: int, n: int, low: int = 8, high: int = 32) -> str:
    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        plen = rng.randint(low, high)
        a = rng.getrandbits(32) >> (32 - plen) << (32 - plen)
        lines.append(f"{a >> 24}.{a >> 16 & 255}.{a >> 8 & 255}.{a & 255}/{plen}")
    return "\n".join(lines) + "\n"


def _random_v6(seed: int, n: int) -> str:
    import ipaddress

    rng = random.Random(seed)
    lines = []
    for _ in range(n):
        plen = rng.randint(16, 128)
        a = rng.getrandbits(128) >> (128 - plen) << (128 - plen)
        if rng.random() < 0.1:  # some low addresses: ::ffff:0:0/96 and ::/96 spellings
            a = (0xFFFF << 32 | rng.getrandbits(32)) if rng.random() < 0.5 else rng.getrandbits(40)
            plen = 128
        lines.append(f"{ipaddress.IPv6Address(a).exploded}/{plen}")
    return "\n".join(lines) + "\n"


def cases() -> list[tuple[list[str], str | None]]:
    out: list[tuple[list[str], str | None]] = []
    nets = [
        "192.168.1.0/24", "10.1.2.3/24", "10.0.0.0/31", "10.0.0.1/32", "0.0.0.0/0",
        "172.16.0.0/12", "192.0.0.0/24", "192.0.0.9/32", "100.64.0.0/9", "240.0.0.0/4",
        "2001:db8::/32", "2001:db8::/127", "2001:db8::1/128", "::/0", "::ffff:0:0/96",
        "::ffff:10.0.0.0/104", "fe80::/10", "2002::/15", "10.1.2.3/255.255.0.0",
        "10.1.2.3/0.0.0.255", "2001::/23", "2001:1::1/128",
    ]  # fmt: skip
    for net in nets:
        out.append((["info", net], None))
        out.append((["info", net, "--json"], None))
    out.append((["info", "10.0.0.0/31", "-", "--json"], "# c\n192.0.2.0/24\n\nbad\n::/0\n"))
    out.append((["info", "-"], "10.0.0.0/8\n2001:db8::/48\n"))
    for argv in (
        ["split", "10.0.0.0/24", "--prefix", "26"],
        ["split", "10.0.0.0/24", "--prefix", "26", "--json"],
        ["split", "10.0.0.0/24", "--count", "5"],
        ["split", "192.168.1.0/24", "--hosts", "50", "20", "10", "2"],
        ["split", "192.168.1.0/24", "--hosts", "50,20,10,2", "--json"],
        ["split", "2001:db8::/32", "--prefix", "64", "--limit", "3"],
        ["split", "2001:db8::/32", "--prefix", "64", "--limit", "3", "--json"],
        ["split", "10.0.0.0/8", "--prefix", "32", "--limit", "5", "--start", "1000"],
        ["split", "10.0.0.0/14", "--prefix", "32"],
        ["split", "10.0.0.0/14", "--prefix", "32", "--json"],
        ["split", "2001:db8::/48", "--hosts", "1000", "3", "2", "1"],
        ["split", "::ffff:0:0/96", "--prefix", "104", "--limit", "4"],
        ["split", "10.0.0.0/8", "--prefix", "7"],
        ["split", "10.0.0.0/24", "--hosts", "300"],
        ["range", "192.168.0.10", "192.168.0.20"],
        ["range", "192.168.0.10", "192.168.0.20", "--json"],
        ["range", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"],
        ["range", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "--json"],
        ["range", "2001:db8::3", "2001:db8:0:1:8000::7"],
        ["range", "2001:db8:1:2:3:4:5:7", "2001:db8:1:2:3:4:6:1"],
        ["range", "::1", "::ffff:10.0.0.255"],
        ["range", "0.0.0.1", "255.255.255.254", "--limit", "10", "--start", "5"],
        ["contains", "10.0.0.0/8", "10.20.30.40"],
        ["contains", "10.0.0.0/8", "10.0.0.0/7", "--json"],
        ["contains", "2001:db8::/32", "2001:db8::1"],
        ["overlap", "10.0.0.0/8", "10.20.0.0/16"],
        ["overlap", "2001:db8::/32", "2001:db9::/32", "--json"],
        ["summarize", "10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/24"],
        ["summarize", "10.0.0.0/25", "10.0.0.128/25", "10.0.1.0/24", "--json"],
        ["exclude", "10.0.0.0/24", "10.0.0.64/26"],
        ["exclude", "10.0.0.0/24", "10.0.0.64/26", "--json"],
        ["exclude", "2001:db8::/32", "2001:db8:8000::/33", "2001:db8::1"],
        ["exclude", "0.0.0.0/0", "10.0.0.0/8", "192.168.0.0/16", "172.16.0.0/12"],
    ):
        out.append((argv, None))
    small_mix = "192.0.2.1\n192.0.2.0/32\n2001:db8::/33\n2001:db8:8000::/33\n# c\n\nbad\n"
    out.append((["summarize", "-"], small_mix))
    out.append((["summarize", "-", "--json"], small_mix))
    for seed, n, fmt in ((1, 5000, []), (2, 5000, ["--json"]), (3, 250_000, [])):
        out.append((["summarize", "-", *fmt], _random_v4(seed, n)))
    out.append((["summarize", "-", "--json"], _random_v4(4, 250_000, 24, 32)))
    out.append((["summarize", "-"], _random_v6(5, 3000)))
    out.append((["summarize", "-", "--json"], _random_v6(6, 3000)))
    out.append(
        (
            ["exclude", "10.0.0.0/8", "-"],
            _random_v4(7, 3000, 12, 32).replace("\n", "\n10.1.0.0/16\n", 1),
        )
    )
    out.append((["exclude", "0.0.0.0/0", "-", "--json"], _random_v4(8, 2000, 4, 24)))
    out.append((["exclude", "0.0.0.0/1", "-"], _random_v4(9, 250_000, 8, 28)))
    out.append((["exclude", "2000::/3", "-"], _random_v6(10, 2000)))
    return out
