"""复核 scores: the application's rules on both databases, and PostgreSQL's against each role with plain SQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine

from jixiao.storage import rechecks
from jixiao.storage.backup import backup, restore
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore, StoreError
from jixiao.storage.users import Directory
from scorer import numbers as fmt
from tests.conftest import SAMPLES
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL, backend_engine, make_backend

ROOT = Path(__file__).resolve().parents[1]
__all__ = ["backend_engine"]  # the fixture, used by name
FORM = "老干工作经费"
FILLER = "商业行办填报人"


@pytest.fixture
def store(backend_engine: Engine) -> FormStore:
    """The reviewer's store; the unit's filler imported the forms (a 复核 is a second person's)."""
    FormStore(backend_engine, actor=FILLER).import_forms(sample_forms())  # type: ignore[arg-type]
    return FormStore(backend_engine, actor="财政局审核人")


def _submitted(store: FormStore) -> int:
    fid = store.find(FORM).id
    FormStore(store.engine, actor=FILLER).transition(fid, "submit")
    return fid


def test_a_recheck_sits_beside_the_rule_and_unit_scores_and_the_latest_counts(store: FormStore) -> None:
    fid = _submitted(store)
    rechecks.record(store, fid, "老干工作经费", Decimal("8"), "执行超预算")
    done = rechecks.record(store, fid, "老干工作经费", Decimal("8.5"), "补充材料后调整")
    assert (done.score, done.opinion, done.indicator) == (Decimal("8.5"), "补充材料后调整", "老干工作经费")
    (latest,) = rechecks.latest(store, fid).values()
    assert latest.score == Decimal("8.5") and latest.at is not None
    zero = rechecks.record(store, fid, "老干工作经费", Decimal("-0"), "零分")
    assert str(zero.score) == "0" and str(rechecks.latest(store, fid)[zero.indicator_uid].score) == "0"
    row = next(r for r in store.score(store.get(fid).form).indicators if r.indicator.name == "老干工作经费")
    assert (fmt.q2(row.score), row.indicator.recorded.score) == (Decimal("8.10"), Decimal(10))  # type: ignore[arg-type, union-attr]


@pytest.mark.parametrize(
    ("indicator", "score", "opinion", "error"),
    [
        ("老干工作经费", "10.01", "高了", "0 到其分值 10"),
        ("老干工作经费", "-1", "负分", "0 到其分值"),
        ("老干工作经费", "5", "  ", "复核意见"),
        ("不存在的指标", "5", "x", "没有指标「不存在的指标」"),
        ("老干工作经费", "5", "含\x00", "NUL"),
    ],
)
def test_a_recheck_the_form_cannot_hold_is_refused(
    store: FormStore, indicator: str, score: str, opinion: str, error: str
) -> None:
    fid = _submitted(store)
    with pytest.raises(StoreError, match=error):
        rechecks.record(store, fid, indicator, Decimal(score), opinion)
    assert rechecks.latest(store, fid) == {}


def test_only_a_submitted_form_is_rechecked(store: FormStore) -> None:
    fid = store.find(FORM).id
    with pytest.raises(StoreError, match="提交之后"):
        rechecks.record(store, fid, "老干工作经费", Decimal(8), "草稿")


def test_rechecks_are_in_the_backup(store: FormStore, tmp_path: Path) -> None:
    fid = _submitted(store)
    rechecks.record(store, fid, "老干工作经费", Decimal(8), "执行超预算")
    backup(store.engine, tmp_path / "b.bak")
    gen = make_backend("sqlite", tmp_path / "fresh")
    (tmp_path / "fresh").mkdir()
    _, fresh = next(gen)
    restore(fresh, tmp_path / "b.bak")
    assert rechecks.latest(FormStore(fresh), fid) == rechecks.latest(store, fid)
    gen.close()


def test_the_command(tmp_path: Path) -> None:
    db = str(tmp_path / "r.db")

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "JIXIAO_USER": "审核人" if argv[0] == "recheck" else "填报人"}
        return subprocess.run(
            [sys.executable, "-m", "jixiao", "--db", db, *argv], capture_output=True, text=True, cwd=ROOT, env=env
        )

    assert run("import", str(SAMPLES)).returncode == 0
    draft = run("recheck", FORM, "老干工作经费", "--score", "8", "-m", "扣2分")
    assert draft.returncode == 1 and "提交之后" in draft.stderr and "Traceback" not in draft.stderr
    assert run("workflow", "submit", FORM).returncode == 0
    done = run("recheck", FORM, "老干工作经费", "--score", "8", "-m", "扣2分")
    assert done.returncode == 0, done.stderr
    assert "规则、自评与复核得分" in done.stdout and "8.00" in done.stdout and "扣2分" in done.stdout
    assert run("recheck", FORM, "老干工作经费").returncode == 2  # an indicator without a score
    review = run("review", "--year", "2024", "--json")
    (line,) = json.loads(review.stdout)["rechecks"]
    assert (line["indicator"], line["unit"], line["recheck"]) == ("老干工作经费", "10", "8")
    assert line["rule"].startswith("8.0971659919")  # exact, as every score in --json
    assert "复核得分（1 项" in run("review", "--year", "2024").stdout
    assert run("recheck", FORM, "老干工作经费", "--score", "abc", "-m", "x").returncode == 2


