"""A direct edit of a form's rows is never lost to a colleague's save (migration 0021).

Found by attacking the database with plain psycopg: a filler changed ``indicators.actual`` with psql
without raising ``forms.version``; a colleague's jixiao save of the version read before then passed
the version check, rewrote every row, and the psql change was gone without a conflict.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import Engine

from jixiao.storage.database import make_engine
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import ConflictError, FormStore
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL, backend_engine

__all__ = ["backend_engine"]  # the fixture, used by name

pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)

OWN = "老干工作经费"  # 商业行办's form (the filler "shangye")
REFUSED = "没有增加表单的版本号"


@contextmanager
def _connect(setup: Setup, who: str) -> Iterator[psycopg.Connection]:  # type: ignore[type-arg]
    if who != "owner":
        with setup.connect(who) as conn:
            yield conn
        return
    raw = setup.store.engine.raw_connection()
    try:
        raw.autocommit = True  # type: ignore[attr-defined]
        yield raw.driver_connection  # type: ignore[misc]
    finally:
        raw.close()


@contextmanager
def _filler_store(setup: Setup) -> Iterator[FormStore]:
    url = setup.url.set(username=setup.logins["shangye"], password=PASSWORD).render_as_string(False)
    engine = make_engine(url)
    try:
        yield FormStore(engine, actor="商业行办填报人")
    finally:
        engine.dispose()


def _actuals(setup: Setup, form_id: int) -> list[str]:
    with setup.store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT actual FROM indicators WHERE form_id = %s ORDER BY id", (form_id,))
        return [r[0] for r in rows]


def _first_indicator(setup: Setup, form_id: int) -> int:
    with setup.store.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT min(id) FROM indicators WHERE form_id = %s", (form_id,)).scalar_one())


EDITS = {
    "actual": "UPDATE indicators SET actual = '被改了' WHERE id = {ind}",
    "actual_with_verdict": "UPDATE indicators SET actual = '被改了', computed_score = 1 WHERE id = {ind}",
    "goal": "UPDATE goals SET text = '被改了' WHERE form_id = {form}",
    "insert": "INSERT INTO indicators (form_id, goal_id, position, level1, level2, name, target, actual, "
    "adjusted_target, recorded_reason, deviation, direction, computed_status, sub) "
    "SELECT form_id, goal_id, 99, level1, level2, '新指标', target, actual, '', '', '', '', '', false "
    "FROM indicators WHERE id = {ind}",
    "clear": "SELECT jixiao_clear_children({form})",
}


@pg
@pytest.mark.parametrize("who", ["shangye", "admin", "owner"])
@pytest.mark.parametrize("edit", sorted(EDITS))
def test_a_row_edit_without_a_new_version_is_refused(setup: Setup, who: str, edit: str) -> None:
    own = setup.form_id(OWN)
    before = (_actuals(setup, own), setup.store.get(own).version)
    with _connect(setup, who) as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match=REFUSED):
            with conn.transaction():
                conn.execute(EDITS[edit].format(ind=_first_indicator(setup, own), form=own))
    assert (_actuals(setup, own), setup.store.get(own).version) == before


@pg
@pytest.mark.parametrize("who", ["shangye", "admin", "reviewer", "owner"])
def test_no_role_sets_a_forms_version_back(setup: Setup, who: str) -> None:
    """A version set back (migration 0030) let a colleague's stale save of the older version through,
    overwriting the edit in between: a reviewer could do it on returning the form."""
    own = setup.form_id(OWN)
    with _connect(setup, "shangye") as conn:
        conn.execute("UPDATE forms SET improvement_measures = '甲的措施' WHERE id = %s", (own,))  # a new version
        if who == "reviewer":
            conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (own,))
    before = setup.store.get(own).version
    move = ", status = 'returned'" if who == "reviewer" else ""
    with _connect(setup, who) as conn, pytest.raises(psycopg.errors.CheckViolation, match="back to"):
        conn.execute(f"UPDATE forms SET version = version - 1{move} WHERE id = %s", (own,))  # noqa: S608
    assert setup.store.get(own).version == before


@pg
def test_a_version_bumped_back_does_not_count(setup: Setup) -> None:
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match=f"{REFUSED}|back to"):
            with conn.transaction():
                conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (own,))
                conn.execute("UPDATE indicators SET actual = '被改了' WHERE id = %s", (_first_indicator(setup, own),))
                conn.execute("UPDATE forms SET version = version - 1 WHERE id = %s", (own,))


@pg
@pytest.mark.parametrize("who", ["shangye", "owner"])
def test_with_a_new_version_the_colleague_gets_the_conflict(setup: Setup, who: str) -> None:
    own = setup.form_id(OWN)
    with _filler_store(setup) as colleague:
        read = colleague.get(own)  # the colleague opens the form
        with _connect(setup, who) as conn, conn.transaction():
            conn.execute("UPDATE indicators SET actual = '被改了' WHERE id = %s", (_first_indicator(setup, own),))
            conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (own,))
        edited = dataclasses.replace(read.form, deviation_analysis="同事的说明")
        with pytest.raises(ConflictError, match="保存冲突"):
            colleague.save(own, edited, read.version)
    assert "被改了" in _actuals(setup, own)


@pg
def test_a_direct_edit_of_the_form_row_makes_a_new_version(setup: Setup) -> None:
    own = setup.form_id(OWN)
    with _filler_store(setup) as colleague:
        read = colleague.get(own)
        with setup.connect("shangye") as conn:
            conn.execute("UPDATE forms SET deviation_analysis = 'psql 的说明' WHERE id = %s", (own,))
        assert setup.store.get(own).version == read.version + 1
        with pytest.raises(ConflictError, match="保存冲突"):
            colleague.save(own, dataclasses.replace(read.form, improvement_measures="同事的措施"), read.version)
    assert setup.store.get(own).form.deviation_analysis == "psql 的说明"


@pg
def test_a_form_row_edit_in_the_same_transaction_is_the_new_version(setup: Setup) -> None:
    own = setup.form_id(OWN)
    version = setup.store.get(own).version
    with setup.connect("shangye") as conn, conn.transaction():
        conn.execute("UPDATE indicators SET actual = '被改了' WHERE id = %s", (_first_indicator(setup, own),))
        conn.execute("UPDATE forms SET deviation_analysis = '一并修改' WHERE id = %s", (own,))
    assert setup.store.get(own).version == version + 1
    assert "被改了" in _actuals(setup, own)


@pg
def test_verdict_columns_alone_need_no_new_version(setup: Setup) -> None:
    """The owner's rescore writes only derived columns; nothing of the unit's is lost when a save overwrites them."""
    own = setup.form_id(OWN)
    version = setup.store.get(own).version
    with _connect(setup, "owner") as conn, conn.transaction():
        conn.execute("UPDATE indicators SET computed_score = 1, agg_score_u = 10000 WHERE form_id = %s", (own,))
    with setup.connect("shangye") as conn, conn.transaction():
        conn.execute("UPDATE indicators SET computed_status = '达成' WHERE form_id = %s", (own,))
    assert setup.store.get(own).version == version
    assert setup.store.rescore(only_missing=False) >= 1


@pg
def test_jixiao_paths_keep_working(setup: Setup) -> None:
    own = setup.form_id(OWN)
    with _filler_store(setup) as store:
        sf = store.get(own)
        form = sf.form
        goal = dataclasses.replace(form.goals[0], text="新的目标")
        saved = store.save(own, dataclasses.replace(form, goals=[goal, *form.goals[1:]]), sf.version)
    assert saved.version == sf.version + 1
    assert setup.store.get(own).form.goals[0].text == "新的目标"


@pg
def test_a_statement_is_checked_once_per_form(setup: Setup) -> None:
    """The check costs a bulk load one queue row per form, not one per written row, and leaves nothing behind."""
    own = setup.form_id(OWN)
    copy = EDITS["insert"].replace("WHERE id = {ind}", "WHERE form_id = {form}").format(form=own)
    queued = "SELECT count(*) FROM version_checks WHERE txid = txid_current()"
    with _connect(setup, "owner") as conn:
        with conn.transaction():
            conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (own,))
            assert conn.execute(copy).rowcount > 1
            conn.execute(copy)
            conn.execute("UPDATE indicators SET actual = '被改了' WHERE form_id = %s", (own,))
            assert conn.execute(queued).fetchone() == (1,)
        assert conn.execute("SELECT count(*) FROM version_checks").fetchone() == (0,)


@pg
@pytest.mark.parametrize("who", ["shangye", "admin"])
def test_the_queue_of_checks_is_out_of_reach(setup: Setup, who: str) -> None:
    """Taking a form's row out of the queue before commit would skip its check."""
    with setup.connect(who) as conn:
        for sql in ("SELECT 1 FROM version_checks", "DELETE FROM version_checks", "TRUNCATE version_checks"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)


