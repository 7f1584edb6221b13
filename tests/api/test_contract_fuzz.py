"""Schema-driven fuzzing: schemathesis generates requests from openapi.yaml (the committed file,
which another test proves equal to the served one) and sends them to the real gunicorn; no answer
may be a 5xx or break the contract (status codes, content types, response schemas). Bounded: a
fixed number of examples per operation, derandomized so a run is repeatable."""

from __future__ import annotations

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.transport.requests import binary_serializer

from tests.api.conftest import ROOT

pytestmark = pytest.mark.integration

# A pcap upload is raw bytes, sent like application/octet-stream.
schemathesis.serializer("application/vnd.tcpdump.pcap")(binary_serializer)

schema = schemathesis.openapi.from_path(str(ROOT / "openapi.yaml"))


@pytest.fixture(scope="module")
def http():
    with requests.Session() as session:
        yield session


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_no_contract_violation(case, service, http):
    # Every check runs except "schema-valid data is accepted": a string the schema allows (an
    # address, a prefix) can still be invalid for the core, which answers a documented 422.
    case.call_and_validate(
        base_url=service, session=http, timeout=30, excluded_checks=[positive_data_acceptance]
    )
