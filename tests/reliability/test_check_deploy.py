"""scripts/check-deploy as part of the suite, so CI validates the deployment files offline:
the Kubernetes manifests (kubernetes-validate --strict, checkov), the Dockerfile (hadolint,
checkov) and the lock file (pip-audit, or a clear skip when its database is out of reach).
The tools are installed once per pinned version into a cache folder, so a run costs the checks
(about a minute on a loaded machine), not the installs."""

from __future__ import annotations

import subprocess

from tests.reliability.stack import ROOT


def test_deployment_files_pass_the_offline_checks():
    out = subprocess.run(
        ["bash", str(ROOT / "scripts" / "check-deploy")],
        capture_output=True,
        text=True,
        timeout=1500,  # the first run on a machine installs the tools
        stdin=subprocess.DEVNULL,
    )
    report = out.stdout[-4000:] + out.stderr[-4000:]
    assert out.returncode == 0, report
    assert "check-deploy: all checks passed" in out.stdout, report
    for step in ("kubernetes-validate", "checkov (kubernetes", "hadolint", "pip-audit"):
        assert f"check-deploy: {step}" in out.stdout, report
    # pip-audit either audited the lock or said plainly why it could not
    assert "pip-audit: " in out.stdout or "pip-audit skipped: " in out.stdout, report
