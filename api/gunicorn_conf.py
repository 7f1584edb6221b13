"""gunicorn settings for the netutil service, from the environment (12-factor style).

Installed with the package, so the container and `netutil serve` load the same settings with
`gunicorn --config python:api.gunicorn_conf`; the top-level gunicorn.conf.py re-exports them for
a plain `gunicorn` run from a checkout.

    WEB_CONCURRENCY   worker processes (default 2 x usable CPUs + 1: the CPUs of the process's
                      affinity mask, fewer under a cgroup CPU quota, as in a container)
    HOST, PORT        bind address (default 127.0.0.1:8000; the container sets HOST=0.0.0.0)
    GUNICORN_TIMEOUT  seconds a worker may spend on one request before it is restarted (30)
    GUNICORN_GRACEFUL_TIMEOUT  seconds to finish in-flight requests on SIGTERM (20)
    LOG_LEVEL         gunicorn's error-log level (info)
"""

from __future__ import annotations

import math
import os

import gunicorn.http.wsgi

#: cgroup v2's CPU quota of this process's group ("max 100000" or "200000 100000").
CPU_MAX = "/sys/fs/cgroup/cpu.max"


def usable_cpus(cpu_max: str = CPU_MAX) -> int:
    """The CPUs this process may run on: its affinity mask (`taskset`, a cpuset), or fewer when
    a cgroup v2 CPU quota allows less time than that (a container's `--cpus`, a Kubernetes CPU
    limit), rounded up. `os.cpu_count()` counts the host's CPUs, which a container may not use,
    and sizing workers from it overcommits memory (the classic OOM kill in containers)."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cpus = cpus or 1
    try:
        with open(cpu_max) as f:
            quota, period = f.read().split()[:2]
        if quota == "max":
            return cpus
        allowed = math.ceil(int(quota) / int(period))
    except (OSError, ValueError, ZeroDivisionError):
        return cpus
    return min(cpus, max(1, allowed))


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
workers = _int("WEB_CONCURRENCY", 2 * usable_cpus() + 1)
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
worker_tmp_dir = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # else $TMPDIR
# Each worker imports the app itself (no preload): SIGHUP then starts workers that run the code
# as it is now, and a failed import shows in the worker's log instead of the master's.
preload_app = False
# No control socket: by default gunicorn creates one in $HOME/.gunicorn, which two instances of
# one user overwrite and which a read-only root filesystem refuses. Signals do the same work.
control_socket_disable = True
# "Server: gunicorn" names the software to every client; answer with the service's name.
gunicorn.http.wsgi.SERVER = "netutil"
