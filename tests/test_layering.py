"""The core must not depend on adapters or web packages (design.md: 'a test enforces it')."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CORE = Path(__file__).resolve().parents[1] / "netutil"
FORBIDDEN = {
    "argparse",
    "flask",
    "marshmallow",
    "gunicorn",
    "requests",
    "api",
    "werkzeug",
    "apispec",
}
# Adapters inside the package that may use them: the CLI (argparse) and the HTTP client (requests).
ADAPTERS = {"cli", "client.py"}


def _core_files() -> list[Path]:
    return [p for p in CORE.rglob("*.py") if p.relative_to(CORE).parts[0] not in ADAPTERS]


def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_there_are_core_files():
    assert any(p.name == "errors.py" for p in _core_files())


@pytest.mark.parametrize("path", _core_files(), ids=lambda p: str(p.relative_to(CORE)))
def test_core_imports_no_adapter_or_web_package(path):
    assert _imported_roots(path) & FORBIDDEN == set()


def test_core_never_prints():
    offenders = [
        str(p.relative_to(CORE))
        for p in _core_files()
        if any(
            isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "print"
            for n in ast.walk(ast.parse(p.read_text()))
        )
    ]
    assert offenders == []
