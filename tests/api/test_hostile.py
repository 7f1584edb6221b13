"""Hostile request bodies and the per-request budgets, in-process: every answer is a
problem+json that says what is wrong, never a 500 or a traceback.

The expected messages are worked out from the inputs themselves (the offending byte's offset,
the surrogate's code point, the duplicated key), not copied from a run.
"""

from __future__ import annotations

import json
import time

import pytest
from flask import Blueprint

from api import create_app
from api.contract import MAX_JSON_DEPTH, endpoint
from api.headers import API_POLICY, PAGE_POLICY

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def app():
    app = create_app({"TESTING": False, "REQUEST_BUDGET": 0.5, "RESPONSE_MAX_BYTES": 10_000})
    bp = Blueprint("hostile_probe", __name__)

    @bp.get("/probe/spin")
    @endpoint(operation_id="spin", summary="spin", tag="probe", response=None)
    def spin():
        end = time.monotonic() + 5
        while time.monotonic() < end:  # pure Python work, as the simulator's loops are
            pass
        return {"finished": True}

    @bp.get("/probe/big")
    @endpoint(operation_id="big", summary="big", tag="probe", response=None)
    def big():
        return {"items": ["x" * 100] * 200}  # about 20,600 bytes of JSON

    app.register_blueprint(bp)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def post(client, path, raw: bytes, content_type="application/json"):
    return client.post(path, data=raw, content_type=content_type)


def problem(response, status):
    assert response.status_code == status, response.get_data()
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_deep_nesting_is_400_not_a_recursion_error(client):
    raw = b"[" * 100_000 + b"]" * 100_000
    body = problem(post(client, "/api/ip", raw), 400)
    assert body["detail"] == f"The request body is nested deeper than {MAX_JSON_DEPTH} levels."


def test_nesting_past_the_depth_cap_but_within_python_recursion_is_400(client):
    depth = MAX_JSON_DEPTH + 1
    raw = ('{"addresses": ' + "[" * depth + '"1.1.1.1"' + "]" * depth + "}").encode()
    body = problem(post(client, "/api/ip", raw), 400)
    assert body["detail"] == f"The request body is nested deeper than {MAX_JSON_DEPTH} levels."


def test_lone_surrogate_is_400(client):
    raw = b'{"addresses": ["\\ud800"]}'
    body = problem(post(client, "/api/ip", raw), 400)
    assert body["detail"] == (
        "The request body holds a lone surrogate \\ud800 in a string (at character 0): "
        "not Unicode text."
    )


def test_lone_surrogate_in_a_key_is_400(client):
    body = problem(post(client, "/api/ip", b'{"\\udfff": 1}'), 400)
    assert "lone surrogate \\udfff" in body["detail"]


def test_surrogate_pair_is_text_and_reaches_the_core(client):
    # U+1F600 written as its UTF-16 pair: valid JSON and valid Unicode, just not an address.
    response = post(client, "/api/ip", b'{"addresses": ["\\ud83d\\ude00"]}')
    assert response.status_code == 200
    (item,) = response.get_json()["results"]
    assert item["input"] == "\U0001f600" and item["error"]


def test_invalid_utf8_names_the_byte(client):
    raw = b'{"addresses": ["1.1.1.\xc3"]}'
    body = problem(post(client, "/api/ip", raw), 400)
    assert body["detail"] == (
        f"The request body is not UTF-8 text (byte {raw.index(0xC3)}: invalid continuation byte)."
    )


def test_duplicate_keys_are_400(client):
    raw = b'{"addresses": ["1.1.1.1"], "addresses": ["2.2.2.2"]}'
    body = problem(post(client, "/api/ip", raw), 400)
    assert body["detail"] == "The request body gives the key 'addresses' more than once."


def test_number_with_a_million_digits_is_400(client):
    raw = b'{"data": "00", "x": ' + b"9" * 1_000_000 + b"}"
    app = client.application
    app.config["MAX_CONTENT_LENGTH"] = 2_000_000
    try:
        body = problem(post(client, "/api/checksum", raw), 400)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    assert body["detail"].startswith("The request body is not valid JSON: Exceeds the limit")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/xml", "multipart/form-data; boundary=x", "application/json5"],
)
def test_wrong_content_types_are_415(client, content_type):
    problem(post(client, "/api/ip", b'{"addresses": ["1.1.1.1"]}', content_type), 415)


