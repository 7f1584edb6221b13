"""Zero-window probes in both styles, as the real tshark labels them: the RFC 9293 one-octet
probe (section 3.8.6.1) is Wireshark's ZeroWindowProbe, answered by a ZeroWindowProbeAck;
Linux's empty ACK with SEQ = SND.UNA - 1 is, by Wireshark's definitions, a Keep-Alive. An
octet probe that reaches a window opened meanwhile (its window update lost) is kept, and the
transfer goes on intact."""

from __future__ import annotations

import subprocess

import pytest

from netutil.sim.capture import captured_packets, write_trace_pcap
from netutil.sim.options import SimOptions
from netutil.sim.run import simulate, stream_bytes
from tests.tools import require

SLOW_READER = {"data": 5000, "window": 1000, "read_rate": 200}


def probes(trace):
    return [
        e
        for e in trace["events"]
        if e["type"] == "send" and (e["note"] or "").startswith("window probe")
    ]


def test_rfc_probe_is_one_octet_of_new_data_at_snd_nxt():
    trace = simulate(SimOptions(seed=1, **SLOW_READER)).as_dict()
    sent = probes(trace)
    assert len(sent) >= 3
    isn = trace["client"]["isn"]
    octets = 0
    for p in sent:
        before = [
            e
            for e in trace["events"]
            if e["type"] == "send" and e["side"] == "client" and e["number"] < p["number"]
        ]
        # SND.NXT: the end of the highest data sent before it (no data was beyond)
        snd_nxt = max(e["seq"] + e["len"] for e in before)
        if snd_nxt - isn - 1 < 5000:
            octets += 1
            assert (p["len"], p["note"], p["flags"]) == (1, "window probe: 1 octet", ["ACK"])
            assert p["seq"] == snd_nxt
        else:  # all data sent, only the FIN waits: no octet to send, so Linux's probe
            assert (p["len"], p["note"]) == (0, "window probe: SEQ=SND.UNA-1")
    assert octets >= 3
    assert trace["summary"]["data_intact"] is True
    assert trace["summary"]["bytes_delivered"] == 5000
    offsets = {(p["seq"] - isn - 1) for p in sent}
    assert all(0 < off < 5000 for off in offsets)


def test_linux_probe_is_an_empty_ack_below_snd_una():
    trace = simulate(SimOptions(seed=1, zero_window_probe="linux", **SLOW_READER)).as_dict()
    sent = probes(trace)
    assert len(sent) >= 3
    for p in sent:
        assert (p["len"], p["note"]) == (0, "window probe: SEQ=SND.UNA-1")
        acked = [
            e["ack"]
            for e in trace["events"]
            if e["type"] == "send" and e["side"] == "server" and e["number"] < p["number"]
        ]
        assert p["seq"] == max(acked) - 1  # SND.UNA - 1
    assert trace["summary"]["data_intact"] is True


def test_an_octet_probe_into_a_reopened_window_is_kept():
    """Seed 2 with 20% loss: the window update #8 is lost, so the next probe reaches an open
    window, and the server acknowledges its octet (ack = probe seq + 1)."""
    trace = simulate(SimOptions(seed=2, loss=0.2, data=6000, window=1000, read_rate=200))
    trace = trace.as_dict()
    events = trace["events"]
    lost_update = [
        e for e in events if e["type"] == "send" and e["note"] == "window update" and e["fate"]
        == "lost"
    ]  # fmt: skip
    assert lost_update
    taken = [
        p
        for p in probes(trace)
        if p["time"] > lost_update[0]["time"]
        and any(
            e["type"] == "send" and e["side"] == "server" and e["ack"] == (p["seq"] + 1) % 2**32
            for e in events
        )
    ]
    assert taken
    assert trace["summary"]["outcome"] == "completed"
    assert trace["summary"]["data_intact"] is True


@pytest.mark.parametrize("seed", range(12))
def test_octet_probes_keep_every_lossy_slow_transfer_intact(seed):
    for style in ("rfc", "linux"):
        options = SimOptions(seed=seed, loss=0.2, data=6000, window=1000, read_rate=200,
                             zero_window_probe=style)  # fmt: skip
        summary = simulate(options).summary
        assert (summary.outcome, summary.data_intact) == ("completed", True)


def tshark_labels(path):
    cmd = [require("tshark"), "-n", "-r", str(path), "-T", "fields", "-e", "tcp.len"]
    for flag in ("zero_window_probe", "zero_window_probe_ack", "keep_alive", "zero_window"):
        cmd += ["-e", f"tcp.analysis.{flag}"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True).stdout
    rows = []
    for line in out.splitlines():
        length, *flags = line.split("\t")
        names = ("zero_window_probe", "zero_window_probe_ack", "keep_alive", "zero_window")
        rows.append((int(length), {n for n, f in zip(names, flags, strict=True) if f}))
    return rows


@pytest.mark.parametrize(
    ("style", "label", "length"), [("rfc", "zero_window_probe", 1), ("linux", "keep_alive", 0)]
)
def test_tshark_labels_each_probe_by_its_style(tmp_path, style, label, length):
    trace = simulate(SimOptions(seed=1, zero_window_probe=style, **SLOW_READER)).as_dict()
    path = tmp_path / f"{style}.pcap"
    with open(path, "wb") as f:
        write_trace_pcap(f, trace, "client")  # the prober's NIC
    rows = tshark_labels(path)
    sent = [p for p in probes(trace) if p["len"] == length]
    flagged = [row for row in rows if label in row[1]]
    assert len(flagged) == len(sent)
    assert all(n == length for n, _ in flagged)
    if style == "linux":
        assert not any("zero_window_probe" in flags for _, flags in rows)
    if style == "rfc":
        # each answer, still a zero window, is tshark's ZeroWindowProbeAck
        assert sum("zero_window_probe_ack" in flags for _, flags in rows) == len(sent)


def test_probe_octet_is_the_stream_byte():
    trace = simulate(SimOptions(seed=1, **SLOW_READER)).as_dict()
    isn = trace["client"]["isn"]
    numbers = {p["number"]: p for p in probes(trace) if p["len"]}
    assert numbers
    for packet in captured_packets(trace, "client"):
        if packet.number in numbers and packet.direction == "outbound":
            payload = packet.data[20 + 32 :]  # IPv4 header, TCP header with Timestamps
            off = numbers[packet.number]["seq"] - isn - 1
            assert payload == stream_bytes(off, 1)
