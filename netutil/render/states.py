"""The transition table of `netutil tcp states` as text, drawn from its JSON dict.

On a terminal the table fits its width: cells wrap onto more lines of the same row (never cut);
elsewhere (a pipe, a file) every rule is one whole line, for grep. A note under it says why
some rule numbers are missing (netutil.sim.states.NOT_TRANSITIONS).
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Mapping
from typing import Any

COLUMNS = ("rule", "state", "event", "action", "next_state", "section")
TITLES = ("rule", "state", "event", "action", "next", "RFC 9293")
GAP = 2  # spaces between columns
MIN_CELL = 8  # narrowest a wrapped column gets ("RFC 9293")


def states_table(
    result: dict[str, Any],
    width: int | None = None,
    not_transitions: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """The states, the table and the note on missing rules. width: the columns to fit by
    wrapping cells (None: whole cells, one line per rule, the note wrapped at 80)."""
    yield from _wrap("states: " + ", ".join(result["states"]), width or 80)
    yield ""
    rows = [[t[c] for c in COLUMNS] for t in result["transitions"]]
    widths = [max(len(TITLES[i]), *(len(r[i]) for r in rows)) for i in range(len(COLUMNS))]
    if width is not None:
        widths = _fit(widths, rows, width)
    yield from _row(list(TITLES), widths)
    yield (" " * GAP).join("-" * w for w in widths)
    for r in rows:
        yield from _row(r, widths)
    if not_transitions:
        yield ""
        present = {t["rule"] for t in result["transitions"]}
        missing = [rule for rule in not_transitions if rule not in present]
        yield from _wrap(
            "Rule numbers follow the full list of RFC 9293's events; "
            f"{', '.join(missing)} are not in this table because they change no state "
            "or are not simulated:",
            width or 80,
        )
        for rule in missing:
            yield from _wrap(f"{rule}: {not_transitions[rule]}", width or 80, "  ", "      ")


def _fit(widths: list[int], rows: list[list[str]], width: int) -> list[int]:
    """Narrow the widest column, one character at a time, until the row fits `width` (or every
    column is down to MIN_CELL); a word longer than its column is split across lines."""
    floor = [min(w, MIN_CELL) for w in widths]
    widths = list(widths)
    while sum(widths) + GAP * (len(widths) - 1) > width:
        shrinkable = [i for i in range(len(widths)) if widths[i] > floor[i]]
        if not shrinkable:
            break
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def _row(cells: list[str], widths: list[int]) -> Iterator[str]:
    parts = [
        textwrap.wrap(cell, w, break_on_hyphens=False) or [""]
        for cell, w in zip(cells, widths, strict=True)
    ]
    for k in range(max(len(p) for p in parts)):
        line = (" " * GAP).join(
            (p[k] if k < len(p) else "").ljust(w) for p, w in zip(parts, widths, strict=True)
        )
        yield line.rstrip()


def _wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    return textwrap.wrap(
        text, max(width, 20), initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    )
