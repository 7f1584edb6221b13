"""`/api/handshake/plot/<kind>`: the charts of `netutil tcp handshake --plot KIND` as SVG.

The options are the same query parameters as GET /api/handshake (the same schema, so the same
validation and caps); `establish` needs `runs` (a Monte Carlo run), the others draw one run.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response
from marshmallow import ValidationError

from api.contract import endpoint
from api.problems import ProblemError
from api.routes.handshake import SVG_MEDIA_TYPE, run
from api.schemas import handshake as schemas
from api.schemas.patterns import Pattern

bp = Blueprint("plots", __name__)

PLOT_KINDS = ("sequence", "window", "cwnd", "establish")


def _known_plot(kind: str) -> None:
    if kind not in PLOT_KINDS:
        raise LookupError(kind)  # the view answers 404, naming the plots there are


@bp.get("/api/handshake/plot/<kind>")
@endpoint(
    operation_id="tcp_handshake_plot",
    summary="A chart of a simulated connection as SVG (netutil tcp handshake --plot)",
    tag="handshake",
    response=None,
    query=schemas.PlotQuery,
    path_params={"kind": "sequence, window, cwnd or establish (establish needs runs)"},
    path_patterns={
        "kind": Pattern(f"^(?:{'|'.join(PLOT_KINDS)})$", error="No such plot.", core=_known_plot)
    },
    media={SVG_MEDIA_TYPE: "the chart (matplotlib SVG)"},
    errors=(404,),
)
def plot(kind: str, **params: Any):
    """sequence: the time-sequence graph (tcptrace style); window: advertised windows and
    bytes in flight; cwnd: congestion control (a trace without it is a 422); establish: the
    histogram and CDF of the time to ESTABLISHED over `runs` runs, with the exact
    probabilities overlaid."""
    from netutil.render.plots import render_plot

    if kind not in PLOT_KINDS:
        raise ProblemError(404, f"No plot {kind!r}: the plots are {', '.join(PLOT_KINDS)}.")
    runs = params.pop("runs", None)
    if kind == "establish" and runs is None:
        raise ValidationError({"runs": ["Required by the establish plot (a Monte Carlo run)."]})
    if kind != "establish" and runs is not None:
        raise ValidationError({"runs": [f"The {kind} plot draws one run: leave runs out."]})
    svg = render_plot(kind, run(params, runs))
    return Response(svg, mimetype=SVG_MEDIA_TYPE)
