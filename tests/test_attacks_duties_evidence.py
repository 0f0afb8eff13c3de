"""Evidence is a change of the form's data for 四眼 (migration 0017): the login that attached proof to a
form may not approve, sign or 复核 it after someone else submitted it. Attacked with plain psycopg as
each role, as psql would, and through jixiao on both back ends.
"""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, text

from jixiao.storage import evidence, rechecks
from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore, StoreError
from jixiao.workflow import WorkflowError
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL, backend_engine, pg_schema_url
from tests.tools import second

__all__ = ["backend_engine"]  # the fixture, used by name
on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
FOUR_EYES = "four eyes"
OWN = "企业管理费"  # a form of 经科局, in the reviewer's department
ATTACH = (
    "INSERT INTO evidence (form_id, indicator_uid, name, media_type, size, sha256, data, actor, at) "
    "VALUES (%s, '', %s, 'application/pdf', 0, '', %s, '', now())"
)
RECHECK = (
    "INSERT INTO rechecks (form_id, indicator_uid, indicator, score, opinion, reviewer, at) "
    "VALUES (%s, %s, '', 0, %s, '', now())"
)


def _move(setup: Setup, who: str, fid: int, status: str) -> None:
    with setup.connect(who) as conn:
        conn.execute("UPDATE forms SET status = %s, version = version + 1 WHERE id = %s", (status, fid))


def _attached_then_submitted(setup: Setup, attacher: str = "admin") -> int:
    """``attacher`` attaches proof to the unit's draft; the unit's filler submits it, changing nothing."""
    fid = setup.form_id(OWN)
    with setup.connect(attacher) as conn:
        conn.execute(ATTACH, (fid, "验收报告.pdf", b"%PDF-1.4 forged"))
    _move(setup, "jingke", fid, "submitted")
    return fid


@on_pg
def test_an_admin_who_attached_proof_cannot_approve_what_a_filler_submitted(setup: Setup) -> None:
    fid = _attached_then_submitted(setup)
    with setup.connect("admin") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match=FOUR_EYES):
        conn.execute("UPDATE forms SET status = 'approved' WHERE id = %s", (fid,))
    assert setup.store.get(fid).status.value == "submitted"
    _move(setup, "reviewer", fid, "approved")  # a second person may


@on_pg
def test_an_admin_who_attached_proof_cannot_sign_it(setup: Setup) -> None:
    fid = _attached_then_submitted(setup)
    _move(setup, "reviewer", fid, "approved")
    with setup.connect("admin") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match=FOUR_EYES):
        conn.execute("UPDATE forms SET status = 'signed', signed_by = '管理员' WHERE id = %s", (fid,))
    assert setup.store.get(fid).status.value == "approved"


@on_pg
def test_an_admin_who_attached_proof_cannot_recheck_it(setup: Setup) -> None:
    fid = _attached_then_submitted(setup)
    with setup.connect("admin") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match=FOUR_EYES):
        uid = conn.execute("SELECT uid FROM indicators WHERE form_id = %s LIMIT 1", (fid,)).fetchone()
        assert uid is not None
        conn.execute(RECHECK, (fid, uid[0], "给自己附过材料的表单复核"))


@on_pg
def test_proof_on_a_reopened_form_counts_too(setup: Setup) -> None:
    """Reopen a signed form, add (in effect replace) its proof, let the filler resubmit, sign it again."""
    fid = setup.form_id(OWN)
    _move(setup, "jingke", fid, "submitted")
    _move(setup, "reviewer", fid, "approved")
    _move(setup, "reviewer", fid, "signed")
    _move(setup, "admin", fid, "draft")
    with setup.connect("admin") as conn:
        conn.execute(ATTACH, (fid, "替换的验收报告.pdf", b"%PDF-1.4 replaced"))
    _move(setup, "jingke", fid, "submitted")
    _move(setup, "reviewer", fid, "approved")
    with setup.connect("admin") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match=FOUR_EYES):
        conn.execute("UPDATE forms SET status = 'signed' WHERE id = %s", (fid,))


@on_pg
def test_the_database_logs_each_attachment_by_login_without_its_bytes(setup: Setup) -> None:
    fid = _attached_then_submitted(setup, attacher="jingke")
    with setup.connect("jingke") as conn:  # a filler reads the log of its own forms
        rows = conn.execute(
            "SELECT db_user, op, form_id, after::jsonb ? 'data', after::jsonb ->> 'name' FROM row_changes "
            "WHERE table_name = 'evidence'"
        ).fetchall()
    assert rows == [(setup.logins["jingke"], "INSERT", fid, False, "验收报告.pdf")]


@on_pg
def test_a_later_data_change_by_someone_else_makes_the_attacher_a_second_person_again(setup: Setup) -> None:
    """The rule is about the latest data change, as for any other edit (migration 0014)."""
    fid = setup.form_id(OWN)
    with setup.connect("admin") as conn:
        conn.execute(ATTACH, (fid, "验收报告.pdf", b"%PDF-1.4"))
    with setup.connect("jingke") as conn:
        conn.execute("UPDATE forms SET deviation_analysis = '按材料补充' WHERE id = %s", (fid,))
    _move(setup, "jingke", fid, "submitted")
    _move(setup, "admin", fid, "approved")


