"""gunicorn settings for the netutil service, from the environment (12-factor style).

Installed with the package, so the container and `netutil serve` load the same settings with
`gunicorn --config python:api.gunicorn_conf`; the top-level gunicorn.conf.py re-exports them for
a plain `gunicorn` run from a checkout.

    WEB_CONCURRENCY   worker processes (default 2 x cores + 1)
    HOST, PORT        bind address (default 127.0.0.1:8000; the container sets HOST=0.0.0.0)
    GUNICORN_TIMEOUT  seconds a worker may spend on one request before it is restarted (30)
    GUNICORN_GRACEFUL_TIMEOUT  seconds to finish in-flight requests on SIGTERM (20)
    LOG_LEVEL         gunicorn's error-log level (info)
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw)
    if value <= 0:
        raise ValueError(f"{name} must be a positive integer, not {raw!r}")
    return value


def _bind() -> str:
    host = os.environ.get("HOST", "").strip() or "127.0.0.1"
    port = _int("PORT", 8000)
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


wsgi_app = "api:create_app()"
bind = [_bind()]
workers = _int("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1)
worker_class = "sync"
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = 5
# Requests are small; the body cap itself is enforced by the app (413 problem+json).
limit_request_line = 8190
limit_request_fields = 100
# Access log and error log to stdout/stderr, where containers and process managers collect them.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(L)ss'
# A worker's heartbeat file in memory, not on a possibly slow container filesystem.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Let the app and the core be imported once, before forking.
preload_app = True
