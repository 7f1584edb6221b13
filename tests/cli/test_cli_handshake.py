"""`netutil tcp handshake` and `netutil tcp states` through main() and the installed script."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys

import dpkt
import pytest

from netutil.cli import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ladder_default(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "110")  # the full-width ladder: each label on one row
    code, out, err = run_cli(capsys, "tcp", "handshake", "--seed", "1", "--drop", "1")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert "client 192.0.2.1:" in lines[0]
    assert any("#1 SYN seq=0 win=65535 mss=1460 ws=0" in ln and "X dropped" in ln for ln in lines)
    assert any(ln.startswith("    1.100  ESTABLISHED") for ln in lines)
    assert "outcome:              completed" in lines
    assert "established (client): 1.1 s" in lines
    assert "retransmissions:      client 1, server 0" in lines


def test_json_is_the_core_dict(capsys):
    from netutil.sim.options import SimOptions
    from netutil.sim.run import simulate

    code, out, _ = run_cli(
        capsys, "tcp", "handshake", "--seed", "4", "--loss", "0.2", "--data", "3k", "--json"
    )
    assert code == 0
    expected = simulate(SimOptions(seed=4, loss=0.2, data=3000)).as_dict()
    assert json.loads(out) == json.loads(json.dumps(expected))


def test_rtt_option_sets_half_as_one_way_delay(capsys):
    _code, out, _ = run_cli(capsys, "tcp", "handshake", "--seed", "1", "--rtt", "300ms", "--json")
    result = json.loads(out)
    assert result["options"]["delay"] == pytest.approx(0.15)
    assert result["summary"]["time_to_established"]["client"] == pytest.approx(0.3)


def test_monte_carlo_text(capsys):
    code, out, _ = run_cli(capsys, "tcp", "handshake", "--loss", "0", "--runs", "20", "--seed", "1")
    assert code == 0
    assert "success rate:        100.00 %" in out
    assert "0.1 s x20" in out


def test_monte_carlo_json(capsys):
    _code, out, _ = run_cli(capsys, "tcp", "handshake", "--runs", "10", "--seed", "1", "--json")
    r = json.loads(out)
    assert r["runs"] == 10 and r["success_rate"] == 1.0


def test_pcap_to_file(tmp_path, capsys):
    path = tmp_path / "run.pcap"
    code, out, _ = run_cli(
        capsys,
        "tcp",
        "handshake",
        "--seed",
        "2",
        "--data",
        "2000",
        "--format",
        "pcap",
        "--output",
        str(path),
    )
    assert code == 0 and out == ""
    with open(path, "rb") as f:
        packets = list(dpkt.pcap.Reader(f))
    # SYN, SYN-ACK, ACK, data 1460, data 540, FIN; the server's 3 ACKs, its FIN; the last ACK
    assert len(packets) == 11
    first = dpkt.ip.IP(packets[0][1]).data
    assert first.flags == dpkt.tcp.TH_SYN


def test_pcap_refuses_a_terminal(monkeypatch, capsys):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, _out, err = run_cli(capsys, "tcp", "handshake", "--format", "pcap")
    assert code == 2
    assert err.startswith("netutil: error: refusing to write a binary pcap to a terminal")


BIG = "9" * 400


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--loss", "1.2"], "argument --loss: invalid loss '1.2': out of range, expected 0 to 1"),
        (["--loss", "-0.5"], "argument --loss: invalid loss '-0.5': must not be negative"),
        (["--delay=-1ms"], "argument --delay: invalid delay '-1ms': must not be negative"),
        (["--rtt", "100ms", "--delay", "1s"], "argument --delay: not allowed with argument --rtt"),
        (
            ["--data", "100MB"],
            "argument --data: invalid data '100MB': out of range, expected 0 to 67108864 bytes",
        ),
        (
            ["--window", "0"],
            "argument --window: invalid window '0': out of range, expected 1 to 1073725440 bytes",
        ),
        (["--drop", "synack"], "argument --drop: invalid drop rule 'synack': unknown segment kind"),
        (
            ["--runs", "100001"],
            "argument --runs: invalid runs '100001': out of range, expected 1 to 100000",
        ),
        (["--mss", "10"], "argument --mss: invalid mss '10': out of range, expected 88 to 65495"),
        # a 400-digit number is out of range like any other (it used to raise OverflowError)
        (
            ["--data", BIG],
            f"argument --data: invalid data '{BIG[:20]}'... (400 characters): "
            "longer than 48 characters",
        ),
        (
            ["--window", BIG],
            f"argument --window: invalid window '{BIG[:20]}'... (400 characters): longer than 48",
        ),
        (
            ["--read-rate", BIG + "/s"],
            f"argument --read-rate: invalid read_rate '{BIG[:20]}'... (400 characters): "
            "longer than 48 characters",
        ),
        (
            ["--seed", BIG],
            f"argument --seed: invalid seed '{BIG[:20]}'... (400 characters): longer than 48",
        ),
        # an exponent is a number; 1e9 s is out of range, not a bad spelling
        (
            ["--msl", "1e9"],
            "argument --msl: invalid msl '1e9': out of range, expected 0 to 3600 seconds",
        ),
        (["--rtt", "1e999"], "argument --rtt: invalid rtt '1e999': out of range"),
        (
            ["--data", "9" * 30],
            f"argument --data: invalid data '{'9' * 30}': out of range, expected 0 to 67108864",
        ),
        (
            ["--rtt", "200s"],
            "argument --rtt: invalid rtt '200s': out of range, expected 0 to 120 seconds",
        ),
        # digits are ASCII digits (int() and float() take Arabic-Indic ones)
        (
            ["--seed", "\u0668\u0660"],
            "argument --seed: invalid seed '\u0668\u0660': non-ASCII digit '\u0668' (U+0668)",
        ),
        (
            ["--data", "1\u0660k"],
            "argument --data: invalid data '1\u0660k': non-ASCII digit '\u0660' (U+0660)",
        ),
        (["--loss", "\u0660.5"], "argument --loss: invalid loss '\u0660.5': non-ASCII digit"),
        (["--mss", "1_460"], "argument --mss: invalid mss '1_460': expected a whole number"),
        (["--loss", "nan"], "argument --loss: invalid loss 'nan': expected a number in [0, 1]"),
        (["--jitter", "inf"], "argument --jitter: invalid jitter 'inf': expected a number with"),
        # more than 100 drop rules is a usage error like the rest (it used to exit 1)
        (
            ["--drop", ",".join(["1"] * 60), "--drop", ",".join(["2"] * 41)],
            "argument --drop: too many drop rules (101): at most 100",
        ),
        (
            ["--output", "run.dat"],
            "cannot tell the format of 'run.dat' from its name "
            "(known: .txt, .json, .pcap, .pcapng, .svg)",
        ),
    ],
)
def test_bad_input_is_a_usage_error(capsys, argv, message):
    code, _, err = run_cli(capsys, "tcp", "handshake", *argv)
    assert code == 2
    assert message in err


@pytest.mark.parametrize(
    ("argv", "warning"),
    [
        (
            ["--rtt", "50"],
            "netutil: warning: --rtt: 50 without a unit is read as 50 seconds; "
            "write 50ms for milliseconds, or 50s to say seconds\n",
        ),
        (
            ["--delay", "2"],
            "netutil: warning: --delay: 2 without a unit is read as 2 seconds; "
            "write 2ms for milliseconds, or 2s to say seconds\n",
        ),
        (
            ["--jitter", "10"],
            "netutil: warning: --jitter: 10 without a unit is read as 10 seconds; "
            "write 10ms for milliseconds, or 10s to say seconds\n",
        ),
        (["--rtt", "50ms"], ""),
        (["--rtt", "50s"], ""),
        (["--rtt", "0.3"], ""),
        (["--msl", "30"], ""),  # MSL is counted in seconds: a bare number is what people mean
    ],
)
def test_bare_large_delay_warns(capsys, argv, warning):
    code, out, err = run_cli(capsys, "tcp", "handshake", "--seed", "1", "--json", *argv)
    assert code == 0
    assert err == warning
    assert json.loads(out)["summary"]["outcome"] == "completed"


def test_rtt_50_is_50_seconds(capsys):
    _code, out, _err = run_cli(capsys, "tcp", "handshake", "--seed", "1", "--rtt", "50", "--json")
    result = json.loads(out)
    assert result["options"]["delay"] == 25.0
    assert result["summary"]["time_to_established"]["client"] == 50.0


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("run.pcap", lambda data: len(list(dpkt.pcap.Reader(io.BytesIO(data)))) == 7),
        ("run.json", lambda data: json.loads(data)["summary"]["segments_sent"] == 7),
        ("run.txt", lambda data: data.startswith(b"client 192.0.2.1:") and b"outcome:" in data),
        ("RUN.PCAP", lambda data: data[:4] == b"\xd4\xc3\xb2\xa1"),
    ],
)
def test_output_format_follows_the_file_name(tmp_path, capsys, name, check):
    target = tmp_path / name
    code, out, err = run_cli(capsys, "tcp", "handshake", "--seed", "1", "--output", str(target))
    assert code == 0 and out == "" and err == ""
    assert check(target.read_bytes())


def test_explicit_format_wins_over_the_file_name(tmp_path, capsys):
    target = tmp_path / "run.txt"
    code, _out, _err = run_cli(
        capsys, "tcp", "handshake", "--seed", "1", "--json", "--output", str(target)
    )
    assert code == 0
    assert json.loads(target.read_text())["options"]["seed"] == 1


def test_unwritable_output_is_one_line(tmp_path, capsys):
    target = tmp_path / "missing" / "run.json"
    code, _out, err = run_cli(capsys, "tcp", "handshake", "--output", str(target))
    assert code == 1
    assert err.startswith(f"netutil: error: cannot write {str(target)!r}: ")
    assert len(err.splitlines()) == 1


def test_pcap_without_seed_reports_the_seed_it_used(tmp_path, capsys):
    target = tmp_path / "run.pcap"
    code, _out, err = run_cli(capsys, "tcp", "handshake", "--loss", "0.3", "-o", str(target))
    assert code == 0
    m = re.fullmatch(r"netutil: seed (\d+) \(--seed \1 repeats this run\)\n", err)
    assert m is not None, err
    again = tmp_path / "again.pcap"
    run_cli(capsys, "tcp", "handshake", "--loss", "0.3", "--seed", m[1], "-o", str(again))
    assert again.read_bytes() == target.read_bytes()


def test_json_without_seed_reports_the_seed_it_used(capsys):
    _code, out, _err = run_cli(capsys, "tcp", "handshake", "--loss", "0.3", "--json")
    first = json.loads(out)
    seed = first["options"]["seed"]
    assert isinstance(seed, int)
    _code, out, _err = run_cli(
        capsys, "tcp", "handshake", "--loss", "0.3", "--seed", str(seed), "--json"
    )
    assert json.loads(out) == first


def test_states_table(capsys):
    code, out, _ = run_cli(capsys, "tcp", "states")
    assert code == 0
    assert out.splitlines()[0].startswith("states: CLOSED, LISTEN, SYN-SENT, SYN-RECEIVED")
    assert any(ln.startswith("S11   SYN-SENT") for ln in out.splitlines())


def test_states_json(capsys):
    _code, out, _ = run_cli(capsys, "tcp", "states", "--json")
    table = json.loads(out)
    assert len(table["states"]) == 11
    assert table["transitions"][0] == {
        "rule": "U1",
        "state": "CLOSED",
        "kind": "user call",
        "event": "passive OPEN",
        "action": "create TCB",
        "next_state": "LISTEN",
        "section": "3.10.1",
    }


def _script():
    return os.path.join(os.path.dirname(sys.executable), "netutil")


@pytest.mark.integration
def test_installed_script_end_to_end():
    proc = subprocess.run(
        [_script(), "tcp", "handshake", "--seed", "1", "--loss", "1", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = json.loads(proc.stdout)["summary"]
    assert summary["outcome"] == "failed"
    assert summary["final_states"]["client"] == "CLOSED"


@pytest.mark.integration
def test_installed_script_pcap_to_pipe():
    proc = subprocess.run(
        [_script(), "tcp", "handshake", "--seed", "1", "--format", "pcap"],
        capture_output=True,
        check=True,
    )
    packets = list(dpkt.pcap.Reader(io.BytesIO(proc.stdout)))
    assert len(packets) == 7


@pytest.mark.integration
def test_installed_script_usage_error_exit_2():
    proc = subprocess.run(
        [_script(), "tcp", "handshake", "--loss", "2"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "invalid loss '2': out of range, expected 0 to 1" in proc.stderr
