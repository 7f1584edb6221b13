"""Every run of tests/data/subnet_outputs writes what it wrote when stored (byte for byte)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.data.subnet_outputs.cases import cases
from tests.data.subnet_outputs.make import run

STORED = json.loads((Path(__file__).parent / "data/subnet_outputs/outputs.json").read_text())
CASES = cases()


def test_the_stored_runs_are_the_listed_ones():
    assert [r["argv"] for r in STORED] == [argv for argv, _ in CASES]


@pytest.mark.parametrize(
    ("case", "stored"), list(zip(CASES, STORED, strict=True)), ids=lambda x: None
)
def test_output_is_as_stored(case, stored):
    assert run(*case) == stored
