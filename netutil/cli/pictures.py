"""The charts of `netutil tcp handshake --plot KIND`: which arguments go with which chart.

The drawing is the core's (`netutil.render.svg`, `netutil.render.plots`, from the result's
JSON), so `--api` draws exactly what a local run draws; `tcp handshake` writes it like any
other format (standard output, or `--output FILE`).
"""

from __future__ import annotations

import argparse


def check_plot(args: argparse.Namespace) -> None:
    """ArgumentTypeError (a usage error) when `--plot` cannot go with the other arguments."""
    problem = None
    if args.plot == "establish" and args.runs is None:
        problem = "--plot establish draws a Monte Carlo result: add --runs N"
    elif args.plot != "establish" and args.runs is not None:
        problem = f"--plot {args.plot} draws one run; drop --runs"
    elif args.format not in (None, "svg"):
        problem = f"--plot writes SVG; drop --format {args.format}"
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
