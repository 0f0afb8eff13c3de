"""A 复核 score lies between 0 and its row's weight (分值), and is a finite number (migration 0018):
tried as each role with plain psycopg and with plain sqlite3, as psql or sqlite3 would, and through
jixiao's ``recheck`` command, which says so in Chinese first and writes nothing.
"""

from __future__ import annotations

import importlib
import os
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore
from scorer.weights import rounding_slack
from tests.conftest import SAMPLES
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
MIGRATION = importlib.import_module("jixiao.storage.migrations.versions.0018_recheck_in_range_and_ignorable_names")
ROOT = Path(__file__).resolve().parents[1]
OWN = "企业管理费"  # a form of 经科局, in the reviewer's department
FORM = "老干工作经费"  # a form of 商业行办 whose row 老干工作经费 weighs 10
RECHECK = (
    "INSERT INTO rechecks (form_id, indicator_uid, indicator, score, opinion, reviewer, at) "
    "VALUES (%s, %s, '', %s, '越界', '', now())"
)
OUTSIDE = ["-0.01", "-1", "NaN", "Infinity", "-Infinity", "1000"]  # with the weight + 0.01


def _row(conn: psycopg.Connection, fid: int) -> tuple[str, Decimal]:  # type: ignore[type-arg]
    """The form's first row and its weight: the printed 分值, else the one jixiao allocated (to 0.0001)."""
    q = "SELECT uid, COALESCE(weight, agg_weight_u / 10000.0) FROM indicators WHERE form_id = %s ORDER BY id LIMIT 1"
    row = conn.execute(q, (fid,)).fetchone()
    assert row is not None and row[1] is not None
    return str(row[0]), Decimal(row[1]).normalize()


def _submitted(setup: Setup) -> tuple[int, str, Decimal]:
    fid = setup.form_id(OWN)
    with setup.connect("jingke") as conn:
        conn.execute("UPDATE forms SET status = 'submitted', version = version + 1 WHERE id = %s", (fid,))
        uid, weight = _row(conn, fid)
    return fid, uid, weight


@on_pg
@pytest.mark.parametrize("who", ["reviewer", "admin", "owner"])
def test_no_role_stores_a_recheck_outside_zero_and_the_weight(setup: Setup, who: str) -> None:
    fid, uid, weight = _submitted(setup)
    for score in [*OUTSIDE, str(weight + Decimal("0.01"))]:
        if who == "owner":
            with setup.store.engine.begin() as conn, pytest.raises(Exception, match="recheck score|finite"):
                conn.exec_driver_sql(RECHECK, (fid, uid, score))
            continue
        with setup.connect(who) as conn, pytest.raises(psycopg.errors.CheckViolation, match="recheck score|finite"):
            conn.execute(RECHECK, (fid, uid, score))
    with setup.connect("reviewer") as conn:  # the edges themselves are taken
        conn.execute(RECHECK, (fid, uid, str(weight)))
        conn.execute(RECHECK, (fid, uid, "0"))
        assert conn.execute("SELECT count(*) FROM rechecks").fetchone() == (2,)


@on_pg
def test_a_row_without_a_printed_weight_is_held_to_the_allocated_one_with_its_rounding_slack(setup: Setup) -> None:
    """企业管理费 prints no 分值: its nine rows share 80 points, 8.8889 each as stored (rounded half up)."""
    fid, uid, weight = _submitted(setup)
    assert weight == Decimal("8.8889")
    slack = rounding_slack([weight])
    assert slack == Decimal(MIGRATION.ALLOCATED_SLACK)  # jixiao's rule: half a unit in the last place
    with setup.connect("reviewer") as conn:
        conn.execute(RECHECK, (fid, uid, str(weight + slack)))
        with pytest.raises(psycopg.errors.CheckViolation, match="recheck score"):
            conn.execute(RECHECK, (fid, uid, str(weight + slack + Decimal("0.00001"))))
    with setup.store.engine.begin() as conn:  # a row with no weight at all takes no 复核
        conn.exec_driver_sql("ALTER TABLE indicators DISABLE TRIGGER USER")
        conn.exec_driver_sql("UPDATE indicators SET agg_weight_u = NULL WHERE uid = %s", (uid,))
        conn.exec_driver_sql("ALTER TABLE indicators ENABLE TRIGGER USER")
    with setup.connect("reviewer") as conn, pytest.raises(psycopg.errors.CheckViolation, match="no finite weight"):
        conn.execute(RECHECK, (fid, uid, "0"))


# ------------------------------------------------------------------ SQLite, with plain sqlite3


def _sqlite_db(tmp_path: Path) -> tuple[str, int, str]:
    db = str(tmp_path / "r.db")
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    store = FormStore(engine, actor="填报人")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    fid = store.find(FORM).id
    store.transition(fid, "submit")
    engine.dispose()
    with sqlite3.connect(db) as conn:
        (uid,) = conn.execute("SELECT uid FROM indicators WHERE form_id = ? AND name = ?", (fid, FORM)).fetchone()
    return db, fid, uid


SQLITE_INSERT = (
    "INSERT INTO rechecks (form_id, indicator_uid, indicator, score, opinion, reviewer, at) "
    "VALUES (?, ?, '', ?, '越界', '某人', CURRENT_TIMESTAMP)"
)


@pytest.mark.parametrize(
    "score", ["10.01", "-0.01", "-1", "NaN", "Infinity", "-Infinity", "1e3", "1e999", " 5", "5.", ".5", "", None]
)
def test_sqlite_refuses_a_recheck_outside_zero_and_the_weight(tmp_path: Path, score: str | None) -> None:
    db, fid, uid = _sqlite_db(tmp_path)
    with sqlite3.connect(db) as conn, pytest.raises(sqlite3.DatabaseError, match="recheck score|NOT NULL"):
        conn.execute(SQLITE_INSERT, (fid, uid, score))


