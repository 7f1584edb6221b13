"""Charts (matplotlib SVG) and the exact time-to-ESTABLISHED model they overlay."""

from __future__ import annotations

import math
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from netutil.errors import InvalidInput
from netutil.render.plots import _flight_series, establish_plot, render_plot
from netutil.sim.establish_time import applies, establish_times, for_options
from netutil.sim.options import SimOptions
from netutil.sim.run import simulate
from netutil.sim.stats import monte_carlo


def texts(svg: str) -> list[str]:
    root = ET.fromstring(svg.encode())
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def test_closed_form_first_terms_are_the_textbook_ones():
    p = 0.3
    terms = establish_times(0.05, p, p, 6, 5)
    assert terms[0].time == pytest.approx(0.1)  # one RTT
    assert terms[0].probability == pytest.approx((1 - p) ** 2)
    assert terms[1].time == pytest.approx(1.1)  # RTT + the initial RTO
    assert terms[1].probability == pytest.approx(2 * p * (1 - p) ** 2)
    assert terms[2].time == pytest.approx(2.1)  # one SYN and one SYN,ACK lost
    assert terms[2].probability == pytest.approx(p**2 * (1 - p) ** 2)
    assert terms[3].time == pytest.approx(3.1)  # two SYNs, or two SYN,ACKs lost
    assert terms[3].probability == pytest.approx(2 * p**2 * (1 - p) ** 2)


def test_closed_form_sums_to_one_without_loss_and_respects_give_up():
    assert [(t.time, t.probability) for t in establish_times(0.05, 0, 0, 6, 5)] == [
        (pytest.approx(0.1), 1.0)
    ]
    # one SYN retry: the client gives up at 1 + 2 = 3 s, so nothing at or past 3 s counts
    assert max(t.time for t in establish_times(0.05, 0.5, 0.5, 1, 5)) < 3


def test_closed_form_matches_the_simulator():
    # 5,000 runs: each frequency within 4.5 standard deviations of the exact probability
    runs = 5_000
    result = monte_carlo(SimOptions(loss=0.25, seed=7), runs).as_dict()
    exact = {round(t.time, 6): t.probability for t in for_options(result["options"])}
    seen = {t["time"]: t["runs"] / runs for t in result["established_times"]}
    assert set(seen) <= set(exact)
    for time, p in exact.items():
        sd = math.sqrt(p * (1 - p) / runs)
        assert abs(seen.get(time, 0.0) - p) <= 4.5 * sd + 1e-12, time


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"jitter": 0.01}, "jitter makes every delay different"),
        ({"drop": ["syn"]}, "drop rules are not random loss"),
        ({"dup_syn": "syn-ack"}, "the Linux answer to a duplicate SYN restarts the server's timer"),
    ],
)
def test_closed_form_says_where_it_does_not_hold(change, why):
    options = {**SimOptions().as_dict(), **change}
    assert applies(options) == why
    assert for_options(options) is None


def test_establish_plot_has_both_series():
    result = monte_carlo(SimOptions(loss=0.2, seed=1), 500).as_dict()
    words = " ".join(texts(establish_plot(result)))
    assert "runs (500)" in words and "exact" in words


def test_establish_plot_needs_monte_carlo():
    trace = simulate(SimOptions(), seed=1).as_dict()
    with pytest.raises(InvalidInput, match="add --runs N"):
        establish_plot(trace)


def test_sequence_plot_marks_retransmissions_only_when_there_are_some():
    lossy = simulate(SimOptions(loss=0.1, data=20000, cc="none"), seed=3).as_dict()
    assert lossy["summary"]["retransmissions"]["client"] > 0
    assert "retransmission" in texts(render_plot("sequence", lossy))
    clean = simulate(SimOptions(data=20000), seed=3).as_dict()
    words = texts(render_plot("sequence", clean))
    assert "retransmission" not in words and "segment sent" in words


def test_flight_returns_to_zero_when_everything_is_acknowledged():
    # without loss every byte (SYN, 5000 data bytes, FIN) is acknowledged by the end
    trace = simulate(SimOptions(data=5000), seed=2).as_dict()
    flight = _flight_series(trace, "client")
    assert flight[-1][1] == 0
    assert max(f for _, f in flight) <= 5000 + 1  # never more than what was sent


def test_cwnd_plot_says_what_is_missing():
    trace = simulate(SimOptions(cc="none"), seed=1).as_dict()
    with pytest.raises(InvalidInput, match="no congestion-control state"):
        render_plot("cwnd", trace)


def test_window_plot_names_both_sides():
    words = texts(render_plot("window", simulate(SimOptions(data=3000), seed=1).as_dict()))
    assert "client's advertised window" in words and "server's advertised window" in words


