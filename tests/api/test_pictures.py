"""The pictures over HTTP: `Accept: image/svg+xml` on /api/handshake."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from netutil.render.svg import render_svg
from netutil.sim.options import SimOptions
from netutil.sim.run import simulate

SVG = "image/svg+xml"


def test_handshake_as_svg_is_the_local_drawing(client):
    r = client.get("/api/handshake?loss=0.3&seed=4", headers={"Accept": SVG})
    assert r.status_code == 200 and r.mimetype == SVG
    trace = simulate(SimOptions(loss=0.3), seed=4).as_dict()
    assert r.get_data(as_text=True) == render_svg(trace)
    assert ET.fromstring(r.get_data()).get("data-lost") == str(trace["summary"]["segments_lost"])


def test_post_handshake_as_svg(client):
    r = client.post("/api/handshake", json={"drop": ["syn"], "seed": 1}, headers={"Accept": SVG})
    assert r.status_code == 200 and r.mimetype == SVG
    assert ET.fromstring(r.get_data()).get("data-lost") == "1"


def test_json_stays_the_default(client):
    r = client.get("/api/handshake?seed=1", headers={"Accept": "*/*"})
    assert r.mimetype == "application/json"


def test_svg_of_monte_carlo_is_406(client):
    r = client.get("/api/handshake?runs=3", headers={"Accept": SVG})
    assert r.status_code == 406
    assert r.get_json()["detail"] == (
        "A pcap or a diagram shows one run: leave out runs, or accept JSON."
    )
