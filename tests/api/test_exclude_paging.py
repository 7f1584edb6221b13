"""Paging an exclude result: each page is made from its own start (the gaps between the
exclusions are found up front, their blocks only when a page reaches them), so page k costs
the blocks of one page, not the whole remainder again; the pages together are exactly what
ipaddress's address_exclude leaves."""

from __future__ import annotations

import bisect
import ipaddress
import random

import pytest

from api import create_app
from netutil import subnet


def excluded_by_ipaddress(network: str, excluded: list[str]) -> list[str]:
    """The reference: address_exclude applied one exclusion at a time to the disjoint, sorted
    blocks left so far (each exclusion lies in at most one of them, or holds some whole)."""
    left = [ipaddress.ip_network(network)]
    for e in ipaddress.collapse_addresses(ipaddress.ip_network(x) for x in excluded):
        firsts = [int(n.network_address) for n in left]
        at = max(bisect.bisect_right(firsts, int(e.network_address)) - 1, 0)
        out = []
        for n in left[at:]:
            if int(n.network_address) > int(e.broadcast_address):
                break
            out.append(n)
        keep = []
        for n in out:
            if e.subnet_of(n):
                keep.extend(sorted(n.address_exclude(e)))
            elif not n.subnet_of(e):
                keep.append(n)
        left[at : at + len(out)] = keep
    return [str(n) for n in left]


def exclusions(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        plen = rng.choice([32, 32, 30, 28, 24, 20])
        first = (10 << 24) | rng.getrandbits(24)
        out.append(
            str(ipaddress.ip_network(f"{ipaddress.IPv4Address(first)}/{plen}", strict=False))
        )
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_every_page_is_what_address_exclude_leaves(seed):
    excluded = exclusions(seed, 1500)
    expected = excluded_by_ipaddress("10.0.0.0/8", excluded)
    client = create_app().test_client()
    got, cursor, pages = [], None, 0
    while True:
        body = {"network": "10.0.0.0/8", "excluded": excluded, "limit": 1000}
        if cursor:
            body["cursor"] = cursor
        page = client.post("/api/subnet/exclude", json=body).get_json()
        got.extend(item["network"] for item in page["items"])
        pages += 1
        cursor = page["next_start"]
        if cursor is None:
            break
        assert pages < 1000
    assert got == expected
    assert page["total"] == str(len(expected))


def test_page_k_costs_one_page_of_blocks_wherever_it_starts():
    excluded = exclusions(3, 20_000)
    whole = subnet.exclude("10.0.0.0/8", excluded)
    assert whole.total > 40_000  # a remainder of many pages
    for start in (0, whole.total // 2, whole.total - 1000):
        result = subnet.exclude("10.0.0.0/8", excluded, lazy=True)
        assert result.total == whole.total
        assert result.source.made == 0  # nothing is made before a page asks
        page = result.as_dict(start, 1000)
        # the page's 1000 blocks, plus the one the page reads to see that it is full
        assert result.source.made <= 1001
        assert [i["network"] for i in page["items"]] == list(whole.cidrs(start))[:1000]


def test_lazy_and_whole_lists_agree_on_every_form():
    excluded = [*exclusions(4, 300), "192.0.2.0/24"]  # one outside: counted and ignored
    lazy = subnet.exclude("10.0.0.0/9", excluded, lazy=True)
    whole = subnet.exclude("10.0.0.0/9", excluded)
    assert lazy.as_dict(0, None) == whole.as_dict(0, None)
    assert "".join(lazy.text()) == "".join(whole.text())
    assert list(lazy.networks(7)) == list(whole.networks(7))
    v6 = ["2001:db8::1", "2001:db8::8:0/112", "2001:db8:0:1::/64"]
    assert subnet.exclude("2001:db8::/48", v6, lazy=True).as_dict(3, 50) == subnet.exclude(
        "2001:db8::/48", v6
    ).as_dict(3, 50)
