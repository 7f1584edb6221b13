"""argparse `type=` callables over the core's number parsers (netutil.numbers), so a bad
number on the command line is a usage error (exit 2) with the core's one-line message."""

from __future__ import annotations

import argparse

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from collections.abc import Callable


def integer(
    what: str, low: int | None = None, high: int | None = None, *, prefixed: bool = False
) -> Callable[[str], int]:
    """A type that reads a whole number in [low, high] (see `netutil.numbers.parse_int`)."""

    def parse(text: str) -> int:
        from netutil.errors import InvalidInput
        from netutil.numbers import parse_int

        try:
            return parse_int(text, what, low, high, prefixed=prefixed)
        except InvalidInput as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = what  # argparse names the type in some messages
    return parse


def decimal(
    what: str, low: float | None = None, high: float | None = None
) -> Callable[[str], float]:
    """A type that reads a decimal number in [low, high] (see `netutil.numbers.parse_decimal`)."""

    def parse(text: str) -> float:
        from netutil.errors import InvalidInput
        from netutil.numbers import parse_decimal

        try:
            return parse_decimal(text, what, low, high)
        except InvalidInput as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = what
    return parse