# ------------------------------------------------------------------ PostgreSQL, by role

pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)


def _uid(setup: Setup, fid: int, name: str) -> str:
    with setup.store.engine.connect() as conn:
        return str(
            conn.exec_driver_sql(
                "SELECT uid FROM indicators WHERE form_id = %s AND name = %s", (fid, name)
            ).scalar_one()
        )


INSERT = (
    "INSERT INTO rechecks (form_id, indicator_uid, indicator, score, opinion, reviewer, at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


@pg
def test_postgres_stamps_who_when_and_what_and_keeps_every_recheck(setup: Setup) -> None:
    fid = setup.form_id("企业管理费")
    setup.store.transition(fid, "submit")
    uid = _uid(setup, fid, "保质保量完成")
    with setup.connect("reviewer") as conn:
        conn.execute(INSERT, (fid, uid, "别的指标", 5, "扣分", "冒名的审核人", "2000-01-01"))
        row = conn.execute(
            "SELECT indicator, reviewer, db_user, at > now() - interval '1 hour' FROM rechecks"
        ).fetchone()
        assert row == ("保质保量完成", "财政局审核人", setup.logins["reviewer"], True)
        for sql in ("UPDATE rechecks SET score = 10", "DELETE FROM rechecks", "TRUNCATE rechecks"):
            with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.RaiseException)):
                conn.execute(sql)
        with pytest.raises(psycopg.errors.CheckViolation):  # an indicator of another form
            conn.execute(INSERT, (fid, "not-a-row-of-this-form", "x", 5, "x", "x", "2000-01-01"))
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(INSERT, (fid, uid, "x", -1, "x", "x", "2000-01-01"))
    with setup.store.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.exec_driver_sql("DELETE FROM rechecks")  # not even the owner


@pg
def test_postgres_lets_no_filler_and_no_reviewer_outside_scope_write_a_recheck(setup: Setup) -> None:
    fid = setup.form_id("老干工作经费")
    uid = _uid(setup, fid, "老干工作经费")
    with setup.connect("reviewer") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(INSERT, (fid, uid, "x", 5, "草稿不能复核", "x", "2000-01-01"))  # still a draft
    setup.store.transition(fid, "submit")
    with setup.connect("shangye") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(INSERT, (fid, uid, "x", 10, "自己给自己复核", "x", "2000-01-01"))
        assert conn.execute("SELECT count(*) FROM rechecks").fetchone() == (0,)
    other = f"jx_other_{uuid.uuid4().hex[:6]}"
    d = Directory(setup.store.engine)
    d.add_user(other, "别的局审核人", "reviewer", department="别的局", password=PASSWORD)
    try:
        setup.logins["other"] = other
        with setup.connect("other") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(INSERT, (fid, uid, "x", 5, "越权", "x", "2000-01-01"))
    finally:
        d.remove_user(other)


