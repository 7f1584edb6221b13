"""`/api/handshake` and `/api/tcp/states`: the connection simulator (RFC 9293 state machines
over an impaired network) and its transition table.

POST takes the options as a JSON body, GET the same options as query parameters. The answer is
the trace's JSON (events and summary, exactly `netutil tcp handshake --format json`), Monte
Carlo statistics with `runs`, the traces of several flows with `flows`, the segments as a pcap
file when the Accept header asks for application/vnd.tcpdump.pcap, or the sequence diagram
(`--format svg`) for image/svg+xml.
"""

from __future__ import annotations

import dataclasses
import io
from typing import Any

from flask import Blueprint, Response, current_app, request
from marshmallow import ValidationError

from api import limits
from api.contract import JSON_MEDIA_TYPE, endpoint
from api.problems import TYPE_BUDGET, ProblemError
from api.schemas import handshake as schemas

bp = Blueprint("handshake", __name__)

PCAP_MEDIA_TYPE = "application/vnd.tcpdump.pcap"
PCAP_NOTE = (
    "what one side's network interface saw (capture_point client, the default, or server) as "
    "a classic pcap file (LINKTYPE_RAW)"
)
PCAPNG_MEDIA_TYPE = "application/x-pcapng"
PCAPNG_NOTE = (
    "what each side's network interface saw as pcapng: one interface per side (or the one "
    "capture_point names), each packet with its direction and comments (fate, verdict, rule)"
)
CAPTURES = (PCAP_MEDIA_TYPE, PCAPNG_MEDIA_TYPE)
SVG_MEDIA_TYPE = "image/svg+xml"
SVG_NOTE = "the run's sequence diagram to scale (netutil tcp handshake --format svg)"
MEDIA = (JSON_MEDIA_TYPE, PCAP_MEDIA_TYPE, PCAPNG_MEDIA_TYPE, SVG_MEDIA_TYPE)

DOC = {
    "tag": "handshake",
    "response": (schemas.Trace, schemas.MonteCarloResult, schemas.FlowsTrace),
    "media": {PCAP_MEDIA_TYPE: PCAP_NOTE, PCAPNG_MEDIA_TYPE: PCAPNG_NOTE, SVG_MEDIA_TYPE: SVG_NOTE},
    "errors": (406,),
}


def _wanted() -> str:
    """Content negotiation on Accept: JSON unless pcap or SVG is preferred; 406 when none
    fits."""
    if not request.headers.get("Accept"):
        return JSON_MEDIA_TYPE
    best = request.accept_mimetypes.best_match(MEDIA)
    if best is None:
        raise ProblemError(406, f"This URL answers {', '.join(MEDIA)}.")
    return best


def run(params: dict[str, Any], runs: int | None) -> dict[str, Any]:
    """The core's answer as JSON (one trace, or Monte Carlo over `runs` runs), within the
    service's cap on runs x data; the plots route draws from it too."""
    from netutil.sim.request import run_request

    if runs is not None and runs * params.get("data", 0) > limits.SIM_RUNS_DATA_MAX:
        # a work allowance between two fields (no schema can state a product), answered as
        # the other budgets are
        message = f"runs x data must be at most {limits.SIM_RUNS_DATA_MAX} bytes."
        raise ProblemError(
            422,
            f"The request is past the service's work budget: {message}",
            title="Budget exceeded",
            type_=TYPE_BUDGET,
            errors={"runs": [message]},
        )
    budget = limits.SIM_BUDGET
    events = current_app.config.get("SIM_EVENT_BUDGET", budget.events)
    if events != budget.events:
        budget = dataclasses.replace(budget, events=events)
    return run_request(params, runs, budget).as_dict()


def simulate(params: dict[str, Any]) -> Any:
    """One trace, or Monte Carlo statistics with `runs`; a pcap or the SVG diagram of the trace
    when asked."""
    runs = params.pop("runs", None)
    point = params.pop("capture_point", None)
    wanted = _wanted()
    if runs is not None and wanted != JSON_MEDIA_TYPE:
        raise ProblemError(
            406, "A pcap or a diagram shows one run: leave out runs, or accept JSON."
        )
    if point is not None and wanted not in CAPTURES:
        raise ValidationError(
            {"capture_point": ["capture_point applies to a pcap or pcapng answer."]}
        )
    if point == "both" and wanted == PCAP_MEDIA_TYPE:
        raise ValidationError(
            {"capture_point": ["A classic pcap holds one interface: client or server."]}
        )
    if (params.get("flows") or 1) > 1 and wanted != JSON_MEDIA_TYPE:
        raise ProblemError(
            406, "A pcap or a diagram shows one connection: leave out flows, or accept JSON."
        )
    result = run(params, runs)
    if wanted == SVG_MEDIA_TYPE:
        from netutil.render.svg import render_svg

        return Response(render_svg(result), mimetype=SVG_MEDIA_TYPE)
    if wanted not in CAPTURES:
        return result
    from netutil.sim.capture import write_trace_pcap, write_trace_pcapng

    out = io.BytesIO()
    if wanted == PCAP_MEDIA_TYPE:
        write_trace_pcap(out, result, point or "client")
        name = "handshake.pcap"
    else:
        write_trace_pcapng(out, result, point or "both")
        name = "handshake.pcapng"
    return Response(
        out.getvalue(),
        mimetype=wanted,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.post("/api/handshake")
@endpoint(
    operation_id="tcp_handshake",
    summary="Simulate a TCP connection (options as a JSON body)",
    body=schemas.HandshakeBody,
    **DOC,
)
def handshake_post(**params: Any):
    """Two RFC 9293 endpoints over a network with delay, jitter, loss, deterministic drops,
    reordering, duplication and corruption; seeded, so the same options give the same run."""
    return simulate(params)


@bp.get("/api/handshake")
@endpoint(
    operation_id="tcp_handshake_get",
    summary="Simulate a TCP connection (options as query parameters)",
    query=schemas.HandshakeQuery,
    **DOC,
)
def handshake_get(**params: Any):
    """The same as POST /api/handshake, with each option a query parameter (drop repeated)."""
    return simulate(params)


@bp.get("/api/tcp/states")
@endpoint(
    operation_id="tcp_states",
    summary="The TCP state machine's transition table",
    tag="handshake",
    response=schemas.TransitionTable,
)
def tcp_states():
    """The eleven RFC 9293 states and every rule the simulator follows, with its section."""
    from netutil.sim.states import transition_table

    table = current_app.extensions.get("netutil.states")
    if table is None:
        table = current_app.extensions["netutil.states"] = transition_table().as_dict()
    return table
