"""TCP segments byte for byte: the header and its options as data, and build, pack and parse.

A header is data: `TCP_LAYOUT` names every field of the fixed 20-byte header (RFC 9293 section
3.1, with the AE bit of RFC 9768) with its width in bits, and both packing and parsing are
compiled from that one table (see `netutil.layout`), so no offset is written twice. Options
(RFC 9293 section 3.2, RFC 7323, RFC 2018) are frozen dataclasses; an unknown kind is kept as
raw bytes so nothing is lost.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import ipaddress
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar, Final

from netutil.errors import InvalidInput
from netutil.layout import HeaderLayout, fast_constructor

__all__ = [
    "EOL",
    "HEADER_FIELDS",
    "MAX_OPTIONS_LENGTH",
    "MSS",
    "NOP",
    "SACK",
    "TCP_LAYOUT",
    "BuiltSegment",
    "ChecksumStatus",
    "ParsedSegment",
    "SACKPermitted",
    "TCPFlag",
    "TCPHeader",
    "Timestamps",
    "UnknownOption",
    "WindowScale",
    "build",
    "build_segment",
    "pack_header",
    "pack_options",
    "parse",
    "parse_flags",
    "parse_options",
    "segment_checksum",
    "standard_options",
]

_M: Final = 0xFFFF
MIN_HEADER_LENGTH: Final = 20
MAX_OPTIONS_LENGTH: Final = 40  # data offset is 4 bits: 15 words = 60 bytes, 20 fixed


class TCPFlag(enum.IntFlag):
    """The nine control bits (RFC 9293 section 3.1; AE, formerly NS, from RFC 9768)."""

    FIN = 0x01
    SYN = 0x02
    RST = 0x04
    PSH = 0x08
    ACK = 0x10
    URG = 0x20
    ECE = 0x40
    CWR = 0x80
    AE = 0x100

    @property
    def names(self) -> list[str]:
        """Names of the set bits, lowest bit first (`['SYN', 'ACK']`)."""
        return [f.name for f in _FLAG_ORDER if self & f]


_FLAG_ORDER: Final = tuple(TCPFlag)
_FLAG_ALIASES: Final = {"NS": TCPFlag.AE}


def parse_flags(text: str) -> TCPFlag:
    """`'SYN,ACK'` (names separated by commas, `|`, `+` or spaces; case ignored) to a TCPFlag."""
    result = TCPFlag(0)
    words = [w for w in text.replace("|", ",").replace("+", ",").replace(" ", ",").split(",") if w]
    for word in words:
        name = word.upper()
        flag = TCPFlag.__members__.get(name) or _FLAG_ALIASES.get(name)
        if flag is None:
            choices = ", ".join(f.name for f in _FLAG_ORDER)
            raise InvalidInput(f"unknown TCP flag {word!r} in {text!r}; choose from {choices}")
        result |= flag
    return result


# ---------------------------------------------------------------------------------------------
# Options


_MSS_WIRE: Final = struct.Struct("!BBH")
_WS_WIRE: Final = struct.Struct("!BBB")
_TS_WIRE: Final = struct.Struct("!BBII")


def _check(value: int, bits: int, what: str) -> None:
    if not isinstance(value, int) or not 0 <= value < (1 << bits):
        raise InvalidInput(f"{what} {value!r} does not fit {bits} bits (0..{(1 << bits) - 1})")


@dataclass(frozen=True, slots=True)
class EOL:
    """End of Option List (kind 0, one byte); what follows it is padding."""

    kind: ClassVar[int] = 0
    name: ClassVar[str] = "eol"

    def to_bytes(self) -> bytes:
        return b"\x00"

    def json_value(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class NOP:
    """No-Operation (kind 1, one byte), used to align later options."""

    kind: ClassVar[int] = 1
    name: ClassVar[str] = "nop"

    def to_bytes(self) -> bytes:
        return b"\x01"

    def json_value(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class MSS:
    """Maximum Segment Size (kind 2, length 4; RFC 9293 section 3.7.1)."""

    value: int
    kind: ClassVar[int] = 2
    name: ClassVar[str] = "mss"

    def to_bytes(self) -> bytes:
        try:
            return _MSS_WIRE.pack(2, 4, self.value)
        except struct.error:
            _check(self.value, 16, "MSS")
            raise

    def json_value(self) -> int:
        return self.value


@dataclass(frozen=True, slots=True)
class WindowScale:
    """Window Scale (kind 3, length 3; RFC 7323 section 2): the shift count."""

    shift: int
    kind: ClassVar[int] = 3
    name: ClassVar[str] = "window_scale"

    def to_bytes(self) -> bytes:
        try:
            return _WS_WIRE.pack(3, 3, self.shift)
        except struct.error:
            _check(self.shift, 8, "window scale shift")
            raise

    def json_value(self) -> int:
        return self.shift


@dataclass(frozen=True, slots=True)
class SACKPermitted:
    """SACK-Permitted (kind 4, length 2; RFC 2018 section 2), sent on a SYN."""

    kind: ClassVar[int] = 4
    name: ClassVar[str] = "sack_permitted"

    def to_bytes(self) -> bytes:
        return b"\x04\x02"

    def json_value(self) -> None:
        return None


@dataclass(frozen=True, slots=True)
class SACK:
    """SACK blocks (kind 5, length 2 + 8n; RFC 2018 section 3): (left edge, right edge) pairs."""

    blocks: tuple[tuple[int, int], ...]
    kind: ClassVar[int] = 5
    name: ClassVar[str] = "sack"

    def to_bytes(self) -> bytes:
        if not 1 <= len(self.blocks) <= 4:
            raise InvalidInput(f"SACK option needs 1 to 4 blocks, got {len(self.blocks)}")
        out = bytearray((5, 2 + 8 * len(self.blocks)))
        for left, right in self.blocks:
            _check(left, 32, "SACK left edge")
            _check(right, 32, "SACK right edge")
            out += left.to_bytes(4, "big") + right.to_bytes(4, "big")
        return bytes(out)

    def json_value(self) -> list[list[int]]:
        return [[left, right] for left, right in self.blocks]


@dataclass(frozen=True, slots=True)
class Timestamps:
    """Timestamps (kind 8, length 10; RFC 7323 section 3): TSval and TSecr."""

    tsval: int
    tsecr: int
    kind: ClassVar[int] = 8
    name: ClassVar[str] = "timestamps"

    def to_bytes(self) -> bytes:
        try:
            return _TS_WIRE.pack(8, 10, self.tsval, self.tsecr)
        except struct.error:
            _check(self.tsval, 32, "timestamp value")
            _check(self.tsecr, 32, "timestamp echo reply")
            raise

    def json_value(self) -> dict[str, int]:
        return {"tsval": self.tsval, "tsecr": self.tsecr}


@dataclass(frozen=True, slots=True)
class UnknownOption:
    """Any other kind, kept as its raw data bytes (after the kind and length bytes)."""

    kind: int
    data: bytes = b""
    name: ClassVar[str] = "unknown"

    def to_bytes(self) -> bytes:
        _check(self.kind, 8, "option kind")
        if self.kind in (0, 1):
            raise InvalidInput(f"option kind {self.kind} has no length byte; use EOL() or NOP()")
        if len(self.data) > MAX_OPTIONS_LENGTH - 2:
            raise InvalidInput(f"option kind {self.kind}: {len(self.data)} data bytes (max 38)")
        return bytes((self.kind, 2 + len(self.data))) + bytes(self.data)

    def json_value(self) -> str:
        return bytes(self.data).hex()


Option = EOL | NOP | MSS | WindowScale | SACKPermitted | SACK | Timestamps | UnknownOption
_EOL: Final = EOL()
_NOP: Final = NOP()
_SACK_PERM: Final = SACKPermitted()
_make_mss = fast_constructor(MSS)
_make_ws = fast_constructor(WindowScale)
_make_ts = fast_constructor(Timestamps)
_OPTION_NAMES: Final = {
    2: "MSS",
    3: "window scale",
    4: "SACK-permitted",
    5: "SACK",
    8: "timestamps",
}
_FIXED_LENGTHS: Final = {2: 4, 3: 3, 4: 2, 8: 10}


def standard_options(
    *,
    mss: int | None = None,
    sack_permitted: bool = False,
    timestamps: tuple[int, int] | None = None,
    window_scale: int | None = None,
    sack: Iterable[tuple[int, int]] = (),
) -> tuple[Option, ...]:
    """Options laid out as Linux's tcp_options_write does, NOPs aligning each to 32 bits:
    MSS; SACK-permitted + timestamps (or NOP NOP + whichever is present); NOP + window scale;
    NOP NOP + SACK blocks. A Linux SYN is MSS, SACK-permitted, TS, NOP, WS."""
    out: list[Option] = []
    if mss is not None:
        out.append(MSS(mss))
    if timestamps is not None:
        ts = Timestamps(*timestamps)
        out += [_SACK_PERM, ts] if sack_permitted else [_NOP, _NOP, ts]
    elif sack_permitted:
        out += [_NOP, _NOP, _SACK_PERM]
    if window_scale is not None:
        out += [_NOP, WindowScale(window_scale)]
    blocks = tuple(sack)
    if blocks:
        out += [_NOP, _NOP, SACK(blocks)]
    return tuple(out)


def option_as_dict(option: Option) -> dict:
    """JSON shape of one option: kind, name, length on the wire, value (per kind; null if none)."""
    wire = option.to_bytes()
    return {
        "kind": option.kind,
        "name": option.name,
        "length": len(wire),
        "value": option.json_value(),
    }


def pack_options(options: Iterable[Option]) -> bytes:
    """Options bytes padded with zeros to a 32-bit boundary (RFC 9293 section 3.1)."""
    raw = b"".join([o.to_bytes() for o in options])
    if len(raw) & 3:
        raw += b"\x00" * (4 - (len(raw) & 3))
    if len(raw) > MAX_OPTIONS_LENGTH:
        raise InvalidInput(
            f"TCP options take {len(raw)} bytes with padding; at most {MAX_OPTIONS_LENGTH} fit"
        )
    return raw


def _option_error(data: bytes, i: int, base: int, problem: str) -> None:
    kind = data[i]
    name = f" ({_OPTION_NAMES[kind]})" if kind in _OPTION_NAMES else ""
    raise InvalidInput(f"TCP option kind {kind}{name} at byte offset {base + i}: {problem}")


def _length_error(data: bytes, i: int, end: int, base: int) -> None:
    """Explain why the option at `i` has an impossible length byte (or none)."""
    if i + 1 >= end:
        _option_error(
            data,
            i,
            base,
            f"length byte at offset {base + i + 1} is past the options area, which ends at "
            f"offset {base + end}",
        )
    length = data[i + 1]
    at = f"length {length} at offset {base + i + 1}"
    if length < 2:
        _option_error(data, i, base, f"{at} is below 2 (the kind and length bytes themselves)")
    if i + length > end:
        _option_error(
            data, i, base, f"{at} runs past the options area, which ends at offset {base + end}"
        )
    kind = data[i]
    if kind == 5:
        _option_error(data, i, base, f"{at}, expected 2 + 8 per block (10, 18, 26 or 34)")
    _option_error(data, i, base, f"{at}, expected {_FIXED_LENGTHS[kind]}")


_U32X2: Final = struct.Struct("!II")


def parse_options(data: bytes, base: int = MIN_HEADER_LENGTH) -> tuple[Option, ...]:
    """Options from the options area `data` (which starts at byte offset `base` of the header).

    Parsing stops at EOL (the rest is padding). A length byte of 0 or 1, one missing, one that
    runs past the options area, or a wrong length for a known kind raises InvalidInput naming
    the byte offset.
    """
    return _parse_options(data, 0, len(data), base)


def _parse_options(data: bytes, i: int, end: int, base: int) -> tuple[Option, ...]:
    """Options in data[i:end], read in place; error offsets are `base` + index into data."""
    out: list[Option] = []
    append = out.append
    while i < end:
        kind = data[i]
        if kind == 1:
            append(_NOP)
            i += 1
            continue
        if kind == 0:
            append(_EOL)
            break
        length = data[i + 1] if i + 1 < end else 0
        if length < 2 or i + length > end:
            _length_error(data, i, end, base)
        if kind == 8:
            if length != 10:
                _length_error(data, i, end, base)
            append(_make_ts(*_U32X2.unpack_from(data, i + 2)))
        elif kind == 2:
            if length != 4:
                _length_error(data, i, end, base)
            append(_make_mss((data[i + 2] << 8) | data[i + 3]))
        elif kind == 3:
            if length != 3:
                _length_error(data, i, end, base)
            append(_make_ws(data[i + 2]))
        elif kind == 4:
            if length != 2:
                _length_error(data, i, end, base)
            append(_SACK_PERM)
        elif kind == 5:
            if (length - 2) % 8 or length == 2:
                _length_error(data, i, end, base)
            append(SACK(tuple(_U32X2.iter_unpack(data[i + 2 : i + length]))))
        else:
            append(UnknownOption(kind, bytes(data[i + 2 : i + length])))
        i += length
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# The fixed header


# RFC 9293 section 3.1 (reserved is 3 bits since RFC 9768 took bit 7 of that word for AE).
TCP_LAYOUT: Final = HeaderLayout(
    "TCP",
    (
        ("src_port", 16),
        ("dst_port", 16),
        ("seq", 32),
        ("ack", 32),
        ("data_offset", 4),
        ("reserved", 3),
        ("flags", 9),
        ("window", 16),
        ("checksum", 16),
        ("urgent", 16),
    ),
)
HEADER_FIELDS: Final = TCP_LAYOUT.fields
_FIELD_NAMES: Final = tuple(f.name for f in HEADER_FIELDS)
_CHECKSUM_AT: Final = TCP_LAYOUT.offset_of("checksum")
_DATA_OFFSET_AT: Final = TCP_LAYOUT.offset_of("data_offset")
_tcp_pack = TCP_LAYOUT.pack
_tcp_unpack = TCP_LAYOUT.unpack
# Every 9-bit flags value as a TCPFlag, so parsing indexes instead of calling the enum.
_FLAG_VALUES: Final = tuple(TCPFlag(v) for v in range(512))


@dataclass(frozen=True, slots=True)
class TCPHeader:
    """A TCP header (RFC 9293 section 3.1). `data_offset` and `checksum` left as None are
    computed by `build` (from the options, and from payload plus pseudo-header)."""

    src_port: int
    dst_port: int
    seq: int
    ack: int
    flags: TCPFlag
    window: int
    urgent: int = 0
    options: tuple[Option, ...] = ()
    data_offset: int | None = None
    reserved: int = 0
    checksum: int | None = None

    @property
    def header_length(self) -> int | None:
        """Header bytes including options (data offset times 4), once known."""
        return None if self.data_offset is None else self.data_offset * 4

    def as_dict(self) -> dict:
        flags = TCPFlag(self.flags)
        return {
            "src_port": self.src_port,
            "dst_port": self.dst_port,
            "seq": self.seq,
            "ack": self.ack,
            "data_offset": self.data_offset,
            "header_length": self.header_length,
            "reserved": self.reserved,
            "flags": flags.names,
            "flags_value": int(flags),
            "window": self.window,
            "checksum": self.checksum,
            "urgent": self.urgent,
            "options": [option_as_dict(o) for o in self.options],
        }


def _resolved_options(header: TCPHeader) -> tuple[bytes, int]:
    """(options bytes padded to the data offset, data offset) for a header about to be packed."""
    opts = pack_options(header.options) if header.options else b""
    needed = 5 + (len(opts) >> 2)
    given = header.data_offset
    if given is None or given == needed:
        return opts, needed
    if not isinstance(given, int) or given < needed:
        raise InvalidInput(
            f"TCP data offset {given!r} is too small for {len(opts)} option bytes (needs {needed})"
        )
    if given > 15:
        TCP_LAYOUT._bad((0, 0, 0, 0, given, 0, 0, 0, 0, 0))
    return opts + b"\x00" * ((given - needed) * 4), given


def pack_header(header: TCPHeader) -> bytes:
    """Header and options as they stand (no checksum computed: a None checksum packs as 0)."""
    opts, offset = _resolved_options(header)
    h = header
    cs = 0 if h.checksum is None else h.checksum
    fixed = _tcp_pack(
        h.src_port, h.dst_port, h.seq, h.ack, offset, h.reserved, h.flags, h.window, cs, h.urgent
    )
    return fixed + opts


_ADDRESS_TYPES: Final = (ipaddress.IPv4Address, ipaddress.IPv6Address)


def _ip(value) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """An address object from an address or its text (ipaddress objects pass straight through,
    sparing their slow Python-level hash)."""
    if type(value) in _ADDRESS_TYPES:
        return value
    return _parse_ip(value)


@functools.lru_cache(maxsize=1024)
def _parse_ip(value) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        raise InvalidInput(f"invalid IP address {value!r}") from None


@functools.lru_cache(maxsize=1024)
def _pseudo_partial(src, dst) -> tuple[int, int]:
    """(address part of the pseudo-header sum mod 0xFFFF, IP version) for a pair of addresses."""
    s, d = _ip(src), _ip(dst)
    if s.version != d.version:
        raise InvalidInput(
            f"source {str(s)!r} and destination {str(d)!r} are of different IP versions"
        )
    # Words of the addresses, protocol 6 (IPPROTO_TCP) in the low byte of a word.
    return ((int(s) + int(d)) % _M + 6) % _M, s.version


_last_pair: tuple = (None, None, (0, 0))


def _pseudo_mod(src, dst, length: int) -> int:
    """The pseudo-header's sum mod 0xFFFF (RFC 9293 section 3.1, RFC 8200 section 8.1)."""
    global _last_pair
    last = _last_pair
    if last[0] is src and last[1] is dst:  # the same address objects as last time: no hashing
        part, version = last[2]
    else:
        part, version = _pseudo_partial(src, dst)
        _last_pair = (src, dst, (part, version))
    if version == 4 and length > 0xFFFF:
        raise InvalidInput(f"TCP length {length} does not fit the IPv4 pseudo-header (max 65535)")
    # IPv6's 32-bit length is two words; mod 0xFFFF it is the same as the plain sum.
    return (part + length) % _M


