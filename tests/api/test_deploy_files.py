"""The deployment files: the Kubernetes manifests, compose, the lock file and the image's pins.

The manifests are also validated offline by `.ci/run` (kubernetes-validate --strict against the
API schemas, checkov, hadolint); these tests check what those tools cannot know: that the
manifests say what this service needs (probes on /healthz, WEB_CONCURRENCY from the CPU
request, the nginx configuration of the tests), and that the image installs exactly the lock.
"""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml

from tests.api.conftest import ROOT
from tests.api.test_deploy import dockerfile_instructions, final_stage

KUBE = ROOT / "deploy" / "kubernetes"


def manifests() -> dict[str, dict]:
    docs = {}
    for path in sorted(KUBE.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            docs[doc["kind"]] = doc
    return docs


def container() -> dict:
    (c,) = manifests()["Deployment"]["spec"]["template"]["spec"]["containers"]
    return c


def test_every_kind_the_service_needs_is_there():
    kinds = manifests()
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"} <= set(kinds)
    assert kinds["HorizontalPodAutoscaler"]["apiVersion"] == "autoscaling/v2"
    (metric,) = kinds["HorizontalPodAutoscaler"]["spec"]["metrics"]
    assert metric["resource"]["name"] == "cpu"


def test_deployment_runs_at_least_two_replicas_and_the_pdb_keeps_one():
    kinds = manifests()
    assert kinds["Deployment"]["spec"]["replicas"] >= 2
    assert kinds["HorizontalPodAutoscaler"]["spec"]["minReplicas"] >= 2
    assert kinds["PodDisruptionBudget"]["spec"]["minAvailable"] >= 1


def test_probes_are_on_healthz():
    c = container()
    for probe in ("readinessProbe", "livenessProbe"):
        assert c[probe]["httpGet"]["path"] == "/healthz"


def test_requests_limits_and_workers_from_the_cpu_request():
    c = container()
    for kind in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(c["resources"][kind])
    env = {e["name"]: e for e in c["env"]}
    ref = env["WEB_CONCURRENCY"]["valueFrom"]["resourceFieldRef"]
    assert ref["resource"] == "requests.cpu"


def test_container_is_locked_down():
    c = container()
    pod = manifests()["Deployment"]["spec"]["template"]["spec"]
    sc = c["securityContext"]
    assert pod["securityContext"]["runAsNonRoot"] is True and sc["runAsNonRoot"] is True
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"]["drop"] == ["ALL"]
    # The only writable path is /tmp (an emptyDir), where the service writes what it writes.
    assert [m["mountPath"] for m in c["volumeMounts"]] == ["/tmp"]
    # The user the image declares.
    (user,) = [args for word, args in final_stage() if word == "USER"]
    assert str(sc["runAsUser"]) == user.split(":")[0]


def test_compose_runs_replicas_behind_the_tested_nginx_configuration():
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    app, proxy = compose["services"]["app"], compose["services"]["proxy"]
    assert app["deploy"]["replicas"] >= 2 and "healthcheck" in app
    assert app["read_only"] is True and app["tmpfs"] == ["/tmp"]
    assert "./nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert proxy["depends_on"]["app"]["condition"] == "service_healthy"
    assert re.fullmatch(r"nginx:\d+\.\d+\.\d+-alpine", proxy["image"])
    # The upstream nginx.conf names is compose's service.
    assert "server app:8000;" in (ROOT / "deploy" / "nginx.conf").read_text()


def test_base_image_and_pip_are_pinned_exactly():
    froms = [args.split()[0] for word, args in dockerfile_instructions() if word == "FROM"]
    for image in froms:
        assert re.fullmatch(r"python:\d+\.\d+\.\d+-slim-\w+(@sha256:[0-9a-f]{64})?", image)
    runs = [args for word, args in dockerfile_instructions() if word == "RUN"]
    pins = [re.findall(r"pip==(\d+\.\d+(?:\.\d+)?)", r) for r in runs]
    assert [p for p in pins if p], "pip is not pinned"


def test_image_installs_exactly_the_lock_with_hashes():
    runs = " ".join(args for word, args in dockerfile_instructions() if word == "RUN")
    assert runs.count("--require-hashes") == 2  # downloaded and installed against the lock
    assert "-r requirements.lock" in runs and "-r /tmp/requirements.lock" in runs


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ ;\[]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_lock_pins_every_runtime_dependency_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lock = (ROOT / "requirements.lock").read_text()
    pinned = dict(re.findall(r"^([a-z0-9][a-z0-9._-]*)==(\S+) \\$", lock, flags=re.M))
    missing = {_name(r) for r in project["dependencies"]} - set(pinned)
    assert not missing, f"not in requirements.lock (re-run pip-compile): {sorted(missing)}"
    blocks = re.split(r"\n(?=[a-z0-9])", lock.split("\n", 1)[1])
    for block in blocks:
        if "==" in block:
            assert "--hash=sha256:" in block, block.splitlines()[0]


@pytest.mark.parametrize("name", ["namespace", "networkpolicy"])
def test_namespace_and_network_policy(name):
    assert (KUBE / f"{name}.yaml").exists()
    policy = manifests()["NetworkPolicy"]["spec"]
    assert policy["egress"] == [] and set(policy["policyTypes"]) == {"Ingress", "Egress"}
