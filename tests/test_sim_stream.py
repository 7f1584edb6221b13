"""A run streamed as it goes (TraceStream, the CLI's writers) gives exactly what the whole
trace gives, and holds no more than a few events at a time."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import dpkt
import pytest

from netutil.cli import main
from netutil.cli.handshake import handshake_result, write_json_stream
from netutil.render.ladder import render_ladder, summary_pairs
from netutil.sim.capture import write_trace_pcap
from netutil.sim.options import SimOptions
from netutil.sim.run import TraceStream, simulate
from tests.test_sim_regression import SCENARIOS


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_a_streamed_run_is_the_simulated_run(name):
    options = SimOptions(**SCENARIOS[name])
    whole = simulate(options).as_dict()
    stream = TraceStream(options)
    assert stream.head() == {k: whole[k] for k in ("options", "client", "server")}
    assert list(stream.events()) == whole["events"]
    assert stream.summary.as_dict() == whole["summary"]


@pytest.mark.parametrize("name", ["plain", "event-cap", "no-listener", "all-impairments"])
def test_streamed_json_is_byte_for_byte_the_whole_dict_dumped(name):
    options = SimOptions(**SCENARIOS[name])
    whole = simulate(options).as_dict()
    expected = json.dumps(whole, indent=2, ensure_ascii=False) + "\n"
    stream = TraceStream(options)
    out = io.StringIO()
    write_json_stream(stream.head(), stream.events(), lambda: stream.summary.as_dict(), out, 7)
    assert out.getvalue() == expected


def test_empty_event_list_is_written_as_json_writes_it():
    out = io.StringIO()
    write_json_stream({"a": 1}, iter(()), lambda: {"b": [1]}, out)
    assert (
        out.getvalue() == json.dumps({"a": 1, "events": [], "summary": {"b": [1]}}, indent=2) + "\n"
    )


@pytest.mark.parametrize("name", ["drops", "transfer"])
def test_cli_ladder_and_pcap_streamed_equal_the_whole_trace(tmp_path, capsys, name):
    kw = SCENARIOS[name]
    whole = simulate(SimOptions(**kw)).as_dict()
    argv = ["tcp", "handshake", "--seed", str(kw["seed"])]
    argv += {"drops": ["--drop", "2,5,syn-ack:1,fin"], "transfer": ["--data", "300000",
             "--loss", "0.02", "--mss", "536"]}[name]  # fmt: skip
    assert main(argv) == 0
    ladder = capsys.readouterr().out
    # drawn as the CLI draws it into a pipe: 80 columns, with the legend
    expected = [*render_ladder(whole, width=80, legend=True), "", *summary_pairs_text(whole)]
    assert ladder.splitlines() == expected
    target = tmp_path / "run.pcap"
    assert main([*argv, "-o", str(target)]) == 0
    reference = io.BytesIO()
    write_trace_pcap(reference, whole)
    assert target.read_bytes() == reference.getvalue()


def summary_pairs_text(trace):
    from netutil.cli.output import format_block

    return format_block(summary_pairs(trace["summary"])).splitlines()


MEASURE = """
import resource, sys
from netutil.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""


def _peak_kib(argv: list[str]) -> tuple[int, bytes]:
    proc = subprocess.run([sys.executable, "-c", MEASURE, *argv], capture_output=True, check=True)
    return int(proc.stderr.decode().split()[-1]), proc.stdout


@pytest.mark.parametrize("fmt", ["json", "pcap", "ladder"])
def test_a_long_run_streams_in_bounded_memory(fmt):
    # 5,682 data segments, about 11,400 events: held whole, the JSON run's peak RSS grew by
    # about 110 MB; streamed it grows by a few MB over a run with no data
    base, _ = _peak_kib(["tcp", "handshake", "--seed", "1", "--format", fmt])
    argv = ["tcp", "handshake", "--data", "500000", "--mss", "88", "--seed", "1", "--format"]
    peak, out = _peak_kib([*argv, fmt])
    assert peak - base < 24 * 1024, (base, peak)
    if fmt == "json":
        assert json.loads(out)["summary"]["bytes_delivered"] == 500_000
    elif fmt == "pcap":  # every data segment and its ACK at least
        assert len(list(dpkt.pcap.Reader(io.BytesIO(out)))) > 2 * 5_682


def test_a_run_past_its_cap_is_refused_before_it_runs(capsys):
    code = main(["tcp", "handshake", "--window", "1", "--data", "64Mi", "--seed", "1"])
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err == (
        "netutil: error: sending 67108864 bytes in segments of at most 1 bytes (min of MSS 1460 "
        "and window 1) takes at least 67108864 events, past the cap of 10000000: a larger "
        "window or MSS, or less data, fits\n"
    )


def test_a_run_of_millions_of_events_says_so_before_it_starts(capsys):
    stream = handshake_result({"seed": 1, "data": 64 * 2**20, "window": 64}, None)
    assert isinstance(stream, TraceStream)  # nothing has run yet
    assert capsys.readouterr().err == (
        "netutil: note: this run takes at least 1048576 events (one per data segment; the cap "
        "is 10000000); it is written as it runs\n"
    )
