"""Schema-driven fuzzing over the whole OpenAPI document: schemathesis generates requests from
openapi.yaml (the committed file, which another test proves equal to the served one) and sends
them to the WSGI app in process (the reliability suite sends real traffic through gunicorn
and nginx; here the point is the contract, and in process it costs far less). Every check
runs, "schema-valid request accepted" included: the contract's patterns, formats and ranges
(api.schemas.patterns) say exactly which texts and numbers a request may hold, so a request
they allow is answered, not refused.

The one 5xx allowed is the documented 503 of the time budget (a loaded machine can reach it
with a valid request), as problem+json with a Retry-After.

What no JSON Schema can state is listed below, rule by rule, and only a 422 of the core's
`invalid-input` (or `budget-exceeded`) kind whose message names one of those rules passes as
a refusal of valid-looking data: rules between two fields (an IPv4 start with an IPv6 end,
a split's new prefix shorter than the network's), the structure inside a packet or capture
given as bytes, and the service's work budgets. Anything else refused is a contract violation.
Bounded: a fixed number of examples per operation, derandomized so a run is repeatable.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.transport.requests import binary_serializer

from tests.api.conftest import ROOT

pytestmark = pytest.mark.integration

# A pcap upload is raw bytes, sent like application/octet-stream.
schemathesis.serializer("application/vnd.tcpdump.pcap")(binary_serializer)

schema = schemathesis.openapi.from_path(str(ROOT / "openapi.yaml"))
schema.app = None  # set per run: from_path knows no app


@pytest.fixture(scope="module")
def app():
    from api import create_app

    return create_app()


#: a per-flow option (flow_start, flow_cc) gives one value per flow or one for all; Monte Carlo
#: runs one flow; capture_point goes with a capture answer
_FLOWS = r"\d+ \w+ for \d+ flows|runs and flows: |capture_point applies|holds one interface"
_VERSIONS = r"is IPv[46] but .* is IPv[46]|of different IP versions"
_STRICT = r"host bits set \(strict\)"
_CURSOR = r"invalid start \d+: out of range"  # past the end of a list only the answer knows
#: operation -> the rules between fields (or inside bytes) that its 422s may name
CROSS_FIELD_RULES = {
    "GET /api/subnet/contains": [_VERSIONS, _STRICT],
    "GET /api/subnet/overlap": [_VERSIONS, _STRICT],
    "GET /api/subnet/range": [_CURSOR, _VERSIONS, r"is above end"],
    "GET /api/subnet/split": [
        _CURSOR,
        _STRICT,
        r"split needs exactly one of",
        r"is shorter than the network's",
        r"cannot split .* into",
        r"out of range 0-32 for IPv4",
        r"do not fit in|does not fit in|too many hosts|holds at most",
    ],
    "GET /api/subnet/{network}": [_STRICT],
    "GET /api/handshake/plot/{kind}": [
        r"establish plot|draws one run|cwnd|congestion",
        _FLOWS,
    ],
    "GET /api/handshake": [_FLOWS],
    "POST /api/handshake": [_FLOWS],
    "POST /api/subnet/summarize": [_CURSOR, _STRICT],
    "POST /api/subnet/exclude": [_CURSOR, _STRICT],
    "POST /api/subnet/intersect": [_CURSOR, _STRICT],
    "POST /api/subnet/diff": [_CURSOR, _STRICT],
    "POST /api/subnet/union": [_CURSOR, _STRICT],
    "POST /api/subnet/compare": [_CURSOR, _STRICT],
    "POST /api/subnet/count": [_STRICT],
    "POST /api/tcp/header": [_VERSIONS, r"TCP options take \d+ bytes"],
}
#: operations that take a packet or a capture as bytes (hex, or a pcap/pcapng body), whose
#: layout no schema states: their 422s may name any fault in it, and they may see no 2xx
STRUCTURED_BYTES = ("POST /api/tcp/parse", "POST /api/tcp/analyze")


def _named_rule(label: str, response) -> bool:
    """A 422 that refuses a schema-valid request for a rule the schema cannot state."""
    if response.status_code != 422:
        return False
    try:
        problem = response.json()
    except ValueError:
        return False
    kind = problem.get("type", "")
    if kind == "urn:netutil:problem:budget-exceeded":
        return True
    if kind == "urn:netutil:problem:limit-exceeded" and "/api/handshake" in label:
        return True  # the simulator's event and time caps: a product of several options
    if kind not in ("urn:netutil:problem:invalid-input", "urn:netutil:problem:validation-error"):
        return False
    if label.startswith(STRUCTURED_BYTES) and kind == "urn:netutil:problem:invalid-input":
        return True
    detail = f"{problem.get('detail', '')} {problem.get('errors') or ''}"
    return any(re.search(rule, detail) for rule in CROSS_FIELD_RULES.get(label, []))


@schemathesis.check
def schema_valid_request_accepted(ctx, response, case):
    """schemathesis's positive_data_acceptance, less the refusals `_named_rule` lists."""
    if _named_rule(case.operation.label, response):
        return None
    return positive_data_acceptance(ctx, response, case)


def _time_budget(response) -> bool:
    """The documented 503: the request passed the worker's time budget (api.deadline), which
    a loaded machine can reach with a valid request; answered as a problem with Retry-After."""
    if response.status_code != 503 or "retry-after" not in {k.lower() for k in response.headers}:
        return False
    try:
        return response.json().get("type") == "urn:netutil:problem:budget-exceeded"
    except ValueError:
        return False


@schemathesis.check
def no_undocumented_server_error(ctx, response, case):
    """schemathesis's not_a_server_error, less the documented time-budget 503."""
    if _time_budget(response):
        return None
    return not_a_server_error(ctx, response, case)


@pytest.fixture
def answered(request):
    """Status classes seen for one operation; afterwards, the run must have reached the
    operation's success path at least once (unless its input is structured bytes)."""
    seen: Counter[str] = Counter()
    yield seen
    label = request.node.callspec.id if hasattr(request.node, "callspec") else request.node.name
    if seen and not any(k in label for k in STRUCTURED_BYTES):
        assert seen["2xx"] > 0, f"{label}: no request answered 2xx in {dict(seen)}"


@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_no_contract_violation(case, app, answered):
    response = case.call_and_validate(
        app=app,
        additional_checks=[schema_valid_request_accepted, no_undocumented_server_error],
        excluded_checks=[positive_data_acceptance, not_a_server_error],
    )
    answered[f"{response.status_code // 100}xx"] += 1
