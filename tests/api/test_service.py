"""The real service under gunicorn on a loopback port, driven by raw requests, the client and
the CLI with --api: every endpoint, every error status, and CLI output identical to the local run.
"""

from __future__ import annotations

import ast
import io
import json

import pytest
import requests

from api import limits
from netutil.cli import main
from netutil.client import (
    OPERATIONS,
    ApiError,
    ApiInvalidInput,
    Client,
    ServiceUnavailable,
)
from tests.api.conftest import ROOT, free_port

pytestmark = pytest.mark.integration

# Command lines of every CLI operation (good and bad input); each runs locally and with --api.
CLI_CASES: dict[str, list[list[str]]] = {
    "ip_info": [
        ["ip", "info", "192.168.0.1"],
        ["ip", "info", "10.1.2.3/24"],
        ["ip", "info", "10.1.2.3/255.255.255.0"],
        ["ip", "info", "fe80::21b:21ff:fe3a:4b5c%eth0"],
        ["ip", "info", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "::ffff:10.0.0.1"],
        ["ip", "info", "256.1.1.1"],
        ["ip", "info", "1.2.3.4", "1.2.3", "::1"],
        ["ip", "info", "1.2.3.4/33"],
        ["ip", "info", "/24"],  # a leading slash still reaches the core (no 404)
    ],
    "subnet_info": [
        ["subnet", "info", "192.168.1.0/24"],
        ["subnet", "info", "10.1.2.3/24"],
        ["subnet", "info", "10.1.2.3/24", "--strict"],
        ["subnet", "info", "10.0.0.0/31", "2001:db8::/127", "::/0"],
        ["subnet", "info", "10.0.0.0/33"],
    ],
    "subnet_split": [
        ["subnet", "split", "10.0.0.0/24", "--prefix", "26"],
        ["subnet", "split", "10.0.0.0/24", "--count", "5"],
        ["subnet", "split", "192.168.1.0/24", "--hosts", "50", "20", "10", "2"],
        ["subnet", "split", "192.168.1.0/24", "--hosts", "200", "100"],
        ["subnet", "split", "10.0.0.0/8", "--prefix", "32", "--limit", "5", "--start", "1000"],
        ["subnet", "split", "2001:db8::/32", "--prefix", "64", "--limit", "3"],
        # more items than one API page: the client follows the pages
        ["subnet", "split", "10.0.0.0/20", "--prefix", "31"],
        ["subnet", "split", "10.0.0.0/24", "--prefix", "26", "--start", "5"],
    ],
    "subnet_summarize": [
        [
            "subnet",
            "summarize",
            "10.0.0.0/25",
            "10.0.0.128/25",
            "2001:db8::/33",
            "2001:db8:8000::/33",
        ],
        ["subnet", "summarize", "10.0.0.1", "10.0.0.0", "192.168.0.0/16", "--limit", "1"],
        ["subnet", "summarize", "10.0.0.0/24", "nonsense"],
    ],
    "subnet_range": [
        ["subnet", "range", "10.0.0.1", "10.0.0.6"],
        ["subnet", "range", "::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "--limit", "4"],
    ],
    "subnet_contains": [
        ["subnet", "contains", "10.0.0.0/8", "10.1.2.3"],
        ["subnet", "contains", "10.0.0.0/8", "11.0.0.0/8"],
        ["subnet", "contains", "10.0.0.0/8", "::1"],
    ],
    "subnet_overlap": [
        ["subnet", "overlap", "10.0.0.0/8", "10.1.0.0/16"],
        ["subnet", "overlap", "10.0.0.0/24", "10.0.1.0/24"],
    ],
    "subnet_exclude": [
        ["subnet", "exclude", "10.0.0.0/24", "10.0.0.5", "10.0.0.64/26"],
        ["subnet", "exclude", "2001:db8::/64", "2001:db8::/65", "--limit", "2"],
        ["subnet", "exclude", "10.0.0.0/24", "::1"],
    ],
    "checksum": [
        ["checksum", "0001f203f4f5f6f7"],  # RFC 1071 section 3's example: sum 0xddf2
        ["checksum", "--verify", "45000030442240008006442e8c7c19acae241e2b"],
        ["checksum", "--verify", "45000030442240008006442f8c7c19acae241e2b"],
        ["checksum", "0x01:02 03"],
        ["checksum", ""],
    ],
    "tcp_header_build": [
        [
            "tcp",
            "header",
            "build",
            "--src",
            "10.0.0.1:1234",
            "--dst",
            "10.0.0.2:80",
            "--seq",
            "1000",
            "--flags",
            "SYN",
            "--window",
            "64240",
            "--mss",
            "1460",
            "--sack-perm",
            "--ts",
            "100,0",
            "--wscale",
            "7",
        ],
        [
            "tcp",
            "header",
            "build",
            "--src",
            "[2001:db8::1]:1234",
            "--dst",
            "[2001:db8::2]:80",
            "--seq",
            "1",
            "--ack",
            "2",
            "--flags",
            "PSH,ACK",
            "--window",
            "512",
            "--payload",
            "68656c6c6f",
            "--ip",
        ],
        ["tcp", "header", "build", "--src", "10.0.0.1:1", "--dst", "[::1]:2"],
    ],
    "tcp_parse": [
        # an IPv4 SYN built by hand from RFC 791/9293 field values (checksums computed by scapy)
        [
            "tcp",
            "parse",
            "450000280001000040067ccd7f0000017f0000013039005000000000000000005002200061570000",
        ],
        [
            "tcp",
            "parse",
            "--layer",
            "tcp",
            "--src",
            "127.0.0.1",
            "--dst",
            "127.0.0.1",
            "3039005000000000000000005002200061570000",
        ],
        ["tcp", "parse", "3039"],
        ["tcp", "parse", "--src", "127.0.0.1", "3039005000000000000000005002200061570000"],
    ],
    "tcp_handshake": [
        ["tcp", "handshake", "--seed", "7"],
        ["tcp", "handshake", "--drop", "syn-ack", "--seed", "7"],
        ["tcp", "handshake", "--loss", "0.2", "--data", "20000", "--seed", "3", "--rtt", "30ms"],
        [
            "tcp",
            "handshake",
            "--data",
            "5000",
            "--window",
            "1000",
            "--read-rate",
            "200",
            "--seed",
            "1",
        ],
        ["tcp", "handshake", "--closer", "both", "--seed", "2"],
        ["tcp", "handshake", "--simultaneous-open", "--seed", "2"],
        ["tcp", "handshake", "--no-listener", "--seed", "2"],
        [
            "tcp",
            "handshake",
            "--corrupt",
            "0.3",
            "--duplicate",
            "0.3",
            "--reorder",
            "0.3",
            "--seed",
            "5",
        ],
        ["tcp", "handshake", "--loss", "1.0", "--seed", "4"],
        ["tcp", "handshake", "--loss", "0.1", "--runs", "200", "--seed", "9"],
    ],
    "tcp_states": [["tcp", "states"]],
}


def cli_operations() -> set[str]:
    """Operation names the CLI modules pass to backend.call (read from their source)."""
    names = set()
    for path in (ROOT / "netutil" / "cli").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", None) == "call"
                and len(node.args) >= 2
                and isinstance(node.args[1], ast.Constant)
            ):
                names.add(node.args[1].value)
    return names