def _engine_as(setup: Setup, who: str) -> Engine:
    return create_engine(setup.url.set(username=setup.logins[who], password=PASSWORD))


@on_pg
def test_jixiao_refuses_what_the_database_refuses(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    admin = FormStore(_engine_as(setup, "admin"), actor="管理员")
    jingke = FormStore(_engine_as(setup, "jingke"), actor="经科局填报人")
    try:
        evidence.add(admin, fid, "验收报告.pdf", b"%PDF-1.4")
        jingke.transition(fid, "submit")
        with pytest.raises(WorkflowError, match="不能审核通过自己提交或修改的表单"):
            admin.may(fid, "approve")
        with pytest.raises(StoreError, match="不能复核自己提交或修改的表单"):
            rechecks.may_recheck(admin, fid)
    finally:
        admin.engine.dispose()
        jingke.engine.dispose()


@on_pg
def test_proof_attached_before_the_upgrade_is_logged_by_it(tmp_path: Path) -> None:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with create_engine(PG_URL).begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(pg_schema_url(schema))
    try:
        upgrade(engine, "0016")
        store = FormStore(engine, actor="管理员")
        with engine.begin() as conn:  # today's model reads a column of a later migration (0020): lent for the import
            conn.execute(text("ALTER TABLE forms ADD COLUMN signer_cert_sha256 varchar(64)"))
        store.import_forms(sample_forms())  # type: ignore[arg-type]
        fid = store.find(OWN).id
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE forms DROP COLUMN signer_cert_sha256"))
        with engine.begin() as conn:  # as jixiao attached before 0017: no history entry
            conn.execute(
                text(
                    "INSERT INTO evidence (form_id, indicator_uid, name, media_type, size, sha256, data, actor, at) "
                    "VALUES (:f, '', '早先的材料.pdf', 'application/pdf', 0, '', '\\x00'::bytea, '', now())"
                ),
                {"f": fid},
            )
        upgrade(engine)
        with engine.connect() as conn:
            logged = conn.execute(text("SELECT form_id, op FROM row_changes WHERE table_name = 'evidence'")).fetchall()
        assert [tuple(r) for r in logged] == [(fid, "INSERT")]
        history = [(h.action, h.reason) for h in store.history(fid) if h.action in ("attach", "sql")]
        assert history == [("attach", "升级时补记（附上时未写入修改记录）")]  # not a change made around jixiao
    finally:
        engine.dispose()
        with create_engine(PG_URL).begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))


# ------------------------------------------------------------------ jixiao itself, both back ends


@pytest.fixture
def forms(backend_engine: Engine) -> Engine:
    FormStore(backend_engine, actor="jixiao").import_forms(sample_forms())  # type: ignore[arg-type]
    return backend_engine


def test_whoever_attached_proof_last_cannot_approve_sign_or_recheck(forms: Engine) -> None:
    attacher = FormStore(forms, actor="张三")
    fid = attacher.find(OWN).id
    evidence.add(attacher, fid, "验收报告.pdf", b"%PDF-1.4")
    second(attacher, "王五").transition(fid, "submit")
    with pytest.raises(WorkflowError, match="张三 最后修改了"):
        attacher.transition(fid, "approve")
    with pytest.raises(StoreError, match="张三 最后修改了"):
        rechecks.may_recheck(attacher, fid)
    second(attacher, "李四").transition(fid, "approve")
    with pytest.raises(WorkflowError, match="不能签章自己提交或修改的表单：张三 最后修改了"):
        attacher.mark_signed(fid, "张三", "0" * 64)
    assert second(attacher, "李四").mark_signed(fid, "李四", "0" * 64).status.value == "signed"


def test_an_edit_after_the_attachment_is_the_latest_change(forms: Engine) -> None:
    attacher = FormStore(forms, actor="张三")
    fid = attacher.find(OWN).id
    evidence.add(attacher, fid, "验收报告.pdf", b"%PDF-1.4")
    other = second(attacher, "王五")
    sf = other.get(fid)
    other.save(fid, dataclasses.replace(sf.form, deviation_analysis="王五补充"), sf.version)
    other.transition(fid, "submit")
    assert attacher.transition(fid, "approve").status.value == "approved"


def test_the_history_says_who_attached_what(forms: Engine) -> None:
    store = FormStore(forms, actor="张三")
    fid = store.find(OWN).id
    evidence.add(store, fid, "验收报告.pdf", b"%PDF-1.4")
    history = store.history(fid)
    (entry,) = [h for h in history if h.action == "attach"]
    assert (entry.actor, entry.label) == ("张三", "佐证材料") and (entry.after or "").startswith("验收报告.pdf")
    assert [h for h in history if h.action == "sql"] == []  # jixiao's own attachment is not a change around it


@on_pg
def test_the_history_shows_proof_attached_with_psql(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    with setup.connect("admin") as conn:
        conn.execute(ATTACH, (fid, "绕过 jixiao.pdf", b"%PDF-1.4"))
    (entry,) = [h for h in setup.store.history(fid) if h.action == "sql"]
    assert (entry.db_user, entry.label, entry.after) == (setup.logins["admin"], "新增佐证材料", "绕过 jixiao.pdf")
