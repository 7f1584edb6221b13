# ruff: noqa: E501
"""`netutil --api URL ...` against a real `netutil serve` (gunicorn) on a loopback port: the same
output as the local run, in few requests, with the service's own reasons when it refuses."""

from __future__ import annotations

import io
import random

import pytest
import requests

from netutil.cli import main
from tests.api.conftest import BIN, free_port, running

SMALL_BODY = 65536  # the service's body cap in these tests (NETUTIL_MAX_BODY_BYTES)


@pytest.fixture(scope="module")
def service():
    port = free_port()
    argv = [str(BIN / "netutil"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    env = {"WEB_CONCURRENCY": "2", "NETUTIL_MAX_BODY_BYTES": str(SMALL_BODY)}
    with running(argv, port, env=env) as url:
        yield url


@pytest.fixture
def requests_sent(monkeypatch):
    """The (method, url) of every HTTP request this process sends."""
    sent = []
    real = requests.Session.request

    def counting(self, method, url, *args, **kwargs):
        sent.append((method, url))
        return real(self, method, url, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", counting)
    return sent


def run(capsys, monkeypatch, argv, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def addresses(n: int, seed: int = 12) -> str:
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        if i % 997 == 5:
            lines.append(f"bad{i}")
        elif i % 3:
            lines.append(".".join(str(rng.randrange(256)) for _ in range(4)))
        else:
            lines.append(":".join(f"{rng.randrange(65536):x}" for _ in range(8)))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("mode", [["--json"], []])
def test_ip_info_stdin_is_batched_and_equals_local(
    service, capsys, monkeypatch, requests_sent, mode
):
    text = addresses(20_000)
    local = run(capsys, monkeypatch, ["ip", "info", "-", *mode], text)
    assert requests_sent == []
    remote = run(capsys, monkeypatch, ["--api", service, "ip", "info", "-", *mode], text)
    assert remote == local
    assert local[0] == 1 and local[2].count("\n") == 21  # the bad lines, as 'line N: ...'
    # 20,000 addresses in batches of the service's cap (1000): 20 requests, not 20,000
    assert requests_sent == [("POST", service + "/api/ip")] * 20


def test_line_buffered_sends_each_address_at_once(service, capsys, monkeypatch, requests_sent):
    text = "10.0.0.1\nbad\n::1\n"
    local = run(capsys, monkeypatch, ["ip", "info", "-", "--json", "--line-buffered"], text)
    argv = ["--api", service, "ip", "info", "-", "--json", "--line-buffered"]
    assert run(capsys, monkeypatch, argv, text) == local
    assert len(requests_sent) == 3


def test_a_refusal_carries_the_services_reason(service, capsys, monkeypatch):
    argv = ["--api", service, "tcp", "handshake", "--runs", "100000", "--loss", "0.1"]
    code, out, err = run(capsys, monkeypatch, argv)
    assert (code, out) == (1, "")
    assert err == (
        "netutil: error: The request has invalid values (runs). (runs: Must be greater than or"
        " equal to 1 and less than or equal to 10000.)\n"
    )


def test_a_body_over_the_cap_is_refused_before_sending(service, capsys, monkeypatch, requests_sent):
    text = "".join(f"10.{i >> 8 & 255}.{i & 255}.0/24\n" for i in range(0, 200_000, 2))
    argv = ["--api", service, "subnet", "summarize", "-"]
    code, out, err = run(capsys, monkeypatch, argv, text)
    assert (code, out) == (1, "")
    assert requests_sent == []
    body = 2 + len('{"items":[') + sum(len(line) + 3 for line in text.splitlines()) - 1
    assert err.startswith("netutil: error: the request to /api/subnet/summarize would be ")
    assert "more than the 1048576 bytes the service at " in err
    assert "100000 items take about " in err and "per request (e.g. `split -l " in err
    assert err.endswith(", or run the command without --api\n") and err.count("\n") == 1
    assert int(err.split(" would be ")[1].split()[0]) >= body - 50


def test_a_413_from_a_smaller_cap_says_what_to_do(service, capsys, monkeypatch):
    text = "".join(f"10.{i >> 8 & 255}.{i & 255}.0/24\n" for i in range(0, 10_000, 2))
    code, out, err = run(capsys, monkeypatch, ["--api", service, "subnet", "summarize", "-"], text)
    assert (code, out) == (1, "")
    assert err.startswith(f"netutil: error: the service at {service} refused a request body of ")
    assert "as too large (HTTP 413); 5000 items take about " in err
    assert err.endswith(", or run the command without --api\n")


@pytest.mark.parametrize(
    "url", ["notaurl", "ftp://127.0.0.1/", "http://", "http://127.0.0.1:99999", "http://h/?q=1"]
)
def test_a_bad_service_url_is_a_usage_error(url, capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, ["--api", url, "ip", "info", "10.0.0.1"])
    assert (code, out) == (2, "")
    assert err.startswith(f"netutil: error: argument --api: invalid service URL {url!r}: ")
    monkeypatch.setenv("NETUTIL_API", url)
    assert run(capsys, monkeypatch, ["ip", "info", "10.0.0.1"])[0] == 2


@pytest.mark.parametrize(
    ("argv", "method", "path", "body"),
    [
        (["ip", "info", "fe80::1%eth0", "--json"], "GET", "/api/ip/fe80::1%25eth0", None),
        (["subnet", "info", "10.0.0.0/22", "--json"], "GET", "/api/subnet/10.0.0.0/22", None),
        (["checksum", "0001f203f4f5f6f7", "--json"], "POST", "/api/checksum", {"data": "0001f203f4f5f6f7"}),
        (["tcp", "handshake", "--seed", "3", "--loss", "0.2", "--json"], "POST", "/api/handshake", {"seed": 3, "loss": 0.2}),
        (["tcp", "states", "--json"], "GET", "/api/tcp/states", None),
    ],
    ids=lambda v: v[0] if isinstance(v, list) else None,
)  # fmt: skip
def test_json_output_and_the_service_body_are_one_encoding_apart(
    service, capsys, monkeypatch, argv, method, path, body
):
    """What the README claims: the same values in the same order; the CLI indents by two spaces,
    the service sends the compact form, and each re-encodes byte for byte into the other."""
    import json

    code, out, _ = run(capsys, monkeypatch, argv)
    assert code == 0
    raw = requests.request(method, service + path, json=body, timeout=30).content
    assert raw == json.dumps(json.loads(out), ensure_ascii=False, separators=(",", ":")).encode(
        "utf-8"
    )
    assert out == json.dumps(json.loads(raw), indent=2, ensure_ascii=False) + "\n"
