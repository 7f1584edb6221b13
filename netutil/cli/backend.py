"""Where a CLI command's result comes from: the local core, or a netutil service with `--api`.

Every command computes its JSON object through `call`, so `netutil ... --json` prints the same
thing locally and remotely and the text renderers (which take that JSON) draw the same output.
"""

from __future__ import annotations

from collections.abc import Callable

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from typing import Any


def call(args: Any, operation: str, local: Callable[[], Any], **params: Any) -> Any:
    """Run `operation` locally (`local()` returns its JSON object) or, with `--api URL`, through
    `netutil.client.Client(URL).call(operation, **params)`, which returns the same JSON object."""
    api = getattr(args, "api", None)
    if api:
        from netutil.client import Client  # imported only when a service is used

        return Client(api).call(operation, **params)
    return local()
