"""The window the receiver offers, worked out from RFC 9293 section 3.8.6.2.2.

The receiver's window is its free buffer, RCV.BUFF - RCV.USER (bytes its application has not
read), and receiver SWS avoidance keeps the right edge RCV.NXT + RCV.WND where it is until it
can move by at least min(RCV.BUFF / 2, Eff.snd.MSS). So the window an ACK offers falls while
segments wait unread, and falls by one after a FIN (which takes a sequence number but no
buffer), while the right edge never moves left ("shrinking the window", section 3.8.6).
"""

from __future__ import annotations

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
    trace = simulate(SimOptions(seed=1, data=20_000)).as_dict()
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
