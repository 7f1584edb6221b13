"""`netutil ip registry`: the special-purpose registries as netutil applies them, as a table.

Operation passed to `netutil.cli.backend.call`: none (the table is the bundled data, the same
locally and on any service of this version).
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing costs ~2 ms of start-up; annotations are strings
if TYPE_CHECKING:
    from typing import Any

EPILOG = """examples:
  netutil ip registry > registry.csv
  netutil ip registry --format json
  netutil ip registry --no-comments > registry.csv     # for loaders that take no '#' lines

CSV: '#' lines first state how the rows are applied (most specific wins; terminated rows never
decide; multicast and IPv4-mapped addresses), then a header row and one row per prefix. Flags
are true, false or empty (IANA's N/A). Integers are decimal (IPv6 ones pass 2**64: load them as
UHUGEINT in DuckDB, UInt128 in ClickHouse). DuckDB: read_csv('registry.csv', comment='#').
"""


def register(commands: Any) -> None:
    """Add `registry` to the `ip` group's sub-parsers."""
    import argparse

    p = commands.add_parser(
        "registry",
        help="the IANA special-purpose registries as a table (CSV or JSON)",
        description="Print the IANA IPv4 and IPv6 special-purpose registries as netutil applies "
        "them: prefix, bounds, name, RFC, dates, the five flags and whether the row decides.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--format", choices=("csv", "json"), default="csv", help="default: csv")
    p.add_argument("--json", action="store_true", help="the same as --format json")
    p.add_argument("--no-comments", action="store_true", help="CSV without the leading '#' lines")
    p.set_defaults(func=run_registry)


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


def run_registry(args: Any) -> int:
    from netutil import registry_table

    table = registry_table.as_dict()
    if args.json or args.format == "json":
        from netutil.cli.output import emit_json

        emit_json(table)
        return 0
    import csv

    out = sys.stdout
    if not args.no_comments:
        out.write(f"# IANA special-purpose address registries, copy of {table['registry_date']}\n")
        for source in table["sources"]:
            out.write(f"# {source}\n")
        for rule in table["rules"]:
            out.write(f"# {rule}\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table["columns"])
    for row in table["rows"]:
        writer.writerow([_cell(row[name]) for name in table["columns"]])
    return 0
