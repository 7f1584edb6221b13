"""`netutil checksum HEX | - | --file FILE [--verify]`: the RFC 1071 Internet checksum.

Operations (for backend.call and the API):
  checksum  params: data (str, hex of the bytes; spaces, colons and a 0x prefix allowed)
            result: {length, sum, sum_hex, checksum, checksum_hex, verifies}
            (`verifies`: the bytes already hold their checksum, i.e. they sum to 0xFFFF)
"""

from __future__ import annotations

import argparse
import sys

from netutil.cli import backend
from netutil.cli.output import emit_json, emit_json_line, error, format_block

MAX_FILE_BYTES = 64 * 1024 * 1024  # --file cap: the bytes are summed in memory

EPILOG = """examples:
  netutil checksum 0001f203f4f5f6f7                  # RFC 1071's example: 0x220d
  netutil checksum --verify 45000030442240008006442e8c7c19acae241e2b
  netutil checksum --file packet.bin --json
  printf '0001\\nffff\\n' | netutil checksum -         # one hex input per line

--verify exits 1 when the data does not sum to zero (its checksum field is wrong).
"""


def hex_bytes(text: str) -> bytes:
    """argparse type: hex digits (spaces, ':' separators and a 0x prefix are allowed)."""
    cleaned = "".join(text.split()).replace(":", "")
    if cleaned[:2].lower() == "0x":
        cleaned = cleaned[2:]
    try:
        return bytes.fromhex(cleaned)
    except ValueError:
        bad = next((c for c in cleaned if c not in "0123456789abcdefABCDEF"), None)
        why = f"{bad!r} is not a hex digit" if bad else f"odd number of hex digits ({len(cleaned)})"
        raise argparse.ArgumentTypeError(f"invalid hex {text!r}: {why}") from None


def hex_or_stdin(text: str) -> bytes | str:
    """argparse type: `-` (read hex lines from stdin) or hex bytes."""
    return text if text == "-" else hex_bytes(text)


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "checksum",
        help="compute or verify the RFC 1071 Internet checksum",
        description="Compute the Internet checksum (RFC 1071) of bytes given as hex, or check "
        "that bytes holding a checksum (an IP header, a segment with pseudo-header) sum to zero.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    src = parser.add_mutually_exclusive_group(required=True)
    src.add_argument(
        "data",
        nargs="?",
        type=hex_or_stdin,
        metavar="HEX",
        help="the bytes as hex, or - for stdin lines",
    )
    src.add_argument(
        "--file", metavar="FILE", help=f"read raw bytes from FILE (max {MAX_FILE_BYTES} bytes)"
    )
    parser.add_argument(
        "--verify", action="store_true", help="say whether the data sums to zero; exit 1 if not"
    )
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


def _compute(args: argparse.Namespace, data: bytes) -> dict:
    def local() -> dict:
        from netutil.checksum import checksum_report

        return checksum_report(data).as_dict()

    return backend.call(args, "checksum", local, data=data.hex())


def _text(result: dict, verify: bool) -> str:
    pairs = [
        ("length", result["length"]),
        ("sum", result["sum_hex"]),
        ("checksum", result["checksum_hex"]),
    ]
    if verify:
        pairs.append(("verifies", result["verifies"]))
    return format_block(pairs)


def _read_file(path: str) -> bytes:
    from netutil.errors import InvalidInput, LimitExceeded

    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(f"cannot read {path!r}: {exc.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise LimitExceeded(f"{path!r} is larger than the {MAX_FILE_BYTES}-byte cap")
    return data


def run(args: argparse.Namespace) -> int:
    if args.data == "-":
        return _run_lines(args)
    data = _read_file(args.file) if args.file is not None else args.data
    result = _compute(args, data)
    if args.json:
        emit_json(result)
    else:
        print(_text(result, args.verify))
    return 1 if args.verify and not result["verifies"] else 0


def _run_lines(args: argparse.Namespace) -> int:
    """One hex input per stdin line: one result per line (JSON Lines with --json)."""
    status = 0
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            data = hex_bytes(line.strip())
        except argparse.ArgumentTypeError as exc:
            error(f"line {number}: {exc}")
            status = 1
            continue
        result = _compute(args, data)
        if args.json:
            emit_json_line(result)
        else:
            verdict = (" ok" if result["verifies"] else " bad") if args.verify else ""
            print(f"{result['checksum_hex']}{verdict}")
        if args.verify and not result["verifies"]:
            status = 1
    return status