def _mod_sum(data: bytes, _from=int.from_bytes) -> int:
    """Sum of `data`'s 16-bit words modulo 0xFFFF (odd length padded on the right)."""
    if len(data) & 1:
        return ((_from(data) % _M) << 8) % _M
    return _from(data) % _M


def _build(header: TCPHeader, payload: bytes, src_ip, dst_ip) -> tuple[bytes, int, int]:
    opts, offset = _resolved_options(header)
    h = header
    given = h.checksum
    fixed = _tcp_pack(
        h.src_port,
        h.dst_port,
        h.seq,
        h.ack,
        offset,
        h.reserved,
        h.flags,
        h.window,
        0 if given is None else given,
        h.urgent,
    )
    data = fixed + opts + payload
    if given is not None:
        return data, offset, given
    total = (_pseudo_mod(src_ip, dst_ip, len(data)) + _mod_sum(data)) % _M
    # The pseudo-header is never all zero, so a sum of 0 mod 0xFFFF folds to 0xFFFF.
    cs = _M - total if total else 0
    return data[:_CHECKSUM_AT] + cs.to_bytes(2, "big") + data[_CHECKSUM_AT + 2 :], offset, cs


def build(header: TCPHeader, payload: bytes = b"", src_ip=None, dst_ip=None) -> bytes:
    """The TCP segment bytes: header, options padded to 32 bits, payload.

    A None data offset is computed from the options; a None checksum is computed over the
    pseudo-header of `src_ip` and `dst_ip` (ipaddress objects or strings; IPv4 per RFC 9293
    section 3.1, IPv6 per RFC 8200 section 8.1), the header and the payload.
    """
    if header.checksum is None and (src_ip is None or dst_ip is None):
        raise InvalidInput("computing the TCP checksum needs the source and destination addresses")
    return _build(header, bytes(payload), src_ip, dst_ip)[0]


