"""Separation of duties (四眼原则, migration 0014): the login that submitted a form or last changed its
data may not approve or sign it. Attacked with plain psycopg as each role, as psql would, and through
jixiao on both back ends.
"""

from __future__ import annotations

import dataclasses

import psycopg
import pytest
from sqlalchemy import Engine

from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore
from jixiao.storage.users import Directory
from jixiao.workflow import WorkflowError
from tests.role_setup import JINGKE, PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL, backend_engine

__all__ = ["backend_engine"]  # the fixture, used by name
on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
FOUR_EYES = "four eyes"
OWN = "企业管理费"  # a form of 经科局, in the reviewer's department


def _status(setup: Setup, fid: int) -> str:
    return setup.store.get(fid).status.value


@on_pg
def test_an_admin_who_edited_and_submitted_cannot_approve_it(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    with setup.connect("admin") as conn:
        conn.execute("UPDATE forms SET deviation_analysis = '管理员自己填' WHERE id = %s", (fid,))
        conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (fid,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match=FOUR_EYES):
            conn.execute("UPDATE forms SET status = 'approved' WHERE id = %s", (fid,))
    assert _status(setup, fid) == "submitted"
    with setup.connect("reviewer") as conn:  # a second person may
        assert conn.execute("UPDATE forms SET status = 'approved' WHERE id = %s", (fid,)).rowcount == 1


@on_pg
def test_an_admin_who_only_edited_cannot_approve_what_a_filler_submitted(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    with setup.connect("admin") as conn, conn.transaction():
        conn.execute("UPDATE indicators SET actual = '管理员改的' WHERE form_id = %s", (fid,))
        conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))  # migration 0021
    with setup.connect("jingke") as conn:
        conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (fid,))
    with setup.connect("admin") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match=FOUR_EYES):
        conn.execute("UPDATE forms SET status = 'approved' WHERE id = %s", (fid,))


@on_pg
def test_an_admin_who_submitted_cannot_sign(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    with setup.connect("admin") as conn:
        conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (fid,))
    with setup.connect("reviewer") as conn:
        conn.execute("UPDATE forms SET status = 'approved' WHERE id = %s", (fid,))
    with setup.connect("admin") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match=FOUR_EYES):
        conn.execute("UPDATE forms SET status = 'signed', signed_by = '管理员' WHERE id = %s", (fid,))
    assert _status(setup, fid) == "approved"
    with setup.connect("reviewer") as conn:  # the approver did neither: they may sign
        assert conn.execute("UPDATE forms SET status = 'signed' WHERE id = %s", (fid,)).rowcount == 1


@on_pg
def test_a_filler_made_reviewer_cannot_approve_what_they_submitted(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    with setup.connect("jingke") as conn:
        conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (fid,))
    login = setup.logins["jingke"]
    Directory(setup.store.engine).add_user(login, "经科局填报人", "reviewer", department=JINGKE, password=PASSWORD)
    with setup.connect("jingke") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match=FOUR_EYES):
        conn.execute("UPDATE forms SET status = 'approved' WHERE id = %s", (fid,))
    assert _status(setup, fid) == "submitted"


@on_pg
def test_a_returned_form_resubmitted_by_its_filler_is_the_reviewers_to_approve(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    with setup.connect("jingke") as conn:
        conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (fid,))
    with setup.connect("reviewer") as conn:
        conn.execute("UPDATE forms SET status = 'returned' WHERE id = %s", (fid,))
    with setup.connect("jingke") as conn:
        conn.execute("UPDATE forms SET deviation_analysis = '按退回意见补充' WHERE id = %s", (fid,))
        conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (fid,))
    with setup.connect("reviewer") as conn:
        assert conn.execute("UPDATE forms SET status = 'approved' WHERE id = %s", (fid,)).rowcount == 1


@on_pg
def test_jixiao_says_the_databases_refusal_as_the_workflow_does(setup: Setup) -> None:
    """A change made around jixiao (no audit entry) still counts: the database's log says who made it."""
    fid = setup.form_id(OWN)
    jingke = FormStore(_engine_as(setup, "jingke"), actor="经科局填报人")
    sf = jingke.get(fid)
    jingke.save(fid, dataclasses.replace(sf.form, deviation_analysis="填报人填写"), sf.version)
    with setup.connect("admin") as conn:  # the last change, made around jixiao: no audit entry names it
        conn.execute("UPDATE forms SET deviation_analysis = '绕过 jixiao' WHERE id = %s", (fid,))
    jingke.transition(fid, "submit")
    admin = FormStore(_engine_as(setup, "admin"), actor="管理员")
    with pytest.raises(WorkflowError, match="不能审核通过自己提交或修改的表单"):
        admin.transition(fid, "approve")


def _engine_as(setup: Setup, who: str) -> Engine:
    from sqlalchemy import create_engine

    url = setup.url.set(username=setup.logins[who], password=PASSWORD)
    return create_engine(url)


# ------------------------------------------------------------------ jixiao itself, both back ends


@pytest.fixture
def forms(backend_engine: Engine) -> Engine:
    FormStore(backend_engine, actor="jixiao").import_forms(sample_forms())  # type: ignore[arg-type]
    return backend_engine


def test_one_person_cannot_submit_and_approve(forms: Engine) -> None:
    filler = FormStore(forms, actor="张三")
    fid = filler.find(OWN).id
    filler.transition(fid, "submit")
    with pytest.raises(WorkflowError, match="不能审核通过自己提交或修改的表单：张三 提交了"):
        filler.transition(fid, "approve")
    assert FormStore(forms, actor="李四").transition(fid, "approve").status.value == "approved"
    with pytest.raises(WorkflowError, match="不能签章自己提交或修改的表单"):
        filler.mark_signed(fid, "张三", "0" * 64)
    assert FormStore(forms, actor="李四").mark_signed(fid, "李四", "0" * 64).status.value == "signed"


def test_the_last_editor_cannot_approve_what_another_submitted(forms: Engine) -> None:
    editor = FormStore(forms, actor="张三")
    sf = editor.find(OWN)
    editor.save(sf.id, dataclasses.replace(sf.form, deviation_analysis="张三补充"), sf.version)
    FormStore(forms, actor="王五").transition(sf.id, "submit")
    with pytest.raises(WorkflowError, match="张三 最后修改了"):
        editor.transition(sf.id, "approve")
    with pytest.raises(WorkflowError, match="张三 最后修改了"):
        editor.may(sf.id, "approve")
    FormStore(forms, actor="李四").transition(sf.id, "approve")


def test_after_a_return_the_reviewer_approves_the_fillers_resubmission(forms: Engine) -> None:
    filler, reviewer = FormStore(forms, actor="张三"), FormStore(forms, actor="李四")
    fid = filler.find(OWN).id
    filler.transition(fid, "submit")
    reviewer.transition(fid, "return", "请补充偏差分析")
    filler.transition(fid, "submit")
    assert reviewer.transition(fid, "approve").status.value == "approved"
