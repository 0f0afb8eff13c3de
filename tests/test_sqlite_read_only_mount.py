"""A database file on a read-only mount (last year's archive on a share or a disc) can be read.

SQLite in WAL mode needs its shared-memory file beside the database; on a read-only mount it cannot
make one, so `list`, `review`, `pdf` and `db backup` all stopped with 「无法打开数据库文件」. Such a file
is now opened read-only and immutable; every write is refused in Chinese, exit 1, and nothing changes.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from rich.console import Console

from jixiao.cli import main
from jixiao.storage import database
from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ro") / "archive.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    FormStore(engine, actor="张三").import_forms(sample_forms())  # type: ignore[arg-type]
    engine.dispose()
    return path


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        argv,
        out=Console(file=out, width=200, color_system=None),
        err=Console(file=err, width=400, color_system=None, soft_wrap=True),
    )
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def read_only_mount(seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the archive whose directory the operating system reports as mounted read-only."""
    path = tmp_path / "mnt" / "archive.db"
    path.parent.mkdir()
    shutil.copyfile(seeded, path)
    real = os.statvfs

    def statvfs(where: os.PathLike[str] | str) -> object:
        got = real(where)
        if Path(where) == path.parent:
            return SimpleNamespace(f_flag=got.f_flag | os.ST_RDONLY)
        return got

    monkeypatch.setattr(database.os, "statvfs", statvfs)
    return path


def test_reads_work_and_writes_are_refused(read_only_mount: Path, tmp_path: Path) -> None:
    before = read_only_mount.read_bytes()
    db = ["--db", str(read_only_mount)]
    code, out, err = _run([*db, "list"])
    assert code == 0 and out.count("老干工作经费") == 1, err
    assert _run([*db, "review", "--json"])[0] in (0, 1)
    code, out, err = _run([*db, "pdf", "老干工作经费", "-o", str(tmp_path / "pdf")])
    assert code == 0 and len(list((tmp_path / "pdf").glob("*.pdf"))) == 1, err
    code, _, err = _run([*db, "workflow", "submit", "老干工作经费"])
    assert code == 1 and "数据库文件只读" in err and "只读挂载" in err and "Traceback" not in err
    new = tmp_path / "new.toml"
    new.write_text(
        (ROOT / "samples" / "2024-shangye-laogan.toml").read_text(encoding="utf-8").replace("老干工作经费", "新项目"),
        encoding="utf-8",
    )
    code, _, err = _run([*db, "import", str(new)])
    assert code == 1 and "只读" in err
    assert read_only_mount.read_bytes() == before
    assert sorted(p.name for p in read_only_mount.parent.iterdir()) == ["archive.db"]  # no -wal, no -shm


def test_a_writable_file_is_opened_as_before(seeded: Path, tmp_path: Path) -> None:
    path = tmp_path / "w.db"
    shutil.copyfile(seeded, path)
    assert not database.on_read_only_filesystem(path)
    assert not database.on_read_only_filesystem(tmp_path / "missing.db")
    code, _, err = _run(["--db", str(path), "workflow", "submit", "老干工作经费"])
    assert code == 0, err


_UNSHARE = shutil.which("unshare")


def _can_mount() -> bool:
    if _UNSHARE is None or not sys.platform.startswith("linux"):
        return False
    probe = [_UNSHARE, "-rm", "sh", "-c", "mount -t tmpfs tmpfs /mnt && mount -o remount,ro /mnt"]
    return subprocess.run(probe, capture_output=True).returncode == 0


@pytest.mark.skipif(not _can_mount(), reason="本机不能在用户命名空间中挂载只读文件系统（unshare -rm）")
def test_a_real_read_only_mount(seeded: Path) -> None:
    """The same through a real read-only tmpfs mounted in a private namespace, as a separate process."""
    script = (
        'set -e; mount -t tmpfs tmpfs /mnt; cp "$SEED" /mnt/archive.db; mount -o remount,ro /mnt; '
        f'"{sys.executable}" -m jixiao --db /mnt/archive.db list; echo "LIST=$?"; '
        f'"{sys.executable}" -m jixiao --db /mnt/archive.db workflow submit 老干工作经费 || echo "SUBMIT=$?"'
    )
    env = {**os.environ, "SEED": str(seeded), "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    done = subprocess.run([_UNSHARE or "unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, env=env)
    assert "LIST=0" in done.stdout and "老干工作经费" in done.stdout, done.stderr
    assert "SUBMIT=1" in done.stdout and "只读" in done.stderr and "Traceback" not in done.stderr
