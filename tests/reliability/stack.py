"""The deployed shape on loopback: gunicorn replicas of the service behind a real nginx.

`deploy/nginx.conf` is the one proxy configuration; `nginx_config` rewrites only its lines
marked "@" (upstream servers, port, file paths) so the tests and the benchmark run exactly the
settings compose deploys. Every process is started in its own session and stopped by its pid.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NGINX_CONF = ROOT / "deploy" / "nginx.conf"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen, what: str, timeout: float = 60) -> None:
    """Until 127.0.0.1:port accepts a connection; fail if `proc` exits first."""
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not listen on port {port}") from None
            time.sleep(0.05)


def nginx_config(
    servers: list[str],
    port: int,
    workdir: Path,
    workers: int = 1,
    overrides: dict[str, str] | None = None,
) -> str:
    """deploy/nginx.conf with the marked lines rewritten for a run on loopback; `overrides`
    sets the values of the lines marked "@rate" and "@burst" (kept as written otherwise)."""
    overrides = overrides or {}
    out = []
    upstream_done = False
    for line in NGINX_CONF.read_text().splitlines():
        code, _, mark = line.partition("# @")
        indent = line[: len(line) - len(line.lstrip())]
        mark = mark.strip()
        if not mark:
            out.append(line)
        elif mark == "workers":
            out.append(f"worker_processes {workers};")
        elif mark == "pid":
            out.append(f"pid {workdir / 'nginx.pid'};")
        elif mark == "error_log":
            out.append(f"error_log {workdir / 'error.log'} warn;")
        elif mark == "access_log":
            out.append(f"{indent}access_log off;")
        elif mark == "temp":
            directive, path = code.split()[0], code.split()[1].rstrip(";")
            out.append(f"{indent}{directive} {workdir / Path(path).name};")
        elif mark == "listen":
            out.append(f"{indent}listen 127.0.0.1:{port};")
        elif mark in ("rate", "burst"):
            value = overrides.get(mark)
            out.append(re.sub(rf"{mark}=[^ ;]+", f"{mark}={value}", code) if value else code)
        elif mark.startswith("upstream"):
            if not upstream_done:
                # max_fails=1 (the default): a replica that failed is rested for fail_timeout.
                out.extend(f"{indent}server {s} max_fails=1 fail_timeout=2s;" for s in servers)
                upstream_done = True
        else:
            raise ValueError(f"unknown mark {mark!r} in {NGINX_CONF}")
    return "\n".join(out) + "\n"


@dataclass
class Process:
    """A started server: its Popen, the port it listens on and its log file."""

    proc: subprocess.Popen
    port: int
    log: Path
    name: str

    @property
    def pid(self) -> int:
        return self.proc.pid

    def children(self) -> list[int]:
        """Pids of the direct children (gunicorn's workers, nginx's workers)."""
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        try:
            return [int(p) for p in path.read_text().split()]
        except OSError:
            return []

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode


def start_replica(workdir: Path, workers: int = 1, env: dict[str, str] | None = None) -> Process:
    """`gunicorn --config python:api.gunicorn_conf` (the image's command) on a free port."""
    port = free_port()
    log = workdir / f"gunicorn-{port}.log"
    argv = [
        str(BIN / "gunicorn"),
        "--config",
        "python:api.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "/dev/null",
        "api:create_app()",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv,
            env={**os.environ, **(env or {})},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    replica = Process(proc, port, log, f"gunicorn:{port}")
    wait_listening(port, proc, replica.name)
    wait_healthy(port, proc, replica.name)
    return replica


def wait_healthy(port: int, proc: subprocess.Popen, what: str, timeout: float = 90) -> None:
    """Until GET /healthz answers 200 (the master listens before its workers have started)."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not answer /healthz")
        time.sleep(0.1)


def start_nginx(
    nginx: str,
    workdir: Path,
    servers: list[str],
    workers: int = 1,
    overrides: dict[str, str] | None = None,
) -> Process:
    port = free_port()
    conf = workdir / "nginx.conf"
    conf.write_text(nginx_config(servers, port, workdir, workers, overrides))
    log = workdir / "nginx.out"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [nginx, "-p", str(workdir), "-c", str(conf), "-g", "daemon off;"],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Process(proc, port, workdir / "error.log", "nginx")
    wait_listening(port, proc, "nginx")
    return server


@dataclass
class Stack:
    nginx: Process
    replicas: list[Process]
    workdir: Path
    extra: list[Process] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.nginx.port}"

    def logs(self) -> str:
        parts = []
        for p in [self.nginx, *self.replicas]:
            with contextlib.suppress(OSError):
                parts.append(f"--- {p.name}\n{p.log.read_text()[-3000:]}")
        return "\n".join(parts)


@contextlib.contextmanager
def stack(
    nginx: str,
    replicas: int = 2,
    workers: int = 1,
    env: dict[str, str] | None = None,
    nginx_overrides: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """`replicas` gunicorn instances of `workers` workers each behind one nginx
    (`nginx_overrides`: see nginx_config)."""
    with tempfile.TemporaryDirectory(prefix="netutil-stack-") as tmp:
        workdir = Path(tmp)
        started: list[Process] = []
        try:
            for _ in range(replicas):
                started.append(start_replica(workdir, workers, env))
            servers = [f"127.0.0.1:{r.port}" for r in started]
            proxy = start_nginx(nginx, workdir, servers, overrides=nginx_overrides)
            started.append(proxy)
            yield Stack(proxy, started[:-1], workdir)
        finally:
            for p in reversed(started):
                p.stop(signal.SIGQUIT if p.name == "nginx" else signal.SIGTERM)
