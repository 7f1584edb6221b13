"""The OpenAPI 3.1 contract, generated with apispec from the routes and their schemas.

`python -m api.spec > openapi.yaml` writes the committed file; a test fails when it differs
from what this module generates, so the file is never edited by hand.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Flask

from netutil import __version__

OPENAPI_VERSION = "3.1.0"

#: Statuses every operation can answer, whatever it does (routing, the unexpected, the time
#: budget of api.deadline).
COMMON_ERRORS = (404, 405, 500, 503)
#: Answered by gunicorn itself, before the app sees the request: a request line (method, path
#: and query) over its 8190-byte limit. Plain text, not problem+json.
URI_TOO_LONG = {
    "description": "Request line over the server's 8190-byte limit (answered by gunicorn, as text)"
}
BODY_ERRORS = (400, 413, 415, 422)

ERROR_DESCRIPTIONS = {
    400: "Malformed request body (not JSON, not UTF-8)",
    404: "No such resource",
    405: "Method not allowed (see the Allow header)",
    406: "Cannot produce a media type the Accept header allows",
    413: "Request body over the size cap",
    415: "Request body is not application/json",
    422: "Invalid values: the field-by-field messages are in `errors`",
    500: "Unexpected server error (details are only in the server log)",
    503: "The request passed the service's time budget (see Retry-After)",
}

DESCRIPTION = (
    "IP address and TCP protocol utility over HTTP. Every operation returns exactly the JSON of "
    "`netutil ... --json` for the same input. Errors are RFC 9457 `application/problem+json`.\n\n"
    "Address integers and address counts are decimal strings (they pass 2**53); small bounded "
    'numbers are JSON numbers; `null` means "not applicable" and keys are never missing.\n'
)

#: Endpoints served but not part of the contract (the explorer's static files).
UNDOCUMENTED = frozenset({"meta.docs_asset", "static", "page.asset"})

_CONVERTER = re.compile(r"<(?:[a-z_]+:)?([a-z_][a-z0-9_]*)>")


def _openapi_path(rule: str) -> str:
    """Werkzeug's `/api/subnet/<path:network>` as OpenAPI's `/api/subnet/{network}`."""
    return _CONVERTER.sub(r"{\1}", rule)


def _schema_name(schema: Any) -> str:
    """Components are named after their schema class (apispec passes a class or an instance)."""
    from apispec.ext.marshmallow.common import resolve_schema_cls

    cls = resolve_schema_cls(schema)
    return (cls[0] if isinstance(cls, list) else cls).__name__


def build(app: Flask | None = None) -> APISpec:
    """The APISpec document for `app` (a fresh default app when None)."""
    if app is None:
        from api import create_app

        app = create_app()
    plugin = MarshmallowPlugin(schema_name_resolver=_schema_name)
    spec = APISpec(
        title="netutil",
        version=__version__,
        openapi_version=OPENAPI_VERSION,
        plugins=[plugin],
        info={
            "description": DESCRIPTION,
            "license": {"name": "MIT", "identifier": "MIT"},
        },
    )
    from api.schemas import union
    from api.schemas.base import Problem

    union.register(plugin)

    spec.components.schema("Problem", schema=Problem)
    for status, text in ERROR_DESCRIPTIONS.items():
        spec.components.response(
            f"Problem{status}",
            {
                "description": text,
                "content": {"application/problem+json": {"schema": "Problem"}},
            },
        )
    tags: dict[str, None] = {}
    rules = sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, sorted(r.methods or ())))
    paths: dict[str, dict[str, Any]] = {}
    for rule in rules:
        if rule.endpoint in UNDOCUMENTED:
            continue
        view = app.view_functions.get(rule.endpoint)
        doc = getattr(view, "endpoint_doc", None)
        methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
        path = _openapi_path(rule.rule)
        for method in methods:
            if doc is None:
                operation = _plain_operation(rule.endpoint, view)
            else:
                tags.setdefault(doc.tag)
                operation = _operation(doc, rule, method)
            paths.setdefault(path, {})[method.lower()] = operation
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    for tag in tags:
        spec.tag({"name": tag})
    return spec


def _plain_operation(name: str, view: Any) -> dict[str, Any]:
    """Routes without a JSON contract (the YAML file, the explorer page)."""
    media = {
        "openapi_yaml": ("application/yaml", "The OpenAPI document", {"type": "object"}),
        "docs": ("text/html", "The API explorer page", {"type": "string"}),
        "index": ("text/html", "The browser page (replay a connection)", {"type": "string"}),
        "page_options": ("application/json", "The page's option form", {"type": "object"}),
    }[name.split(".")[-1]]
    doc = (view.__doc__ or "").strip().splitlines()
    return {
        "operationId": name.split(".")[-1],
        "summary": doc[0] if doc else name,
        "tags": ["meta"],
        "responses": {
            "200": {"description": media[1], "content": {media[0]: {"schema": media[2]}}},
            **{str(s): {"$ref": f"#/components/responses/Problem{s}"} for s in (404, 405)},
            "414": URI_TOO_LONG,
            "500": {"$ref": "#/components/responses/Problem500"},
        },
    }


def _operation(doc: Any, rule: Any, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": doc.operation_id,
        "summary": doc.summary,
        "tags": [doc.tag],
    }
    if doc.description:
        operation["description"] = doc.description
    parameters: list[dict[str, Any]] = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": doc.path_params.get(name, ""),
            "schema": {"type": "string", **_path_pattern(doc, name)},
        }
        for name in rule.arguments
    ]
    for param in parameters:
        if not param["description"]:
            del param["description"]
    if doc.query is not None:
        parameters.append({"in": "query", "schema": doc.query})
    if parameters:
        operation["parameters"] = parameters
    if doc.body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": doc.body}},
        }
    if doc.raw_body:
        operation["requestBody"] = {
            "required": True,
            "content": {
                media: {"schema": {"type": "string", "contentEncoding": "binary"}}
                for media in doc.raw_body
            },
            "description": "; ".join(doc.raw_body.values()),
        }
    ok: dict[str, Any] = {"description": doc.summary}
    content: dict[str, Any] = {}
    if isinstance(doc.response, tuple):
        content["application/json"] = {"schema": {"oneOf": list(doc.response)}}
    elif doc.response is not None:
        content["application/json"] = {"schema": doc.response}
    for media_type, text in doc.media.items():
        content[media_type] = {
            "schema": {"type": "string", "contentEncoding": "binary", "description": text}
        }
    if content:
        ok["content"] = content
    statuses = set(COMMON_ERRORS) | set(doc.errors)
    if doc.body is not None:
        statuses |= set(BODY_ERRORS)
    if doc.raw_body:
        statuses |= {413, 415, 422}
    if doc.query is not None or rule.arguments:
        statuses.add(422)
    responses: dict[str, Any] = {"200": ok}
    for status in sorted(statuses):
        responses[str(status)] = {"$ref": f"#/components/responses/Problem{status}"}
    responses["414"] = URI_TOO_LONG
    responses = dict(sorted(responses.items()))
    operation["responses"] = responses
    return operation


def _path_pattern(doc: Any, name: str) -> dict[str, str]:
    pattern = doc.path_patterns.get(name)
    return {"pattern": pattern.regex.pattern} if pattern else {}


def to_dict(app: Flask | None = None) -> dict[str, Any]:
    """The document as a dict, top-level keys in the order a reader wants them."""
    raw = build(app).to_dict()
    _schema_rules(raw.get("components", {}).get("schemas", {}))
    order = ("openapi", "info", "tags", "paths", "components")
    return {**{k: raw[k] for k in order if k in raw}, **raw}


def _schema_rules(schemas: dict[str, Any]) -> None:
    """Rules between a request's fields that marshmallow checks in a `validates_schema` and
    a schema class states as JSON Schema in `OPENAPI_EXTRA` (if/then/else, dependentRequired,
    anyOf), added to its component."""
    from marshmallow import class_registry

    for name, component in schemas.items():
        try:
            cls = class_registry.get_class(name, all=False)
        except Exception:  # a component with no schema class (Problem responses' shapes)
            continue
        extra = getattr(cls, "OPENAPI_EXTRA", None)
        if extra:
            component.update(extra)


def to_yaml(app: Flask | None = None) -> str:
    """The contract as YAML text (keys in insertion order, so the file reads top-down)."""
    import yaml

    return yaml.safe_dump(
        to_dict(app), sort_keys=False, allow_unicode=True, default_flow_style=False, width=100
    )


def main() -> int:
    sys.stdout.write(to_yaml())
    return 0


if __name__ == "__main__":
    sys.exit(main())
