"""Several flows over one bottleneck: Jain's index by its definition, a fair share between
identical flows, start offsets, one shared queue, caps.

Jain's index is checked against values worked out by hand from (sum x)^2 / (n sum x^2)
(Jain, Chiu and Hawe, DEC-TR-301, 1984); the link's capacity for goodput is the bandwidth times
payload / packet, the 52 bytes of IPv4 + TCP + timestamp headers per 1460-byte segment.
"""

from __future__ import annotations

import json
import re

import pytest

from netutil.cli import main
from netutil.errors import InvalidInput
from netutil.sim.flows import jain_index, simulate_flows
from netutil.sim.options import SimOptions
from netutil.sim.request import Budget, BudgetExceeded, run_request
from netutil.sim.run import simulate


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([5.0, 5.0], 1.0),
        ([1.0, 0.0], 0.5),  # one flow takes all: 1/n
        ([1.0, 0.0, 0.0, 0.0], 0.25),
        ([1.0, 2.0, 3.0], 36 / 42),  # 6^2 / (3 * 14)
        ([10.0, 30.0], 1600 / 2000),  # 40^2 / (2 * 1000)
    ],
)
def test_jain_index_by_its_definition(values, expected):
    assert jain_index(values) == pytest.approx(expected, rel=1e-12)


def test_jain_index_of_nothing_is_none():
    assert jain_index([]) is None and jain_index([0.0, 0.0]) is None


def run(**kw):
    kw.setdefault("seed", 1)
    return simulate_flows(SimOptions(**kw)).as_dict()


def test_two_identical_window_limited_flows_share_the_link_fairly_and_fill_it():
    # 10 Mbit/s, 20 ms RTT; each flow's 64 KiB window is over half the BDP plus what the queue
    # holds, so together they keep the link busy and the queue never overflows
    rate = 10e6
    t = run(flows=2, bandwidth=rate, delay=0.01, data=2_000_000, window=64 * 1024)
    s = t["summary"]
    assert s["outcome"] == "completed"
    assert [f["outcome"] for f in s["flows"]] == ["completed", "completed"]
    assert s["bottleneck"]["queue_drops"] == {"client->server": 0, "server->client": 0}
    assert s["jain_index"] > 0.99
    capacity = rate * 1460 / 1512
    total = sum(f["goodput"] for f in s["flows"])
    assert total == pytest.approx(capacity, rel=0.03)
    assert total < capacity
    for f in s["flows"]:
        assert f["goodput"] == pytest.approx(capacity / 2, rel=0.05)
        assert f["bytes_delivered"] == 2_000_000 and f["data_intact"]


def test_each_flow_has_its_own_ports_and_its_own_trace():
    t = run(flows=4, data=3000)
    ports = [f["client"]["port"] for f in t["flows"]]
    assert len(set(ports)) == 4
    for f in t["flows"]:
        first = next(e for e in f["events"] if e["type"] == "send")
        assert first["kind"] == "syn"
        assert {e["side"] for e in f["events"]} == {"client", "server"}
    # a flow's segments are numbered in the network's one sequence, so no number repeats
    numbers = [e["number"] for f in t["flows"] for e in f["events"] if e["type"] == "send"]
    assert len(numbers) == len(set(numbers))


def test_flows_open_at_their_offsets():
    t = run(flows=3, flow_start=(0.0, 0.25, 1.5), data=1000)
    syns = [
        next(e["time"] for e in f["events"] if e["type"] == "send" and e["kind"] == "syn")
        for f in t["flows"]
    ]
    assert syns == [0.0, 0.25, 1.5]
    assert [f["start"] for f in t["summary"]["flows"]] == [0.0, 0.25, 1.5]


def test_one_offset_is_the_gap_between_starts():
    t = run(flows=3, flow_start=(0.5,), data=1000)
    assert [f["start"] for f in t["summary"]["flows"]] == [0.0, 0.5, 1.0]


