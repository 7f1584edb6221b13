"""Real Linux TCP in a network namespace of the test's own: random loss from an nftables
`numgen random` drop rule on the receiving side (after the capture point, so the capture sees
every original and every retransmission), a slow reader behind a 4 KiB receive buffer for zero
windows, dumpcap capturing on the namespace's loopback (pcapng). netutil's flags must equal
tshark's on every frame; the agreement per flag is what the README reports."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_analyze import agreement, assert_conversations, assert_frame_by_frame, ours
from tests.tools import require

DATA = Path(__file__).parent / "data"
# 1 in 25 segments to or from port 5002 is dropped as it arrives (SACK off in the namespace, so
# recovery is by duplicate ACKs and timeouts alone)
_RULES = """table inet loss {
  chain in {
    type filter hook input priority 0;
    tcp dport 5002 numgen random mod 25 == 0 drop
    tcp sport 5002 numgen random mod 25 == 0 drop
  }
}
"""


def _run(*cmd: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=30, **kw)


@pytest.fixture(scope="session")
def namespace_capture(tmp_path_factory) -> Path:
    ip, nft, dumpcap = require("ip"), require("nft"), require("dumpcap")
    if os.geteuid() != 0:
        pytest.skip("creating a network namespace needs root")
    ns = f"netutil-analyze-{os.getpid()}"
    path = tmp_path_factory.mktemp("live") / "namespace.pcapng"
    _run(ip, "netns", "add", ns)
    try:
        _run(ip, "-n", ns, "link", "set", "lo", "up", "mtu", "1500", "gso_max_size", "1500")
        _run(ip, "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.tcp_sack=0")
        _run(ip, "netns", "exec", ns, nft, "-f", "-", input=_RULES)
        cap = subprocess.Popen(
            [
                ip,
                "netns",
                "exec",
                ns,
                dumpcap,
                "-q",
                "-i",
                "lo",
                "-f",
                "tcp portrange 5001-5002",
                "-a",
                "duration:20",
                "-w",
                str(path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 10
            while not path.exists() and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(0.3)
            _run(
                ip, "netns", "exec", ns, sys.executable, str(DATA / "namespace_traffic.py"), "5001"
            )
            time.sleep(0.3)
        finally:
            cap.send_signal(signal.SIGINT)
            cap.wait(timeout=10)
    finally:
        subprocess.run([ip, "netns", "del", ns], check=False, timeout=30)
    return path


def test_flags_equal_tsharks_on_a_real_lossy_capture(namespace_capture):
    assert_frame_by_frame(namespace_capture)
    agree = agreement(namespace_capture)
    assert all(both == either for both, either in agree.values()), agree
    # the capture really shows loss recovery and a closed window
    for flag in ("retransmission", "duplicate_ack", "zero_window", "window_full"):
        assert agree.get(flag, (0, 0))[1] > 0, (flag, agree)


def test_connections_equal_tsharks_conversations(namespace_capture):
    assert_conversations(namespace_capture)
    result = ours(namespace_capture)
    assert len(result.connections) == 2
    assert all(c.handshake == "complete" and c.close == "FIN from both" for c in result.connections)
