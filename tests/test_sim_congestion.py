"""Congestion control on real runs, against numbers worked out from the RFCs' equations.

Every run has a 100 ms RTT (50 ms each way), MSS 1460 and no bandwidth limit, so each window
leaves at one instant and its ACKs come back together one RTT later: the rounds of RFC 5681's
slow start are exact. Sequence numbers are relative to the client's ISN (data starts at 1).
"""

from __future__ import annotations

import math

import pytest

from netutil.sim.congestion.cubic import BETA, C
from netutil.sim.options import SimOptions
from netutil.sim.run import simulate
from netutil.sim.trace import ArriveEvent, CongestionEvent, SendEvent

MSS = 1460
RTT = 0.1
BIG = 8_000_000  # a receive buffer that never limits the sender here


def _client_cc(trace: dict) -> list[dict]:
    return [e for e in trace["events"] if e["type"] == "congestion" and e["side"] == "client"]


def _last_per_time(events: list[dict]) -> dict[float, dict]:
    out: dict[float, dict] = {}
    for e in events:
        out[e["time"]] = e
    return out


@pytest.mark.parametrize("cc", ["reno", "newreno", "cubic"])
def test_slow_start_doubles_cwnd_each_round_trip(cc):
    # IW = 10 segments (RFC 6928); each ACK of a full segment adds one SMSS (RFC 5681 (2)), and
    # every segment is ACKed, so a round of W segments ends with cwnd = 2W: 10, 20, 40, 80, 160
    # segments at 0.2, 0.3, ..., 0.6 s (ESTABLISHED at 0.1 s, first ACKs one RTT later)
    trace = simulate(SimOptions(seed=1, data=400 * MSS, cc=cc, window=BIG, sack=False)).as_dict()
    rounds = _last_per_time(_client_cc(trace))
    assert rounds[0.1]["cwnd"] == 10 * MSS and rounds[0.1]["rule"].startswith("RFC 6928")
    for k in range(1, 5):
        e = rounds[round(0.1 + k * RTT, 6)]
        assert (e["cwnd"], e["ssthresh"], e["phase"]) == (10 * MSS * 2**k, None, "slow_start")
    # the data sent per round doubles too
    per_round: dict[float, int] = {}
    for e in trace["events"]:
        if e["type"] == "send" and e["side"] == "client" and e["len"]:
            per_round[e["time"]] = per_round.get(e["time"], 0) + e["len"]
    assert [per_round[round(0.1 + k * RTT, 6)] for k in range(4)] == [
        10 * MSS * 2**k for k in range(4)
    ]


def test_initial_window_by_rfc_5681_and_by_option():
    # RFC 5681 3.1: SMSS 1460 (1095 < SMSS <= 2190) gives 3 segments; 536 gives 4; 4000 gives 2
    for mss, iw in ((1460, 3 * 1460), (536, 4 * 536), (4000, 2 * 4000)):
        trace = simulate(
            SimOptions(seed=1, data=20_000, cc="reno", initial_window=0, mss=mss)
        ).as_dict()
        first = _client_cc(trace)[0]
        assert (first["time"], first["cwnd"]) == (0.1, iw), mss
        sent = sum(
            e["len"]
            for e in trace["events"]
            if e["type"] == "send" and e["side"] == "client" and e["time"] == 0.1
        )
        assert sent == iw
    trace = simulate(SimOptions(seed=1, data=20_000, cc="reno", initial_window=2)).as_dict()
    assert _client_cc(trace)[0]["cwnd"] == 2 * MSS


def test_a_lost_syn_gives_a_one_segment_initial_window():
    # RFC 5681 3.1: the SYN was lost, so IW = 1 segment (with RFC 5681's own IW); RFC 6928's
    # IW10 keeps 10 segments after one lost SYN (it resets only after more than one)
    trace = simulate(
        SimOptions(seed=1, data=20_000, cc="reno", initial_window=0, drop=("syn",))
    ).as_dict()
    established = trace["summary"]["time_to_established"]["client"]
    at_established = _last_per_time(_client_cc(trace))[established]
    assert (at_established["cwnd"], at_established["rule"]) == (
        MSS, "RFC 5681 3.1: SYN or SYN,ACK lost, IW = 1 segment"
    )  # fmt: skip
    sent = [e["len"] for e in trace["events"] if e["type"] == "send" and e["side"] == "client"]
    assert sent[:5] == [0, 0, 0, MSS, MSS]  # SYN, SYN again, the ACK; one segment per RTT
    data_times = [e["time"] for e in trace["events"]
                  if e["type"] == "send" and e["side"] == "client" and e["len"]]  # fmt: skip
    assert data_times[1] - data_times[0] == pytest.approx(RTT)
    trace = simulate(SimOptions(seed=1, data=20_000, cc="reno", drop=("syn",))).as_dict()
    assert _client_cc(trace)[0]["cwnd"] == 10 * MSS


def _flight_at(trace: dict, when: float) -> int:
    """Bytes the client has sent beyond what the server's ACKs that reached it by `when`
    acknowledge: SND.NXT - SND.UNA from the segments alone."""
    isn = {"client": trace["client"]["isn"], "server": trace["server"]["isn"]}
    sent_end, una = 0, 1
    server = {}
    for e in trace["events"]:
        if e["time"] > when:
            break
        if e["type"] == "send" and e["side"] == "server":
            server[e["number"]] = e
        elif e["type"] == "send" and e["side"] == "client" and e["time"] > 0:
            end = (e["seq"] - isn["client"]) % 2**32 + e["len"] + ("FIN" in e["flags"])
            sent_end = max(sent_end, end)
        elif e["type"] == "arrive" and e["side"] == "client" and e["number"] in server:
            una = max(una, (server[e["number"]]["ack"] - isn["client"]) % 2**32)
    return sent_end - una


def test_third_duplicate_ack_halves_the_flight_and_inflates():
    # 40 segments, the 25th (bytes 35041..36500) dropped. 0.1 s: 10 segments; 0.2 s: 20 more
    # (cwnd 20); 0.3 s: the 10 left. Segment 25 is in the second round; segments 26..30 and
    # then 31..40 bring duplicate ACKs. At the third, FlightSize (limited transmit's two
    # segments not counted, RFC 5681 3.2 step 2) gives ssthresh = max(FlightSize/2, 2*SMSS)
    # (RFC 5681 (4)) and cwnd = ssthresh + 3*SMSS.
    trace = simulate(
        SimOptions(seed=1, data=40 * MSS, cc="reno", window=BIG, drop=("data:25",), sack=False)
    ).as_dict()
    events = _client_cc(trace)
    fr = next(e for e in events if e["phase"] == "fast_recovery")
    # FlightSize at the first duplicate ACK (before limited transmit sent anything), from
    # the segments alone, and as the sender reported it
    first_dup = next(e for e in events if e["rule"] and e["rule"].startswith("RFC 3042"))
    flight = _reconstructed_flight_at_first_dup(trace)
    assert first_dup["flight"] == flight
    ssthresh = max(flight // 2, 2 * MSS)
    assert (fr["ssthresh"], fr["cwnd"]) == (ssthresh, ssthresh + 3 * MSS)
    assert fr["rule"].startswith("RFC 5681 (4): ssthresh = max(FlightSize / 2, 2*SMSS)")
    # each further duplicate ACK inflates cwnd by one SMSS (step 4); the ACK of new data
    # deflates it to ssthresh (step 6) and congestion avoidance follows
    inflated = [e for e in events if e["rule"] and e["rule"].startswith("RFC 5681 3.2 step 4")]
    assert [e["cwnd"] for e in inflated] == [
        ssthresh + (3 + k) * MSS for k in range(1, len(inflated) + 1)
    ]
    deflate = next(e for e in events if e["rule"] and "step 6" in e["rule"])
    assert (deflate["cwnd"], deflate["phase"]) == (ssthresh, "congestion_avoidance")
    again = [e for e in trace["events"] if e["type"] == "send" and e["note"]]
    assert [(e["note"], (e["seq"] - trace["client"]["isn"]) % 2**32) for e in again] == [
        ("fast retransmission", 24 * MSS + 1)
    ]


def _reconstructed_flight_at_first_dup(trace: dict) -> int:
    """SND.NXT - SND.UNA when the first duplicate ACK arrives, from the segments alone."""
    isn_c, isn_s = trace["client"]["isn"], trace["server"]["isn"]
    server, sent_end, una, last_ack = {}, 0, 1, None
    for e in trace["events"]:
        if e["type"] == "send" and e["side"] == "server":
            server[e["number"]] = e
        elif e["type"] == "send" and e["side"] == "client" and e["time"] > 0:
            fin = "FIN" in e["flags"]  # the FIN takes a sequence number too
            sent_end = max(sent_end, (e["seq"] - isn_c) % 2**32 + e["len"] + fin)
        elif e["type"] == "arrive" and e["side"] == "client" and e["number"] in server:
            seg = server[e["number"]]
            ack = (seg["ack"] - isn_c) % 2**32
            if ack == last_ack and seg["len"] == 0 and (seg["seq"] - isn_s) % 2**32 == 1:
                return sent_end - una
            una, last_ack = max(una, ack), ack
    raise AssertionError("no duplicate ACK")


def test_timeout_sets_the_loss_window_and_halves_the_flight():
    # 10 segments, all in the initial window at 0.1 s; segments 5..10 are dropped. The ACKs of
    # 1..4 come back at 0.2 s and nothing after: no duplicate ACK, so the retransmission timer
    # (RTO 1 s from the last ACK, RFC 6298) expires at 1.2 s with 6 segments and the FIN in
    # flight: ssthresh = max(8761 / 2, 2 * 1460) = 4380 and cwnd = LW = 1 segment (RFC 5681 3.1).
    drops = tuple(f"data:{n}" for n in range(5, 11))
    trace = simulate(SimOptions(seed=1, data=10 * MSS, cc="reno", drop=drops, sack=False)).as_dict()
    timeouts = [e["time"] for e in trace["events"] if e["type"] == "timeout"]
    assert timeouts[0] == 1.2
    assert _flight_at(trace, 1.2) == 6 * MSS + 1
    after = [e for e in _client_cc(trace) if e["time"] == 1.2]
    assert [(e["cwnd"], e["ssthresh"], e["phase"]) for e in after] == [(MSS, 4380, "rto_recovery")]
    assert after[0]["rule"].startswith("RFC 5681 (4) after a timeout")
    # then slow start: each ACK of a resent hole adds one SMSS, the next hole is resent
    summary = trace["summary"]["congestion"]
    assert summary["retransmissions"]["timeout"] == 1
    assert trace["summary"]["data_intact"]


def test_a_second_timeout_holds_ssthresh():
    # as above, and the first retransmission (the 11th data segment sent) is lost too: the
    # second expiry (RTO doubled to 2 s: 3.2 s) keeps ssthresh (RFC 5681 3.1), cwnd = 1 SMSS
    drops = tuple(f"data:{n}" for n in range(5, 12))
    trace = simulate(SimOptions(seed=1, data=10 * MSS, cc="reno", drop=drops, sack=False)).as_dict()
    timeouts = [e["time"] for e in trace["events"] if e["type"] == "timeout"]
    assert timeouts[:2] == [1.2, 3.2]
    second = [e for e in _client_cc(trace) if e["time"] == 3.2]
    assert [(e["cwnd"], e["ssthresh"]) for e in second] == [(MSS, 4380)]
    assert second[0]["rule"].startswith("RFC 5681 3.1: timeout again, ssthresh held")


def test_newreno_resends_one_hole_per_partial_ack_and_reno_waits_for_the_timer():
    # two losses in one window (segments 25 and 28 of 40): Reno's fast recovery ends at the
    # first new ACK (RFC 5681 3.2 step 6) and the second hole waits for the timer; NewReno
    # resends it on the partial ACK (RFC 6582 3.2 step 3) and no timer fires.
    opts = dict(seed=1, data=40 * MSS, window=BIG, drop=("data:25", "data:28"), sack=False)
    reno = simulate(SimOptions(cc="reno", **opts)).as_dict()
    newreno = simulate(SimOptions(cc="newreno", **opts)).as_dict()
    isn = reno["client"]["isn"]

    def resent(trace):
        return [
            (e["note"], (e["seq"] - isn) % 2**32)
            for e in trace["events"]
            if e["type"] == "send" and e["side"] == "client" and e["note"]
        ]

    assert resent(newreno) == [
        ("fast retransmission", 24 * MSS + 1),
        ("retransmission (partial ACK)", 27 * MSS + 1),
    ]
    assert resent(reno)[0] == ("fast retransmission", 24 * MSS + 1)
    assert ("retransmission", 27 * MSS + 1) in resent(reno)
    assert newreno["summary"]["congestion"]["retransmissions"] == {
        "timeout": 0, "fast_retransmit": 1, "partial_ack": 1, "sack": 0
    }  # fmt: skip
    assert reno["summary"]["congestion"]["retransmissions"]["timeout"] == 1
    partial = next(e for e in _client_cc(newreno) if e["rule"] and "partial ACK" in e["rule"])
    assert partial["phase"] == "fast_recovery"
    full = next(e for e in _client_cc(newreno) if e["rule"] and "full ACK" in e["rule"])
    assert full["cwnd"] <= full["ssthresh"]


def test_cubic_window_follows_the_cubic_function_between_losses():
    # one loss at the 120th data segment (cwnd then 129 segments, in slow start). RFC 9438:
    # W_max = cwnd at the loss (4.6; no earlier W_max, so no fast convergence), the new
    # congestion-avoidance stage starts at the first ACK after recovery with cwnd_epoch, and
    # K = cbrt((W_max - cwnd_epoch) / C) (4.2). The per-ACK rule moves cwnd towards
    # target = W_cubic(t + RTT), by (target - cwnd) / cwnd per ACK: it never passes the
    # target, and closes 1 - (1 - 1/cwnd)^cwnd (about 63%) of the gap per round trip, so at
    # every round W_cubic(t - 2 RTT) <= cwnd(t) <= W_cubic(t + RTT), up to W_max at t = K
    # and on past it.
    trace = simulate(
        SimOptions(
            seed=1, data=10_000_000, cc="cubic", window=BIG, drop=("data:120",), sack=False,
            close=False,
        )
    ).as_dict()  # fmt: skip
    events = _client_cc(trace)
    i = next(i for i, e in enumerate(events) if e["phase"] == "fast_recovery")
    w_max = events[i - 1]["cwnd"] / MSS  # cwnd when the third duplicate ACK came
    # ssthresh = FlightSize * beta (FlightSize: cwnd, the window was full)
    assert events[i]["ssthresh"] == int(events[i - 1]["cwnd"] * BETA)
    j = next(j for j in range(i, len(events)) if events[j]["phase"] == "congestion_avoidance")
    t_epoch = events[j]["time"]
    cwnd_epoch = events[j]["cwnd"] / MSS
    k = ((w_max - cwnd_epoch) / C) ** (1 / 3)
    assert 4.0 < k < 5.0  # cbrt((129 - 91) / 0.4) = 4.56 s

    def w(t):
        return C * (t - k) ** 3 + w_max

    rounds = _last_per_time(events[j:])
    checked = 0
    for time, e in rounds.items():
        t = time - t_epoch
        if t <= 0:
            continue
        cwnd = e["cwnd"] / MSS
        assert w(t - 2 * RTT) - 1e-6 <= cwnd <= w(t + RTT) + 1e-6, (t, cwnd, w(t))
        checked += 1
    assert checked > 50
    last_t = max(rounds) - t_epoch
    assert last_t > k + 0.5  # the run went past the plateau into the convex region
    regions = {e["rule"] for e in events[j:] if e["rule"]}
    assert "RFC 9438 4.4: concave region, cwnd += (target - cwnd) / cwnd" in regions
    assert "RFC 9438 4.5: convex region, cwnd += (target - cwnd) / cwnd" in regions


def _steady_throughput(trace, after_loss: int) -> tuple[float, float]:
    """Bytes per second the server's cumulative ACKs cover, from the `after_loss`-th loss
    detection to the end, and the loss rate of the client's data segments over that time."""
    isn = trace.client.isn
    records = list(trace.records())
    reductions = [e.time for e in records if isinstance(e, CongestionEvent) and e.side == "client"
                  and e.rule and "FlightSize" in e.rule]  # fmt: skip
    t1 = reductions[after_loss]
    acks = {}
    a1 = first = None
    a2 = t2 = None
    sent = lost = 0
    for e in records:
        if isinstance(e, SendEvent):
            if e.side == "server":
                acks[e.number] = (e.ack - isn) % 2**32
            elif e.len and e.time > t1:
                sent += 1
                lost += e.fate != "delivered"
        elif isinstance(e, ArriveEvent) and e.side == "client" and e.number in acks:
            ack = acks[e.number]
            if e.time <= t1:
                a1 = ack if a1 is None or ack > a1 else a1
                first = e.time
            else:
                a2, t2 = ack, e.time
    assert first is not None
    return (a2 - a1) / (t2 - t1), lost / sent


@pytest.mark.parametrize(
    ("p", "data"), [(0.001, 40_000_000), (0.003, 20_000_000), (0.01, 10_000_000),
                    (0.02, 5_000_000)],
)  # fmt: skip
def test_reno_throughput_under_random_loss_follows_the_models(p, data):
    # Mathis et al. 1997: BW = (MSS / RTT) * sqrt(3/2) / sqrt(p), for congestion avoidance
    # without timeouts. PFTK 1998 (as RFC 5348 section 3.1 gives it, b = 1 packet per ACK)
    # adds the timeouts: X = s / (R*sqrt(2bp/3) + t_RTO * 3*sqrt(3bp/8) * p * (1 + 32p^2)),
    # with t_RTO our RTO (1 s, RFC 6298's minimum). Random loss on the data direction only,
    # a window that never limits, throughput from the 5th loss on (past the first slow
    # start's overshoot), p the loss rate the flow met over that time.
    trace = simulate(
        SimOptions(
            seed=7, data=data, cc="reno", window=16_000_000, loss_to_server=p,
            loss_to_client=0.0, sack=False, close=False,
        )
    )  # fmt: skip
    throughput, p_seen = _steady_throughput(trace, 5)
    mathis = MSS / RTT * math.sqrt(1.5) / math.sqrt(p_seen)
    rto = 1.0
    pftk = MSS / (
        RTT * math.sqrt(2 * p_seen / 3)
        + rto * 3 * math.sqrt(3 * p_seen / 8) * p_seen * (1 + 32 * p_seen**2)
    )
    # Mathis' model holds where timeouts are rare (p up to about 1%) ...
    if p <= 0.01:
        assert 0.8 <= throughput / mathis <= 1.25, (throughput, mathis)
    # ... and PFTK, which counts them, over the whole range
    assert 0.8 <= throughput / pftk <= 1.25, (throughput, pftk)