@pytest.mark.parametrize("score", [float("inf"), float("-inf"), float("nan"), 1e3, -1, b"5"])
def test_sqlite_refuses_a_score_that_is_not_decimal_text(tmp_path: Path, score: object) -> None:
    db, fid, uid = _sqlite_db(tmp_path)
    with sqlite3.connect(db) as conn, pytest.raises(sqlite3.DatabaseError, match="recheck score|NOT NULL"):
        conn.execute(SQLITE_INSERT, (fid, uid, score))


def test_sqlite_takes_the_edges(tmp_path: Path) -> None:
    db, fid, uid = _sqlite_db(tmp_path)
    with sqlite3.connect(db) as conn:
        for score in ("0", "10", "10.00", "9.99", 5.0, 5):  # numbers become text: the column's affinity
            conn.execute(SQLITE_INSERT, (fid, uid, score))
        assert conn.execute("SELECT DISTINCT typeof(score) FROM rechecks").fetchall() == [("text",)]
        with pytest.raises(sqlite3.DatabaseError, match="recheck score"):  # a row the form does not have
            conn.execute(SQLITE_INSERT, (fid, "no-such-row", "1"))


# ------------------------------------------------------------------ jixiao says so first


def _run(db: str, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "JIXIAO_USER": "审核人" if argv[0] == "recheck" else "填报人"}
    return subprocess.run(
        [sys.executable, "-m", "jixiao", "--db", db, *argv], capture_output=True, text=True, cwd=ROOT, env=env
    )


@pytest.mark.parametrize("score", ["10.01", "-1", "NaN", "Infinity"])
def test_the_recheck_command_names_form_indicator_and_value_and_writes_nothing(tmp_path: Path, score: str) -> None:
    db = str(tmp_path / "r.db")
    assert _run(db, "import", str(SAMPLES)).returncode == 0
    assert _run(db, "workflow", "submit", FORM).returncode == 0
    done = _run(db, "recheck", FORM, FORM, f"--score={score}", "-m", "越界")
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode != 0 and "Traceback" not in said
    assert score in said
    if score in ("10.01", "-1"):
        assert "复核得分应在 0 到其分值 10 之间" in said and f"指标「{FORM}」" in said and "2024/" in said
        assert "未写入复核" in said
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM rechecks").fetchone() == (0,)


# ------------------------------------------------------------------ stored before 0018: a restore, a later weight


def _past_jixiao(db: str, fid: int, uid: str, score: str) -> None:
    """A 复核 stored as before migration 0018 (its trigger dropped, as an old database had none)."""
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TRIGGER rechecks_range")
        conn.execute(SQLITE_INSERT, (fid, uid, score))


@pytest.mark.parametrize("score", ["50", "NaN"])
def test_a_backup_with_a_recheck_the_rule_refuses_is_not_restored(tmp_path: Path, score: str) -> None:
    from jixiao.storage.backup import BackupError, backup, restore

    db, fid, uid = _sqlite_db(tmp_path)
    _past_jixiao(db, fid, uid, score)
    backup(make_engine(f"sqlite:///{db}"), tmp_path / "b.gz")
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    with pytest.raises(BackupError) as refused:
        restore(fresh, tmp_path / "b.gz")
    said = str(refused.value)
    assert f"表单「2024/武昌区商业行业离退休人员管理服务中心/{FORM}」（编号 {fid}）指标" in said
    assert (f"复核得分 {score} 不在 0 到其分值 10 之间" if score == "50" else "不是有限的数") in said
    assert "未写入任何数据" in said
    from sqlalchemy import inspect

    assert inspect(fresh).get_table_names() == []  # not even the schema


def test_a_backup_lists_rechecks_before_rows_and_still_restores(tmp_path: Path) -> None:
    """The 复核 are loaded after the rows they are held to, whatever the file's order."""
    from jixiao.storage import rechecks
    from jixiao.storage.backup import backup, read_rows, restore

    db, fid, uid = _sqlite_db(tmp_path)
    store = FormStore(make_engine(f"sqlite:///{db}"), actor="审核人")
    rechecks.record(store, fid, FORM, Decimal("9.5"), "扣0.5分")
    backup(store.engine, tmp_path / "b.gz")
    order = [t for t, _ in read_rows(tmp_path / "b.gz")]
    assert order.index("rechecks") < order.index("indicators")
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    restore(fresh, tmp_path / "b.gz")
    assert rechecks.latest(FormStore(fresh), fid)[uid].score == Decimal("9.5")


def test_a_weight_lowered_after_a_return_keeps_the_earlier_recheck_shown_red(tmp_path: Path) -> None:
    """The decision of migration 0018: a weight changed on a returned form is not refused (the unit
    corrects its form; a 复核 cannot be written until it is resubmitted); the earlier 复核 stays and is
    shown as above the weight until the reviewer rechecks."""
    db = str(tmp_path / "r.db")
    assert _run(db, "import", str(SAMPLES)).returncode == 0
    assert _run(db, "workflow", "submit", FORM).returncode == 0
    assert _run(db, "recheck", FORM, FORM, "--score", "9", "-m", "扣1分").returncode == 0
    with sqlite3.connect(db) as conn:  # as the unit would after a 退回 (SQLite's roles are advisory)
        conn.execute("UPDATE forms SET status = 'returned' WHERE project_name = ?", (FORM,))
        conn.execute("UPDATE indicators SET weight = '8' WHERE name = ?", (FORM,))
        assert conn.execute("SELECT score FROM rechecks").fetchall() == [("9",)]
    assert "9.00（超过分值）" in _run(db, "recheck", FORM).stdout