@dataclass(frozen=True, slots=True)
class BuiltSegment:
    """A built segment with the header as sent (data offset and checksum filled in)."""

    header: TCPHeader
    payload: bytes
    data: bytes
    src_ip: ipaddress.IPv4Address | ipaddress.IPv6Address
    dst_ip: ipaddress.IPv4Address | ipaddress.IPv6Address
    packet: bytes | None = None  # the whole IP packet, when one was built around the segment

    def as_dict(self) -> dict:
        out = self.data if self.packet is None else self.packet
        return {
            "src": str(self.src_ip),
            "dst": str(self.dst_ip),
            "ip_version": self.src_ip.version,
            "layer": "tcp" if self.packet is None else f"ipv{self.src_ip.version}",
            "length": len(out),
            "segment_length": len(self.data),
            "payload_length": len(self.payload),
            "header": self.header.as_dict(),
            "segment_hex": self.data.hex(),
            "hex": out.hex(),
        }


def build_segment(header: TCPHeader, payload: bytes, src_ip, dst_ip) -> BuiltSegment:
    """Like `build`, but also returns the header with its computed data offset and checksum."""
    src, dst = _ip(src_ip), _ip(dst_ip)
    data, offset, cs = _build(header, bytes(payload), src, dst)
    resolved = dataclasses.replace(header, data_offset=offset, checksum=cs)
    return BuiltSegment(resolved, bytes(payload), data, src, dst)


