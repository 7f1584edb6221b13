"""A progress line on standard error for long jobs (a Monte Carlo of 100,000 runs, a summarize
of a million lines).

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


def reporter(
    what: str, stream: TextIO | None = None, unit: str = ""
) -> Callable[[int, int | None], None]:
    """A callback(done, total) that redraws `what: done / total unit (pct%)` at most 10 times a
    second (`what: done unit` when the total is not known, None: a pipe), and erases the line
    when done == total or `finish` is called."""
    out = stream or sys.stderr
    last = [0.0]
    suffix = f" {unit}" if unit else ""

    def report(done: int, total: int | None) -> None:
        now = time.monotonic()
        if (total is None or done < total) and now - last[0] < 0.1:
            return
        last[0] = now
        if total is not None and done >= total:
            out.write("\r\x1b[K")
        elif total is None:
            out.write(f"\r{what}: {done:,}{suffix}\x1b[K")
        else:
            out.write(f"\r{what}: {done:,} / {total:,}{suffix} ({100 * done // total}%)\x1b[K")
        out.flush()

    return report


def finish(stream: TextIO | None = None) -> None:
    """Erase the progress line (for a job whose total was not known)."""
    out = stream or sys.stderr
    out.write("\r\x1b[K")
    out.flush()