def test_every_cli_operation_has_a_client_method_and_cli_cases():
    ops = cli_operations()
    assert ops, "no CLI operation found"
    assert ops <= set(OPERATIONS)
    assert ops <= set(CLI_CASES)


def run_cli(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv",
    [argv for cases in CLI_CASES.values() for argv in cases],
    ids=lambda a: " ".join(a),
)
@pytest.mark.parametrize("mode", ["json", "text"])
def test_cli_with_api_equals_local_run(service, capsys, argv, mode):
    if mode == "json":
        mode = ["--format", "json"] if argv[:2] == ["tcp", "handshake"] else ["--json"]
    else:
        mode = []
    local = run_cli([*argv, *mode], capsys)
    remote = run_cli(["--api", service, *argv, *mode], capsys)
    assert remote == local
    assert local[0] in (0, 1, 2)


STDIN_CASES = [
    (["ip", "info", "-", "--json"], "10.0.0.1\nbad\n::1\n"),
    (["subnet", "info", "-"], "10.0.0.0/8\nbad\n"),
    (["subnet", "summarize", "-", "--json"], "10.0.0.0/25\nbad\n# note\n10.0.0.128/25\n"),
    (["subnet", "summarize", "10.1.0.0/16", "-"], "10.0.0.0/16\n300.1.1.1\n"),
    (["subnet", "exclude", "10.0.0.0/24", "-"], "10.0.0.5\nbad\n"),
    (["checksum", "-"], "0001\nzz\nffff\n"),
]


