"""Configuration: safe defaults, environment overrides, and a loud failure on bad values."""

from __future__ import annotations

import pytest

from api import create_app
from api.config import from_environment


def test_safe_defaults():
    config = from_environment({})
    assert config["DEBUG"] is False
    assert config["MAX_CONTENT_LENGTH"] == 1024 * 1024
    app = create_app()
    assert app.debug is False and app.json.sort_keys is False


def test_environment_overrides():
    config = from_environment({"NETUTIL_DEBUG": "yes", "NETUTIL_MAX_BODY_BYTES": "2048"})
    assert config["DEBUG"] is True
    assert config["MAX_CONTENT_LENGTH"] == 2048


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NETUTIL_MAX_BODY_BYTES": "lots"}, "invalid NETUTIL_MAX_BODY_BYTES 'lots'"),
        ({"NETUTIL_MAX_BODY_BYTES": "0"}, "invalid NETUTIL_MAX_BODY_BYTES 0"),
    ],
)
def test_bad_environment_values_fail_at_start(env, message):
    with pytest.raises(ValueError, match=message):
        from_environment(env)


def test_body_cap_from_environment_is_enforced(monkeypatch):
    monkeypatch.setenv("NETUTIL_MAX_BODY_BYTES", "100")
    client = create_app().test_client()
    response = client.post("/api/ip", json={"addresses": ["192.168.0.1"] * 20})
    assert response.status_code == 413
    assert client.post("/api/ip", json={"addresses": ["1.1.1.1"]}).status_code == 200


def test_explicit_config_wins_over_environment(monkeypatch):
    monkeypatch.setenv("NETUTIL_MAX_BODY_BYTES", "100")
    assert create_app({"MAX_CONTENT_LENGTH": 5000}).config["MAX_CONTENT_LENGTH"] == 5000
