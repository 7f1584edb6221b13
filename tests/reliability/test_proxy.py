"""Faults survived behind the proxy: load, a worker SIGKILLed, a master SIGTERMed, slowloris,
hostile requests, a worker killed by gunicorn's timeout. Loopback only; every load phase lasts a
few seconds and is bounded; the figures are printed (`-s` shows them), never asserted on time:
`python -m benchmarks service` is where the long runs and the capacity figures come from.
"""

from __future__ import annotations

import json
import signal
import time

import pytest
import requests

from tests.reliability import load
from tests.reliability.stack import stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PROBLEM = "application/problem+json"


def test_mixed_load_through_the_proxy_fails_nothing(two_replicas):
    result = load.run(two_replicas.url, seconds=4, threads=6)
    print(result.line("mixed load, 2 replicas x 2 workers"))
    assert result.requests > 0
    assert result.failed == 0, (dict(result.failures), two_replicas.logs())
    # Every kind of request of the mix was answered.
    assert result.statuses[200] == result.requests


def test_worker_sigkilled_under_load_loses_no_request(two_replicas):
    worker = two_replicas.replicas[0].children()[0]
    thread, holder = load.in_background(two_replicas.url, seconds=4, threads=6)
    time.sleep(1.5)
    import os

    os.kill(worker, signal.SIGKILL)
    thread.join()
    (result,) = holder
    print(result.line("a worker SIGKILLed"))
    assert result.failed == 0, (dict(result.failures), two_replicas.logs())
    # gunicorn replaced the worker.
    deadline = time.monotonic() + 20
    while worker in two_replicas.replicas[0].children() or not two_replicas.replicas[0].children():
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_master_sigterm_under_load_loses_no_request(nginx):
    with stack(nginx, replicas=2, workers=2) as s:
        leaving = s.replicas[0]
        thread, holder = load.in_background(s.url, seconds=4, threads=6)
        time.sleep(1.5)
        leaving.proc.send_signal(signal.SIGTERM)
        code = leaving.proc.wait(timeout=30)
        thread.join()
        (result,) = holder
        print(result.line("a replica's master SIGTERMed"))
        assert code == 0  # a graceful exit: in-flight requests finished
        assert result.failed == 0, (dict(result.failures), s.logs())
        assert requests.get(s.url + "/healthz", timeout=5).status_code == 200


def test_a_whole_replica_killed_under_load_loses_no_request(nginx):
    """SIGKILL to a replica's master and workers at once (a crashed container)."""
    import os

    with stack(nginx, replicas=2, workers=1) as s:
        victim = s.replicas[0]
        thread, holder = load.in_background(s.url, seconds=4, threads=6)
        time.sleep(1.5)
        os.killpg(victim.pid, signal.SIGKILL)
        thread.join()
        (result,) = holder
        print(result.line("a replica SIGKILLed"))
        assert result.failed == 0, (dict(result.failures), s.logs())


def test_200_slowloris_connections_do_not_starve_the_service(two_replicas):
    held = load.slowloris(two_replicas.nginx.port, 200)
    try:
        result = load.run(two_replicas.url, seconds=3, threads=4)
        print(result.line("with 200 slowloris connections open"))
        assert result.failed == 0 and result.requests > 0
    finally:
        for sock in held:
            sock.close()


def test_without_the_proxy_a_few_slowloris_connections_stop_gunicorn(tmp_path):
    """The measurement behind the choice of a proxy: sync workers wait on slow clients."""
    from tests.reliability.stack import start_replica

    replica = start_replica(tmp_path, workers=2)
    try:
        held = load.slowloris(replica.port, 2)
        try:
            with pytest.raises(requests.Timeout):
                requests.get(f"http://127.0.0.1:{replica.port}/healthz", timeout=2)
        finally:
            for sock in held:
                sock.close()
    finally:
        replica.stop()


def test_slowloris_connections_are_closed_by_the_header_timeout(two_replicas):
    (sock,) = load.slowloris(two_replicas.nginx.port, 1)
    started = time.monotonic()
    sock.settimeout(20)
    with sock:
        try:
            data = sock.recv(65536)
        except ConnectionResetError:  # reset_timedout_connection: closed with a RST
            data = b""
    # nginx answers 408 or simply closes the connection after client_header_timeout (5 s).
    assert data == b"" or data.startswith(b"HTTP/1.1 408")
    assert time.monotonic() - started < 15