@pytest.fixture
def each_engine(backend_engine: Engine) -> Engine:
    return backend_engine


def test_an_import_that_changes_only_a_row_is_a_new_version(each_engine: Engine) -> None:
    """jixiao's own paths hold the rule on SQLite too, where nothing else enforces it."""
    store = FormStore(each_engine, actor="甲")
    source, form = sample_forms()[0]
    (created,) = store.import_forms([(source, form)])
    read = store.get(created.form_id)
    goal = read.form.goals[0]
    first = dataclasses.replace(goal.indicators[0], actual=goal.indicators[0].actual + "（更正）")
    changed = dataclasses.replace(
        read.form, goals=[dataclasses.replace(goal, indicators=[first, *goal.indicators[1:]]), *read.form.goals[1:]]
    )
    (updated,) = FormStore(each_engine, actor="乙").import_forms([(source, changed)])
    assert updated.outcome == "updated" and store.get(created.form_id).version == read.version + 1
    with pytest.raises(ConflictError):
        store.save(read.id, dataclasses.replace(read.form, deviation_analysis="甲的说明"), read.version)
    assert store.get(created.form_id).form.goals[0].indicators[0].actual == first.actual
    store.rescore(only_missing=False)  # a verdict is no edit: the version stays
    assert store.get(created.form_id).version == read.version + 1
