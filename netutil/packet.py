"""IPv4 and IPv6 packets around a TCP segment: build them, and parse them down to the segment.

IPv4 (RFC 791 section 3.1): IHL, options, total length and the header checksum are checked.
IPv6 (RFC 8200 sections 3 and 4): the fixed header, then extension headers walked in order until
TCP (or a header that cannot be walked). Both headers are field tables, as in `segment`.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from netutil import segment as seg
from netutil.checksum import ones_complement_sum
from netutil.errors import InvalidInput, LimitExceeded
from netutil.layout import HeaderLayout, fast_constructor
from netutil.segment import ChecksumStatus, ParsedSegment, TCPHeader

__all__ = [
    "IPV4_FIELDS",
    "IPV6_FIELDS",
    "MAX_EXTENSION_HEADERS",
    "ExtensionHeader",
    "IPv4Header",
    "IPv6Header",
    "Layer",
    "ParsedPacket",
    "build_ipv4_packet",
    "build_ipv6_packet",
    "build_packet",
    "build_report",
    "parse_any",
    "parse_packet",
]

IPPROTO_TCP: Final = 6
MAX_EXTENSION_HEADERS: Final = 16  # a cap on the walk; real packets carry one or two

# RFC 791 section 3.1.
IPV4_LAYOUT: Final = HeaderLayout(
    "IPv4",
    (
        ("version", 4),
        ("ihl", 4),
        ("tos", 8),
        ("total_length", 16),
        ("identification", 16),
        ("flags", 3),
        ("fragment_offset", 13),
        ("ttl", 8),
        ("protocol", 8),
        ("checksum", 16),
        ("src", 32),
        ("dst", 32),
    ),
)
# RFC 8200 section 3.
IPV6_LAYOUT: Final = HeaderLayout(
    "IPv6",
    (
        ("version", 4),
        ("traffic_class", 8),
        ("flow_label", 20),
        ("payload_length", 16),
        ("next_header", 8),
        ("hop_limit", 8),
        ("src", 128),
        ("dst", 128),
    ),
)
IPV4_FIELDS: Final = IPV4_LAYOUT.fields
IPV6_FIELDS: Final = IPV6_LAYOUT.fields
_V4: Final = {f.name: f for f in IPV4_FIELDS}
_V6: Final = {f.name: f for f in IPV6_FIELDS}
_GOOD: Final = ChecksumStatus.GOOD
_BAD: Final = ChecksumStatus.BAD
_V4_CHECKSUM_AT: Final = IPV4_LAYOUT.offset_of("checksum")
_v4_pack = IPV4_LAYOUT.pack
_v4_unpack = IPV4_LAYOUT.unpack
_v6_pack = IPV6_LAYOUT.pack
_v6_unpack = IPV6_LAYOUT.unpack
_V4ADDR: Final = ipaddress.IPv4Address
_v4_address = functools.lru_cache(maxsize=4096)(ipaddress.IPv4Address)
_v6_address = functools.lru_cache(maxsize=4096)(ipaddress.IPv6Address)
_DF: Final = 0b010
_MF: Final = 0b001

# Extension headers with the generic (next header, length in 8-octet units - 1) layout
# (RFC 8200 section 4), plus Fragment (fixed 8 bytes) and AH (length in 4-octet units - 2).
_EXTENSIONS: Final = {
    0: "hop_by_hop",
    43: "routing",
    44: "fragment",
    51: "authentication",
    60: "destination_options",
    135: "mobility",
    139: "hip",
    140: "shim6",
}


def _addr(value):
    return seg._ip(value)


# ---------------------------------------------------------------------------------------------
# Build


def build_ipv4_packet(
    segment: bytes,
    src_ip,
    dst_ip,
    *,
    ttl: int = 64,
    identification: int = 0,
    dont_fragment: bool = True,
    tos: int = 0,
    protocol: int = IPPROTO_TCP,
) -> bytes:
    """An IPv4 packet (20-byte header, no options) carrying `segment`, header checksum computed."""
    src, dst = _addr(src_ip), _addr(dst_ip)
    if type(src) is not _V4ADDR or type(dst) is not _V4ADDR:
        raise InvalidInput(
            f"an IPv4 packet needs IPv4 addresses, got {str(src)!r} and {str(dst)!r}"
        )
    total = 20 + len(segment)
    if total > 0xFFFF:
        raise InvalidInput(f"IPv4 total length {total} is over 65535")
    flags = _DF if dont_fragment else 0
    header = _v4_pack(
        4, 5, tos, total, identification, flags, 0, ttl, protocol, 0, int(src), int(dst)
    )
    s = int.from_bytes(header, "big") % 0xFFFF  # the words' sum mod 0xFFFF (never all zero)
    cs = (0xFFFF - s if s else 0).to_bytes(2, "big")
    return header[:_V4_CHECKSUM_AT] + cs + header[_V4_CHECKSUM_AT + 2 :] + bytes(segment)


def build_ipv6_packet(
    segment: bytes,
    src_ip,
    dst_ip,
    *,
    hop_limit: int = 64,
    traffic_class: int = 0,
    flow_label: int = 0,
    next_header: int = IPPROTO_TCP,
) -> bytes:
    """An IPv6 packet (fixed header, no extension headers) carrying `segment`."""
    src, dst = _addr(src_ip), _addr(dst_ip)
    if src.version != 6 or dst.version != 6:
        raise InvalidInput(
            f"an IPv6 packet needs IPv6 addresses, got {str(src)!r} and {str(dst)!r}"
        )
    if len(segment) > 0xFFFF:
        raise InvalidInput(
            f"IPv6 payload length {len(segment)} is over 65535 (jumbograms unsupported)"
        )
    values = (
        6,
        traffic_class,
        flow_label,
        len(segment),
        next_header,
        hop_limit,
        int(src),
        int(dst),
    )
    return _v6_pack(*values) + bytes(segment)


def build_packet(
    header: TCPHeader, payload: bytes, src_ip, dst_ip, *, ttl: int = 64, identification: int = 0
) -> bytes:
    """A whole IP packet (IPv4 or IPv6, chosen by the addresses) around a built TCP segment."""
    src, dst = _addr(src_ip), _addr(dst_ip)
    data = seg.build(header, payload, src, dst)
    if src.version == 4:
        return build_ipv4_packet(data, src, dst, ttl=ttl, identification=identification)
    return build_ipv6_packet(data, src, dst, hop_limit=ttl)


def build_report(
    header: TCPHeader, payload: bytes, src_ip, dst_ip, *, ip: bool = False, ttl: int = 64
) -> seg.BuiltSegment:
    """A built segment with its resolved header and, with `ip`, the IP packet around it."""
    built = seg.build_segment(header, payload, src_ip, dst_ip)
    if not ip:
        return built
    if built.src_ip.version == 4:
        packet = build_ipv4_packet(built.data, built.src_ip, built.dst_ip, ttl=ttl)
    else:
        packet = build_ipv6_packet(built.data, built.src_ip, built.dst_ip, hop_limit=ttl)
    return dataclasses.replace(built, packet=packet)


def build_from_fields(
    src,
    src_port: int,
    dst,
    dst_port: int,
    *,
    seq: int = 0,
    ack: int = 0,
    flags: Sequence[str] = (),
    window: int = 65535,
    urgent: int = 0,
    mss: int | None = None,
    wscale: int | None = None,
    sack_permitted: bool = False,
    timestamps: Sequence[int] | None = None,
    sack: Sequence[Sequence[int]] = (),
    payload: bytes = b"",
    ip: bool = False,
    ttl: int = 64,
) -> seg.BuiltSegment:
    """`build_report` from the header's fields as `tcp header build` and `POST
    /api/tcp/header` name them: the flags by name, the options laid out as Linux does (MSS,
    SACK-permitted, timestamps, NOP, window scale; `seg.standard_options`)."""
    options = seg.standard_options(
        mss=mss,
        sack_permitted=sack_permitted,
        timestamps=None if timestamps is None else tuple(timestamps),
        window_scale=wscale,
        sack=[tuple(block) for block in sack],
    )
    header = TCPHeader(
        src_port, dst_port, seq, ack, seg.parse_flags(",".join(flags)), window, urgent, options
    )
    return build_report(header, payload, src, dst, ip=ip, ttl=ttl)


# ---------------------------------------------------------------------------------------------
# Parse


class Layer(enum.Enum):
    """What `parse_any` reads the bytes as."""

    AUTO = "auto"
    IP = "ip"
    TCP = "tcp"


@dataclass(frozen=True, slots=True)
class IPv4Header:
    """An IPv4 header as received, with its header checksum verdict (RFC 791 section 3.1)."""

    ihl: int
    tos: int
    total_length: int
    identification: int
    flags: int
    fragment_offset: int
    ttl: int
    protocol: int
    checksum: int
    src: ipaddress.IPv4Address
    dst: ipaddress.IPv4Address
    options: bytes
    checksum_status: ChecksumStatus
    expected_checksum: int

    version = 4

    @property
    def is_fragment(self) -> bool:
        """True for any fragment (more fragments follow, or not the first)."""
        return bool(self.flags & _MF or self.fragment_offset)

    def as_dict(self) -> dict:
        return {
            "version": 4,
            "ihl": self.ihl,
            "header_length": self.ihl * 4,
            "dscp": self.tos >> 2,
            "ecn": self.tos & 3,
            "total_length": self.total_length,
            "identification": self.identification,
            "flags": [
                name
                for bit, name in ((4, "RESERVED"), (_DF, "DF"), (_MF, "MF"))
                if self.flags & bit
            ],
            "fragment_offset": self.fragment_offset,
            "ttl": self.ttl,
            "protocol": self.protocol,
            "checksum": self.checksum,
            "checksum_status": self.checksum_status.value,
            "expected_checksum": self.expected_checksum,
            "src": str(self.src),
            "dst": str(self.dst),
            "options": self.options.hex(),
        }


@dataclass(frozen=True, slots=True)
class ExtensionHeader:
    """One IPv6 extension header met on the way to the upper layer (RFC 8200 section 4)."""

    type: int
    offset: int
    length: int

    @property
    def name(self) -> str:
        return _EXTENSIONS.get(self.type, "unknown")

    def as_dict(self) -> dict:
        return {"type": self.type, "name": self.name, "offset": self.offset, "length": self.length}


@dataclass(frozen=True, slots=True)
class IPv6Header:
    """An IPv6 fixed header and the extension headers walked after it (RFC 8200)."""

    traffic_class: int
    flow_label: int
    payload_length: int
    next_header: int
    hop_limit: int
    src: ipaddress.IPv6Address
    dst: ipaddress.IPv6Address
    extension_headers: tuple[ExtensionHeader, ...]
    upper_protocol: int | None  # None when the walk stopped (ESP, or No Next Header is 59)
    upper_offset: int
    fragment: tuple[int, bool] | None  # (offset in 8-octet units, more fragments) if any

    version = 6

    @property
    def is_fragment(self) -> bool:
        return self.fragment is not None and (self.fragment[0] != 0 or self.fragment[1])

    def as_dict(self) -> dict:
        return {
            "version": 6,
            "traffic_class": self.traffic_class,
            "flow_label": self.flow_label,
            "payload_length": self.payload_length,
            "next_header": self.next_header,
            "hop_limit": self.hop_limit,
            "src": str(self.src),
            "dst": str(self.dst),
            "extension_headers": [e.as_dict() for e in self.extension_headers],
            "upper_protocol": self.upper_protocol,
        }


@dataclass(frozen=True, slots=True)
class ParsedPacket:
    """An IP packet down to its TCP segment. `ip` is None for a bare segment; `segment` is None
    (with `note` saying why) when the packet carries no parseable TCP segment."""

    ip: IPv4Header | IPv6Header | None
    segment: ParsedSegment | None
    note: str | None = None

    @property
    def layer(self) -> str:
        return "tcp" if self.ip is None else f"ipv{self.ip.version}"

    def as_dict(self) -> dict:
        return {
            "layer": self.layer,
            "ip": None if self.ip is None else self.ip.as_dict(),
            "tcp": None if self.segment is None else self.segment.as_dict(),
            "note": self.note,
        }


_make_v4 = fast_constructor(IPv4Header)
_make_packet = fast_constructor(ParsedPacket)


def _truncated(what: str, layout: HeaderLayout, length: int, need: int) -> None:
    field = layout.missing_field(length)
    raise InvalidInput(
        f"truncated {what} header: {length} bytes, the fixed header needs {need} "
        f"(field {field.name!r} at byte offset {field.byte_offset} is missing)"
    )


def _check_length(what: str, field, value: int, expected_total: int, given: int, trailer: bool):
    if expected_total > given or (expected_total < given and not trailer):
        raise InvalidInput(
            f"{what} {field.name.replace('_', ' ')} {value} at byte offset {field.byte_offset} "
            f"says {expected_total} bytes, but the buffer holds {given}"
        )


def _snapped_note(what: str, claimed: int, held: int) -> str:
    return f"truncated by the snap length: {held} of the {claimed} bytes its {what} gives captured"


def _snapped(ip, data: bytes, base: int, note: str) -> ParsedPacket:
    """The segment of a packet cut by the snap length, or only its IP header (and why) when even
    the TCP header was cut."""
    try:
        segment = seg.parse_verified(data, base, None, None, None)
    except InvalidInput as exc:
        return ParsedPacket(ip, None, f"{note}; the TCP header is incomplete: {exc}")
    segment = dataclasses.replace(segment, src_ip=ip.src, dst_ip=ip.dst)
    return ParsedPacket(ip, segment, f"{note}; checksum not verified")


def _parse_ipv4(data: bytes, trailer: bool, snapped: bool = False) -> ParsedPacket:
    length = len(data)
    if length < 20:
        _truncated("IPv4", IPV4_LAYOUT, length, 20)
    v = _v4_unpack(data)
    ihl, total = v[1], v[3]
    if ihl < 5:
        raise InvalidInput(f"IPv4 IHL {ihl} at byte offset 0 is below 5 (the header is 5 words)")
    hlen = ihl * 4
    if hlen > length:
        raise InvalidInput(
            f"IPv4 IHL {ihl} at byte offset 0 says {hlen} header bytes, past the end of the "
            f"{length}-byte buffer"
        )
    if total < hlen:
        raise InvalidInput(
            f"IPv4 total length {total} at byte offset 2 is less than the {hlen}-byte header"
        )
    cut = snapped and total > length
    if total != length and not cut:
        _check_length("IPv4", _V4["total_length"], total, total, length, trailer)
    header_mod = int.from_bytes(data[:hlen], "big") % 0xFFFF  # never all zero (version 4)
    rest = (header_mod - v[9]) % 0xFFFF  # the header's sum with its checksum field zeroed
    src, dst = _v4_address(v[10]), _v4_address(v[11])
    ip = _make_v4(
        ihl, v[2], total, v[4], v[5], v[6], v[7], v[8], v[9], src, dst, data[20:hlen],
        _BAD if header_mod else _GOOD, 0xFFFF - rest if rest else 0,
    )  # fmt: skip
    if v[8] != IPPROTO_TCP:
        return _make_packet(ip, None, f"protocol {v[8]} is not TCP")
    if v[5] & _MF or v[6]:
        return _make_packet(ip, None, "a fragment: the TCP segment needs reassembly")
    if cut:  # what the snap length left: the header and part of the payload, unverifiable
        return _snapped(ip, data[hlen:], hlen, _snapped_note("IPv4 total length", total, length))
    # The pseudo-header's address words: a 32-bit a*65536 + b is congruent to a + b mod 0xFFFF.
    pseudo = (v[10] + v[11] + IPPROTO_TCP) % 0xFFFF
    return _make_packet(ip, seg.parse_verified(data[hlen:total], hlen, pseudo, src, dst), None)


def _parse_ipv6(data: bytes, trailer: bool, snapped: bool = False) -> ParsedPacket:
    length = len(data)
    if length < 40:
        _truncated("IPv6", IPV6_LAYOUT, length, 40)
    v = _v6_unpack(data)
    payload_length = v[3]
    if payload_length == 0 and v[4] == 0:
        raise InvalidInput("IPv6 jumbograms (payload length 0 with hop-by-hop) are not supported")
    end = 40 + payload_length
    cut = snapped and end > length
    if cut:
        end = length
    else:
        _check_length("IPv6", _V6["payload_length"], payload_length, end, length, trailer)
    nh, off, exts, fragment = v[4], 40, [], None
    while nh in _EXTENSIONS:
        if len(exts) >= MAX_EXTENSION_HEADERS:
            raise LimitExceeded(f"more than {MAX_EXTENSION_HEADERS} IPv6 extension headers")
        if off + 2 > end:
            raise InvalidInput(
                f"IPv6 extension header {nh} ({_EXTENSIONS[nh]}) at byte offset {off}: "
                f"its length byte at offset {off + 1} is past the end of the {end}-byte packet"
            )
        if nh == 44:
            ext_len = 8
        elif nh == 51:
            ext_len = (data[off + 1] + 2) * 4
        else:
            ext_len = (data[off + 1] + 1) * 8
        if off + ext_len > end:
            raise InvalidInput(
                f"IPv6 extension header {nh} ({_EXTENSIONS[nh]}) at byte offset {off}: length "
                f"{ext_len} runs past the end of the {end}-byte packet"
            )
        if nh == 44:
            word = int.from_bytes(data[off + 2 : off + 4], "big")
            fragment = (word >> 3, bool(word & 1))
        exts.append(ExtensionHeader(nh, off, ext_len))
        nh, off = data[off], off + ext_len
    upper = None if nh in (50, 59) else nh
    ip = IPv6Header(
        v[1],
        v[2],
        payload_length,
        v[4],
        v[5],
        _v6_address(v[6]),
        _v6_address(v[7]),
        tuple(exts),
        upper,
        off,
        fragment,
    )
    if ip.is_fragment:
        return ParsedPacket(ip, None, "a fragment: the TCP segment needs reassembly")
    if upper != IPPROTO_TCP:
        return ParsedPacket(ip, None, f"next header {nh} is not TCP")
    if cut:  # what the snap length left: the header and part of the payload, unverifiable
        note = _snapped_note("IPv6 payload length", payload_length + 40, length)
        return _snapped(ip, data[off:end], off, note)
    pseudo = (v[6] + v[7] + IPPROTO_TCP) % 0xFFFF  # address words, summed mod 0xFFFF
    return ParsedPacket(ip, seg.parse_verified(data[off:end], off, pseudo, ip.src, ip.dst))


def parse_packet(
    data: bytes, *, allow_trailer: bool = False, snapped: bool = False
) -> ParsedPacket:
    """An IPv4 or IPv6 packet (by its version nibble) down to its TCP segment, checksums verified.

    The IPv4 total length or IPv6 payload length must match the buffer; `allow_trailer` accepts
    bytes past it (link-layer padding, as Ethernet adds to short frames). `snapped` (a captured
    frame shorter than it was on the wire) accepts fewer: the segment holds what was captured,
    its checksum is not verified (status unknown) and `note` says so.
    """
    data = bytes(data)
    if not data:
        raise InvalidInput("empty IP packet (field 'version' at byte offset 0 is missing)")
    version = data[0] >> 4
    if version == 4:
        return _parse_ipv4(data, allow_trailer, snapped)
    if version == 6:
        return _parse_ipv6(data, allow_trailer, snapped)
    raise InvalidInput(f"IP version {version} at byte offset 0 is neither 4 nor 6")


def _looks_like_ip(data: bytes) -> bool:
    if len(data) >= 20 and data[0] >> 4 == 4 and data[0] & 15 >= 5:
        return (
            int.from_bytes(data[2:4], "big") == len(data)
            and ones_complement_sum(data[: (data[0] & 15) * 4]) == 0xFFFF
        )
    if len(data) >= 40 and data[0] >> 4 == 6:
        return int.from_bytes(data[4:6], "big") + 40 == len(data)
    return False


def parse_any(
    data: bytes, layer: Layer | str = Layer.AUTO, src_ip=None, dst_ip=None
) -> ParsedPacket:
    """Parse an IP packet or a bare TCP segment.

    With `auto`, the bytes are an IP packet when they look like one beyond doubt: an IPv4 header
    whose total length matches the buffer and whose header checksum verifies, or an IPv6 header
    whose payload length matches; otherwise a TCP segment (checked against `src_ip`/`dst_ip`).
    """
    layer = Layer(layer)
    data = bytes(data)
    if layer is Layer.IP or (layer is Layer.AUTO and src_ip is None and _looks_like_ip(data)):
        return parse_packet(data)
    return ParsedPacket(None, seg.parse(data, src_ip, dst_ip))
