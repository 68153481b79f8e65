"""Dependencies point inward: crm_store/, scheduler/ and handlers/ never import Telegram."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORKS = ("telegram", "aiogram")
INNER = ("crm_store", "scheduler", "handlers")


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
