"""Roles enforced by PostgreSQL itself: plain SQL connections as each user, not through jixiao.

Skipped, with the reason shown, when no PostgreSQL server is configured (CI has one).
"""

from __future__ import annotations

import psycopg
import pytest

from jixiao.storage.store import FormStore
from jixiao.storage.users import Directory
from tests.role_setup import JINGKE, PASSWORD, SHANGYE, Setup
from tests.storage_backends import PG_REASON, PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_REASON)


def test_a_filler_sees_only_their_unit(setup: Setup) -> None:
    with setup.connect("shangye") as conn:
        names = [r[0] for r in conn.execute("SELECT project_name FROM forms")]
        assert names == ["老干工作经费"]
        goals_of_others = conn.execute("SELECT count(*) FROM indicators i JOIN goals g ON g.id = i.goal_id").fetchone()
        assert goals_of_others == (7,)
        assert conn.execute("SELECT count(*) FROM audit_log").fetchone() == (1,)
    with setup.connect("jingke") as conn:
        assert conn.execute("SELECT count(*) FROM forms").fetchone() == (8,)


def test_a_filler_cannot_update_another_units_form(setup: Setup) -> None:
    other = setup.form_id("企业管理费")
    with setup.connect("shangye") as conn:
        cur = conn.execute("UPDATE forms SET deviation_analysis = '篡改' WHERE id = %s", (other,))
        assert cur.rowcount == 0
        cur = conn.execute("UPDATE indicators SET actual = '篡改' WHERE form_id = %s", (other,))
        assert cur.rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # deletes go through jixiao_delete_form
            conn.execute("DELETE FROM forms WHERE id = %s", (other,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT jixiao_delete_form(%s)", (other,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO forms (year, implementing_unit, project_name, department, form_kind, title, ticks_category, ticks_attribute, ticks_project_type, budget_label, budget_rate_text, budget_score_reason, deviation_analysis, improvement_measures, signoff_preparer, signoff_reviewer, signoff_unit_head, signoff_finance_head, signoff_project_lead, signoff_contact, signoff_phone, signoff_date, status, version, created_at, updated_at, updated_by, signed_by, signature_sha256, computed_rules, computed_grade, computed_pending, computed_problems) VALUES (2025, %s, '冒名项目', '', 'project', '', '[]', '[]', '[]', '', '', '', '', '', '', '', '', '', '', '', '', '', 'draft', 1, now(), now(), '', '', '', '', '', 0, 0)",
                (JINGKE,),
            )
    assert setup.store.get(other).form.deviation_analysis == "无"


def test_a_filler_cannot_change_a_submitted_form(setup: Setup) -> None:
    own = setup.form_id("老干工作经费")
    with setup.connect("shangye") as conn:
        assert conn.execute("UPDATE forms SET deviation_analysis = '补充说明' WHERE id = %s", (own,)).rowcount == 1
        assert conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (own,)).rowcount == 1
        assert conn.execute("UPDATE forms SET deviation_analysis = '提交后再改' WHERE id = %s", (own,)).rowcount == 0
        assert conn.execute("UPDATE forms SET status = 'approved' WHERE id = %s", (own,)).rowcount == 0
        assert conn.execute("UPDATE indicators SET actual = '提交后再改' WHERE form_id = %s", (own,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("SELECT jixiao_clear_children(%s)", (own,))
    # the owner role bypasses row-level security, but the workflow trigger still refuses
    with setup.store.engine.begin() as conn, pytest.raises(Exception, match="read-only"):
        conn.exec_driver_sql(f"UPDATE indicators SET actual = '提交后再改' WHERE form_id = {own}")
    stored = setup.store.get(own)
    assert stored.status.value == "submitted" and stored.form.deviation_analysis == "补充说明"


def test_a_filler_cannot_approve_their_own_draft(setup: Setup) -> None:
    own = setup.form_id("老干工作经费")
    with (
        setup.connect("shangye") as conn,
        pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.CheckViolation)),
    ):
        conn.execute("UPDATE forms SET status = 'approved' WHERE id = %s", (own,))


def test_a_reviewer_can_return_or_approve_but_not_rewrite(setup: Setup) -> None:
    fid = setup.form_id("企业管理费")
    setup.store.transition(fid, "submit")
    with setup.connect("reviewer") as conn:
        assert conn.execute("SELECT count(*) FROM forms").fetchone() == (9,)  # scope: the department
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE forms SET budget_executed = 1 WHERE id = %s", (fid,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE indicators SET actual = '改', recorded_score = 0 WHERE form_id = %s", (fid,))
        assert (
            conn.execute("UPDATE forms SET status = 'approved', version = version + 1 WHERE id = %s", (fid,)).rowcount
            == 1
        )
        draft = setup.form_id("计划管理费")
        assert conn.execute("UPDATE forms SET status = 'approved' WHERE id = %s", (draft,)).rowcount == 0
    assert setup.store.get(fid).status.value == "approved"


def test_nobody_can_alter_the_audit_log(setup: Setup) -> None:
    for who in ("shangye", "reviewer", "admin"):
        with setup.connect(who) as conn:
            with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.RaiseException)):
                conn.execute("DELETE FROM audit_log")
            with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.RaiseException)):
                conn.execute("UPDATE audit_log SET actor = 'x'")
    with setup.connect("shangye") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(
            "INSERT INTO audit_log (form_id, form_key, at, actor, action, field, label, reason, version, db_user) VALUES (1, 'k', now(), '冒名', 'update', '', '', '', 1, 'someone_else')"
        )
    # even the owner cannot: the trigger refuses
    with setup.store.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.exec_driver_sql("DELETE FROM audit_log")


def test_the_app_as_a_filler_works_within_its_scope(setup: Setup) -> None:
    from jixiao.storage.database import make_engine

    u = setup.url.set(username=setup.logins["shangye"], password=PASSWORD)
    engine = make_engine(u.render_as_string(hide_password=False))
    me = Directory(engine).whoami()
    assert me is not None and me.role == "filler" and me.unit == SHANGYE
    store = FormStore(engine, actor=me.name)
    assert [s.project_name for s in store.list()] == ["老干工作经费"]
    sf = store.find("老干工作经费")
    import dataclasses

    store.save(sf.id, dataclasses.replace(sf.form, deviation_analysis="填报人补充"), sf.version)
    store.transition(sf.id, "submit")
    last = store.history(sf.id)[-1]
    assert last.actor == "商业行办填报人"
    with engine.connect() as conn:
        (db_user,) = conn.exec_driver_sql("SELECT db_user FROM audit_log ORDER BY id DESC LIMIT 1").one()
    assert db_user == setup.logins["shangye"]
    engine.dispose()
