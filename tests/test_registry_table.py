"""`netutil ip registry`: the registries as a table, loaded into DuckDB and queried as the README
shows; DuckDB's answers must be `ip info`'s."""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import random

import pytest

from netutil import address, registry, registry_table
from netutil.cli import main

#: The README's query: the deciding row for each address, most specific first.
QUERY = """
SELECT h.ip, r.prefix, r.name, r.globally_reachable
FROM hits h
LEFT JOIN read_csv('{path}', comment = '#',
                   types = {{'first_integer': 'UHUGEINT', 'last_integer': 'UHUGEINT'}}) r
  ON r.version = h.version AND r.decides
 AND h.ip_integer BETWEEN r.first_integer AND r.last_integer
QUALIFY row_number() OVER (PARTITION BY h.ip ORDER BY r.prefix_length DESC NULLS LAST) = 1
"""


def run(capsys, *argv):
    code = main(["ip", "registry", *argv])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    return out


def iana_prefixes():
    """Prefixes counted straight from the bundled IANA files (a cell may hold two)."""
    found = []
    for version in (4, 6):
        path = f"{registry.DATA_DIR}/{registry.REGISTRY_FILES[version]}"
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                cell = " ".join(w for w in row["Address Block"].split() if not w.startswith("["))
                found += [ipaddress.ip_network(p.strip()) for p in cell.split(",")]
    return found


def test_csv_rows_and_fixed_text(capsys):
    text = run(capsys)
    lines = text.splitlines()
    assert lines[0] == "# IANA special-purpose address registries, copy of 2026-07-18"
    assert any("Most specific wins" in line for line in lines if line.startswith("#"))
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    assert [ipaddress.ip_network(r["prefix"]) for r in rows] == iana_prefixes()
    by_prefix = {r["prefix"]: r for r in rows}
    # RFC 5952 section 5: the IPv4-mapped prefix in mixed notation, on every Python version
    mapped = by_prefix["::ffff:0.0.0.0/96"]
    assert (mapped["first_integer"], mapped["last_integer"]) == (str(0xFFFF << 32), str(2**48 - 1))
    teredo = by_prefix["2001::/32"]
    assert (teredo["name"], teredo["globally_reachable"], teredo["source"]) == (
        "TEREDO",
        "",
        "true",
    )
    assert by_prefix["192.0.0.9/32"]["globally_reachable"] == "true"
    assert by_prefix["10.0.0.0/8"]["last_address"] == "10.255.255.255"
    assert run(capsys, "--no-comments").splitlines()[0].startswith("prefix,version,")


def test_json_is_the_core_table(capsys):
    doc = json.loads(run(capsys, "--json"))
    assert doc == registry_table.as_dict()
    assert list(doc["rows"][0]) == list(registry_table.COLUMNS)
    terminated = [r["prefix"] for r in doc["rows"] if not r["decides"]]
    assert terminated == [r["prefix"] for r in doc["rows"] if r["termination_date"]]
    assert terminated  # the registries hold terminated entries


def test_duckdb_answers_like_ip_info(capsys, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    path = tmp_path / "registry.csv"
    path.write_text(run(capsys))
    rng = random.Random(4)
    samples = [str(r.prefix.network_address) for r in registry.entries()]
    samples += [str(ipaddress.ip_network(r.prefix).broadcast_address) for r in registry.entries()]
    samples += [str(ipaddress.IPv4Address(rng.getrandbits(32))) for _ in range(300)]
    samples += ["192.0.0.9", "192.0.0.10", "2001:1::1", "2001:1::4", "8.8.8.8", "2606:4700::1"]
    multicast = ipaddress.ip_network("224.0.0.0/4"), ipaddress.ip_network("ff00::/8")
    samples = sorted(
        {s for s in samples if not any(ipaddress.ip_address(s) in m for m in multicast)}
    )
    samples = [s for s in samples if not (":" in s and ipaddress.IPv6Address(s).ipv4_mapped)]
    con = duckdb.connect()
    con.execute("CREATE TABLE hits (ip VARCHAR, version INTEGER, ip_integer UHUGEINT)")
    con.executemany(
        "INSERT INTO hits VALUES (?, ?, ?)",
        [(s, ipaddress.ip_address(s).version, int(ipaddress.ip_address(s))) for s in samples],
    )
    found = con.execute(QUERY.format(path=path)).fetchall()
    answers = {ip: (name, g) for ip, _, name, g in found}
    assert len(answers) == len(samples)
    for s in samples:
        d = address.info(s).as_dict()
        name = d["registry"]["name"] if d["registry"] else None
        assert answers[s][0] == name, s
        assert (True if answers[s][0] is None else answers[s][1]) == d["is_global"], s


def test_registry_output_has_no_traceback_on_a_closed_pipe(tmp_path):
    import subprocess
    import sys

    proc = subprocess.run(
        f"{sys.executable} -m netutil ip registry | head -1",
        shell=True,
        capture_output=True,
        text=True,
    )
    assert proc.stdout == "# IANA special-purpose address registries, copy of 2026-07-18\n"
    assert proc.stderr == ""


def test_csv_loads_into_python_csv_without_the_comments(capsys):
    rows = list(csv.reader(io.StringIO(run(capsys, "--no-comments"))))
    assert rows[0] == list(registry_table.COLUMNS)
    assert all(len(r) == len(registry_table.COLUMNS) for r in rows)


def test_readme_shows_the_query_tested_here():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    shown = QUERY.format(path="registry.csv").strip()
    assert shown + ";" in readme