def test_json_with_charset_parameter_is_accepted(client):
    response = post(
        client, "/api/ip", b'{"addresses": ["1.1.1.1"]}', "application/json; charset=utf-8"
    )
    assert response.status_code == 200


def test_request_past_the_time_budget_is_503_naming_it(client):
    started = time.monotonic()
    response = client.get("/probe/spin")
    elapsed = time.monotonic() - started
    body = problem(response, 503)
    assert body["type"] == "urn:netutil:problem:budget-exceeded"
    assert body["detail"].startswith("The request passed the service's time budget of 0.5 s")
    assert response.headers["Retry-After"] == "5"
    assert elapsed < 4  # stopped at the budget, not at the end of the work


def test_budget_timer_is_cleared_after_the_request(client):
    assert client.get("/healthz").status_code == 200
    time.sleep(0.7)  # past the budget: a timer left running would fire here
    assert client.get("/healthz").status_code == 200


class StalledBody:
    """A request body that sends a few bytes and then stalls (a slow-body client)."""

    def __init__(self) -> None:
        self.sent = False

    def read(self, size: int = -1) -> bytes:
        if not self.sent:
            self.sent = True
            return b'{"addr'
        time.sleep(5)
        return b""


def test_body_stalled_past_the_time_budget_is_408(app):
    from werkzeug.test import EnvironBuilder, run_wsgi_app

    environ = EnvironBuilder(
        path="/api/ip", method="POST", content_type="application/json", content_length=100
    ).get_environ()
    environ["wsgi.input"] = StalledBody()
    body_iter, status, headers = run_wsgi_app(app, environ, buffered=True)
    assert status.startswith("408 ") and headers["Content-Type"] == PROBLEM
    body = json.loads(b"".join(body_iter))
    assert body["detail"] == "The request body did not arrive within the time budget of 0.5 s."


def test_answer_past_the_response_budget_is_422_naming_it(client):
    body = problem(client.get("/probe/big"), 422)
    assert body["type"] == "urn:netutil:problem:budget-exceeded"
    size = len(json.dumps({"items": ["x" * 100] * 200}, separators=(",", ":")))
    assert body["detail"].startswith(
        f"The answer would be {size} bytes, past the response budget of 10000 bytes"
    )


# --- headers on every answer ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "policy"),
    [
        ("/healthz", API_POLICY),
        ("/api/ip/1.1.1.1", API_POLICY),
        ("/api/openapi.yaml", API_POLICY),
        ("/no/such/page", API_POLICY),
        ("/api/docs", PAGE_POLICY),
    ],
)
def test_security_headers_on_every_answer(client, path, policy):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Content-Security-Policy"] == policy
    assert "Access-Control-Allow-Origin" not in response.headers


