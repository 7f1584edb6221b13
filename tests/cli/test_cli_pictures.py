"""`netutil tcp handshake --format svg` (and `--plot`) through main(): a file or stdout."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from netutil.cli import main


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_svg_to_stdout_is_the_same_run_as_json(capsys):
    code, out, err = run_cli(capsys, "tcp", "handshake", "--loss", "0.3", "--seed", "4",
                             "--format", "svg")  # fmt: skip
    assert code == 0 and err == ""
    root = ET.fromstring(out.encode())
    _, js, _ = run_cli(capsys, "tcp", "handshake", "--loss", "0.3", "--seed", "4", "--json")
    summary = json.loads(js)["summary"]
    assert root.get("data-segments") == str(summary["segments_sent"])
    assert root.get("data-lost") == str(summary["segments_lost"])


def test_svg_to_a_file_named_svg(capsys, tmp_path):
    path = tmp_path / "run.svg"  # the name says the format
    code, out, err = run_cli(capsys, "tcp", "handshake", "--seed", "1", "-o", str(path))
    assert (code, out, err) == (0, "", "")
    assert ET.parse(path).getroot().tag == "{http://www.w3.org/2000/svg}svg"


def test_plot_to_a_file(capsys, tmp_path):
    path = tmp_path / "tsg.svg"
    code, out, err = run_cli(capsys, "tcp", "handshake", "--seed", "3", "--data", "5000",
                             "--plot", "sequence", "-o", str(path))  # fmt: skip
    assert (code, out, err) == (0, "", "")
    texts = ["".join(t.itertext()) for t in ET.parse(path).iter("{http://www.w3.org/2000/svg}text")]
    assert "segment sent" in texts


def test_plot_arguments_that_do_not_go_together(capsys):
    code, _, err = run_cli(capsys, "tcp", "handshake", "--plot", "establish")
    assert code == 2
    assert err == "netutil: error: --plot establish draws a Monte Carlo result: add --runs N\n"
    code, _, err = run_cli(capsys, "tcp", "handshake", "--plot", "window", "--runs", "5")
    assert (code, err) == (2, "netutil: error: --plot window draws one run; drop --runs\n")
    code, _, err = run_cli(
        capsys, "tcp", "handshake", "--plot", "cwnd", "--seed", "1", "--cc", "none"
    )
    assert code == 1 and "no congestion-control state" in err


def test_svg_to_an_unwritable_place_is_one_line(capsys, tmp_path):
    path = tmp_path / "missing" / "run.svg"
    code, out, err = run_cli(capsys, "tcp", "handshake", "--format", "svg", "-o", str(path))
    assert code == 1 and out == ""
    assert err == f"netutil: error: cannot write {str(path)!r}: No such file or directory\n"


def test_svg_refuses_monte_carlo(capsys):
    code, _, err = run_cli(capsys, "tcp", "handshake", "--format", "svg", "--runs", "3")
    assert code == 2
    assert err == "netutil: error: --format svg shows one run; drop --runs\n"


def test_explain_adds_one_sentence_per_state_change_under_the_ladder(capsys):
    code, out, err = run_cli(capsys, "tcp", "handshake", "--drop", "7", "--seed", "1",
                             "--explain")  # fmt: skip
    assert code == 0 and err == ""
    _, js, _ = run_cli(capsys, "tcp", "handshake", "--drop", "7", "--seed", "1", "--json")
    states = [e for e in json.loads(js)["events"] if e["type"] == "state"]
    why = out.split("why, step by step:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    for e in states:
        assert sum(f"(rule {e['rule']}," in line for line in why) >= 1, e["rule"]
    # the FIN resent into TIME-WAIT (its ACK, #7, was dropped) restarts the 2 MSL wait: that is
    # why CLOSED comes at 1.2 + 240 s, not 0.2 + 240 s
    restart = [line for line in why if "(rule S34," in line]
    assert len(restart) == 1 and restart[0].startswith("    1.200  client:")
    assert "CLOSED now comes 2 MSL (240 s) from here" in restart[0]
