"""Simulator options: the same validation for every adapter, with exact messages."""

from __future__ import annotations

import re

import pytest

from netutil.errors import InvalidInput
from netutil.sim.options import (
    SimOptions,
    parse_drop_rule,
    parse_duration,
    parse_probability,
    parse_size,
)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"loss": 1.5}, "invalid loss 1.5: expected a probability in [0, 1]"),
        ({"loss": -0.1}, "invalid loss -0.1: expected a probability in [0, 1]"),
        ({"corrupt": "x"}, "invalid corrupt 'x': expected a number (a probability)"),
        ({"delay": -1.0}, "invalid delay -1.0: expected seconds in [0, 60]"),
        ({"data": -1}, "invalid data -1: expected an integer in [0, 67108864]"),
        ({"window": 0}, "invalid window 0: expected an integer in [1, 1073725440]"),
        ({"mss": 20}, "invalid mss 20: expected an integer in [88, 65495]"),
        ({"closer": "nobody"}, "invalid closer 'nobody': expected one of client, server, both"),
        (
            {"drop": ("synack",)},
            "invalid drop rule 'synack': unknown segment kind 'synack' "
            "(expected one of syn, syn-ack, ack, data, fin, rst)",
        ),
        ({"drop": ("0",)}, "invalid drop rule '0': segment numbers start at 1"),
        (
            {"client_isn": 2**32},
            "invalid client_isn 4294967296: expected an integer in [0, 4294967295]",
        ),
        ({"read_rate": 0.0}, "invalid read_rate 0.0: expected bytes per second in [1, 1e+12]"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        SimOptions(**kwargs)


def test_round_trip_through_json_params():
    o = SimOptions(seed=3, loss=0.2, drop=("syn-ack:2", "5"), data=100)
    assert SimOptions.from_dict(o.as_dict()) == o
    assert o.as_dict()["drop"] == ["syn-ack:2", "5"]


def test_unknown_option_name():
    with pytest.raises(InvalidInput, match=re.escape("unknown simulator option 'speed'")):
        SimOptions.from_dict({"speed": 1})


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("100ms", 0.1), ("0.25", 0.25), ("1.5s", 1.5), ("250us", 0.00025), ("2min", 120.0)],
)
def test_durations(text, seconds):
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    ("text", "size"),
    [("1000", 1000), ("64KiB", 65536), ("10MB", 10_000_000), ("1.5k", 1500), ("2Mi", 2**20 * 2)],
)
def test_sizes(text, size):
    assert parse_size(text) == size


@pytest.mark.parametrize(("text", "p"), [("0.1", 0.1), ("10%", 0.1), ("1", 1.0), ("0", 0.0)])
def test_probabilities(text, p):
    assert parse_probability(text) == pytest.approx(p)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-5ms", "invalid duration '-5ms': must not be negative"),
        ("fast", "invalid duration 'fast': expected a number with unit us, ms, s or min"),
    ],
)
def test_bad_durations(text, message):
    with pytest.raises(InvalidInput, match=re.escape(message)):
        parse_duration(text)


@pytest.mark.parametrize(
    ("text", "normal"),
    [("3", "3"), ("SYN-ACK", "syn-ack"), ("ack:2", "ack:2"), ("data:all", "data:all")],
)
def test_drop_rules(text, normal):
    assert parse_drop_rule(text) == normal
