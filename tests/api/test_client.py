"""The client's transport: retries on connection errors against a real socket, typed errors
for answers that are not problem+json, and the API answering what the core answers."""

from __future__ import annotations

import functools
import ipaddress
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netutil.client import ApiError, Client, ServiceUnavailable
from tests.api.conftest import free_port


class _Health(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/healthz":
            body, status, media = b'{"status":"ok","version":"x"}', 200, "application/json"
        else:
            body, status, media = b"<h1>gateway trouble</h1>", 502, "text/html"
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_connection_errors_are_retried_until_the_service_is_up():
    """Nobody listens at first; the server comes up while the client backs off and retries."""
    port = free_port()
    server_box = {}

    def start_later():
        time.sleep(0.3)
        server_box["server"] = ThreadingHTTPServer(("127.0.0.1", port), _Health)
        server_box["server"].serve_forever()

    thread = threading.Thread(target=start_later, daemon=True)
    thread.start()
    try:
        client = Client(f"http://127.0.0.1:{port}", retries=8, backoff=0.1)
        assert client.healthz() == {"status": "ok", "version": "x"}
        # A non-problem error answer (a proxy's HTML page) is still a typed ApiError.
        with pytest.raises(ApiError) as caught:
            client.request("GET", "/elsewhere")
        assert caught.value.status == 502
        assert caught.value.detail.startswith("HTTP 502 Bad Gateway from http://127.0.0.1:")
    finally:
        while "server" not in server_box and thread.is_alive():
            time.sleep(0.05)
        if "server" in server_box:
            server_box["server"].shutdown()
            server_box["server"].server_close()


def test_without_retries_a_refused_connection_fails_at_once():
    client = Client(f"http://127.0.0.1:{free_port()}", retries=0)
    with pytest.raises(ServiceUnavailable, match="connection refused"):
        client.healthz()


addresses = st.one_of(
    st.integers(0, 2**32 - 1).map(lambda v: str(ipaddress.IPv4Address(v))),
    st.integers(0, 2**128 - 1).map(lambda v: str(ipaddress.IPv6Address(v))),
    st.tuples(st.integers(0, 2**32 - 1), st.integers(0, 32)).map(
        lambda t: f"{ipaddress.IPv4Address(t[0])}/{t[1]}"
    ),
)


@settings(max_examples=60, deadline=None)
@given(addresses)
def test_ip_endpoint_body_is_the_core_json_for_random_addresses(text):
    from netutil.address import info

    response = _app_client().get(f"/api/ip/{text}")
    assert response.status_code == 200
    assert list(json.loads(response.get_data()).items()) == list(info(text).as_dict().items())


@functools.cache
def _app_client():
    from api import create_app

    return create_app().test_client()
