"""The bottleneck: serialization delay, a drop-tail queue, the link filled by one flow, bounds.

References worked out apart from the simulator: packet sizes from scapy's IPv4/TCP builder;
serialization time = bytes * 8 / rate; the goodput of a saturated link = rate * payload /
packet (the header overhead from the header sizes); the queue's drops replayed by a separate
FIFO model written here from the send times alone.
"""

from __future__ import annotations

import re

import pytest
from scapy.layers.inet import IP, TCP

from netutil.cli import main
from netutil.errors import InvalidInput
from netutil.sim.options import OPTION, SimOptions
from netutil.sim.run import simulate
from netutil.sim.trace import SendEvent


def run(**kw):
    kw.setdefault("seed", 1)
    return simulate(SimOptions(**kw)).as_dict()


def scapy_size(event) -> int:
    """The IPv4 packet of a traced segment as scapy builds it: its length in bytes."""
    spelled = {
        "mss": lambda v: ("MSS", v),
        "sack_permitted": lambda v: ("SAckOK", b""),
        "timestamps": lambda v: ("Timestamp", (v["tsval"], v["tsecr"])),
        "nop": lambda v: ("NOP", None),
        "window_scale": lambda v: ("WScale", v),
        "sack": lambda v: ("SAck", tuple(x for block in v for x in block)),
    }
    options = [spelled[o["name"]](o["value"]) for o in event["options"]]
    return len(bytes(IP() / TCP(options=options) / (b"x" * event["len"])))


def test_a_lone_segment_takes_its_size_times_8_over_the_rate_then_the_delay():
    t = run(bandwidth=1e6, delay=0.05)
    syn = next(e for e in t["events"] if e["type"] == "send")
    assert syn["kind"] == "syn"
    # a Linux SYN (MSS, SACK-permitted, TS, NOP, WS) is a 60-byte IPv4 packet
    assert scapy_size(syn) == 60
    assert syn["arrival"] == pytest.approx(syn["time"] + 60 * 8 / 1e6 + 0.05, abs=1e-9)


@pytest.mark.parametrize("rate", [64e3, 1.5e6, 1e10])
def test_each_segment_leaves_after_the_one_before_it_then_takes_the_delay(rate):
    # a FIFO link: a segment starts serializing when it is sent or when the one before it (the
    # same way) has left, whichever is later, and arrives the one-way delay after it has left
    t = run(bandwidth=rate, data=6000, window=3000, mss=1000, delay=0.01, queue=1000)
    assert t["summary"]["outcome"] == "completed"
    assert t["summary"]["bottleneck"]["queue_drops"] == {"client->server": 0, "server->client": 0}
    for side in ("client", "server"):
        free = 0.0
        sent = [e for e in t["events"] if e["type"] == "send" and e["side"] == side]
        assert len(sent) > 3
        for e in sent:
            free = max(e["time"], free) + scapy_size(e) * 8 / rate
            # (times in the JSON are rounded to the microsecond)
            assert e["arrival"] == pytest.approx(free + 0.01, abs=2e-6), e


def test_one_flow_with_a_large_window_fills_the_bottleneck():
    # 10 Mbit/s, 20 ms RTT: a BDP of 25 kB; a 512 KiB window and a queue that holds it keep
    # the link busy from the first data segment to the last, without a drop
    rate, data = 10e6, 3_000_000
    t = run(bandwidth=rate, queue=1000, delay=0.01, data=data, window=512 * 1024)
    s = t["summary"]
    assert s["outcome"] == "completed" and s["bytes_delivered"] == data
    assert s["bottleneck"]["queue_drops"] == {"client->server": 0, "server->client": 0}
    sent = [e for e in t["events"] if e["type"] == "send" and e["side"] == "client" and e["len"]]
    payload = sent[0]["len"]
    overhead = scapy_size(sent[0]) - payload  # IPv4 20 + TCP 20 + timestamps 12 = 52
    assert overhead == 52
    expected = rate / 8 * payload / (payload + overhead)  # bytes of payload per second
    start = sent[0]["time"]
    end = max(e["arrival"] for e in sent)
    goodput = data / (end - start)
    assert goodput == pytest.approx(expected, rel=0.03)
    assert goodput < expected * 1.000001  # nothing beats the wire


def _replay_drop_tail(sends, rate, capacity):
    """An independent drop-tail FIFO: which of these (time, size) packets it drops."""
    busy_until: list[float] = []  # finish times of packets in the system, in order
    dropped = []
    for time, size in sends:
        busy_until = [f for f in busy_until if f > time]
        if len(busy_until) - 1 >= capacity:  # the head is on the wire, the rest wait
            dropped.append(True)
            continue
        begin = busy_until[-1] if busy_until else time
        busy_until.append(begin + size * 8 / rate)
        dropped.append(False)
    return dropped


@pytest.mark.parametrize(("queue", "seed"), [(1, 3), (5, 4), (20, 5)])
def test_the_queue_never_exceeds_its_size_and_drops_what_a_fifo_would(queue, seed):
    rate = 2e6
    options = SimOptions(
        seed=seed, bandwidth=rate, queue=queue, data=150_000, window=64 * 1024, delay=0.02
    )
    trace = simulate(options)
    t = trace.as_dict()
    for side, link in (("client", "client->server"), ("server", "server->client")):
        # the send times unrounded (the JSON's are rounded to the microsecond)
        raw = [(r.time, r.as_dict()) for r in trace.records() if isinstance(r, SendEvent)]
        sends = [e for _, e in raw if e["side"] == side]
        times = [time for time, e in raw if e["side"] == side]
        model = _replay_drop_tail(
            [(time, scapy_size(e)) for time, e in zip(times, sends, strict=True)], rate, queue
        )
        assert [e["fate"] == "queue-drop" for e in sends] == model
        assert t["summary"]["bottleneck"]["queue_drops"][link] == sum(model)
        lengths = [e["packets"] for e in t["events"] if e["type"] == "queue" and e["link"] == link]
        assert all(0 <= n <= queue for n in lengths)
        assert t["summary"]["bottleneck"]["max_queue"][link] <= queue
    assert t["summary"]["bottleneck"]["queue_drops"]["client->server"] > 0
    assert (
        max(e["packets"] for e in t["events"] if e["type"] == "queue")
        == t["summary"]["bottleneck"]["max_queue"]["client->server"]
    )


