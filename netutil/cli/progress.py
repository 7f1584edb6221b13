"""A progress line on standard error for long jobs (a Monte Carlo of 100,000 runs).

Shown only when standard error is a terminal (or `--progress` forces it), never when it is a
pipe or a file, and `--no-progress` turns it off; the line is overwritten in place and erased
at the end, so what is left on the screen is only the result.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO


def wanted(flag: bool | None, stream: TextIO | None = None) -> bool:
    """--progress (True), --no-progress (False), or neither (None): on a terminal only."""
    if flag is not None:
        return flag
    stream = stream or sys.stderr
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def reporter(what: str, stream: TextIO | None = None) -> Callable[[int, int], None]:
    """A callback(done, total) that redraws `what: done / total (pct%)` at most 10 times a
    second, and erases the line when done == total."""
    out = stream or sys.stderr
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if done < total and now - last[0] < 0.1:
            return
        last[0] = now
        if done >= total:
            out.write("\r\x1b[K")
        else:
            out.write(f"\r{what}: {done:,} / {total:,} ({100 * done // total}%)\x1b[K")
        out.flush()

    return report
