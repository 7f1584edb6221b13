"""The sender's dynamics: what it puts in flight and how it recovers, worked out by hand.

Every run has a 100 ms RTT (50 ms each way), MSS 1460 and a 65535-byte buffer unless it says
otherwise, and no congestion window (`cc="none"`) where the rule under test is flow control's;
sequence numbers are relative to the sender's ISN (data starts at 1). Expected values
come from RFC 9293 (flow control: never more in flight than the peer's window; section
3.8.6.2's SWS rules), RFC 5681 section 3.2 (fast retransmit on the third duplicate ACK) and
RFC 6298 (the RTO: 1 s minimum, restarted by each new ACK, (5.3)).
"""

from __future__ import annotations

import pytest

from netutil.sim import run
from netutil.sim.options import SimOptions
from netutil.sim.run import simulate
from netutil.sim.sender import SenderPolicy

MSS = 1460


def _rel(value: int, isn: int) -> int:
    return (value - isn) % 2**32


def segments(trace: dict) -> list[dict]:
    """The trace's send events with seq and ack made relative to the ISNs."""
    isn = {"client": trace["client"]["isn"], "server": trace["server"]["isn"]}
    other = {"client": "server", "server": "client"}
    out = []
    for e in trace["events"]:
        if e["type"] == "send":
            out.append(
                {
                    **e,
                    "rseq": _rel(e["seq"], isn[e["side"]]),
                    "rack": _rel(e["ack"], isn[other[e["side"]]]) if "ACK" in e["flags"] else 0,
                }
            )
    return out


def flight_checks(trace: dict) -> list[tuple[float, int, int]]:
    """For each data segment the client sends: (time, bytes in flight after it, the window the
    client last heard from the server, as right edge - SND.UNA). Follows the client's view:
    the server's segments in the order they arrive at the client."""
    sent = {s["number"]: s for s in segments(trace)}
    una, edge = 1, None
    out = []
    for e in trace["events"]:
        if e["type"] == "arrive" and e["side"] == "client":
            s = sent[e["number"]]
            accepted = e["result"] in ("accepted", "out of order") and "ACK" in s["flags"]
            if accepted and s["rack"] >= una:
                una = s["rack"]
                edge = s["rack"] + s["window"]
        elif e["type"] == "send" and e["side"] == "client" and e["len"]:
            s = sent[e["number"]]
            end = s["rseq"] + s["len"]
            out.append((e["time"], end - una, edge - una))
    return out


def test_bytes_in_flight_never_pass_the_advertised_window():
    # a slow reader fills its 8 KiB buffer: the window closes and reopens many times
    trace = simulate(SimOptions(seed=13, data=200_000, window=8_192, read_rate=20_000.0)).as_dict()
    checks = flight_checks(trace)
    assert len(checks) > 100
    assert all(flight <= window for _, flight, window in checks)
    # and it uses the window: 8192 = 5 x 1460 + 892, and a short segment goes out only when
    # it is the last data or nothing is in flight (sender SWS avoidance, RFC 9293 3.8.6.2.1),
    # so a full window carries at least the five whole segments
    assert 5 * MSS <= max(flight for _, flight, _ in checks) <= 8_192


def test_a_clean_bulk_transfer_keeps_the_window_full():
    # 200,000 bytes, no loss. The server ACKs each segment of a burst with its window's right
    # edge fixed (its application reads after the burst: RFC 9293 3.8.6.2.2), then, once it has
    # read, sends a window update opening 65535 bytes past RCV.NXT. So per round trip:
    # 0.1 s (ESTABLISHED): 44 whole segments = 64,240 bytes; the 1,295 left of the window wait,
    #   too short while data is in flight (sender SWS avoidance, 3.8.6.2.1);
    # 0.2 s: the burst's ACKs leave nothing in flight, so the 1,295 go, then the window update
    #   admits 44 segments more: 65,535, the whole window;
    # 0.3 s: that window was used to its end: nothing until the update, then 44 segments;
    # 0.4 s: the remaining 200,000 - 64,240 - 65,535 - 64,240 = 5,985 bytes.
    trace = simulate(SimOptions(seed=1, data=200_000, cc="none")).as_dict()
    data = [s for s in segments(trace) if s["side"] == "client" and s["len"]]
    assert all(s["note"] is None for s in data)  # no retransmission
    bursts: dict[float, int] = {}
    for s in data:
        bursts[s["time"]] = bursts.get(s["time"], 0) + s["len"]
    assert bursts == {0.1: 64_240, 0.2: 65_535, 0.3: 64_240, 0.4: 5_985}
    assert all(flight <= window for _, flight, window in flight_checks(trace))


