"""``jixiao score DIR`` with worker processes writes the same bytes as in one process (issue 18)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao.cli import score_run

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~150 generated form files (with the generator's planted unreadable cells), plus one broken file."""
    out = tmp_path_factory.mktemp("province")
    gen = [sys.executable, str(ROOT / "bench" / "generate.py"), "--indicators", "2000", "--seed", "7"]
    subprocess.run([*gen, "--out", str(out), "--manifest", str(out.parent / "manifest.json")], check=True, cwd=ROOT)
    (out / "zz-broken.toml").write_text('project_name = "坏文件"\n[budget\n', encoding="utf-8")
    assert sum(1 for _ in out.rglob("*.toml")) >= 2 * score_run.MIN_FILES_PER_WORKER
    return out


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[bytes]:
    environ = {**os.environ, "COLUMNS": "100", **env}
    environ.pop("NO_COLOR", None)
    return subprocess.run([sys.executable, "-m", "jixiao", *args], capture_output=True, cwd=ROOT, env=environ)


@pytest.mark.parametrize(
    ("extra", "env"),
    [
        (["--json"], {}),
        ([], {}),
        (["--explain"], {"FORCE_COLOR": "1"}),  # a colour terminal: the workers render with its settings
    ],
    ids=["json", "tables", "explain-colour"],
)
def test_two_workers_write_what_one_process_writes(province: Path, extra: list[str], env: dict[str, str]) -> None:
    one = _run(["score", str(province), *extra, "-j", "1"], **env)
    two = _run(["score", str(province), *extra, "-j", "2"], **env)
    assert one.returncode == two.returncode == 1  # the broken file and the planted cells
    assert one.stdout == two.stdout and one.stdout
    assert one.stderr == two.stderr and "坏文件" not in one.stderr.decode() and "zz-broken.toml" in one.stderr.decode()


@pytest.mark.parametrize(
    ("files", "asked", "expected"),
    [
        (1, None, 1),
        (score_run.MIN_FILES_PER_WORKER * 2 - 1, 2, 1),  # too few files to pay for a second process
        (score_run.MIN_FILES_PER_WORKER * 2, 2, 2),
        (score_run.MIN_FILES_PER_WORKER * 10, 1, 1),
        (score_run.MIN_FILES_PER_WORKER * 3, 8, 3),
    ],
)
def test_workers_for(files: int, asked: int | None, expected: int) -> None:
    assert score_run.workers_for(files, asked) == expected


@pytest.mark.parametrize("value", ["0", "-1", "两个", "1.5"])
def test_jobs_must_be_a_positive_whole_number(value: str) -> None:
    p = _run(["score", str(ROOT / "samples"), "-j", value])
    assert p.returncode == 2
    assert f"应为正整数：{value}" in p.stderr.decode() and "Traceback" not in p.stderr.decode()
