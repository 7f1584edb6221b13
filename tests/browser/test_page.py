"""The page at `/` in a real browser: Debian's Chromium driven by Playwright, against a real
gunicorn on a free loopback port.

What the page shows is checked against the API's own JSON for the same options, fetched
separately with requests: arrows against segments sent, crosses against segments lost, the lit
states of Figure 5 against the trace's state events. Screenshots at 1280 and 360 px wide are
saved under test-artifacts/browser/ for a person to look at.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
import requests

from tests.api.conftest import ROOT, free_port, gunicorn_argv, running
from tests.tools import require

pytestmark = pytest.mark.integration

ARTIFACTS = Path(os.environ.get("NETUTIL_ARTIFACTS", ROOT / "test-artifacts")) / "browser"
#: Chromium's own background traffic off (this machine has no network, and none may leave)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="module")
def base_url():
    port = free_port()
    with running(gunicorn_argv(port, workers=2), port) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    chromium = require("chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, headless=True, args=FLAGS)
        yield b
        b.close()


class Watched:
    """A page with every console error, page error and request recorded."""

    def __init__(self, browser, base_url, width=1280, height=900):
        self.base = base_url
        self.context = browser.new_context(viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))

    def open(self, query=""):
        self.page.goto(f"{self.base}/{query}")
        self.page.wait_for_selector("body[data-ready='true']", timeout=30_000)
        return self.page

    def close(self):
        self.context.close()


@pytest.fixture
def watched(browser, base_url):
    w = Watched(browser, base_url)
    yield w
    w.close()


def wait_until(page, expression, timeout=30.0):
    """Poll `expression` in the page (Playwright's wait_for_function evaluates a string with
    eval, which the page's Content-Security-Policy rightly refuses)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            pytest.fail(f"still false after {timeout} s: {expression}")
        time.sleep(0.1)


def trace_json(base_url, **params):
    r = requests.get(f"{base_url}/api/handshake", params=params, timeout=30)
    r.raise_for_status()
    return r.json()


def test_default_load_is_clean_and_stays_on_the_origin(watched, base_url):
    page = watched.open()
    assert watched.errors == []
    assert watched.requests and all(u.startswith(base_url + "/") for u in watched.requests)
    calls = [u for u in watched.requests if "/api/" in u]
    assert len(calls) == 1 and "/api/handshake" in calls[0]  # a default load: one API call
    headers = requests.get(base_url + "/", timeout=10).headers
    assert headers["Content-Security-Policy"].startswith("default-src 'self';")
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert page.locator("#fig5 .f5-state").count() == 12


def test_lossy_run_draws_one_arrow_per_segment_and_one_cross_per_loss(watched, base_url):
    page = watched.open("?loss=0.3&seed=4")
    summary = trace_json(base_url, loss=0.3, seed=4)["summary"]
    assert summary["segments_lost"] > 0
    assert page.locator("#diagram line.arrow").count() == summary["segments_sent"]
    assert page.locator("#diagram path.cross").count() == summary["segments_lost"]
    assert watched.errors == []


def test_stepping_lights_the_states_the_trace_reaches(watched, base_url):
    # (--cc none: a step per drawn event; congestion records are not drawn as steps)
    page = watched.open("?loss=0.3&seed=4&cc=none")
    events = trace_json(base_url, loss=0.3, seed=4, cc="none")["events"]
    page.locator("#diagram").focus()
    seen = set()
    for _ in range(18):
        page.keyboard.press("ArrowRight")
        index = int(page.locator("#step").get_attribute("data-event"))
        want = {"client": "CLOSED", "server": "CLOSED"}
        for e in events[: index + 1]:
            if e["type"] == "state":
                want[e["side"]] = e["to"]
        lit_client = page.locator("#fig5 .f5-state.lit-client").get_attribute("data-state")
        lit_server = page.locator("#fig5 .f5-state.lit-server").get_attribute("data-state")
        assert (lit_client, lit_server) == (want["client"], want["server"]), index
        seen.add(want["client"])
        # the step's segment (or band, or timer) is the one highlighted
        current = page.locator("#diagram .nu-current")
        assert current.count() >= 1
    assert {"SYN-SENT", "ESTABLISHED"} <= seen
    page.keyboard.press("ArrowLeft")
    assert int(page.locator("#step").get_attribute("data-event")) < index


def test_a_bad_value_shows_the_problem_next_to_its_field(watched, base_url):
    page = watched.open()
    detail = requests.get(f"{base_url}/api/handshake", params={"loss": "2"}, timeout=10).json()
    page.fill("#opt-loss", "2")
    page.click("#run")
    box = page.locator("#opt-loss-error")
    box.wait_for(state="visible")
    assert detail["detail"] in box.inner_text()
    assert detail["errors"]["loss"][0] in box.inner_text()
    assert page.get_attribute("#opt-loss", "aria-invalid") == "true"
    # a list item's problem ("drop.0") lands next to the list's field
    page.fill("#opt-loss", "0")
    page.fill("#opt-drop", "zzz")
    page.click("#run")
    page.locator("#opt-drop-error").wait_for(state="visible")
    bad = requests.get(f"{base_url}/api/handshake", params={"drop": "zzz"}, timeout=10).json()
    assert bad["detail"] in page.locator("#opt-drop-error").inner_text()
    assert bad["errors"]["drop.0"][0] in page.locator("#opt-drop-error").inner_text()
    # the console shows the failed request (a 422), and nothing else
    assert all("422" in e for e in watched.errors)


def test_compare_shows_both_runs_and_their_differences(watched, base_url):
    page = watched.open("?seed=4")
    page.select_option("#cmp-name", "loss")
    page.fill("#cmp-value", "0.3")
    page.click("#cmp-run")
    page.locator("#cmp-table").wait_for(state="visible")
    a = trace_json(base_url, seed=4)["summary"]
    b = trace_json(base_url, seed=4, loss=0.3)["summary"]
    assert page.locator("#cmp-a line.arrow").count() == a["segments_sent"]
    assert page.locator("#cmp-b line.arrow").count() == b["segments_sent"]
    rows = page.locator("#cmp-table tbody tr")
    sent = rows.filter(has_text="segments sent").locator("td")
    assert [sent.nth(i).inner_text() for i in range(3)] == [
        str(a["segments_sent"]),
        str(b["segments_sent"]),
        str(b["segments_sent"] - a["segments_sent"]),
    ]


def test_keyboard_alone_reaches_the_replay_controls(watched):
    page = watched.open()
    reached = set()
    for _ in range(120):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.id"))
        if {"prev", "play", "next", "slider"} <= reached:
            break
    assert {"prev", "play", "next", "slider"} <= reached
    page.focus("#next")
    page.keyboard.press("Enter")
    assert page.locator("#step").get_attribute("data-event") != ""


def test_monte_carlo_and_address_panels(watched, base_url):
    page = watched.open("?loss=0.2&seed=1")
    page.fill("#mc-runs", "100")
    page.click("#mc-run")
    page.locator("#mc-result dd").first.wait_for()
    want = requests.get(
        f"{base_url}/api/handshake", params={"loss": 0.2, "seed": 1, "runs": 100}, timeout=60
    ).json()
    assert f"{want['success_rate'] * 100:.2f} %" in page.locator("#mc-result").inner_text()
    wait_until(page, "document.getElementById('mc-plot').naturalWidth > 0")
    page.fill("#addr", "192.0.2.0/24")
    page.click("#subnet-info")
    page.locator("#addr-result dl").wait_for()
    info = requests.get(f"{base_url}/api/subnet/192.0.2.0/24", timeout=10).json()
    text = page.locator("#addr-result").inner_text()
    assert info["broadcast_address"] in text
    page.fill("#split-prefix", "26")
    page.click("#subnet-split")
    page.locator("#addr-result li").first.wait_for()
    assert page.locator("#addr-result li").count() == 4  # a /24 holds four /26s
    assert watched.errors == []


@pytest.mark.parametrize("width", [1280, 360])
def test_screenshots_and_no_horizontal_scroll(browser, base_url, width):
    w = Watched(browser, base_url, width=width, height=900)
    try:
        page = w.open("?loss=0.3&seed=4")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"page-{width}.png"), full_page=True)
        # the capture panel with a capture open: its table scrolls in its own box, not the page
        page.set_input_files("#cap-file", str(ROOT / "tests" / "data" / "namespace_lossy.pcapng"))
        page.click("#cap-run")
        page.locator("#cap-diagram svg").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.locator("#capture").screenshot(path=str(ARTIFACTS / f"capture-{width}.png"))
        assert w.errors == []
    finally:
        w.close()


