"""Security headers on every answer (OWASP Secure Headers Project's recommendations).

HTML pages (the API explorer, the app page) get a Content-Security-Policy that allows scripts,
styles, images and fetches from the service's own origin only, and no inline script or style;
every other answer (JSON, YAML, pcap) gets one that allows nothing at all, which is what a
browser should do with an API response it is tricked into rendering. No CORS header is sent:
browsers on other origins cannot read the answers.
"""

from __future__ import annotations

from flask import Response

#: The policy of HTML pages: own origin only (`'self'`), no inline code, no framing.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
#: The policy of everything else: nothing may load, nothing may frame it.
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def secure(response: Response) -> Response:
    """after_request hook: add the headers (a view's own CSP is kept)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if "Content-Security-Policy" not in response.headers:
        html = response.mimetype == "text/html"
        response.headers["Content-Security-Policy"] = PAGE_POLICY if html else API_POLICY
    return response
