"""`netutil tcp ...`: segment commands (header build, parse) and simulator commands
(handshake, states), each registered by the module that owns them."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "tcp",
        help="build and parse TCP segments, simulate connections",
        description="Build and parse TCP segments; simulate TCP connections segment by segment.",
    )
    tcp_sub = parser.add_subparsers(dest="tcp_command", metavar="COMMAND")
    tcp_sub.required = True
    from netutil.cli import analyze, handshake, segment

    segment.register(tcp_sub)
    handshake.register(tcp_sub)
    analyze.register(tcp_sub)
