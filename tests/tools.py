"""Programs beyond pip that some tests drive (nginx, chromium, tshark, valgrind, ...).

`require(command)` gives the program's path. Where it is missing the test skips with the way to
install it, except under CI (`CI` set, as `.ci/run` runs), where a missing tool is a failure:
`scripts/install-test-tools`, which the README's test command runs first, should have put it there.
"""

from __future__ import annotations

import os
import shutil

import pytest

# command -> the Debian package that provides it (scripts/install-test-tools installs the same)
PACKAGES = {
    "nginx": "nginx-light",
    "chromium": "chromium",
    "tshark": "tshark",
    "dumpcap": "tshark",
    "valgrind": "valgrind",
    "iprange": "iprange",
    "grepcidr": "grepcidr",
    "nft": "nftables",
    "ip": "iproute2",
}


def require(command: str) -> str:
    """The path of `command`; skip (fail under CI) with how to install it when it is missing."""
    path = shutil.which(command) or shutil.which(command, path="/usr/sbin:/sbin")
    if path:
        return path
    package = PACKAGES.get(command, command)
    reason = (
        f"{command} is not installed: run scripts/install-test-tools "
        f"(or: apt-get install {package})"
    )
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)