def segment_checksum(data: bytes, src_ip, dst_ip) -> int:
    """The checksum `data` (a whole segment) should carry: computed with its field taken as 0."""
    if len(data) < MIN_HEADER_LENGTH:
        _truncated(len(data))
    field = int.from_bytes(data[16:18], "big")
    total = (_pseudo_mod(src_ip, dst_ip, len(data)) + _mod_sum(data) - field) % _M
    return (~total & 0xFFFF) if total else 0


# ---------------------------------------------------------------------------------------------
# Parsing


class ChecksumStatus(enum.Enum):
    """Outcome of checking a checksum: it sums right, it does not, or it could not be checked."""

    GOOD = "good"
    BAD = "bad"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class ParsedSegment:
    """A parsed segment: header, payload and the checksum verdict (unknown without addresses)."""

    header: TCPHeader
    payload: bytes
    checksum_status: ChecksumStatus
    expected_checksum: int | None = None
    src_ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    dst_ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None

    @property
    def checksum_ok(self) -> bool | None:
        """True/False once verified, None when the addresses were not known."""
        if self.checksum_status is ChecksumStatus.UNKNOWN:
            return None
        return self.checksum_status is ChecksumStatus.GOOD

    def as_dict(self) -> dict:
        return {
            "src": None if self.src_ip is None else str(self.src_ip),
            "dst": None if self.dst_ip is None else str(self.dst_ip),
            "header": self.header.as_dict(),
            "length": (self.header.header_length or 0) + len(self.payload),
            "payload_length": len(self.payload),
            "payload": self.payload.hex(),
            "checksum_status": self.checksum_status.value,
            "expected_checksum": self.expected_checksum,
        }


