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


def _netutil_imports(path: Path) -> set[str]:
    """The netutil modules a file imports anywhere in it (inside functions too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("netutil"):
                modules = [node.module]
                # `from netutil import registry` and `from netutil.subnet import bulk` name modules
                modules += [f"{node.module}.{a.name}" for a in node.names]
                found.update(m for m in modules if _module_path(m) is not None)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("netutil."))
    return found


def _module_path(name: str) -> Path | None:
    base = CORE.parent / Path(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def test_address_and_subnet_modules_import_one_another_without_a_cycle():
    """The address, registry and subnet layers (everything outside the simulator) form no import
    cycle. A package's `__init__` re-exports its modules, so an import of the package counts as
    an import of each module it names; a cycle is a module that reaches itself."""
    graph = {}
    for path in _core_files():
        if path.relative_to(CORE).parts[0] == "sim":
            continue
        rel = path.relative_to(CORE.parent).with_suffix("")
        name = ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)
        graph[name] = {m for m in _netutil_imports(path) if m != name and m != "netutil"}
        parent = name.rpartition(".")[0]
        graph[name].discard(parent)  # `from netutil.subnet.info import ...` inside the package

    def reaches(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    cycles = sorted(name for name in graph if name in reaches(name))
    assert cycles == []
