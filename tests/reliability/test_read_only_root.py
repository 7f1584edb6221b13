"""The service runs with a read-only root filesystem, as deploy/kubernetes/ and compose run it:
here every mount is made read-only in a private mount namespace, a fresh tmpfs on /tmp (or
/mnt when the checkout is under /tmp) is the one writable path, and the image's command must
start and answer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import requests

from tests.api.conftest import BIN, free_port, running

pytestmark = pytest.mark.integration


def _scratch() -> str:
    """Where the one writable tmpfs goes: /tmp, as the Kubernetes manifest mounts it, unless the
    checkout itself lives under /tmp (as `.ci/run` makes it): a tmpfs there would hide the
    interpreter, so then /mnt stands in for it."""
    inside = str(BIN.resolve())
    for path in ("/tmp", "/mnt"):
        if not inside.startswith(path + "/"):
            return path
    raise AssertionError(f"no scratch mount point outside {inside}")


SCRATCH = _scratch()
# A new mount namespace (changes are invisible outside it): / and /dev/shm read-only, SCRATCH a
# new empty tmpfs; then the container's command.
SETUP = (
    "mount --make-rprivate / && mount -o remount,bind,ro / && "
    "{ ! mountpoint -q /dev/shm || mount -o remount,bind,ro /dev/shm; } && "
    f'mount -t tmpfs -o size=64m tmpfs {SCRATCH} && exec "$@"'
)


def can_unshare() -> bool:
    if shutil.which("unshare") is None or os.geteuid() != 0:
        return False
    probe = subprocess.run(["unshare", "--mount", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not can_unshare(), reason="needs root and unshare(1) for a mount namespace")
def test_service_runs_with_a_read_only_root_filesystem():
    port = free_port()
    argv = [
        "unshare", "--mount", "sh", "-c", SETUP, "sh",
        str(BIN / "gunicorn"), "--config", "python:api.gunicorn_conf", "api:create_app()",
    ]  # fmt: skip
    env = {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": "2",
        "PYTHONDONTWRITEBYTECODE": "1",
        "TMPDIR": SCRATCH,
    }
    with running(argv, port, env=env) as url:
        assert requests.get(url + "/api/ip/10.0.0.1", timeout=10).json()["is_private"] is True
        r = requests.get(url + "/api/handshake?seed=1&data=2000&runs=50", timeout=30)
        assert r.status_code == 200 and r.json()["runs"] == 50
        # Sanity: inside that namespace the root really is read-only.
        probe = subprocess.run(
            ["unshare", "--mount", "sh", "-c", SETUP, "sh", sys.executable, "-c",
             "open('/probe-file', 'w')"],
            capture_output=True, text=True,
        )  # fmt: skip
        assert probe.returncode != 0 and "Read-only file system" in probe.stderr
