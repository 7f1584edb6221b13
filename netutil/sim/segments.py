"""The segments an endpoint forms and the SYN options it reads: headers built by one named
maker, the flag combinations sent, Linux's SYN option layout (RFC 9293 section 3.1, RFC 7323).
"""

from __future__ import annotations

from netutil.layout import fast_constructor
from netutil.segment import (
    MSS,
    NOP,
    SACKPermitted,
    TCPFlag,
    TCPHeader,
    Timestamps,
    WindowScale,
)

MASK = 0xFFFFFFFF
HALF = 0x80000000
DEFAULT_MSS = 536  # RFC 9293 section 3.7.1: assumed when the peer sends no MSS option

# The flag combinations an endpoint sends.
F_SYN = TCPFlag.SYN
F_SYN_ACK = TCPFlag.SYN | TCPFlag.ACK
F_ACK = TCPFlag.ACK
F_PSH_ACK = TCPFlag.PSH | TCPFlag.ACK
F_FIN_ACK = TCPFlag.FIN | TCPFlag.ACK
F_FIN_PSH_ACK = TCPFlag.FIN | TCPFlag.PSH | TCPFlag.ACK
F_RST = TCPFlag.RST
F_RST_ACK = TCPFlag.RST | TCPFlag.ACK
# An arriving segment's SYN, FIN, RST and ACK bits, each 0 or 1, by the int value of its nine
# flag bits (`h.flags + 0`: the plain int of the TCPFlag, cheaper than int()): one table lookup
# per segment instead of a `&` per test, and SYN and FIN add straight into SEG.LEN.
CONTROL_BITS = tuple((v >> 1 & 1, v & 1, v >> 2 & 1, v >> 4 & 1) for v in range(512))

NOP_OPTION = NOP()
SACK_PERMITTED = SACKPermitted()

# Headers and timestamps are made for every segment: built without the frozen dataclass
# __init__'s per-field object.__setattr__ (see netutil.layout.fast_constructor).
#: header(src_port, dst_port, seq, ack, flags, window, options): a header as the endpoint sends
#: it, with no urgent pointer, reserved bits zero, data offset and checksum left to the packer.
header = fast_constructor(TCPHeader, urgent=0, data_offset=None, reserved=0, checksum=None)
make_timestamps = fast_constructor(Timestamps)


def peer_syn_options(
    options: tuple[object, ...],
) -> tuple[int, int | None, int | None, bool]:
    """The peer's MSS (536 without the option), window shift (None without the option; at
    most 14, RFC 7323 section 2.3), TSval (None without Timestamps) and whether it offered
    SACK-permitted (RFC 2018), from its SYN's options."""
    if (
        len(options) == 5
        and type(options[0]) is MSS
        and type(options[1]) is SACKPermitted
        and type(options[2]) is Timestamps
        and type(options[3]) is NOP
        and type(options[4]) is WindowScale
    ):
        # Linux's layout (as the endpoint sends it), read by position
        shift = options[4].shift
        return options[0].value, shift if shift < 14 else 14, options[2].tsval, True
    mss = DEFAULT_MSS
    peer_shift = None
    ts = None
    sack = False
    for option in options:
        cls = type(option)  # (a class check: `kind` is a class attribute, slower to read)
        if cls is MSS:
            mss = option.value
        elif cls is WindowScale:
            peer_shift = option.shift if option.shift < 14 else 14
        elif cls is Timestamps:
            ts = option.tsval
        elif cls is SACKPermitted:
            sack = True
    return mss, peer_shift, ts, sack
