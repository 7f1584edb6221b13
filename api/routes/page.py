"""The browser page at `/`: static files shipped in the package (api/static), no CDN, no build.

The page replays a simulated connection step by step over the same API as everything else:
one `GET /api/handshake` with `Accept: image/svg+xml` for a default load (the diagram carries
its replay steps in its `<metadata>`). Its option form is built from `/api/page/options`,
which reads the very OpenAPI description of `GET /api/handshake` (types, ranges, choices, help)
and adds each option's default from the core's `SimOptions`, so the form and the contract
cannot disagree. Every page response carries a Content-Security-Policy allowing only its own
origin (no inline script or style, no eval) and `X-Content-Type-Options: nosniff`.
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any

from flask import Blueprint, Response, abort, current_app, send_from_directory
from marshmallow import Schema, fields, validate

from api.contract import endpoint, json_response
from api.routes.analyze import PCAPNG_MEDIA_TYPE
from api.routes.tcp import PCAP_MEDIA_TYPE

bp = Blueprint("page", __name__)

STATIC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "static")
#: Only its own origin, for everything; no inline code, no eval, no framing by others.
CSP = (
    "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'; "
    "object-src 'none'"
)
ASSETS = frozenset({"app.js", "app.css", "favicon.svg"})
#: Options the page sets elsewhere (the Monte Carlo panel has its own runs field).
NOT_IN_FORM = frozenset({"runs"})
#: Options a student rarely needs, shown in a closed "more options" group.
ADVANCED = frozenset(
    {
        "client_isn",
        "server_isn",
        "dup_syn",
        "syn_retries",
        "synack_retries",
        "max_events",
        "max_time",
        "loss_to_server",
        "loss_to_client",
        "mss",
        "msl",
    }
)


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    return response


#: Where index.html takes the option description (a JSON data block, which no browser runs:
#: a Content-Security-Policy without 'unsafe-inline' allows it).
OPTIONS_SLOT = '<script type="application/json" id="page-options"></script>'


@bp.get("/")
def index() -> Response:
    """The browser page: replay a simulated TCP connection step by step. The form's option
    description is written into the page itself, so that loading the page with a default run
    costs one API call (the run)."""
    page = current_app.extensions.get("netutil.page_html")
    if page is None:
        with open(os.path.join(STATIC, "index.html"), encoding="utf-8") as f:
            html = f.read()
        data = json.dumps(_page_options(), separators=(",", ":"))
        # inside <script> only "</" could end the element early; escape every "<" to be sure
        data = data.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        page = html.replace(OPTIONS_SLOT, OPTIONS_SLOT.replace("></", f">{data}</"), 1)
        current_app.extensions["netutil.page_html"] = page
    response = Response(page, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/static/<name>")
def asset(name: str) -> Response:
    if name not in ASSETS:
        abort(404)
    return send_from_directory(STATIC, name, max_age=300)


def option_fields(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The simulator options as form fields, from the OpenAPI operation of GET /api/handshake
    and the core's defaults."""
    from netutil.sim.options import SimOptions

    defaults = {
        f.name: f.default
        for f in dataclasses.fields(SimOptions)
        if f.init and f.default is not dataclasses.MISSING
    }
    defaults["drop"] = []
    out = []
    for param in spec["paths"]["/api/handshake"]["get"]["parameters"]:
        name = param["name"]
        if name in NOT_IN_FORM:
            continue
        schema = param.get("schema", {})
        item_type = schema.get("items", {}).get("type") if schema.get("type") == "array" else None
        out.append(
            {
                "name": name,
                "type": schema.get("type", "string"),
                "items": item_type,
                "minimum": _js_number(schema.get("minimum")),
                "maximum": _js_number(schema.get("maximum")),
                "enum": schema.get("enum"),
                "default": defaults.get(name, schema.get("default")),
                "help": param.get("description") or schema.get("description") or "",
                "advanced": name in ADVANCED,
            }
        )
    return out


def _js_number(value: Any) -> Any:
    """Integers past 2**53 as decimal strings (a JavaScript number would lose digits)."""
    if isinstance(value, int) and abs(value) > 2**53:
        return str(value)
    return value


@bp.get("/api/page/options")
def page_options() -> Response:
    """The simulator's options as the page's form fields (from the OpenAPI document)."""
    return json_response(_page_options())


def _page_options() -> dict[str, Any]:
    fields = current_app.extensions.get("netutil.page_options")
    if fields is None:
        from api.spec import to_dict

        spec = to_dict(current_app)
        runs = next(
            p for p in spec["paths"]["/api/handshake"]["get"]["parameters"] if p["name"] == "runs"
        )
        fields = current_app.extensions["netutil.page_options"] = {
            "fields": option_fields(spec),
            "runs": {"minimum": 1, "maximum": runs["schema"].get("maximum"), "default": 1000},
        }
    return fields


class CaptureDiagramQuery(Schema):
    connection = fields.Integer(
        required=True,
        strict=False,
        validate=validate.Range(min=0),
        metadata={"description": "the connection, numbered from 0 as tshark's tcp.stream"},
    )


@bp.post("/api/tcp/analyze/diagram")
@endpoint(
    operation_id="tcp_analyze_diagram",
    summary="One captured connection as a sequence diagram (SVG), as the page's capture panel",
    tag="tcp",
    response=None,
    query=CaptureDiagramQuery,
    raw_body={
        PCAP_MEDIA_TYPE: "a classic pcap file as is",
        PCAPNG_MEDIA_TYPE: "a pcapng file as is",
    },
    media={"image/svg+xml": "the connection's sequence diagram (netutil.render.svg)"},
)
def capture_diagram(body: bytes, connection: int) -> Response:
    """The sequence diagram of connection `connection` of a capture (the list comes from
    POST /api/tcp/analyze), drawn by the same renderer as a simulated run: one arrow per
    captured segment, its analysis flags in its label, and its replay steps in `<metadata>`."""
    import io

    from netutil.analyze import analyse
    from netutil.analyze.trace import connection_trace
    from netutil.render.svg import SVG_MEDIA_TYPE, render_svg

    trace = connection_trace(analyse(io.BytesIO(body), every_segment=True), connection)
    return Response(render_svg(trace), mimetype=SVG_MEDIA_TYPE)