@pytest.mark.parametrize(("argv", "text"), STDIN_CASES, ids=lambda v: str(v)[:40])
def test_cli_stdin_with_bad_lines_equals_local_run(service, capsys, monkeypatch, argv, text):
    """Bad lines of standard input are reported as `line N: ...` and skipped, remotely too."""
    runs = []
    for prefix in ([], ["--api", service]):
        monkeypatch.setattr("sys.stdin", io.StringIO(text))
        runs.append(run_cli([*prefix, *argv], capsys))
    assert runs[1] == runs[0]
    assert runs[0][0] == 1 and "line 2: " in runs[0][2]


def test_pcap_parse_with_api_equals_local_run(service, capsys, tmp_path):
    from scapy.all import IP, TCP, IPv6, wrpcap

    path = tmp_path / "two.pcap"
    wrpcap(
        str(path),
        [
            IP(src="10.0.0.1", dst="10.0.0.2")
            / TCP(sport=1234, dport=80, flags="S", seq=7, options=[("MSS", 1460), ("SAckOK", b"")]),
            IPv6(src="2001:db8::1", dst="2001:db8::2")
            / TCP(sport=80, dport=1234, flags="SA", seq=9, ack=8),
        ],
        linktype=101,  # LINKTYPE_RAW: IPv4 and IPv6 in one file
    )
    capsys.readouterr()
    for mode in (["--json"], []):
        argv = ["tcp", "parse", "--pcap", str(path), *mode]
        local = run_cli(argv, capsys)
        assert run_cli(["--api", service, *argv], capsys) == local
        assert local[0] == 0 and len(local[1].splitlines()) == 2
    rows = Client(service).tcp_parse(pcap=path.read_bytes())
    assert [r["flags"] for r in rows] == [["SYN"], ["SYN", "ACK"]]
    assert [r["checksum_status"] for r in rows] == ["good", "good"]


def test_handshake_pcap_with_api_equals_local_run(service, capsys, tmp_path):
    argv = ["tcp", "handshake", "--seed", "11", "--data", "3000", "--format", "pcap"]
    assert run_cli([*argv, "--output", str(tmp_path / "local.pcap")], capsys)[0] == 0
    remote = ["--api", service, *argv, "--output", str(tmp_path / "remote.pcap")]
    assert run_cli(remote, capsys)[0] == 0
    local_bytes = (tmp_path / "local.pcap").read_bytes()
    assert (tmp_path / "remote.pcap").read_bytes() == local_bytes
    # The service's own pcap (Accept) is the same file, and dpkt reads it with good checksums.
    served = Client(service).tcp_handshake_pcap(seed=11, data=3000)
    assert served == local_bytes
    import io

    import dpkt

    packets = list(dpkt.pcap.Reader(io.BytesIO(served)))
    assert len(packets) > 5


