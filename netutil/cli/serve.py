"""`netutil serve`: run the REST service (api/) under gunicorn with its packaged settings.

gunicorn replaces this process (exec), so signals from a terminal or a supervisor reach it
directly: Ctrl-C or SIGTERM stops it gracefully. Settings come from `api/gunicorn_conf.py`
(workers from WEB_CONCURRENCY, timeouts, access log to stdout); --host, --port and --workers
override them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys

from netutil.cli.arguments import integer

EPILOG = """examples:
  netutil serve                         # http://127.0.0.1:8000/api/docs
  netutil serve --host 0.0.0.0 --port 8080 --workers 4
"""


_port = integer("port", 1, 65535)
_workers = integer("worker count", 1)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "serve",
        help="run the REST service under gunicorn",
        description="Run the netutil REST service under gunicorn (Ctrl-C stops it).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8000, help="TCP port (8000)")
    parser.add_argument(
        "--workers", type=_workers, default=None, help="worker processes (WEB_CONCURRENCY)"
    )
    parser.set_defaults(func=run)


def gunicorn_argv(host: str, port: int, workers: int | None = None) -> list[str]:
    """The gunicorn command line `netutil serve` runs (the Dockerfile's CMD, plus the bind)."""
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    argv = [
        _gunicorn_executable(),
        "--config",
        "python:api.gunicorn_conf",
        "--bind",
        bind,
    ]
    if workers is not None:
        argv += ["--workers", str(workers)]
    return [*argv, "api:create_app()"]


def _gunicorn_executable() -> str:
    """gunicorn next to this interpreter (the venv's), else the one on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    if os.access(beside, os.X_OK):
        return beside
    return shutil.which("gunicorn") or beside


def run(args: argparse.Namespace) -> int:
    argv = gunicorn_argv(args.host, args.port, args.workers)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(argv[0], argv)
    except OSError as exc:
        print(f"netutil: error: cannot start gunicorn ({argv[0]}): {exc.strerror}", file=sys.stderr)
        return 1
    return 0  # not reached: exec replaced this process
