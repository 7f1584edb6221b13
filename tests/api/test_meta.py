"""Health, the contract and the offline API explorer."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from netutil import __version__


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.get_data(as_text=True) == f'{{"status":"ok","version":"{__version__}"}}'


def test_docs_page_loads_only_local_assets(client):
    """Every script and stylesheet of the explorer comes from this service: no CDN, no other
    host, so the page works with no network (and the online validator is switched off)."""
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    refs = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert len(refs) >= 2
    # No inline script or style (the page's Content-Security-Policy allows neither).
    assert re.findall(r"<script>|<style|style=", html) == []
    init = client.get("/api/docs/netutil-init.js").get_data(as_text=True)
    assert "SwaggerUIBundle(" in init and 'url: "openapi.yaml"' in init
    assert "validatorUrl: null" in init
    assert "://" not in html + init and "//" not in "".join(refs)
    for ref in [*refs, "openapi.yaml"]:
        path = urljoin("http://service/api/docs", ref).removeprefix("http://service")
        asset = client.get(path)
        assert asset.status_code == 200, path
        assert len(asset.get_data()) > 100


def test_docs_assets_are_a_closed_list(client):
    assert client.get("/api/docs/swagger-ui-bundle.js").status_code == 200
    for name in ("index.template.html", "..%2Fdist", "oauth2-redirect.js"):
        assert client.get(f"/api/docs/{name}").status_code == 404
