"""The pictures over HTTP: `Accept: image/svg+xml` on /api/handshake."""

from __future__ import annotations

import re
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


def test_page_and_its_assets_carry_a_strict_policy(client):
    for path in ("/", "/static/app.js", "/static/app.css", "/api/page/options"):
        r = client.get(path)
        assert r.status_code == 200, path
        assert r.headers["Content-Security-Policy"].startswith("default-src 'self';")
        assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/static/../routes/page.py").status_code == 404
    assert client.get("/static/nothing.js").status_code == 404


def test_page_has_no_inline_code_and_no_outside_url(client):
    html = client.get("/").get_data(as_text=True)
    # the one script, and one JSON data block (never run, so CSP-clean): the form's options
    assert re.findall(r"<script\b[^>]*>", html) == [
        '<script src="static/app.js" defer>',
        '<script type="application/json" id="page-options">',
    ]
    # no style element or attribute, no event-handler attribute (onclick=...)
    assert not re.search(r"<style[\s>]|\sstyle=|\son[a-z]+=", html)
    js = client.get("/static/app.js").get_data(as_text=True)
    assert "eval(" not in js and "new Function" not in js and "innerHTML" not in js
    for text in (html, js, client.get("/static/app.css").get_data(as_text=True)):
        assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text)


def test_page_options_are_the_contract_with_the_core_defaults(client, app):
    from api.spec import to_dict

    fields = client.get("/api/page/options").get_json()["fields"]
    with app.app_context():
        params = to_dict(app)["paths"]["/api/handshake"]["get"]["parameters"]
    assert [f["name"] for f in fields] == [p["name"] for p in params if p["name"] != "runs"]
    by_name = {f["name"]: f for f in fields}
    assert by_name["loss"]["minimum"] == 0.0 and by_name["loss"]["maximum"] == 1.0
    assert by_name["closer"]["enum"] == ["client", "server", "both"]
    defaults = SimOptions()
    for name in ("delay", "window", "mss", "msl", "closer", "close", "syn_retries"):
        assert by_name[name]["default"] == getattr(defaults, name), name


def test_the_page_carries_its_option_description_so_a_load_costs_one_call(client):
    import json

    html = client.get("/").get_data(as_text=True)
    block = re.search(r'<script type="application/json" id="page-options">(.*?)</script>', html)
    assert block is not None and "<" not in block.group(1)
    assert json.loads(block.group(1)) == client.get("/api/page/options").get_json()


def test_a_captured_connection_as_svg_is_the_local_drawing(client):
    from pathlib import Path

    from netutil.analyze import analyse
    from netutil.analyze.trace import connection_trace

    data = (Path(__file__).parents[1] / "data" / "namespace_lossy.pcapng").read_bytes()
    pcapng = {"Content-Type": "application/x-pcapng", "Accept": SVG}
    r = client.post("/api/tcp/analyze/diagram?connection=1", data=data, headers=pcapng)
    assert r.status_code == 200 and r.mimetype == SVG
    import io

    trace = connection_trace(analyse(io.BytesIO(data), every_segment=True), 1)
    assert r.get_data(as_text=True) == render_svg(trace)
    r = client.post("/api/tcp/analyze/diagram?connection=2", data=data, headers=pcapng)
    assert r.status_code == 422
    assert r.get_json()["detail"] == "connection 2 does not exist: the capture has 2 (0 to 1)"
    r = client.post("/api/tcp/analyze/diagram", data=data, headers=pcapng)
    assert r.status_code == 422 and "connection" in r.get_json()["errors"]
