"""RFC 9457 answers for every error status, on routing errors too, with nothing internal leaked.

These run the app in-process with a small extra blueprint declared through the same `endpoint`
contract as the real views (a body endpoint and one that crashes); the integration tests repeat
the statuses against the real endpoints under gunicorn.
"""

from __future__ import annotations

import json

import pytest
from flask import Blueprint
from marshmallow import fields, validate

from api import create_app
from api.contract import endpoint
from api.schemas.base import Strict

PROBLEM_KEYS = ["type", "title", "status", "detail", "errors"]


class EchoBody(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=10))
    count = fields.Integer(load_default=1, validate=validate.Range(min=1, max=5))


class EchoQuery(Strict):
    n = fields.Integer(load_default=0)
    tag = fields.List(fields.String(), load_default=list)


class Echo(Strict):
    name = fields.String()
    count = fields.Integer()


@pytest.fixture(scope="module")
def client():
    app = create_app({"TESTING": False, "MAX_CONTENT_LENGTH": 1000})
    bp = Blueprint("probe", __name__)

    @bp.post("/probe/echo")
    @endpoint(operation_id="echo", summary="echo", tag="probe", response=Echo, body=EchoBody)
    def echo(name, count):
        return {"name": name, "count": count}

    @bp.get("/probe/query")
    @endpoint(operation_id="q", summary="q", tag="probe", response=None, query=EchoQuery)
    def query(n, tag):
        return {"n": n, "tag": tag}

    @bp.get("/probe/crash")
    @endpoint(operation_id="crash", summary="crash", tag="probe", response=None)
    def crash():
        raise RuntimeError("secret at /work/srv/app.py line 12")

    @bp.get("/probe/invalid")
    @endpoint(operation_id="invalid", summary="invalid", tag="probe", response=None)
    def invalid():
        from netutil.errors import InvalidInput

        raise InvalidInput("invalid IPv4 address '256.1.1.1': octet 256 (> 255) at position 1")

    @bp.get("/probe/limit")
    @endpoint(operation_id="limit", summary="limit", tag="probe", response=None)
    def limit():
        from netutil.errors import LimitExceeded

        raise LimitExceeded("simulation passed 100000 events")

    app.register_blueprint(bp)
    return app.test_client()


def problem_of(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = json.loads(response.get_data())
    assert list(body) == PROBLEM_KEYS
    assert body["status"] == status
    return body


def test_unknown_path_is_404_problem(client):
    body = problem_of(client.get("/no/such/thing"), 404)
    assert body == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "No resource at this URL; GET /api/openapi.yaml lists every endpoint.",
        "errors": None,
    }


def test_wrong_method_is_405_problem_with_allow(client):
    response = client.delete("/healthz")
    body = problem_of(response, 405)
    assert body["title"] == "Method Not Allowed"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD"}


def test_valid_body_is_loaded_with_defaults(client):
    response = client.post("/probe/echo", json={"name": "a"})
    assert response.status_code == 200
    assert response.get_json() == {"name": "a", "count": 1}


def test_malformed_json_is_400(client):
    response = client.post("/probe/echo", data='{"name": ', content_type="application/json")
    body = problem_of(response, 400)
    assert body["detail"].startswith("The request body is not valid JSON: Expecting value")


def test_body_not_utf8_is_400(client):
    response = client.post("/probe/echo", data=b'{"name": "\xff"}', content_type="application/json")
    problem_of(response, 400)


@pytest.mark.parametrize(
    ("content_type", "shown"),
    [
        ("text/plain", "'text/plain'"),
        ("application/x-www-form-urlencoded", "'application/x-www-form-urlencoded'"),
    ],
)
def test_wrong_content_type_is_415(client, content_type, shown):
    response = client.post("/probe/echo", data='{"name": "a"}', content_type=content_type)
    body = problem_of(response, 415)
    assert body["detail"] == (
        f"The request body must be JSON (Content-Type: application/json), not {shown}."
    )


def test_missing_content_type_is_415(client):
    response = client.post("/probe/echo", data=b'{"name": "a"}')
    problem_of(response, 415)


def test_body_over_cap_is_413(client):
    response = client.post("/probe/echo", json={"name": "a" * 2000})
    body = problem_of(response, 413)
    assert (
        body["detail"]
        == "The request body is larger than the service accepts (at most 1000 bytes)."
    )


def test_invalid_values_are_422_with_field_messages(client):
    response = client.post("/probe/echo", json={"name": "", "count": 9, "extra": 1})
    body = problem_of(response, 422)
    assert body["type"] == "urn:netutil:problem:validation-error"
    assert body["errors"] == {
        "name": ["Length must be between 1 and 10."],
        "count": ["Must be greater than or equal to 1 and less than or equal to 5."],
        "extra": ["Unknown field."],
    }
    assert body["detail"] == "The request has invalid values (count, extra, name)."


def test_body_of_wrong_json_type_is_422(client):
    body = problem_of(client.post("/probe/echo", json=["a"]), 422)
    assert body["errors"] == {"_schema": ["Invalid input type."]}


def test_query_is_validated_and_unknown_params_rejected(client):
    assert client.get("/probe/query?n=3&tag=a&tag=b").get_json() == {"n": 3, "tag": ["a", "b"]}
    body = problem_of(client.get("/probe/query?n=x&bogus=1"), 422)
    assert body["errors"] == {"n": ["Not a valid integer."], "bogus": ["Unknown field."]}
    body = problem_of(client.get("/probe/query?n=1&n=2"), 422)
    assert body["errors"] == {"n": ["Given more than once."]}


def test_query_on_an_endpoint_without_parameters_is_rejected(client):
    body = problem_of(client.get("/healthz?verbose=1"), 422)
    assert body["errors"] == {"verbose": ["Unknown field."]}


def test_core_invalid_input_is_422_with_its_message(client):
    body = problem_of(client.get("/probe/invalid"), 422)
    assert body["type"] == "urn:netutil:problem:invalid-input"
    assert body["detail"] == "invalid IPv4 address '256.1.1.1': octet 256 (> 255) at position 1"


def test_limit_exceeded_is_422(client):
    body = problem_of(client.get("/probe/limit"), 422)
    assert body["type"] == "urn:netutil:problem:limit-exceeded"
    assert body["detail"] == "simulation passed 100000 events"


def test_crash_is_bare_500_without_internals(client, caplog):
    response = client.get("/probe/crash")
    body = problem_of(response, 500)
    assert body == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "The server could not complete the request.",
        "errors": None,
    }
    text = response.get_data(as_text=True)
    for leak in ("secret", "/work", "Traceback", "RuntimeError", ".py"):
        assert leak not in text
    # ... but the server log has the whole story.
    assert "RuntimeError: secret" in caplog.text


def test_flatten_nested_messages():
    from api.problems import flatten_messages

    assert flatten_messages({"addresses": {3: ["Not a valid string."]}, "x": ["bad"]}) == {
        "addresses.3": ["Not a valid string."],
        "x": ["bad"],
    }