def test_one_dropped_segment_is_fast_retransmitted_once():
    # 20,000 bytes = 13 x 1460 + 1020 in one burst at 0.1 s; the third data segment (bytes
    # 2921..4380) is dropped. The server ACKs 1461 and 2921, then each of the 11 segments after
    # the hole with a duplicate ACK 2921; the third duplicate (RFC 5681 3.2) makes the client
    # resend 2921 at 0.2 s, the only retransmission; it fills the hole, and the next ACK
    # covers everything: 20,000 bytes and the FIN (20,002).
    trace = simulate(SimOptions(seed=1, data=20_000, drop=("data:3",), cc="none")).as_dict()
    sends = segments(trace)
    client = [s for s in sends if s["side"] == "client"]
    again = [s for s in client if s["note"] and "retransmission" in s["note"]]
    assert [(s["time"], s["rseq"], s["len"], s["note"]) for s in again] == [
        (0.2, 2921, MSS, "fast retransmission")
    ]
    server_acks = [s["rack"] for s in sends if s["side"] == "server" and s["time"] > 0.05]
    assert server_acks[:2] == [1461, 2921]
    dup = server_acks[2:13]
    assert dup == [2921] * 11
    after = [s["rack"] for s in sends if s["side"] == "server" and s["time"] >= 0.25]
    assert after[0] == 20_002
    summary = trace["summary"]
    assert summary["retransmissions"] == {"client": 1, "server": 0}
    assert summary["data_intact"] and summary["bytes_delivered"] == 20_000


def test_after_an_rto_the_first_unacknowledged_segment_is_resent():
    # 5,000 bytes = 3 x 1460 + 620; the third segment (2921..4380) is dropped and only one
    # duplicate ACK follows, too few for fast retransmit. RTO: one sample of 0.1 s gives
    # SRTT 0.1, RTTVAR 0.05 -> 0.3 s, raised to the 1 s minimum (RFC 6298 (2.4)); the ACKs at
    # 0.2 s restart the timer (5.3), so it expires at 1.2 s and resends SND.UNA = 2921.
    trace = simulate(SimOptions(seed=1, data=5_000, drop=("data:3",))).as_dict()
    timeouts = [
        (e["time"], e["rto"])
        for e in trace["events"]
        if e["type"] == "timeout" and e["timer"] == "retransmission"
    ]
    assert timeouts == [(1.2, 1.0)]
    again = [s for s in segments(trace) if s["side"] == "client" and s["note"]]
    assert [(s["time"], s["rseq"], s["len"], s["note"]) for s in again] == [
        (1.2, 2921, MSS, "retransmission")
    ]
    assert trace["summary"]["data_intact"]


class OneSegment(SenderPolicy):
    """A fixed congestion window of one segment: stop and wait."""

    __slots__ = ()

    def __init__(self, mss: int, tcb=None) -> None:
        super().__init__(mss, tcb)
        self.window = mss

    def on_new_ack(self, ack: int, acked: int, snd_nxt: int) -> bool:
        return False

    def on_duplicate_ack(self, snd_una: int, snd_nxt: int) -> bool:
        return False

    def on_timeout(self, snd_una: int, snd_nxt: int) -> None:
        pass


@pytest.fixture
def stop_and_wait(monkeypatch):
    """Runs whose endpoints use the OneSegment sender policy."""
    scenario = run._scenario

    def with_policy(options):
        params, client, server = scenario(options)
        return params.with_policies(OneSegment, None), client, server

    monkeypatch.setattr(run, "_scenario", with_policy)


def test_a_custom_sender_policy_sets_the_pace(stop_and_wait):
    # 5 x 1460 bytes with one segment in flight: one segment per RTT from ESTABLISHED (0.1 s);
    # the FIN does not fit beside the last segment either, so it waits for its ACK (0.6 s)
    trace = simulate(SimOptions(seed=1, data=5 * MSS)).as_dict()
    client = [s for s in segments(trace) if s["side"] == "client" and s["time"] > 0]
    data = [(s["time"], s["rseq"], s["len"]) for s in client if s["len"]]
    assert data == [(round(0.1 * (k + 1), 6), 1 + k * MSS, MSS) for k in range(5)]
    fin = [s for s in client if "FIN" in s["flags"]]
    assert [(s["time"], s["rseq"]) for s in fin] == [(0.6, 5 * MSS + 1)]
    assert all(flight <= MSS for _, flight, _ in flight_checks(trace))
    assert trace["summary"]["outcome"] == "completed"


def test_without_the_policy_the_same_run_sends_in_one_burst():
    trace = simulate(SimOptions(seed=1, data=5 * MSS, cc="none")).as_dict()
    data = [s["time"] for s in segments(trace) if s["side"] == "client" and s["len"]]
    assert data == [0.1] * 5