def test_the_flows_share_one_queue():
    t = run(flows=3, bandwidth=2e6, queue=10, data=200_000, window=64 * 1024, delay=0.02)
    s = t["summary"]
    drops = s["bottleneck"]["queue_drops"]
    per_flow = sum(f["queue_drops"] for f in s["flows"])
    assert per_flow == drops["client->server"] + drops["server->client"] > 0
    counted = sum(
        1
        for f in t["flows"]
        for e in f["events"]
        if e["type"] == "send" and e["fate"] == "queue-drop"
    )
    assert counted == per_flow
    assert all(e["packets"] <= 10 for e in t["network"])
    assert s["outcome"] == "completed"


def test_one_flow_through_the_flows_runner_is_the_single_run():
    options = SimOptions(seed=5, data=20_000, loss=0.05, bandwidth=1e6)
    single = simulate(options).as_dict()
    flows = simulate_flows(options).as_dict()
    (flow,) = flows["flows"]
    queue = [e for e in single["events"] if e["type"] == "queue"]
    assert flow["events"] == [e for e in single["events"] if e["type"] != "queue"]
    assert flows["network"] == queue
    assert flow["client"] == single["client"]


def test_tiny_bandwidth_many_flows_end_at_the_cap():
    t = run(flows=4, bandwidth=1e3, data=1_000_000, max_time=600)
    assert t["summary"]["outcome"] == "limit_exceeded"
    assert t["summary"]["reason"] == "flow 1: simulation passed its cap of 600 simulated seconds"


def test_a_request_budget_holds_for_flows():
    with pytest.raises(BudgetExceeded, match="its budget of 50 simulation events"):
        run_request({"flows": 2, "data": 100_000, "seed": 1}, budget=Budget(events=50))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"flows": 0}, "invalid flows 0: expected an integer in [1, 32]"),
        ({"flows": 33}, "invalid flows 33: expected an integer in [1, 32]"),
        ({"flows": 2, "flow_start": (0.0, 1.0, 2.0)},
         "invalid flow_start: 3 offsets for 2 flows (give one per flow, or one gap)"),
        ({"flow_start": (-1.0,)},
         "invalid flow_start item -1.0: expected seconds in [0, 3600]"),
        ({"flow_start": "1s"}, "invalid flow_start '1s': expected a list of seconds"),
        ({"flows": 32, "data": 4 * 1024 * 1024},
         "too much data: 32 flows x 4194304 bytes is over 67108864"),
    ],
)  # fmt: skip
def test_bad_flow_options_are_refused(kwargs, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        SimOptions(**kwargs)


def test_the_single_run_refuses_several_flows():
    with pytest.raises(InvalidInput, match="2 flows: one connection runs here"):
        simulate(SimOptions(flows=2))


def test_monte_carlo_refuses_flows():
    with pytest.raises(InvalidInput, match="runs and flows"):
        run_request({"flows": 2}, runs=10)


def test_cli_text_summary_and_json(capsys):
    argv = ["tcp", "handshake", "--flows", "2", "--flow-start", "0,100ms", "--data", "20k",
            "--bandwidth", "5Mbit", "--seed", "3"]  # fmt: skip
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "jain's fairness index:" in out and "flow 2:" in out and "start 0.1 s" in out
    assert main([*argv, "--json"]) == 0
    t = json.loads(capsys.readouterr().out)
    assert [f["flow"] for f in t["summary"]["flows"]] == [1, 2]
    assert t["options"]["flow_start"] == [0.0, 0.1]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--format", "pcap", "-o", "x.pcap"], "--format pcap shows one connection, not 2 flows"),
        (["--plot", "sequence"], "--plot shows one connection, not 2 flows"),
        (["--runs", "10"], "--runs is Monte Carlo over one connection, not 2 flows"),
    ],
)
def test_cli_refuses_one_connection_outputs_for_flows(extra, message, capsys, tmp_path):
    assert main(["tcp", "handshake", "--flows", "2", *extra]) == 2
    assert message in capsys.readouterr().err


