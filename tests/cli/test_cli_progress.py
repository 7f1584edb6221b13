"""The progress line of long jobs: on a terminal only, forced by --progress, never in JSON."""

from __future__ import annotations

import io
import json

from netutil.cli import main
from netutil.cli.progress import counted, finish, input_size, reporter, wanted


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_wanted_follows_the_flag_then_the_terminal():
    assert wanted(True, io.StringIO()) is True
    assert wanted(False, Tty()) is False
    assert wanted(None, Tty()) is True
    assert wanted(None, io.StringIO()) is False


def test_reporter_draws_then_erases_its_line():
    out = io.StringIO()
    report = reporter("runs", out)
    report(10, 100)
    report(100, 100)
    assert out.getvalue() == "\rruns: 10 / 100 (10%)\x1b[K\r\x1b[K"


def test_reporter_without_a_total_counts_and_finish_erases():
    out = io.StringIO()
    report = reporter("summarize", out, unit="lines")
    report(65_536, None)
    report(131_072, None)  # within 0.1 s of the last: not drawn
    finish(out)
    assert out.getvalue() == "\rsummarize: 65,536 lines\x1b[K\r\x1b[K"


def test_monte_carlo_calls_progress_about_a_hundred_times():
    from netutil.sim.options import SimOptions
    from netutil.sim.stats import monte_carlo

    calls = []
    plain = monte_carlo(SimOptions(loss=0.1, seed=3), 1000).as_dict()
    seen = monte_carlo(
        SimOptions(loss=0.1, seed=3), 1000, progress=lambda d, n: calls.append((d, n))
    ).as_dict()
    assert seen == plain  # the same runs: progress changes nothing
    assert calls[-1] == (1000, 1000) and len(calls) == 100
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_no_progress_in_a_pipe_and_none_in_json(capsys):
    assert main(["tcp", "handshake", "--runs", "200", "--seed", "1"]) == 0
    assert capsys.readouterr().err == ""  # stderr is not a terminal here
    assert main(["tcp", "handshake", "--runs", "200", "--seed", "1", "--progress"]) == 0
    assert "200 / 200" not in capsys.readouterr().err  # the line is erased at the end...
    assert main(["tcp", "handshake", "--runs", "200", "--seed", "1", "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and json.loads(out)["runs"] == 200


def test_counted_blocks_pass_through_and_report_bytes(tmp_path):
    out = io.StringIO()
    blocks = [b"10.0.0.0/24\n" * 1000, b"10.0.1.0/24\n"]
    seen = []
    report = reporter("reading", out, unit="bytes")
    got = list(counted(blocks, lambda d, n: (seen.append((d, n)), report(d, n)), 12_012))
    assert got == blocks
    assert seen == [(12_000, 12_012), (12_012, 12_012), (12_012, 12_012)]
    assert out.getvalue() == "\rreading: 12,000 / 12,012 bytes (99%)\x1b[K\r\x1b[K\r\x1b[K"
    path = tmp_path / "list.txt"
    path.write_bytes(b"".join(blocks))
    with open(path, "rb") as f:
        assert input_size(f) == 12_012
    assert input_size(io.BytesIO(b"x")) is None  # no file behind it: a pipe's case
