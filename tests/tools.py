"""Command-line tools the tests run (ruff, mypy, lint-imports), found where pip put them.

`.venv/bin/python -m pytest` does not put `.venv/bin` on PATH, so a tool is looked for
next to the running interpreter first, then on PATH.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

PACKAGES = {"ruff": "ruff", "mypy": "mypy", "lint-imports": "import-linter"}


def tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"找不到 {name}：pip install '.[test]'（或 pip install {PACKAGES.get(name, name)}）后可测")
    return found
