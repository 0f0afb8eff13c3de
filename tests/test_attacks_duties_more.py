"""More attacks on separation of duties (四眼原则) and on the 申报表 mark, each a hole found with plain
psycopg as each role (migration 0015) or through jixiao itself.
"""

from __future__ import annotations

import dataclasses

import psycopg
import pytest
from sqlalchemy import Engine, create_engine

from jixiao.storage.store import FormStore, StoreError, check_import
from jixiao.storage.users import Directory
from scorer.model import Form
from tests.role_setup import JINGKE, PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
FOUR_EYES = "four eyes"
OWN = "企业管理费"  # a form of 经科局, in the reviewer's department


def _copy_as(conn: psycopg.Connection, fid: int, status: str, suffix: str = "（自批）") -> int:  # type: ignore[type-arg]
    """INSERT a copy of form ``fid`` under a new name, written as ``status`` from its first row."""
    cols = [
        r[0]
        for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'forms' AND column_name NOT IN ('id', 'scores_trusted', 'status', 'project_name', "
            "'signed_by', 'signature_sha256') ORDER BY ordinal_position"
        )
    ]
    names = ", ".join(cols)
    row = conn.execute(
        f"INSERT INTO forms ({names}, status, project_name, signed_by, signature_sha256) "  # noqa: S608
        f"SELECT {names}, %s, project_name || %s, '', '' FROM forms WHERE id = %s RETURNING id",
        (status, suffix, fid),
    ).fetchone()
    assert row is not None
    return int(row[0])


@on_pg
@pytest.mark.parametrize("status", ["approved", "signed"])
def test_an_admin_cannot_create_a_form_already_approved_or_signed(setup: Setup, status: str) -> None:
    """0014 checked the change of status only: an admin's INSERT wrote a form 已签章 from its first row."""
    fid = setup.form_id(OWN)
    with setup.connect("admin") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match=FOUR_EYES):
        _copy_as(conn, fid, status)
    assert all(s.status.value == "draft" for s in setup.store.list())


@on_pg
def test_the_owner_still_writes_an_approved_form_and_an_admin_a_submitted_one(setup: Setup) -> None:
    """A restore writes forms as they were (the owner); a submitted form an admin creates is theirs."""
    fid = setup.form_id(OWN)
    with setup.connect_owner() as conn:
        assert setup.store.get(_copy_as(conn, fid, "signed")).status.value == "signed"
    with setup.connect("admin") as conn:
        mine = _copy_as(conn, fid, "submitted", "（管理员建）")
    with setup.connect("admin") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match=FOUR_EYES):
        conn.execute("UPDATE forms SET status = 'approved' WHERE id = %s", (mine,))


# ------------------------------------------------------------------ logins, not display names


def _engine_as(setup: Setup, who: str) -> Engine:
    return create_engine(setup.url.set(username=setup.logins[who], password=PASSWORD))


@on_pg
def test_two_people_of_one_name_are_two_people(setup: Setup) -> None:
    """王伟 the filler submits, 王伟 the reviewer approves: the database lets them (two logins), and so
    must jixiao, whose check read display names from the audit log and refused the reviewer."""
    d = Directory(setup.store.engine)
    d.add_user(setup.logins["jingke"], "王伟", "filler", unit=JINGKE, password=PASSWORD)
    d.add_user(setup.logins["reviewer"], "王伟", "reviewer", department=JINGKE, password=PASSWORD)
    fid = setup.form_id(OWN)
    FormStore(_engine_as(setup, "jingke"), actor="王伟").transition(fid, "submit")
    reviewer = FormStore(_engine_as(setup, "reviewer"), actor="王伟")
    reviewer.may(fid, "approve")
    assert reviewer.transition(fid, "approve").status.value == "approved"


@on_pg
def test_jixiao_sees_a_change_made_around_it_before_a_pdf_is_signed(setup: Setup) -> None:
    """``may`` (asked before ``pdf --sign`` signs a file) read only jixiao's audit log: an admin's change
    made with psql was missed, the PDF was signed, and only then did the database refuse the status."""
    fid = setup.form_id(OWN)
    filler = FormStore(_engine_as(setup, "jingke"), actor="经科局填报人")
    sf = filler.get(fid)
    filler.save(fid, dataclasses.replace(sf.form, deviation_analysis="填报人填写"), sf.version)
    with setup.connect("admin") as conn:  # the last change, made around jixiao: no audit entry names it
        conn.execute("UPDATE forms SET deviation_analysis = '管理员绕过 jixiao 改的' WHERE id = %s", (fid,))
    filler.transition(fid, "submit")
    FormStore(_engine_as(setup, "reviewer"), actor="财政局审核人").transition(fid, "approve")
    from jixiao.workflow import WorkflowError

    with pytest.raises(WorkflowError, match="不能签章自己提交或修改的表单"):
        FormStore(_engine_as(setup, "admin"), actor="管理员").may(fid, "sign")


