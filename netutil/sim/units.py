"""Human spellings of the simulator's quantities: `100ms`, `1.5s`, `64KiB`, `10MB`, `10%`,
`2000/s`, and the range check every option's value passes.

The number in each goes through `netutil.numbers` (ASCII digits only, a bounded length, no
inf or nan) and is then read as a `Decimal`, so `0.1k` is exactly 100 bytes and `1e9` seconds
is merely out of range. A bad value is one line naming the option and quoting what was typed.
"""

from __future__ import annotations

import re
from decimal import Decimal

from netutil.errors import InvalidInput
from netutil.numbers import DECIMAL, MAX_LENGTH, parse_decimal

_NUMBER = DECIMAL + r"(?:[eE][+-]?[0-9]{1,3})?"
_DURATION = re.compile(rf"\s*(?P<number>{_NUMBER})\s*(?P<unit>us|ms|s|min)?\s*", re.ASCII)
_DURATION_UNITS = {"us": Decimal("1e-6"), "ms": Decimal("1e-3"), "s": 1, "min": 60, None: 1}
_SIZE = re.compile(rf"\s*(?P<number>{_NUMBER})\s*(?P<unit>[kKmMgG]i?[bB]?|[bB])?\s*", re.ASCII)
_SIZE_UNITS = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "m": 10**6,
    "mb": 10**6,
    "g": 10**9,
    "gb": 10**9,
    "ki": 1024,
    "kib": 1024,
    "mi": 2**20,
    "mib": 2**20,
    "gi": 2**30,
    "gib": 2**30,
}
_BITRATE = re.compile(
    rf"\s*(?P<number>{_NUMBER})\s*(?P<unit>[kmg]?bit(?:/s)?)?\s*", re.ASCII | re.IGNORECASE
)
_BITRATE_UNITS = {"k": 1000, "m": 10**6, "g": 10**9}
_PROBABILITY = re.compile(rf"\s*(?P<number>{_NUMBER})\s*(?P<unit>%)?\s*", re.ASCII)


def _number(pattern: re.Pattern[str], text: str, name: str, expected: str) -> re.Match[str]:
    """The match of `text`, or the error that says what is wrong with it: the shared number
    parser's (too long, a non-ASCII digit), a negative value, or `expected`."""
    m = pattern.fullmatch(text) if len(text) <= MAX_LENGTH else None
    if m is not None:
        return m
    try:
        value = parse_decimal(text, name)  # raises the length and script errors, whole text
    except InvalidInput as exc:
        if "non-ASCII" in str(exc) or "longer than" in str(exc):
            raise
        value = None
    if (value is not None and value < 0) or text.strip().startswith("-"):
        raise InvalidInput(f"invalid {name} {text!r}: must not be negative")
    raise InvalidInput(f"invalid {name} {text!r}: expected {expected}")


def duration(text: str, name: str = "duration") -> tuple[Decimal, bool]:
    """Seconds from `100ms`, `0.1`, `1.5s`, `250us`, `2min`, exactly, and whether a unit was
    written (a bare number is seconds)."""
    m = _number(_DURATION, text, name, "a number with unit us, ms, s or min")
    return Decimal(m["number"]) * _DURATION_UNITS[m["unit"]], m["unit"] is not None


def size(text: str, name: str = "size") -> Decimal:
    """Bytes from `1000`, `64KiB`, `10MB`, `1.5k` (decimal k/M/G, binary Ki/Mi/Gi), exactly;
    a fraction of a byte is an error."""
    m = _number(_SIZE, text, name, "bytes, e.g. 1000, 64KiB or 10MB")
    value = Decimal(m["number"]) * _SIZE_UNITS[(m["unit"] or "").lower()]
    if value != value.to_integral_value():
        raise InvalidInput(f"invalid {name} {text!r}: not a whole number of bytes")
    return value


def rate(text: str, name: str = "rate") -> Decimal:
    """Bytes per second: `2000`, `2000/s`, `64KiB/s`."""
    raw = text.strip()
    return size(raw[:-2] if raw.endswith("/s") else raw, name)


def bitrate(text: str, name: str = "rate") -> Decimal:
    """Bits per second from `10Mbit`, `1.5Mbit`, `100kbit`, `2Gbit/s` or a bare number, exactly
    (k, M, G are powers of 1000, as tc(8) reads them; the letter's case does not matter).

    `bps` spellings are refused: tc reads `mbps` as megabytes per second, others as megabits.
    """
    tail = text.strip()[-3:].lower()
    if tail == "bps" or tail[-1:] == "b":
        raise InvalidInput(
            f"invalid {name} {text!r}: write bits per second as bit, kbit, Mbit or Gbit "
            "(e.g. 10Mbit); bps and bytes are ambiguous"
        )
    m = _number(_BITRATE, text, name, "bits per second, e.g. 10Mbit, 1.5Mbit or 100kbit")
    prefix = (m["unit"] or "")[:1].lower()
    return Decimal(m["number"]) * _BITRATE_UNITS.get(prefix, 1)


def probability(text: str, name: str = "probability") -> Decimal:
    """A probability from `0.1` or `10%` (its range is checked by `in_range`)."""
    m = _number(_PROBABILITY, text, name, "a number in [0, 1] or a percentage")
    value = Decimal(m["number"])
    return value / 100 if m["unit"] else value


def in_range(
    name: str, text: str, value: Decimal | int, low: float, high: float, unit: str = ""
) -> None:
    """InvalidInput saying `text` is out of range unless low <= value <= high."""
    if not Decimal(str(low)) <= value <= Decimal(str(high)):
        suffix = f" {unit}" if unit else ""
        raise InvalidInput(
            f"invalid {name} {text!r}: out of range, expected {_g(low)} to {_g(high)}{suffix}"
        )


def _g(bound: float) -> str:
    return f"{bound:g}" if isinstance(bound, float) else str(bound)
