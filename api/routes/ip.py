"""`/api/ip`: one address, or a batch of them (`netutil ip info`)."""

from __future__ import annotations

from flask import Blueprint

from api import limits
from api.contract import endpoint
from api.schemas import patterns
from api.schemas.ip import AddressBatch, AddressBatchRequest, AddressInfo
from netutil.address import info, parse
from netutil.errors import InvalidInput

bp = Blueprint("ip", __name__)


@bp.get("/api/ip/<text:address>")
@endpoint(
    operation_id="ip_info",
    summary="Everything about one IP address",
    tag="ip",
    response=AddressInfo,
    path_params={
        "address": "IPv4 or IPv6 address, with an optional %zone (escaped as %25) and /prefix "
        "or /netmask (the slash as written: /api/ip/10.1.2.3/24)"
    },
    path_patterns={
        "address": patterns.Pattern(
            patterns.ADDRESS_INFO, error="Not an IP address in an `ip info` form.", core=parse
        )
    },
)
def ip_info(address: str):
    """The same JSON as `netutil ip info ADDRESS --json`: forms, integer, registry entry and
    verdicts, embedded IPv4, EUI-64 MAC, multicast scope and, with a prefix, the network."""
    return info(address).as_dict()


@bp.post("/api/ip")
@endpoint(
    operation_id="ip_batch",
    summary=f"Up to {limits.BATCH_MAX} addresses at once",
    tag="ip",
    response=AddressBatch,
    body=AddressBatchRequest,
)
def ip_batch(addresses: list[str]):
    """Each address gives `result` (the `ip info` JSON) or `error` (why it is invalid), in
    input order; one bad address does not fail the batch. Past the cap: 422."""
    results = []
    for text in addresses:
        try:
            results.append({"input": text, "result": info(text).as_dict(), "error": None})
        except InvalidInput as exc:
            results.append({"input": text, "result": None, "error": str(exc)})
    return {"results": results}
