"""A Python client for the netutil REST service (api/), built on a `requests.Session`.

Every operation is a method returning the same JSON data as the core's `as_dict()` (the service
sends exactly that), so `Client(url).ip_info("192.168.0.1")` equals the local result. Errors are
typed: the service's RFC 9457 problem answers raise `ApiError` with its fields; a service that
cannot be reached raises `ServiceUnavailable`. Connection failures are retried (the request never
left, so a retry is safe for any method); every request has a timeout.

    >>> from netutil.client import Client
    >>> Client("http://127.0.0.1:8000").ip_info("192.168.0.1")["version"]
    4
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator
from json import dumps as json_text
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from netutil import __version__
from netutil.errors import InvalidInput, LimitExceeded, NetutilError

PROBLEM_MEDIA_TYPE = "application/problem+json"
#: The request body cap of a netutil service as shipped (api/config.py, NETUTIL_MAX_BODY_BYTES).
MAX_BODY_BYTES = 1024 * 1024
#: Addresses in one `POST /api/ip` (api/limits.py BATCH_MAX).
BATCH_MAX = 1000
PCAP_MEDIA_TYPE = "application/vnd.tcpdump.pcap"


class ApiError(NetutilError):
    """The service answered with an error (an RFC 9457 problem); `str()` is its `detail` (for
    invalid input the core's own message, so the CLI prints the same line as locally) followed
    by the problem's field messages, if any (`runs: Must be ... less than or equal to 10000.`),
    which say what the service's own rule is."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        type: str = "about:blank",
        errors: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(_with_fields(detail, errors))
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.errors = errors

    def __repr__(self) -> str:
        return f"ApiError(status={self.status!r}, title={self.title!r}, detail={self.detail!r})"


class ApiInvalidInput(ApiError, InvalidInput):
    """422/400: the input breaks a rule (also an `InvalidInput`, as the local core would raise)."""


class ApiLimitExceeded(ApiError, LimitExceeded):
    """422 for a cap the core enforces (also a `LimitExceeded`, as the local core would raise)."""


class ServiceUnavailable(NetutilError):
    """The service could not be reached (after retries) or did not answer in time."""


class Client:
    """One netutil service at `base_url`, e.g. `http://127.0.0.1:8000`.

    timeout: (connect, read) seconds for every request; retries: how many times a connection
    failure is retried, with exponential backoff from `backoff` seconds; max_body_bytes: the
    largest request body the service takes (its NETUTIL_MAX_BODY_BYTES): a bigger one is
    refused here, before it is sent, with what to do instead. A bad URL raises InvalidInput.
    """

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float | tuple[float, float] = (3.05, 60.0),
        retries: int = 3,
        backoff: float = 0.2,
        session: requests.Session | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        from netutil.cli.backend import check_service_url

        self.base_url = check_service_url(base_url)
        self.timeout = timeout
        self.max_body_bytes = max_body_bytes
        self.session = session or requests.Session()
        retry = Retry(
            total=retries,
            connect=retries,
            read=0,
            status=0,
            other=0,
            redirect=0,
            backoff_factor=backoff,
            allowed_methods=None,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers["User-Agent"] = f"netutil-client/{__version__}"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    # -- transport -------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        data: bytes | None = None,
        content_type: str | None = None,
        accept: str = "application/json",
        hint: Callable[[int | None], str] | None = None,
    ) -> requests.Response:
        """Send one request; raise ApiError for an error answer, ServiceUnavailable when the
        service cannot be reached. `params` values that are None are left out. A body over
        `max_body_bytes` is not sent: ApiLimitExceeded says so, with `hint(cap)` (how to split
        the work; the cap is None when only the service knows it) when given."""
        url = self.base_url + path
        query = {k: v for k, v in (params or {}).items() if v is not None}
        query = {k: _query_value(v) for k, v in query.items()}
        headers = {"Accept": accept}
        if json is not None:
            import json as json_module

            data = json_module.dumps(json, separators=(",", ":")).encode("ascii")
            content_type = "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        if data is not None and len(data) > self.max_body_bytes:
            advice = hint(self.max_body_bytes) if hint else "send less at once"
            raise ApiLimitExceeded(
                413,
                "Request Entity Too Large",
                f"the request to {path} would be {len(data)} bytes, more than the"
                f" {self.max_body_bytes} bytes the service at {self.base_url} accepts"
                f" in one request body; {advice}, or run the command without --api",
            )
        try:
            response = self.session.request(
                method,
                url,
                params=query or None,
                data=data,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.ConnectionError as exc:
            raise ServiceUnavailable(
                f"cannot reach the netutil service at {self.base_url}: {_reason(exc)}"
            ) from None
        except requests.Timeout:
            raise ServiceUnavailable(
                f"the netutil service at {self.base_url} did not answer in time"
            ) from None
        except requests.RequestException as exc:  # e.g. an invalid redirect or header
            raise ServiceUnavailable(
                f"request to the netutil service at {self.base_url} failed: {exc}"
            ) from None
        if response.status_code == 413:
            raise ApiLimitExceeded(
                413,
                "Request Entity Too Large",
                f"the service at {self.base_url} refused a request body of"
                f" {len(data or b'')} bytes to {path} as too large (HTTP 413);"
                f" {hint(None) if hint else 'send less at once'}, or run the command without --api",
            )
        if response.status_code >= 400:
            raise _api_error(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise ServiceUnavailable(
                f"the service at {self.base_url} answered {path} with non-JSON data"
            ) from None

    # -- operations ------------------------------------------------------------------------

    def healthz(self) -> dict[str, Any]:
        """The service's health answer: {"status": "ok", "version": ...}."""
        return self._json("GET", "/healthz")

    def openapi(self) -> str:
        """The service's OpenAPI contract as YAML text."""
        return self.request("GET", "/api/openapi.yaml", accept="application/yaml").text

    def ip_info(self, address: str) -> dict[str, Any]:
        """`netutil ip info ADDRESS --json`: AddressInfo.as_dict() of one address (any
        notation: zone, /prefix, /netmask)."""
        return self._json("GET", "/api/ip/" + _path(address, keep_slash=True))

    def ip_batch(self, addresses: list[str]) -> list[dict[str, Any]]:
        """Many addresses in one request (at most the service's batch cap): one item per
        address, `{"input", "result", "error"}` with `result` the `ip_info` data or `error` the
        reason it is invalid."""
        return self._json("POST", "/api/ip", json={"addresses": list(addresses)})["results"]

    def ip_info_many(
        self, addresses: Iterable[str], batch: int = BATCH_MAX
    ) -> Iterator[tuple[dict[str, Any] | None, str | None]]:
        """`(result, error)` for each address of a stream, in order, fetched `batch` at a time
        through `POST /api/ip` (each batch also within the body cap), so 20,000 addresses take
        20 requests, not 20,000, and memory holds one batch. `error` is the message the local
        core gives for a bad address (then `result` is None)."""
        budget = self.max_body_bytes - 64  # '{"addresses":[...]}' and slack
        chunk: list[str] = []
        size = 0
        for address in addresses:
            cost = len(json_text(address)) + 1
            if chunk and (len(chunk) >= batch or size + cost > budget):
                yield from self._ip_batch_rows(chunk)
                chunk, size = [], 0
            chunk.append(address)
            size += cost
        if chunk:
            yield from self._ip_batch_rows(chunk)

    def _ip_batch_rows(
        self, chunk: list[str]
    ) -> Iterator[tuple[dict[str, Any] | None, str | None]]:
        for row in self.ip_batch(chunk):
            yield row["result"], row["error"]

    def subnet_info(self, network: str, strict: bool = False) -> dict[str, Any]:
        """`netutil subnet info NETWORK --json`: NetworkInfo.as_dict()."""
        params = {"strict": strict} if strict else None
        return self._json("GET", "/api/subnet/" + _path(network, keep_slash=True), params=params)

    def subnet_split(
        self,
        network: str,
        new_prefix: int | None = None,
        count: int | None = None,
        hosts: list[int] | None = None,
        strict: bool = False,
        start: int = 0,
        limit: int | None = None,
    ) -> dict[str, Any]:
        """`netutil subnet split --json`: CidrList.as_dict(start, limit); with no limit every
        item from `start`, fetched page by page as `items` is iterated."""
        query = {"network": network, "new_prefix": new_prefix, "count": count, "hosts": hosts}
        query["strict"] = strict or None
        return self._cidr_list("GET", "/api/subnet/split", query, None, start, limit)

    def subnet_summarize(
        self,
        items: list[str],
        start: int = 0,
        limit: int | None = None,
        skip_invalid: bool = False,
        strict: bool = False,
    ) -> dict[str, Any]:
        """`netutil subnet summarize --json`: the minimal covering list. With `skip_invalid`,
        bad items are left out and listed in `invalid_items` ({item, message}); with `strict`,
        an item with host bits set is bad."""
        body: dict[str, Any] = {"items": list(items)}
        if strict:
            body["strict"] = True
        if skip_invalid:
            body["skip_invalid"] = True
        hint = _split_hint(body["items"], "summarize")
        return self._cidr_list("POST", "/api/subnet/summarize", None, body, start, limit, hint=hint)

    def subnet_range(
        self, start_address: str, end_address: str, start: int = 0, limit: int | None = None
    ) -> dict[str, Any]:
        """`netutil subnet range --json`: START..END as the minimal CIDR list."""
        query = {"start_address": start_address, "end_address": end_address}
        return self._cidr_list("GET", "/api/subnet/range", query, None, start, limit)

    def subnet_exclude(
        self,
        network: str,
        excluded: list[str],
        strict: bool = False,
        start: int = 0,
        limit: int | None = None,
        skip_invalid: bool = False,
    ) -> dict[str, Any]:
        """`netutil subnet exclude --json`: what is left of NETWORK (`skip_invalid` as for
        summarize)."""
        body: dict[str, Any] = {"network": network, "excluded": list(excluded)}
        if strict:
            body["strict"] = True
        if skip_invalid:
            body["skip_invalid"] = True
        hint = _split_hint(body["excluded"], "exclude")
        return self._cidr_list("POST", "/api/subnet/exclude", None, body, start, limit, hint=hint)

    def subnet_intersect(
        self, a: list[str], b: list[str], start: int = 0, limit: int | None = None,
        skip_invalid: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        """`netutil subnet intersect --json`: the addresses in both lists. With `skip_invalid`,
        bad items are left out and listed in `invalid_items` ({list, item, message})."""
        body = _lists_body({"a": list(a), "b": list(b)}, skip_invalid)
        return self._cidr_list("POST", "/api/subnet/intersect", None, body, start, limit)

    def subnet_diff(
        self, a: list[str], b: list[str], start: int = 0, limit: int | None = None,
        skip_invalid: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        """`netutil subnet diff --json`: the addresses in A, not in B."""
        body = _lists_body({"a": list(a), "b": list(b)}, skip_invalid)
        return self._cidr_list("POST", "/api/subnet/diff", None, body, start, limit)

    def subnet_union(
        self, lists: list[list[str]], start: int = 0, limit: int | None = None,
        skip_invalid: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        """`netutil subnet union --json`: the addresses in any of the lists."""
        body = _lists_body({"lists": [list(items) for items in lists]}, skip_invalid)
        return self._cidr_list("POST", "/api/subnet/union", None, body, start, limit)

    def subnet_compare(
        self, a: list[str], b: list[str], start: int = 0, limit: int | None = None,
        skip_invalid: bool = False,
    ) -> dict[str, Any]:  # fmt: skip
        """`netutil subnet compare --json`: `added` and `removed`; without a limit, every page
        of both (one cursor pages them alike)."""
        body = _lists_body({"a": list(a), "b": list(b)}, skip_invalid)
        paging: dict[str, Any] = {"cursor": str(start)}
        if limit is not None:
            paging["limit"] = limit
        first = self._json("POST", "/api/subnet/compare", json={**body, **paging})
        if limit is not None:
            return first
        page = first
        while cursors := [
            int(page[k]["next_start"]) for k in ("added", "removed") if page[k]["next_start"]
        ]:
            page = self._json(
                "POST", "/api/subnet/compare", json={**body, "cursor": str(min(cursors))}
            )
            for key in ("added", "removed"):
                if int(page[key]["start"]) == int(first[key]["start"]) + first[key]["count"]:
                    first[key]["items"] += page[key]["items"]
                    first[key]["count"] += page[key]["count"]
                    first[key]["next_start"] = page[key]["next_start"]
        for key in ("added", "removed"):
            first[key]["limit"] = None
        return first

    def subnet_count(self, items: list[str], skip_invalid: bool = False) -> dict[str, Any]:
        """`netutil subnet count --json`: the distinct addresses the list holds."""
        body = _lists_body({"items": list(items)}, skip_invalid)
        return self._json("POST", "/api/subnet/count", json=body)

    def subnet_contains(self, network: str, other: str, strict: bool = False) -> dict[str, Any]:
        """`netutil subnet contains --json`: Containment.as_dict()."""
        query = {"network": network, "other": other, "strict": strict or None}
        return self._json("GET", "/api/subnet/contains", params=query)

    def subnet_overlap(self, a: str, b: str, strict: bool = False) -> dict[str, Any]:
        """`netutil subnet overlap --json`: Overlap.as_dict()."""
        query = {"a": a, "b": b, "strict": strict or None}
        return self._json("GET", "/api/subnet/overlap", params=query)

    def checksum(self, data: str) -> dict[str, Any]:
        """`netutil checksum HEX --json`: the RFC 1071 sum of the bytes given as hex."""
        return self._json("POST", "/api/checksum", json={"data": _clean_hex(data)})

    def tcp_header_build(self, **params: Any) -> dict[str, Any]:
        """`netutil tcp header build --json`: params src, src_port, dst, dst_port, seq, ack,
        flags, window, urgent, mss, wscale, sack_permitted, timestamps, sack, payload (hex), ip,
        ttl; the ones left out (or None) take the service's defaults."""
        body = {k: (list(v) if isinstance(v, tuple) else v) for k, v in params.items()}
        body = {k: v for k, v in body.items() if v is not None}
        return self._json("POST", "/api/tcp/header", json=body)

    def tcp_parse(
        self,
        data: str | None = None,
        layer: str = "auto",
        src: str | None = None,
        dst: str | None = None,
        pcap: str | bytes | None = None,
    ) -> Any:
        """`netutil tcp parse --json`: `data` (hex) gives the parsed packet; `pcap` (the file's
        bytes, or base64 of them as the CLI passes) gives the list of its TCP segments."""
        if pcap is not None:
            raw = pcap if isinstance(pcap, bytes) else base64.b64decode(pcap)
            response = self.request(
                "POST", "/api/tcp/parse/pcap", data=raw, content_type=PCAP_MEDIA_TYPE
            )
            return response.json()["segments"]
        body = {"data": _clean_hex(data or ""), "layer": layer, "src": src, "dst": dst}
        return self._json(
            "POST", "/api/tcp/parse", json={k: v for k, v in body.items() if v is not None}
        )

    def tcp_handshake(self, runs: int | None = None, **options: Any) -> dict[str, Any]:
        """`netutil tcp handshake --format json`: the trace (options with the seed used,
        endpoints, events, summary) or, with `runs`, Monte Carlo statistics. `options` are the
        simulator's (seed, delay, loss, drop, data, ...); None means the default."""
        body = {k: (list(v) if isinstance(v, tuple) else v) for k, v in options.items()}
        body = {k: v for k, v in body.items() if v is not None}
        if runs is not None:
            body["runs"] = runs
        return self._json("POST", "/api/handshake", json=body)

    def tcp_handshake_pcap(self, **options: Any) -> bytes:
        """One simulated run's segments as a classic pcap file (bytes)."""
        body = {k: (list(v) if isinstance(v, tuple) else v) for k, v in options.items()}
        body = {k: v for k, v in body.items() if v is not None}
        response = self.request("POST", "/api/handshake", json=body, accept=PCAP_MEDIA_TYPE)
        return response.content

    def tcp_states(self) -> dict[str, Any]:
        """`netutil tcp states --json`: the eleven states and the transition rules."""
        return self._json("GET", "/api/tcp/states")

    def _cidr_list(
        self,
        method: str,
        path: str,
        query: dict[str, Any] | None,
        body: dict[str, Any] | None,
        start: int,
        limit: int | None,
        hint: Callable[[int | None], str] | None = None,
    ) -> dict[str, Any]:
        """One CIDR list as the core gives it. With a limit that is one page; without, the
        service sends at most a page at a time, so the pages after the first are fetched as
        `items` is iterated (constant memory, like the local stream)."""

        def fetch(cursor: int, size: int | None) -> dict[str, Any]:
            paging = {"cursor": str(cursor), "limit": size}
            if body is None:
                return self._json(method, path, params={**(query or {}), **paging})
            wanted = {k: v for k, v in paging.items() if v is not None}
            return self._json(method, path, json={**body, **wanted}, hint=hint)

        first = fetch(start, limit)
        if limit is not None or first["next_start"] is None:
            return first
        from netutil.subnet import MAX_ITEMS_WITHOUT_LIMIT

        total = int(first["total"])
        if total - start > MAX_ITEMS_WITHOUT_LIMIT:
            # The local core's own refusal, word for word.
            raise LimitExceeded(
                f"{first['operation']} gives {total} items, more than"
                f" {MAX_ITEMS_WITHOUT_LIMIT} at once: ask for a page with a limit"
            )
        whole = dict(first)
        whole.update(limit=None, count=total - start, next_start=None)
        whole["items"] = _pages(first, lambda cursor: fetch(int(cursor), None), "items")
        return whole

    def call(self, operation: str, **params: Any) -> Any:
        """Run a CLI operation (`ip_info`, `subnet_split`, ...) with the params the CLI passes to
        `netutil.cli.backend.call`; returns the same JSON data as the local core call."""
        method = OPERATIONS.get(operation)
        if method is None:
            raise NetutilError(f"unknown operation {operation!r} for the netutil service")
        return getattr(self, method)(**params)


#: CLI operation name -> Client method name (the same name: one method per operation).
OPERATIONS: dict[str, str] = {
    name: name
    for name in (
        "ip_info",
        "subnet_info",
        "subnet_split",
        "subnet_summarize",
        "subnet_range",
        "subnet_contains",
        "subnet_overlap",
        "subnet_exclude",
        "subnet_intersect",
        "subnet_diff",
        "subnet_union",
        "subnet_compare",
        "subnet_count",
        "checksum",
        "tcp_header_build",
        "tcp_parse",
        "tcp_handshake",
        "tcp_states",
    )
}

INVALID_TYPES = ("urn:netutil:problem:invalid-input", "urn:netutil:problem:validation-error")


def _lists_body(body: dict[str, Any], skip_invalid: bool) -> dict[str, Any]:
    if skip_invalid:
        body["skip_invalid"] = True
    return body


def _with_fields(detail: str, errors: Any) -> str:
    """`detail` and the problem's `errors` ({field: [message, ...]}, nested for lists and
    objects) as one line: `detail (field: message; other.3: message)`."""
    found: list[str] = []

    def walk(where: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{where}.{key}" if where else str(key), inner)
        elif isinstance(value, list | tuple):
            for inner in value:
                walk(where, inner)
        elif value is not None:
            found.append(f"{where}: {value}" if where else str(value))

    walk("", errors)
    if not found:
        return detail
    shown = "; ".join(found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5 else "")
    return f"{detail} ({shown})"


def _split_hint(items: list[str], operation: str) -> Callable[[int | None], str]:
    """What to do when `items` make a body too large: for the body cap `limit` (None when only
    the service knows it), how many items of their size fit one request."""

    def hint(limit: int | None) -> str:
        size = sum(len(i) + 3 for i in items)  # quotes and comma of each item in the body
        text = f"{len(items)} items take about {size} bytes"
        if limit is not None and items:
            fits = max(1, int((limit - 200) / (size / len(items))))
            text += f": {operation} at most about {fits} items per request"
            if operation == "summarize":
                text += f" (e.g. `split -l {fits}` the input)"
        else:
            text += f": {operation} fewer items per request"
        if operation == "summarize":
            text += ", then summarize the results together"
        return text

    return hint


def _query_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return [_query_value(v) for v in value]
    return value


def _clean_hex(text: str) -> str:
    """Hex as the CLI accepts it (spaces, ':' separators, a 0x prefix) as bare digits."""
    cleaned = "".join(text.split()).replace(":", "")
    return cleaned[2:] if cleaned[:2].lower() == "0x" else cleaned


def _path(value: str, keep_slash: bool = False) -> str:
    """A path segment with everything but unreserved characters escaped (`%` of a zone too)."""
    return quote(str(value), safe="/" if keep_slash else "")


def _reason(exc: Exception) -> str:
    text = str(exc)
    for marker in ("Connection refused", "Name or service not known", "timed out"):
        if marker in text:
            return marker.lower()
    return "connection failed"


def _api_error(response: requests.Response) -> ApiError:
    media = response.headers.get("Content-Type", "").split(";")[0].strip()
    if media == PROBLEM_MEDIA_TYPE:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            kind = body.get("type")
            cls = ApiError
            if kind == "urn:netutil:problem:limit-exceeded":
                cls = ApiLimitExceeded
            elif kind in INVALID_TYPES or response.status_code == 400:
                cls = ApiInvalidInput
            return cls(
                status=int(body.get("status") or response.status_code),
                title=str(body.get("title") or response.reason),
                detail=str(body.get("detail") or response.reason),
                type=str(body.get("type") or "about:blank"),
                errors=body.get("errors"),
            )
    return ApiError(
        status=response.status_code,
        title=response.reason or "Error",
        detail=f"HTTP {response.status_code} {response.reason} from {response.url}",
    )


def _pages(first: Any, fetch: Any, key: str) -> Iterator[Any]:
    """Items of a paged list: `first` is page one, `fetch(cursor)` gets the next page."""
    page = first
    while True:
        yield from page[key]
        cursor = page.get("next_start")
        if not cursor:
            return
        page = fetch(cursor)
