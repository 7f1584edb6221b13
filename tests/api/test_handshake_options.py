"""The simulator's options through the API: the same values refused as on the command line,
each with a 422 naming the field, and a transfer that cannot fit refused before it runs."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("data=" + "9" * 400, "data"),
        ("window=" + "9" * 400, "window"),
        ("read_rate=" + "9" * 400, "read_rate"),
        ("msl=1e9", "msl"),
        ("seed=%D9%A8%D9%A0", "seed"),  # Arabic-Indic 80
        ("mss=%D9%A8%D9%A0", "mss"),
        ("loss=%D9%A0.5", "loss"),
        ("loss=nan", "loss"),
        ("jitter=inf", "jitter"),
        ("drop=synack", "drop.0"),
        ("drop=0", "drop.0"),
        ("synack_retries=16", "synack_retries"),
    ],
)
def test_bad_query_values_are_422_naming_the_field(client, query, field):
    r = client.get(f"/api/handshake?{query}")
    assert r.status_code == 422
    assert r.mimetype == "application/problem+json"
    assert list(r.json["errors"]) == [field]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"data": int("9" * 400)}, "data"),
        ({"window": int("9" * 400)}, "window"),
        ({"read_rate": 1e300}, "read_rate"),
        ({"msl": 1e9}, "msl"),
        ({"drop": ["1"] * 101}, "drop"),
    ],
)
def test_bad_body_values_are_422_naming_the_field(client, body, field):
    r = client.post("/api/handshake", json=body)
    assert r.status_code == 422
    assert list(r.json["errors"]) == [field]


def test_null_in_a_body_means_the_default(client):
    r = client.post("/api/handshake", json={"seed": 1, "loss_to_server": None, "read_rate": None})
    assert r.status_code == 200
    assert r.json["options"]["loss_to_server"] is None


def test_a_transfer_that_cannot_fit_its_event_cap_is_refused_at_once(client):
    r = client.get("/api/handshake?seed=1&data=3000&window=1&max_events=1000")
    assert r.status_code == 422
    assert r.json["detail"] == (
        "sending 3000 bytes in segments of at most 1 bytes (min of MSS 1460 and window 1) "
        "takes at least 3000 events, past the cap of 1000: a larger window or MSS, or less "
        "data, fits"
    )
