"""House rules as tests: ruff on everything, mypy on the scoring core."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.conftest import ROOT


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} 未安装")
    return path


def test_ruff() -> None:
    out = subprocess.run([_tool("ruff"), "check", "."], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_on_the_core() -> None:
    out = subprocess.run([_tool("mypy"), "scorer", "indicator_catalog"], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr
