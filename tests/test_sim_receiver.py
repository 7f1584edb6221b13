"""The window the receiver offers, worked out from RFC 9293 section 3.8.6.2.2.

The receiver's window is its free buffer, RCV.BUFF - RCV.USER (bytes its application has not
read), and receiver SWS avoidance keeps the right edge RCV.NXT + RCV.WND where it is until it
can move by at least min(RCV.BUFF / 2, Eff.snd.MSS). So the window an ACK offers falls while
segments wait unread, and falls by one after a FIN (which takes a sequence number but no
buffer), while the right edge never moves left ("shrinking the window", section 3.8.6).
"""

from __future__ import annotations

import re

import pytest

from netutil.sim.options import SimOptions
from netutil.sim.run import simulate
from tests.test_sim_sender import segments

BUFFER = 65535
MSS = 1460


def test_a_burst_is_acked_with_the_right_edge_fixed():
    # 20,000 bytes: 13 x 1460 + 1020 arrive at the server at the same instant (no link rate is
    # modelled); each is ACKed at once, before the application's read (its own event, after
    # the burst), so ACK k offers 65535 - 1460 k while ack + window stays 1 + 65535
    # (no congestion window: the whole 20,000 go in one burst)
    trace = simulate(SimOptions(seed=1, data=20_000, cc="none")).as_dict()
    acks = [s for s in segments(trace) if s["side"] == "server" and s["time"] == 0.15]
    data_acks = [(s["rack"], s["window"]) for s in acks[:14]]
    expected = [(1 + MSS * k, BUFFER - MSS * k) for k in range(1, 14)] + [(20_001, 45_535)]
    assert data_acks == expected
    assert {ack + window for ack, window in data_acks} == {1 + BUFFER}


def test_after_a_fin_the_window_is_one_less():
    # no data: the client's FIN takes sequence number 1, so the server's ACK is 2; its buffer
    # is still empty, and moving the right edge by 1 < min(65535 / 2, 1460) is what SWS
    # avoidance holds back: the window offered is 65535 - 1 = 65534, right edge 1 + 65535
    trace = simulate(SimOptions(seed=1)).as_dict()
    server = [s for s in segments(trace) if s["side"] == "server"]
    ack_of_fin = next(s for s in server if s["rack"] == 2)
    assert (ack_of_fin["window"], ack_of_fin["rack"] + ack_of_fin["window"]) == (65_534, 65_536)


@pytest.mark.parametrize(
    "params",
    [
        dict(seed=1, data=200_000),
        dict(seed=13, data=200_000, window=8_192, read_rate=20_000.0),
        dict(seed=14, data=300_000, loss=0.02, mss=536),
        dict(seed=4, reorder=0.3, data=30_000),
    ],
)
def test_the_right_edge_never_moves_left(params):
    trace = simulate(SimOptions(**params)).as_dict()
    for side in ("client", "server"):
        edges = [
            s["rack"] + s["window"]
            for s in segments(trace)
            if s["side"] == side
            and "ACK" in s["flags"]
            and "SYN" not in s["flags"]
            and "RST" not in s["flags"]
        ]
        assert edges == sorted(edges), side


# --- SACK blocks (RFC 2018) --------------------------------------------------------------------


def _rfc2018_receiver():
    from netutil.sim.receiver import ImmediateAck

    return ImmediateAck(65535, 500)


def test_sack_blocks_of_rfc_2018_section_3_case_3():
    # RFC 2018 section 3, case 3: eight 500-byte segments from 5000; the 2nd, 4th, 6th and 8th
    # are lost. The ACK of each arriving segment carries these blocks (the RFC's table):
    #   5000 -> ack 5500 (no block); 6000 -> 6000-6500; 7000 -> 7000-7500 6000-6500;
    #   8000 -> 8000-8500 7000-7500 6000-6500
    r = _rfc2018_receiver()
    rcv_nxt = 5500  # 5000 arrived in order
    assert r.sack_blocks(rcv_nxt, 3) == ()
    r.store(6000, b"x" * 500)
    assert r.sack_blocks(rcv_nxt, 3) == ((6000, 6500),)
    r.store(7000, b"x" * 500)
    assert r.sack_blocks(rcv_nxt, 3) == ((7000, 7500), (6000, 6500))
    r.store(8000, b"x" * 500)
    assert r.sack_blocks(rcv_nxt, 3) == ((8000, 8500), (7000, 7500), (6000, 6500))
    # then the 4th segment (6500) arrives: "the data receiver has only two SACK blocks to
    # report": 6000-7500 8000-8500
    r.store(6500, b"x" * 500)
    assert r.sack_blocks(rcv_nxt, 3) == ((6000, 7500), (8000, 8500))
    # then the 2nd (5500): the ACK moves to 7500 and 8000-8500 remains
    assert r.pull(5500) is None  # (5500 itself arrives in order; what it uncovers follows)
    rcv_nxt = 6000
    assert r.pull(rcv_nxt) == b"x" * 500  # 6000-6500
    assert r.pull(6500) == b"x" * 500  # 6500-7000
    assert r.pull(7000) == b"x" * 500  # 7000-7500
    assert r.pull(7500) is None
    assert r.sack_blocks(7500, 3) == ((8000, 8500),)


def test_sack_blocks_of_rfc_2018_section_3_case_2_first_segment_lost():
    # case 2: the first of eight 500-byte segments (5000) is lost, the other 7 arrive: each
    # ACK says 5000 with one block growing from 5500-6000 to 5500-9000
    r = _rfc2018_receiver()
    for k in range(1, 8):
        r.store(5000 + 500 * k, b"x" * 500)
        assert r.sack_blocks(5000, 3) == ((5500, 5500 + 500 * k),)


def test_at_most_the_limit_of_blocks_newest_first_and_old_ones_repeated():
    # RFC 2018 section 4: the first block holds the newest segment; then the most recently
    # reported blocks; an option has room for 4 blocks, 3 beside timestamps
    r = _rfc2018_receiver()
    for left in (1000, 3000, 5000, 7000, 9000):
        r.store(left, b"x" * 500)
    assert r.sack_blocks(0, 3) == ((9000, 9500), (7000, 7500), (5000, 5500))
    assert r.sack_blocks(0, 4) == ((9000, 9500), (7000, 7500), (5000, 5500), (3000, 3500))
    r.store(3500, b"x" * 500)  # joins 3000-3500: that block is now the newest
    assert r.sack_blocks(0, 3) == ((3000, 4000), (9000, 9500), (7000, 7500))


def test_blocks_below_rcv_nxt_are_not_reported():
    r = _rfc2018_receiver()
    r.store(1000, b"x" * 500)
    r.store(2000, b"x" * 500)
    assert r.sack_blocks(1500, 3) == ((2000, 2500),)
    assert r.sack_blocks(2500, 3) == ()


# --- the delayed-ACK decision (RFC 9293 section 3.8.6.3, RFC 5681 section 4.2) ---------------


def test_delayed_ack_acks_every_second_full_sized_segment():
    from netutil.sim.receiver import delayed_ack

    r = delayed_ack(0.2)(65535, 1460)
    assert r.delay == 0.2
    decisions = []
    for _ in range(6):
        now = r.ack_now(True, 1460)
        decisions.append(now)
        if now:
            r.ack_sent()
    assert decisions == [False, True, False, True, False, True]


def test_delayed_ack_counts_bytes_of_small_segments():
    from netutil.sim.receiver import delayed_ack

    r = delayed_ack(0.04)(65535, 1000)
    # 2 * RMSS bytes of new data: 500 + 500 + 500 + 500 reaches 2000 on the fourth
    assert [r.ack_now(True, 500) for _ in range(4)] == [False, False, False, True]


