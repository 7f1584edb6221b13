"""The transmission control block's settings: what every connection of a scenario shares.

`TCBParameters` holds an endpoint's settings and what follows from them (window scale, the
SYN's fields) and the sender and receiver policies its connections use; `tcb_parameters` makes
one shared object per distinct settings. The state machine that uses them is `endpoint.TCB`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

from netutil.segment import MSS, WindowScale
from netutil.sim.options import OPTION
from netutil.sim.receiver import ImmediateAck, ReceiverPolicy
from netutil.sim.segments import DEFAULT_MSS
from netutil.sim.sender import NoCongestionControl, SenderPolicy

RETRIES2 = 15  # Linux tcp_retries2: retransmissions of data/FIN before giving up
OOW_RATE_LIMIT = 0.5  # Linux tcp_invalid_ratelimit, for the "syn-ack" duplicate-SYN reply

__all__ = ["DEFAULT_MSS", "OOW_RATE_LIMIT", "RETRIES2", "TCBParameters", "tcb_parameters"]


@dataclass(frozen=True, slots=True)
class TCBParameters:
    """An endpoint's settings and what follows from them, fixed for the life of its TCB.

    The same for every connection of a scenario, so one object (from `tcb_parameters`) serves
    both endpoints of every run, instead of each TCB working them out and storing them anew.
    """

    mss: int  # the largest segment this end receives (the MSS it announces)
    rcv_buf: int  # receive buffer: the window it offers when empty
    msl: float  # Maximum Segment Lifetime; TIME-WAIT lasts 2 * msl
    syn_retries: int
    synack_retries: int
    dup_syn: str  # reply to a duplicate SYN in SYN-RECEIVED: "ack" or "syn-ack" (Linux)
    ws_shift: int  # the window scale it announces: the least that fits rcv_buf (RFC 7323)
    syn_window: int  # a SYN's window field (never scaled)
    syn_mss: MSS  # the options a SYN carries (shared: options are immutable values)
    syn_ws: WindowScale
    # the policies, made for each connection once its SYN exchange has fixed the MSS
    sender: type[SenderPolicy] = NoCongestionControl  # sender(MSS, tcb)
    receiver: type[ReceiverPolicy] = ImmediateAck  # receiver(rcv_buf, MSS)
    #: a zero-window probe carries one octet of new data (RFC 9293 section 3.8.6.1); False:
    #: Linux's empty ACK with SEQ = SND.UNA - 1 (tcp_xmit_probe_skb)
    octet_probe: bool = True
    #: SYNs offer SACK-permitted, and the sender reads SACK blocks when both did (RFC 2018)
    sack: bool = True

    def with_policies(
        self, sender: type[SenderPolicy] | None, receiver: type[ReceiverPolicy] | None
    ) -> TCBParameters:
        """The same settings with other sender and/or receiver policies."""
        return dataclasses.replace(
            self, sender=sender or self.sender, receiver=receiver or self.receiver
        )


@lru_cache(maxsize=64)
def tcb_parameters(
    mss: int = OPTION["mss"].default,
    rcv_buf: int = OPTION["window"].default,
    msl: float = OPTION["msl"].default,
    syn_retries: int = OPTION["syn_retries"].default,
    synack_retries: int = OPTION["synack_retries"].default,
    dup_syn: str = OPTION["dup_syn"].default,
    zero_window_probe: str = OPTION["zero_window_probe"].default,
    sack: bool = OPTION["sack"].default,
) -> TCBParameters:
    """The `TCBParameters` for these settings (one shared object per distinct settings); the
    defaults are the option table's (`options.OPTIONS`), declared there once with their
    sources."""
    shift = 0
    while shift < 14 and (rcv_buf >> shift) > 0xFFFF:
        shift += 1
    return TCBParameters(
        mss,
        rcv_buf,
        msl,
        syn_retries,
        synack_retries,
        dup_syn,
        shift,
        rcv_buf if rcv_buf < 0xFFFF else 0xFFFF,
        MSS(mss),
        WindowScale(shift),
        octet_probe=zero_window_probe == "rfc",
        sack=sack,
    )
