"""The ladder diagram: fits the width asked for, keeps its borders, streams its events."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from netutil.cli import main
from netutil.render.ladder import FRAME, FULL_WIDTH, LANE, SIDE, TIME, render_ladder
from netutil.sim.options import SimOptions
from netutil.sim.run import simulate

TRACE = simulate(SimOptions(seed=3, loss=0.3, data=5000)).as_dict()


def _diagram(lines: list[str]) -> list[str]:
    """The rows under the header's dashed rule (up to the note under them, if any)."""
    start = next(i for i, line in enumerate(lines) if set(line) == {"-"})
    rows = lines[start + 1 :]
    return rows[: rows.index("")] if "" in rows else rows


@pytest.mark.parametrize("width", [80, 100, FULL_WIDTH, 60])
def test_every_row_keeps_both_borders(width):
    lane = max(36, min(LANE, width - FRAME))
    lines = list(render_ladder(TRACE, width=width, legend=True))
    left = TIME + 2 + SIDE  # index of the left border
    rows = _diagram(lines)
    assert len(rows) >= len(TRACE["events"]) // 2
    for row in rows:
        assert row[left] == "|" and row[left + lane + 1] == "|", row
    if width >= FRAME + 36:
        assert max(map(len, lines)) <= width


def test_a_long_label_wraps_inside_the_lane():
    base = next(e for e in TRACE["events"] if e["type"] == "send" and e["side"] == "server")
    note = "retransmission (partial ACK) after a very long explanation of why it was sent"
    trace = {**TRACE, "events": [{**base, "note": note}]}
    rows = _diagram(list(render_ladder(trace, width=80)))
    assert len(rows) > 1
    assert all(len(r) <= 80 and r[24] == "|" and r[24 + 41] == "|" for r in rows)
    lane_text = " ".join(r[25 : 24 + 41].strip(" <-") for r in rows)
    assert f"({note})" in lane_text


def test_rows_are_written_as_events_come():
    consumed = []

    def events():
        for e in TRACE["events"]:
            consumed.append(e)
            yield e

    lines = render_ladder(TRACE, events(), width=80)
    rows_seen = []
    for line in lines:
        rows_seen.append(line)
        if len(rows_seen) == 12:  # the header (title, RTT, blank, titles, rule) and 7 rows
            break
    # a row is written once the next event shows it is complete: far from the end of the run
    assert len(consumed) < len(TRACE["events"]) // 2
    rest = [*rows_seen, *lines]
    assert rest == list(render_ladder(TRACE, width=80))


def test_explain_adds_rows_beside_the_event():
    def explain(e):
        return f"rule {e['rule']}" if e["type"] == "state" else None

    lines = list(render_ladder(TRACE, width=80, explain=explain))
    rules = [e["rule"] for e in TRACE["events"] if e["type"] == "state"]
    shown = [line for line in lines if "rule " in line]
    assert len(shown) == len(rules)
    assert all(line[:TIME].strip() == "" for line in shown)  # no time: they belong above


