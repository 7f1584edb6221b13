"""Colour contrast of the page and the diagram, computed from the colours they are drawn with
(api/static/app.css and netutil.render.svg), by WCAG 2.2's definitions: relative luminance
(section "relative luminance": sRGB channels linearised, 0.2126 R + 0.7152 G + 0.0722 B) and
contrast ratio (L1 + 0.05) / (L2 + 0.05). Text needs at least 4.5:1 (success criterion 1.4.3),
the focus outline 3:1 against the page (1.4.11, non-text contrast).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from netutil.render import svg

CSS = (Path(__file__).parents[1] / "api" / "static" / "app.css").read_text()


def luminance(hex_colour: str) -> float:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(a: str, b: str) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def test_the_formula_against_wcag_s_own_figures():
    assert ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # WebAIM's checker and Chrome's DevTools give #767676 on white 4.54:1, the lightest
    # grey that passes AA
    assert ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)
    assert ratio("#777777", "#ffffff") < 4.5


def _rules(css: str) -> dict[str, dict[str, str]]:
    """selector -> {property: value}, comments dropped, var(--x) resolved from :root."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = re.sub(r"@media[^{]*\{((?:[^{}]*\{[^{}]*\})*)\s*\}", r"\1", css)
    rules: dict[str, dict[str, str]] = {}
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css):
        decls = dict(
            (k.strip(), v.strip())
            for k, v in (d.split(":", 1) for d in body.split(";") if ":" in d)
        )
        for selector in selectors.split(","):
            rules.setdefault(" ".join(selector.split()), {}).update(decls)
    variables = {k: v for k, v in rules[":root"].items() if k.startswith("--")}

    def resolve(value: str) -> str:
        return re.sub(r"var\((--[\w-]+)\)", lambda m: variables[m.group(1)], value)

    return {s: {k: resolve(v) for k, v in d.items()} for s, d in rules.items()}


RULES = _rules(CSS)


def colour(selector: str, prop: str) -> str:
    value = RULES[selector][prop]
    found = re.search(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b", value)
    assert found, (selector, prop, value)
    return found.group(0).lower()


PAGE = "#ffffff"
#: (what, foreground, background) of every text the page draws in its own colours
TEXT = [
    ("body text", colour("body", "color"), colour("body", "background")),
    ("links", colour("a", "color"), PAGE),
    ("help under fields", colour(".field small", "color"), PAGE),
    ("problem details", colour(".error", "color"), PAGE),
    ("field text", colour('input[type="text"]', "color"), PAGE),
    ("buttons", colour("button", "color"), colour("button", "background")),
    ("disabled buttons", colour("button", "color"), colour("button:disabled", "background")),
    ("the step being replayed", colour("body", "color"), colour(".step", "background")),
    ("key help", colour(".keys", "color"), PAGE),
    ("footer", colour("footer", "color"), PAGE),
    ("client's badge", colour("#fig5 #badge-client", "fill"), PAGE),
    ("server's badge", colour("#fig5 #badge-server", "fill"), PAGE),
    ("current label", colour(".nu-current text.label", "fill"), PAGE),
    (
        "a state lit for the client",
        colour("#fig5 .f5-state text", "fill"),
        colour("#fig5 .f5-state.lit-client rect", "fill"),
    ),
    (
        "a state lit for the server",
        colour("#fig5 .f5-state text", "fill"),
        colour("#fig5 .f5-state.lit-server rect", "fill"),
    ),
    (
        "a state lit for both",
        colour("#fig5 .f5-state text", "fill"),
        colour("#fig5 .f5-state.lit-client.lit-server rect", "fill"),
    ),
]


@pytest.mark.parametrize("what,fg,bg", TEXT, ids=[t[0] for t in TEXT])
def test_page_text_has_at_least_4_5_to_1(what, fg, bg):
    assert ratio(fg, bg) >= 4.5, f"{what}: {fg} on {bg} is {ratio(fg, bg):.2f}:1"


def test_the_focus_outline_stands_out_3_to_1():
    outline = colour(":focus-visible", "outline")
    assert ratio(outline, PAGE) >= 3.0, f"{outline} on white: {ratio(outline, PAGE):.2f}:1"


@pytest.mark.parametrize("state,fill", [(k, v) for k, v in svg.STATE_FILLS.items()])
def test_diagram_text_on_white_and_on_every_state_band(state, fill):
    backgrounds = ["#ffffff"] + ([fill] if fill.startswith("#") else ["#f2f2f2"])
    for bg in backgrounds:
        assert ratio(svg.INK, bg) >= 4.5 and ratio(svg.MUTED, bg) >= 4.5, (state, bg)