def test_queue_drops_are_their_own_fate_and_random_loss_still_applies():
    t = run(seed=9, bandwidth=1e6, queue=3, data=60_000, loss=0.05)
    fates = {e["fate"] for e in t["events"] if e["type"] == "send"}
    assert {"queue-drop", "lost", "delivered"} <= fates
    s = t["summary"]
    drops = sum(s["bottleneck"]["queue_drops"].values())
    lost = sum(1 for e in t["events"] if e["type"] == "send" and e["fate"] == "lost")
    assert s["segments_lost"] == lost  # queue drops are not counted as random loss
    assert drops == sum(1 for e in t["events"] if e["type"] == "send" and e["fate"] == "queue-drop")
    assert s["outcome"] == "completed" and s["data_intact"]


def test_without_a_bandwidth_nothing_changes_and_nothing_is_queued():
    t = run(data=20_000, loss=0.1, seed=3)
    assert t["summary"]["bottleneck"] is None
    assert not [e for e in t["events"] if e["type"] == "queue"]
    first = next(e for e in t["events"] if e["type"] == "send")
    assert first["arrival"] == pytest.approx(first["time"] + 0.05)


def test_a_tiny_bandwidth_with_much_data_ends_at_the_time_cap():
    t = run(bandwidth=1e3, data=64 * 1024 * 1024, window=1 << 20)
    s = t["summary"]
    assert s["outcome"] == "limit_exceeded"
    assert s["reason"] == "simulation passed its cap of 86400 simulated seconds"


def test_a_tiny_bandwidth_ends_at_the_event_cap_too():
    t = run(bandwidth=1e3, data=1_000_000, max_events=500)
    assert t["summary"]["outcome"] == "limit_exceeded"
    assert t["summary"]["reason"] == "simulation passed its cap of 500 events"


@pytest.mark.parametrize(
    ("text", "bits"),
    [
        ("10Mbit", 10e6),
        ("1.5Mbit", 1.5e6),
        ("100kbit", 1e5),
        ("1kbit", 1e3),
        ("10Gbit", 1e10),
        ("2 mbit/s", 2e6),
        ("64000", 64e3),
    ],
)
def test_bandwidth_spellings(text, bits):
    assert OPTION["bandwidth"].parse_text(text) == bits


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10Mbps", "invalid bandwidth '10Mbps': write bits per second as bit, kbit, Mbit or "
                   "Gbit (e.g. 10Mbit); bps and bytes are ambiguous"),
        ("10MB", "invalid bandwidth '10MB': write bits per second as bit, kbit, Mbit or Gbit "
                 "(e.g. 10Mbit); bps and bytes are ambiguous"),
        ("fast", "invalid bandwidth 'fast': expected bits per second, e.g. 10Mbit, 1.5Mbit or "
                 "100kbit"),
        ("999bit", "invalid bandwidth '999bit': out of range, expected 1000 to 1e+10 bits per "
                   "second"),
        ("11Gbit", "invalid bandwidth '11Gbit': out of range, expected 1000 to 1e+10 bits per "
                   "second"),
        ("-1Mbit", "invalid bandwidth '-1Mbit': must not be negative"),
    ],
)  # fmt: skip
def test_bad_bandwidth_text_says_what_is_wrong(text, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        OPTION["bandwidth"].parse_text(text)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"bandwidth": 999.0},
         "invalid bandwidth 999.0: expected bits per second in [1000, 1e+10]"),
        ({"bandwidth": "10Mbit"},
         "invalid bandwidth '10Mbit': expected a number (bits per second)"),
        ({"queue": 0}, "invalid queue 0: expected an integer in [1, 100000]"),
        ({"queue": 100_001}, "invalid queue 100001: expected an integer in [1, 100000]"),
    ],
)  # fmt: skip
def test_bad_bottleneck_options_are_refused(kwargs, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        SimOptions(**kwargs)


def test_cli_bad_bandwidth_is_a_usage_error(capsys):
    assert main(["tcp", "handshake", "--bandwidth", "10Mbps"]) == 2
    err = capsys.readouterr().err
    assert "bps and bytes are ambiguous" in err and "Traceback" not in err


def test_cli_json_carries_queue_events_and_the_bottleneck_summary(capsys):
    import json

    assert main(["tcp", "handshake", "--bandwidth", "1Mbit", "--queue", "4", "--data", "40000",
                 "--seed", "2", "--format", "json"]) == 0  # fmt: skip
    t = json.loads(capsys.readouterr().out)
    assert t["options"]["bandwidth"] == 1e6 and t["options"]["queue"] == 4
    assert t["summary"]["bottleneck"]["bandwidth"] == 1e6
    assert any(e["type"] == "queue" for e in t["events"])


def test_the_api_schema_describes_a_trace_through_a_bottleneck():
    from api.schemas.handshake import Trace
    from tests.api.test_schemas import assert_described

    t = run(seed=9, bandwidth=1e6, queue=3, data=60_000, loss=0.05)
    assert any(e["type"] == "queue" for e in t["events"])
    assert_described(Trace(), t)
