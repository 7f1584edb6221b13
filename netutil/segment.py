"""TCP segments byte for byte: the header and its options as data, and build, pack and parse.

A header is data: `HEADER_FIELDS` names every field of the fixed 20-byte header (RFC 9293 section
3.1, with the AE bit of RFC 9768) with its width in bits, and both packing and parsing are driven
by that one table, so no offset is written twice. Options (RFC 9293 section 3.2, RFC 7323,
RFC 2018) are frozen dataclasses; an unknown kind is kept as raw bytes so nothing is lost.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import ClassVar, Final, NamedTuple

from netutil.errors import InvalidInput

__all__ = [
    "EOL",
    "HEADER_FIELDS",
    "MAX_OPTIONS_LENGTH",
    "MSS",
    "NOP",
    "SACK",
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
        _check(self.value, 16, "MSS")
        return b"\x02\x04" + self.value.to_bytes(2, "big")

    def json_value(self) -> int:
        return self.value


@dataclass(frozen=True, slots=True)
class WindowScale:
    """Window Scale (kind 3, length 3; RFC 7323 section 2): the shift count."""

    shift: int
    kind: ClassVar[int] = 3
    name: ClassVar[str] = "window_scale"

    def to_bytes(self) -> bytes:
        _check(self.shift, 8, "window scale shift")
        return bytes((3, 3, self.shift))

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
        _check(self.tsval, 32, "timestamp value")
        _check(self.tsecr, 32, "timestamp echo reply")
        return b"\x08\x0a" + self.tsval.to_bytes(4, "big") + self.tsecr.to_bytes(4, "big")

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


def parse_options(data: bytes, base: int = MIN_HEADER_LENGTH) -> tuple[Option, ...]:
    """Options from the options area `data` (which starts at byte offset `base` of the header).

    Parsing stops at EOL (the rest is padding). A length byte of 0 or 1, one missing, one that
    runs past the options area, or a wrong length for a known kind raises InvalidInput naming
    the byte offset.
    """
    out: list[Option] = []
    i, end = 0, len(data)
    while i < end:
        kind = data[i]
        if kind == 0:
            out.append(_EOL)
            break
        if kind == 1:
            out.append(_NOP)
            i += 1
            continue
        what = f"TCP option kind {kind}" + (
            f" ({_OPTION_NAMES[kind]})" if kind in _OPTION_NAMES else ""
        )
        if i + 1 >= end:
            raise InvalidInput(
                f"{what} at byte offset {base + i}: length byte at offset {base + i + 1} is past "
                f"the options area, which ends at offset {base + end}"
            )
        length = data[i + 1]
        if length < 2:
            raise InvalidInput(
                f"{what} at byte offset {base + i}: length {length} at offset {base + i + 1} is "
                "below 2 (the kind and length bytes themselves)"
            )
        if i + length > end:
            raise InvalidInput(
                f"{what} at byte offset {base + i}: length {length} at offset {base + i + 1} runs "
                f"past the options area, which ends at offset {base + end}"
            )
        fixed = _FIXED_LENGTHS.get(kind)
        if fixed is not None and length != fixed:
            raise InvalidInput(
                f"{what} at byte offset {base + i}: length {length} at offset {base + i + 1}, "
                f"expected {fixed}"
            )
        if kind == 2:
            out.append(MSS(int.from_bytes(data[i + 2 : i + 4], "big")))
        elif kind == 8:
            out.append(
                Timestamps(
                    int.from_bytes(data[i + 2 : i + 6], "big"),
                    int.from_bytes(data[i + 6 : i + 10], "big"),
                )
            )
        elif kind == 3:
            out.append(WindowScale(data[i + 2]))
        elif kind == 4:
            out.append(_SACK_PERM)
        elif kind == 5:
            if (length - 2) % 8 or length == 2:
                raise InvalidInput(
                    f"{what} at byte offset {base + i}: length {length} at offset {base + i + 1}, "
                    "expected 2 + 8 per block (10, 18, 26 or 34)"
                )
            blocks = tuple(
                (
                    int.from_bytes(data[j : j + 4], "big"),
                    int.from_bytes(data[j + 4 : j + 8], "big"),
                )
                for j in range(i + 2, i + length, 8)
            )
            out.append(SACK(blocks))
        else:
            out.append(UnknownOption(kind, bytes(data[i + 2 : i + length])))
        i += length
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# The fixed header


class HeaderField(NamedTuple):
    """One field of a fixed header: name, width in bits, and where it sits (derived)."""

    name: str
    bits: int
    bit_offset: int  # of the field's first bit from the start of the header
    shift: int  # right shift that brings it to bit 0 of the header read as one integer

    @property
    def byte_offset(self) -> int:
        """Offset of the byte holding the field's first bit."""
        return self.bit_offset // 8


def layout(spec: tuple[tuple[str, int], ...]) -> tuple[HeaderField, ...]:
    """A header's field table from (name, bits) pairs in wire order; offsets are derived."""
    total = sum(bits for _, bits in spec)
    fields, pos = [], 0
    for name, bits in spec:
        fields.append(HeaderField(name, bits, pos, total - pos - bits))
        pos += bits
    return tuple(fields)


def pack_fields(fields: tuple[HeaderField, ...], values: Iterable[int], what: str) -> int:
    """The header as one integer from `values` in table order, each checked against its width."""
    n = 0
    for field, v in zip(fields, values, strict=True):
        bits = field.bits
        if not 0 <= v < (1 << bits):
            raise InvalidInput(
                f"{what} {field.name} {v!r} does not fit {bits} bits (0..{(1 << bits) - 1})"
            )
        n = (n << bits) | v
    return n


