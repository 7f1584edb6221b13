"""The Internet checksum (RFC 1071), its incremental update (RFC 1624) and the TCP pseudo-headers.

The sum is computed on one big integer: since 2**16 == 1 (mod 0xFFFF), the ones' complement sum of
a buffer's 16-bit words is congruent to `int.from_bytes(buffer) % 0xFFFF`, and CPython reduces a
big integer by a small one in C. That is one pass over the bytes with no per-word Python loop.

Sums compose: `checksum_add(acc, data)` folds more data into an accumulator (a 16-bit ones'
complement sum, start with 0) and `checksum_finish(acc)` complements it into the checksum field
value. Pseudo-header and segment go through the same pair.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Final

from netutil.errors import InvalidInput

__all__ = [
    "IPPROTO_TCP",
    "ChecksumReport",
    "checksum",
    "checksum_add",
    "checksum_finish",
    "checksum_report",
    "ipv4_header_checksum",
    "ones_complement_sum",
    "pseudo_header",
    "pseudo_header_sum",
    "update_checksum",
]

IPPROTO_TCP: Final = 6
_MOD: Final = 0xFFFF


_CHUNK: Final = 1 << 14  # big buffers are summed in chunks of this many bytes (even)


def _word_sum(data, _from=int.from_bytes) -> int:
    """An integer congruent (mod 0xFFFF) to the plain sum of data's big-endian 16-bit words.

    Up to `_CHUNK` bytes this is the buffer read as one integer. Beyond, each even-length chunk
    is read as an integer and the chunks are added: 2**16 == 1 (mod 0xFFFF), so a word's place
    does not matter, and the final reduction then works on one chunk-sized integer instead of
    dividing the whole buffer (which costs more than reading it).
    """
    n = len(data)
    if n <= _CHUNK:
        v = _from(data)
        return v << 8 if n & 1 else v
    view = memoryview(data).cast("B") if isinstance(data, memoryview) else memoryview(data)
    total = 0
    for i in range(0, n - _CHUNK, _CHUNK):
        total += _from(view[i : i + _CHUNK])
    last = view[(n - 1) // _CHUNK * _CHUNK :]
    total += _from(last) << 8 if n & 1 else _from(last)
    return total


def ones_complement_sum(data: bytes | bytearray | memoryview) -> int:
    """The 16-bit ones' complement sum of `data`'s big-endian words (RFC 1071 section 1).

    An odd final byte is padded with a zero byte on the right. The result is 0 only when every
    word is zero; a non-zero sum that is a multiple of 0xFFFF folds to 0xFFFF ("negative zero"),
    exactly as the end-around-carry loop does.
    """
    v = _word_sum(data)
    return (v % 0xFFFF or 0xFFFF) if v else 0


def checksum_add(acc: int, data: bytes | bytearray | memoryview) -> int:
    """Add `data` to the ones' complement accumulator `acc` (0 to start); returns the new sum.

    Each chunk is taken as starting on a 16-bit boundary: only the last chunk may have odd length.
    """
    part = ones_complement_sum(data)
    s = acc + part
    return (s & 0xFFFF) + (s >> 16)


def checksum_finish(acc: int) -> int:
    """The checksum field value for an accumulated sum: its ones' complement (RFC 1071)."""
    return ~acc & 0xFFFF


def checksum(data: bytes | bytearray | memoryview, _from=int.from_bytes) -> int:
    """The Internet checksum of `data` (RFC 1071): the complement of its ones' complement sum."""
    if len(data) <= _CHUNK:  # the common case, kept to a few operations
        v = _from(data)
        if len(data) & 1:
            v <<= 8
    else:
        v = _word_sum(data)
    r = v % 0xFFFF
    return 0xFFFF - r if r else (0 if v else 0xFFFF)


def update_checksum(old_checksum: int, old_word: int, new_word: int) -> int:
    """The checksum after one 16-bit field changes from `old_word` to `new_word`.

    RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'). Unlike eqn. 2 it never yields 0xFFFF for a header
    whose true checksum is 0x0000 (RFC 1624 section 4's example).
    """
    for name, value in (("checksum", old_checksum), ("old word", old_word), ("new word", new_word)):
        if not 0 <= value <= 0xFFFF:
            raise InvalidInput(f"{name} {value!r} is not a 16-bit value (0..65535)") from None
    s = (~old_checksum & 0xFFFF) + (~old_word & 0xFFFF) + new_word
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _address(value, role: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return value
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        raise InvalidInput(f"invalid {role} address {value!r}") from None


def pseudo_header(src_ip, dst_ip, length: int, protocol: int = IPPROTO_TCP) -> bytes:
    """The pseudo-header bytes covered by the TCP checksum.

    IPv4 (RFC 9293 section 3.1): source, destination, zero, protocol, TCP length (16 bits).
    IPv6 (RFC 8200 section 8.1): source, destination, upper-layer length (32 bits), three zero
    bytes, next header. Both addresses must have the same version.
    """
    src = _address(src_ip, "source")
    dst = _address(dst_ip, "destination")
    if src.version != dst.version:
        raise InvalidInput(
            f"source {str(src)!r} and destination {str(dst)!r} are of different IP versions"
        ) from None
    if src.version == 4:
        if not 0 <= length <= 0xFFFF:
            raise InvalidInput(
                f"TCP length {length} does not fit the IPv4 pseudo-header (max 65535)"
            )
        return src.packed + dst.packed + bytes((0, protocol)) + length.to_bytes(2, "big")
    if not 0 <= length <= 0xFFFFFFFF:
        raise InvalidInput(f"upper-layer length {length} does not fit the IPv6 pseudo-header")
    return src.packed + dst.packed + length.to_bytes(4, "big") + bytes((0, 0, 0, protocol))


def pseudo_header_sum(src_ip, dst_ip, length: int, protocol: int = IPPROTO_TCP) -> int:
    """The ones' complement sum of the pseudo-header (an accumulator for `checksum_add`)."""
    return ones_complement_sum(pseudo_header(src_ip, dst_ip, length, protocol))


def ipv4_header_checksum(header: bytes | bytearray | memoryview) -> int:
    """The IPv4 header checksum (RFC 791 section 3.1) of `header` with its checksum field zeroed."""
    h = bytes(header)
    return checksum(h[:10] + b"\x00\x00" + h[12:])


@dataclass(frozen=True, slots=True)
class ChecksumReport:
    """The Internet checksum of some bytes, and whether they already sum to zero (hold a valid
    checksum of themselves, as a received IP header or TCP segment with pseudo-header does)."""

    length: int
    sum: int
    checksum: int

    @property
    def verifies(self) -> bool:
        """True when the data's checksum is 0: its ones' complement sum is 0xFFFF (RFC 1071)."""
        return self.checksum == 0

    def as_dict(self) -> dict:
        return {
            "length": self.length,
            "sum": self.sum,
            "sum_hex": f"0x{self.sum:04x}",
            "checksum": self.checksum,
            "checksum_hex": f"0x{self.checksum:04x}",
            "verifies": self.verifies,
        }


def checksum_report(data: bytes | bytearray | memoryview) -> ChecksumReport:
    """Sum and checksum of `data`, for the `checksum` command and operation."""
    s = ones_complement_sum(data)
    return ChecksumReport(len(data), s, ~s & 0xFFFF)