def test_page_policy_allows_only_the_own_origin_and_no_inline_code():
    directives = dict(d.strip().split(" ", 1) for d in PAGE_POLICY.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe-inline" not in PAGE_POLICY and "unsafe-eval" not in PAGE_POLICY
    assert directives["frame-ancestors"] == "'none'"


def test_cors_stays_off_for_a_foreign_origin(client):
    response = client.get("/api/ip/1.1.1.1", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200
    assert not [h for h, _ in response.headers if h.lower().startswith("access-control")]


# --- the same over a real socket to gunicorn (framing only a real server sees) ---------------


def raw_exchange(base_url: str, request: bytes, timeout: float = 10) -> tuple[int, bytes]:
    """Send `request` as is on a new connection and close the sending side (so a cut-off
    request ends there); the status and the body of the answer."""
    import socket

    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def chunked_post(path: str, chunks: bytes) -> bytes:
    return (
        f"POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode() + chunks


def encode_chunks(body: bytes, size: int = 60_000) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


@pytest.mark.integration
def test_chunked_body_over_the_cap_is_413_not_cut(service):
    # Valid JSON followed by spaces: cut at the cap it would still parse (and answer 200).
    body = b'{"data": "00"}' + b" " * (1024 * 1024)
    status, answer = raw_exchange(service, chunked_post("/api/checksum", encode_chunks(body)))
    assert status == 413
    assert json.loads(answer)["detail"] == (
        "The request body is larger than the service accepts (at most 1048576 bytes)."
    )


@pytest.mark.integration
def test_chunked_body_within_the_cap_is_read_whole(service):
    body = b'{"data": "0001f203f4f5f6f7"}'  # RFC 1071 section 3's example: sum 0xddf2
    status, answer = raw_exchange(service, chunked_post("/api/checksum", encode_chunks(body, 7)))
    assert status == 200 and json.loads(answer)["sum_hex"] == "0xddf2"


@pytest.mark.integration
@pytest.mark.parametrize(
    "chunks",
    [b"zz\r\nabc\r\n0\r\n\r\n", b"3\r\nabcdef\r\n0\r\n\r\n", b'5\r\n{"da'],
    ids=["bad-size", "long-chunk", "cut-off"],
)
def test_malformed_chunked_body_is_400(service, chunks):
    status, answer = raw_exchange(service, chunked_post("/api/checksum", chunks))
    assert status == 400
    body = json.loads(answer)
    assert body["detail"].startswith("The request body could not be read")


@pytest.mark.integration
def test_server_header_names_no_software(service):
    import requests

    response = requests.get(service + "/healthz", timeout=5)
    assert response.headers["Server"] == "netutil"


# --- the simulator within the service's budgets ----------------------------------------------


@pytest.fixture(scope="module")
def sim_client():
    return create_app({"TESTING": False, "REQUEST_BUDGET": 1.0}).test_client()


def test_costliest_monte_carlo_within_the_caps_is_stopped_by_the_work_budget(sim_client):
    # The 80-byte request: 10,000 runs of a duplicate-and-reorder storm at the
    # smallest MSS and window, minutes of CPU if left alone.
    from api.limits import SIM_BUDGET

    query = "seed=1&runs=10000&data=1677&mss=88&window=1&duplicate=1&reorder=1"
    response = sim_client.get("/api/handshake?" + query)
    # The core's budget (events over all runs, CPU time) ends it with a 422 naming what it
    # spent; on a machine slow enough that the 1 s wall-clock budget comes first, a 503.
    assert response.status_code in (422, 503)
    body = problem(response, response.status_code)
    assert body["type"] == "urn:netutil:problem:budget-exceeded"
    if response.status_code == 422:
        assert body["detail"] in (
            f"the request passed its budget of {SIM_BUDGET.events} simulation events",
            f"the request passed its budget of {SIM_BUDGET.cpu_seconds:g} s of CPU time",
        )


def test_run_past_the_trace_budget_is_422_naming_it():
    from api.limits import SIM_BUDGET

    # A time budget no loaded machine reaches first: this is about the work budget alone.
    client = create_app({"TESTING": False, "REQUEST_BUDGET": 600}).test_client()
    # A 100-byte window: 600,000 bytes are 6,000 data segments, each sent, delivered and
    # acknowledged (several trace records each): past 25,000 records.
    response = client.post("/api/handshake", json={"seed": 1, "data": 600_000, "window": 100})
    body = problem(response, 422)
    assert body["type"] == "urn:netutil:problem:budget-exceeded"
    assert body["detail"] in (
        f"the request passed its budget of {SIM_BUDGET.trace_events} trace events in one run",
        f"the request passed its budget of {SIM_BUDGET.cpu_seconds:g} s of CPU time",
    )


def test_run_within_the_event_budget_is_the_core_run_with_the_cap_asked(sim_client):
    from netutil.sim.options import SimOptions
    from netutil.sim.run import simulate

    response = sim_client.post("/api/handshake", json={"seed": 3, "data": 20_000, "loss": 0.2})
    assert response.status_code == 200
    # The core's own run, outside the service and its budget.
    assert response.get_json() == simulate(SimOptions(seed=3, data=20_000, loss=0.2)).as_dict()
