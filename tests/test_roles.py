"""Roles enforced by PostgreSQL itself: plain SQL connections as each user, not through jixiao.

Skipped, with the reason shown, when no PostgreSQL server is configured (CI has one).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore, StoreError
from jixiao.storage.users import Directory
from tests.storage_backends import PG_REASON, PG_URL, make_backend

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_REASON)

SHANGYE = "武昌区商业行业离退休人员管理服务中心"
JINGKE = "武昌区经济信息化和科技创新局"
PASSWORD = "Pw-角色测试-1"


class Setup:
    def __init__(self, schema_url: str, store: FormStore, logins: dict[str, str]) -> None:
        self.url = make_url(schema_url)
        self.store = store
        self.logins = logins
        self.schema = dict(self.url.query)["options"].split("=")[-1]

    def connect(self, who: str) -> psycopg.Connection:  # type: ignore[type-arg]
        u = self.url
        return psycopg.connect(
            host=u.host,
            port=u.port,
            dbname=u.database,
            user=self.logins[who],
            password=PASSWORD,
            options=f"-csearch_path={self.schema}",
            autocommit=True,
        )

    def form_id(self, name: str) -> int:
        return next(s.id for s in self.store.list() if s.project_name == name)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    gen = make_backend("postgresql", tmp_path)
    url, engine = next(gen)
    store = FormStore(engine, actor="管理员")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    d = Directory(engine)
    tag = uuid.uuid4().hex[:6]
    logins = {
        "shangye": f"jx_shangye_{tag}",
        "jingke": f"jx_jingke_{tag}",
        "reviewer": f"jx_rev_{tag}",
        "admin": f"jx_admin_{tag}",
    }
    d.add_user(logins["shangye"], "商业行办填报人", "filler", unit=SHANGYE, password=PASSWORD)
    d.add_user(logins["jingke"], "经科局填报人", "filler", unit=JINGKE, password=PASSWORD)
    d.add_user(logins["reviewer"], "财政局审核人", "reviewer", department=JINGKE, password=PASSWORD)
    d.add_user(logins["admin"], "管理员", "admin", password=PASSWORD)
    try:
        yield Setup(url, store, logins)
    finally:
        for login in logins.values():
            try:
                d.remove_user(login)
            except StoreError:
                pass
        gen.close()


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
