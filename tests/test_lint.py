"""House rules as tests: ruff and mypy on every package."""

from __future__ import annotations

import subprocess

from tests.conftest import ROOT
from tests.tools import tool


def test_ruff() -> None:
    out = subprocess.run([tool("ruff"), "check", "."], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_on_every_package() -> None:
    packages = ["scorer", "indicator_catalog", "jixiao", "tui"]
    out = subprocess.run([tool("mypy"), *packages], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
