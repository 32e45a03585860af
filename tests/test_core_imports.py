"""The core, the store and the command line must not pull in the UI toolkit (fast start, no UI deps)."""

from __future__ import annotations

import subprocess
import sys

import pytest

MODULES = [
    "tui_desk.core.lifecycle",
    "tui_desk.core.templates",
    "tui_desk.core.saved_views",
    "tui_desk.store",
    "tui_desk.store.queries",
    "tui_desk.cli",
]


@pytest.mark.parametrize("module", [*MODULES, ",".join(MODULES)])
def test_import_does_not_load_textual(module: str) -> None:
    imports = "; ".join(f"import {m}" for m in module.split(","))
    code = (
        f"import sys; {imports}; "
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith(('textual.', 'tui_desk.ui'))); "
        "print(','.join(loaded)); sys.exit(1 if loaded else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, (
        f"importing {module} loaded: {done.stdout.strip()} {done.stderr.strip()}"
    )
