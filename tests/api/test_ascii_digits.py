"""Numbers in a request take only the ASCII digits 0-9, as the CLI's (netutil.numbers): Python's
int() and float(), under marshmallow's Integer and Float, also read other scripts' digits, so
`new_prefix=٢٦` (Arabic-Indic 26) was split into /26s."""

from __future__ import annotations

import pytest

from api import create_app


@pytest.fixture(scope="module")
def client():
    return create_app({"TESTING": True}).test_client()


@pytest.mark.parametrize(
    ("url", "field", "char"),
    [
        ("/api/subnet/split?network=10.0.0.0/24&new_prefix=\u0662\u0666", "new_prefix", "\u0662"),
        ("/api/subnet/split?network=10.0.0.0/24&new_prefix=2\u0666", "new_prefix", "\u0666"),
        ("/api/handshake?seed=\u0968", "seed", "\u0968"),  # Devanagari 2
        ("/api/handshake?loss=0.\u0661", "loss", "\u0661"),
    ],
)
def test_a_non_ascii_digit_in_the_query_is_a_422_naming_it(client, url, field, char):
    r = client.get(url)
    assert r.status_code == 422, r.get_data(as_text=True)
    assert r.mimetype == "application/problem+json"
    (message,) = r.get_json()["errors"][field]
    assert message == (
        f"non-ASCII character {char!r} (U+{ord(char):04X}): only the digits 0-9 are accepted"
    )


def test_a_non_ascii_digit_in_a_json_string_for_a_number_is_a_422(client):
    r = client.post("/api/subnet/summarize", json={"items": ["10.0.0.0/24"], "limit": "\u0661"})
    assert r.status_code == 422
    assert "only the digits 0-9" in r.get_json()["errors"]["limit"][0]


def test_ascii_digits_still_work(client):
    r = client.get("/api/subnet/split?network=10.0.0.0/24&new_prefix=26")
    assert r.status_code == 200
    assert r.get_json()["items"][0]["network"] == "10.0.0.0/26"
