"""The committed openapi.yaml is exactly what api/spec.py generates, and it is served."""

from __future__ import annotations

import subprocess
import sys

import yaml

from tests.api.conftest import ROOT


def test_committed_openapi_yaml_equals_generated():
    generated = subprocess.run(
        [sys.executable, "-m", "api.spec"], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    committed = (ROOT / "openapi.yaml").read_text()
    assert committed == generated, "openapi.yaml is stale: run `python -m api.spec > openapi.yaml`"


def test_served_contract_equals_committed_file(client):
    response = client.get("/api/openapi.yaml")
    assert response.status_code == 200
    assert response.mimetype == "application/yaml"
    assert response.get_data(as_text=True) == (ROOT / "openapi.yaml").read_text()


def test_contract_is_openapi_3_1_with_every_route():
    doc = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    assert doc["openapi"] == "3.1.0"
    assert next(iter(doc)) == "openapi"
    from api import create_app

    app = create_app()
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    from api.spec import UNDOCUMENTED, _openapi_path

    routed = {
        (_openapi_path(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in UNDOCUMENTED
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routed


def test_every_json_operation_documents_its_errors_as_problems():
    doc = yaml.safe_load((ROOT / "openapi.yaml").read_text())
    for ops in doc["paths"].values():
        for op in ops.values():
            for status in ("404", "405", "500"):
                assert op["responses"][status] == {
                    "$ref": f"#/components/responses/Problem{status}"
                }
            if "application/json" in op.get("requestBody", {}).get("content", {}):
                for status in ("400", "413", "415", "422"):
                    assert status in op["responses"]
