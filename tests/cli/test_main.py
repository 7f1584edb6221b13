"""The CLI entry point: exit statuses and one-line errors whatever goes wrong."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import netutil.cli.ip
from netutil.cli import main


def _script() -> str:
    found = shutil.which("netutil", path=str(Path(sys.executable).parent))
    assert found, "the netutil console script is installed with the package"
    return found


def test_unexpected_exception_is_one_line_exit_70(monkeypatch, capsys):
    def boom(args):
        raise RuntimeError("something broke")

    monkeypatch.setattr(netutil.cli.ip, "run_info", boom)
    assert main(["ip", "info", "192.0.2.1"]) == 70
    err = capsys.readouterr().err
    assert err == (
        "netutil: error: internal error (RuntimeError: something broke); please report it\n"
    )


@pytest.mark.integration
def test_closed_stdin_reads_as_empty():
    proc = subprocess.run(
        [_script(), "ip", "info", "-"], stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    # Really closed (no file descriptor 0 at all), as a daemon or `cmd <&-` would start it.
    proc = subprocess.run(
        [_script(), "ip", "info", "-"],
        capture_output=True,
        text=True,
        preexec_fn=lambda: os.close(0),
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


@pytest.mark.integration
@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_undecodable_input_bytes_are_one_bad_line_under_strict_utf8(extra):
    # PYTHONIOENCODING=utf-8 makes Python's streams strict; a zone made of bytes that are not
    # UTF-8 is refused on its line (the address parser's rule), never a traceback, and the run
    # goes on; what is written stays valid UTF-8.
    proc = subprocess.run(
        [_script(), "ip", "info", "-", *extra],
        input=b"fe80::1%\xff\xfe\n::1\n",
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert proc.returncode == 1
    assert proc.stderr.decode("utf-8") == (
        "netutil: error: line 1: invalid IPv6 address 'fe80::1%\\udcff\\udcfe': zone holds"
        " byte 0xff, which is not UTF-8 text\n"
    )
    out = proc.stdout.decode("utf-8")
    if extra:
        assert json.loads(out)["compressed"] == "::1"
    else:
        assert "::1" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["serve", "--port", "٨٠٨٠"], "invalid port '٨٠٨٠': non-ASCII digit '٨' (U+0668)"),
        (["serve", "--workers", "０"], "invalid worker count '０': non-ASCII digit '０' (U+FF10)"),
        (["serve", "--port", "0"], "invalid port '0': expected an integer in [1, 65535]"),
    ],
)
def test_serve_numbers_are_ascii(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err
