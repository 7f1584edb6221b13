"""The simulator's captures as the real tshark reads them: one interface per side with the
packets each NIC saw, comments readable, the corrupted copies (and only they) failing tshark's
own checksum verification, the payload dissected as plain data on the default port, and no
expert item beyond TCP's sequence analysis (no malformed packet, no dissector warning, no
complaint about the file on stderr).

Expected values come from the trace's events (which side sent each segment, where each copy
arrived, which copies the network corrupted), never from the exporter."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from netutil.sim.capture import write_trace_pcap, write_trace_pcapng
from netutil.sim.options import SimOptions
from netutil.sim.run import simulate
from tests.tools import require

FIELDS = (
    "frame.interface_name",
    "frame.packet_flags_direction",
    "ip.id",
    "frame.comment",
    "tcp.checksum.status",
    "frame.protocols",
    "_ws.expert.group",
    "_ws.expert.severity",
)
# epan/proto.h expert groups and severities
GROUP_CHECKSUM, GROUP_SEQUENCE, GROUP_MALFORMED, GROUP_COMMENT = (
    0x01000000,
    0x02000000,
    0x07000000,
    0x0B000000,
)
SEVERITY_NOTE = 0x00400000
DIRECTIONS = {"0x00000001": "inbound", "0x00000002": "outbound"}


def tshark(path: Path, *extra: str) -> list[dict]:
    """One dict per frame of the fields above, read by tshark; its stderr must hold nothing
    but the notice about running as root."""
    cmd = [require("tshark"), "-n", "-r", str(path), *extra, "-T", "fields"]
    cmd += ["-E", "occurrence=a", "-E", "aggregator=^"]
    for field in FIELDS:
        cmd += ["-e", field]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=True)
    noise = [line for line in done.stderr.splitlines() if "Running as user" not in line]
    assert noise == []
    frames = []
    for line in done.stdout.splitlines():
        values = dict(zip(FIELDS, line.split("\t"), strict=True))
        frames.append(
            {
                "side": values["frame.interface_name"],
                "direction": DIRECTIONS.get(values["frame.packet_flags_direction"]),
                "number": int(values["ip.id"], 16),
                "comments": values["frame.comment"].split("^"),
                "checksum": values["tcp.checksum.status"],
                "protocols": values["frame.protocols"],
                "groups": {int(g) for g in values["_ws.expert.group"].split("^") if g},
                "severity": max(
                    (int(s) for s in values["_ws.expert.severity"].split("^") if s), default=0
                ),
            }
        )
    return frames


def nic_views(trace: dict) -> dict[str, list[tuple[int, str]]]:
    """(segment number, direction) of what each side's NIC saw, from the events alone."""
    views: dict[str, list[tuple[int, str]]] = {"client": [], "server": []}
    for e in trace["events"]:
        if e["type"] == "send":
            views[e["side"]].append((e["number"], "outbound"))
        elif e["type"] == "arrive":
            views[e["side"]].append((e["number"], "inbound"))
    return views


def corrupted_copies(trace: dict) -> dict[tuple[int, int], str]:
    """(segment number, arrival order at the receiver) -> the receiver's verdict, of every
    copy the network corrupted."""
    sends = {e["number"]: e for e in trace["events"] if e["type"] == "send"}
    out = {}
    for e in trace["events"]:
        if e["type"] == "arrive":
            send = sends[e["number"]]
            fate = send["fate"] if e["copy"] == 1 else send["duplicate"]
            if fate == "corrupted":
                out[(e["number"], e["copy"])] = e["result"]
    return out


@pytest.fixture(scope="module")
def impaired(tmp_path_factory):
    options = SimOptions(seed=5, data=20000, loss=0.1, corrupt=0.15, duplicate=0.2)
    trace = simulate(options).as_dict()
    path = tmp_path_factory.mktemp("pcapng") / "impaired.pcapng"
    with open(path, "wb") as f:
        write_trace_pcapng(f, trace)
    return trace, tshark(path, "-o", "tcp.check_checksum:TRUE")


def test_each_interface_holds_what_that_side_sent_and_received(impaired):
    trace, frames = impaired
    views = nic_views(trace)
    for side in ("client", "server"):
        got = [(f["number"], f["direction"]) for f in frames if f["side"] == side]
        assert sorted(got) == sorted(views[side])
    lost = [e for e in trace["events"] if e["type"] == "send" and e["fate"] == "lost"]
    assert lost
    for e in lost:
        where = {f["side"] for f in frames if f["number"] == e["number"]}
        assert where == {e["side"]}
        sent = next(f for f in frames if f["number"] == e["number"])
        assert sent["comments"][0] == "lost in the network"


def test_tshark_flags_exactly_the_corrupted_copies_as_bad_checksums(impaired):
    trace, frames = impaired
    corrupted = corrupted_copies(trace)
    assert len(corrupted) >= 3
    arrivals: dict[int, int] = {}
    bad = {}
    for f in frames:
        if f["direction"] == "inbound":
            copy = arrivals[f["number"]] = arrivals.get(f["number"], 0) + 1
            if (f["number"], copy) in corrupted:
                bad[(f["number"], copy)] = f
                continue
        assert f["checksum"] == "1", f  # 1: good, 0: bad (tshark's checksum status)
    assert bad.keys() == corrupted.keys()
    for key, f in bad.items():
        if corrupted[key] == "malformed":
            # the flipped bit broke the header itself: tshark says malformed too
            assert GROUP_MALFORMED in f["groups"]
        else:
            assert f["checksum"] == "0"
            assert GROUP_CHECKSUM in f["groups"]
        assert f["comments"][0].startswith(f"{corrupted[key]}: ")


