"""Attacks on the year's later steps — 复核, 运行监控 snapshots, locked targets, the 抽评 draw — with
plain psycopg as each role, as psql would, and through jixiao on SQLite where it applies.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from jixiao.storage import rechecks
from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore, StoreError
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "企业管理费"  # a form of 经科局, in the reviewer's department
FOUR_EYES = "four eyes"
RECHECK = (
    "INSERT INTO rechecks (form_id, indicator_uid, indicator, score, opinion, reviewer, at) "
    "VALUES (%s, %s, '', %s, %s, '', now())"
)
SNAPSHOT = "INSERT INTO monitoring (form_id, months, data, actor, at) VALUES (%s, %s, %s, '', now())"


def _uid(conn: psycopg.Connection, fid: int) -> str:  # type: ignore[type-arg]
    row = conn.execute("SELECT uid FROM indicators WHERE form_id = %s ORDER BY id LIMIT 1", (fid,)).fetchone()
    assert row is not None
    return str(row[0])


def _submit(setup: Setup, who: str, fid: int) -> None:
    with setup.connect(who) as conn:
        conn.execute("UPDATE forms SET status = 'submitted', version = version + 1 WHERE id = %s", (fid,))


# ------------------------------------------------------------------ 复核 and four eyes


@on_pg
def test_an_admin_cannot_recheck_a_form_whose_data_they_last_changed(setup: Setup) -> None:
    """The 复核 is the second person's score: the login that last changed a form's data gives none."""
    fid = setup.form_id(OWN)
    with setup.connect("admin") as conn:
        with conn.transaction():  # a row's change beside a new version of its form (migration 0021)
            conn.execute("UPDATE indicators SET actual = '全部完成' WHERE form_id = %s", (fid,))
            conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
        uid = _uid(conn, fid)
    _submit(setup, "jingke", fid)
    FormStore(setup.store.engine, actor="管理员").rescore()  # the owner vouches for the weights (migration 0022)
    with setup.connect("admin") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match=FOUR_EYES):
        conn.execute(RECHECK, (fid, uid, 0, "给自己改过的表单复核"))
    with setup.connect("reviewer") as conn:  # a second person may
        conn.execute(RECHECK, (fid, uid, 0, "复核"))
        assert conn.execute("SELECT count(*) FROM rechecks").fetchone() == (1,)


@on_pg
def test_a_login_cannot_recheck_the_form_it_submitted(setup: Setup) -> None:
    """An admin who submits a unit's form is its submitter, and a reviewer once a filler likewise."""
    fid = setup.form_id(OWN)
    _submit(setup, "admin", fid)
    with setup.connect("admin") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege, match=FOUR_EYES):
        conn.execute(RECHECK, (fid, _uid(conn, fid), 0, "自己提交的"))


