"""Shared output for CLI commands: JSON, JSON Lines and aligned `key: value` blocks.

Text renderers take the JSON object (the core result's `as_dict()`), never the core object, so
a result fetched from the API with `--api` renders exactly like a local one.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from typing import Any, TextIO


def terminal_width() -> int:
    """Columns of the terminal on stdout (or $COLUMNS); 80 when not known, as in a pipe."""
    import shutil

    return shutil.get_terminal_size((80, 24)).columns


def emit_json(obj: Any, out: TextIO | None = None) -> None:
    """Pretty JSON for one result (two-space indent, keys in the core's order)."""
    import json  # only JSON output pays for it (text output is the start-up path)

    out = out or sys.stdout
    out.write(json_safe(json.dumps(obj, indent=2, ensure_ascii=False)))
    out.write("\n")


def json_safe(text: str) -> str:
    """JSON text that encodes as UTF-8: a lone surrogate (how undecodable input bytes such as
    the zone in 'fe80::1%<0xff>' are held) becomes its JSON escape, `\\udcff`, instead of
    going out as the raw byte, which would make the output invalid UTF-8 and so invalid JSON
    (RFC 8259 section 8.1)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def json_line(obj: Any) -> str:
    """One compact JSON object as one line of JSON Lines, without the newline."""
    import json

    return json_safe(json.dumps(obj, separators=(",", ":"), ensure_ascii=False))


def write_lines(lines: Iterable[str], out: TextIO | None = None, chunk: int = 1024) -> None:
    """Each line and a newline, `chunk` lines per write call: with unbuffered output
    (PYTHONUNBUFFERED, as in our Docker image) a write call per line is a system call per line.
    Lines made before `lines` raises are written before the exception goes on."""
    out = out or sys.stdout
    pending: list[str] = []
    try:
        for line in lines:
            pending.append(line)
            if len(pending) == chunk:
                out.write("\n".join(pending) + "\n")
                pending.clear()
    finally:
        if pending:
            out.write("\n".join(pending) + "\n")


def emit_json_line(obj: Any, out: TextIO | None = None) -> None:
    """One compact JSON object on one line (JSON Lines), for streamed results."""
    (out or sys.stdout).write(json_line(obj) + "\n")


def format_block(pairs: Iterable[tuple[str, Any]], indent: str = "") -> str:
    """Aligned `key: value` lines like ipcalc's; None shows as '-', bools as yes/no."""
    rows = [(k, _text(v)) for k, v in pairs]
    if not rows:
        return ""
    width = max(len(k) for k, _ in rows) + 1
    return "\n".join(f"{indent}{(k + ':').ljust(width)} {v}".rstrip() for k, v in rows)


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) if value else "-"
    return str(value)


def error(message: str) -> None:
    """One line on stderr in the CLI's error format (the caller picks the exit status)."""
    print(f"netutil: error: {message}", file=sys.stderr)
