"""`/api/tcp` and `/api/checksum`: build and parse TCP segments (and the IP packets around
them), read the TCP segments of a pcap file, and the RFC 1071 Internet checksum."""

from __future__ import annotations

import io

from flask import Blueprint
from marshmallow import ValidationError

from api.contract import endpoint
from api.schemas import tcp as schemas

bp = Blueprint("tcp", __name__)

PCAP_MEDIA_TYPE = "application/vnd.tcpdump.pcap"


@bp.post("/api/tcp/header")
@endpoint(
    operation_id="tcp_header_build",
    summary="Build a TCP segment (or the whole IPv4/IPv6 packet)",
    tag="tcp",
    response=schemas.BuiltSegment,
    body=schemas.HeaderBuildBody,
)
def tcp_header_build(
    src, src_port, dst, dst_port, seq, ack, flags, window, urgent, sack_permitted, sack,
    payload, ip, ttl, mss=None, wscale=None, timestamps=None,
):  # fmt: skip
    """Data offset and checksum (over the RFC 9293 section 3.1 pseudo-header) are computed;
    options are laid out as Linux does (MSS, SACK-permitted, timestamps, NOP, window scale)."""
    from netutil.packet import build_from_fields

    return build_from_fields(
        src, src_port, dst, dst_port, seq=seq, ack=ack, flags=flags, window=window,
        urgent=urgent, mss=mss, wscale=wscale, sack_permitted=sack_permitted,
        timestamps=timestamps, sack=sack, payload=bytes.fromhex(payload), ip=ip, ttl=ttl,
    ).as_dict()  # fmt: skip


@bp.post("/api/tcp/parse")
@endpoint(
    operation_id="tcp_parse",
    summary="Parse an IP packet or a bare TCP segment",
    tag="tcp",
    response=schemas.ParsedPacket,
    body=schemas.ParseBody,
)
def tcp_parse(data, layer, src=None, dst=None):
    """Checksums are verified: the IPv4 header's, and the segment's when the addresses are
    known (from the IP header, or src and dst for a bare segment)."""
    from netutil.packet import parse_any

    if (src is None) != (dst is None):
        missing = "dst" if src is not None else "src"
        raise ValidationError({missing: ["Give both src and dst (the pseudo-header needs both)."]})
    return parse_any(bytes.fromhex(data), layer, src, dst).as_dict()


@bp.post("/api/tcp/parse/pcap")
@endpoint(
    operation_id="tcp_parse_pcap",
    summary="The TCP segments of a pcap or pcapng file",
    tag="tcp",
    response=schemas.PcapSegments,
    raw_body={PCAP_MEDIA_TYPE: "the pcap or pcapng file as is (LINKTYPE_RAW or Ethernet)"},
)
def tcp_parse_pcap(body: bytes):
    """One entry per TCP segment (time, addresses, ports, flags, seq, ack, window, length,
    options, checksum status), the lines of `netutil tcp parse --pcap FILE --json`."""
    from netutil.pcap import tcp_segments

    return {"segments": [found.as_dict() for found in tcp_segments(io.BytesIO(body))]}


@bp.post("/api/checksum")
@endpoint(
    operation_id="checksum",
    summary="The RFC 1071 Internet checksum of some bytes",
    tag="checksum",
    response=schemas.ChecksumResult,
    body=schemas.ChecksumBody,
)
def checksum(data: str):
    """The ones' complement sum and its complement; `verifies` says whether data that already
    holds its checksum sums to 0xffff."""
    from netutil.checksum import checksum_report

    return checksum_report(bytes.fromhex(data)).as_dict()
