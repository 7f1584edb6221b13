"""`netutil tcp states`: whole cells in a pipe, wrapped cells on a terminal, the gaps explained."""

from __future__ import annotations

import textwrap

from netutil.cli import main
from netutil.render.states import states_table
from netutil.sim.states import NOT_TRANSITIONS, RULES, transition_table

RESULT = transition_table().as_dict()


def test_in_a_pipe_every_rule_is_one_whole_line(capsys):
    assert main(["tcp", "states"]) == 0
    out = capsys.readouterr().out
    assert "~" not in out
    lines = out.splitlines()
    for t in RESULT["transitions"]:
        line = next(ln for ln in lines if ln.split("  ")[0].strip() == t["rule"])
        for cell in (t["state"], t["event"], t["action"], t["next_state"], t["section"]):
            assert cell in line


def test_on_a_terminal_cells_wrap_to_the_width():
    for width in (80, 100, 120):
        lines = list(states_table(RESULT, width, NOT_TRANSITIONS))
        assert max(map(len, lines)) <= width
        text = " ".join(" ".join(lines).split())
        for t in RESULT["transitions"]:
            for word in t["action"].split():
                if len(word) <= 8:  # longer words may be split across lines
                    assert word in text


def test_the_missing_rule_numbers_are_explained(capsys):
    numbers = {kind: sorted(int(r[1:]) for r in RULES if r[0] == kind) for kind in "UST"}
    gaps = [
        f"{kind}{n}"
        for kind, present in numbers.items()
        for n in range(1, max(present) + 1)
        if n not in present
    ]
    assert gaps == ["U9", "U10", "T1"]  # what the table numbering skips today
    assert main(["tcp", "states"]) == 0
    out = capsys.readouterr().out
    note = " ".join(out.split("Rule numbers follow", 1)[1].split())
    for rule in gaps:
        assert f"{rule}: " in note
        assert " ".join(NOT_TRANSITIONS[rule].split()) in note
    assert set(NOT_TRANSITIONS).isdisjoint(RULES)


def test_wrapped_note_keeps_its_words():
    lines = list(states_table(RESULT, 60, NOT_TRANSITIONS))
    assert max(map(len, lines)) <= 60
    joined = " ".join(" ".join(lines).split())
    assert textwrap.shorten(NOT_TRANSITIONS["T1"], 10_000) in joined