def test_cli_reads_netutil_api_from_environment(service, capsys, monkeypatch):
    monkeypatch.setenv("NETUTIL_API", f"http://127.0.0.1:{free_port()}")  # nobody there
    code, out, err = run_cli(["ip", "info", "192.168.0.1"], capsys)
    assert code == 1 and out == ""
    assert err.startswith("netutil: error: cannot reach the netutil service at http://127.0.0.1:")
    monkeypatch.setenv("NETUTIL_API", service)
    assert run_cli(["ip", "info", "192.168.0.1", "--json"], capsys)[0] == 0


# --- raw HTTP: every endpoint --------------------------------------------------------------


def local_json(argv, capsys):
    code, out, _ = run_cli([*argv, "--json"], capsys)
    assert code == 0
    return json.loads(out)


def test_get_ip_equals_cli_json_byte_for_byte_in_order(service, capsys):
    response = requests.get(service + "/api/ip/192.168.0.1", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    expected = local_json(["ip", "info", "192.168.0.1"], capsys)
    assert list(body.items()) == list(expected.items())
    # Independent facts (ipaddress, RFC 1918): the API is not just self-consistent.
    assert body["integer"] == str(int(__import__("ipaddress").ip_address("192.168.0.1")))
    assert body["registry"]["prefix"] == "192.168.0.0/16"
    assert body["is_private"] is True


def test_get_ip_with_prefix_slash_and_zone(service, capsys):
    r = requests.get(service + "/api/ip/10.1.2.3/24", timeout=10)
    assert r.json() == local_json(["ip", "info", "10.1.2.3/24"], capsys)
    assert r.json()["network"]["network"] == "10.1.2.0/24"
    r = requests.get(service + "/api/ip/fe80::1%25eth0", timeout=10)
    assert r.json()["zone"] == "eth0"


def test_batch_in_order_with_per_item_errors(service, capsys):
    r = requests.post(
        service + "/api/ip", json={"addresses": ["::1", "1.2.3", "8.8.8.8"]}, timeout=10
    )
    assert r.status_code == 200
    results = r.json()["results"]
    assert [i["input"] for i in results] == ["::1", "1.2.3", "8.8.8.8"]
    assert results[0]["result"] == local_json(["ip", "info", "::1"], capsys)
    assert results[0]["error"] is None
    assert results[1]["result"] is None
    _, _, err = run_cli(["ip", "info", "1.2.3"], capsys)
    assert err == f"netutil: error: {results[1]['error']}\n"


def test_batch_at_the_cap_and_one_over(service):
    addresses = [f"10.0.{i // 256}.{i % 256}" for i in range(limits.BATCH_MAX)]
    r = requests.post(service + "/api/ip", json={"addresses": addresses}, timeout=60)
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == limits.BATCH_MAX
    assert results[-1]["result"]["compressed"] == addresses[-1]
    r = requests.post(service + "/api/ip", json={"addresses": [*addresses, "10.9.9.9"]}, timeout=60)
    assert r.status_code == 422
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["errors"] == {
        "addresses": [f"Length must be between 1 and {limits.BATCH_MAX}."]
    }


def test_healthz_and_contract_and_docs(service):
    assert requests.get(service + "/healthz", timeout=5).json()["status"] == "ok"
    spec = requests.get(service + "/api/openapi.yaml", timeout=5)
    assert spec.text == (ROOT / "openapi.yaml").read_text()
    docs = requests.get(service + "/api/docs", timeout=5)
    assert docs.status_code == 200 and "swagger-ui-bundle.js" in docs.text


# --- raw HTTP: every error status ------------------------------------------------------------


def problem(response, status):
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.json()
    assert list(body) == ["type", "title", "status", "detail", "errors"]
    assert body["status"] == status
    text = response.text
    assert "Traceback" not in text and "/site-packages/" not in text and str(ROOT) not in text
    return body


def test_400_malformed_json(service):
    r = requests.post(
        service + "/api/ip", data=b'{"addresses": [', headers={"Content-Type": "application/json"}
    )
    assert problem(r, 400)["detail"].startswith("The request body is not valid JSON")


def test_404_unknown_path(service):
    problem(requests.get(service + "/api/nothing-here", timeout=5), 404)


def test_405_wrong_method(service):
    r = requests.put(service + "/api/ip", json={}, timeout=5)
    problem(r, 405)
    assert "POST" in r.headers["Allow"]


def test_413_body_over_the_cap(service):
    big = json.dumps({"addresses": ["1.1.1.1"] * 200_000}).encode()
    assert len(big) > 1024 * 1024
    r = requests.post(
        service + "/api/ip", data=big, headers={"Content-Type": "application/json"}, timeout=30
    )
    problem(r, 413)


def test_415_not_json(service):
    r = requests.post(
        service + "/api/ip",
        data="addresses=1.1.1.1",
        timeout=5,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    problem(r, 415)


def test_422_invalid_values_and_unknown_fields(service):
    r = requests.post(service + "/api/ip", json={"addresses": [], "verbose": True}, timeout=5)
    assert problem(r, 422)["errors"] == {
        "addresses": [f"Length must be between 1 and {limits.BATCH_MAX}."],
        "verbose": ["Unknown field."],
    }
    body = problem(requests.get(service + "/api/ip/256.1.1.1", timeout=5), 422)
    assert body["detail"] == "invalid IPv4 address '256.1.1.1': octet 256 (> 255) at position 1"
    problem(requests.get(service + "/api/ip/1.1.1.1?x=1", timeout=5), 422)


# --- the client ------------------------------------------------------------------------------


def test_client_methods_return_core_data(service):
    from netutil.address import info

    with Client(service) as client:
        assert client.healthz()["status"] == "ok"
        assert client.ip_info("2001:db8::1/64") == info("2001:db8::1/64").as_dict()
        items = client.ip_batch(["1.1.1.1", "nope"])
        assert items[0]["result"] == info("1.1.1.1").as_dict()
        assert items[1]["error"] is not None
        assert client.openapi() == (ROOT / "openapi.yaml").read_text()


def test_client_raises_typed_errors_with_problem_fields(service):
    client = Client(service)
    with pytest.raises(ApiInvalidInput) as caught:
        client.ip_info("256.1.1.1")
    exc = caught.value
    assert isinstance(exc, ValueError)  # an InvalidInput, like the local core's
    assert (exc.status, exc.title, exc.type) == (
        422,
        "Invalid input",
        "urn:netutil:problem:invalid-input",
    )
    assert str(exc) == "invalid IPv4 address '256.1.1.1': octet 256 (> 255) at position 1"
    with pytest.raises(ApiInvalidInput) as caught:
        client.ip_batch([])
    assert caught.value.errors == {
        "addresses": [f"Length must be between 1 and {limits.BATCH_MAX}."]
    }
    with pytest.raises(ApiError) as caught:
        client.request("GET", "/api/nope")
    assert caught.value.status == 404 and not isinstance(caught.value, ApiInvalidInput)


def test_client_unknown_operation_is_an_error(service):
    from netutil.errors import NetutilError

    with pytest.raises(NetutilError, match="unknown operation 'ip_nope'"):
        Client(service).call("ip_nope")


def test_client_connection_refused_is_service_unavailable_after_retries():
    url = f"http://127.0.0.1:{free_port()}"
    client = Client(url, retries=2, backoff=0)
    retry = client.session.get_adapter(url).max_retries
    assert (retry.connect, retry.read) == (2, 0)
    with pytest.raises(
        ServiceUnavailable,
        match=r"cannot reach the netutil service at http://127\.0\.0\.1:\d+: connection refused",
    ):
        client.ip_info("1.1.1.1")


def test_client_timeout_is_always_set():
    assert Client("http://127.0.0.1:1").timeout == (3.05, 60.0)
