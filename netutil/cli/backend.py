"""Where a CLI command's result comes from: the local core, or a netutil service with `--api`.

Every command computes its JSON object through `call`, so `netutil ... --json` prints the same
thing locally and remotely and the text renderers (which take that JSON) draw the same output.
"""

from __future__ import annotations

from collections.abc import Callable

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from typing import Any


def check_service_url(text: str) -> str:
    """The base URL of a netutil service, `http://HOST[:PORT][/PATH]` or `https://...`, without
    a trailing slash; anything else raises InvalidInput naming the rule (requests would only
    fail later, at the first request, with an error of its own)."""
    from urllib.parse import urlsplit

    from netutil.errors import InvalidInput

    try:
        parts = urlsplit(text)
        port = parts.port  # ValueError for a port that is not a number in 0..65535
    except ValueError as exc:
        raise InvalidInput(f"invalid service URL {text!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(
            f"invalid service URL {text!r}: expected http://HOST[:PORT] or https://HOST[:PORT]"
            ", e.g. http://127.0.0.1:8000"
        )
    if parts.query or parts.fragment:
        raise InvalidInput(f"invalid service URL {text!r}: no query or fragment, just the base")
    del port
    return text.rstrip("/")


def service_url(text: str) -> str:
    """argparse type for `--api URL` (and $NETUTIL_API): a bad URL is a usage error, exit 2."""
    import argparse

    from netutil.errors import InvalidInput

    try:
        return check_service_url(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def call(args: Any, operation: str, local: Callable[[], Any], **params: Any) -> Any:
    """Run `operation` locally (`local()` returns its JSON object) or, with `--api URL`, through
    `netutil.client.Client(URL).call(operation, **params)`, which returns the same JSON object."""
    api = getattr(args, "api", None)
    if api:
        from netutil.client import Client  # imported only when a service is used

        return Client(api).call(operation, **params)
    return local()