def test_delayed_ack_acks_out_of_order_and_hole_filling_text_at_once():
    from netutil.sim.receiver import delayed_ack

    r = delayed_ack(0.2)(65535, 1000)
    r.store(2000, b"x" * 1000)
    assert r.ack_now(False, 1000) is True  # out of order
    assert r.ack_now(True, 1000) is True  # in order while a hole remains: fills part of it
    assert r.pull(2000) == b"x" * 1000
    assert r.ack_now(True, 1000) is True  # filled the hole
    r.ack_sent()
    assert r.ack_now(True, 1000) is False  # back to delaying


@pytest.mark.parametrize("delay", [0.0, -0.1, 0.51])
def test_delayed_ack_time_is_bounded_by_rfc_1122(delay):
    from netutil.sim.receiver import delayed_ack

    with pytest.raises(ValueError, match=re.escape("at most 0.5 s")):
        delayed_ack(delay)


# --- delayed ACKs in whole runs (RFC 9293 section 3.8.6.3, RFC 1122 section 4.2.3.2) --------


def _acks_and_arrivals(trace):
    """The server's ACKs of data as (time, relative ack) and the client's data arrivals at
    the server as (time, relative end sequence), from the trace."""
    isn = trace["client"]["isn"]
    sent = {e["number"]: e for e in trace["events"] if e["type"] == "send"}
    arrivals = [
        (e["time"], (sent[e["number"]]["seq"] - isn) % 2**32 + sent[e["number"]]["len"])
        for e in trace["events"]
        if e["type"] == "arrive"
        and e["side"] == "server"
        and e["result"] == "accepted"
        and sent[e["number"]]["len"]
    ]
    acks = [
        (e["time"], (e["ack"] - isn) % 2**32)
        for e in trace["events"]
        if e["type"] == "send" and e["side"] == "server" and "SYN" not in e["flags"]
    ]
    return acks, arrivals


@pytest.mark.parametrize("delay", [0.04, 0.2, 0.5])
def test_delayed_acks_follow_rfc_1122_every_second_segment_or_the_timer(delay):
    # 11 full segments, spaced by the 10 Mbit/s link (1.2 ms apart, far under the delay), no
    # FIN (--no-close): RFC 1122 4.2.3.2 / RFC 9293 3.8.6.3 say an ACK for at least every second
    # full-sized segment, and none later than the delay; the 11th is ACKed by the timer
    mss = 1460
    trace = simulate(
        SimOptions(seed=1, data=11 * mss, close=False, bandwidth=10e6, delayed_ack=delay)
    ).as_dict()
    acks, arrivals = _acks_and_arrivals(trace)
    data_acks = [(t, a) for t, a in acks if a > 1]
    assert [a for _, a in data_acks] == [1 + 2 * mss * k for k in range(1, 6)] + [1 + 11 * mss]
    # each ACK of a pair goes out as the pair's second segment arrives
    ends = dict((end, t) for t, end in arrivals)
    for t, a in data_acks[:5]:
        assert t == ends[a]
    # the last one when the timer started by the 11th segment's arrival expires
    last_t, last = data_acks[-1]
    assert last_t == pytest.approx(ends[last] + delay, abs=1e-9)
    timeouts = [e for e in trace["events"] if e["type"] == "timeout"]
    assert [(e["side"], e["timer"]) for e in timeouts] == [("server", "delayed-ack")]
    # no acknowledgment of data waits longer than the delay (and never over 0.5 s)
    for t, end in arrivals:
        ack_time = min(ta for ta, a in acks if a >= end)
        assert ack_time - t <= delay + 1e-9 <= 0.5 + 1e-9


