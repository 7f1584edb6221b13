"""The TCP segments of a capture as plain tuples, read fast, for the analyser's per-packet path.

`wire_segments` walks a classic pcap file in large chunks and decodes the common frames
(Ethernet without VLAN tags, Linux cooked, raw IP; IPv4 with or without options, IPv6 with TCP
straight after its fixed header; TCP options checked as `netutil.segment.parse_options` checks
them) with `struct.unpack_from` in place, making one tuple per segment and no objects. Every
other frame (VLAN tags, extension headers, a frame cut by the snap length, anything damaged or
odd) goes through the readable reference path, `netutil.pcap.record_segment`, and is turned
into the same tuple (`segment_tuple`), so both paths give equal tuples for every frame (a
property test pins the fast one to the reference). pcapng files come through
`netutil.pcapng.read_pcapng` and are decoded the same way.

A `Wire` tuple is (frame, time, ip version, src address bytes, src port, dst address bytes, dst
port, seq, ack, flags, window, payload length, options bytes, window-scale shift or None,
TSval or None, TSecr or None, original frame length, truncated, payload bytes as captured).
Times are seconds since `epoch[0]`, the whole second of the first record (the caller's list
gets it), so differences between them keep every nanosecond the capture holds, which a float of
seconds since 1970 cannot. A frame that cannot be analysed is a note tuple ("note", frame,
time, text).
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator
from typing import BinaryIO, Final

from netutil.errors import InvalidInput
from netutil.frame import MAX_RECORD_LENGTH, PcapRecord, make_record
from netutil.pcap import (
    _PCAPNG_MAGIC,
    FILE_HEADER_LENGTH,
    LINKTYPE_ETHERNET,
    LINKTYPE_IPV4,
    LINKTYPE_IPV6,
    LINKTYPE_LINUX_SLL,
    LINKTYPE_RAW,
    PcapHeader,
    _parse_file_header,
    _read_exact,
    _records,
    link_payload,
    record_error,
    record_segment,
)
from netutil.pcapng import read_pcapng

__all__ = ["CHUNK", "Wire", "fragment_note", "reference_segments", "segment_tuple", "wire_segments"]

CHUNK: Final = 1 << 20  # bytes read at a time from a classic pcap file
Wire = tuple  # see the module docstring for its fields

_IPV4: Final = struct.Struct("!BBHHHBBH4s4s")
_IPV6: Final = struct.Struct("!IHBB16s16s")
_TCP: Final = struct.Struct("!HHIIBBH")
_U16: Final = struct.Struct("!H")
_TS: Final = struct.Struct("!II")
_FIXED: Final = {2: 4, 3: 3, 4: 2, 8: 10}
_IP_LINKTYPES: Final = (LINKTYPE_RAW, LINKTYPE_IPV4, LINKTYPE_IPV6)


def fragment_note(offset: int, more: bool) -> str:
    """The note for an IP fragment that holds (part of) a TCP segment: not reassembled, so not
    analysed (Wireshark's TCP analysis skips fragments too)."""
    return (
        f"an IP fragment (fragment offset {offset * 8} bytes, more fragments "
        f"{'yes' if more else 'no'}): "
        "TCP in IP fragments is not reassembled, so it is not analysed"
    )


def _options(data: bytes, i: int, end: int) -> tuple[int | None, int | None, int | None] | None:
    """(window-scale shift, TSval, TSecr) from TCP options in data[i:end], or None when an
    option is malformed (the reference path then says how)."""
    shift = tsval = tsecr = None
    while i < end:
        kind = data[i]
        if kind == 1:
            i += 1
            continue
        if kind == 0:
            break
        if i + 1 >= end:
            return None
        length = data[i + 1]
        if length < 2 or i + length > end:
            return None
        if kind == 8:
            if length != 10:
                return None
            tsval, tsecr = _TS.unpack_from(data, i + 2)
        elif kind == 5:
            if (length - 2) % 8 or length == 2:
                return None
        elif kind in _FIXED:
            if length != _FIXED[kind]:
                return None
            if kind == 3:
                shift = data[i + 2]
        i += length
    return shift, tsval, tsecr


def _decode(frame: int, t: float, linktype: int, data: bytes, start: int, avail: int):
    """One frame in data[start:start+avail], not cut by the snap length: its Wire tuple, a note
    tuple, False when it carries no TCP, or None when the reference path must decide."""
    if linktype == LINKTYPE_ETHERNET:
        if avail < 14:
            return None
        ethertype = (data[start + 12] << 8) | data[start + 13]
        if ethertype != 0x0800 and ethertype != 0x86DD:
            return None if ethertype == 0x8100 or ethertype == 0x88A8 else False
        ip, room, trailer = start + 14, avail - 14, True
    elif linktype in _IP_LINKTYPES:
        ip, room, trailer = start, avail, False
    elif linktype == LINKTYPE_LINUX_SLL:
        if avail < 16:
            return None
        proto = (data[start + 14] << 8) | data[start + 15]
        if proto != 0x0800 and proto != 0x86DD:
            return False
        ip, room, trailer = start + 16, avail - 16, True
    else:
        return None
    if room < 20:
        return None
    first = data[ip]
    if first >> 4 == 4:
        vihl, _, total, _, frag, _, proto, _, src, dst = _IPV4.unpack_from(data, ip)
        hlen = (vihl & 15) * 4
        if hlen < 20 or hlen > room or total < hlen:
            return None
        if total != room and (not trailer or total > room):
            return None
        if proto != 6:
            return False
        if frag & 0x3FFF:
            return ("note", frame, t, fragment_note(frag & 0x1FFF, bool(frag & 0x2000)))
        version, tcp, tcp_end = 4, ip + hlen, ip + total
    elif first >> 4 == 6:
        if room < 40:
            return None
        _, plen, nh, _, src, dst = _IPV6.unpack_from(data, ip)
        if nh != 6:
            return None
        end = 40 + plen
        if end != room and (not trailer or end > room):
            return None
        version, tcp, tcp_end = 6, ip + 40, ip + end
    else:
        return None
    if tcp_end - tcp < 20:
        return None
    sport, dport, seq, ack, off, flags, window = _TCP.unpack_from(data, tcp)
    thl = (off >> 4) * 4
    if thl < 20 or tcp + thl > tcp_end:
        return None
    if thl > 20:
        found = _options(data, tcp + 20, tcp + thl)
        if found is None:
            return None
        shift, tsval, tsecr = found
        opts = data[tcp + 20 : tcp + thl]
    else:
        shift = tsval = tsecr = None
        opts = b""
    flags |= (off & 1) << 8
    payload = data[tcp + thl : tcp_end]
    return (
        frame, t, version, src, sport, dst, dport, seq, ack, flags, window, tcp_end - tcp - thl,
        opts, shift, tsval, tsecr, avail, False, payload,
    )  # fmt: skip


def segment_tuple(record: PcapRecord, pcapng: bool, epoch: list) -> Wire | bool:
    """The reference path for one record: `netutil.pcap.record_segment` made into a Wire or
    note tuple, False when the frame carries no TCP. An unknown link type raises InvalidInput
    naming the record, as `netutil.pcap.tcp_segments` does."""
    from netutil.segment import Timestamps, WindowScale

    if epoch[0] is None:
        epoch[0] = record.ts_sec
    t = (record.ts_sec - epoch[0]) + record.ts_nsec / 1e9
    try:
        found = record_segment(record)
    except InvalidInput as exc:
        raise record_error(record, pcapng, exc) from None
    if found is None:
        note = _reference_fragment(record)
        return False if note is None else ("note", record.index, t, note)
    packet = found.packet
    if packet is None or packet.segment is None:
        return ("note", record.index, t, found.as_dict()["note"] or "")
    ip, s = packet.ip, packet.segment
    h = s.header
    shift = tsval = tsecr = None
    for o in h.options:
        if isinstance(o, WindowScale):
            shift = o.shift
        elif isinstance(o, Timestamps):
            tsval, tsecr = o.tsval, o.tsecr
    # the options area as it was on the wire (pack_options gives it back byte for byte)
    opts = _options_area(record, h) if h.options else b""
    return (
        record.index, t, ip.version, ip.src.packed, h.src_port, ip.dst.packed,
        h.dst_port, h.seq, h.ack, int(h.flags), h.window, found.payload_length, opts, shift,
        tsval, tsecr, record.original_length, found.truncated, s.payload,
    )  # fmt: skip


def _options_area(record: PcapRecord, header) -> bytes:
    """The TCP options bytes of a parsed record, cut from its frame."""
    found = link_payload(record.linktype, record.data)
    assert isinstance(found, tuple)
    ip_bytes = found[0]
    if ip_bytes[0] >> 4 == 4:
        at = (ip_bytes[0] & 15) * 4
    else:
        from netutil.packet import parse_packet

        at = parse_packet(ip_bytes, allow_trailer=True, snapped=True).ip.upper_offset
    return bytes(ip_bytes[at + 20 : at + header.data_offset * 4])


def _reference_fragment(record: PcapRecord) -> str | None:
    """The fragment note for a record the reference path skipped, when it is a TCP fragment."""
    from netutil.packet import parse_packet

    found = link_payload(record.linktype, record.data, strict=False)
    if not isinstance(found, tuple):
        return None
    try:
        packet = parse_packet(found[0], allow_trailer=found[2], snapped=True)
    except InvalidInput:
        return None
    ip = packet.ip
    if ip is None or not ip.is_fragment or ip.version != 4 or ip.protocol != 6:
        return None
    return fragment_note(ip.fragment_offset, bool(ip.flags & 1))


def reference_segments(fileobj: BinaryIO, epoch: list | None = None) -> Iterator[Wire]:
    """Every segment and note tuple by the reference path alone (what the fast path must equal)."""
    from netutil.pcap import _open_capture

    epoch = [None] if epoch is None else epoch
    pcapng, records = _open_capture(fileobj)
    for record in records:
        found = segment_tuple(record, pcapng, epoch)
        if found is not False:
            yield found


def wire_segments(fileobj: BinaryIO, epoch: list | None = None) -> Iterator[Wire]:
    """Every TCP segment (and note) of a classic pcap or pcapng file, in file order, as tuples."""
    epoch = [None] if epoch is None else epoch
    first = _read_exact(fileobj, 4)
    if first == _PCAPNG_MAGIC.to_bytes(4, "big"):
        for record in read_pcapng(fileobj, first):
            data = record.data
            if epoch[0] is None:
                epoch[0] = record.ts_sec
            if record.original_length > len(data):
                found = segment_tuple(record, True, epoch)
            else:
                t = (record.ts_sec - epoch[0]) + record.ts_nsec / 1e9
                found = _decode(record.index, t, record.linktype, data, 0, len(data))
                if found is None:
                    found = segment_tuple(record, True, epoch)
            if found is not False:
                yield found
        return
    header = _parse_file_header(first + _read_exact(fileobj, FILE_HEADER_LENGTH - len(first)))
    yield from _classic(fileobj, header, epoch)


def _classic(fileobj: BinaryIO, header: PcapHeader, epoch: list) -> Iterator[Wire]:
    """The records of a classic pcap file read a chunk at a time, decoded in place. A record
    whose header is wrong, or that the file cuts short, is left to the reference reader, which
    raises the error naming it."""
    unpack = struct.Struct(("<" if header.byte_order == "little" else ">") + "IIII").unpack_from
    scale = 1 if header.nanosecond else 1000
    frac_limit = 10**9 if header.nanosecond else 10**6
    linktype = header.linktype
    decode = _decode
    offset, index = FILE_HEADER_LENGTH, 0  # the next record's byte offset and number - 1
    buf, pos, eof = b"", 0, False
    keep = 16 + MAX_RECORD_LENGTH  # buffered ahead, so a whole record is always at hand
    while True:
        if not eof and len(buf) - pos < keep:
            more = _read_exact(fileobj, CHUNK)
            eof = len(more) < CHUNK
            buf, pos = buf[pos:] + more, 0
        left = len(buf) - pos
        if not left:
            return
        if left >= 16:
            ts_sec, ts_frac, incl, orig = unpack(buf, pos)
            start = pos + 16
        if (
            left < 16
            or ts_frac >= frac_limit
            or incl > MAX_RECORD_LENGTH
            or start + incl > len(buf)
        ):
            rest = _records(io.BytesIO(buf[pos:]), header, offset, index)
            for rec in rest:  # raises at this record
                found = segment_tuple(rec, False, epoch)
                if found is not False:
                    yield found
            return
        index += 1
        if epoch[0] is None:
            epoch[0] = ts_sec
        t = (ts_sec - epoch[0]) + ts_frac * scale / 1e9
        found = None if orig != incl else decode(index, t, linktype, buf, start, incl)
        if found is None:
            rec = make_record(
                index, ts_sec, ts_frac * scale, orig, linktype, buf[start : start + incl], 0,
                (), None, offset,
            )  # fmt: skip
            found = segment_tuple(rec, False, epoch)
        if found is not False:
            yield found
        pos = start + incl
        offset += 16 + incl
