"""Output files the user names: a path that cannot be written is the user's error (exit 1)."""

from __future__ import annotations

import os

import dpkt
import pytest

from netutil.cli import main

PCAP = ["tcp", "handshake", "--seed", "1", "--format", "pcap", "--output"]


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/no/such/dir/x.pcap", "No such file or directory"),
        ("/", "Is a directory"),
    ],
)
def test_unwritable_output_is_one_line_exit_1(path, reason, capsys):
    assert main([*PCAP, path]) == 1
    assert capsys.readouterr().err == f"netutil: error: cannot write {path!r}: {reason}\n"


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_full_disk_is_reported_with_the_file(capsys):
    # /dev/full accepts the open and fails every write with ENOSPC
    assert main([*PCAP, "/dev/full"]) == 1
    assert capsys.readouterr().err == (
        "netutil: error: cannot write '/dev/full': No space left on device\n"
    )


def test_a_writable_output_still_gets_the_capture(tmp_path, capsys):
    path = tmp_path / "run.pcap"
    assert main([*PCAP, str(path)]) == 0
    with path.open("rb") as f:
        frames = list(dpkt.pcap.Reader(f))
    assert len(frames) >= 3  # at least SYN, SYN-ACK, ACK