def test_the_api_schema_describes_a_real_flows_result():
    from api.schemas.handshake import FlowsTrace
    from tests.api.test_schemas import assert_described

    t = run(flows=2, data=30_000, bandwidth=1e6, queue=5, loss=0.02, seed=4)
    assert t["network"] and any(f["queue_drops"] for f in t["summary"]["flows"])
    assert_described(FlowsTrace(), t)


def test_the_api_runs_flows_and_refuses_a_diagram_of_them():
    from api import create_app

    client = create_app({"TESTING": True}).test_client()
    body = {"flows": 2, "flow_start": [0, 0.5], "data": 3000, "seed": 1}
    got = client.post("/api/handshake", json=body)
    assert got.status_code == 200
    assert [f["flow"] for f in got.get_json()["summary"]["flows"]] == [1, 2]
    assert got.get_json() == run(flows=2, flow_start=(0.0, 0.5), data=3000)
    svg = client.post("/api/handshake", json=body, headers={"Accept": "image/svg+xml"})
    assert svg.status_code == 406
    bad = client.post("/api/handshake", json={"flows": 2, "flow_start": [0, 1, 2]})
    assert bad.status_code in (400, 422)
    assert "3 offsets for 2 flows" in bad.get_data(as_text=True)


def test_given_ports_number_the_flows():
    t = run(flows=3, client_port=40000, server_port=5001, data=1000)
    assert [f["client"]["port"] for f in t["flows"]] == [40000, 40001, 40002]
    assert {f["server"]["port"] for f in t["flows"]} == {5001}
    with pytest.raises(InvalidInput, match=re.escape(
        "invalid client_port 65535: 2 flows take the ports from it to 65536, past 65535"
    )):  # fmt: skip
        SimOptions(flows=2, client_port=65535)


def test_two_identical_reno_flows_converge_to_a_fair_share():
    # two Reno flows (RFC 5681) from the same start over one 10 Mbit/s, 20 ms RTT bottleneck
    # with a 50-packet queue: losses come only from the queue, AIMD shares the link
    # (Chiu and Jain 1989), so Jain's index over their goodputs is near 1
    t = run(flows=2, cc="reno", bandwidth=10e6, delay=0.01, queue=50, data=4_000_000,
            window=1 << 20)  # fmt: skip
    s = t["summary"]
    assert s["outcome"] == "completed"
    assert [f["cc"] for f in s["flows"]] == ["reno", "reno"]
    assert sum(s["bottleneck"]["queue_drops"].values()) > 0  # they did fill the queue
    assert s["jain_index"] > 0.95
    capacity = 10e6 * 1460 / 1512
    assert sum(f["goodput"] for f in s["flows"]) == pytest.approx(capacity, rel=0.1)


def test_each_flow_its_own_congestion_control():
    t = run(flows=2, flow_cc=("reno", "cubic"), bandwidth=10e6, delay=0.01, data=500_000,
            window=1 << 20)  # fmt: skip
    s = t["summary"]
    assert [f["cc"] for f in s["flows"]] == ["reno", "cubic"]
    assert s["outcome"] == "completed"
    cc_events = {
        f["flow"]: {e.get("phase") for e in f["events"] if e["type"] == "congestion"}
        for f in t["flows"]
    }
    assert all(cc_events.values())  # each flow's sender reported its window


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"flows": 2, "flow_cc": ("reno", "cubic", "reno")},
         "invalid flow_cc: 3 names for 2 flows (give one per flow, or one for all)"),
        ({"flow_cc": ("vegas",)},
         "invalid flow_cc item 'vegas': expected one of none, reno, newreno, cubic"),
    ],
)  # fmt: skip
def test_bad_flow_cc_is_refused(kwargs, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        SimOptions(**kwargs)
