"""TCP segment, IP packet, pcap and checksum shapes (`netutil.segment`, `netutil.packet`,
`netutil.pcap`, `netutil.checksum` results' `as_dict()`), and their requests."""

from __future__ import annotations

import ipaddress
from typing import ClassVar

from marshmallow import fields, validate

from api.schemas import patterns
from api.schemas.base import JsonBoolean, JsonInteger, Strict, nullable, present
from api.schemas.union import OneOf

HEX = validate.Regexp(r"^(?:[0-9a-fA-F]{2})*$", error="Not an even number of hex digits.")
U8 = validate.Range(0, 0xFF)
U16 = validate.Range(0, 0xFFFF)
U32 = validate.Range(0, 0xFFFFFFFF)
STATUS = validate.OneOf(["good", "bad", "unknown"])
FLAG_NAMES = "AE, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN (NS is AE's old name)"


class TcpOption(Strict):
    kind = present(fields.Integer, validate=U8)
    name = present(fields.String)
    length = present(fields.Integer)
    value = nullable(
        fields.Raw,
        metadata={
            "description": "mss, window_scale: a number; sack: [[left, right], ...]; "
            "timestamps: {tsval, tsecr}; unknown kinds: hex; others: null"
        },
    )


class TcpHeader(Strict):
    src_port = present(fields.Integer, validate=U16)
    dst_port = present(fields.Integer, validate=U16)
    seq = present(fields.Integer, validate=U32)
    ack = present(fields.Integer, validate=U32)
    data_offset = nullable(fields.Integer)
    header_length = nullable(fields.Integer)
    reserved = present(fields.Integer)
    flags = present(
        fields.List, fields.String(), metadata={"description": "set flags, low bit first"}
    )
    flags_value = present(fields.Integer)
    window = present(fields.Integer, validate=U16)
    checksum = nullable(fields.Integer, validate=U16)
    urgent = present(fields.Integer, validate=U16)
    options = present(fields.List, fields.Nested(TcpOption))


class BuiltSegment(Strict):
    """`netutil tcp header build --json`."""

    src = present(fields.String)
    dst = present(fields.String)
    ip_version = present(fields.Integer, validate=validate.OneOf([4, 6]))
    layer = present(fields.String, validate=validate.OneOf(["tcp", "ipv4", "ipv6"]))
    length = present(fields.Integer)
    segment_length = present(fields.Integer)
    payload_length = present(fields.Integer)
    header = present(fields.Nested, TcpHeader)
    segment_hex = present(fields.String)
    hex = present(fields.String, metadata={"description": "the segment, or the IP packet with ip"})


class IPv4Header(Strict):
    version = present(fields.Integer, validate=validate.Equal(4))
    ihl = present(fields.Integer)
    header_length = present(fields.Integer)
    dscp = present(fields.Integer)
    ecn = present(fields.Integer)
    total_length = present(fields.Integer)
    identification = present(fields.Integer)
    flags = present(fields.List, fields.String(validate=validate.OneOf(["RESERVED", "DF", "MF"])))
    fragment_offset = present(fields.Integer)
    ttl = present(fields.Integer)
    protocol = present(fields.Integer)
    checksum = present(fields.Integer)
    checksum_status = present(fields.String, validate=STATUS)
    expected_checksum = present(fields.Integer)
    src = present(fields.String)
    dst = present(fields.String)
    options = present(fields.String, metadata={"description": "hex"})


class ExtensionHeader(Strict):
    type = present(fields.Integer)
    name = present(fields.String)
    offset = present(fields.Integer)
    length = present(fields.Integer)


class IPv6Header(Strict):
    version = present(fields.Integer, validate=validate.Equal(6))
    traffic_class = present(fields.Integer)
    flow_label = present(fields.Integer)
    payload_length = present(fields.Integer)
    next_header = present(fields.Integer)
    hop_limit = present(fields.Integer)
    src = present(fields.String)
    dst = present(fields.String)
    extension_headers = present(fields.List, fields.Nested(ExtensionHeader))
    upper_protocol = nullable(fields.Integer)


class ParsedSegment(Strict):
    src = nullable(fields.String)
    dst = nullable(fields.String)
    header = present(fields.Nested, TcpHeader)
    length = present(fields.Integer)
    payload_length = present(fields.Integer)
    payload = present(fields.String, metadata={"description": "hex"})
    checksum_status = present(fields.String, validate=STATUS)
    expected_checksum = nullable(fields.Integer)


class ParsedPacket(Strict):
    """`netutil tcp parse HEX --json`."""

    layer = present(fields.String, validate=validate.OneOf(["tcp", "ipv4", "ipv6"]))
    ip = OneOf(IPv4Header, IPv6Header, required=True, allow_none=True)
    tcp = nullable(fields.Nested, ParsedSegment)
    note = nullable(fields.String)


