"""Shared test configuration.

Under CI (`CI` set, as `.ci/run` is started) hypothesis runs derandomized: the same examples
every run, so a red run is reproducible and not luck. Locally it explores new examples each run.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")