def test_open_a_capture_lists_its_connections_and_draws_the_chosen_one(watched, base_url):
    import dpkt

    capture = ROOT / "tests" / "data" / "namespace_lossy.pcapng"
    per_server_port: dict[int, int] = {}  # segments of each connection, read by dpkt
    with open(capture, "rb") as f:
        for _, buf in dpkt.pcapng.Reader(f):
            tcp = dpkt.ip.IP(buf[4:]).data if buf[:4] == b"\x02\x00\x00\x00" else None
            if tcp is None:
                tcp = dpkt.ethernet.Ethernet(buf).data.data
            port = min(tcp.sport, tcp.dport)
            per_server_port[port] = per_server_port.get(port, 0) + 1
    page = watched.open()
    page.set_input_files("#cap-file", str(capture))
    page.click("#cap-run")
    page.locator("#cap-table tbody tr").first.wait_for()
    assert page.locator("#cap-table tbody tr").count() == len(per_server_port) == 2
    page.locator("#cap-diagram svg").wait_for()
    assert page.locator("#cap-diagram line.arrow").count() == per_server_port[5001]
    page.locator("#cap-table button[data-connection='1']").focus()
    page.keyboard.press("Enter")  # by keyboard: the row's button
    wait_until(page, "document.getElementById('cap-diagram').dataset.connection === '1'")
    page.locator("#cap-diagram line.arrow").first.wait_for()
    assert page.locator("#cap-diagram line.arrow").count() == per_server_port[5002]
    assert watched.errors == []


