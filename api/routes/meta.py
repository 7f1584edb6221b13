"""Service endpoints: health, the OpenAPI contract and its interactive explorer.

The explorer is Swagger UI 5 (it renders OpenAPI 3.1) from the `flask-swagger-ui` wheel: its
files are served from the installed package, so the page works with no network at all.
"""

from __future__ import annotations

import os

from flask import Blueprint, Response, abort, current_app, send_from_directory

from api.contract import endpoint
from api.schemas.base import Health
from netutil import __version__

bp = Blueprint("meta", __name__)

#: The only explorer files the page needs (everything else in the package stays private).
DOCS_ASSETS = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "index.css"})

# Relative URLs: the page keeps working when the service is mounted under a path prefix.
# No inline script or style: the Content-Security-Policy (api.headers) allows neither.
DOCS_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>netutil API</title>
  <link rel="stylesheet" href="docs/swagger-ui.css">
  <link rel="stylesheet" href="docs/index.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="docs/swagger-ui-bundle.js"></script>
  <script src="docs/netutil-init.js"></script>
</body>
</html>
"""

#: The explorer's start-up, served as a file of its own (see DOCS_PAGE).
# validatorUrl null: Swagger UI would otherwise send the contract to an online validator.
DOCS_INIT = """window.ui = SwaggerUIBundle({
  url: "openapi.yaml",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: "BaseLayout"
});
"""
DOCS_INIT_NAME = "netutil-init.js"


def _docs_dir() -> str:
    import flask_swagger_ui

    return os.path.join(os.path.dirname(flask_swagger_ui.__file__), "dist")


@bp.get("/healthz")
@endpoint(operation_id="healthz", summary="Liveness probe", tag="meta", response=Health)
def healthz():
    """Answers 200 while the service can handle requests (the Docker HEALTHCHECK uses it)."""
    return {"status": "ok", "version": __version__}


@bp.get("/api/openapi.yaml")
def openapi_yaml() -> Response:
    """The OpenAPI 3.1 contract, generated from the routes and schemas of this very app."""
    text = current_app.extensions.get("netutil.openapi")
    if text is None:
        from api.spec import to_yaml

        text = current_app.extensions["netutil.openapi"] = to_yaml(current_app)
    return current_app.response_class(text, mimetype="application/yaml")


@bp.get("/api/docs")
def docs() -> Response:
    """The interactive API explorer (Swagger UI, served locally)."""
    return current_app.response_class(DOCS_PAGE, mimetype="text/html")


@bp.get("/api/docs/<name>")
def docs_asset(name: str) -> Response:
    if name == DOCS_INIT_NAME:
        response = current_app.response_class(DOCS_INIT, mimetype="text/javascript")
        response.cache_control.max_age = 86400
        return response
    if name not in DOCS_ASSETS:
        abort(404)
    return send_from_directory(_docs_dir(), name, max_age=86400)
