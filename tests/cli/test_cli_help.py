"""Every `--help` fits an 80-column terminal: paragraphs re-flowed, examples kept whole."""

from __future__ import annotations

import argparse

import pytest

from netutil.cli import GROUPS, build_parser, main


def commands() -> list[list[str]]:
    """Every command path, from the parsers themselves (`[]`, `['ip']`, `['ip', 'info']`...)."""
    found = [[]]

    def walk(parser: argparse.ArgumentParser, path: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    found.append([*path, name])
                    walk(sub, [*path, name])

    for group in GROUPS:
        parser = build_parser(group)
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        found.append([group])
        walk(sub.choices[group], [group])
    return found


def is_example(line: str) -> bool:
    """An example command line (kept as written: a command cannot be wrapped)."""
    text = line.strip()
    return line.startswith(" ") and (text.startswith(("netutil ", "printf ", "--")))


@pytest.mark.parametrize("path", commands(), ids=lambda p: " ".join(p) or "netutil")
def test_help_fits_80_columns(path, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "80")
    assert main([*path, "--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    too_long = [line for line in lines if len(line) > 80 and not is_example(line)]
    assert too_long == []
    assert max(map(len, lines)) <= 90


def test_a_long_description_is_reflowed_not_cut(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "60")
    assert main(["ip", "info", "--help"]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines() if not is_example(line)) <= 60
    words = " ".join(out.split())
    assert (
        "IANA special-purpose registry entry and verdicts, embedded IPv4, EUI-64 MAC, "
        "multicast scope" in words
    )
