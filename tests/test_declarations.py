"""Declarations stored, approved and locked (issue 19): the store on both back ends, the CLI, and
every role on PostgreSQL with plain psycopg trying to change an approved target."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest
from psycopg.types.json import Jsonb
from sqlalchemy import Engine

from jixiao.storage import declarations
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore, StoreError
from jixiao.workflow import Stage, State, WorkflowError
from scorer.model import Form, Indicator
from scorer.stages import declaration_from, for_year
from tests.role_setup import SHANGYE, Setup
from tests.storage_backends import PG_REASON, PG_URL, backend_engine
from tests.tools import REVIEWER, second

__all__ = ["backend_engine"]  # the fixture, used by name
LAOGAN = "老干工作经费"


def _insert(conn: psycopg.Connection, table: str, record: str, source: str = "") -> str:  # type: ignore[type-arg]
    """``INSERT INTO table (every column but id) SELECT … FROM source, jsonb_populate_record(record)``:
    an application role may not choose ids (migration 0013). Append a WHERE clause for ``source``."""
    cols = [
        r[0]
        for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = %s AND column_name <> 'id' ORDER BY ordinal_position",
            (table,),
        )
    ]
    quoted = ", ".join(f'"{c}"' for c in cols)
    picked = ", ".join(f'r."{c}"' for c in cols)
    lateral = f"{source}, LATERAL " if source else ""
    return (
        f"INSERT INTO {table} ({quoted}) SELECT {picked} FROM {lateral}jsonb_populate_record(NULL::{table}, {record}) r"
    )


def _declaration() -> Form:
    form = next(f for _, f in sample_forms() if f.project_name == LAOGAN)
    return for_year(declaration_from(form), 2025)


def _approved(store: FormStore) -> int:
    (outcome,) = store.import_forms([("申报.toml", _declaration())], action="declare", stage=Stage.DECLARATION)
    store.transition(outcome.form_id, "submit")
    second(store).transition(outcome.form_id, "approve")
    return outcome.form_id


def _edit(form: Form, n: int, **changes: object) -> Form:
    """``form`` with its ``n``-th indicator changed."""
    goals = []
    k = 0
    for g in form.goals:
        rows = []
        for i in g.indicators:
            rows.append(dataclasses.replace(i, **changes) if k == n else i)  # type: ignore[arg-type]
            k += 1
        goals.append(dataclasses.replace(g, indicators=tuple(rows)))
    return dataclasses.replace(form, goals=tuple(goals))


@pytest.fixture
def store(backend_engine: Engine) -> FormStore:
    return FormStore(backend_engine, actor="商业行办填报人")


def test_the_approval_records_the_rows_and_the_self_evaluation_keeps_them(store: FormStore) -> None:
    fid = _approved(store)
    decl = store.get(fid)
    assert decl.stage is Stage.DECLARATION and decl.status is State.APPROVED
    found = declarations.approval(store, fid)
    assert found is not None and found.approver == REVIEWER
    assert [(a.uid, a.target, a.weight) for a in found.rows] == [
        (i.uid, i.target, i.weight) for i in decl.form.indicators
    ]
    assert store.list(year=2025, stage=Stage.EVALUATION) == []
    begun = declarations.begin_evaluation(store, fid)
    assert (begun.stage, begun.status, begun.form.title) == (Stage.EVALUATION, State.DRAFT, "项目支出绩效自评表")
    assert {h.label for h in store.history(fid) if h.action == "begin"} == {"阶段", "状态", "标题"}
    # the year's work: actuals, scores, an adjusted target with its reason
    done = _edit(begun.form, 0, actual="250人", adjusted_target="≥260")
    saved = store.save(fid, done, begun.version, reason="年底填报")
    assert saved.form.indicators[0].adjusted_target == "≥260"
    with pytest.raises(WorkflowError, match="只有已审核的目标申报表"):
        declarations.begin_evaluation(store, fid)


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (lambda f: _edit(f, 0, target="≥200"), "年初目标值已审核为「≥240」，不能改为「≥200」"),
        (lambda f: _edit(f, 1, weight=Decimal("5")), "分值已审核为 10，不能改为 5"),
        (lambda f: _edit(f, 2, name="改过的名称"), "已审核，不能改为「产出指标/质量指标/改过的名称」"),
        (lambda f: _edit(f, 3, level1="效益指标"), "已审核，不能改为"),
        (lambda f: _edit(f, 4, sub=True), "子项标记已审核"),
        (
            lambda f: _without(f, 6),
            "已审核的指标「满意度指标/服务对象满意度指标/离退休人员对单位开展工作的满意度」不能删除",
        ),
        (lambda f: _with_new_row(f), "指标「产出指标/数量指标/新增一项」不在已审核的目标中，不能新增"),
        (
            lambda f: dataclasses.replace(f, budget=dataclasses.replace(f.budget, weight=Decimal(10))),
            "预算执行的分值已审核为 20，不能改为 10",
        ),
        (
            lambda f: dataclasses.replace(f, goals=(dataclasses.replace(f.goals[0], weight=Decimal(90)),)),
            "年度绩效目标 1 的分值已审核为 80，不能改为 90",
        ),
        (lambda f: _edit(f, 4, direction="positive"), "的指标方向已审核，不能更改"),
        (lambda f: _swapped(f, 1, 2), "指标行的顺序已审核，不能调整"),
        (lambda f: dataclasses.replace(f, project_name="老干工作经费（二）"), "年度、实施单位和项目名称已随目标审核"),
    ],
    ids=[
        "target",
        "weight",
        "name",
        "level",
        "sub",
        "removed",
        "added",
        "budget-weight",
        "goal-weight",
        "direction",
        "order",
        "identity",
    ],  # fmt: skip
)
def test_an_approved_row_cannot_be_changed_removed_or_added_to(store: FormStore, change, said: str) -> None:
    fid = _approved(store)
    begun = declarations.begin_evaluation(store, fid)
    with pytest.raises(StoreError, match="审核锁定，未保存") as caught:
        store.save(fid, change(begun.form), begun.version)
    assert said in str(caught.value)
    assert store.get(fid).form == begun.form  # nothing written
    if change(begun.form).project_name != begun.form.project_name:
        return  # a file under another name is another project, not this form
    with pytest.raises(StoreError, match="改.toml：表单.*审核锁定"):
        store.import_forms([("改.toml", change(begun.form))])


def _swapped(form: Form, a: int, b: int) -> Form:
    g = form.goals[0]
    rows = list(g.indicators)
    rows[a], rows[b] = rows[b], rows[a]
    return dataclasses.replace(form, goals=(dataclasses.replace(g, indicators=tuple(rows)), *form.goals[1:]))


def _without(form: Form, n: int) -> Form:
    k = 0
    goals = []
    for g in form.goals:
        keep = []
        for i in g.indicators:
            if k != n:
                keep.append(i)
            k += 1
        goals.append(dataclasses.replace(g, indicators=tuple(keep)))
    return dataclasses.replace(form, goals=tuple(goals))


def _with_new_row(form: Form) -> Form:
    g = form.goals[0]
    new = Indicator(level1="产出指标", level2="数量指标", name="新增一项", target="≥1次", actual="", weight=Decimal(0))
    return dataclasses.replace(form, goals=(dataclasses.replace(g, indicators=(*g.indicators, new)), *form.goals[1:]))


def test_a_file_without_identities_takes_the_approved_ones(store: FormStore) -> None:
    fid = _approved(store)
    begun = declarations.begin_evaluation(store, fid)
    bare = _edit(begun.form, 0, actual="250人")
    bare = dataclasses.replace(
        bare,
        goals=tuple(
            dataclasses.replace(g, indicators=tuple(dataclasses.replace(i, uid="") for i in g.indicators))
            for g in bare.goals
        ),
    )
    (outcome,) = store.import_forms([("手写.toml", bare)])
    assert outcome.outcome == "updated" and outcome.changes == 1
    assert [i.uid for i in store.get(fid).form.indicators] == [i.uid for i in begun.form.indicators]


def test_a_declaration_reopened_and_approved_again_locks_the_new_targets(store: FormStore) -> None:
    fid = _approved(store)
    store.transition(fid, "reopen", "主管部门要求提高目标")
    sf = store.get(fid)
    sf = store.save(fid, _edit(sf.form, 0, target="≥260"), sf.version)
    store.transition(fid, "submit")
    second(store).transition(fid, "approve")
    found = declarations.approval(store, fid)
    assert found is not None and found.rows[0].target == "≥260"
    begun = declarations.begin_evaluation(store, fid)
    with pytest.raises(StoreError, match="已审核为「≥260」，不能改为「≥240」"):
        store.save(fid, _edit(begun.form, 0, target="≥240"), begun.version)


def test_locked_forms_are_not_deleted_and_stages_do_not_mix(store: FormStore) -> None:
    fid = _approved(store)
    store.transition(fid, "reopen", "退回修改")
    with pytest.raises(StoreError, match="审核锁定，不能删除"):
        store.delete(fid, "不要了")
    with pytest.raises(StoreError, match="是绩效目标申报表，不是自评表"):
        store.import_forms([("自评.toml", _edit(_declaration(), 0, actual="1"))])
    evaluation = dataclasses.replace(_edit(_declaration(), 0, actual="1"), title="项目支出绩效自评表")
    with pytest.raises(StoreError, match="目标申报」阶段，不能作为绩效自评表导入"):
        store.import_forms([("自评.toml", evaluation)])
    with pytest.raises(WorkflowError, match="只有已审核的目标申报表"):
        declarations.begin_evaluation(store, fid)


def test_the_review_leaves_declarations_out(store: FormStore) -> None:
    from jixiao.review.aggregate import Filters, aggregate

    store.import_forms([("申报.toml", _declaration())], action="declare", stage=Stage.DECLARATION)
    assert aggregate(store.engine, "unit", Filters(year=2025)) == []
    assert store.count(year=2025) == 1 and store.count(year=2025, stage=Stage.EVALUATION) == 0


# ------------------------------------------------------------------ the CLI, on SQLite


def _jixiao(db: Path, *argv: str, user: str = "测试") -> subprocess.CompletedProcess[str]:
    env = {"JIXIAO_DB": str(db), "JIXIAO_USER": user, "PATH": "/usr/bin:/bin", "HOME": str(db.parent)}
    return subprocess.run([sys.executable, "-m", "jixiao", *argv], capture_output=True, text=True, env=env)


def test_the_year_from_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "j.db"
    samples = Path(__file__).resolve().parents[1] / "samples"
    assert (
        _jixiao(db, "targets", "derive", str(samples), "--year", "2025", "-o", str(tmp_path / "decl")).returncode == 0
    )
    declared = _jixiao(db, "targets", "declare", str(tmp_path / "decl"))
    assert declared.returncode == 0 and "新建 9 份" in declared.stdout
    listed = _jixiao(db, "list", "--year", "2025")
    assert listed.stdout.count("申报·草稿") == 9
    checked = _jixiao(db, "targets", "check", "--from-db", "--year", "2025", "--json")
    assert checked.returncode in (0, 1) and '"declarations"' in checked.stdout
    ref = f"2025/{SHANGYE}/{LAOGAN}"
    printed = _jixiao(db, "pdf", ref, "-o", str(tmp_path / "decl-pdf"))
    assert printed.returncode == 0, printed.stderr
    from jixiao.pdf.meta import page_text

    (pdf,) = (tmp_path / "decl-pdf").glob("*.pdf")
    words = page_text(pdf.read_bytes())
    assert "项目支出绩效目标申报表" in words and "≥240" in words and "得分" not in words  # targets, no score
    early = _jixiao(db, "targets", "begin", ref)
    assert early.returncode == 1 and "只有已审核的目标申报表可以开始自评" in early.stderr
    assert _jixiao(db, "workflow", "submit", ref).returncode == 0
    own = _jixiao(db, "workflow", "approve", ref)  # 四眼原则: not by who submitted it
    assert own.returncode == 1 and "不能审核通过自己提交或修改的表单" in own.stderr
    assert _jixiao(db, "workflow", "approve", ref, user=REVIEWER).returncode == 0
    begun = _jixiao(db, "targets", "begin", ref)
    assert begun.returncode == 0 and "7 项指标的年初目标值已锁定" in begun.stdout
    shown = _jixiao(db, "targets", "show", ref)
    assert "绩效自评，草稿" in shown.stdout and "≥240" in shown.stdout
    out = tmp_path / "ex"
    assert _jixiao(db, "export", "--form", ref, "-o", str(out)).returncode == 0
    (path,) = out.iterdir()
    path.write_text(path.read_text(encoding="utf-8").replace('"≥240"', '"≥200"', 1), encoding="utf-8")
    refused = _jixiao(db, "import", str(path))
    assert refused.returncode == 1 and "不能改为「≥200」" in refused.stderr and "Traceback" not in refused.stderr


# ------------------------------------------------------------------ PostgreSQL, by role

pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)


def _pg_declaration(setup: Setup) -> int:
    """A 2025 declaration of the shangye unit, submitted by its filler, approved by the reviewer with psql."""
    (outcome,) = setup.store.import_forms([("申报.toml", _declaration())], action="declare", stage=Stage.DECLARATION)
    fid = outcome.form_id
    setup.store.transition(fid, "submit")
    with setup.connect("reviewer") as conn:
        conn.execute("UPDATE forms SET status = 'approved', version = version + 1 WHERE id = %s", (fid,))
    return fid


@pg
def test_postgres_copies_the_approval_itself_and_nobody_writes_it(setup: Setup) -> None:
    fid = _pg_declaration(setup)
    with setup.connect("reviewer") as conn:
        rows = conn.execute("SELECT approver, db_user, kind FROM approved_targets WHERE form_id = %s", (fid,))
        got = rows.fetchall()
    assert sorted(k for _, _, k in got) == ["budget", "goal"] + ["indicator"] * 7 and {(a, u) for a, u, _ in got} == {
        ("财政局审核人", setup.logins["reviewer"])
    }
    insert = (
        "INSERT INTO approved_targets (form_id, approval, kind, goal_position, position, uid, level1, level2, name, "
        "target, weight, sub, approver, at) VALUES (%s, 99, 'indicator', 0, 0, 'x', '', '', 'x', '≥1', 1, false, 'x', now())"
    )
    for who in ("shangye", "reviewer", "admin"):
        with setup.connect(who) as conn:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(insert, (fid,))
            for sql in ("UPDATE approved_targets SET target = '≥1'", "DELETE FROM approved_targets"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(sql)
    with setup.store.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.exec_driver_sql("DELETE FROM approved_targets")  # not even the owner


@pg
def test_postgres_holds_the_lock_against_each_role(setup: Setup) -> None:
    fid = _pg_declaration(setup)
    with setup.connect("jingke") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT jixiao_begin_evaluation(%s)", (fid,))  # another unit's form
    with setup.connect("reviewer") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT jixiao_begin_evaluation(%s)", (fid,))  # reviewers do not fill forms
    with setup.connect("shangye") as conn:
        conn.execute("SELECT jixiao_begin_evaluation(%s)", (fid,))
        assert conn.execute("SELECT stage, status FROM forms WHERE id = %s", (fid,)).fetchone() == (
            "evaluation",
            "draft",
        )
        with conn.transaction():  # a row's change beside a new version of its form (migration 0021)
            conn.execute("UPDATE indicators SET actual = '250人' WHERE form_id = %s AND position = 0", (fid,))
            conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
        attacks = [
            "UPDATE indicators SET target = '≥1' WHERE form_id = %s",
            "UPDATE indicators SET weight = 0 WHERE form_id = %s AND position = 0",
            "UPDATE indicators SET sub = true WHERE form_id = %s AND position = 1",
            "UPDATE indicators SET uid = 'fresh' WHERE form_id = %s AND position = 0",
            "UPDATE goals SET weight = 90 WHERE form_id = %s",
            "UPDATE indicators SET direction = 'positive' WHERE form_id = %s AND position = 4",
            "UPDATE indicators SET position = 100 - position WHERE form_id = %s",  # the order sub-rows score by
            "INSERT INTO goals (form_id, position, text, weight) SELECT form_id, 0, '重复的目标', weight FROM goals WHERE form_id = %s",
            # the same row twice: a multiset, not a set, is compared
            _insert(conn, "indicators", 'to_jsonb(i) || \'{"actual": "300", "position": 7}\'', "indicators i")
            + " WHERE i.form_id = %s AND i.position = 0",
            "UPDATE forms SET budget_weight = 10 WHERE id = %s",
            _insert(
                conn, "indicators", 'to_jsonb(i) || \'{"uid": "new", "name": "新增", "position": 99}\'', "indicators i"
            )
            + " WHERE i.form_id = %s LIMIT 1",
        ]
        for sql in attacks:
            with pytest.raises(psycopg.errors.CheckViolation, match="locked"), conn.transaction():
                conn.execute(sql, (fid,))
                conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
        # the app's own way of saving, done by hand: every row deleted and written again
        goals = [r[0] for r in conn.execute("SELECT to_jsonb(g) FROM goals g WHERE form_id = %s", (fid,))]
        rows = [
            r[0] for r in conn.execute("SELECT to_jsonb(i) FROM indicators i WHERE form_id = %s ORDER BY id", (fid,))
        ]

        def rewrite(first_target: str) -> None:
            with conn.transaction():
                conn.execute("SELECT jixiao_clear_children(%s)", (fid,))
                conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
                new_goal = {}
                for g in goals:  # ids come from the sequences (migration 0013): the rows point at the new goals
                    new_goal[g["id"]] = conn.execute(
                        _insert(conn, "goals", "%s") + " RETURNING id", (Jsonb(g),)
                    ).fetchone()[0]  # type: ignore[index]
                for k, r in enumerate(rows):
                    r = {**r, "target": first_target} if k == 0 else r
                    conn.execute(_insert(conn, "indicators", "%s"), (Jsonb({**r, "goal_id": new_goal[r["goal_id"]]}),))

        rewrite(rows[0]["target"])  # the same rows: taken
        with pytest.raises(psycopg.errors.CheckViolation, match="locked"):
            rewrite("≥1")  # one target changed: refused at commit, nothing kept
        kept = conn.execute(
            "SELECT target FROM indicators WHERE form_id = %s AND uid = %s", (fid, rows[0]["uid"])
        ).fetchone()  # the row as rewritten the first time: new id, same identity
        assert kept == (rows[0]["target"],)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE forms SET stage = 'declaration' WHERE id = %s", (fid,))
        other = next(s.id for s in setup.store.list(year=2024) if s.project_name == LAOGAN)  # the unit's 2024 draft
        (row,) = conn.execute("SELECT id FROM indicators WHERE form_id = %s AND position = 0", (fid,)).fetchone() or (
            0,
        )
        with pytest.raises(psycopg.errors.ForeignKeyViolation):  # its goal is not the other form's
            conn.execute("UPDATE indicators SET form_id = %s, target = '≥1' WHERE id = %s", (other, row))
        with pytest.raises(psycopg.errors.CheckViolation, match="stays with its form"), conn.transaction():
            conn.execute(  # goal and all: refused at commit, with both forms at a new version (migration 0021)
                "UPDATE indicators SET form_id = %s, goal_id = (SELECT min(id) FROM goals WHERE form_id = %s), "
                "target = '≥1' WHERE id = %s",
                (other, other, row),
            )
            conn.execute("UPDATE forms SET version = version + 1 WHERE id IN (%s, %s)", (fid, other))
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute(
                "UPDATE indicators SET goal_id = (SELECT min(id) FROM goals WHERE form_id = %s) WHERE id = %s",
                (other, row),
            )
        for sql in (
            "UPDATE forms SET project_name = project_name || '（作废）' WHERE id = %s",
            "UPDATE forms SET year = 2099 WHERE id = %s",
        ):
            with pytest.raises(psycopg.errors.CheckViolation, match="year, unit and project stay"):
                conn.execute(sql, (fid,))
        with pytest.raises(psycopg.errors.ForeignKeyViolation):  # a locked form is never deleted
            conn.execute("SELECT jixiao_delete_form(%s)", (fid,))
    with setup.connect("admin") as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match="stage moves only"):
            conn.execute("UPDATE forms SET stage = 'declaration' WHERE id = %s", (fid,))
        for sql in (
            "UPDATE indicators SET target = '≥1' WHERE form_id = %s",
            "DELETE FROM indicators WHERE form_id = %s",
        ):
            with pytest.raises(psycopg.errors.CheckViolation, match="locked"):
                conn.execute(sql, (fid,))
        with pytest.raises(psycopg.errors.ForeignKeyViolation):
            conn.execute("DELETE FROM forms WHERE id = %s", (fid,))
    assert declarations.approval(setup.store, fid) is not None
    assert setup.store.get(fid).form.indicators[0].actual == "250人"


@pg
def test_postgres_a_declaration_begins_as_a_draft_and_moves_one_way(setup: Setup) -> None:
    with setup.connect("admin") as conn:
        copy = _insert(conn, "forms", "to_jsonb(f) || %s", "forms f") + " WHERE f.project_name = '老干工作经费'"
        with pytest.raises(psycopg.errors.CheckViolation, match="begins as a draft"):
            conn.execute(copy, (Jsonb({"year": 2031, "stage": "declaration", "status": "approved"}),))
        with pytest.raises(psycopg.errors.CheckViolation, match="ck_forms_stage"):
            conn.execute(copy, (Jsonb({"year": 2031, "stage": "monitoring", "status": "draft"}),))
        conn.execute(copy, (Jsonb({"year": 2031, "stage": "declaration", "status": "draft"}),))
    sf = next(s for s in setup.store.list(year=2024) if s.project_name == LAOGAN)  # a self-evaluation
    with setup.connect("admin") as conn, pytest.raises(psycopg.errors.CheckViolation, match="stage moves only"):
        conn.execute("UPDATE forms SET stage = 'declaration' WHERE id = %s", (sf.id,))


@pg
def test_the_app_as_the_units_filler_begins_and_is_refused_a_changed_target(setup: Setup) -> None:
    from jixiao.storage.database import make_engine
    from tests.role_setup import PASSWORD

    fid = _pg_declaration(setup)
    u = setup.url.set(username=setup.logins["shangye"], password=PASSWORD)
    filler = FormStore(make_engine(u.render_as_string(hide_password=False)), actor="应用里填的名字")
    try:
        begun = declarations.begin_evaluation(filler, fid)
        # the database stamps the login's registered name, whatever name the application gives (0019)
        assert begun.stage is Stage.EVALUATION and begun.updated_by == "商业行办填报人"
        saved = filler.save(fid, _edit(begun.form, 0, actual="250人"), begun.version)
        with pytest.raises(StoreError, match="审核锁定"):
            filler.save(fid, _edit(saved.form, 0, target="≥1"), saved.version)
    finally:
        filler.engine.dispose()


def test_one_project_through_the_whole_year(store: FormStore) -> None:
    """Declared, approved, monitored, self-evaluated, submitted, approved, re-checked, printed and reviewed:
    one set of rows through every stage, on each back end."""
    from jixiao.pdf.layout import render_pdf
    from jixiao.pdf.meta import page_text, read_meta
    from jixiao.review.aggregate import Filters, aggregate
    from jixiao.storage import evidence, rechecks, snapshots
    from scorer.monitoring import load_snapshot

    fid = _approved(store)  # 目标申报 → 目标审核
    begun = declarations.begin_evaluation(store, fid)  # → 自评, targets locked
    snap = load_snapshot(Path(__file__).parents[1] / "docs/examples/monitoring/2024-laogan-1-6.toml")
    snapshots.save(store, dataclasses.replace(snap, year=2025))  # 运行监控 on the same rows
    done = _edit(begun.form, 0, actual="250人")
    for n, ind in enumerate(done.indicators):  # year end: the actuals as the 2024 form reports them
        done = _edit(done, n, actual=ind.actual or "达成")
    sf = store.save(fid, done, begun.version, reason="年终自评")
    evidence.add(store, fid, "满意度调查.txt", "120 份".encode(), "离退休人员对单位开展工作的满意度")
    store.transition(fid, "submit")
    second(store).transition(fid, "approve")
    rechecks.record(second(store), fid, "离退休人员春节重阳慰问", Decimal(18), "名单有重复")  # 复核, by a second person
    sf = store.get(fid)
    assert sf.stage is Stage.EVALUATION and sf.status is State.APPROVED
    assert [i.uid for i in sf.form.indicators] == [a.uid for a in declarations.approval(store, fid).rows]  # type: ignore[union-attr]
    pdf = render_pdf(store.score(sf.form), rechecks=rechecks.latest(store, fid))
    assert "财政复核记录" in page_text(pdf) and read_meta(pdf).rechecks.startswith("1 ")
    (row,) = aggregate(store.engine, "unit", Filters(year=2025))
    assert row.forms == 1


@pg
def test_postgres_numbers_approvals_itself_not_by_the_writable_version(setup: Setup) -> None:
    """A filler who sets the version before each approval cannot choose which approval binds (and since
    migration 0042 a version moves one step at a time)."""
    (outcome,) = setup.store.import_forms([("申报.toml", _declaration())], action="declare", stage=Stage.DECLARATION)
    fid = outcome.form_id
    with setup.connect("shangye") as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match="one step"):
            conn.execute("UPDATE forms SET version = 1000, status = 'submitted' WHERE id = %s", (fid,))
        conn.execute("UPDATE forms SET version = version + 1, status = 'submitted' WHERE id = %s", (fid,))
    with setup.connect("reviewer") as conn:
        conn.execute("UPDATE forms SET status = 'approved' WHERE id = %s", (fid,))
        conn.execute("UPDATE forms SET status = 'draft' WHERE id = %s", (fid,))  # reopened: a higher target asked
    with setup.connect("shangye") as conn:
        with conn.transaction():
            conn.execute("UPDATE indicators SET target = '≥300' WHERE form_id = %s AND position = 0", (fid,))
            conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))  # a new version (0021)
        with pytest.raises(psycopg.errors.CheckViolation, match="back to"):  # never back (migration 0030)
            conn.execute("UPDATE forms SET version = 1, status = 'submitted' WHERE id = %s", (fid,))
        conn.execute("UPDATE forms SET version = version + 1, status = 'submitted' WHERE id = %s", (fid,))
    with setup.connect("reviewer") as conn:
        conn.execute("UPDATE forms SET status = 'approved' WHERE id = %s", (fid,))
        numbers = conn.execute("SELECT DISTINCT approval FROM approved_targets WHERE form_id = %s ORDER BY 1", (fid,))
        assert [n for (n,) in numbers] == [1, 2]
    found = declarations.approval(setup.store, fid)
    assert found is not None and found.rows[0].target == "≥300"
    with setup.connect("shangye") as conn:
        conn.execute("SELECT jixiao_begin_evaluation(%s)", (fid,))
        with pytest.raises(psycopg.errors.CheckViolation, match="locked"):
            conn.execute("UPDATE indicators SET target = '≥240' WHERE form_id = %s AND position = 0", (fid,))


@pg
def test_postgres_a_row_cannot_hang_under_another_units_goal(setup: Setup) -> None:
    """The goal a row hangs under is a goal of the row's own form: no row slips into a form its writer cannot see."""
    own = next(s.id for s in setup.store.list(year=2024) if s.project_name == LAOGAN)
    theirs = setup.form_id("企业管理费")  # the other unit's form
    with setup.store.engine.connect() as owner:  # goal ids are sequential: an attacker can guess them
        goal = owner.exec_driver_sql(f"SELECT min(id) FROM goals WHERE form_id = {theirs}").scalar_one()
    with setup.connect("shangye") as conn, pytest.raises(psycopg.errors.ForeignKeyViolation):
        conn.execute(
            _insert(
                conn,
                "indicators",
                "to_jsonb(i) || jsonb_build_object('goal_id', %s::int, 'name', '注入的指标')",
                "indicators i",
            )
            + " WHERE i.form_id = %s LIMIT 1",
            (goal, own),
        )
    assert "注入的指标" not in [i.name for i in setup.store.get(theirs).form.indicators]


