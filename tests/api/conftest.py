"""Fixtures for the service tests: the app in-process, and a real gunicorn on loopback."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running(
    argv: list[str], port: int, env: dict[str, str] | None = None, cwd: str | None = None
) -> Iterator[str]:
    """Start `argv` (a server that will listen on 127.0.0.1:port), wait until /healthz answers
    200, yield its base URL, then stop it with SIGTERM (gunicorn's graceful shutdown)."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
    proc = subprocess.Popen(
        argv,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                log.seek(0)
                pytest.fail(f"server exited with {proc.returncode}:\n{log.read().decode()}")
            try:
                if requests.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except (requests.ConnectionError, requests.Timeout):
                pass  # not listening yet, or listening while its workers still start
            if time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"server did not answer /healthz:\n{log.read().decode()}")
            time.sleep(0.1)
        yield url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


def gunicorn_argv(port: int, workers: int = 2) -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "--config",
        "python:api.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "api:create_app()",
    ]


@pytest.fixture(scope="session")
def service() -> Iterator[str]:
    """Base URL of a real gunicorn serving the app on a free loopback port."""
    port = free_port()
    with running(gunicorn_argv(port), port) as url:
        yield url


@pytest.fixture(scope="session")
def app():
    from api import create_app

    return create_app({"TESTING": True})


@pytest.fixture
def client(app):
    """Flask's in-process test client (fast checks of the app's own behaviour)."""
    return app.test_client()
