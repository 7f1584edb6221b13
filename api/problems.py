"""RFC 9457 problem details: every error the service answers is `application/problem+json`.

The handlers are registered on the application, not on a blueprint, so routing errors (404 for an
unknown path, 405 for a wrong method) are answered the same way as errors raised in a view. The
body never carries a traceback, an exception's repr or a file path: HTTP errors keep their own
status and a fixed description, validation errors list the field messages, and anything
unexpected is logged on the server and answered as a bare 500.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask, Response, current_app, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from api.deadline import BudgetExceeded
from netutil.errors import InvalidInput, LimitExceeded

PROBLEM_MEDIA_TYPE = "application/problem+json"

#: `type` of the problems this service defines (URNs: RFC 9457 section 3.1.1 allows any URI and
#: these need no server to resolve); plain HTTP errors use about:blank (section 4.2.1).
TYPE_VALIDATION = "urn:netutil:problem:validation-error"
TYPE_INVALID_INPUT = "urn:netutil:problem:invalid-input"
TYPE_LIMIT = "urn:netutil:problem:limit-exceeded"
#: a request over one of the service's per-request budgets (time, response size)
TYPE_BUDGET = "urn:netutil:problem:budget-exceeded"
TYPE_BLANK = "about:blank"

#: A clear, fixed `detail` per HTTP status, so nothing internal ever reaches a client.
DETAILS = {
    400: "The request could not be understood.",
    404: "No resource at this URL; GET /api/openapi.yaml lists every endpoint.",
    405: "This URL does not accept that method; the Allow header lists the ones it does.",
    406: "The Accept header asks for a media type this URL cannot produce.",
    408: "The request did not arrive in time.",
    413: "The request body is larger than the service accepts.",
    414: "The request URL is longer than the service accepts.",
    415: "The request body must be JSON (Content-Type: application/json).",
    431: "The request's header fields are larger than the service accepts.",
    500: "The server could not complete the request.",
    503: "The service cannot answer right now; retry later.",
}


class ProblemError(Exception):
    """Raised by views for a problem they detect themselves (415, malformed JSON, ...)."""

    def __init__(
        self,
        status: int,
        detail: str,
        title: str | None = None,
        type_: str = TYPE_BLANK,
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title
        self.type = type_
        self.errors = errors


def problem(
    status: int,
    detail: str,
    title: str | None = None,
    type_: str = TYPE_BLANK,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """An RFC 9457 response; `title` defaults to the HTTP reason phrase (section 4.2.1)."""
    from http import HTTPStatus

    body = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "errors": errors,
    }
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_MEDIA_TYPE
    )
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def flatten_messages(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested error dict as `{"field.sub.0": [messages]}`, one level, strings only."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for sub, msgs in flatten_messages(value, name).items():
                flat.setdefault(sub, []).extend(msgs)
    elif isinstance(messages, list | tuple):
        if all(isinstance(m, str) for m in messages):
            flat[prefix or "_request"] = list(messages)
        else:
            for item in messages:
                for sub, msgs in flatten_messages(item, prefix).items():
                    flat.setdefault(sub, []).extend(msgs)
    else:
        flat[prefix or "_request"] = [str(messages)]
    return flat


def _http_error(exc: HTTPException) -> Response | HTTPException:
    status = exc.code or 500
    if status < 400:  # a routing redirect is an answer, not a problem
        return exc
    headers = {}
    if status == 405:
        allow = exc.get_response().headers.get("Allow")
        if allow:
            headers["Allow"] = allow
    if status >= 500:
        current_app.logger.error("HTTP %s on %s %s", status, request.method, request.path)
    detail = DETAILS.get(status) or exc.name
    return problem(status, detail, title=exc.name, headers=headers)


def _validation_error(exc: ValidationError) -> Response:
    errors = flatten_messages(exc.messages)
    fields = ", ".join(sorted(errors))
    return problem(
        422,
        f"The request has invalid values ({fields}).",
        title="Invalid request",
        type_=TYPE_VALIDATION,
        errors=errors,
    )


def _invalid_input(exc: InvalidInput) -> Response:
    return problem(422, str(exc), title="Invalid input", type_=TYPE_INVALID_INPUT)


def _limit_exceeded(exc: LimitExceeded) -> Response:
    from netutil.sim.request import BudgetExceeded as WorkBudgetExceeded

    if isinstance(exc, WorkBudgetExceeded):  # the core's per-request work budget
        return problem(422, str(exc), title="Budget exceeded", type_=TYPE_BUDGET)
    return problem(422, str(exc), title="Limit exceeded", type_=TYPE_LIMIT)


def _problem_error(exc: ProblemError) -> Response:
    return problem(exc.status, exc.detail, title=exc.title, type_=exc.type, errors=exc.errors)


def _budget_exceeded(exc: BudgetExceeded) -> Response:
    current_app.logger.warning("%s on %s %s", exc, request.method, request.path)
    return problem(
        503,
        f"The request passed the service's time budget of {exc.seconds:g} s and was stopped: "
        "ask for less work (fewer runs, less data, a lower max_events) or retry later.",
        title="Budget exceeded",
        type_=TYPE_BUDGET,
        headers={"Retry-After": "5"},
    )


def _unexpected(exc: Exception) -> Response:
    # The traceback goes to the server log only; the client gets a fixed message.
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return problem(500, DETAILS[500])


def register(app: Flask) -> None:
    """Install the handlers on the app itself, so routing errors are problems too."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(ValidationError, _validation_error)
    app.register_error_handler(InvalidInput, _invalid_input)
    app.register_error_handler(LimitExceeded, _limit_exceeded)
    app.register_error_handler(ProblemError, _problem_error)
    app.register_error_handler(BudgetExceeded, _budget_exceeded)
    app.register_error_handler(Exception, _unexpected)