def test_the_list_shows_no_self_evaluation_problems_for_a_declaration(store: FormStore) -> None:
    """The list showed a 申报表 with 8 problems: the engine's, one per empty actual it cannot have yet.
    The stored verdict stays the self-evaluation's (the review sums it once the form is begun, even
    through psql: tests/test_attacks_review.py); the list says 「—」 as it does for the rule score."""
    from rich.console import Console

    from jixiao.cli.db import forms_table

    fid = _approved(store)
    console = Console(width=200, record=True)
    console.print(forms_table(store.list()))
    (shown,) = [ln for ln in console.export_text().splitlines() if ln.strip().startswith(str(fid))]
    assert shown.split()[-1] == "—" and store.list()[0].problems
    begun = declarations.begin_evaluation(store, fid)
    console.print(forms_table(store.list()))
    (shown,) = [ln for ln in console.export_text().splitlines()[-3:] if ln.strip().startswith(str(fid))]
    from jixiao.checks import run_form_checks  # the list counts the form's own checks, as check and review do

    assert shown.split()[-1] == str(len(run_form_checks(store.score(begun.form))))


def test_a_self_evaluation_whose_targets_were_never_approved_is_flagged_beside_approved_ones(
    store: FormStore,
) -> None:
    """A filler could store a 2025 self-evaluation directly, its targets written at year end to fit
    the actuals, while the department's other projects went through 申报 → 审核; nothing said so."""
    import io

    from rich.console import Console

    from jixiao.checks import run_portfolio_checks
    from jixiao.cli.review import load_records
    from jixiao.review.aggregate import Filters

    begun = declarations.begin_evaluation(store, _approved(store))
    other = next(f for _, f in sample_forms() if f.project_name != LAOGAN and f.department == begun.form.department)
    (direct,) = store.import_forms([("直接.toml", dataclasses.replace(other, year=2025))])
    assert declarations.approved_among(store, [begun.id, direct.form_id]) == {begun.id}

    def flagged() -> list[str]:
        records, _ = load_records(store, Filters(year=2025), 100, Console(file=io.StringIO()))
        return [f.form_key for f in run_portfolio_checks(records) if f.check_id == "targets-not-approved"]

    assert flagged() == [direct.key]


def test_a_declaration_file_is_not_imported_as_a_self_evaluation(store: FormStore, tmp_path: Path) -> None:
    """`jixiao import decl/` (or an exported 申报表 imported elsewhere) stored the declaration as a
    self-evaluation: 0.00 差 and an error on every empty actual. Its title says what it is."""
    from jixiao.file_import import import_paths
    from scorer.formfile import dumps_toml

    path = tmp_path / "申报.toml"
    path.write_text(dumps_toml(_declaration()), encoding="utf-8")
    for fast in (True, False):
        (done,) = import_paths(store, [path], jobs=1, fast=fast)
        assert "是绩效目标申报表，不是自评表；申报表请用 jixiao targets declare 导入" in done.error
    with pytest.raises(StoreError, match="targets declare"):
        store.import_forms([("申报.toml", _declaration())])
    assert store.list() == []
    (outcome,) = store.import_forms([("申报.toml", _declaration())], action="declare", stage=Stage.DECLARATION)
    assert outcome.outcome == "created"
