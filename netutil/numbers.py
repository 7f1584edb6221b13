"""Numbers typed by people (ports, counts, option values): ASCII digits only, bounded length.

Python's `int()` and `float()` accept any Unicode decimal digit (`int('٨٠')` is 80), underscores
(`1_000`), surrounding whitespace of any script, and `float()` also `inf`, `nan` and `1e999`;
`ipaddress` accepts none of these in an address. So `--src 10.0.0.1:٨٠` used to give port 80
while `١٠.0.0.1` was refused. Every number from the command line or a text field goes through
here, so all of them refuse the same input with the same message.

`DECIMAL` is the regular-expression text of an unsigned decimal, for parsers of a number with a
unit (`100ms`, `64KiB`): match with it, then convert the matched number with `parse_decimal`.
"""

from __future__ import annotations

import re

from netutil.errors import InvalidInput
from netutil.errors import shown as _shown

#: Longest number accepted, in characters: 2**64 has 20 digits and 2**128 has 39, so 48 leaves
#: room for a sign and a base prefix while keeping a pasted megabyte out of error messages.
MAX_LENGTH = 48

#: An unsigned decimal number with ASCII digits: `12`, `12.`, `12.5`, `.5` (no exponent).
DECIMAL = r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"

_INF = float("inf")
_INT_RE = re.compile(r"[+-]?[0-9]+")
_PREFIXED_RE = re.compile(r"[+-]?0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)")
_DECIMAL_RE = re.compile(r"[+-]?" + DECIMAL + r"(?:[eE][+-]?[0-9]{1,3})?")


def _check_text(text: object, what: str, kind: str) -> str:
    if not isinstance(text, str):
        raise InvalidInput(f"invalid {what} {text!r}: expected {kind} as text")
    if len(text) > MAX_LENGTH:
        raise InvalidInput(f"invalid {what} {_shown(text)}: longer than {MAX_LENGTH} characters")
    stripped = text.strip(" \t")
    for ch in stripped:
        if not ch.isascii():
            detail = "digit" if ch.isdigit() else "character"
            raise InvalidInput(
                f"invalid {what} {text!r}: non-ASCII {detail} {ch!r} (U+{ord(ch):04X}); "
                "only the digits 0-9 are accepted"
            )
    return stripped


def _check_range(value: int | float, text: str, what: str, kind: str, low, high) -> None:
    if (low is not None and value < low) or (high is not None and value > high):
        if low is not None and high is not None:
            span = f"in [{low}, {high}]"
        elif low is not None:
            span = f">= {low}"
        else:
            span = f"<= {high}"
        raise InvalidInput(f"invalid {what} {text!r}: expected {kind} {span}")


def parse_int(
    text: str,
    what: str,
    low: int | None = None,
    high: int | None = None,
    *,
    prefixed: bool = False,
) -> int:
    """A whole number written with ASCII digits (`80`, `-3`), within [low, high] when given.

    With `prefixed`, `0x1F`, `0o17` and `0b101` are read too, as in C and Python source; a
    decimal with a leading zero (`010`) is then refused, since C would read it as octal.
    """
    stripped = _check_text(text, what, "an integer")
    if prefixed and _PREFIXED_RE.fullmatch(stripped):
        value = int(stripped, 0)
    elif _INT_RE.fullmatch(stripped):
        digits = stripped.lstrip("+-")
        if prefixed and len(digits) > 1 and digits[0] == "0":
            raise InvalidInput(
                f"invalid {what} {text!r}: a leading 0 is ambiguous "
                f"(write {int(digits)}, or 0o{digits.lstrip('0') or '0'} for octal)"
            )
        value = int(stripped, 10)
    else:
        forms = "a whole number (decimal, or 0x.. hex)" if prefixed else "a whole number"
        raise InvalidInput(f"invalid {what} {text!r}: expected {forms}")
    _check_range(value, text, what, "an integer", low, high)
    return value


def parse_decimal(
    text: str,
    what: str,
    low: float | None = None,
    high: float | None = None,
) -> float:
    """A finite decimal number written with ASCII digits (`0.25`, `3`, `.5`, `1e-3`), within
    [low, high] when given. `inf`, `nan`, underscores and other scripts' digits are refused."""
    stripped = _check_text(text, what, "a number")
    if not _DECIMAL_RE.fullmatch(stripped):
        raise InvalidInput(f"invalid {what} {text!r}: expected a decimal number such as 0.25")
    value = float(stripped)
    if value in (_INF, -_INF):
        raise InvalidInput(f"invalid {what} {text!r}: too large")
    _check_range(value, text, what, "a number", low, high)
    return value
