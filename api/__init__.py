"""The netutil REST service: a thin Flask adapter over the same core as the CLI.

`create_app(config=None)` builds the app: configuration from the environment (safe defaults,
debug off) overlaid with `config`, one blueprint per domain, RFC 9457 error handlers on the
app, and security headers on every answer. The JSON body of every operation is exactly the core
result's `as_dict()`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """A configured application; `config` overrides the environment (tests use it)."""
    from api import config as settings
    from api import headers, problems
    from api.converters import CONVERTERS
    from api.routes import blueprints

    app = Flask(__name__, static_folder=None)
    app.config.update(settings.from_environment())
    if config:
        app.config.update(config)
    # Keys in the core's order: the API's JSON must equal `netutil ... --json`.
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    # Paths carry user input (`/api/subnet/10.1.2.0/24`): keep every slash as sent.
    app.url_map.merge_slashes = False
    app.url_map.converters.update(CONVERTERS)
    problems.register(app)
    app.after_request(headers.secure)
    for bp in blueprints():
        app.register_blueprint(bp)
    return app
