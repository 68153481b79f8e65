"""Dependencies point inward: crm_store/, scheduler/ and handlers/ never import Telegram, and
no project modules import each other in a circle, not even inside a function."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORKS = ("telegram", "aiogram")
INNER = ("crm_store", "scheduler", "handlers")
PROJECT = ("bot", "handlers", "crm_store", "scheduler")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", INNER)
def test_inner_packages_do_not_import_frameworks_or_bot(package: str) -> None:
    offenders = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in imported_modules(path):
            top = name.split(".")[0]
            if top in FRAMEWORKS or top == "bot":
                offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


def test_importing_the_conversation_loads_no_framework() -> None:
    code = ("import sys, handlers.dispatch, crm_store.contacts.contacts; "
            "print(','.join(m for m in ('telegram', 'aiogram') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


def test_console_does_not_load_aiogram() -> None:
    code = "import sys, bot.cli, bot.console; print('aiogram' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


def project_modules(root: Path = ROOT, packages: tuple[str, ...] = PROJECT) -> dict[str, Path]:
    """Every module of `packages` by dotted name (a package by its own name)."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the project modules it imports anywhere in its body, functions included.

    `from pkg import name` is an edge to `pkg.name` when that is a module, else to `pkg`.
    """
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from the importing module's package, up level - 1
                    package = name.split(".") if path.name == "__init__.py" else (
                        name.split(".")[:-1])
                    package = package[:len(package) - node.level + 1]
                    base = ".".join([*package, base] if base else package)
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules
                           else base for alias in node.names]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name:
                    graph[name].add(target)
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(cycles)


def test_no_import_cycles() -> None:
    cycles = import_cycles(import_graph(project_modules()))
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(cycle) for cycle in cycles)


def test_a_cycle_closed_by_an_import_inside_a_function_is_found(tmp_path: Path) -> None:
    (tmp_path / "pkg" / "sub").mkdir(parents=True)
    for name, text in {"__init__": "", "a": "from pkg.sub import b\n",
                       "sub/__init__": "", "sub/b": "def f():\n    from pkg import c\n",
                       "c": "import json\n\n\ndef g():\n    from .sub.b import f\n",
                       "d": "from pkg import a\n"}.items():
        (tmp_path / "pkg" / f"{name}.py").write_text(text)
    graph = import_graph(project_modules(tmp_path, ("pkg",)))
    assert graph["pkg.d"] == {"pkg.a"}
    assert import_cycles(graph) == [["pkg.c", "pkg.sub.b"]]