def test_no_expert_item_but_tcp_sequence_analysis(impaired):
    trace, frames = impaired
    corrupted = corrupted_copies(trace)
    arrivals: dict[int, int] = {}
    for f in frames:
        allowed = {GROUP_SEQUENCE, GROUP_COMMENT}
        if f["direction"] == "inbound":
            copy = arrivals[f["number"]] = arrivals.get(f["number"], 0) + 1
            if (f["number"], copy) in corrupted:
                allowed |= {GROUP_CHECKSUM, GROUP_MALFORMED}
        assert f["groups"] <= allowed, f


def test_payload_is_plain_data_on_the_default_port_and_taken_by_http_on_port_80(tmp_path):
    """Port 9 by default: no dissector claims it, so every payload is tshark's `data`. The
    same run on port 80 hands the payload to the HTTP dissector (no `data` layer), unless HTTP
    is disabled: why the default moved."""
    layers = {}
    for port, extra in ((9, ()), (80, ()), (80, ("--disable-protocol", "http"))):
        trace = simulate(SimOptions(seed=8, data=6000, server_port=port)).as_dict()
        assert trace["server"]["port"] == port
        path = tmp_path / f"port-{port}.pcap"
        with open(path, "wb") as f:
            write_trace_pcap(f, trace, "server")
        frames = tshark(path, *extra)
        assert len(frames) == len(nic_views(trace)["server"])
        layers[(port, extra)] = [f["protocols"] for f in frames]
    with_payload = {p for p in layers[(9, ())] if p != "raw:ip:tcp"}
    assert with_payload == {"raw:ip:tcp:data"}
    assert layers[(9, ())].count("raw:ip:tcp:data") == 5  # 6000 bytes in 1460-byte segments
    assert "raw:ip:tcp:data" not in layers[(80, ())]
    assert layers[(80, ("--disable-protocol", "http"))] == layers[(9, ())]


@pytest.mark.parametrize(
    ("fmt", "point"), [("pcapng", "both"), ("pcap", "client"), ("pcap", "server")]
)
def test_a_clean_run_reads_without_a_warning(tmp_path, fmt, point):
    trace = simulate(SimOptions(seed=3, data=30000)).as_dict()
    path = tmp_path / f"clean.{fmt}"
    with open(path, "wb") as f:
        (write_trace_pcapng if fmt == "pcapng" else write_trace_pcap)(f, trace, point)
    frames = tshark(path)
    views = nic_views(trace)
    assert len(frames) == sum(len(views[s]) for s in (views if point == "both" else [point]))
    # notes at most: on two interfaces each segment shows twice, which tshark calls a
    # retransmission (a note); a single capture point has no note but the FIN's
    assert max(f["severity"] for f in frames) <= SEVERITY_NOTE
    assert all(f["groups"] <= {GROUP_SEQUENCE, GROUP_COMMENT} for f in frames)


@pytest.fixture(scope="module")
def api_client():
    from api import create_app

    return create_app({"TESTING": True}).test_client()


def test_api_answers_pcapng_and_a_pcap_per_capture_point(api_client, tmp_path):
    query = "/api/handshake?seed=5&data=20000&loss=0.1&corrupt=0.15&duplicate=0.2"
    trace = simulate(SimOptions(seed=5, data=20000, loss=0.1, corrupt=0.15, duplicate=0.2))
    trace = trace.as_dict()
    views = nic_views(trace)
    answer = api_client.get(query, headers={"Accept": "application/x-pcapng"})
    assert answer.status_code == 200
    assert answer.mimetype == "application/x-pcapng"
    assert 'filename="handshake.pcapng"' in answer.headers["Content-Disposition"]
    path = tmp_path / "api.pcapng"
    path.write_bytes(answer.data)
    frames = tshark(path)
    for side in ("client", "server"):
        got = [(f["number"], f["direction"]) for f in frames if f["side"] == side]
        assert sorted(got) == sorted(views[side])
    pcap = api_client.get(
        query + "&capture_point=server", headers={"Accept": "application/vnd.tcpdump.pcap"}
    )
    assert pcap.status_code == 200
    path = tmp_path / "api.pcap"
    path.write_bytes(pcap.data)
    assert len(tshark(path)) == len(views["server"])


@pytest.mark.parametrize(
    ("accept", "point", "message"),
    [
        ("application/json", "client", "capture_point applies to a pcap or pcapng answer."),
        (
            "application/vnd.tcpdump.pcap",
            "both",
            "A classic pcap holds one interface: client or server.",
        ),
    ],
)
def test_api_refuses_a_capture_point_that_does_not_fit(api_client, accept, point, message):
    answer = api_client.get(
        f"/api/handshake?seed=1&capture_point={point}", headers={"Accept": accept}
    )
    assert answer.status_code == 422
    assert answer.get_json()["errors"]["capture_point"] == [message]