HOSTILE = [
    # (name, method, path, headers, body, status)
    ("deep nesting", "POST", "/api/ip", {"Content-Type": "application/json"},
     b"[" * 100_000 + b"]" * 100_000, 400),
    ("lone surrogate", "POST", "/api/ip", {"Content-Type": "application/json"},
     b'{"addresses": ["\\ud800"]}', 400),
    ("a million digits", "POST", "/api/checksum", {"Content-Type": "application/json"},
     b'{"data": ' + b"9" * 1_000_000 + b"}", 400),
    ("invalid UTF-8", "POST", "/api/ip", {"Content-Type": "application/json"},
     b'{"addresses": ["\xff\xfe"]}', 400),
    ("duplicate keys", "POST", "/api/checksum", {"Content-Type": "application/json"},
     b'{"data": "00", "data": "01"}', 400),
    ("body over the cap", "POST", "/api/ip", {"Content-Type": "application/json"},
     b"[" + b" " * 2_000_000 + b"]", 413),
    ("huge header", "GET", "/healthz", {"X-Big": "a" * 20_000}, None, 431),
    ("huge URL", "GET", "/api/ip/" + "1" * 20_000, {}, None, 414),
    ("wrong content type", "POST", "/api/ip", {"Content-Type": "text/xml"}, b"<a/>", 415),
    ("no content type", "POST", "/api/checksum", {}, b'{"data": "00"}', 415),
    ("unknown path", "GET", "/_problem/502", {}, None, 404),
    ("wrong method", "DELETE", "/api/ip/1.1.1.1", {}, None, 405),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "method", "path", "headers", "body", "status"), HOSTILE, ids=[h[0] for h in HOSTILE]
)
def test_hostile_requests_through_the_proxy_get_problems(
    two_replicas, name, method, path, headers, body, status
):
    r = requests.request(method, two_replicas.url + path, headers=headers, data=body, timeout=30)
    assert r.status_code == status, r.text[:300]
    assert r.headers["Content-Type"] == PROBLEM
    problem = r.json()
    assert problem["status"] == status and problem["detail"]
    assert "Traceback" not in r.text and r.headers["X-Content-Type-Options"] == "nosniff"


def test_chunked_body_over_the_cap_through_the_proxy_is_413(two_replicas):
    def chunks():
        yield b'{"data": "00"}'
        for _ in range(40):
            yield b" " * 65536

    r = requests.post(
        two_replicas.url + "/api/checksum",
        data=chunks(),
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert r.status_code == 413 and r.headers["Content-Type"] == PROBLEM


def test_no_server_version_and_no_traceback_in_any_answer(two_replicas):
    r = requests.get(two_replicas.url + "/api/docs", timeout=10)
    assert r.headers["Server"] == "nginx"  # server_tokens off: no version
    assert "Content-Security-Policy" in r.headers


def test_a_worker_killed_by_gunicorns_timeout_still_answers_problem_json(nginx):
    """With the app's budgets above gunicorn's timeout, the worker is killed mid-request:
    gunicorn answers its own HTML 500 (or drops the connection), and nginx turns that into
    problem+json rather than passing HTML or a dropped connection to the client."""
    # the time and event budgets raised past the timeout, or they would end the request first
    env = {
        "GUNICORN_TIMEOUT": "2",
        "NETUTIL_REQUEST_BUDGET": "60",
        "NETUTIL_SIM_EVENT_BUDGET": "100000000",
    }
    with stack(nginx, replicas=1, workers=1, env=env) as s:
        query = "seed=1&runs=10000&data=1677&mss=88&window=1&duplicate=1&reorder=1"
        r = requests.get(s.url + "/api/handshake?" + query, timeout=60)
        assert r.status_code in (500, 502), r.text[:300]
        assert r.headers["Content-Type"] == PROBLEM
        assert json.loads(r.text)["status"] == r.status_code
        # ... and the replica is serving again with a new worker.
        deadline = time.monotonic() + 30
        while requests.get(s.url + "/healthz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline
            time.sleep(0.2)
