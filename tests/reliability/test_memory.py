"""Memory one request may cost a worker: the peak resident set growth of a fresh process
(a worker's view: the app loaded and warmed by a small request of the same kind) for the
costliest requests within the caps. What bounds it is the work budget (api.limits.SIM_BUDGET:
events, segments and trace records of one run), the 1 MiB body cap, the batch and page caps
and the 8 MiB response budget; before them, one 68-byte handshake request grew a worker by
580-690 MiB. `python -m benchmarks service` prints the same figures."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.reliability.memory import CASES, MEMORY_BUDGET_MIB, PROBE


@pytest.mark.parametrize("name", list(CASES))
def test_costliest_requests_stay_within_the_memory_budget(name):
    method, path, body, warm, statuses = CASES[name]
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        input=json.dumps([method, path, body, warm]),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    figures = json.loads(out.stdout)
    print(name, figures)
    assert figures["status"] in statuses, figures
    assert figures["growth_mib"] <= MEMORY_BUDGET_MIB, figures
