"""Where the data lives goes wrong: a damaged SQLite file, a full disk on the first run.

The user can fix each (restore a backup, free space), so each is a Chinese message and exit 1,
never "内部错误" with the SQL, never the driver's English; and a first run that fails leaves no
migrated database without its samples behind.
"""

from __future__ import annotations

import io
import random
import sqlite3
from pathlib import Path

import pytest
from rich.console import Console

from jixiao.cli import main
from jixiao.storage.db_messages import in_chinese
from tests.conftest import SAMPLES


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        list(argv),
        out=Console(file=out, width=160, highlight=False, color_system=None),
        err=Console(file=err, width=160, highlight=False, color_system=None, soft_wrap=True),
    )
    return code, out.getvalue(), err.getvalue()


def _damaged(tmp_path: Path) -> Path:
    """A database whose tables' pages were overwritten after it was created and filled."""
    path = tmp_path / "damaged.db"
    assert run("--db", str(path), "import", str(SAMPLES))[0] == 0
    con = sqlite3.connect(path)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = bytearray(path.read_bytes())
    page = 4096
    noise = random.Random(7).randbytes(5 * page)
    data[3 * page : 8 * page] = noise  # the forms' rows, not the schema: found mid-query, not on opening
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("command", [["list"], ["review", "--year", "2024"], ["export", "-o", "EXPORT"]])
def test_a_damaged_database_file_is_said_in_chinese_not_an_internal_error(tmp_path: Path, command: list[str]) -> None:
    path = _damaged(tmp_path)
    argv = [str(tmp_path / "out") if a == "EXPORT" else a for a in command]
    code, out, err = run("--db", str(path), *argv)
    assert code == 1, (out, err)
    assert "内部错误" not in err and "SELECT" not in err and "sqlite3" not in err, err
    assert "malformed" not in err and "disk image" not in err, err
    assert "数据库文件已损坏" in err or "不是 SQLite 数据库" in err, err


def test_a_file_that_is_no_database_is_said_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("这不是数据库" * 200, encoding="utf-8")
    code, _, err = run("--db", str(path), "list")
    assert code == 1
    assert "不是 SQLite 数据库" in err and "file is not a database" not in err, err


@pytest.mark.parametrize(
    ("line", "chinese"),
    [
        ("database or disk is full", "磁盘空间已满"),
        ("attempt to write a readonly database", "只读"),
        ("database is locked", "锁定"),
        ("unable to open database file", "无法打开数据库文件"),
        ("database disk image is malformed", "已损坏"),
    ],
)
def test_the_drivers_lines_about_its_storage_are_said_in_chinese(line: str, chinese: str) -> None:
    said = in_chinese(line)
    assert chinese in said and line not in said


def test_a_first_run_that_cannot_seed_leaves_no_database_without_its_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("JIXIAO_DB", raising=False)
    import jixiao.storage.seed as seed

    real = seed.seed_samples

    def full_disk(engine: object) -> int:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(seed, "seed_samples", full_disk)
    code, _, err = run("list")
    assert code == 1 and "磁盘空间已满" in err and "内部错误" not in err, err
    assert not list((tmp_path / "data" / "jixiao").glob("jixiao.db*"))
    monkeypatch.setattr(seed, "seed_samples", real)
    code, out, err = run("list")  # space freed: the next run creates and seeds it after all
    assert code == 0 and "导入 9 份样表" in err, err
    assert out.count("2024") == 9


def test_a_backup_onto_a_full_disk_names_the_backup_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """db backup onto a full disk was 内部错误：OSError：[Errno 28] (no file named in it)."""
    import errno
    import gzip

    db = tmp_path / "t.db"
    assert run("--db", str(db), "import", str(SAMPLES / "2024-shangye-laogan.toml"))[0] == 0

    def full(self: object, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(gzip.GzipFile, "write", full)
    code, _, err = run("--db", str(db), "db", "backup", str(tmp_path / "b.bak"))
    assert code == 1 and "内部错误" not in err, err
    assert f"{tmp_path / 'b.bak'}：无法使用此路径（磁盘空间不足）" in err
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_error_in_a_finaliser_prints_no_traceback(tmp_path: Path) -> None:
    """review --xlsx onto a full disk said its error, then Python printed openpyxl's zip file failing
    to close as 「Exception ignored in: … Traceback … OSError: [Errno 28]」."""
    import subprocess
    import sys

    script = (
        "import gc, sys\n"
        "from jixiao.cli import app\n"
        "class Zip:\n"
        "    def __del__(self):\n"
        "        raise OSError(28, 'No space left on device')\n"
        "sys.argv = ['jixiao', 'rules']\n"
        "code = app.main()\n"
        "Zip()\n"
        "gc.collect()\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