def test_out_of_order_text_is_acked_at_once_with_delayed_acks():
    # the first data segment is dropped: those after it are out of order, each ACKed at once
    # (a duplicate ACK, RFC 5681 section 4.2), and so is the retransmission that fills the hole
    trace = simulate(
        SimOptions(seed=2, data=6 * 1460, close=False, bandwidth=10e6, delayed_ack=0.2,
                   drop=("data:1",))
    ).as_dict()  # fmt: skip
    server_arrivals = [
        e for e in trace["events"] if e["type"] == "arrive" and e["side"] == "server"
    ]
    out_of_order = [e for e in server_arrivals if e["result"] == "out of order"]
    assert len(out_of_order) == 5
    acks = [e for e in trace["events"] if e["type"] == "send" and e["side"] == "server"]
    ack_times = {e["time"] for e in acks}
    for e in out_of_order:
        assert e["time"] in ack_times
    assert all(e["timer"] != "delayed-ack" for e in trace["events"] if e["type"] == "timeout")


def test_delayed_ack_off_is_the_immediate_ack():
    base = dict(seed=3, data=20_000, loss=0.05)
    assert (
        simulate(SimOptions(**base)).as_dict()["events"]
        == simulate(SimOptions(**base, delayed_ack=None)).as_dict()["events"]
    )


def test_delayed_ack_spellings_and_range():
    from netutil.errors import InvalidInput
    from netutil.sim.options import OPTION

    option = OPTION["delayed_ack"]
    assert option.parse_text("40ms") == pytest.approx(0.04)
    assert option.parse_text("off") is None
    assert option.parse_text("OFF") is None
    with pytest.raises(InvalidInput, match=re.escape(
        "invalid delayed_ack '600ms': out of range, expected 0.001 to 0.5 seconds"
    )):  # fmt: skip
        option.parse_text("600ms")
    with pytest.raises(InvalidInput, match=re.escape(
        "invalid delayed_ack 0.6: expected seconds in [0.001, 0.5]"
    )):  # fmt: skip
        SimOptions(delayed_ack=0.6)


# --- SACK blocks in whole runs (RFC 2018) -------------------------------------------------------


def _sack_blocks_sent(trace, side):
    """(relative ack, SACK blocks relative to the peer's ISN) of each ACK `side` sent."""
    peer = "client" if side == "server" else "server"
    isn = trace[peer]["isn"]
    out = []
    for e in trace["events"]:
        if e["type"] != "send" or e["side"] != side or "SYN" in e["flags"]:
            continue
        blocks = [o["value"] for o in e["options"] if o["name"] == "sack"]
        rel = [tuple((x - isn) % 2**32 for x in block) for block in (blocks[0] if blocks else [])]
        out.append(((e["ack"] - isn) % 2**32, rel))
    return out


def test_sack_blocks_of_rfc_2018_case_3_in_a_run():
    # RFC 2018 section 3, case 3, as a run: eight 500-byte segments sent in one flight (an
    # initial window of 10), the 2nd, 4th, 6th and 8th dropped; the receiver's ACKs carry the
    # blocks of the RFC's table (relative to the client's ISN: the RFC's 5000 is our 1)
    trace = simulate(
        SimOptions(seed=1, data=4000, mss=500, close=False, cc="reno", sack=True,
                   drop=("data:2", "data:4", "data:6", "data:8"))
    ).as_dict()  # fmt: skip
    acks = _sack_blocks_sent(trace, "server")
    assert acks[:4] == [
        (501, []),
        (501, [(1001, 1501)]),
        (501, [(2001, 2501), (1001, 1501)]),
        (501, [(3001, 3501), (2001, 2501), (1001, 1501)]),
    ]
    # and after recovery everything arrived in order, once
    assert trace["summary"]["data_intact"] and trace["summary"]["bytes_delivered"] == 4000


def test_no_sack_blocks_without_sack():
    trace = simulate(
        SimOptions(seed=1, data=4000, mss=500, close=False, cc="reno", sack=False,
                   drop=("data:2", "data:4"))
    ).as_dict()  # fmt: skip
    assert all(not blocks for _, blocks in _sack_blocks_sent(trace, "server"))
