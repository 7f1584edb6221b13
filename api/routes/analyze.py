"""`POST /api/tcp/analyze`: a pcap or pcapng capture (the request body, within the body cap) as
TCP connections and Wireshark-style analysis flags, the JSON of `netutil tcp analyze --json`."""

from __future__ import annotations

import io

from flask import Blueprint

from api.contract import endpoint
from api.routes.tcp import PCAP_MEDIA_TYPE
from api.schemas import analyze as schemas

bp = Blueprint("analyze", __name__)

PCAPNG_MEDIA_TYPE = "application/x-pcapng"


@bp.post("/api/tcp/analyze")
@endpoint(
    operation_id="tcp_analyze",
    summary="The TCP connections of a capture and each segment's analysis flags",
    tag="tcp",
    response=schemas.Analysis,
    raw_body={
        PCAP_MEDIA_TYPE: "a classic pcap file as is",
        PCAPNG_MEDIA_TYPE: "a pcapng file as is",
    },
)
def tcp_analyze(body: bytes):
    """Connections (endpoints, start, duration, packets and bytes each way, handshake and its
    round-trip times, the close) and every segment's event with Wireshark's tcp.analysis flags
    and the reason for each."""
    from netutil.analyze import analyse

    return analyse(io.BytesIO(body)).as_dict()