_GOOD: Final = ChecksumStatus.GOOD
_BAD: Final = ChecksumStatus.BAD
_UNKNOWN: Final = ChecksumStatus.UNKNOWN
_make_header = fast_constructor(TCPHeader)
_from_bytes = int.from_bytes
_make_parsed = fast_constructor(ParsedSegment)


def _truncated(length: int, base: int = 0) -> None:
    field = TCP_LAYOUT.missing_field(length)
    raise InvalidInput(
        f"truncated TCP header: {length} bytes, the fixed header needs {MIN_HEADER_LENGTH} "
        f"(field {field.name!r} at byte offset {base + field.byte_offset} is missing)"
    )


def parse(data: bytes, src_ip=None, dst_ip=None, *, base: int = 0) -> ParsedSegment:
    """Bytes to header, options and payload; the checksum is verified when both addresses are
    given (good when the pseudo-header and segment sum to 0xFFFF, RFC 9293 section 3.1).

    `base` is where the segment starts in a larger buffer, so error offsets point into it.
    """
    data = bytes(data)
    if src_ip is None or dst_ip is None:
        return parse_verified(data, base, None, None, None)
    return parse_verified(data, base, _pseudo_mod(src_ip, dst_ip, 0), _ip(src_ip), _ip(dst_ip))


