"""`netutil checksum`, called through main() and once through the installed script."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from netutil.cli import main


def test_rfc1071_example_text(capsys):
    assert main(["checksum", "0001f203f4f5f6f7"]) == 0
    assert capsys.readouterr().out == "length:   8\nsum:      0xddf2\nchecksum: 0x220d\n"


def test_json_and_separators(capsys):
    assert main(["checksum", "00:01 f2:03 f4:f5 f6:f7", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {
        "length": 8,
        "sum": 0xDDF2,
        "sum_hex": "0xddf2",
        "checksum": 0x220D,
        "checksum_hex": "0x220d",
        "verifies": False,
    }


def test_verify_exit_status(capsys):
    header = "45000030442240008006442e8c7c19acae241e2b"  # a header holding its right checksum
    assert main(["checksum", "--verify", header]) == 0
    assert "verifies: yes" in capsys.readouterr().out
    assert main(["checksum", "--verify", header.replace("442e", "442f")]) == 1
    assert "verifies: no" in capsys.readouterr().out


def test_stdin_lines_report_bad_lines(capsys, monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.StringIO("0001f203f4f5f6f7\nnothex\n\nffff\n"))
    assert main(["checksum", "-"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "0x220d\n0x0000\n"
    assert captured.err == "netutil: error: line 2: invalid hex 'nothex': 'n' is not a hex digit\n"


def test_file(tmp_path, capsys):
    path = tmp_path / "data.bin"
    path.write_bytes(bytes.fromhex("0001f203f4f5f6f7"))
    assert main(["checksum", "--file", str(path), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["checksum"] == 0x220D
    assert main(["checksum", "--file", str(tmp_path / "missing")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_bad_hex_is_a_usage_error(capsys):
    assert main(["checksum", "abc"]) == 2
    assert "invalid hex 'abc': odd number of hex digits (3)" in capsys.readouterr().err


def test_installed_script():
    script = Path(sys.executable).with_name("netutil")
    out = subprocess.run(
        [str(script), "checksum", "0001f203f4f5f6f7"], capture_output=True, text=True, check=True
    ).stdout
    assert "checksum: 0x220d" in out
