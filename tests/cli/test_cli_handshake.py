"""`netutil tcp handshake` and `netutil tcp states` through main() and the installed script."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import dpkt
import pytest

from netutil.cli import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ladder_default(capsys):
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


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--loss", "1.2"],
            "argument --loss: invalid probability '1.2': expected a number in [0, 1]",
        ),
        (["--loss", "-0.5"], "argument --loss: invalid probability '-0.5'"),
        (["--delay=-1ms"], "argument --delay: invalid duration '-1ms': must not be negative"),
        (["--rtt", "100ms", "--delay", "1s"], "argument --delay: not allowed with argument --rtt"),
        (["--data", "100MB"], "argument --data: invalid data '100MB': expected 0 to 67108864"),
        (["--window", "0"], "argument --window: invalid window '0': expected 1 to 1073725440"),
        (["--drop", "synack"], "argument --drop: invalid drop rule 'synack': unknown segment kind"),
        (
            ["--runs", "100001"],
            "argument --runs: invalid runs '100001': expected an integer in [1, 100000]",
        ),
        (["--mss", "10"], "argument --mss: invalid mss '10': expected an integer in [88, 65495]"),
    ],
)
def test_bad_input_is_a_usage_error(capsys, argv, message):
    code, _, err = run_cli(capsys, "tcp", "handshake", *argv)
    assert code == 2
    assert message in err


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
    assert "invalid probability '2'" in proc.stderr
