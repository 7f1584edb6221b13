"""The per-client limits of deploy/nginx.conf, through a real nginx: a client past the request
rate, or holding more connections than allowed, gets 429 as problem+json with a Retry-After,
while a client from another address is served as usual.

The connection limit is tested at the file's own value (256 requests in progress from one
address); the request rate (1000 a second with bursts of 2000) is more than a Python client
on two shared cores can send, so that test lowers it to 5 a second with bursts of 5, the one
change to the file (the lines marked "@rate" and "@burst")."""

from __future__ import annotations

import http.client
import json
import socket
import time

from tests.reliability.stack import stack

PROBLEM = "application/problem+json"
OTHER_CLIENT = "127.0.0.2"  # loopback too, but another client address for nginx's zones


def get(port: int, path: str = "/healthz", source: str = "127.0.0.1") -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30, source_address=(source, 0))
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def assert_429_problem(headers: dict, body: bytes) -> None:
    assert headers["content-type"] == PROBLEM
    assert headers["retry-after"] == "1"
    problem = json.loads(body)
    assert problem["status"] == 429 and "retry later" in problem["detail"]


def test_past_the_request_rate_a_client_gets_429_and_another_is_served(nginx):
    with stack(nginx, replicas=1, workers=2, nginx_overrides={"rate": "5r/s", "burst": "5"}) as s:
        port = s.nginx.port
        statuses = []
        for _ in range(30):
            status, headers, body = get(port, "/api/ip/192.0.2.1")
            statuses.append(status)
            if status == 429:
                assert_429_problem(headers, body)
        # the burst of 5 passes at once (nodelay), with the one the rate allows; then 429s
        assert statuses[:6] == [200] * 6, statuses
        assert statuses.count(429) >= 20, statuses
        assert set(statuses) == {200, 429}
        # another client address has its own allowance
        assert get(port, "/api/ip/192.0.2.1", source=OTHER_CLIENT)[0] == 200


def test_past_256_requests_in_progress_a_client_gets_429_and_another_is_served(nginx):
    with stack(nginx, replicas=1, workers=1) as s:
        port = s.nginx.port
        held: list[socket.socket] = []
        try:
            # 256 requests whose headers are in and whose body is still coming (nginx reads
            # the whole body before a worker sees it, so these cost the replica nothing)
            for _ in range(256):
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                held.append(sock)
                sock.sendall(
                    b"POST /api/checksum HTTP/1.1\r\nHost: t\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 20\r\n\r\n{"
                )
            time.sleep(0.5)  # nginx has read every one of those headers
            status, headers, body = get(port)
            assert status == 429, body[:200]
            assert_429_problem(headers, body)
            assert get(port, source=OTHER_CLIENT)[0] == 200
        finally:
            for sock in held:
                sock.close()
        # once they are gone, the first client is served again
        deadline = time.monotonic() + 10
        while get(port)[0] != 200:
            assert time.monotonic() < deadline
            time.sleep(0.1)
