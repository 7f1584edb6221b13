"""pcapng files (draft-ietf-opsawg-pcapng): read, streaming, and write.

The reader walks the file block by block (section "General Block Structure"): section headers
(each section has its own byte order), interface descriptions (link type, snap length, timestamp
resolution and offset), enhanced and simple packet blocks with their comments and flags. Other
blocks (name resolution, statistics, secrets, custom, local use) are skipped by their length in
small reads, so memory stays bounded whatever the file holds; a block the reader keeps is refused
past `MAX_BLOCK_LENGTH` instead of being allocated. Every structural fault is one InvalidInput
naming the block and its byte offset. Packets come out as `netutil.frame.PcapRecord`s, the same
type the classic reader gives, so everything downstream reads both formats.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import BinaryIO, Final

from netutil.errors import InvalidInput
from netutil.frame import MAX_RECORD_LENGTH, PcapRecord, make_record

__all__ = [
    "BLOCK_EPB",
    "BLOCK_IDB",
    "BLOCK_SHB",
    "BLOCK_SPB",
    "MAX_BLOCK_LENGTH",
    "Interface",
    "read_pcapng",
    "write_pcapng",
]

BLOCK_SHB: Final = 0x0A0D0D0A
BLOCK_IDB: Final = 0x00000001
BLOCK_SPB: Final = 0x00000003
BLOCK_EPB: Final = 0x00000006
BYTE_ORDER_MAGIC: Final = 0x1A2B3C4D
# A kept block holds at most one packet of libpcap's largest snap length plus its options.
MAX_BLOCK_LENGTH: Final = MAX_RECORD_LENGTH + 65536
_SKIP_CHUNK: Final = 65536
_NAMES: Final = {
    BLOCK_SHB: "section header",
    BLOCK_IDB: "interface description",
    BLOCK_SPB: "simple packet",
    4: "name resolution",
    5: "interface statistics",
    BLOCK_EPB: "enhanced packet",
    0x0000000A: "decryption secrets",
    0x00000BAD: "custom",
    0x40000BAD: "custom",
}
# The smallest body each kept block type can have (after type and length, before the trailer).
_MIN_BODY: Final = {BLOCK_SHB: 16, BLOCK_IDB: 8, BLOCK_SPB: 4, BLOCK_EPB: 20}
OPT_ENDOFOPT: Final = 0
OPT_COMMENT: Final = 1
SHB_USERAPPL: Final = 4
IF_NAME: Final = 2
IF_DESCRIPTION: Final = 3
IF_TSRESOL: Final = 9
IF_TSOFFSET: Final = 14
EPB_FLAGS: Final = 2
_DIRECTIONS: Final = {0: None, 1: "inbound", 2: "outbound", 3: None}


@dataclass(frozen=True, slots=True)
class Interface:
    """An interface description (IDB): what the packets that name it were captured on."""

    link_type: int
    snaplen: int  # 0: no limit
    name: str | None = None
    tsresol: int = 6  # if_tsresol as written: MSB clear 10^-n s, MSB set 2^-n s
    tsoffset: int = 0  # seconds added to every timestamp
    offset: int = 0  # where its block starts in the file

    def nanoseconds(self, units: int) -> tuple[int, int]:
        """A timestamp in this interface's units as (seconds, nanoseconds), offset applied."""
        n = self.tsresol & 0x7F
        if self.tsresol & 0x80:
            sec, frac = units >> n, units & ((1 << n) - 1)
            nsec = (frac * 10**9) >> n
        else:
            sec, frac = divmod(units, 10**n)
            nsec = frac * 10 ** (9 - n) if n <= 9 else frac // 10 ** (n - 9)
        return sec + self.tsoffset, nsec


def _name(block_type: int) -> str:
    if block_type & 0x80000000:
        return f"local-use block 0x{block_type:08x}"
    name = _NAMES.get(block_type)
    return f"{name} block" if name else f"unknown block 0x{block_type:08x}"


def _read_exact(fileobj: BinaryIO, n: int) -> bytes:
    chunks, got = [], 0
    while got < n:
        chunk = fileobj.read(n - got)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _skip(fileobj: BinaryIO, n: int) -> int:
    """Read past n bytes in bounded pieces; how many there were."""
    got = 0
    while got < n:
        chunk = fileobj.read(min(_SKIP_CHUNK, n - got))
        if not chunk:
            break
        got += len(chunk)
    return got


