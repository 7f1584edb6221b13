"""A progress line on standard error for long jobs (a Monte Carlo of 100,000 runs, a summarize
of a million lines).

Shown only when standard error is a terminal (or `--progress` forces it), never when it is a
pipe or a file, and `--no-progress` turns it off; the line is overwritten in place and erased
at the end, so what is left on the screen is only the result.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
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


def counted(
    blocks: Iterable[bytes], report: Callable[[int, int | None], None], total: int | None
) -> Iterator[bytes]:
    """The blocks as they are, reporting the bytes read so far (of `total`, None when not
    known) after each; the line is erased after the last block."""
    done = 0
    for block in blocks:
        done += len(block)
        report(done, total)
        yield block
    report(done, done)  # done: the line is erased


def input_size(stream: object) -> int | None:
    """The size of a regular file behind `stream` (a redirected stdin), else None (a pipe)."""
    import os
    import stat

    try:
        info = os.fstat(stream.fileno())  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return None
    return info.st_size if stat.S_ISREG(info.st_mode) else None
