"""The exact distribution of the client's time to ESTABLISHED when segments are lost at random.

With a one-way delay d, no jitter and each segment lost independently (probability p to the
server, q to the client), the client's SYNs leave at 0, 1, 3, 7, ... s (RFC 6298: initial RTO
1 s, doubled after each timeout, section 5.5) and the server, from the first SYN that reaches it,
sends its SYN,ACK and repeats it at 1, 3, 7, ... s (its own timer; a later duplicate SYN gets an
ACK, RFC 9293 section 3.10.7.4 first check, which does not synchronize the client). If the j-th
SYN (from 0) is the first delivered and the m-th SYN,ACK is the first delivered, the client is
ESTABLISHED at (2^j - 1) + (2^m - 1) + 2d with probability p^j (1 - p) q^m (1 - q):
(1 - p)(1 - q) at one RTT, and with p = q, 2p(1 - p)^2 at RTT + 1 s, p^2 (1 - p)^2 at RTT + 2 s,
2p^2 (1 - p)^2 at RTT + 3 s, and so on.

Only j up to syn_retries and m up to synack_retries count, and only times before the client
gives up (2^(syn_retries + 1) - 1 s, the sum of its RTOs). A server that gives up and meets a
later SYN starts a second series; those runs (a probability below q^(synack_retries + 1)) are
left out, so the terms sum to slightly less than the success rate. This is the model the
Monte Carlo histogram is drawn against; it holds for the simulator's default duplicate-SYN
answer (`dup_syn="ack"`) with no drops, reordering, duplication or corruption.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from netutil.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class EstablishTime:
    """One possible time to ESTABLISHED (seconds) and its exact probability."""

    time: float
    probability: float

    def as_dict(self) -> dict[str, Any]:
        return {"time": round(self.time, 6), "probability": self.probability}


def applies(options: dict[str, Any]) -> str | None:
    """None when the closed form describes runs with these options (a dict as `as_dict()`
    gives it), else why it does not."""
    if options["jitter"]:
        return "jitter makes every delay different"
    for name in ("reorder", "duplicate", "corrupt"):
        if options[name]:
            return f"{name} is not modelled"
    if options["drop"]:
        return "drop rules are not random loss"
    if options["dup_syn"] != "ack":
        return "the Linux answer to a duplicate SYN restarts the server's timer"
    if options["simultaneous_open"] or not options["listener"]:
        return "only a plain active open is modelled"
    return None


def establish_times(
    delay: float, to_server: float, to_client: float, syn_retries: int, synack_retries: int
) -> list[EstablishTime]:
    """Every time the client can reach ESTABLISHED, earliest first, with its probability."""
    for name, p in (("to_server", to_server), ("to_client", to_client)):
        if not 0.0 <= p <= 1.0:
            raise InvalidInput(f"invalid loss {name} {p!r}: expected a probability in [0, 1]")
    give_up = 2 ** (syn_retries + 1) - 1
    terms: dict[float, float] = {}
    for j in range(syn_retries + 1):
        syn = to_server**j * (1.0 - to_server)
        for m in range(synack_retries + 1):
            t = (2**j - 1) + (2**m - 1) + 2 * delay
            if t >= give_up:
                continue
            key = round(t, 9)
            terms[key] = terms.get(key, 0.0) + syn * to_client**m * (1.0 - to_client)
    return [EstablishTime(t, p) for t, p in sorted(terms.items()) if p > 0.0]


def for_options(options: dict[str, Any]) -> list[EstablishTime] | None:
    """The distribution for a result's options dict, or None where the model does not hold."""
    if applies(options) is not None:
        return None
    loss = options["loss"]
    to_server = options["loss_to_server"]
    to_client = options["loss_to_client"]
    return establish_times(
        options["delay"],
        loss if to_server is None else to_server,
        loss if to_client is None else to_client,
        options["syn_retries"],
        options["synack_retries"],
    )
