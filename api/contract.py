"""How a view declares its contract: the `endpoint` decorator.

One declaration serves twice. At request time the wrapper loads the query string and the JSON
body through their marshmallow schemas (unknown fields rejected, so a typo is a 422, not an
ignored option) and turns the view's JSON result into a response. At build time `api.spec` reads
the same declaration to write the OpenAPI operation, so the contract cannot drift from the code.
"""

from __future__ import annotations

import functools
import inspect
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Response, current_app, request
from marshmallow import Schema, ValidationError, fields

from api.problems import ProblemError

JSON_MEDIA_TYPE = "application/json"


@dataclass(frozen=True, slots=True)
class Endpoint:
    """What `api.spec` needs to describe one operation."""

    operation_id: str
    summary: str
    tag: str
    #: the JSON answer's schema; a tuple of schemas is one of them (OpenAPI oneOf)
    response: type[Schema] | tuple[type[Schema], ...] | None
    query: type[Schema] | None = None
    body: type[Schema] | None = None
    path_params: dict[str, str] = field(default_factory=dict)
    #: extra response media types: media type -> description (e.g. the pcap of a handshake)
    media: dict[str, str] = field(default_factory=dict)
    #: error statuses this operation can answer besides the ones every operation can
    errors: tuple[int, ...] = ()
    #: a raw (non-JSON) request body: accepted media type -> description
    raw_body: dict[str, str] = field(default_factory=dict)
    description: str = ""


def _query_values(schema: Schema) -> dict[str, Any]:
    """request.args as the schema expects it: lists for List fields, one value otherwise."""
    values: dict[str, Any] = {}
    for key in request.args:
        given = request.args.getlist(key)
        if isinstance(schema.fields.get(key), fields.List):
            values[key] = given
        elif len(given) > 1:
            raise ValidationError({key: ["Given more than once."]})
        else:
            values[key] = given[0]
    return values


def load_json_body() -> Any:
    """The request body as JSON: 415 for another media type, 400 when it does not parse,
    413 (raised by Werkzeug while reading) past the configured size."""
    if not request.is_json:
        given = request.mimetype or "none"
        raise ProblemError(
            415,
            f"The request body must be JSON (Content-Type: application/json), not {given!r}.",
        )
    raw = request.get_data(cache=False)
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise ProblemError(400, "The request body is not UTF-8 text.") from None
    except ValueError as exc:
        raise ProblemError(400, f"The request body is not valid JSON: {exc}.") from None


def json_response(obj: Any, status: int = 200) -> Response:
    """The result as compact JSON, keys in the core's order (never sorted)."""
    return current_app.response_class(
        json.dumps(obj, ensure_ascii=False, separators=(",", ":")),
        status=status,
        mimetype=JSON_MEDIA_TYPE,
    )


def _prose(doc: str | None) -> str:
    """A docstring as OpenAPI prose: paragraphs kept, line breaks inside them joined."""
    paragraphs = inspect.cleandoc(doc or "").split("\n\n")
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def endpoint(
    *,
    operation_id: str,
    summary: str,
    tag: str,
    response: type[Schema] | tuple[type[Schema], ...] | None,
    query: type[Schema] | None = None,
    body: type[Schema] | None = None,
    path_params: dict[str, str] | None = None,
    media: dict[str, str] | None = None,
    errors: Iterable[int] = (),
    raw_body: dict[str, str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a view's request and response schemas (see the module docstring).

    The view receives the path parameters, the loaded query fields and the loaded body fields as
    keyword arguments, and returns a JSON-able object (sent as application/json) or a Response.
    """
    query_schema = query() if query else None
    body_schema = body() if body else None

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(**kwargs: Any) -> Response:
            if query_schema is not None:
                kwargs.update(query_schema.load(_query_values(query_schema)))
            elif request.args:
                raise ValidationError({key: ["Unknown field."] for key in request.args})
            if body_schema is not None:
                kwargs.update(body_schema.load(load_json_body()))
            if raw_body:
                if request.mimetype not in raw_body:
                    wanted = " or ".join(raw_body)
                    given = request.mimetype or "none"
                    raise ProblemError(415, f"The request body must be {wanted}, not {given!r}.")
                kwargs["body"] = request.get_data(cache=False)
            result = view(**kwargs)
            if isinstance(result, Response):
                return result
            return json_response(result)

        wrapper.endpoint_doc = Endpoint(  # type: ignore[attr-defined]
            operation_id=operation_id,
            summary=summary,
            tag=tag,
            response=response,
            query=query,
            body=body,
            path_params=dict(path_params or {}),
            media=dict(media or {}),
            errors=tuple(errors),
            raw_body=dict(raw_body or {}),
            description=_prose(view.__doc__),
        )
        return wrapper

    return decorate