def test_cli_ladder_fits_columns_and_has_a_legend(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["tcp", "handshake", "--loss", "0.3", "--seed", "3", "--data", "5000"]) == 0
    out = capsys.readouterr().out
    assert max(map(len, out.splitlines())) <= 80
    assert "Each segment shows on two rows: its send" in out
    monkeypatch.setenv("COLUMNS", "100")
    assert main(["tcp", "handshake", "--loss", "0.3", "--seed", "3", "--data", "5000"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(map(len, lines)) == 100


def test_in_a_pipe_the_ladder_is_80_columns():
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    out = subprocess.run(
        [sys.executable, "-m", "netutil", "tcp", "handshake", "--loss", "0.3", "--seed", "3"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout
    assert max(map(len, out.splitlines())) == 80


def test_a_fin_retransmitted_into_time_wait_says_it_restarts_the_wait():
    # the client's last ACK (#7) is dropped: the server's FIN comes again after its 1 s RTO
    # (RFC 6298 2.1), arriving at 0.15 + 1 + 0.05 = 1.2 s; in TIME-WAIT the client restarts
    # 2 MSL (RFC 9293 3.10.7.4, eighth check) and reaches CLOSED at 1.2 + 2 * 120 = 241.2 s
    trace = simulate(SimOptions(seed=1, drop=("7",))).as_dict()
    rows = _diagram(list(render_ladder(trace)))
    restart = [r for r in rows if "TIME-WAIT restarts" in r]
    assert len(restart) == 1
    assert restart[0].split()[0] == "1.200"
    assert "< #8 duplicate FIN: TIME-WAIT restarts, CLOSED 240 s later" in restart[0]
    assert rows[-1].split()[:2] == ["241.200", "CLOSED"]


def _read_trace(reads, window):
    """A hand-made trace: the server advertises 0, its application reads, it sends `window`."""
    base = simulate(SimOptions(seed=1)).as_dict()
    ack = next(e for e in base["events"] if e["type"] == "send" and e["side"] == "server")
    ack = {**ack, "flags": ["ACK"], "options": []}
    events = [{**ack, "time": 1.0, "number": 5, "window": 0}]
    events += [
        {"type": "user", "time": t, "side": "server", "text": f"RECEIVE {n} bytes"}
        for t, n in reads
    ]
    events.append({**ack, "time": 3.0, "number": 6, "window": window, "note": "window update"})
    return {**base, "events": events}


def test_reads_that_move_the_window_are_shown_above_the_segment_they_move():
    rows = _diagram(list(render_ladder(_read_trace([(1.5, 250), (2.75, 250)], 500), width=80)))
    text = [r[25:65].strip() for r in rows]
    at = text.index("app: RECEIVE 500 bytes in 2 reads")
    assert text[at + 1] == "since 1.500"
    assert rows[at + 2].split()[0] == "3.000" and "#6 ACK" in rows[at + 2]
    assert not rows[at][:9].strip()  # the read's row has no time of its own: its text says it
    one = _diagram(list(render_ladder(_read_trace([(2.0, 300)], 300), width=80)))
    assert any("app: RECEIVE 300 bytes (at 2.000)" in r for r in one)


def test_reads_that_leave_the_window_as_it_was_are_not_shown():
    rows = _diagram(list(render_ladder(_read_trace([(2.0, 300)], 0), width=80)))
    assert not any("RECEIVE" in r for r in rows)


def test_congestion_records_with_a_rule_are_notes_and_flight_only_ones_are_not():
    base = simulate(SimOptions(seed=1)).as_dict()
    record = {"type": "congestion", "time": 0.2, "side": "client", "cwnd": 14600}
    events = [
        {**record, "ssthresh": None, "flight": 2920, "phase": "slow_start", "rule": None},
        {
            **record,
            "ssthresh": 7300,
            "flight": 0,
            "phase": "rto_recovery",
            "rule": "RFC 5681 (4): ssthresh = max(FlightSize / 2, 2*SMSS)",
        },
    ]
    rows = _diagram(list(render_ladder({**base, "events": events}, width=FULL_WIDTH)))
    text = " ".join(r[25 : 25 + LANE].strip() for r in rows)
    assert text == (
        "cc: rto recovery: cwnd=14600 ssthresh=7300 flight=0 (RFC 5681 (4): ssthresh = "
        "max(FlightSize / 2, 2*SMSS))"
    )


def test_a_slow_reader_s_reads_are_shown_above_the_window_update_they_cause():
    # a 1000-byte buffer read at 200 B/s in chunks of min(MSS, buffer / 4) = 250 bytes: the
    # first 1000 bytes arrive at 0.15 s and are read at 1.40 and 2.65 s (250 / 200 = 1.25 s
    # each); receiver SWS avoidance (RFC 9293 3.8.6.2.2) opens the window only once it can
    # offer min(buffer / 2, MSS) = 500 bytes, so the update (win=500) goes at 2.65 s
    trace = simulate(SimOptions(seed=1, data=5000, window=1000, read_rate=200.0)).as_dict()
    rows = _diagram(list(render_ladder(trace, width=FULL_WIDTH)))
    at = next(i for i, r in enumerate(rows) if "(window update)" in r)
    assert rows[at].split()[0] == "2.650" and "ack=1001 win=500 (window update)" in rows[at]
    assert "app: RECEIVE 500 bytes in 2 reads since 1.400" in rows[at - 1]
