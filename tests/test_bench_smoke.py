"""The benchmarks keep working: every step at a tiny size (the full run is bench/run.py)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.timeout(600)
def test_every_benchmark_step_runs_at_tiny_size() -> None:
    proc = subprocess.run(
        [sys.executable, "bench/run.py", "--indicators", "1500", "--pdf-forms", "3", "--no-write"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ},
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for row in ("解析+计分", "导入 sqlite", "审核汇总 sqlite", "PDF", "TUI"):
        assert row in proc.stdout
    if os.environ.get("JIXIAO_TEST_PG"):
        assert "导入 postgresql" in proc.stdout
