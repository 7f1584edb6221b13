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
from werkzeug.exceptions import HTTPException

from api.deadline import BudgetExceeded, budget
from api.problems import TYPE_BUDGET, ProblemError

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
    #: path parameter -> the pattern its text must match (an api.schemas.patterns.Pattern)
    path_patterns: dict[str, Any] = field(default_factory=dict)
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


def _ascii_numbers(schema: Schema, values: Any) -> None:
    """Refuse a number given as text with a character outside ASCII: marshmallow's Integer and
    Float call int() and float(), which read other scripts' digits (`٢٦` is 26), while the CLI
    (netutil.numbers) and the address parser take only 0-9."""
    if not isinstance(values, dict):
        return
    errors: dict[str, list[str]] = {}
    for key, value in values.items():
        field_ = schema.fields.get(key)
        if isinstance(field_, fields.List):
            field_, texts = field_.inner, value if isinstance(value, list) else []
        else:
            texts = [value]
        if not isinstance(field_, fields.Number):
            continue
        for text in texts:
            bad = (
                next((ch for ch in text if not ch.isascii()), None)
                if isinstance(text, str)
                else None
            )
            if bad is not None:
                errors[key] = [
                    f"non-ASCII character {bad!r} (U+{ord(bad):04X}): "
                    "only the digits 0-9 are accepted"
                ]
                break
    if errors:
        raise ValidationError(errors)


def load_json_body() -> Any:
    """The request body as JSON: 415 for another media type, 400 when it does not parse (not
    UTF-8, a lone surrogate, a duplicate key, nesting past MAX_JSON_DEPTH, a number past
    Python's 4300-digit limit, a malformed chunked encoding), 413 past the configured size."""
    if not request.is_json:
        given = request.mimetype or "none"
        raise ProblemError(
            415,
            f"The request body must be JSON (Content-Type: application/json), not {given!r}.",
        )
    return parse_json(read_body())


def read_body() -> bytes:
    """The whole request body, at most MAX_CONTENT_LENGTH bytes however it is framed.

    Werkzeug refuses an oversized Content-Length before reading (413), but a chunked body has
    none: it is read here in full up to one byte past the cap, so a body over the cap is a 413,
    never silently cut at the cap. A body whose framing breaks off (a bad chunk size, a missing
    chunk terminator) is the client's error, a 400.
    """
    cap = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None:
        if request.content_length > cap:
            raise ProblemError(
                413, f"The request body is larger than the service accepts (at most {cap} bytes)."
            )
        return _read(request.environ["wsgi.input"], request.content_length)
    if request.headers.get("Transfer-Encoding", "").strip().lower() != "chunked":
        return b""
    body = _read(request.environ["wsgi.input"], cap + 1)
    if len(body) > cap:
        raise ProblemError(
            413, f"The request body is larger than the service accepts (at most {cap} bytes)."
        )
    return body


def _read(stream: Any, limit: int) -> bytes:
    """Up to `limit` bytes of the WSGI input; a framing error is a 400 problem."""
    parts = []
    left = limit
    try:
        while left > 0:
            chunk = stream.read(min(left, 65536))
            if not chunk:
                break
            parts.append(chunk)
            left -= len(chunk)
    except BudgetExceeded as exc:
        raise ProblemError(
            408, f"The request body did not arrive within the time budget of {exc.seconds:g} s."
        ) from None
    except Exception as exc:  # gunicorn's ParseException family; werkzeug's ClientDisconnected
        if isinstance(exc, HTTPException):
            raise
        raise ProblemError(
            400, f"The request body could not be read: {type(exc).__name__}."
        ) from None
    return b"".join(parts)


#: Nesting deeper than this in a request body is refused (the deepest real request is 3).
MAX_JSON_DEPTH = 32


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """object_pairs_hook: a key given twice is an error, not 'the last one wins'."""
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise ProblemError(400, f"The request body gives the key {key!r} more than once.")
            seen.add(key)
    return obj


def parse_json(raw: bytes) -> Any:
    """`raw` as a JSON value made only of text that is valid Unicode, at most MAX_JSON_DEPTH
    deep; every way it can fail is a 400 problem that says what is wrong."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError(
            400, f"The request body is not UTF-8 text (byte {exc.start}: {exc.reason})."
        ) from None
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise ProblemError(
            400, f"The request body is nested deeper than {MAX_JSON_DEPTH} levels."
        ) from None
    except ValueError as exc:
        raise ProblemError(400, f"The request body is not valid JSON: {exc}.") from None
    _check_json_value(value)
    return value


def _check_json_value(value: Any) -> None:
    """Refuse nesting past MAX_JSON_DEPTH and strings holding a lone surrogate (`"\\ud800"`
    is valid JSON but no Unicode text: it cannot be encoded, so no answer could echo it).
    Iterative, so a deep value cannot exhaust the stack here either."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise ProblemError(
                    400, f"The request body is nested deeper than {MAX_JSON_DEPTH} levels."
                )
            if isinstance(item, dict):
                for key, sub in item.items():
                    _check_text(key)
                    stack.append((sub, depth + 1))
            else:
                stack.extend((sub, depth + 1) for sub in item)


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(text[exc.start])
        raise ProblemError(
            400,
            f"The request body holds a lone surrogate \\u{code:04x} in a string (at character "
            f"{exc.start}): not Unicode text.",
        ) from None


def json_response(obj: Any, status: int = 200) -> Response:
    """The result as compact JSON, keys in the core's order (never sorted); an answer longer
    than RESPONSE_MAX_BYTES is a 422 problem naming that budget instead."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    cap = current_app.config["RESPONSE_MAX_BYTES"]
    if len(text) > cap:  # characters <= bytes: a cheap first test
        size = len(text.encode("utf-8"))
        if size > cap:
            raise ProblemError(
                422,
                f"The answer would be {size} bytes, past the response budget of {cap} bytes: "
                "ask for less (smaller data, a lower max_events, a page) or run the CLI.",
                title="Budget exceeded",
                type_=TYPE_BUDGET,
            )
    return current_app.response_class(text, status=status, mimetype=JSON_MEDIA_TYPE)


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
    path_patterns: dict[str, Any] | None = None,
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
            with budget(current_app.config["REQUEST_BUDGET"]):
                return handle(**kwargs)

        def handle(**kwargs: Any) -> Response:
            for name, check in (path_patterns or {}).items():
                try:
                    check(kwargs.get(name, ""))
                except ValidationError as exc:
                    raise ValidationError({name: exc.messages}) from None
            if query_schema is not None:
                values = _query_values(query_schema)
                _ascii_numbers(query_schema, values)
                kwargs.update(query_schema.load(values))
            elif request.args:
                raise ValidationError({key: ["Unknown field."] for key in request.args})
            if body_schema is not None:
                body = load_json_body()
                _ascii_numbers(body_schema, body)
                kwargs.update(body_schema.load(body))
            if raw_body:
                if request.mimetype not in raw_body:
                    wanted = " or ".join(raw_body)
                    given = request.mimetype or "none"
                    raise ProblemError(415, f"The request body must be {wanted}, not {given!r}.")
                kwargs["body"] = read_body()
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
            path_patterns=dict(path_patterns or {}),
            media=dict(media or {}),
            errors=tuple(errors),
            raw_body=dict(raw_body or {}),
            description=_prose(view.__doc__),
        )
        return wrapper

    return decorate