def _options(body: bytes, start: int, order: str, where: str, base: int) -> Iterator[tuple]:
    """(code, value, offset) of each option from `start` to the end of the body (section
    "Options"); the end-of-options marker is not required. An option running past the end of
    its block is an error naming its offset."""
    u16 = struct.Struct(order + "HH")
    off, end = start, len(body)
    while off + 4 <= end:
        code, length = u16.unpack_from(body, off)
        if code == OPT_ENDOFOPT:
            return
        if off + 4 + length > end:
            raise InvalidInput(
                f"{where}: option {code} at byte offset {base + off} has length {length}, past "
                f"the end of its block at byte offset {base + end}"
            )
        yield code, body[off + 4 : off + 4 + length], base + off
        off += 4 + (length + 3) // 4 * 4
    if off != end and off < end:
        raise InvalidInput(
            f"{where}: {end - off} stray bytes at byte offset {base + off} where an option "
            "header needs 4"
        )


def _text(value: bytes) -> str:
    """A pcapng string: UTF-8, ending at a zero octet if there is one (section "Options")."""
    return value.split(b"\0", 1)[0].decode("utf-8", "replace")


def read_pcapng(fileobj: BinaryIO, prefix: bytes = b"") -> Iterator[PcapRecord]:
    """The packets of a pcapng file in file order, streamed: one block in memory at a time.

    `prefix` is bytes already read from the start of the file (a caller that sniffed the magic).
    Raises InvalidInput, with the block's byte offset, for a file that is not pcapng, a block cut
    short, a length not a multiple of 4 or smaller than its block's header, a trailing length that
    differs, a packet naming an interface not described, or a captured length past its block.
    """
    offset, index = 0, 0
    order = None  # the current section's byte order: "<" or ">"
    interfaces: list[Interface] = []
    version_ok = True
    pending = prefix
    while True:
        head = pending + _read_exact(fileobj, 8 - len(pending)) if len(pending) < 8 else pending
        pending = b""
        if not head:
            if order is None:
                raise InvalidInput("empty file: a pcapng file begins with a section header block")
            return
        if len(head) < 8:
            raise InvalidInput(
                f"truncated pcapng block at byte offset {offset}: {len(head)} bytes where a "
                "block header needs 8 (garbage after the last block?)"
            )
        if head[:4] == b"\x0a\x0d\x0d\x0a":  # a section header: its own byte order
            bom = _read_exact(fileobj, 4)
            if len(bom) < 4:
                raise InvalidInput(
                    f"truncated section header block at byte offset {offset}: the byte-order "
                    f"magic at byte offset {offset + 8} is missing"
                )
            if bom == b"\x4d\x3c\x2b\x1a":
                order = "<"
            elif bom == b"\x1a\x2b\x3c\x4d":
                order = ">"
            else:
                raise InvalidInput(
                    f"section header block at byte offset {offset}: byte-order magic "
                    f"0x{bom.hex()} at byte offset {offset + 8} is neither 1a2b3c4d nor 4d3c2b1a"
                )
            block_type = BLOCK_SHB
            length = struct.unpack(order + "I", head[4:8])[0]
            already = bom
        elif order is None:
            raise InvalidInput(
                f"not a pcapng file: block type 0x{head[:4].hex()} at byte offset 0; a pcapng "
                "file begins with a section header block (0a0d0d0a)"
            )
        else:
            block_type, length = struct.unpack(order + "II", head)
            already = b""
        where = f"{_name(block_type)} at byte offset {offset}"
        if length % 4:
            raise InvalidInput(
                f"{where}: block total length {length} at byte offset {offset + 4} is not a "
                "multiple of 4"
            )
        need = 12 + _MIN_BODY.get(block_type, 0)
        if length < need:
            raise InvalidInput(
                f"{where}: block total length {length} at byte offset {offset + 4} is less than "
                f"the {need} bytes its header and trailer take"
            )
        body_length = length - 12
        kept = block_type in _MIN_BODY and (version_ok or block_type == BLOCK_SHB)
        if not kept:  # skipped by its length, in pieces, then its trailer checked
            got = _skip(fileobj, body_length)
            trailer = _read_exact(fileobj, 4) if got == body_length else b""
            body = None
        else:
            if length > MAX_BLOCK_LENGTH:
                raise InvalidInput(
                    f"{where}: block total length {length} at byte offset {offset + 4} is over "
                    f"the {MAX_BLOCK_LENGTH}-byte cap"
                )
            body = already + _read_exact(fileobj, body_length - len(already))
            got = len(body)
            trailer = _read_exact(fileobj, 4) if got == body_length else b""
        if got < body_length or len(trailer) < 4:
            raise InvalidInput(
                f"truncated {where}: block total length {length} at byte offset {offset + 4}, "
                f"but the file ends at byte offset {offset + 8 + got + len(trailer)}"
            )
        if struct.unpack(order + "I", trailer)[0] != length:
            raise InvalidInput(
                f"{where}: trailing block total length {struct.unpack(order + 'I', trailer)[0]} "
                f"at byte offset {offset + length - 4} differs from the leading {length}"
            )
        base = offset + 8  # byte offset of the body's first byte
        if body is None:
            pass
        elif block_type == BLOCK_SHB:
            major = struct.unpack_from(order + "H", body, 4)[0]
            interfaces = []  # interface ids count from 0 in each section
            version_ok = major == 1  # minor 0 and 2 read alike; another major: skip the section
        elif block_type == BLOCK_IDB:
            interfaces.append(_interface(body, order, where, base, offset))
        else:
            index += 1
            yield _packet(block_type, body, order, where, base, offset, index, interfaces)
        offset += length


