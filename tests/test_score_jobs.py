"""``jixiao score DIR`` with worker processes writes the same bytes as in one process (issue 18)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from jixiao import workers

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """~150 generated form files (with the generator's planted unreadable cells), plus one broken file."""
    out = tmp_path_factory.mktemp("province")
    gen = [sys.executable, str(ROOT / "bench" / "generate.py"), "--indicators", "2000", "--seed", "7"]
    subprocess.run([*gen, "--out", str(out), "--manifest", str(out.parent / "manifest.json")], check=True, cwd=ROOT)
    (out / "zz-broken.toml").write_text('project_name = "坏文件"\n[budget\n', encoding="utf-8")
    assert sum(1 for _ in out.rglob("*.toml")) >= 2 * workers.MIN_FILES_PER_WORKER
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
        (workers.MIN_FILES_PER_WORKER * 2 - 1, 2, 1),  # too few files to pay for a second process
        (workers.MIN_FILES_PER_WORKER * 2, 2, 2),
        (workers.MIN_FILES_PER_WORKER * 10, 1, 1),
        (workers.MIN_FILES_PER_WORKER * 3, 8, 3),
    ],
)
def test_workers_for(files: int, asked: int | None, expected: int) -> None:
    assert workers.workers_for(files, asked) == expected


@pytest.mark.parametrize("value", ["0", "-1", "两个", "1.5"])
def test_jobs_must_be_a_positive_whole_number(value: str) -> None:
    p = _run(["score", str(ROOT / "samples"), "-j", value])
    assert p.returncode == 2
    assert f"应为正整数：{value}" in p.stderr.decode() and "Traceback" not in p.stderr.decode()


def test_ctrl_c_stops_the_workers_quietly(province: Path) -> None:
    """Ctrl-C reaches the whole process group: one line, exit 130, no worker left and no worker traceback."""
    import signal
    import time

    env = {**os.environ, "COLUMNS": "100"}
    p = subprocess.Popen(
        [sys.executable, "-m", "jixiao", "score", str(province), "--explain", "-j", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        # as from a terminal: a test run started in the background (nohup, `&`) ignores SIGINT, and an
        # ignored signal stays ignored across exec, so the command would never see the Ctrl-C
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert p.stdout is not None
    p.stdout.read(1)  # the workers are at it
    time.sleep(0.3)
    os.killpg(p.pid, signal.SIGINT)
    out, err = p.communicate(timeout=60)
    text = err.decode()
    assert p.returncode == 130, text[-500:]
    assert "已中断" in text and "Traceback" not in text and "ForkPoolWorker" not in text
    leftover = subprocess.run(["pgrep", "-g", str(p.pid)], capture_output=True, text=True).stdout.split()
    assert leftover == []


def _square_or_fail(x: int) -> int:
    if x == 77:
        raise ValueError("第 77 项出错")
    return x * x


def _children() -> list[str]:
    own = subprocess.run(["pgrep", "-P", str(os.getpid())], capture_output=True, text=True).stdout.split()
    return [pid for pid in own if pid != str(os.getpid())]


def test_ordered_map_keeps_the_order_and_raises_the_workers_error() -> None:
    """Results come in the order of the items whichever worker finished first; a task's error is
    raised in the parent where that item's result was due, and no worker is left behind."""
    items = list(range(200))
    assert list(workers.ordered_map(_square_or_fail, [i for i in items if i != 77], 2, chunk=3)) == [
        i * i for i in items if i != 77
    ]
    got: list[int] = []
    with pytest.raises(ValueError, match="第 77 项出错"):
        for value in workers.ordered_map(_square_or_fail, items, 2, chunk=5):
            got.append(value)
    assert got == [i * i for i in range(75)]  # the chunks before the failing one (75–79)
    assert _children() == []


def test_ordered_map_stopped_early_ends_its_workers() -> None:
    results = workers.ordered_map(_square_or_fail, list(range(50, 70)) * 50, 2, chunk=4)
    assert next(results) == 2500
    results.close()
    assert _children() == []