class PcapSegment(Strict):
    """One TCP segment of a capture (a line of `netutil tcp parse --pcap FILE --json`). A frame
    whose TCP header could not be read (cut by the snap length, or damaged) has null segment
    fields (and null addresses when even the IP header is missing) and a `note` saying why."""

    index = present(fields.Integer)
    time = present(fields.Float, metadata={"description": "seconds since the epoch"})
    ip_version = nullable(fields.Integer, validate=validate.OneOf([4, 6]))
    src = nullable(fields.String)
    dst = nullable(fields.String)
    src_port = nullable(fields.Integer, validate=U16)
    dst_port = nullable(fields.Integer, validate=U16)
    flags = nullable(fields.List, fields.String())
    seq = nullable(fields.Integer, validate=U32)
    ack = nullable(fields.Integer, validate=U32)
    window = nullable(fields.Integer, validate=U16)
    length = nullable(
        fields.Integer, metadata={"description": "payload length as the IP header gives it"}
    )
    options = nullable(fields.List, fields.Nested(TcpOption))
    checksum = nullable(fields.Integer, validate=U16)
    checksum_status = nullable(fields.String, validate=STATUS)
    expected_checksum = nullable(fields.Integer)
    truncated = present(
        fields.Boolean,
        metadata={"description": "the frame was cut by the snap length (checksum not verified)"},
    )
    note = nullable(fields.String)


class PcapSegments(Strict):
    segments = present(fields.List, fields.Nested(PcapSegment))


class ChecksumResult(Strict):
    """`netutil checksum HEX --json` (RFC 1071)."""

    length = present(fields.Integer)
    sum = present(fields.Integer, validate=U16)
    sum_hex = present(fields.String)
    checksum = present(fields.Integer, validate=U16)
    checksum_hex = present(fields.String)
    verifies = present(fields.Boolean, metadata={"description": "the data sums to 0xffff"})


# --- requests --------------------------------------------------------------------------------

ADDRESS = patterns.Pattern(
    patterns.ADDRESS, error="Not an IPv4 or IPv6 address.", core=ipaddress.ip_address
)
#: a flag name, case ignored (`netutil.segment.parse_flags`)
FLAG = patterns.Pattern(
    patterns.any_case(patterns.FLAG_NAMES), error=f"Not a TCP flag name ({FLAG_NAMES})."
)


class HeaderBuildBody(Strict):
    #: both ends of one IP version (the pseudo-header and the packet hold one kind)
    OPENAPI_EXTRA: ClassVar[dict] = {
        "anyOf": [
            {
                "properties": {
                    "src": {"pattern": f"^{version}$"},
                    "dst": {"pattern": f"^{version}$"},
                }
            }
            for version in (patterns.IPV4, patterns.IPV6)
        ]
    }
    src = present(fields.String, validate=ADDRESS, metadata={"description": "source IP address"})
    src_port = present(JsonInteger, validate=U16)
    dst = present(fields.String, validate=ADDRESS, metadata={"description": "destination IP"})
    dst_port = present(JsonInteger, validate=U16)
    seq = JsonInteger(load_default=0, validate=U32)
    ack = JsonInteger(load_default=0, validate=U32)
    flags = fields.List(
        fields.String(validate=FLAG),
        load_default=list,
        validate=validate.Length(max=16),
        metadata={"description": FLAG_NAMES},
    )
    window = JsonInteger(load_default=65535, validate=U16)
    urgent = JsonInteger(load_default=0, validate=U16)
    mss = JsonInteger(validate=U16, metadata={"description": "add an MSS option"})
    wscale = JsonInteger(validate=U8, metadata={"description": "add a window scale option"})
    sack_permitted = JsonBoolean(load_default=False)
    timestamps = fields.List(
        JsonInteger(validate=U32),
        validate=validate.Length(equal=2),
        metadata={"description": "[tsval, tsecr]: add a timestamps option"},
    )
    sack = fields.List(
        fields.List(JsonInteger(validate=U32), validate=validate.Length(equal=2)),
        load_default=list,
        validate=validate.Length(max=4),
        metadata={"description": "SACK blocks [[left, right], ...]"},
    )
    payload = fields.String(load_default="", validate=HEX, metadata={"description": "hex"})
    ip = JsonBoolean(load_default=False, metadata={"description": "wrap in an IP packet"})
    ttl = JsonInteger(load_default=64, validate=U8, metadata={"description": "TTL / hop limit"})


class ParseBody(Strict):
    data = present(
        fields.String, validate=[HEX, validate.Length(min=2)], metadata={"description": "hex"}
    )
    layer = fields.String(load_default="auto", validate=validate.OneOf(["auto", "ip", "tcp"]))
    src = fields.String(
        validate=ADDRESS, metadata={"description": "with dst: check a bare segment"}
    )
    dst = fields.String(validate=ADDRESS)

    #: src and dst come together (the view refuses one alone)
    OPENAPI_EXTRA: ClassVar[dict] = {"dependentRequired": {"src": ["dst"], "dst": ["src"]}}


class ChecksumBody(Strict):
    data = present(
        fields.String,
        validate=HEX,
        metadata={"description": "the bytes as hex (even number of digits)"},
    )