def _interface(body: bytes, order: str, where: str, base: int, offset: int) -> Interface:
    link_type, _, snaplen = struct.unpack_from(order + "HHI", body)
    name, tsresol, tsoffset = None, 6, 0
    for code, value, at in _options(body, 8, order, where, base):
        if code == IF_NAME:
            name = _text(value)
        elif code == IF_TSRESOL:
            if len(value) != 1:
                raise InvalidInput(f"{where}: if_tsresol at byte offset {at} has length "
                                   f"{len(value)}, not 1")  # fmt: skip
            tsresol = value[0]
            if (tsresol & 0x7F) > (63 if tsresol & 0x80 else 19):
                raise InvalidInput(
                    f"{where}: if_tsresol {tsresol} at byte offset {at} is finer than a 64-bit "
                    "timestamp can hold"
                )
        elif code == IF_TSOFFSET:
            if len(value) != 8:
                raise InvalidInput(f"{where}: if_tsoffset at byte offset {at} has length "
                                   f"{len(value)}, not 8")  # fmt: skip
            tsoffset = struct.unpack(order + "q", value)[0]
    return Interface(link_type, snaplen, name, tsresol, tsoffset, offset)


def _packet(block_type, body, order, where, base, offset, index, interfaces) -> PcapRecord:
    if block_type == BLOCK_SPB:
        if not interfaces:
            raise InvalidInput(f"{where}: a simple packet block needs interface 0, not described")
        iface = interfaces[0]
        original = struct.unpack_from(order + "I", body)[0]
        room = len(body) - 4
        captured = min(original, room, iface.snaplen or room)
        return make_record(
            index, 0, 0, original, iface.link_type, body[4 : 4 + captured], 0, (), None, offset
        )
    iface_id, hi, lo, captured, original = struct.unpack_from(order + "IIIII", body)
    if iface_id >= len(interfaces):
        raise InvalidInput(
            f"{where}: interface {iface_id} at byte offset {base} is not described (the "
            f"section has {len(interfaces)} interface description block(s) before it)"
        )
    if captured > len(body) - 20:
        raise InvalidInput(
            f"{where}: captured length {captured} at byte offset {base + 12} runs past the end "
            f"of the block ({len(body) - 20} bytes of packet data and options)"
        )
    iface = interfaces[iface_id]
    comments, direction = [], None
    end = 20 + (captured + 3) // 4 * 4
    for code, value, at in _options(body, min(end, len(body)), order, where, base):
        if code == OPT_COMMENT:
            comments.append(_text(value))
        elif code == EPB_FLAGS:
            if len(value) != 4:
                raise InvalidInput(f"{where}: epb_flags at byte offset {at} has length "
                                   f"{len(value)}, not 4")  # fmt: skip
            direction = _DIRECTIONS[struct.unpack(order + "I", value)[0] & 3]
    sec, nsec = iface.nanoseconds((hi << 32) | lo)
    return make_record(
        index,
        sec,
        nsec,
        max(original, captured),  # readers may raise an original below the captured length
        iface.link_type,
        body[20 : 20 + captured],
        iface_id,
        tuple(comments),
        direction,
        offset,
    )


