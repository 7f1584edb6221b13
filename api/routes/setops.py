"""`/api/subnet/{intersect,diff,union,compare,count}`: set operations across lists of networks.

Each answers exactly `netutil subnet ... --json` for the same lists; the lists come in the JSON
body (within the body cap and `limits.LIST_MAX` items a list), results are pages of the core's
lists as for summarize (`cursor`, `limit`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from api import limits
from api.contract import endpoint
from api.routes.subnet import page
from api.schemas import setops as schemas
from netutil.subnet import setops

bp = Blueprint("setops", __name__)


def _errors(skip_invalid: bool) -> list[tuple[int, int, str]] | None:
    return [] if skip_invalid else None


def _with_invalid(body: dict[str, Any], errors: list[tuple[int, int, str]] | None) -> Any:
    """The core's JSON, plus the skipped items (lists counted from 1) when asked to skip."""
    if errors is not None:
        body["invalid_items"] = [{"list": w + 1, "item": i, "message": m} for w, i, m in errors]
    return body


@bp.post("/api/subnet/intersect")
@endpoint(
    operation_id="subnet_intersect",
    summary="The addresses two lists share, as CIDRs (paged)",
    tag="subnet",
    response=schemas.SetResult,
    body=schemas.PairBody,
)
def subnet_intersect(a, b, skip_invalid, limit=None, cursor=None):
    """IPv4 blocks first, then IPv6, each the fewest CIDR blocks, sorted."""
    errors = _errors(skip_invalid)
    return _with_invalid(page(setops.intersect(a, b, errors=errors), cursor, limit), errors)


@bp.post("/api/subnet/diff")
@endpoint(
    operation_id="subnet_diff",
    summary="The addresses of list A not in list B, as CIDRs (paged)",
    tag="subnet",
    response=schemas.SetResult,
    body=schemas.PairBody,
)
def subnet_diff(a, b, skip_invalid, limit=None, cursor=None):
    """IPv4 blocks first, then IPv6, each the fewest CIDR blocks, sorted."""
    errors = _errors(skip_invalid)
    return _with_invalid(page(setops.difference(a, b, errors=errors), cursor, limit), errors)


@bp.post("/api/subnet/union")
@endpoint(
    operation_id="subnet_union",
    summary="The addresses of any of the lists, as CIDRs (paged)",
    tag="subnet",
    response=schemas.SetResult,
    body=schemas.UnionBody,
)
def subnet_union(lists, skip_invalid, limit=None, cursor=None):
    """Summarize of all the lists together."""
    errors = _errors(skip_invalid)
    return _with_invalid(page(setops.union(*lists, errors=errors), cursor, limit), errors)


@bp.post("/api/subnet/compare")
@endpoint(
    operation_id="subnet_compare",
    summary="What list B adds to list A and what it removes, as CIDRs (paged)",
    tag="subnet",
    response=schemas.CompareResult,
    body=schemas.PairBody,
)
def subnet_compare(a, b, skip_invalid, limit=None, cursor=None):
    """`added` and `removed` are paged alike: one cursor and limit for both (a list that ends
    sooner gives an empty page)."""
    errors = _errors(skip_invalid)
    result = setops.compare(a, b, errors=errors)
    start = int(cursor) if cursor else 0
    longest = max(result.added.total, result.removed.total)
    if limit is None and longest - start > limits.PAGE_MAX:
        limit = limits.PAGE_MAX
    return _with_invalid(result.as_dict(start, limit), errors)


@bp.post("/api/subnet/count")
@endpoint(
    operation_id="subnet_count",
    summary="How many distinct addresses a list holds",
    tag="subnet",
    response=schemas.CountResult,
    body=schemas.CountBody,
)
def subnet_count(items, skip_invalid):
    """Exact, per IP version (overlaps counted once); decimal strings."""
    errors = _errors(skip_invalid)
    return _with_invalid(setops.count(items, errors=errors).as_dict(), errors)