def unpack_fields(fields: tuple[HeaderField, ...], n: int) -> list[int]:
    """Field values, in table order, of the header read as one integer `n`."""
    return [(n >> f.shift) & ((1 << f.bits) - 1) for f in fields]


def missing_field(fields: tuple[HeaderField, ...], length: int) -> HeaderField:
    """The first field that a buffer of `length` bytes does not hold entirely."""
    return next(f for f in fields if (f.bit_offset + f.bits + 7) // 8 > length)


# RFC 9293 section 3.1 (reserved is 3 bits since RFC 9768 took bit 7 of that word for AE).
HEADER_FIELDS: Final = layout(
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
    )
)
_FIELD_NAMES: Final = tuple(f.name for f in HEADER_FIELDS)
_PACK_PLAN: Final = tuple((f.name, f.bits, 1 << f.bits) for f in HEADER_FIELDS)
_UNPACK_PLAN: Final = tuple((f.shift, (1 << f.bits) - 1) for f in HEADER_FIELDS)
_CHECKSUM_SHIFT: Final = HEADER_FIELDS[_FIELD_NAMES.index("checksum")].shift
_DATA_OFFSET_AT: Final = HEADER_FIELDS[_FIELD_NAMES.index("data_offset")].byte_offset
_values_of = attrgetter(*_FIELD_NAMES)


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


def _pack_int(values: Iterable[int]) -> int:
    """The fixed header as one 160-bit integer, each value checked against its width."""
    n = 0
    for (_, bits, limit), v in zip(_PACK_PLAN, values, strict=True):
        if not 0 <= v < limit:
            return pack_fields(HEADER_FIELDS, values, "TCP")  # raises, naming the field
        n = (n << bits) | v
    return n


def pack_header(header: TCPHeader) -> bytes:
    """Header and options as they stand (no checksum computed: a None checksum packs as 0)."""
    opts = pack_options(header.options)
    values = list(_values_of(header))
    values[4] = _data_offset(header, opts)
    if values[8] is None:
        values[8] = 0
    return _pack_int(values).to_bytes(MIN_HEADER_LENGTH, "big") + opts


def _data_offset(header: TCPHeader, opts: bytes) -> int:
    needed = 5 + (len(opts) >> 2)
    given = header.data_offset
    if given is None:
        return needed
    if given < needed:
        raise InvalidInput(
            f"TCP data offset {given} is too small for {len(opts)} option bytes (needs {needed})"
        )
    return given


@functools.lru_cache(maxsize=1024)
def _ip(value) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
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


def _pseudo_mod(src, dst, length: int) -> int:
    part, version = _pseudo_partial(src, dst)
    if version == 4 and length > 0xFFFF:
        raise InvalidInput(f"TCP length {length} does not fit the IPv4 pseudo-header (max 65535)")
    # IPv6's 32-bit length is two words; mod 0xFFFF it is the same as the plain sum.
    return (part + length) % _M


def _mod_sum(data: bytes) -> int:
    """Sum of `data`'s 16-bit words modulo 0xFFFF (odd length padded on the right)."""
    if len(data) & 1:
        return ((int.from_bytes(data, "big") % _M) << 8) % _M
    return int.from_bytes(data, "big") % _M


def _build(header: TCPHeader, payload: bytes, src_ip, dst_ip) -> tuple[bytes, int, int]:
    opts = pack_options(header.options) if header.options else b""
    values = list(_values_of(header))
    values[4] = offset = _data_offset(header, opts)
    opts += b"\x00" * ((offset - 5) * 4 - len(opts))
    given = values[8]
    values[8] = 0
    n = _pack_int(values)
    if given is None:
        total = (
            _pseudo_mod(src_ip, dst_ip, 20 + len(opts) + len(payload))
            + n % _M
            + _mod_sum(opts)
            + _mod_sum(payload)
        ) % _M
        # The pseudo-header is never all zero, so a sum of 0 mod 0xFFFF folds to 0xFFFF.
        cs = (~total & 0xFFFF) if total else 0
    else:
        cs = given
        if not 0 <= cs <= 0xFFFF:
            raise InvalidInput(f"TCP checksum {cs!r} does not fit 16 bits (0..65535)")
    n |= cs << _CHECKSUM_SHIFT
    return n.to_bytes(MIN_HEADER_LENGTH, "big") + opts + payload, offset, cs


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


def _truncated(length: int, base: int = 0) -> None:
    field = missing_field(HEADER_FIELDS, length)
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
    length = len(data)
    if length < MIN_HEADER_LENGTH:
        _truncated(length, base)
    n = int.from_bytes(data[:MIN_HEADER_LENGTH], "big")
    v = [(n >> shift) & mask for shift, mask in _UNPACK_PLAN]
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
    options = (
        parse_options(data[MIN_HEADER_LENGTH:hlen], base + MIN_HEADER_LENGTH) if hlen > 20 else ()
    )
    header = TCPHeader(
        v[0], v[1], v[2], v[3], TCPFlag(v[6]), v[7], v[9], options, offset, v[5], v[8]
    )
    payload = data[hlen:]
    if src_ip is None or dst_ip is None:
        return ParsedSegment(header, payload, ChecksumStatus.UNKNOWN, None, None, None)
    total = (_pseudo_mod(src_ip, dst_ip, length) + _mod_sum(data)) % _M
    src, dst = _ip(src_ip), _ip(dst_ip)
    if total == 0:  # the whole sum folds to 0xFFFF: the checksum verifies
        return ParsedSegment(header, payload, ChecksumStatus.GOOD, v[8], src, dst)
    rest = (total - v[8]) % _M
    expected = (~rest & 0xFFFF) if rest else 0
    return ParsedSegment(header, payload, ChecksumStatus.BAD, expected, src, dst)
