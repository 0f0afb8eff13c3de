"""Everything argparse prints is Chinese (issue 15, "Chinese everywhere")."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT

ENGLISH = ("usage:", "options:", "positional arguments", "show this help", "error:", "invalid choice", "required:")


def _jixiao(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jixiao", *argv], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.parametrize(
    "argv",
    [("--help",), ("score", "--help"), ("db", "--help"), ("score",), ("workflow", "nothing", "x"), ("--bogus",)],
)
def test_help_and_usage_errors_are_in_chinese(argv: tuple[str, ...]) -> None:
    proc = _jixiao(*argv)
    shown = proc.stdout + proc.stderr
    assert "用法：" in shown
    assert not [w for w in ENGLISH if w in shown], shown
    assert proc.returncode in (0, 2)
