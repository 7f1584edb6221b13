# ruff: noqa: E501
"""netutil.numbers: ASCII-only integers and decimals, checked against int() and float()."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netutil.errors import InvalidInput
from netutil.numbers import parse_decimal, parse_int

# Every non-ASCII character Unicode calls a decimal digit (category Nd): int() reads them all.
OTHER_DIGITS = [
    chr(c)
    for c in range(0x80, 0x110000)
    if unicodedata.category(chr(c)) == "Nd" and c not in range(0xD800, 0xE000)
]


@pytest.mark.parametrize(
    ("text", "kwargs", "want"),
    [
        ("80", {}, 80),
        ("0", {}, 0),
        ("-3", {}, -3),
        ("+7", {}, 7),
        (" 443\t", {}, 443),
        ("080", {}, 80),
        ("0x1F", {"prefixed": True}, 31),
        ("0o17", {"prefixed": True}, 15),
        ("0b101", {"prefixed": True}, 5),
        ("0", {"prefixed": True}, 0),
        ("18446744073709551615", {"high": 2**64 - 1}, 2**64 - 1),
    ],
)
def test_parse_int_accepts(text, kwargs, want):
    assert parse_int(text, "count", **kwargs) == want


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("٨٠", {}, "invalid port '٨٠': non-ASCII digit '٨' (U+0668); only the digits 0-9 are accepted"),
        ("8\u0660", {}, "invalid port '8٠': non-ASCII digit '٠' (U+0660); only the digits 0-9 are accepted"),
        ("８０", {}, "invalid port '８０': non-ASCII digit '８' (U+FF18); only the digits 0-9 are accepted"),
        ("8\u00a0", {}, "invalid port '8\\xa0': non-ASCII character '\\xa0' (U+00A0); only the digits 0-9 are accepted"),
        ("²", {}, "invalid port '²': non-ASCII digit '²' (U+00B2); only the digits 0-9 are accepted"),
        ("1_000", {}, "invalid port '1_000': expected a whole number"),
        ("", {}, "invalid port '': expected a whole number"),
        ("8 0", {}, "invalid port '8 0': expected a whole number"),
        ("0x50", {}, "invalid port '0x50': expected a whole number"),
        ("80.0", {}, "invalid port '80.0': expected a whole number"),
        ("0xZZ", {"prefixed": True}, "invalid port '0xZZ': expected a whole number (decimal, or 0x.. hex)"),
        ("010", {"prefixed": True}, "invalid port '010': a leading 0 is ambiguous (write 10, or 0o10 for octal)"),
        ("65536", {"low": 0, "high": 65535}, "invalid port '65536': expected an integer in [0, 65535]"),
        ("-1", {"low": 0, "high": 65535}, "invalid port '-1': expected an integer in [0, 65535]"),
        ("0", {"low": 1}, "invalid port '0': expected an integer >= 1"),
        ("9", {"high": 8}, "invalid port '9': expected an integer <= 8"),
        ("1" * 49, {}, "invalid port '11111111111111111111'... (49 characters): longer than 48 characters"),
    ],
)  # fmt: skip
def test_parse_int_refuses(text, kwargs, message):
    with pytest.raises(InvalidInput, match=re.escape(message) + "$"):
        parse_int(text, "port", **kwargs)


def test_a_megabyte_is_not_echoed():
    with pytest.raises(InvalidInput) as info:
        parse_int("9" * 2**20, "count")
    assert str(info.value) == (
        "invalid count '99999999999999999999'... (1048576 characters): longer than 48 characters"
    )


@given(st.integers(min_value=-(10**40), max_value=10**40))
def test_parse_int_reads_what_int_writes(n):
    assert parse_int(str(n), "n") == n
    assert parse_int(hex(n), "n", prefixed=True) == n


@given(st.text(alphabet="0123456789+-_ x", max_size=12))
def test_parse_int_never_accepts_what_int_refuses(text):
    """On ASCII text we accept a subset of int(text) (no underscores), with its value."""
    try:
        value = parse_int(text, "n")
    except InvalidInput:
        return
    assert "_" not in text
    assert value == int(text)


@given(st.sampled_from(OTHER_DIGITS), st.sampled_from(OTHER_DIGITS))
def test_every_other_script_digit_is_refused(a, b):
    text = a + b
    assert int(text) >= 0 and float(text) >= 0  # what Python itself would accept
    with pytest.raises(InvalidInput, match="non-ASCII digit"):
        parse_int(text, "n")
    with pytest.raises(InvalidInput, match="non-ASCII digit"):
        parse_decimal(text, "n")
    with pytest.raises(InvalidInput, match="non-ASCII digit"):
        parse_int("1" + text, "n", prefixed=True)


def test_each_other_script_digit_alone_is_refused():
    for ch in OTHER_DIGITS:
        assert int(ch) == unicodedata.digit(ch)  # int() reads it as its digit value
        with pytest.raises(InvalidInput, match=re.escape(f"(U+{ord(ch):04X})")):
            parse_int(ch, "n")


@pytest.mark.parametrize(
    ("text", "want"),
    [("0.25", 0.25), ("3", 3.0), (".5", 0.5), ("5.", 5.0), ("1e-3", 0.001), ("-2.5", -2.5), ("0", 0.0)],
)  # fmt: skip
def test_parse_decimal_accepts(text, want):
    assert parse_decimal(text, "loss") == want


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("nan", {}, "invalid loss 'nan': expected a decimal number such as 0.25"),
        ("inf", {}, "invalid loss 'inf': expected a decimal number such as 0.25"),
        ("1e999", {}, "invalid loss '1e999': too large"),
        ("0_5", {}, "invalid loss '0_5': expected a decimal number such as 0.25"),
        ("٠.٥", {}, "invalid loss '٠.٥': non-ASCII digit '٠' (U+0660); only the digits 0-9 are accepted"),
        (".", {}, "invalid loss '.': expected a decimal number such as 0.25"),
        ("1.5", {"low": 0, "high": 1}, "invalid loss '1.5': expected a number in [0, 1]"),
    ],
)  # fmt: skip
def test_parse_decimal_refuses(text, kwargs, message):
    with pytest.raises(InvalidInput, match=re.escape(message) + "$"):
        parse_decimal(text, "loss", **kwargs)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parse_decimal_reads_what_repr_writes(x):
    assert parse_decimal(repr(x), "x") == x
