"""A captured frame as the capture readers give it (`netutil.pcap` for classic pcap,
`netutil.pcapng`): one type for both formats, so everything downstream reads either."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from netutil.layout import fast_constructor

__all__ = ["MAX_RECORD_LENGTH", "PcapRecord", "make_record"]

MAX_RECORD_LENGTH: Final = 262144  # libpcap's own maximum snapshot length


@dataclass(frozen=True, slots=True)
class PcapRecord:
    """One captured packet: its number (from 1), time, lengths, link type and bytes; from a
    pcapng file also its interface, comments and direction (classic pcap has one interface, 0,
    and neither of the others). `offset` is where its record or block starts in the file."""

    index: int
    ts_sec: int
    ts_nsec: int
    original_length: int
    linktype: int
    data: bytes
    interface: int = 0
    comments: tuple[str, ...] = ()
    direction: str | None = None  # "inbound" / "outbound" (pcapng epb_flags), else None
    offset: int = 0

    @property
    def timestamp(self) -> float:
        """Seconds since the epoch (a float: nanoseconds beyond its precision are rounded)."""
        return self.ts_sec + self.ts_nsec / 1e9

    @property
    def captured_length(self) -> int:
        return len(self.data)


make_record = fast_constructor(PcapRecord)  # every field, in order (the readers' hot path)
