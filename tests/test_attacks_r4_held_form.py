"""A form held locked by another login's open transaction is named, with its holder, not an internal error.

Every login waits at most ``lock_timeout`` for a lock, and any login that may update a form may lock
its row and leave the transaction open (``SET idle_in_transaction_session_timeout = 0``). Attacked with
plain psycopg, as psql would: a reviewer locked every submitted form of the department with ``SELECT …
FOR UPDATE``; each approval by an admin or another reviewer then stopped with 「内部错误：
LockNotAvailable」 (exit 3, 「这是 jixiao 的缺陷」) and no word of who held the form; a filler holding the
unit's draft did the same to a colleague's or an admin's save. jixiao now says the form is held and
names the login and its server process, for the DBA to end (``jixiao.storage.row_lock``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import create_engine

from jixiao.storage.store import FormStore, StoreError
from scorer.errors import JixiaoError
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
JINGKE_FORM = "企业管理费"  # a draft of 经科局, in the reviewer's department


def _store_as(setup: Setup, who: str, name: str) -> FormStore:
    url = setup.url.set(username=setup.logins[who], password=PASSWORD)
    options = f"-csearch_path={setup.schema} -clock_timeout=300ms"  # the 5 s default, shortened for the test
    return FormStore(create_engine(url.render_as_string(hide_password=False), connect_args={"options": options}), name)


@pytest.fixture
def holding(setup: Setup) -> Iterator[psycopg.Connection]:  # type: ignore[type-arg]
    """Open connections; each is rolled back (which ends any lock it holds) and closed after the test."""
    conns: list[psycopg.Connection] = []  # type: ignore[type-arg]

    class Opener:
        def __call__(self, who: str) -> psycopg.Connection:  # type: ignore[type-arg]
            conn = setup.connect(who)
            conn.execute("SET idle_in_transaction_session_timeout = 0")
            conn.execute("BEGIN")
            conns.append(conn)
            return conn

    yield Opener()  # type: ignore[misc]
    for conn in conns:
        conn.execute("ROLLBACK")
        conn.close()


@on_pg
def test_a_reviewer_holding_the_departments_forms_is_named_to_the_approver(setup: Setup, holding) -> None:  # type: ignore[no-untyped-def]
    fid = setup.form_id(JINGKE_FORM)
    setup.store.transition(fid, "submit")  # submitted by the owner's login: the admin may approve it
    squatter = holding("reviewer")
    assert (fid,) in squatter.execute("SELECT id FROM forms WHERE status = 'submitted' FOR UPDATE").fetchall()
    admin = _store_as(setup, "admin", "管理员")
    with pytest.raises(JixiaoError) as refused:
        admin.transition(fid, "approve")
    said = str(refused.value)
    assert isinstance(refused.value, StoreError)
    assert setup.logins["reviewer"] in said and str(squatter.info.backend_pid) in said, said
    assert "锁定" in said and "pg_terminate_backend" in said
    assert setup.store.get(fid).status.value == "submitted"


@on_pg
def test_a_filler_holding_the_units_draft_is_named_to_whoever_saves_it(setup: Setup, holding) -> None:  # type: ignore[no-untyped-def]
    fid = setup.form_id(JINGKE_FORM)
    squatter = holding("jingke")
    squatter.execute("SELECT id FROM forms WHERE id = %s FOR UPDATE", (fid,))
    admin = _store_as(setup, "admin", "管理员")
    stored = admin.get(fid)
    form = dataclasses.replace(stored.form, deviation_analysis="管理员补充的偏差分析")
    with pytest.raises(JixiaoError) as refused:
        admin.save(fid, form, stored.version, "补充")
    assert setup.logins["jingke"] in str(refused.value), str(refused.value)


@on_pg
def test_without_a_holder_the_lock_timeout_is_still_said_in_chinese(setup: Setup, holding) -> None:  # type: ignore[no-untyped-def]
    """Two readers sharing the row (a multixact) are not named one by one; the form still is."""
    fid = setup.form_id(JINGKE_FORM)
    setup.store.transition(fid, "submit")
    for who in ("reviewer", "reviewer"):
        holding(who).execute("SELECT id FROM forms WHERE id = %s FOR SHARE", (fid,))
    admin = _store_as(setup, "admin", "管理员")
    with pytest.raises(JixiaoError) as refused:
        admin.transition(fid, "approve")
    assert f"表单 {fid} 正被" in str(refused.value), str(refused.value)


@on_pg
def test_any_other_write_held_up_is_said_in_chinese_by_the_command_line(setup: Setup, holding) -> None:  # type: ignore[no-untyped-def]
    """A path that does not name the holder (here a delete) still gets a message, not 内部错误."""
    from jixiao.storage.driver_messages import environment_problem

    fid = setup.form_id(JINGKE_FORM)
    holding("jingke").execute("SELECT id FROM forms WHERE id = %s FOR UPDATE", (fid,))
    admin = _store_as(setup, "admin", "管理员")
    with pytest.raises(Exception) as stopped:
        admin.delete(fid, "重复的表单")
    said = environment_problem(stopped.value)
    assert said is not None and "锁超时" in said, repr(stopped.value)


@on_pg
def test_a_filler_holding_the_units_submitted_declaration_with_a_snapshot_is_named(setup: Setup, holding) -> None:  # type: ignore[no-untyped-def]
    """A snapshot of a declaration (taken in any status) locks the form row until its transaction ends, so
    that no submission of a self-evaluation slips past it: a filler who left it open held finance's approval."""
    from jixiao.storage.seed import sample_forms
    from jixiao.workflow import Stage
    from scorer.stages import declaration_from, for_year

    form = next(f for _, f in sample_forms() if f.project_name == JINGKE_FORM)
    (outcome,) = setup.store.import_forms(
        [("申报.toml", for_year(declaration_from(form), 2025))], action="declare", stage=Stage.DECLARATION
    )
    fid = outcome.form_id
    setup.store.transition(fid, "submit")
    squatter = holding("jingke")
    squatter.execute(
        "INSERT INTO monitoring (form_id, months, data, actor, at) VALUES (%s, 6, '{\"year\": 2025}', '', now())",
        (fid,),
    )
    admin = _store_as(setup, "admin", "管理员")
    with pytest.raises(JixiaoError) as refused:
        admin.transition(fid, "approve")
    assert setup.logins["jingke"] in str(refused.value), str(refused.value)
