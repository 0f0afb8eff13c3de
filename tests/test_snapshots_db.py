"""Monitoring snapshots stored with their form: round trip, append-only, the review's section, and roles on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine

from jixiao.storage import snapshots
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore, StoreError
from scorer.monitoring import load_snapshot
from tests.conftest import SAMPLES
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL, backend_engine

__all__ = ["backend_engine"]  # the fixture, used by name
ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "monitoring" / "2024-laogan-1-6.toml"


@pytest.fixture
def store(backend_engine: Engine) -> FormStore:
    s = FormStore(backend_engine, actor="商业行办填报人")
    s.import_forms(sample_forms())  # type: ignore[arg-type]
    return s


def test_a_stored_snapshot_reads_back_as_its_file_and_the_latest_of_a_period_counts(store: FormStore) -> None:
    import dataclasses

    snap = load_snapshot(EXAMPLE)
    form_id = snapshots.save(store, snap)
    assert snapshots.for_form(store, form_id) == [snap]
    corrected = dataclasses.replace(snap, executed=snap.executed + 1)  # type: ignore[operator]
    snapshots.save(store, corrected)
    earlier = dataclasses.replace(snap, months=4)
    snapshots.save(store, earlier)
    assert snapshots.for_form(store, form_id) == [earlier, corrected]
    assert (
        snapshots.forms_with_snapshots(store, 2024) == [form_id] and snapshots.forms_with_snapshots(store, 2023) == []
    )


def test_a_snapshot_of_a_form_not_stored_is_refused(store: FormStore) -> None:
    import dataclasses

    with pytest.raises(StoreError, match="数据库中没有表单「2024/武昌区商业行业离退休人员管理服务中心/别的项目」"):
        snapshots.save(store, dataclasses.replace(load_snapshot(EXAMPLE), project_name="别的项目"))


def test_stored_snapshots_cannot_be_changed(store: FormStore) -> None:
    snapshots.save(store, load_snapshot(EXAMPLE))
    for sql in ("UPDATE monitoring SET months = 7", "DELETE FROM monitoring"):
        with store.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
            conn.exec_driver_sql(sql)


def _jixiao(db: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jixiao", "--db", db, *argv], capture_output=True, text=True, cwd=ROOT)


def test_import_then_check_from_the_database_and_the_review(tmp_path: Path) -> None:
    db = str(tmp_path / "m.db")
    assert _jixiao(db, "import", str(SAMPLES)).returncode == 0
    before = _jixiao(db, "review", "--year", "2024", "--json").stdout
    assert "monitoring" not in json.loads(before)  # a review without snapshots reads as it always did
    done = _jixiao(db, "monitor", "import", str(EXAMPLE))
    assert done.returncode == 0 and "已保存 1 份监控记录" in done.stdout
    stored = json.loads(_jixiao(db, "monitor", "check", "--from-db", "--json").stdout)["snapshots"]
    files = subprocess.run(
        [sys.executable, "-m", "jixiao", "monitor", "check", str(EXAMPLE), "--forms", str(SAMPLES), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    from_file = json.loads(files.stdout)["snapshots"]
    late = [[f for f in r["findings"] if f["check"] == "monitoring-late"] for r in stored]
    on_time = [[f for f in r["findings"] if f["check"] != "monitoring-late"] for r in stored]
    assert on_time == [r["findings"] for r in from_file]  # a file has no stored time: nothing is late
    # the seed's 2024 snapshot of 1–6月 is stored today, long after it was due (a month after June)
    assert [len(x) for x in late] == [1] and "应报日 2024-07-31" in late[0][0]["message"]
    review = json.loads(_jixiao(db, "review", "--year", "2024", "--json").stdout)
    assert {f["check"] for f in review["monitoring"]} >= {"spending-behind", "predicted-on-track-missed"}
    assert "运行监控偏差预警" in _jixiao(db, "review", "--year", "2024").stdout
    both = _jixiao(db, "monitor", "check", str(EXAMPLE), "--from-db")
    assert both.returncode == 2 and "不能同时使用" in both.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "jixiao", "--db", str(tmp_path / "empty.db"), "monitor", "import", str(EXAMPLE)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert missing.returncode == 1 and "数据库中没有表单" in missing.stderr and "Traceback" not in missing.stderr


# ------------------------------------------------------------------ PostgreSQL, by role

pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
INSERT = "INSERT INTO monitoring (form_id, months, data, actor, at) VALUES (%s, %s, %s, %s, %s)"


@pg
def test_postgres_lets_a_unit_write_its_own_snapshots_only_and_stamps_them(setup: Setup) -> None:
    fid = setup.form_id("老干工作经费")
    data = json.dumps({"year": 2024, "months": 6})
    with setup.connect("shangye") as conn:
        conn.execute(INSERT, (fid, 6, data, "冒名", "2000-01-01"))
        row = conn.execute("SELECT actor, db_user, at > now() - interval '1 hour' FROM monitoring").fetchone()
        assert row == ("商业行办填报人", setup.logins["shangye"], True)
        for sql in ("UPDATE monitoring SET months = 7", "DELETE FROM monitoring", "TRUNCATE monitoring"):
            with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.RaiseException)):
                conn.execute(sql)
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(INSERT, (fid, 13, data, "x", "2000-01-01"))
    with setup.connect("jingke") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(INSERT, (fid, 6, data, "x", "2000-01-01"))  # another unit's form
    with setup.connect("reviewer") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(INSERT, (fid, 6, data, "x", "2000-01-01"))
        assert conn.execute("SELECT count(*) FROM monitoring").fetchone() == (1,)  # and reads it
    with setup.store.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.exec_driver_sql("DELETE FROM monitoring")  # not even the owner


@pg
def test_the_app_as_the_units_filler(setup: Setup) -> None:
    from jixiao.storage.database import make_engine

    u = setup.url.set(username=setup.logins["shangye"], password=PASSWORD)
    engine = make_engine(u.render_as_string(hide_password=False))
    store = FormStore(engine, actor="应用里填的名字")
    form_id = snapshots.save(store, load_snapshot(EXAMPLE))
    assert snapshots.for_form(store, form_id)[0].months == 6
    other = setup.url.set(username=setup.logins["jingke"], password=PASSWORD)
    jingke = FormStore(make_engine(other.render_as_string(hide_password=False)))
    with pytest.raises(StoreError, match="没有表单"):  # it cannot even see the form
        snapshots.save(jingke, load_snapshot(EXAMPLE))
    engine.dispose()
    jingke.engine.dispose()


def test_a_row_written_past_jixiao_that_is_no_snapshot_of_its_form_is_left_out_and_said(tmp_path: Path) -> None:
    import sqlite3

    db = str(tmp_path / "m.db")
    assert _jixiao(db, "import", str(SAMPLES)).returncode == 0
    assert _jixiao(db, "monitor", "import", str(EXAMPLE)).returncode == 0
    with sqlite3.connect(db) as conn:  # past jixiao: one row that is no snapshot, one of another form
        (fid,) = conn.execute("SELECT form_id FROM monitoring").fetchone()
        other = json.dumps(
            {**json.loads(conn.execute("SELECT data FROM monitoring").fetchone()[0]), "project_name": "x"}
        )
        conn.execute(
            "INSERT INTO monitoring (form_id, months, data, actor, at) VALUES (?, 6, '{\"year\": 2024}', '某人', '2024-07-01')",
            (fid,),
        )
        conn.execute(
            "INSERT INTO monitoring (form_id, months, data, actor, at) VALUES (?, 6, ?, '某人', '2024-07-01')",
            (fid, other),
        )
    review = _jixiao(db, "review", "--year", "2024", "--json")
    assert review.returncode == 0, review.stderr
    assert "监控记录 #2" in review.stderr and "监控记录 #3" in review.stderr and "已略过" in review.stderr
    assert {f["check"] for f in json.loads(review.stdout)["monitoring"]} >= {"spending-behind"}  # the good one counts
    checked = _jixiao(db, "monitor", "check", "--from-db")
    assert checked.returncode == 0 and "已略过" in checked.stderr and "Traceback" not in checked.stderr
