"""The option table is the one declaration of every simulator option: the core's dataclass,
the CLI's arguments, the API's fields and the README's table all follow it."""

from __future__ import annotations

import argparse
import dataclasses
import re
from pathlib import Path

import pytest

from netutil.cli import build_parser
from netutil.cli.handshake import options_params
from netutil.render.simulation import option_table_markdown
from netutil.sim.options import OPTION, OPTIONS, RUNS, SimOptions

ROOT = Path(__file__).resolve().parent.parent


def test_table_and_dataclass_agree_name_for_name_and_default_for_default():
    fields = [f for f in dataclasses.fields(SimOptions) if f.init]
    assert [f.name for f in fields] == [o.name for o in OPTIONS]
    assert [f.default for f in fields] == [o.default for o in OPTIONS]


def _handshake_parser() -> argparse.ArgumentParser:
    parser = build_parser("tcp")
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    tcp = sub.choices["tcp"]
    tcp_sub = next(a for a in tcp._actions if isinstance(a, argparse._SubParsersAction))
    return tcp_sub.choices["handshake"]


def test_every_option_is_one_cli_argument_with_its_declared_flag():
    parser = _handshake_parser()
    by_dest = {}
    for action in parser._actions:
        by_dest.setdefault(action.dest, []).extend(action.option_strings)
    for option in OPTIONS:
        flags = by_dest[option.name]
        expected = [option.cli_flag] + ([option.alias[0]] if option.alias else [])
        assert sorted(flags) == sorted(expected), option.name


def test_no_options_on_the_command_line_means_the_core_defaults():
    args = build_parser("tcp").parse_args(["tcp", "handshake"])
    assert options_params(args) == {}
    assert SimOptions.from_dict(options_params(args)) == SimOptions()


@pytest.mark.parametrize(
    ("argv", "params"),
    [
        (["--rtt", "300ms"], {"delay": 0.15}),
        (["--delay", "2ms", "--jitter", "250us"], {"delay": 0.002, "jitter": 0.00025}),
        (["--loss", "10%", "--loss-to-client", "0"], {"loss": 0.1, "loss_to_client": 0.0}),
        (["--data", "1.5k", "--window", "64KiB"], {"data": 1500, "window": 65536}),
        (["--read-rate", "2KiB/s"], {"read_rate": 2048.0}),
        (["--msl", "1min", "--max-time", "2min"], {"msl": 60.0, "max_time": 120.0}),
        (["--no-close", "--no-listener"], {"close": False, "listener": False}),
        (
            ["--simultaneous-open", "--closer", "both"],
            {"simultaneous_open": True, "closer": "both"},
        ),
        (["--drop", "SYN-ACK,3", "--drop", "data:all"], {"drop": ["syn-ack", "3", "data:all"]}),
        (["--seed", "0x10", "--client-isn", "4294967295"], {"seed": 16, "client_isn": 2**32 - 1}),
        (["--syn-retries", "1", "--max-events", "100"], {"syn_retries": 1, "max_events": 100}),
    ],
)
def test_cli_spellings_become_the_core_values(argv, params):
    args = build_parser("tcp").parse_args(["tcp", "handshake", *argv])
    got = options_params(args)
    assert got.keys() == params.keys()
    for name, value in params.items():
        assert got[name] == (pytest.approx(value) if isinstance(value, float) else value), name


def test_api_fields_carry_the_declared_ranges_and_choices():
    from marshmallow import validate

    from api.schemas.handshake import HandshakeBody, HandshakeQuery, PlotQuery

    names = [o.name for o in OPTIONS] + ["runs"]
    assert list(PlotQuery().fields) == names
    for schema in (HandshakeBody(), HandshakeQuery()):
        assert list(schema.fields) == [*names, "capture_point"]
        for option in OPTIONS:
            field = schema.fields[option.name]
            checks = field.validators
            if option.kind == "choice":
                assert [tuple(v.choices) for v in checks] == [option.choices]
            elif option.kind == "drop":
                assert [v.max for v in checks] == [option.high]
            elif option.kind in ("durations", "choices"):
                assert [v.max for v in checks] == [option.max_items]
            elif option.kind != "flag":
                (check,) = checks
                assert isinstance(check, validate.Range)
                high = 1024 * 1024 if option.name == "data" else option.high  # the service's cap
                assert (check.min, check.max) == (option.low, high), option.name


def test_openapi_states_each_range():
    import yaml

    spec = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    params = {p["name"]: p["schema"] for p in spec["paths"]["/api/handshake"]["get"]["parameters"]}
    assert params["msl"]["minimum"] == 0.0 and params["msl"]["maximum"] == 3600.0
    assert params["synack_retries"]["minimum"] == 1 and params["synack_retries"]["maximum"] == 15
    assert params["closer"]["enum"] == ["client", "server", "both"]
    assert re.fullmatch(params["drop"]["items"]["pattern"], "syn-ack:2")
    assert not re.fullmatch(params["drop"]["items"]["pattern"], "synack")


START, END = "<!-- options table: generated -->\n", "<!-- end of options table -->"


def _readme_table() -> tuple[str, int, int]:
    readme = (ROOT / "README.md").read_text()
    start = readme.index(START) + len(START)
    return readme, start, readme.index(END)


def test_readme_option_table_is_the_generated_one():
    readme, start, end = _readme_table()
    expected = option_table_markdown([o.as_dict() for o in (*OPTIONS, RUNS)])
    assert readme[start:end].splitlines() == expected, (
        "README's option table is stale: python -m tests.test_sim_option_table"
    )


def test_one_declaration_per_name():
    assert len(OPTION) == len(OPTIONS)
    assert RUNS.name not in OPTION


if __name__ == "__main__":  # python -m tests.test_sim_option_table: rewrite the README's table
    text, first, last = _readme_table()
    table = option_table_markdown([o.as_dict() for o in (*OPTIONS, RUNS)])
    (ROOT / "README.md").write_text(text[:first] + "\n".join(table) + "\n" + text[last:])
