"""Fixtures: the service's replicas behind a real nginx, started per module and stopped by pid."""

from __future__ import annotations

import pytest

from tests.reliability.stack import stack
from tests.tools import require


@pytest.fixture(scope="module")
def nginx() -> str:
    return require("nginx")


@pytest.fixture(scope="module")
def two_replicas(nginx):
    """Two gunicorn replicas of two workers each behind nginx (the compose shape, scaled down)."""
    with stack(nginx, replicas=2, workers=2) as s:
        yield s
