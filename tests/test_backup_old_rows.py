"""A restore refuses rows today's rules refuse (evidence names, 复核 out of range) before writing
anything, naming the form; the two checks share one read of the backup, and a bad evidence name is
said first."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect

from jixiao.storage import evidence
from jixiao.storage.backup import BackupError, backup, restore
from jixiao.storage.database import make_engine
from jixiao.storage.store import FormStore
from tests.test_attacks_recheck_range import FORM, _past_jixiao, _sqlite_db

BAD_NAMES = ["说明\u200b.pdf", "a/b.pdf", " 前导空格.pdf", "\u2060.pdf"]


def _with_old_evidence(tmp_path: Path, name: str) -> tuple[str, int]:
    """A database holding an evidence file named as before the rule (its trigger dropped)."""
    db, fid, _ = _sqlite_db(tmp_path)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE forms SET status = 'draft' WHERE id = ?", (fid,))
    store = FormStore(make_engine(f"sqlite:///{db}"), actor="填报人")
    evidence.add(store, fid, "调查问卷.pdf", b"%PDF-1.4 x")
    store.engine.dispose()
    with sqlite3.connect(db) as conn:
        for (trigger,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='evidence'"):
            conn.execute(f"DROP TRIGGER {trigger}")
        conn.execute("UPDATE evidence SET name = ? WHERE form_id = ?", (name, fid))
    return db, fid


@pytest.mark.parametrize("name", BAD_NAMES)
def test_an_old_evidence_name_stops_the_restore_before_anything_is_written(tmp_path: Path, name: str) -> None:
    db, fid = _with_old_evidence(tmp_path, name)
    backup(make_engine(f"sqlite:///{db}"), tmp_path / "b.gz")
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    with pytest.raises(BackupError) as refused:
        restore(fresh, tmp_path / "b.gz")
    said = str(refused.value)
    assert f"表单「2024/武昌区商业行业离退休人员管理服务中心/{FORM}」（编号 {fid}）的佐证材料文件名" in said
    assert "未写入任何数据" in said
    assert inspect(fresh).get_table_names() == []


def test_a_bad_evidence_name_is_said_before_a_bad_recheck(tmp_path: Path) -> None:
    db, fid = _with_old_evidence(tmp_path, "a/b.pdf")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE forms SET status = 'submitted' WHERE id = ?", (fid,))
        (uid,) = conn.execute("SELECT uid FROM indicators WHERE form_id = ? AND name = ?", (fid, FORM)).fetchone()
    _past_jixiao(db, fid, uid, "50")
    backup(make_engine(f"sqlite:///{db}"), tmp_path / "b.gz")
    with pytest.raises(BackupError, match="佐证材料文件名"):
        restore(make_engine(f"sqlite:///{tmp_path / 'fresh.db'}"), tmp_path / "b.gz")


def test_the_backup_is_read_once_for_both_checks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jixiao.storage import backup as module

    db, _ = _with_old_evidence(tmp_path, "说明.pdf")
    backup(make_engine(f"sqlite:///{db}"), tmp_path / "b.gz")
    reads: list[Path] = []
    real = module.read_rows

    def counting(path: Path):  # type: ignore[no-untyped-def]
        reads.append(path)
        return real(path)

    monkeypatch.setattr(module, "read_rows", counting)
    restore(make_engine(f"sqlite:///{tmp_path / 'fresh.db'}"), tmp_path / "b.gz")
    assert len(reads) == 1
