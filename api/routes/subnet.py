"""`/api/subnet`: network facts, split (paged), summarize, range, contains, overlap, exclude.

Each answers exactly `netutil subnet ... --json`. Lists of CIDR blocks are pages of the core's
lazy lists: `limit` items from `cursor` (the previous page's `next_start`), computed by index,
so a page deep inside a split of 10.0.0.0/8 into /32s costs the same as the first one.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from api import limits
from api.contract import endpoint
from api.schemas import subnet as schemas
from netutil import subnet

bp = Blueprint("subnet", __name__)


def page(result: subnet.CidrList, cursor: str | None, limit: int | None) -> dict[str, Any]:
    """One page of a CIDR list; without a limit, everything when at most PAGE_MAX remain."""
    start = int(cursor) if cursor else 0
    if limit is None and result.total - start > limits.PAGE_MAX:
        limit = limits.PAGE_MAX
    return result.as_dict(start, limit)


@bp.get("/api/subnet/<network:network>")
@endpoint(
    operation_id="subnet_info",
    summary="Everything about one network",
    tag="subnet",
    response=schemas.NetworkInfo,
    query=schemas.NetworkQuery,
    path_params={"network": "a prefix as written, slash included: /api/subnet/10.1.2.0/24"},
    path_patterns={"network": schemas.NETWORK},
)
def subnet_info(network: str, strict: bool = False):
    """Masks, bounds, usable hosts (RFC 3021 /31, RFC 6164 /127), neighbours, supernet and the
    registry class; host bits set give the network meant plus a warning (an error with strict)."""
    return subnet.network_info(network, strict=strict).as_dict()


@bp.get("/api/subnet/split")
@endpoint(
    operation_id="subnet_split",
    summary="Cut a network into subnets (paged)",
    tag="subnet",
    response=schemas.SplitResult,
    query=schemas.SplitQuery,
)
def subnet_split(
    network, new_prefix=None, count=None, hosts=None, strict=False, limit=None, cursor=None
):
    """By new prefix length, by number of subnets (rounded up to a power of two) or by host
    counts (VLSM: largest first, leftover space as CIDRs); exactly one of the three."""
    result = subnet.split(network, new_prefix, count=count, hosts=hosts, strict=strict)
    return page(result, cursor, limit)


@bp.post("/api/subnet/summarize")
@endpoint(
    operation_id="subnet_summarize",
    summary="Minimal covering list of addresses and networks (paged)",
    tag="subnet",
    response=schemas.SummarizeResult,
    body=schemas.SummarizeBody,
)
def subnet_summarize(items, skip_invalid, strict=False, limit=None, cursor=None):
    """IPv4 blocks first, then IPv6, each sorted: what `ipaddress.collapse_addresses` gives."""
    errors: list[tuple[int, str]] | None = [] if skip_invalid else None
    result = subnet.summarize(items, errors=errors, strict=strict)
    return _with_invalid(page(result, cursor, limit), errors)


@bp.get("/api/subnet/range")
@endpoint(
    operation_id="subnet_range",
    summary="Minimal CIDR list covering START..END (paged)",
    tag="subnet",
    response=schemas.RangeResult,
    query=schemas.RangeQuery,
)
def subnet_range(start_address, end_address, limit=None, cursor=None):
    """Both ends included; one IP version."""
    return page(subnet.range_cidrs(start_address, end_address), cursor, limit)


@bp.get("/api/subnet/contains")
@endpoint(
    operation_id="subnet_contains",
    summary="Does a network hold an address or another network?",
    tag="subnet",
    response=schemas.ContainsResult,
    query=schemas.ContainsQuery,
)
def subnet_contains(network, other, strict=False):
    """`contains` is true when the relation is `equal` or `contains`."""
    return subnet.contains(network, other, strict=strict).as_dict()


@bp.get("/api/subnet/overlap")
@endpoint(
    operation_id="subnet_overlap",
    summary="Do two networks share addresses?",
    tag="subnet",
    response=schemas.OverlapResult,
    query=schemas.OverlapQuery,
)
def subnet_overlap(a, b, strict=False):
    """CIDR blocks either nest or are disjoint: the intersection is the smaller one or null."""
    return subnet.overlap(a, b, strict=strict).as_dict()


@bp.post("/api/subnet/exclude")
@endpoint(
    operation_id="subnet_exclude",
    summary="What is left of a network after taking others out (paged)",
    tag="subnet",
    response=schemas.ExcludeResult,
    body=schemas.ExcludeBody,
)
def subnet_exclude(network, excluded, strict, skip_invalid, limit=None, cursor=None):
    """Exclusions outside the network are counted and ignored. A page's blocks are made from
    the page's start (the gaps between exclusions are found, not filled), so paging through a
    long remainder costs each page its own blocks, not the whole list again."""
    errors: list[tuple[int, str]] | None = [] if skip_invalid else None
    result = subnet.exclude(network, excluded, strict=strict, errors=errors, lazy=True)
    return _with_invalid(page(result, cursor, limit), errors)


def _with_invalid(body: dict[str, Any], errors: list[tuple[int, str]] | None) -> dict[str, Any]:
    """The core's JSON, plus the skipped items when the request asked to skip them."""
    if errors is not None:
        body["invalid_items"] = [{"item": i, "message": m} for i, m in errors]
    return body