@pg
def test_the_app_as_reviewer_and_as_filler(setup: Setup) -> None:
    from jixiao.storage.database import make_engine

    fid = setup.form_id("老干工作经费")
    setup.store.transition(fid, "submit")

    def store_as(who: str) -> FormStore:
        u = setup.url.set(username=setup.logins[who], password=PASSWORD)
        return FormStore(make_engine(u.render_as_string(hide_password=False)), actor="应用里填的名字")

    reviewer = store_as("reviewer")
    done = rechecks.record(reviewer, fid, "老干工作经费", Decimal(8), "执行超预算")
    assert done.reviewer == "财政局审核人"  # the database's stamp, not the application's
    filler = store_as("shangye")
    with pytest.raises(StoreError, match="无权限"):
        rechecks.record(filler, fid, "老干工作经费", Decimal(10), "自评满分")
    assert [r.score for r in rechecks.latest(filler, fid).values()] == [Decimal(8)]  # and they can read it
    reviewer.engine.dispose()
    filler.engine.dispose()


def test_a_rechecked_form_reopened_cannot_be_deleted(store: FormStore) -> None:
    fid = _submitted(store)
    rechecks.record(store, fid, "老干工作经费", Decimal(8), "执行超预算")
    store.transition(fid, "reopen", "重新打开")
    with pytest.raises(StoreError, match="已有 1 条复核记录，不能删除"):
        store.delete(fid, "删除")
    assert store.get(fid).form.project_name == FORM


def test_rechecks_are_never_replaced_by_a_forced_restore(store: FormStore, tmp_path: Path) -> None:
    from jixiao.storage.backup_file import BackupError

    backup(store.engine, tmp_path / "b.bak")  # a backup without 复核
    fid = _submitted(store)
    rechecks.record(store, fid, "老干工作经费", Decimal(8), "执行超预算")
    if store.engine.dialect.name == "sqlite":
        with store.engine.begin() as conn:  # a database whose history was emptied by hand
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
            conn.exec_driver_sql("DELETE FROM audit_log")
        with store.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
            conn.exec_driver_sql("DELETE FROM rechecks")
    with pytest.raises(BackupError, match="复核或监控记录"):
        restore(store.engine, tmp_path / "b.bak", force=True)
    assert len(rechecks.latest(store, fid)) == 1


def test_a_recheck_above_the_weight_written_past_jixiao_is_shown_as_such(tmp_path: Path) -> None:
    import sqlite3

    db = str(tmp_path / "r.db")

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "COLUMNS": "200", "JIXIAO_USER": "审核人" if argv[0] == "recheck" else "填报人"}
        return subprocess.run(
            [sys.executable, "-m", "jixiao", "--db", db, *argv], capture_output=True, text=True, cwd=ROOT, env=env
        )

    assert run("import", str(SAMPLES)).returncode == 0
    assert run("workflow", "submit", FORM).returncode == 0
    assert run("recheck", FORM, "老干工作经费", "--score", "8", "-m", "扣2分").returncode == 0
    with sqlite3.connect(db) as conn:  # past jixiao, as stored before migration 0018 refused it
        conn.execute("DROP TRIGGER rechecks_range")
        conn.execute(
            "INSERT INTO rechecks (form_id, indicator_uid, indicator, score, opinion, reviewer, at) "
            "SELECT form_id, indicator_uid, indicator, '50', '改成50', '某人', at FROM rechecks"
        )
    assert "50.00（超过分值）" in run("recheck", FORM).stdout
    assert "50.00（超过分值）" in run("review", "--year", "2024").stdout
