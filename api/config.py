"""Service configuration: safe defaults, overridable from the environment.

Only operational knobs live here (debug, body size, the per-request budgets). The caps that are
part of the contract (batch length, page size) are constants in `api.limits`, so the published
OpenAPI file states them exactly and no deployment can silently differ from it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from api.limits import SIM_BUDGET

DEFAULTS: dict[str, Any] = {
    "DEBUG": False,
    "TESTING": False,
    # Werkzeug answers 413 past this many request-body bytes (checked before parsing).
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    # Same for form parsing, which no endpoint uses; keep it small.
    "MAX_FORM_MEMORY_SIZE": 64 * 1024,
    # No automatic OPTIONS answers: the service serves no CORS preflight, so OPTIONS is a 405
    # like any other method a route does not list (and Allow lists exactly the real methods).
    "PROVIDE_AUTOMATIC_OPTIONS": False,
    # Wall-clock seconds one request may run before it is stopped and answered 503 (see
    # api.deadline): a third of gunicorn's 30 s worker timeout, so a worker is never killed.
    "REQUEST_BUDGET": 10.0,
    # Bytes of JSON one answer may hold; past it the request is a 422 naming this budget.
    "RESPONSE_MAX_BYTES": 8 * 1024 * 1024,
    # Engine events one simulator request may run over all its runs (a test of gunicorn's own
    # timeout raises it, since the budget exists to end a request before that timeout).
    "SIM_EVENT_BUDGET": SIM_BUDGET.events,
}

# environment variable -> (config key, parser)
ENVIRONMENT: dict[str, tuple[str, Any]] = {
    "NETUTIL_DEBUG": ("DEBUG", lambda v: v.strip().lower() in {"1", "true", "yes", "on"}),
    "NETUTIL_MAX_BODY_BYTES": ("MAX_CONTENT_LENGTH", int),
    "NETUTIL_REQUEST_BUDGET": ("REQUEST_BUDGET", float),
    "NETUTIL_MAX_RESPONSE_BYTES": ("RESPONSE_MAX_BYTES", int),
    "NETUTIL_SIM_EVENT_BUDGET": ("SIM_EVENT_BUDGET", int),
}


def from_environment(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The defaults with any NETUTIL_* overrides applied; a malformed value is an error at
    start-up (better than a service that silently runs with a default)."""
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    for name, (key, parse) in ENVIRONMENT.items():
        raw = environ.get(name)
        if raw is None or raw == "":
            continue
        try:
            config[key] = parse(raw)
        except ValueError:
            raise ValueError(f"invalid {name} {raw!r}") from None
    for name, (key, _) in ENVIRONMENT.items():
        if key != "DEBUG" and not config[key] > 0:  # also refuses nan
            raise ValueError(f"invalid {name} {config[key]!r}: expected a positive number")
    return config
