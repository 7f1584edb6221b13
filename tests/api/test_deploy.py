"""Deployment: the Dockerfile's properties, its CMD run from the built wheel, gunicorn's
settings from the environment, and `netutil serve`. No Docker engine is needed: the image's
command is started here exactly as the image would start it, from an installed wheel."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.api.conftest import BIN, ROOT, free_port, running


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), " ".join(rest.split())))
    return out


def final_stage() -> list[tuple[str, str]]:
    instructions = dockerfile_instructions()
    last_from = max(i for i, (word, _) in enumerate(instructions) if word == "FROM")
    return instructions[last_from:]


def env_of(stage) -> dict[str, str]:
    env = {}
    for word, args in stage:
        if word == "ENV":
            for token in shlex.split(args):
                key, _, value = token.partition("=")
                env[key] = value
    return env


def test_dockerfile_is_multi_stage_on_slim_python():
    froms = [args for word, args in dockerfile_instructions() if word == "FROM"]
    assert len(froms) >= 2
    assert " AS " in froms[0].upper()
    for image in froms:
        name = image.split()[0]
        # python:X.Y.Z-slim, or pinned to its Debian release: python:X.Y.Z-slim-bookworm
        assert re.fullmatch(r"python:[0-9.]+-slim(-[a-z]+)?(@sha256:[0-9a-f]{64})?", name), name


def test_final_stage_installs_the_built_wheel_and_no_sources():
    stage = final_stage()
    copies = [args for word, args in stage if word == "COPY"]
    assert copies and all(args.startswith("--from=") for args in copies)
    runs = " ".join(args for word, args in stage if word == "RUN")
    assert "pip install" in runs and "--no-index" in runs and "netutil" in runs
    build = dockerfile_instructions()[: len(dockerfile_instructions()) - len(stage)]
    assert any(word == "RUN" and "pip wheel" in args for word, args in build)


def test_runs_as_non_root_user():
    users = [args for word, args in final_stage() if word == "USER"]
    assert users, "no USER in the final stage"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_exposes_the_port_gunicorn_binds():
    stage = final_stage()
    exposed = [args for word, args in stage if word == "EXPOSE"]
    assert exposed == [env_of(stage)["PORT"]]
    assert env_of(stage)["HOST"] == "0.0.0.0"  # reachable through `docker run -p`


def test_healthcheck_probes_healthz():
    checks = [args for word, args in final_stage() if word == "HEALTHCHECK"]
    assert len(checks) == 1
    assert "/healthz" in checks[0] and "CMD" in checks[0]


def docker_cmd() -> list[str]:
    cmds = [args for word, args in final_stage() if word == "CMD"]
    assert len(cmds) == 1
    return json.loads(cmds[0])  # exec form: signals reach gunicorn directly


def test_cmd_is_gunicorn_in_exec_form():
    cmd = docker_cmd()
    assert cmd[0] == "gunicorn"
    assert "python:api.gunicorn_conf" in cmd


def test_healthcheck_command_runs(service):
    """The HEALTHCHECK's own command succeeds against a running service (and fails without)."""
    check = next(args for word, args in final_stage() if word == "HEALTHCHECK")
    argv = json.loads(check.split(" CMD ", 1)[1])
    assert argv[0] == "python"
    port = service.rsplit(":", 1)[1]
    ok = subprocess.run([sys.executable, *argv[1:]], env={**os.environ, "PORT": port})
    assert ok.returncode == 0
    dead = subprocess.run(
        [sys.executable, *argv[1:]],
        env={**os.environ, "PORT": str(free_port())},
        capture_output=True,
    )
    assert dead.returncode != 0