@on_pg
def test_the_owner_rescores_a_submitted_form_and_a_reviewer_approves_it(setup: Setup) -> None:
    """``db rescore`` (and ``db upgrade``, which rescores) failed on every submitted form a filler had
    saved: the ORM counted a new version, which the read-only guard refuses. The legitimate flow
    around the four-eyes trigger: the owner's rescore is no data change."""
    fid = setup.form_id(OWN)
    filler = FormStore(_engine_as(setup, "jingke"), actor="填")
    sf = filler.get(fid)
    filler.save(fid, dataclasses.replace(sf.form, deviation_analysis="填报人填写"), sf.version)
    filler.transition(fid, "submit")
    version = setup.store.get(fid).version
    assert setup.store.rescore() >= 1  # refused before: the ORM counted a new version of a submitted form
    assert setup.store.get(fid).version == version
    assert setup.store.rescore() == 0  # every verdict now vouched for
    rev = FormStore(_engine_as(setup, "reviewer"), actor="审")
    assert rev.transition(fid, "approve").status.value == "approved"


# ------------------------------------------------------------------ the 申报表 mark


def _titled(title: str) -> Form:
    from jixiao.storage.seed import sample_forms

    _, form = next(iter(sample_forms()))
    return dataclasses.replace(form, title=title)


@pytest.mark.parametrize(
    "title",
    [
        "项 目 支 出 绩 效 目 标 申 报 表",  # titles are spaced out to fill the row
        "项目支出绩效目标申\u3000报\u3000表",
        "项目支出绩效目标申報表",
        "２０２５年度项目支出绩效目标申报表",
    ],
)
def test_a_declaration_title_spaced_or_in_traditional_script_is_still_refused(title: str) -> None:
    with pytest.raises(StoreError, match="申报表请用 jixiao targets declare 导入"):
        check_import([("x.xlsx", _titled(title))], None)


def test_a_self_evaluation_that_names_its_declaration_is_not_refused() -> None:
    check_import([("x.xlsx", _titled("项目支出绩效自评表（绩效目标申报表执行情况）"))], None)


def test_jixiao_asks_what_the_trigger_asks() -> None:
    import importlib

    from jixiao.storage import duties

    migration = importlib.import_module("jixiao.storage.migrations.versions.0014_four_eyes_and_evidence_names")
    latest = importlib.import_module("jixiao.storage.migrations.versions.0020_signer_certificate")
    assert duties.DB_NOT_DATA == latest.NOT_DATA == (*migration.NOT_DATA, "signer_cert_sha256")


def _no_password(setup: Setup, who: str) -> str:
    from sqlalchemy import URL

    u = setup.url
    return URL.create(u.drivername, setup.logins[who], None, u.host, u.port, u.database, u.query).render_as_string()


@on_pg
@pytest.mark.parametrize("batch", [False, True])
def test_the_command_line_says_the_refusal_in_chinese(
    setup: Setup, batch: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``jixiao workflow approve`` by the admin who changed the form: one line, exit 1, no traceback."""
    from tests.test_cli_db import run

    fid = setup.form_id(OWN)
    with setup.connect("admin") as conn:
        conn.execute("UPDATE forms SET deviation_analysis = '管理员改的' WHERE id = %s", (fid,))
    with setup.connect("jingke") as conn:
        conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (fid,))
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    db = _no_password(setup, "admin")
    which = ["--all", "--status", "submitted"] if batch else [str(fid)]
    code, out, err = run("--db", db, "workflow", "approve", *which)
    assert code == 1, out + err
    assert "不能审核通过自己提交或修改的表单" in err and "Traceback" not in err + out
    assert setup.store.get(fid).status.value == "submitted"
    reviewer = _no_password(setup, "reviewer")
    code, out, err = run("--db", reviewer, "workflow", "approve", *which)
    assert code == 0, out + err
    assert setup.store.get(fid).status.value == "approved"
