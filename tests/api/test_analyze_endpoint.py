"""`POST /api/tcp/analyze` on a real gunicorn: the capture as the body gives the JSON of
`netutil tcp analyze FILE --json`, described exactly by its response schema."""

from __future__ import annotations

import io

import requests

from netutil.analyze import analyse
from netutil.pcap import write_pcap
from netutil.pcapng import write_pcapng
from tests.api.test_schemas import assert_described
from tests.test_analyze import SCRIPT, _seg

PCAP, PCAPNG = "application/vnd.tcpdump.pcap", "application/x-pcapng"


def _capture(fmt: str) -> bytes:
    t, packets = 1.0, []
    for gap, frm, flags, seq, ack, win, n, opts in SCRIPT:
        t += gap
        packets.append(_seg(round(t, 6), frm, flags, seq, ack, win, n, opts))
    out = io.BytesIO()
    if fmt == "pcap":
        write_pcap(out, packets)
    else:
        write_pcapng(out, [(101, "raw")], [(0, t, data, [], None) for t, data in packets])
    return out.getvalue()


def test_analysis_schema_describes_real_results():
    from api.schemas.analyze import Analysis

    assert_described(Analysis(), analyse(io.BytesIO(_capture("pcap"))).as_dict())


def test_analyze_endpoint_equals_the_local_analysis(service):
    for fmt, media in (("pcap", PCAP), ("pcapng", PCAPNG)):
        body = _capture(fmt)
        r = requests.post(service + "/api/tcp/analyze", data=body,
                          headers={"Content-Type": media}, timeout=30)  # fmt: skip
        assert r.status_code == 200, r.text
        assert r.json() == analyse(io.BytesIO(body)).as_dict()
        assert r.json()["connections"][0]["flag_counts"]["duplicate_ack"] == 3
    r = requests.post(service + "/api/tcp/analyze", data=b"\x0a\x0d\x0d\x0a" + bytes(8),
                      headers={"Content-Type": PCAPNG}, timeout=30)  # fmt: skip
    assert r.status_code in (400, 422)
    assert r.headers["Content-Type"].startswith("application/problem+json")
    assert "byte-order magic" in r.json()["detail"]
