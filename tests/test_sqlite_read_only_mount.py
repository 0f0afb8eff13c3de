"""A database file on a read-only mount (last year's archive on a share or a disc) can be read.

SQLite in WAL mode needs its shared-memory file beside the database; on a read-only mount it cannot
make one, so `list`, `review`, `pdf` and `db backup` all stopped with 「无法打开数据库文件」. Such a file
is now opened read-only and immutable; every write is refused in Chinese, exit 1, and nothing changes.
"""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
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
        if path.parent in (Path(where).resolve(), *Path(where).resolve().parents):  # statvfs follows links
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


def _with_committed_wal(seeded: Path, into: Path, shm: bool = True) -> None:
    """``into`` as a copy taken while a connection held the database: 老干工作经费 submitted, the
    transaction committed in the -wal and not yet in the file."""
    live = into.parent.parent / "live" / "live.db"
    live.parent.mkdir()
    shutil.copyfile(seeded, live)
    holder = sqlite3.connect(live)
    holder.execute("PRAGMA wal_autocheckpoint=0")
    assert _run(["--db", str(live), "workflow", "submit", "老干工作经费"])[0] == 0
    for tail in ("", "-wal", *(["-shm"] if shm else [])):
        shutil.copyfile(f"{live}{tail}", f"{into}{tail}")
    holder.close()


def test_committed_transactions_in_a_wal_are_read(read_only_mount: Path, seeded: Path) -> None:
    """Immutable ignores the -wal: the list said 草稿 of a form whose submission was committed."""
    _with_committed_wal(seeded, read_only_mount)
    assert database.unmerged_writes(read_only_mount) == read_only_mount.with_name("archive.db-wal")
    code, out, err = _run(["--db", str(read_only_mount), "list"])
    (row,) = [line for line in out.splitlines() if "老干工作经" in line and "武昌区商" in line]
    assert code == 0 and "已提交" in row and "草稿" not in row, (out, err)


def test_a_hot_journal_is_refused_not_read_half_written(read_only_mount: Path) -> None:
    """A write cut off half-way leaves pages in the file and the old ones in the -journal: immutable read
    the half-written file (wrong counts, rows out of order); it is refused, naming the journal."""
    read_only_mount.unlink()
    live = read_only_mount.parent.parent / "rollback.db"
    conn = sqlite3.connect(live, isolation_level=None)
    conn.execute("PRAGMA cache_size=2")  # the cache spills: the file is written before the commit
    conn.execute("CREATE TABLE t(x)")
    conn.executemany("INSERT INTO t VALUES (randomblob(500))", [()] * 200)
    conn.execute("BEGIN")
    conn.execute("UPDATE t SET x = randomblob(600)")
    shutil.copyfile(live, read_only_mount)
    shutil.copyfile(f"{live}-journal", f"{read_only_mount}-journal")
    conn.execute("ROLLBACK")
    conn.close()
    with pytest.raises(database.DatabaseError, match="archive.db-journal"):
        make_engine(f"sqlite:///{read_only_mount}")
    code, _, err = _run(["--db", str(read_only_mount), "list"])
    assert code == 1 and "archive.db-journal" in err and "中断的写入" in err and "Traceback" not in err


def test_a_link_on_a_read_only_mount_to_a_written_file_is_not_immutable(read_only_mount: Path, seeded: Path) -> None:
    """The file's own mount decides: a link on the read-only mount to a file that is written elsewhere
    was opened immutable (stale pages, writes refused)."""
    target = read_only_mount.parent.parent / "elsewhere" / "live.db"
    target.parent.mkdir()
    shutil.copyfile(seeded, target)
    link = read_only_mount.with_name("link.db")
    link.symlink_to(target)
    assert not database.on_read_only_filesystem(link)
    code, _, err = _run(["--db", f"sqlite:///{link}", "workflow", "submit", "老干工作经费"])
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


@pytest.mark.skipif(not _can_mount(), reason="本机不能在用户命名空间中挂载只读文件系统（unshare -rm）")
def test_a_wal_on_a_real_read_only_mount(seeded: Path, tmp_path: Path) -> None:
    """With its -shm the -wal is read (已提交, the truth); without it SQLite cannot read the -wal on a
    read-only mount and the file is refused naming it, never shown as it was before the commit."""
    snap = tmp_path / "snap" / "a.db"
    snap.parent.mkdir()
    _with_committed_wal(seeded, snap)
    script = (
        'set -e; mount -t tmpfs tmpfs /mnt; cp "$SNAP" "$SNAP-wal" /mnt/; '
        'if [ "$SHM" = 1 ]; then cp "$SNAP-shm" /mnt/; fi; mount -o remount,ro /mnt; '
        f'"{sys.executable}" -m jixiao --db /mnt/a.db list || echo "LIST=$?"'
    )
    env = {**os.environ, "SNAP": str(snap), "PYTHONPATH": str(ROOT), "COLUMNS": "200"}
    for shm in ("1", "0"):
        done = subprocess.run(
            [_UNSHARE or "unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, env={**env, "SHM": shm}
        )
        if shm == "1":
            (row,) = [line for line in done.stdout.splitlines() if "老干工作经费" in line]
            assert "已提交" in row, done.stdout + done.stderr
        else:
            assert "LIST=1" in done.stdout and "a.db-wal" in done.stderr and "草稿" not in done.stdout, done.stderr
