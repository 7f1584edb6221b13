"""The sequence diagram, checked as XML: what is drawn against what the trace says happened.

Counts come from the network's own counters in the summary (segments sent, lost, corrupted,
duplicated), which are kept apart from the event list the drawing reads; times from RFC 9293's
2 MSL and the one-way delay given.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from netutil.render.explain import explain, section_text, state_sentence
from netutil.render.svg import render_svg
from netutil.sim.options import SimOptions
from netutil.sim.run import simulate
from netutil.sim.states import TRANSITIONS

NS = {"s": "http://www.w3.org/2000/svg"}


def trace(**options):
    seed = options.pop("seed", 1)
    return simulate(SimOptions(**options), seed=seed).as_dict()


def parse(t):
    return ET.fromstring(render_svg(t).encode())


def groups(root, cls):
    return [g for g in root.iter() if cls in (g.get("class") or "").split()]


def arrows(root):
    return [e for e in root.iter(f"{{{NS['s']}}}line") if e.get("class") == "arrow"]


@pytest.mark.parametrize("seed", [4, 11, 23])
def test_one_arrow_per_segment_and_one_cross_per_loss(seed):
    t = trace(loss=0.3, seed=seed)
    root = parse(t)
    summary = t["summary"]
    assert len(arrows(root)) == summary["segments_sent"]
    crosses = [e for e in root.iter() if e.get("class") == "cross"]
    assert len(crosses) == summary["segments_lost"]
    assert summary["segments_lost"] > 0  # the seeds were picked to lose something


def test_dropped_syn_ack_is_the_only_cross_and_it_ends_halfway():
    t = trace(drop=("syn-ack",))
    root = parse(t)
    segs = groups(root, "segment")
    lost = [g for g in segs if g.find("s:path[@class='cross']", NS) is not None]
    assert [g.get("data-kind") for g in lost] == ["syn-ack"]
    line = lost[0].find("s:line", NS)
    x1, x2 = float(line.get("x1")), float(line.get("x2"))
    delivered = segs[0].find("s:line", NS)
    left, right = float(delivered.get("x1")), float(delivered.get("x2"))
    assert x1 == right and x2 == pytest.approx((left + right) / 2)
    assert "dropped" in lost[0].find("s:text", NS).text


def test_arrows_in_time_order_and_slopes_to_scale():
    # jitter makes every delay different: the drawn drop of each arrow must be proportional
    t = trace(jitter=0.04, data=3000, seed=2)
    root = parse(t)
    sends = [e for e in t["events"] if e["type"] == "send" and e["fate"] == "delivered"]
    lines = [g.find("s:line", NS) for g in groups(root, "segment")]
    y1 = [float(x.get("y1")) for x in lines]
    assert y1 == sorted(y1)
    ratios = []
    for e, line in zip(
        sends,
        [
            ln
            for ln, g in zip(lines, groups(root, "segment"), strict=True)
            if g.get("data-fate") == "delivered"
        ],
        strict=True,
    ):
        dy = float(line.get("y2")) - float(line.get("y1"))
        ratios.append(dy / (e["arrival"] - e["time"]))
    assert max(ratios) == pytest.approx(min(ratios), rel=0.01)


def test_state_bands_follow_the_state_changes_of_each_side():
    t = trace()
    root = parse(t)
    for side in ("client", "server"):
        want = [e["to"] for e in t["events"] if e["type"] == "state" and e["side"] == side]
        bands = [g for g in groups(root, "state-band") if g.get("data-side") == side]
        assert [b.get("data-state") for b in bands] == want
        ys = [float(b.get("data-y")) for b in bands]
        assert ys == sorted(ys)
        for b in bands:  # the name is written, not only coloured
            assert b.find("s:text", NS).text == b.get("data-state")
    # RFC 9293 Figure 5 order of an active close: the client passes through TIME-WAIT
    client = [
        g.get("data-state") for g in groups(root, "state-band") if g.get("data-side") == "client"
    ]
    assert client == ["SYN-SENT", "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "CLOSED"]


@pytest.mark.parametrize("msl", [120.0, 30.0])
def test_time_wait_is_a_marked_break_of_its_length(msl):
    # no loss: the server's last event is the final ACK's arrival, one delay (0.05 s) after the
    # client entered TIME-WAIT; the client leaves it 2 MSL after entering (RFC 9293 3.3.2)
    root = parse(trace(msl=msl))
    breaks = groups(root, "time-break")
    assert len(breaks) == 1
    length = float(breaks[0].get("data-to")) - float(breaks[0].get("data-from"))
    assert length == pytest.approx(2 * msl - 0.05)
    assert f"{2 * msl - 0.05:g} s later" in "".join(breaks[0].itertext())


def test_no_break_when_nothing_idles():
    root = parse(trace(close=False))
    assert groups(root, "time-break") == []


def test_corrupted_and_duplicated_are_drawn_apart_and_labelled():
    t = trace(corrupt=0.3, duplicate=0.3, data=6000, seed=5)
    root = parse(t)
    s = t["summary"]
    segs = groups(root, "segment")
    corrupted = [g for g in segs if g.get("data-fate") == "corrupted"]
    copies = [e for e in root.iter() if e.get("class") == "copy-arrow"]
    assert len(copies) == s["segments_duplicated"]
    # a copy can be the corrupted one too: count copies whose mark says bad checksum
    bad_copies = sum(1 for g in root.iter() if (g.text or "").startswith("copy 2: bad checksum"))
    assert len(corrupted) + bad_copies == s["segments_corrupted"]
    for g in corrupted:
        line = g.find("s:line[@class='arrow']", NS)
        assert line.get("stroke-dasharray")  # a pattern, not only a colour
        assert "corrupted" in g.find("s:title", NS).text.splitlines()[0]
    for g in segs:
        if g.get("data-marks") and "duplicated" in g.get("data-marks"):
            assert "duplicated" in g.find("s:title", NS).text


def test_retransmissions_are_thick_and_say_so():
    t = trace(loss=0.3, seed=4)
    root = parse(t)
    rtx = [g for g in groups(root, "segment") if "retransmitted" in (g.get("data-marks") or "")]
    summary = t["summary"]["retransmissions"]
    assert len(rtx) == summary["client"] + summary["server"]
    for g in rtx:
        assert float(g.find("s:line", NS).get("stroke-width")) > 2


def test_every_arrow_and_band_has_a_tooltip_with_its_rule():
    root = parse(trace(loss=0.3, seed=4))
    for g in groups(root, "segment") + groups(root, "state-band"):
        assert g.find("s:title", NS).text.strip()
    syn_received = next(
        g for g in groups(root, "state-band") if g.get("data-state") == "SYN-RECEIVED"
    )
    assert "(rule S6, RFC 9293 section 3.10.7.2)" in syn_received.find("s:title", NS).text


def test_fin_retransmitted_into_time_wait_shows_the_restart():
    # drop the client's last ACK (#7): the server resends its FIN after its RTO (1 s), the
    # client, in TIME-WAIT, restarts 2 MSL: CLOSED at 1.2 + 240 s, not 0.2 + 240 s
    t = trace(drop=("7",))
    root = parse(t)
    restarts = groups(root, "timer-restart")
    assert len(restarts) == 1
    assert "rule S34" in restarts[0].find("s:title", NS).text
    closed = [e for e in t["events"] if e["type"] == "state" and e["side"] == "client"][-1]
    assert closed["to"] == "CLOSED" and closed["time"] == pytest.approx(1.2 + 240)


def test_drawing_is_safe_to_inline_under_a_strict_csp():
    text = render_svg(trace(loss=0.3, seed=4))
    assert not re.search(r"<style[\s>]|\sstyle=|<script|\son\w+=", text)


def test_explanations_one_per_event_with_rule_and_section():
    t = trace(loss=0.3, seed=4)
    sentences = list(explain(t))
    assert len(sentences) == len(t["events"])
    for e, text in zip(t["events"], sentences, strict=True):
        if e["type"] == "state":
            assert f"rule {e['rule']}" in text and "RFC 9293" in text


def test_state_sentence_reads_the_rule_table():
    e = {
        "type": "state",
        "time": 0.05,
        "side": "server",
        "from": "LISTEN",
        "to": "SYN-RECEIVED",
        "rule": "S6",
    }
    assert state_sentence(e) == (
        "server: SYN arrives in LISTEN, so it sends SYN,ACK and enters SYN-RECEIVED "
        "(rule S6, RFC 9293 section 3.10.7.2)"
    )


def test_every_rule_makes_a_sentence():
    for rule in TRANSITIONS:
        e = {"side": "client", "from": "X", "to": "Y", "rule": rule.rule}
        text = state_sentence(e)
        assert re.search(r"\(rule \w+, .*\)$", text), text
        assert " none" not in text


@pytest.mark.parametrize(
    ("section", "text"),
    [
        ("3.10.7.4 fifth", "RFC 9293 section 3.10.7.4, fifth check"),
        ("3.10.8, RFC 6298 5.4-5.6", "RFC 9293 section 3.10.8; RFC 6298 5.4-5.6"),
        ("3.10.7.3, Figure 7", "RFC 9293 section 3.10.7.3; RFC 9293 Figure 7"),
        ("3.10.7.4 fifth, eighth", "RFC 9293 section 3.10.7.4, fifth and eighth checks"),
    ],
)
def test_section_text(section, text):
    assert section_text(section) == text


def test_window_moves_say_why():
    # a 1000-byte buffer read at 200 bytes/s: the window closes as data arrives and opens as
    # the application reads (RFC 9293 3.8.6); each change of a side's advertised window is
    # explained with the two values, taken here from the JSON's own segments
    t = trace(data=5000, window=1000, read_rate=200.0)
    last = {}
    changes = 0
    for e, text in zip(t["events"], explain(t), strict=True):
        if e["type"] != "send" or "SYN" in e["flags"]:
            continue
        before, last[e["side"]] = last.get(e["side"]), e["window"]
        if before is None or before == e["window"]:
            continue
        changes += 1
        if e["note"] == "window update":
            assert "the application read enough to open the window" in text
        elif e["window"] > before:
            assert f"window grew from {before} to {e['window']}" in text
        else:
            assert f"window shrank from {before} to {e['window']}" in text
    assert changes >= 4


def test_reads_that_move_the_window_are_drawn_beside_the_segment_they_move():
    t = trace(seed=1)
    ack = next(e for e in t["events"] if e["type"] == "send" and e["side"] == "server")
    ack = {**ack, "flags": ["ACK"], "options": []}
    events = [
        {**ack, "time": 1.0, "number": 1, "window": 0},
        {"type": "user", "time": 1.5, "side": "server", "text": "RECEIVE 250 bytes"},
        {"type": "user", "time": 2.75, "side": "server", "text": "RECEIVE 250 bytes"},
        {**ack, "time": 3.0, "number": 2, "window": 500, "note": "window update"},
        {"type": "user", "time": 3.5, "side": "server", "text": "RECEIVE 100 bytes"},
        {**ack, "time": 4.0, "number": 3, "window": 500},  # the read moved nothing: not shown
    ]
    root = parse({**t, "events": events})
    (read,) = groups(root, "app-read")
    assert read.get("data-step") == "3" and read.get("data-side") == "server"
    assert read.find("s:text", NS).text == "app read 500 B"
    assert "RECEIVE 500 bytes in 2 reads since 1.500" in read.find("s:title", NS).text
    texts = [n.text or "" for n in root.iter(f"{{{NS['s']}}}text")]
    assert not [x for x in texts if "RECEIVE" in x]  # each read is not drawn on its own


def _capture_trace(number):
    from netutil.analyze import analyse
    from netutil.analyze.trace import connection_trace

    with open(CAPTURE, "rb") as f:
        return connection_trace(analyse(f, every_segment=True), number)


CAPTURE = __import__("pathlib").Path(__file__).parent / "data" / "namespace_lossy.pcapng"


def _dpkt_segments(port):
    """(time, sender port, flags) of each TCP segment to or from `port`, read by dpkt."""
    import dpkt

    out = []
    with open(CAPTURE, "rb") as f:
        for ts, buf in dpkt.pcapng.Reader(f):
            ip = dpkt.ip.IP(buf[4:]) if buf[:4] == b"\x02\x00\x00\x00" else None
            if ip is None:
                eth = dpkt.ethernet.Ethernet(buf)
                ip = eth.data
            tcp = ip.data
            if isinstance(tcp, dpkt.tcp.TCP) and port in (tcp.sport, tcp.dport):
                out.append((ts, tcp.sport, tcp.flags))
    return out


@pytest.mark.parametrize("number,port", [(0, 5001), (1, 5002)])
def test_a_captured_connection_draws_one_arrow_per_captured_segment_in_order(number, port):
    seen = _dpkt_segments(port)
    root = parse(_capture_trace(number))
    drawn = [g for g in groups(root, "segment")]
    assert len(drawn) == len(seen) and root.get("data-lost") == "0"
    # in capture order, each arrow leaves its sender's lifeline (dpkt's order and ports)
    drawn.sort(key=lambda g: float(g.get("data-captured")))
    toward = [g.get("data-side") for g in drawn]
    assert toward == ["server" if sport == port else "client" for _, sport, _ in seen]
    first = float(seen[0][0])
    for g, (ts, _, _) in zip(drawn, seen, strict=True):
        assert float(g.get("data-captured")) == pytest.approx(float(ts) - first, abs=1e-6)
    starts = [float(g.find("s:line", NS).get("y1")) for g in groups(root, "segment")]
    assert starts == sorted(starts)  # drawn top to bottom by the time each was sent
    assert f"connection {number} as captured" in root.find("s:title", NS).text