def parse_verified(data: bytes, base: int, pseudo: int | None, src, dst) -> ParsedSegment:
    """`parse` for callers that know the pseudo-header's address sum mod 0xFFFF (`pseudo`,
    protocol included, length not) - the IP parser reads it straight from the packet bytes."""
    length = len(data)
    if length < MIN_HEADER_LENGTH:
        _truncated(length, base)
    v = _tcp_unpack(data)
    offset = v[4]
    if offset < 5:
        raise InvalidInput(
            f"TCP data offset {offset} at byte offset {base + _DATA_OFFSET_AT} is below 5 "
            "(the fixed header is 5 words)"
        )
    hlen = offset << 2
    if hlen > length:
        raise InvalidInput(
            f"TCP data offset {offset} at byte offset {base + _DATA_OFFSET_AT} says {hlen} header "
            f"bytes, past the end of the {length}-byte segment"
        )
    options = _parse_options(data, 20, hlen, base) if hlen > 20 else ()
    # every TCPHeader field in order, from the unpacked fixed header (`_tcp_unpack`'s order)
    header = _make_header(
        v[0],  # src_port
        v[1],  # dst_port
        v[2],  # seq
        v[3],  # ack
        _FLAG_VALUES[v[6]],  # flags
        v[7],  # window
        v[9],  # urgent
        options,
        offset,  # data_offset
        v[5],  # reserved
        v[8],  # checksum
    )
    payload = data[hlen:]
    if pseudo is None:
        return _make_parsed(header, payload, _UNKNOWN, None, None, None)
    if length > 0xFFFF and src.version == 4:
        raise InvalidInput(f"TCP length {length} does not fit the IPv4 pseudo-header (max 65535)")
    n = _from_bytes(data)
    total = (pseudo + length + ((n << 8) if length & 1 else n)) % _M
    if total == 0:  # the whole sum folds to 0xFFFF: the checksum verifies
        return _make_parsed(header, payload, _GOOD, v[8], src, dst)
    rest = (total - v[8]) % _M
    return _make_parsed(header, payload, _BAD, _M - rest if rest else 0, src, dst)
