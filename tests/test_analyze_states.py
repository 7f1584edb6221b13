"""Each side's state inferred from a capture, held against the simulator's own state machines:
the simulator runs a connection, its client's NIC view is written as a pcap
(`netutil.sim.capture`), and `netutil tcp analyze` must find, from the packets alone, the same
state changes with the same RFC 9293 rule ids (all but TIME-WAIT's end, T3, which sends
nothing). Also: the rules used are the table's, the SVG and the sequence plot of a captured
connection, and what the capture point cannot see."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from netutil.analyze import analyse
from netutil.analyze.trace import as_run, connection_trace
from netutil.cli import main
from netutil.render.plots import sequence_plot
from netutil.sim.capture import write_trace_pcap
from netutil.sim.states import RULES

DATA = Path(__file__).parent / "data"


def _simulate(capsys, args: list[str]) -> dict:
    assert main(["tcp", "handshake", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def _states(trace: dict, side: str) -> list[tuple[str, str, str]]:
    return [
        (e["from"], e["to"], e["rule"])
        for e in trace["events"]
        if e["type"] == "state" and e["side"] == side and e["rule"] != "T3"
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["--seed", "1"],
        ["--seed", "2", "--data", "5000"],
        ["--seed", "3", "--data", "3000", "--closer", "server"],
        ["--seed", "4", "--closer", "both"],  # simultaneous close: FIN-WAIT-1 -> CLOSING
        ["--seed", "7", "--data", "20000", "--closer", "both"],
        ["--seed", "5", "--no-listener"],  # RST,ACK from CLOSED: SYN-SENT -> CLOSED (S9)
        ["--seed", "8", "--no-close"],
    ],
)
def test_inferred_states_equal_the_simulators(capsys, args):
    run = _simulate(capsys, args)
    pcap = io.BytesIO()
    write_trace_pcap(pcap, run, "client")
    pcap.seek(0)
    captured = connection_trace(analyse(pcap), 0)
    for side in ("client", "server"):
        assert _states(captured, side) == _states(run, side)


def test_every_inferred_change_follows_its_rule_in_the_table():
    for name in ("loopback_ipv4.pcap", "loopback_ipv6.pcap", "namespace_lossy.pcapng"):
        analysis = analyse(io.BytesIO((DATA / name).read_bytes()))
        for number in range(len(analysis.connections)):
            trace = connection_trace(analysis, number)
            changes = [e for e in trace["events"] if e["type"] == "state"]
            assert changes
            for e in changes:
                rule = RULES[e["rule"]]
                assert rule.next_state in (e["to"], "same")
                assert e["from"] in rule.state or rule.state in ("synchronized",)
            times = [e["time"] for e in trace["events"]]
            assert times == sorted(times)


def test_a_fin_sent_twice_says_the_first_copy_may_have_been_lost(capsys):
    run = _simulate(capsys, ["--seed", "1", "--drop", "fin"])
    pcap = io.BytesIO()
    write_trace_pcap(pcap, run, "client")
    pcap.seek(0)
    trace = connection_trace(analyse(pcap), 0)
    fins = [e["number"] for e in trace["events"] if e["type"] == "send" and "FIN" in e["flags"]]
    assert any(
        f"the client sent its FIN again (first in frame {fins[0]})" in limit
        for limit in trace["capture_limits"]
    )


def test_svg_and_sequence_plot_of_a_captured_connection(capsys):
    path = str(DATA / "namespace_lossy.pcapng")
    assert main(["tcp", "analyze", path, "--connection", "1", "--format", "svg"]) == 0
    svg = capsys.readouterr().out
    root = ET.fromstring(svg)
    trace = connection_trace(analyse(io.BytesIO(Path(path).read_bytes())), 1)
    sends = [e for e in trace["events"] if e["type"] == "send"]
    assert root.get("data-segments") == str(len(sends)) == "547"
    assert "ESTABLISHED" in svg and "TIME-WAIT" in svg and "CLOSE-WAIT" in svg
    assert main(["tcp", "analyze", path, "--connection", "1", "--plot", "sequence"]) == 0
    plot = capsys.readouterr().out
    assert plot == sequence_plot(as_run(trace), "client")
    ET.fromstring(plot)
    assert main(["tcp", "analyze", path, "--plot", "sequence"]) == 1
    assert "--plot needs --connection N" in capsys.readouterr().err
