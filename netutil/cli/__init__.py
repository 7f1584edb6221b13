"""The `netutil` command line: argparse sub-commands, one module per command group.

Only the group named on the command line is imported and built, so `netutil ip info` pays for
argparse and the address core, nothing else (see benchmarks/bench_startup.py).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from netutil import __version__

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from typing import NoReturn

# group name -> (module that registers it, one-line help). Each module has `register(subparsers)`
# that adds its parser and sets `func` (args -> int exit status) on every leaf command.
GROUPS: dict[str, tuple[str, str]] = {
    "ip": ("netutil.cli.ip", "inspect IP addresses (version, forms, IANA registry class, ...)"),
    "subnet": ("netutil.cli.subnet", "inspect, split, summarize and compare networks"),
    "checksum": ("netutil.cli.checksum", "compute or verify the RFC 1071 Internet checksum"),
    "tcp": ("netutil.cli.tcp", "build and parse TCP segments, simulate connections"),
    "serve": ("netutil.cli.serve", "run the REST service under gunicorn"),
}

EPILOG = """examples:
  netutil ip info 192.168.0.1
  netutil subnet split 10.0.0.0/24 --prefix 26
  netutil tcp handshake --loss 0.1 --seed 7
"""


def _chosen_group(argv: list[str]) -> str | None:
    """The first bare word of argv if it names a group (options before it take no values)."""
    for i, word in enumerate(argv):
        if word == "--api":
            continue
        if i > 0 and argv[i - 1] == "--api":
            continue
        if not word.startswith("-"):
            return word if word in GROUPS else None
    return None


def _service_url(text: str) -> str:
    from netutil.cli.backend import service_url  # only runs when a service URL is given

    return service_url(text)


class _WrappedRawFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions and epilogs fitted to the terminal (argparse's width: its columns less 2):
    paragraphs (runs of lines that start in column 0) are re-flowed, lines that start with a
    space (examples, lists) are kept as written, since a command line cannot be wrapped; a
    too-long example's `# comment` moves to the line above it."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        import textwrap

        out: list[str] = []
        paragraph: list[str] = []

        def flush() -> None:
            if paragraph:
                # a quoted phrase ('line N: <message>') stays on one line: its spaces are held
                # as NUL while wrapping
                import re

                held = re.sub(
                    r"(?<!\w)'[^']{1,40}'(?!\w)",
                    lambda m: m[0].replace(" ", "\0"),
                    " ".join(paragraph),
                )
                lines = textwrap.wrap(
                    held,
                    max(width, 40),
                    initial_indent=indent,
                    subsequent_indent=indent,
                    break_on_hyphens=False,
                    break_long_words=False,
                )
                out.extend(line.replace("\0", " ") for line in lines)
                paragraph.clear()

        for line in text.splitlines():
            if line and not line[0].isspace() and not line.endswith(":"):
                paragraph.append(line)
                continue
            flush()
            command, mark, comment = line.partition("  # ")
            if mark and len(indent + line) > width:  # the comment goes above its command
                lead = command[: len(command) - len(command.lstrip())]
                out.append(f"{indent}{lead}# {comment.strip()}")
                line = command.rstrip()
            out.append(indent + line if line else "")
        flush()
        return "\n".join(out)


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors on one line of stderr, pointing at the command's --help,
    and help text that fits the terminal (see _WrappedRawFormatter).

    Sub-parsers inherit the class (argparse's `add_subparsers` defaults `parser_class` to it).
    """

    def __init__(self, *args, **kwargs) -> None:
        if kwargs.get("formatter_class") in (None, argparse.RawDescriptionHelpFormatter):
            kwargs["formatter_class"] = _WrappedRawFormatter
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The top-level parser; with `only`, that group is built in full and the rest as names."""
    parser = _Parser(
        prog="netutil",
        description="IP address and TCP protocol utility.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"netutil {__version__}")
    parser.add_argument(
        "--api",
        metavar="URL",
        default=os.environ.get("NETUTIL_API") or None,
        type=_service_url,
        help="run the command against a netutil service at URL, http://HOST[:PORT] "
        "(default: $NETUTIL_API)",
    )
    sub = parser.add_subparsers(dest="group", metavar="COMMAND")
    sub.required = True
    for name, (module, help_text) in GROUPS.items():
        if only is None or name == only:
            if only is None:
                sub.add_parser(name, help=help_text)
            else:
                importlib.import_module(module).register(sub)
        else:
            sub.add_parser(name, help=help_text)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status (0 ok, 1 invalid data, 2 usage)."""
    if argv is None:
        argv = sys.argv[1:]
    # Bytes that are not valid text (a zone such as 'fe80::1%<0xff>') pass through unchanged
    # instead of stopping the run, whatever PYTHONIOENCODING or the locale says.
    if sys.stdin is None:  # started with standard input closed: read it as empty
        sys.stdin = open(os.devnull)  # noqa: SIM115 (lives as long as the process)
    for stream in (sys.stdin, sys.stdout):
        try:  # noqa: SIM105 (contextlib would be one more import on the start-up path)
            stream.reconfigure(errors="surrogateescape")
        except (AttributeError, ValueError, OSError):
            pass  # no stream, or not a text stream that can be reconfigured (tests' capture)
    parser = build_parser(_chosen_group(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: usage errors exit 2, --help/--version exit 0
        return int(exc.code or 0)
    func = getattr(args, "func", None)
    if func is None:
        # Every group requires its sub-command, so argparse stops first; this is a safety net.
        parser.print_usage(sys.stderr)
        return 2
    from netutil.errors import NetutilError

    try:
        return int(func(args) or 0)
    except NetutilError as exc:
        print(f"netutil: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # `netutil ... | head`: stop quietly, like other Unix tools.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug of ours: still one line, never a traceback
        print(
            f"netutil: error: internal error ({type(exc).__name__}: {exc}); please report it",
            file=sys.stderr,
        )
        return 70  # EX_SOFTWARE


if __name__ == "__main__":
    sys.exit(main())
