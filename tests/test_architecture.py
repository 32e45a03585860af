"""The house rules of docs/architecture.md, checked: layers, no cycles, SQL only in the store,
small modules, types."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tui_desk"
# "About 500 lines": a module past this does several jobs and should be split.
MAX_MODULE_LINES = 520
SQL = re.compile(
    r"^\s*(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+"
    r"(TABLE|INDEX|TRIGGER|VIRTUAL)|DROP\s+(TABLE|INDEX|TRIGGER)|PRAGMA\s|BEGIN\b|WITH\s+\w+\s+AS)",
    re.IGNORECASE | re.DOTALL,
)


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_layers_and_no_cycles_hold() -> None:
    """`lint-imports` checks the contracts in pyproject.toml: layers and acyclic packages."""
    command = shutil.which("lint-imports")
    if command is None:
        pytest.fail("import-linter is part of the test extra: pip install -e '.[test]'")
    done = subprocess.run([command], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_sql_lives_only_in_the_store() -> None:
    """The core speaks domain: a second backend replaces store/ and nothing else."""
    found = []
    for path in _modules():
        if path.is_relative_to(PACKAGE / "store"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.strip()[:60]!r}")
    assert not found, "SQL outside tui_desk/store/:\n" + "\n".join(found)


def test_no_module_does_several_jobs() -> None:
    long = [
        f"{path.relative_to(ROOT)}: {n} lines"
        for path in _modules()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert not long, "\n".join(long)


def test_types_check() -> None:
    """mypy with the configuration in pyproject.toml (strict for core, store and domain)."""
    done = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