def test_start_up_paths_do_not_import_matplotlib():
    code = (
        "import sys, io, contextlib\n"
        "from netutil.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['ip', 'info', '192.0.2.1'])\n"
        "    main(['tcp', 'handshake', '--seed', '1'])\n"
        "    main(['tcp', 'handshake', '--seed', '1', '--format', 'svg'])\n"
        "print(sorted(m for m in ('matplotlib', 'numpy', 'flask') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _cc_trace():
    """A run with congestion and queue records as the simulator writes them (their fields:
    cwnd, ssthresh (null while unset), flight, phase, rule; queue: link, packets, bytes)."""
    base = simulate(SimOptions(data=3000, cc="none"), seed=1).as_dict()  # (no records of its own)
    rec = {"type": "congestion", "side": "client", "rule": None}
    events = [
        {**rec, "time": 0.1, "cwnd": 14600, "ssthresh": None, "flight": 0, "phase": "slow_start"},
        {**rec, "time": 0.2, "cwnd": 29200, "ssthresh": None, "flight": 14600,
         "phase": "slow_start"},
        {**rec, "time": 1.2, "cwnd": 1460, "ssthresh": 14600, "flight": 1460,
         "phase": "rto_recovery", "rule": "RFC 5681 (4)"},
        {**rec, "time": 1.3, "cwnd": 2920, "ssthresh": 14600, "flight": 2920,
         "phase": "slow_start"},
    ]  # fmt: skip
    queue = {"type": "queue", "side": "client", "link": "client->server", "capacity": 100}
    events += [
        {**queue, "time": 0.1, "packets": 3, "bytes": 4380},
        {**queue, "time": 0.15, "packets": 9, "bytes": 13140},
    ]
    return {**base, "events": base["events"] + events}


def test_cwnd_plot_draws_each_series_from_the_records():
    from netutil.render.plots import _cc_series, _queue_series, has_congestion

    trace = _cc_trace()
    assert has_congestion(trace)
    series = _cc_series(trace["events"], "client")
    assert series["cwnd"] == [(0.1, 14600), (0.2, 29200), (1.2, 1460), (1.3, 2920)]
    assert series["ssthresh"][-1] == (1.3, 14600) and series["ssthresh"][0] == (0.1, None)
    assert series["recoveries"] == [(1.2, "rto_recovery")]
    assert _queue_series(trace) == {"client->server": [(0.1, 3), (0.15, 9)]}
    words = texts(render_plot("cwnd", trace))
    for label in ("client cwnd", "client ssthresh", "client bytes in flight", "RTO"):
        assert label in words, label
    assert "client->server queue" in words and "packets waiting" in words


def test_cwnd_plot_of_flows_names_each_flow():
    one = _cc_trace()
    flows = {
        "flows": [
            {"flow": n, **{k: one[k] for k in ("client", "server", "events")}} for n in (1, 2)
        ],
        "network": [e for e in one["events"] if e["type"] == "queue"],
        "options": one["options"],
    }
    words = texts(render_plot("cwnd", flows))
    assert "flow 1 client cwnd" in words and "flow 2 client cwnd" in words


def test_cwnd_plot_of_a_real_bottleneck_run_with_two_flows(tmp_path):
    from netutil.cli import main
    from netutil.render.plots import _queue_series
    from netutil.sim.flows import simulate_flows

    out = tmp_path / "cwnd.svg"
    argv = ["tcp", "handshake", "--data", "200000", "--bandwidth", "2Mbit", "--queue", "20"]
    argv += ["--cc", "none"]
    assert main([*argv, "--flows", "2", "--seed", "1", "--plot", "cwnd", "-o", str(out)]) == 0
    words = texts(out.read_text())
    assert "flow 1 client bytes in flight (no congestion window)" in words
    assert "flow 2 client bytes in flight (no congestion window)" in words
    assert "client->server queue" in words
    opts = SimOptions(data=200000, bandwidth=2_000_000, queue=20, flows=2, cc="none")
    queue = _queue_series(simulate_flows(opts, seed=1).as_dict())["client->server"]
    assert max(p for _, p in queue) == 20  # a 20-packet drop-tail queue fills, never more


def test_cwnd_plot_of_a_real_reno_run_leaves_out_the_side_that_sends_nothing():
    trace = simulate(
        SimOptions(data=300000, bandwidth=2_000_000, queue=20, cc="reno"), seed=1
    ).as_dict()
    words = texts(render_plot("cwnd", trace))
    assert "client cwnd" in words and "client ssthresh" in words
    assert "server cwnd" not in words  # the server sends no data: only its initial window
    assert "FR" in words or "RTO" in words  # the 20-packet queue overflows: a loss recovery
