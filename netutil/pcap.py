"""Classic pcap files (the libpcap format, draft-ietf-opsawg-pcap): read and write.

The reader streams: records come one at a time from any binary file object, so a capture of any
size is listed in constant memory. It takes both byte orders and both the microsecond and the
nanosecond magic, and link types RAW, Ethernet (with up to two VLAN tags), Linux cooked (SLL),
IPV4 and IPV6. A record larger than `MAX_RECORD_LENGTH` is refused rather than allocated.
The writer writes little-endian files for the simulator's captures.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Final

from netutil.errors import InvalidInput
from netutil.frame import MAX_RECORD_LENGTH, PcapRecord, make_record
from netutil.packet import ParsedPacket, parse_packet
from netutil.pcapng import read_pcapng
from netutil.segment import option_as_dict

__all__ = [
    "LINKTYPE_ETHERNET",
    "LINKTYPE_IPV4",
    "LINKTYPE_IPV6",
    "LINKTYPE_LINUX_SLL",
    "LINKTYPE_RAW",
    "MAX_RECORD_LENGTH",
    "PcapHeader",
    "PcapRecord",
    "PcapSegment",
    "link_payload",
    "make_record",
    "read_capture",
    "read_pcap",
    "read_pcap_header",
    "record_segment",
    "tcp_segments",
    "write_pcap",
]

LINKTYPE_ETHERNET: Final = 1
LINKTYPE_RAW: Final = 101
LINKTYPE_LINUX_SLL: Final = 113
LINKTYPE_IPV4: Final = 228
LINKTYPE_IPV6: Final = 229
_LINKTYPES: Final = {
    LINKTYPE_ETHERNET: "ETHERNET",
    LINKTYPE_RAW: "RAW",
    LINKTYPE_LINUX_SLL: "LINUX_SLL",
    LINKTYPE_IPV4: "IPV4",
    LINKTYPE_IPV6: "IPV6",
}
MAGIC_MICROSECONDS: Final = 0xA1B2C3D4
MAGIC_NANOSECONDS: Final = 0xA1B23C4D
_PCAPNG_MAGIC: Final = 0x0A0D0D0A
FILE_HEADER_LENGTH: Final = 24
RECORD_HEADER_LENGTH: Final = 16
_FILE_FIELDS: Final = (
    "magic",
    "version_major",
    "version_minor",
    "thiszone",
    "sigfigs",
    "snaplen",
    "linktype",
)
_FILE_OFFSETS: Final = (0, 4, 6, 8, 12, 16, 20)
_RECORD_FIELDS: Final = ("ts_sec", "ts_frac", "incl_len", "orig_len")
_ETHERTYPE_IPV4: Final = 0x0800
_ETHERTYPE_IPV6: Final = 0x86DD
_VLAN_TAGS: Final = (0x8100, 0x88A8)


@dataclass(frozen=True, slots=True)
class PcapHeader:
    """The file header: byte order, timestamp resolution, version, snapshot length, link type."""

    byte_order: str  # "little" or "big"
    nanosecond: bool
    version_major: int
    version_minor: int
    snaplen: int
    linktype: int

    def as_dict(self) -> dict:
        return {
            "byte_order": self.byte_order,
            "nanosecond": self.nanosecond,
            "version": f"{self.version_major}.{self.version_minor}",
            "snaplen": self.snaplen,
            "linktype": self.linktype,
            "linktype_name": _LINKTYPES.get(self.linktype),
        }


def _read_exact(fileobj: BinaryIO, n: int) -> bytes:
    first = fileobj.read(n)
    if len(first) == n or not first:
        return first
    chunks, got = [first], len(first)
    while got < n:
        chunk = fileobj.read(n - got)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _parse_file_header(raw: bytes) -> PcapHeader:
    if len(raw) < FILE_HEADER_LENGTH:
        i = next(
            i for i, off in enumerate(_FILE_OFFSETS) if off + (2 if i in (1, 2) else 4) > len(raw)
        )
        raise InvalidInput(
            f"truncated pcap file header: {len(raw)} bytes, needs {FILE_HEADER_LENGTH} "
            f"(field {_FILE_FIELDS[i]!r} at byte offset {_FILE_OFFSETS[i]} is missing)"
        )
    for order, prefix in (("little", "<"), ("big", ">")):
        magic = struct.unpack(prefix + "I", raw[:4])[0]
        if magic in (MAGIC_MICROSECONDS, MAGIC_NANOSECONDS):
            _, major, minor, _, _, snaplen, linktype = struct.unpack(prefix + "IHHiIII", raw[:24])
            return PcapHeader(
                order, magic == MAGIC_NANOSECONDS, major, minor, snaplen, linktype & 0xFFFF
            )
    magic = int.from_bytes(raw[:4], "big")
    hint = " (a pcapng file: read it with read_capture)" if magic == _PCAPNG_MAGIC else ""
    raise InvalidInput(
        f"not a pcap file: magic 0x{magic:08x} at byte offset 0{hint}; expected a1b2c3d4 or "
        "a1b23c4d in either byte order"
    )


def read_pcap_header(fileobj: BinaryIO) -> PcapHeader:
    """Read and check the 24-byte file header (the file is left at the first record)."""
    return _parse_file_header(_read_exact(fileobj, FILE_HEADER_LENGTH))


def _records(
    fileobj: BinaryIO, header: PcapHeader, offset: int = FILE_HEADER_LENGTH, index: int = 0
) -> Iterator[PcapRecord]:
    """The records from the file's position on; `offset` and `index` are where that is in the
    file and how many records came before (for the messages)."""
    record = struct.Struct(("<" if header.byte_order == "little" else ">") + "IIII")
    scale = 1 if header.nanosecond else 1000
    frac_limit = 10**9 if header.nanosecond else 10**6
    while True:
        raw = _read_exact(fileobj, RECORD_HEADER_LENGTH)
        if not raw:
            return
        index += 1
        if len(raw) < RECORD_HEADER_LENGTH:
            field = _RECORD_FIELDS[len(raw) // 4]
            raise InvalidInput(
                f"truncated pcap record {index} at byte offset {offset}: record header needs "
                f"{RECORD_HEADER_LENGTH} bytes, {len(raw)} left (field {field!r} at byte offset "
                f"{offset + len(raw) // 4 * 4} is missing)"
            )
        ts_sec, ts_frac, incl_len, orig_len = record.unpack(raw)
        if ts_frac >= frac_limit:
            raise InvalidInput(
                f"pcap record {index} at byte offset {offset}: ts_frac {ts_frac} at byte offset "
                f"{offset + 4} is not below {frac_limit}"
            )
        if incl_len > MAX_RECORD_LENGTH:
            raise InvalidInput(
                f"pcap record {index} at byte offset {offset}: incl_len {incl_len} at byte offset "
                f"{offset + 8} is over the {MAX_RECORD_LENGTH}-byte cap"
            )
        data = _read_exact(fileobj, incl_len)
        if len(data) < incl_len:
            raise InvalidInput(
                f"truncated pcap record {index} at byte offset {offset}: incl_len {incl_len} at "
                f"byte offset {offset + 8}, but only {len(data)} bytes follow"
            )
        yield make_record(
            index, ts_sec, ts_frac * scale, orig_len, header.linktype, data, 0, (), None, offset
        )
        offset += RECORD_HEADER_LENGTH + incl_len


def read_pcap(fileobj: BinaryIO) -> Iterator[PcapRecord]:
    """The records of a classic pcap file, streamed (the header is checked at the first step)."""
    header = read_pcap_header(fileobj)
    yield from _records(fileobj, header)


def link_payload(
    linktype: int, data: bytes, *, strict: bool = True
) -> tuple[bytes, int, bool] | str | None:
    """(IP packet bytes, their offset in the frame, may carry a trailer) for a frame, or None
    when the frame carries no IP (ARP, say). Raises InvalidInput for an unknown link type, and
    for a frame too short for its link header, which with `strict=False` is instead the message
    returned as a string (a per-frame note)."""
    try:
        return _link_payload(linktype, data)
    except _ShortFrame as exc:
        if strict:
            raise InvalidInput(str(exc)) from None
        return str(exc)


class _ShortFrame(Exception):
    """A frame too short for its link-layer header."""


def _link_payload(linktype: int, data: bytes) -> tuple[bytes, int, bool] | None:
    if linktype == LINKTYPE_ETHERNET:
        off = 12
        for _ in range(3):  # the EtherType, behind up to two VLAN tags (802.1Q, 802.1ad)
            if off + 2 > len(data):
                raise _ShortFrame(
                    f"truncated Ethernet frame: {len(data)} bytes (field 'ethertype' at byte "
                    f"offset {off} is missing)"
                )
            ethertype = int.from_bytes(data[off : off + 2], "big")
            if ethertype not in _VLAN_TAGS:
                break
            off += 4
        start = off + 2
        if ethertype in (_ETHERTYPE_IPV4, _ETHERTYPE_IPV6):
            return data[start:], start, True
        return None
    if linktype == LINKTYPE_LINUX_SLL:
        if len(data) < 16:
            raise _ShortFrame(
                f"truncated Linux cooked header: {len(data)} bytes (field 'protocol' at byte "
                "offset 14 is missing)"
            )
        proto = int.from_bytes(data[14:16], "big")
        return (data[16:], 16, True) if proto in (_ETHERTYPE_IPV4, _ETHERTYPE_IPV6) else None
    if linktype in (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6):
        return data, 0, False
    raise InvalidInput(
        f"pcap link type {linktype} is not supported (RAW 101, ETHERNET 1, LINUX_SLL 113, "
        "IPV4 228, IPV6 229)"
    )


@dataclass(frozen=True, slots=True)
class PcapSegment:
    """One TCP segment found in a capture: the record's number, time and lengths, and the parsed
    packet. A frame cut by the snap length holds what was captured (`truncated`, with a `note`);
    a frame whose TCP header could not be read has `packet` None, or no segment, and a `note`
    saying why, so a damaged frame is listed instead of ending the listing."""

    index: int
    timestamp: float
    packet: ParsedPacket | None
    captured_length: int
    original_length: int
    note: str | None = None

    @property
    def truncated(self) -> bool:
        """The frame was longer on the wire than in the file (the snap length cut it)."""
        return self.captured_length < self.original_length

    @property
    def payload_length(self) -> int | None:
        """The segment's payload length as its IP header gives it (what was sent, not what the
        snap length left), as tcpdump and tshark report it."""
        packet = self.packet
        if packet is None or packet.segment is None:
            return None
        ip, hlen = packet.ip, packet.segment.header.header_length
        if ip.version == 4:
            return ip.total_length - ip.ihl * 4 - hlen
        return ip.payload_length + 40 - ip.upper_offset - hlen

    def as_dict(self) -> dict:
        packet = self.packet
        ip = None if packet is None else packet.ip
        s = None if packet is None else packet.segment
        note = self.note or (None if packet is None else packet.note)
        row = {
            "index": self.index,
            "time": self.timestamp,
            "ip_version": None if ip is None else ip.version,
            "src": None if ip is None else str(ip.src),
            "dst": None if ip is None else str(ip.dst),
        }
        if s is None:
            row.update(dict.fromkeys(_SEGMENT_KEYS))
        else:
            h = s.header
            row.update(
                src_port=h.src_port,
                dst_port=h.dst_port,
                flags=h.flags.names,
                seq=h.seq,
                ack=h.ack,
                window=h.window,
                length=self.payload_length,
                options=[option_as_dict(o) for o in h.options],
                checksum=h.checksum,
                checksum_status=s.checksum_status.value,
                expected_checksum=s.expected_checksum,
            )
        row["truncated"] = self.truncated
        row["note"] = note
        return row


_SEGMENT_KEYS: Final = (
    "src_port",
    "dst_port",
    "flags",
    "seq",
    "ack",
    "window",
    "length",
    "options",
    "checksum",
    "checksum_status",
    "expected_checksum",
)


def _carries_tcp(ip) -> bool:
    """The IP header says TCP follows in this packet (not another protocol, not a fragment)."""
    if ip.is_fragment:
        return False
    return (ip.protocol if ip.version == 4 else ip.upper_protocol) == 6


def record_segment(record: PcapRecord) -> PcapSegment | None:
    """The TCP segment of one captured frame, or None when the frame carries no TCP (ARP, UDP,
    a fragment). A frame that is damaged, or cut by the snap length before its TCP header ends,
    gives a segment with a note instead of an error: one bad frame does not end a capture.
    An unknown link type still raises InvalidInput (it concerns every frame of the interface)."""
    data, snapped = record.data, record.captured_length < record.original_length
    found = link_payload(record.linktype, data, strict=False)
    if found is None:
        return None
    if isinstance(found, str):
        note = found
        packet = None
    else:
        ip_bytes, start, trailer = found
        try:
            packet = parse_packet(ip_bytes, allow_trailer=trailer, snapped=snapped)
        except InvalidInput as exc:  # LimitExceeded too
            where = f" (the IP packet starts at byte offset {start})" if start else ""
            return PcapSegment(
                record.index,
                record.timestamp,
                None,
                record.captured_length,
                record.original_length,
                f"{_cut(record)}{exc}{where}",
            )
        if packet.segment is None and (packet.ip is None or not _carries_tcp(packet.ip)):
            return None
        note = None
    if note is not None:
        note = f"{_cut(record)}{note}"
    return PcapSegment(
        record.index,
        record.timestamp,
        packet,
        record.captured_length,
        record.original_length,
        note,
    )


def _cut(record: PcapRecord) -> str:
    if record.captured_length < record.original_length:
        return (
            f"truncated by the snap length ({record.captured_length} of "
            f"{record.original_length} bytes captured): "
        )
    return ""


def _open_capture(fileobj: BinaryIO) -> tuple[bool, Iterator[PcapRecord]]:
    """(is pcapng, its records): the format is told by the first four bytes."""
    first = _read_exact(fileobj, 4)
    if first == _PCAPNG_MAGIC.to_bytes(4, "big"):
        return True, read_pcapng(fileobj, first)
    header = _parse_file_header(first + _read_exact(fileobj, FILE_HEADER_LENGTH - len(first)))
    return False, _records(fileobj, header)


def read_capture(fileobj: BinaryIO) -> Iterator[PcapRecord]:
    """The packets of a classic pcap or a pcapng file, streamed in file order."""
    yield from _open_capture(fileobj)[1]


def tcp_segments(fileobj: BinaryIO) -> Iterator[PcapSegment]:
    """Every TCP segment in a classic pcap or pcapng capture, in file order; records without TCP
    are skipped.

    A damaged packet gives a segment with a note (see `record_segment`); a damaged file (a
    record header or block cut short, a length over the cap) raises InvalidInput naming the
    record and its byte offset.
    """
    pcapng, records = _open_capture(fileobj)
    for record in records:
        try:
            found = record_segment(record)
        except InvalidInput as exc:
            raise record_error(record, pcapng, exc) from None
        if found is not None:
            yield found


def record_error(record: PcapRecord, pcapng: bool, exc: InvalidInput) -> InvalidInput:
    """An error about one record's frame (an unknown link type), naming the record."""
    where = (
        f"pcapng packet {record.index} (block at byte offset {record.offset})"
        if pcapng
        else f"pcap record {record.index}"
    )
    return InvalidInput(f"{where}: {exc}")


def write_pcap(
    fileobj: BinaryIO,
    packets: Iterable[tuple[float, bytes]],
    linktype: int = LINKTYPE_RAW,
    *,
    nanosecond: bool = False,
    snaplen: int = MAX_RECORD_LENGTH,
) -> int:
    """Write (time in seconds, packet bytes) pairs as a little-endian classic pcap file.

    Returns the number of records written. Times are rounded to the file's resolution.
    """
    magic = MAGIC_NANOSECONDS if nanosecond else MAGIC_MICROSECONDS
    unit = 10**9 if nanosecond else 10**6
    fileobj.write(struct.pack("<IHHiIII", magic, 2, 4, 0, 0, snaplen, linktype))
    record = struct.Struct("<IIII")
    count = 0
    for t, data in packets:
        count += 1
        if not 0 <= t < 2**32:
            raise InvalidInput(f"pcap packet {count}: time {t!r} is outside 0..2**32 seconds")
        if len(data) > snaplen:
            raise InvalidInput(f"pcap packet {count}: {len(data)} bytes exceed snaplen {snaplen}")
        sec, frac = divmod(round(t * unit), unit)
        fileobj.write(record.pack(sec, frac, len(data), len(data)))
        fileobj.write(data)
    return count
