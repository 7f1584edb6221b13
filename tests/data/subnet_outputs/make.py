"""Write outputs.json: for each case in cases.py, the exit status, stderr and stdout (or, past
4 KiB, stdout's SHA-256 and line count) of `netutil subnet ...` run in this process.

    python -m tests.data.subnet_outputs.make > tests/data/subnet_outputs/outputs.json
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout

from netutil.cli import main
from tests.data.subnet_outputs.cases import cases

#: Outputs longer than this are stored as their hash and line count.
INLINE = 4096


def run(argv: list[str], stdin: str | None) -> dict:
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["subnet", *argv])
    finally:
        sys.stdin = saved
    text = out.getvalue()
    record = {"argv": argv, "exit": code, "stderr": err.getvalue()}
    if len(text) <= INLINE:
        record["stdout"] = text
    else:
        record["stdout_sha256"] = hashlib.sha256(text.encode()).hexdigest()
        record["stdout_lines"] = text.count("\n")
    return record


def main_() -> None:
    records = [run(argv, stdin) for argv, stdin in cases()]
    json.dump(records, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main_()