def test_a_long_run_is_drawn_in_windows_that_follow_the_replay(watched, base_url):
    # 1 MiB in 400-byte segments at 1% loss: about 10,000 events, within the API's caps
    query = {"data": 1048576, "mss": 400, "loss": 0.01, "seed": 1}
    trace = trace_json(base_url, **query)
    steps = [e for e in trace["events"] if e["type"] != "user"]
    assert len(trace["events"]) > 10_000
    page = watched.open("?" + "&".join(f"{k}={v}" for k, v in query.items()))
    assert page.locator("#slider").get_attribute("max") == str(len(steps) - 1)
    drawn = page.locator("#diagram g.segment").count()
    assert 0 < drawn < trace["summary"]["segments_sent"] // 4  # a window, not the whole run
    assert "steps 1 to" in page.locator("#diagram-note").inner_text()
    page.locator("#diagram").focus()
    page.keyboard.press("End")  # the window moves to the last step, which is lit
    last = len(trace["events"]) - 1
    while trace["events"][last]["type"] == "user":
        last -= 1
    wait_until(page, f"document.getElementById('step').dataset.event === '{last}'")
    lit = page.locator("#diagram .nu-current")
    assert lit.count() >= 1 and lit.first.get_attribute("data-step") == str(last)
    assert f"of {len(steps)} are drawn" in page.locator("#diagram-note").inner_text()
    assert page.locator("#diagram g.segment").count() < trace["summary"]["segments_sent"] // 4
    assert watched.errors == []


def test_compare_offers_the_choices_of_an_option_that_has_them(watched, base_url):
    page = watched.open("?seed=4")
    page.select_option("#cmp-name", "closer")
    assert page.locator("#cmp-value").evaluate("n => n.tagName") == "SELECT"
    choices = page.locator("#cmp-value option").all_inner_texts()
    assert choices == ["client", "server", "both"]  # the option table's choices
    page.select_option("#cmp-value", "both")
    page.click("#cmp-run")
    page.locator("#cmp-table").wait_for(state="visible")
    b = trace_json(base_url, seed=4, closer="both")["summary"]
    assert page.locator("#cmp-b line.arrow").count() == b["segments_sent"]
    assert "closer = both" in page.locator("#cmp-b-h").inner_text()


def test_graphs_say_when_a_run_has_no_congestion_state(watched):
    page = watched.open("?seed=1&data=3000&cc=none")
    page.click("#graphs summary")
    wait_until(page, "document.getElementById('plot-window').naturalWidth > 0")
    assert page.locator("#plot-cwnd").is_hidden()
    assert page.locator("#plot-cwnd-none").is_visible()
    assert watched.errors == []


def test_graphs_draw_congestion_state_for_a_bottleneck_run(watched):
    page = watched.open("?seed=1&data=200000&bandwidth=2000000&queue=20")
    assert page.locator("#diagram svg").get_attribute("data-congestion") == "1"
    page.click("#graphs summary")
    wait_until(page, "document.getElementById('plot-cwnd').naturalWidth > 0")
    assert page.locator("#plot-cwnd-none").is_hidden()
    src = page.locator("#plot-cwnd").get_attribute("src")
    assert src.startswith("api/handshake/plot/cwnd?") and "queue=20" in src
    assert watched.errors == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator("#graphs-panel").screenshot(path=str(ARTIFACTS / "graphs-1280.png"))
