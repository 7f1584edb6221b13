"""`/api/subnet/{intersect,diff,union,compare,count}`: the core's answers, described by the
schemas, and `netutil --api` printing what a local run prints (real gunicorn)."""

from __future__ import annotations

import io
import ipaddress
import json
import sys

import pytest

from api.schemas import setops as schemas
from netutil.cli import main
from netutil.subnet import setops
from tests.api.test_schemas import assert_described

A = ["10.0.0.0/24", "10.0.2.0/24", "", "2001:db8::/33"]
B = ["10.0.0.0/23", "2001:db8::/34"]


def test_answers_are_the_core_and_described(client):
    for path, core in (
        ("intersect", setops.intersect(A, B)),
        ("diff", setops.difference(A, B)),
    ):
        got = client.post(f"/api/subnet/{path}", json={"a": A, "b": B}).get_json()
        assert got == core.as_dict()
        assert_described(schemas.SetResult(), got)
    got = client.post("/api/subnet/union", json={"lists": [A, B, ["::/0"]]}).get_json()
    assert [i["network"] for i in got["items"]] == ["10.0.0.0/23", "10.0.2.0/24", "::/0"]
    assert_described(schemas.SetResult(), got)
    got = client.post("/api/subnet/compare", json={"a": A, "b": B}).get_json()
    assert got == setops.compare(A, B).as_dict()
    assert [i["network"] for i in got["added"]["items"]] == ["10.0.1.0/24"]
    assert_described(schemas.CompareResult(), got)
    got = client.post("/api/subnet/count", json={"items": A}).get_json()
    assert got["num_addresses"] == str(512 + 2**95)
    assert_described(schemas.CountResult(), got)


def test_bad_items_422_or_listed(client):
    answer = client.post("/api/subnet/intersect", json={"a": ["10.0.0.0/8"], "b": ["x"]})
    assert answer.status_code == 422
    assert (
        answer.get_json()["detail"]
        == "list 2: item 1: invalid network 'x': expected 4 octets in 'x'"
    )
    body = {"a": ["10.0.0.0/8", "10.1.0.0/16/3"], "b": ["10.0.0.0/9"], "skip_invalid": True}
    got = client.post("/api/subnet/diff", json=body).get_json()
    assert [i["network"] for i in got["items"]] == ["10.128.0.0/9"]
    assert [(e["list"], e["item"]) for e in got["invalid_items"]] == [(1, 2)]
    assert_described(schemas.SetResult(), got)
    assert client.post("/api/subnet/union", json={"lists": []}).status_code == 422
    assert client.post("/api/subnet/count", json={"items": "10.0.0.0/8"}).status_code == 422
    assert client.post("/api/subnet/compare", json={"a": [], "b": [], "x": 1}).status_code == 422


def test_long_results_come_in_pages(client):
    # 10.0.0.0/16 less every other /32 of its first 2,048 addresses: 1,024 /32s are left there,
    # then 10.0.8.0/21 .. 10.0.128.0/17 (one block per remaining bit: 5 more)
    taken = [str(ipaddress.IPv4Address(0x0A000000 + 2 * i)) for i in range(1024)]
    body = {"a": ["10.0.0.0/16"], "b": taken}
    first = client.post("/api/subnet/diff", json=body).get_json()
    assert (first["total"], first["count"], first["next_start"]) == ("1029", 1000, "1000")
    rest = client.post("/api/subnet/diff", json={**body, "cursor": "1000"}).get_json()
    assert [i["network"] for i in rest["items"]][-5:] == [
        "10.0.8.0/21", "10.0.16.0/20", "10.0.32.0/19", "10.0.64.0/18", "10.0.128.0/17"
    ]  # fmt: skip
    compared = client.post("/api/subnet/compare", json={"a": body["b"], "b": body["a"]})
    doc = compared.get_json()
    assert (doc["added"]["count"], doc["added"]["next_start"], doc["removed"]["total"]) == (
        1000,
        "1000",
        "0",
    )


@pytest.mark.integration
@pytest.mark.parametrize(
    "argv",
    [
        ["intersect", "{a}", "{b}", "--json"],
        ["diff", "{a}", "{b}"],
        ["union", "{a}", "{b}", "{a}", "--format", "cidr"],
        ["compare", "{a}", "{b}"],
        ["compare", "{a}", "{b}", "--format", "jsonl"],
        ["compare", "{b}", "{big}", "--json"],
        ["count", "{a}", "--json"],
    ],
)
def test_cli_with_api_equals_local_run(service, capsys, tmp_path, argv):
    a, b, big = tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "big.txt"
    a.write_text("\n".join([*A, "bad line"]) + "\n")
    b.write_text("\n".join(B) + "\n")
    big.write_text("".join(f"10.{i >> 8}.{i & 255}.1\n" for i in range(2500)))
    argv = [w.format(a=a, b=b, big=big) for w in argv]
    runs = []
    for prefix in ([], ["--api", service]):
        code = main([*prefix, "subnet", *argv])
        runs.append((code, *capsys.readouterr()))
    assert runs[0] == runs[1]
    assert runs[0][0] == (1 if str(a) in argv else 0)
    if argv[-1] == "--json" and argv[0] == "compare":
        # three pages of the service; 10.0.0.1 and 10.0.1.1 were in B's 10.0.0.0/23 already
        assert len(json.loads(runs[0][1])["added"]["items"]) == 2498


def test_count_from_stdin_through_the_api(service, capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("192.0.2.0/24\n192.0.2.7\n"))
    assert main(["--api", service, "subnet", "count", "-", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["num_addresses"] == "256"
