"""Run benchmarks: `python -m benchmarks [--quick] [NAME ...]` (NAME = bench_NAME.py)."""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import benchmarks


def main(argv: list[str] | None = None) -> int:
    names = sorted(
        m.name.removeprefix("bench_")
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_")
    )
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"one of: {', '.join(names)}")
    parser.add_argument("--quick", action="store_true", help="smaller inputs, fewer repeats")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in names]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(names)}")
    for name in args.names or names:
        print(f"== {name}", flush=True)
        importlib.import_module(f"benchmarks.bench_{name}").run(quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
