"""House rules as tests: ruff on everything, mypy on the scoring core."""

from __future__ import annotations

import subprocess

from tests.conftest import ROOT
from tests.tools import tool


def test_ruff() -> None:
    out = subprocess.run([tool("ruff"), "check", "."], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_on_the_core() -> None:
    out = subprocess.run([tool("mypy"), "scorer", "indicator_catalog"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