# ---------------------------------------------------------------------------------------------
# Write


def _option(order: str, code: int, value: bytes) -> bytes:
    pad = -len(value) % 4
    return struct.pack(order + "HH", code, len(value)) + value + bytes(pad)


def _block(order: str, block_type: int, body: bytes) -> bytes:
    length = 12 + len(body)
    return struct.pack(order + "II", block_type, length) + body + struct.pack(order + "I", length)


def write_pcapng(
    fileobj: BinaryIO,
    interfaces: Sequence[tuple[int, str] | tuple[int, str, str]],
    packets: Iterable[tuple[int, float, bytes, Sequence[str], str | None]],
    *,
    byte_order: str = "little",
    snaplen: int = MAX_RECORD_LENGTH,
    application: str = "netutil",
    comment: str | None = None,
) -> int:
    """Write one section: interfaces as (link type, name) or (link type, name, description),
    nanosecond timestamps; packets as (interface id, time in seconds, bytes, comments,
    direction "inbound"/"outbound"/None), the direction going into epb_flags (section
    "Enhanced Packet Block Flags Word"). `comment` is the section header's opt_comment.
    Returns the number of packets written."""
    order = "<" if byte_order == "little" else ">"
    shb = struct.pack(order + "IHHq", BYTE_ORDER_MAGIC, 1, 0, -1)
    if comment is not None:
        shb += _string_option(order, OPT_COMMENT, comment, "section comment")
    shb += _option(order, SHB_USERAPPL, application.encode()) + _option(order, OPT_ENDOFOPT, b"")
    fileobj.write(_block(order, BLOCK_SHB, shb))
    for link_type, name, *description in interfaces:
        idb = struct.pack(order + "HHI", link_type, 0, snaplen)
        idb += _option(order, IF_NAME, name.encode())
        for text in description:
            idb += _string_option(order, IF_DESCRIPTION, text, f"interface {name!r} description")
        idb += _option(order, IF_TSRESOL, b"\x09")
        fileobj.write(_block(order, BLOCK_IDB, idb + _option(order, OPT_ENDOFOPT, b"")))
    flags = {"inbound": 1, "outbound": 2}
    count = 0
    for iface, t, data, comments, direction in packets:
        count += 1
        if not 0 <= iface < len(interfaces):
            raise InvalidInput(f"pcapng packet {count}: interface {iface} is not described")
        if not 0 <= t < 2**63 / 1e9:
            raise InvalidInput(f"pcapng packet {count}: time {t!r} is outside the timestamp range")
        if len(data) > snaplen:
            raise InvalidInput(f"pcapng packet {count}: {len(data)} bytes exceed snaplen {snaplen}")
        sec = int(t)
        units = sec * 10**9 + round((t - sec) * 1e9)  # no float product past 2**53
        body = struct.pack(order + "IIIII", iface, units >> 32, units & 0xFFFFFFFF, len(data),
                           len(data)) + data + bytes(-len(data) % 4)  # fmt: skip
        opts = b"".join(
            _string_option(order, OPT_COMMENT, c, f"pcapng packet {count} comment")
            for c in comments
        )
        if direction is not None:
            opts += _option(order, EPB_FLAGS, struct.pack(order + "I", flags[direction]))
        if opts:
            opts += _option(order, OPT_ENDOFOPT, b"")
        fileobj.write(_block(order, BLOCK_EPB, body + opts))
    return count


def _string_option(order: str, code: int, text: str, what: str) -> bytes:
    """A UTF-8 string option; its length must fit the option's 16-bit length field."""
    value = text.encode()
    if len(value) > 0xFFFF:
        raise InvalidInput(f"{what}: {len(value)} bytes of UTF-8, over the 65535 an option holds")
    return _option(order, code, value)