@pytest.mark.integration
@pytest.mark.slow
def test_docker_cmd_serves_from_the_installed_wheel(tmp_path):
    """Build the wheel from exactly what the Dockerfile copies, install it (no deps: the test
    venv has them) into a folder of its own, and start the CMD with the image's environment."""
    context = tmp_path / "context"
    context.mkdir()
    for word, args in dockerfile_instructions():
        if word == "COPY" and not args.startswith("--from="):
            *sources, _dest = args.split()
            for source in sources:
                src = ROOT / source
                if src.is_dir():
                    shutil.copytree(
                        src, context / source, ignore=shutil.ignore_patterns("__pycache__")
                    )
                else:
                    shutil.copy2(src, context / source)
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--wheel-dir", str(wheels), "."],
        cwd=context,
        check=True,
    )
    (wheel,) = wheels.glob("netutil-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    port = free_port()
    env = {
        **env_of(final_stage()),
        "HOST": "127.0.0.1",  # only loopback here; the image binds 0.0.0.0
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "PYTHONPATH": str(site),
    }
    where = subprocess.run(
        [sys.executable, "-c", "import api, netutil; print(api.__file__, netutil.__file__)"],
        env={**os.environ, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(Path(p).is_relative_to(site) for p in where), where
    cmd = docker_cmd()
    argv = [str(BIN / cmd[0]), *cmd[1:]]
    with running(argv, port, env=env, cwd=str(tmp_path)) as url:
        health = requests.get(url + "/healthz", timeout=5)
        assert health.json() == {"status": "ok", "version": _version()}
        docs = requests.get(url + "/api/docs/swagger-ui-bundle.js", timeout=5)
        assert docs.status_code == 200 and len(docs.content) > 100_000


def _version() -> str:
    from netutil import __version__

    return __version__


def _conf(env: dict[str, str]) -> dict:
    code = (
        "import json, api.gunicorn_conf as c;"
        "print(json.dumps({k: getattr(c, k) for k in ('bind','workers','timeout',"
        "'graceful_timeout','accesslog','wsgi_app')}))"
    )
    clean = {k: v for k, v in os.environ.items() if k not in {"HOST", "PORT", "WEB_CONCURRENCY"}}
    out = subprocess.run(
        [sys.executable, "-c", code], env={**clean, **env}, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_gunicorn_settings_default_to_loopback_and_2n_plus_1_workers():
    conf = _conf({})
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert conf["accesslog"] == "-"
    assert conf["wsgi_app"] == "api:create_app()"
    assert conf["timeout"] == 30 and conf["graceful_timeout"] == 20


def test_gunicorn_settings_from_environment():
    conf = _conf({"HOST": "::1", "PORT": "9001", "WEB_CONCURRENCY": "3", "GUNICORN_TIMEOUT": "5"})
    assert conf["bind"] == ["[::1]:9001"]
    assert conf["workers"] == 3
    assert conf["timeout"] == 5


def test_top_level_gunicorn_conf_is_the_packaged_one():
    code = "import runpy, json; g = runpy.run_path('gunicorn.conf.py'); print(g['wsgi_app'])"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "api:create_app()"


@pytest.mark.integration
def test_netutil_serve_starts_gunicorn_with_the_config():
    port = free_port()
    argv = [str(BIN / "netutil"), "serve", "--port", str(port), "--workers", "1"]
    with running(argv, port) as url:
        assert requests.get(url + "/healthz", timeout=5).json()["status"] == "ok"


def test_serve_rejects_a_bad_port(capsys):
    from netutil.cli import main

    assert main(["serve", "--port", "70000"]) == 2
    assert "invalid port '70000': expected an integer in [1, 65535]" in capsys.readouterr().err


def test_serve_help_has_an_example(capsys):
    from netutil.cli import main

    assert main(["serve", "--help"]) == 0
    assert "netutil serve --host 0.0.0.0 --port 8080" in capsys.readouterr().out


@pytest.mark.skipif(shutil.which("taskset") is None, reason="taskset (util-linux) is missing")
def test_workers_follow_the_cpu_affinity_not_the_host():
    """Under `taskset -c 0` the process may use one CPU, whatever os.cpu_count() says."""
    code = "import os, api.gunicorn_conf as c; print(os.cpu_count(), c.workers)"
    clean = {k: v for k, v in os.environ.items() if k != "WEB_CONCURRENCY"}
    out = subprocess.run(
        ["taskset", "-c", "0", sys.executable, "-c", code],
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out[1] == "3"  # 2 x 1 + 1


@pytest.mark.parametrize(
    ("cpu_max", "expected"),
    [
        ("max 100000\n", None),  # no quota: the affinity decides
        ("100000 100000\n", 1),  # docker run --cpus 1
        ("150000 100000\n", 2),  # 1.5 CPUs: rounded up
        ("50000 100000\n", 1),  # half a CPU: at least one
        ("not a quota\n", None),
    ],
)
def test_workers_follow_a_cgroup_cpu_quota(tmp_path, cpu_max, expected):
    from api.gunicorn_conf import usable_cpus

    path = tmp_path / "cpu.max"
    path.write_text(cpu_max)
    affinity = len(os.sched_getaffinity(0))
    assert usable_cpus(str(path)) == min(affinity, expected or affinity)
    assert usable_cpus(str(tmp_path / "absent")) == affinity


@pytest.mark.integration
def test_no_control_socket_and_no_files_in_home(tmp_path):
    """gunicorn would create $HOME/.gunicorn/gunicorn.ctl; this service creates nothing there."""
    home = tmp_path / "home"
    home.mkdir()
    port = free_port()
    env = {"HOME": str(home), "WEB_CONCURRENCY": "1"}
    env_clean = {"XDG_RUNTIME_DIR": ""}
    with running(gunicorn_argv_for(port), port, env={**env, **env_clean}) as url:
        import time

        for _ in range(20):  # the master opens its control socket a moment after start-up
            assert requests.get(url + "/healthz", timeout=5).status_code == 200
            assert list(home.iterdir()) == []
            time.sleep(0.1)


def gunicorn_argv_for(port: int, app: str = "api:create_app()") -> list[str]:
    return [
        str(BIN / "gunicorn"),
        "--config",
        "python:api.gunicorn_conf",
        "--bind",
        f"127.0.0.1:{port}",
        app,
    ]


@pytest.mark.integration
def test_sighup_serves_the_code_as_it_is_now(tmp_path):
    """Without preloading, SIGHUP's new workers import the application again: a changed module
    is what they serve (with preload_app they would keep the master's old copy)."""
    import signal
    import time

    module = tmp_path / "hup_probe.py"
    module.write_text(
        "def app(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [b'old']\n"
    )
    port = free_port()
    argv = gunicorn_argv_for(port, "hup_probe:app")
    env = {"PYTHONPATH": str(tmp_path), "WEB_CONCURRENCY": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen(
        argv, env={**os.environ, **env}, cwd=tmp_path, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert requests.get(url, timeout=2).text == "old"
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)
        module.write_text(module.read_text().replace("b'old'", "b'new'"))
        proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while requests.get(url, timeout=2).text != "new":
            assert time.monotonic() < deadline, "SIGHUP's workers still serve the old code"
            time.sleep(0.2)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
