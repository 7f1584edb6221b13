"""Capture analysis shapes (`netutil.analyze` results' `as_dict()`)."""

from __future__ import annotations

from marshmallow import fields, validate

from api.schemas.base import Strict, nullable, present
from api.schemas.tcp import TcpOption
from api.schemas.union import OneOf
from netutil.analyze import AnalysisFlag

SIDE = validate.OneOf(["client", "server"])
FLAGS = validate.ContainsOnly([f.name.lower() for f in AnalysisFlag])
SECONDS = {"description": "seconds"}


class Endpoint(Strict):
    address = present(fields.String)
    port = present(fields.Integer, validate=validate.Range(0, 65535))


class EachWay(Strict):
    client_to_server = present(fields.Integer)
    server_to_client = present(fields.Integer)


class Scales(Strict):
    client = nullable(fields.Integer, metadata={"description": "window scale shift offered"})
    server = nullable(fields.Integer, metadata={"description": "window scale shift offered"})


class EachWayOrNull(Strict):
    client_to_server = nullable(fields.Float)
    server_to_client = nullable(fields.Float)


class Rtt(Strict):
    samples = present(fields.Integer)
    min = nullable(fields.Float, metadata=SECONDS)
    mean = nullable(fields.Float, metadata=SECONDS)
    max = nullable(fields.Float, metadata=SECONDS)


class RttEachWay(Strict):
    client_to_server = present(fields.Nested, Rtt)
    server_to_client = present(fields.Nested, Rtt)


class Gap(Strict):
    seconds = present(fields.Float, metadata=SECONDS)
    after_frame = present(fields.Integer)
    before_frame = present(fields.Integer)


class Connection(Strict):
    """One row of the connection list."""

    number = present(fields.Integer, metadata={"description": "from 0, as tshark's tcp.stream"})
    ip_version = present(fields.Integer, validate=validate.OneOf([4, 6]))
    client = present(fields.Nested, Endpoint)
    server = present(fields.Nested, Endpoint)
    roles_guessed = present(
        fields.Boolean, metadata={"description": "no SYN seen: the client is the first sender"}
    )
    start = present(fields.Float, metadata={"description": "seconds since the epoch"})
    duration = present(fields.Float, metadata=SECONDS)
    packets = present(fields.Nested, EachWay)
    payload_bytes = present(fields.Nested, EachWay)
    frame_bytes = present(fields.Nested, EachWay)
    handshake = present(fields.String)
    syn_to_synack = nullable(fields.Float, metadata=SECONDS)
    synack_to_ack = nullable(fields.Float, metadata=SECONDS)
    initial_rtt = nullable(fields.Float, metadata=SECONDS)
    close = present(fields.String)
    window_scale = present(fields.Nested, Scales)
    flag_counts = present(fields.Dict, keys=fields.String(), values=fields.Integer())
    data_segments = present(fields.Nested, EachWay)
    retransmitted_segments = present(fields.Nested, EachWay)
    retransmission_rate = present(
        fields.Nested, EachWayOrNull, metadata={"description": "retransmitted / data segments"}
    )
    acked_bytes = present(
        fields.Nested, EachWay, metadata={"description": "payload bytes the peer acknowledged"}
    )
    throughput = present(
        fields.Nested, EachWayOrNull, metadata={"description": "payload bytes/s over the duration"}
    )
    goodput = present(
        fields.Nested, EachWayOrNull, metadata={"description": "acknowledged bytes/s"}
    )
    rtt_ack = present(
        fields.Nested,
        RttEachWay,
        metadata={"description": "samples of each side's data from its ACKs (Karn's rule)"},
    )
    rtt_timestamps = present(
        fields.Nested,
        RttEachWay,
        metadata={"description": "samples of each side's TSvals from the peer's echo"},
    )
    largest_gap = nullable(fields.Nested, Gap)


class SegmentEvent(Strict):
    """One TCP segment of the capture with its analysis."""

    type = present(fields.String, validate=validate.Equal("segment"))
    frame = present(fields.Integer)
    time = present(fields.Float, metadata={"description": "seconds since the epoch"})
    connection = present(fields.Integer)
    side = present(fields.String, validate=SIDE)
    flags = present(fields.List, fields.String())
    seq = present(fields.Integer)
    ack = present(fields.Integer)
    window = present(fields.Integer)
    len = present(fields.Integer)
    options = present(fields.List, fields.Nested(TcpOption))
    analysis = present(fields.List, fields.String(), validate=FLAGS)
    reasons = present(fields.List, fields.String())
    dup_ack_num = nullable(fields.Integer)
    dup_ack_frame = nullable(fields.Integer)
    truncated = present(fields.Boolean)
    acked_frame = nullable(fields.Integer)
    ack_rtt = nullable(fields.Float, metadata={"description": "tcp.analysis.ack_rtt, seconds"})
    karn_rtt = nullable(fields.Float, metadata={"description": "ack_rtt under Karn's rule"})
    ts_rtt = nullable(fields.Float, metadata={"description": "RTT from the echoed TSval"})


class FrameNote(Strict):
    """A frame that could not be analysed, and why."""

    type = present(fields.String, validate=validate.Equal("note"))
    frame = present(fields.Integer)
    time = present(fields.Float)
    note = present(fields.String)


class Analysis(Strict):
    """`netutil tcp analyze FILE --json`."""

    segments = present(fields.Integer)
    start = nullable(fields.Float, metadata={"description": "time of the first TCP segment"})
    connections = present(fields.List, fields.Nested(Connection))
    flagged_segments = present(fields.Integer)
    every_segment = present(fields.Boolean)
    events = present(fields.List, OneOf(SegmentEvent, FrameNote))