@on_pg
def test_the_app_says_why_a_recheck_of_ones_own_form_is_refused(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    u = setup.url.set(username=setup.logins["admin"], password=PASSWORD)
    admin = FormStore(make_engine(u.render_as_string(hide_password=False)), actor="管理员")
    try:
        admin.transition(fid, "submit")
        with pytest.raises(StoreError, match="不能复核自己提交或修改的表单"):
            rechecks.record(admin, fid, "保质保量完成", Decimal(1), "自己复核")
    finally:
        admin.engine.dispose()


def test_on_sqlite_the_submitter_cannot_recheck_their_own_form(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'j.db'}")
    upgrade(engine)
    store = FormStore(engine, actor="商业行办填报人")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    fid = store.find("老干工作经费").id
    store.transition(fid, "submit")
    with pytest.raises(StoreError, match="不能复核自己提交或修改的表单"):
        rechecks.record(store, fid, "老干工作经费", Decimal(8), "自评自复核")
    other = FormStore(store.engine, actor="财政局审核人")
    assert rechecks.record(other, fid, "老干工作经费", Decimal(8), "执行超预算").score == Decimal(8)


# ------------------------------------------------------------------ 运行监控: no snapshot after submission


@on_pg
@pytest.mark.parametrize("status", ["submitted", "approved", "signed"])
def test_a_filler_cannot_add_a_snapshot_to_a_self_evaluation_already_submitted(setup: Setup, status: str) -> None:
    """A snapshot written after submission replaced the mid-year picture the review and the approval saw
    (the latest of a period counts): the year-end warnings of an approved form went away."""
    fid = setup.form_id("老干工作经费")
    setup.store.transition(fid, "submit")
    if status != "submitted":
        with setup.connect("reviewer") as conn:
            conn.execute("UPDATE forms SET status = 'approved', version = version + 1 WHERE id = %s", (fid,))
    if status == "signed":
        with setup.connect("reviewer") as conn:
            conn.execute("UPDATE forms SET status = 'signed', version = version + 1 WHERE id = %s", (fid,))
    data = json.dumps({"year": 2024, "months": 6})
    for who in ("shangye", "admin"):
        with setup.connect(who) as conn, pytest.raises(psycopg.errors.CheckViolation, match="snapshot"):
            conn.execute(SNAPSHOT, (fid, 6, data))


def test_on_sqlite_no_snapshot_is_added_to_a_submitted_self_evaluation(tmp_path: Path) -> None:
    from jixiao.storage import snapshots
    from scorer.monitoring import load_snapshot

    engine = make_engine(f"sqlite:///{tmp_path / 'j.db'}")
    upgrade(engine)
    store = FormStore(engine, actor="商业行办填报人")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    snap = load_snapshot(Path(__file__).parents[1] / "docs/examples/monitoring/2024-laogan-1-6.toml")
    fid = snapshots.save(store, snap)  # a draft: taken
    store.transition(fid, "submit")
    with pytest.raises(StoreError, match="自评表提交之前"):
        snapshots.save(store, snap)
    assert len(snapshots.for_form(store, fid)) == 1


# ------------------------------------------------------------------ a 复核 cannot be hidden


@on_pg
def test_a_filler_cannot_hide_a_recheck_by_changing_the_rows_identity(setup: Setup) -> None:
    """A 复核 is keyed by its row's identity: a filler whose form was returned gave the row another
    identity (or deleted it and wrote it again), and the reviewer's 复核 vanished from `recheck`,
    the review and the PDF. It is now shown as a 复核 of a row no longer on the form."""
    from rich.console import Console

    from jixiao.cli.recheck import _table
    from jixiao.pdf.layout import render_pdf
    from jixiao.pdf.meta import page_text, read_meta
    from jixiao.review.aggregate import Filters
    from jixiao.review.rechecks import recheck_lines
    from jixiao.storage.users import Directory

    fid = setup.form_id("老干工作经费")
    setup.store.transition(fid, "submit")
    d = Directory(setup.store.engine)
    setup.logins["sy_reviewer"] = f"{setup.logins['reviewer']}_sy"
    d.add_user(
        setup.logins["sy_reviewer"],
        "商业审核人",
        "reviewer",
        department=setup.store.get(fid).form.department,
        password=PASSWORD,
    )
    try:
        with setup.connect("sy_reviewer") as conn:
            uid = _uid(conn, fid)
            conn.execute(RECHECK, (fid, uid, 1, "慰问名单有重复"))
            conn.execute("UPDATE forms SET status = 'returned', version = version + 1 WHERE id = %s", (fid,))
    finally:
        d.remove_user(setup.logins["sy_reviewer"])
    with setup.connect("shangye") as conn:
        for sql in ("UPDATE rechecks SET score = 10", "DELETE FROM rechecks", "TRUNCATE rechecks"):  # held
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
        with conn.transaction():
            conn.execute("UPDATE indicators SET uid = 'fresh' WHERE form_id = %s AND uid = %s", (fid, uid))
            conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
    setup.store.transition(fid, "submit")
    sf = setup.store.get(fid)
    result = setup.store.score(sf.form)
    latest = rechecks.latest(setup.store, fid)
    (line,), _ = recheck_lines(setup.store, Filters(year=2024))
    assert "慰问名单有重复" in line.opinion and "不在表单中" in line.indicator and line.recheck == 1
    console = Console(width=200, record=True)
    console.print(_table(sf, result, latest))
    assert "慰问名单有重复" in console.export_text()
    pdf = render_pdf(result, rechecks=latest)
    assert "慰问名单有重复" in page_text(pdf) and read_meta(pdf).rechecks.startswith("1 ")


# ------------------------------------------------------------------ 抽评: held


@on_pg
def test_a_filler_cannot_lower_the_chance_of_being_drawn_by_anything_stored(setup: Setup) -> None:
    """The draw scores every form afresh from its data: forged verdicts, problem counts and row
    verdicts on a form change neither its risk nor its reasons (held; migration 0004's distrust)."""
    from rich.console import Console

    from jixiao.checks import run_all
    from jixiao.checks.sampling import draw
    from jixiao.cli.review import load_records
    from jixiao.review.aggregate import Filters

    def drawn() -> dict[str, tuple[int, tuple[str, ...]]]:
        records, _ = load_records(setup.store, Filters(year=2024), 2000, Console(quiet=True))
        found = run_all(records)
        return {d.key: (d.risk, d.reasons) for d in draw(records, found, 100, 7)}

    before = drawn()
    fid = setup.form_id("老干工作经费")
    key = setup.store.get(fid).key
    assert before[key][0] > 1  # the 94 form has findings worth drawing it for
    with setup.connect("shangye") as conn:
        conn.execute(
            "UPDATE forms SET computed_total = total_recorded, computed_problems = 0, computed_pending = 0, "
            "agg_errors = 0, agg_warnings = 0, agg_infos = 0, agg_total_c = agg_recorded_c WHERE id = %s",
            (fid,),
        )
        conn.execute(
            "UPDATE indicators SET computed_status = 'met', computed_score = recorded_score, agg_score_u = agg_weight_u "
            "WHERE form_id = %s",
            (fid,),
        )
    assert drawn() == before


# ------------------------------------------------------------------ locked targets: held


@on_pg
def test_an_adjusted_target_written_with_psql_on_a_locked_form_is_an_error_of_the_check(setup: Setup) -> None:
    """调整后目标值 is the one target a locked self-evaluation may change (by design); written with psql,
    without a reason, it is scored but flagged as an error that 自查 and the review show (held)."""
    from jixiao.checks import run_form_checks
    from jixiao.checks.model import Severity
    from tests.test_declarations import _pg_declaration

    fid = _pg_declaration(setup)
    with setup.connect("shangye") as conn:
        conn.execute("SELECT jixiao_begin_evaluation(%s)", (fid,))
        with conn.transaction():  # a row's change beside a new version of its form (migration 0021)
            conn.execute("UPDATE indicators SET adjusted_target = '≥1' WHERE form_id = %s AND position = 0", (fid,))
            conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
        with pytest.raises(psycopg.errors.CheckViolation, match="locked"), conn.transaction():  # the 年初目标值 stays
            conn.execute("UPDATE indicators SET target = '≥1' WHERE form_id = %s AND position = 0", (fid,))
            conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
    found = run_form_checks(setup.store.score(setup.store.get(fid).form))
    (adjusted,) = [f for f in found if f.check_id == "target-adjusted"]
    assert adjusted.severity is Severity.ERROR and "未说明调整理由" in adjusted.message
