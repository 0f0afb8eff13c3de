"""An approval locks each goal's text (migration 0036), as it locks the rows and the weights.

The text of a 年度绩效目标 is what the reviewer approved with its indicators; it was not copied into
``approved_targets``, so a filler could rewrite it after the approval, with jixiao or with psql.
"""

from __future__ import annotations

import dataclasses

import psycopg
import pytest
from psycopg.types.json import Jsonb
from sqlalchemy import Engine

from jixiao.storage import declarations
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore, StoreError
from jixiao.workflow import Stage
from scorer.model import Form
from scorer.stages import declaration_from, for_year
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL, backend_engine
from tests.test_declarations import _insert
from tests.tools import second

__all__ = ["backend_engine"]  # the fixture, used by name
on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
GOAL = "全年开展春节、重阳慰问，组织离退休党员学习教育，服务满意度不低于90%"


def _declaration(project: str) -> Form:
    form = next(f for _, f in sample_forms() if f.project_name == project)
    form = dataclasses.replace(form, goals=(dataclasses.replace(form.goals[0], text=GOAL), *form.goals[1:]))
    return for_year(declaration_from(form), 2025)


def _begun(store: FormStore, project: str = "老干工作经费") -> int:
    (outcome,) = store.import_forms([("申报.toml", _declaration(project))], action="declare", stage=Stage.DECLARATION)
    store.transition(outcome.form_id, "submit")
    second(store).transition(outcome.form_id, "approve")
    return declarations.begin_evaluation(store, outcome.form_id).id


@pytest.fixture
def store(backend_engine: Engine) -> FormStore:
    return FormStore(backend_engine, actor="商业行办填报人")


def test_a_goal_s_text_cannot_be_rewritten_after_its_approval(store: FormStore) -> None:
    fid = _begun(store)
    begun = store.get(fid)
    assert begun.form.goals[0].text == GOAL
    changed = dataclasses.replace(begun.form, goals=(dataclasses.replace(begun.form.goals[0], text="另写的目标"),))
    with pytest.raises(StoreError, match="年度绩效目标 1 的内容已随目标审核，不能更改"):
        store.save(fid, changed, begun.version)
    assert store.get(fid).form.goals[0].text == GOAL
    same = dataclasses.replace(begun.form, deviation_analysis="偏差说明可以写")
    assert store.save(fid, same, begun.version).form.goals[0].text == GOAL  # the rest stays editable


@on_pg
@pytest.mark.parametrize("who", ["shangye", "admin", "owner"])
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE goals SET text = '另写的目标' WHERE form_id = %s",
        "UPDATE goals SET text = text || ' ' WHERE form_id = %s",
        "UPDATE goals SET text = '' WHERE form_id = %s",
    ],
)
def test_no_role_with_psql_rewrites_an_approved_goal(setup: Setup, who: str, sql: str) -> None:
    """As the lock holds the indicator rows and weights: for the filler, the admin and the owner alike."""
    fid = _begun(setup.store)
    conn_for = setup.connect_owner if who == "owner" else lambda: setup.connect(who)
    with conn_for() as conn, pytest.raises(psycopg.errors.CheckViolation, match="locked"):
        conn.execute(sql, (fid,))
        conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
    assert setup.store.get(fid).form.goals[0].text == GOAL


@on_pg
def test_a_filler_who_deletes_and_writes_every_goal_again_keeps_the_approved_text(setup: Setup) -> None:
    """jixiao's own way of saving, by hand: every row written again, the goal's text changed."""
    fid = _begun(setup.store)
    with setup.connect("shangye") as conn, pytest.raises(psycopg.errors.CheckViolation, match="locked"):
        goals = [r[0] for r in conn.execute("SELECT to_jsonb(g) FROM goals g WHERE form_id = %s", (fid,))]
        rows = [r[0] for r in conn.execute("SELECT to_jsonb(i) FROM indicators i WHERE form_id = %s", (fid,))]
        with conn.transaction():
            conn.execute("SELECT jixiao_clear_children(%s)", (fid,))
            conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
            new_goal = {}
            for g in goals:
                (new_goal[g["id"]],) = conn.execute(
                    _insert(conn, "goals", "%s") + " RETURNING id", (Jsonb({**g, "text": "另写的目标"}),)
                ).fetchone() or (0,)
            for r in rows:
                conn.execute(_insert(conn, "indicators", "%s"), (Jsonb({**r, "goal_id": new_goal[r["goal_id"]]}),))
    assert setup.store.get(fid).form.goals[0].text == GOAL


def test_sqlite_taken_below_0020_and_up_again_still_copies_an_approval(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A downgrade below 0020 rebuilt the forms table without 0009's copying trigger; 0036 makes it again."""
    from alembic import command

    from jixiao.storage.database import alembic_config, make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade(engine)
    command.downgrade(alembic_config(engine), "0017")
    upgrade(engine)
    store = FormStore(engine, actor="商业行办填报人")
    fid = _begun(store)
    approved = declarations.approval(store, fid)
    assert approved is not None and approved.weights.goal_texts == (GOAL,)


def _begun_without_text(store: FormStore, project: str = "老干工作经费") -> int:
    """A declaration approved with its goal's text left empty (the seed's forms have none)."""
    form = next(f for _, f in sample_forms() if f.project_name == project)
    assert form.goals[0].text == ""
    (outcome,) = store.import_forms(
        [("申报.toml", for_year(declaration_from(form), 2025))], action="declare", stage=Stage.DECLARATION
    )
    store.transition(outcome.form_id, "submit")
    second(store).transition(outcome.form_id, "approve")
    return declarations.begin_evaluation(store, outcome.form_id).id


def test_a_goal_approved_empty_cannot_be_given_a_text_afterwards(store: FormStore) -> None:
    """Migration 0038: the empty text was approved as it was; writing one later is a change of target."""
    fid = _begun_without_text(store)
    approved = declarations.approval(store, fid)
    assert approved is not None and approved.weights.goal_texts == ("",)
    begun = store.get(fid)
    changed = dataclasses.replace(begun.form, goals=(dataclasses.replace(begun.form.goals[0], text="事后补写的目标"),))
    with pytest.raises(StoreError, match="年度绩效目标 1 的内容已随目标审核，不能更改"):
        store.save(fid, changed, begun.version)
    assert store.get(fid).form.goals[0].text == ""


@on_pg
@pytest.mark.parametrize("who", ["shangye", "admin", "owner"])
def test_no_role_with_psql_writes_a_text_into_a_goal_approved_empty(setup: Setup, who: str) -> None:
    fid = _begun_without_text(setup.store)
    conn_for = setup.connect_owner if who == "owner" else lambda: setup.connect(who)
    with conn_for() as conn, pytest.raises(psycopg.errors.CheckViolation, match="locked"):
        conn.execute("UPDATE goals SET text = '事后补写的目标' WHERE form_id = %s", (fid,))
        conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
    assert setup.store.get(fid).form.goals[0].text == ""


def test_approvals_made_before_0038_keep_what_they_recorded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """An approval before 0038 left no mark: its non-empty text stays locked, an empty one cannot be
    told from "not kept" (before 0036) and locks nothing, as before."""
    from alembic import command

    from jixiao.storage.database import alembic_config, make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    command.upgrade(alembic_config(engine), "0037")
    store = FormStore(engine, actor="商业行办填报人")
    with_text, empty = _begun(store, "重大节日慰问"), _begun_without_text(store)
    upgrade(engine)
    texts = {fid: declarations.approval(store, fid) for fid in (with_text, empty)}
    assert [a.weights.goal_texts if a else None for a in texts.values()] == [(GOAL,), (None,)]
    for fid, allowed in ((with_text, False), (empty, True)):
        begun = store.get(fid)
        changed = dataclasses.replace(begun.form, goals=(dataclasses.replace(begun.form.goals[0], text="另写"),))
        if allowed:
            assert store.save(fid, changed, begun.version).form.goals[0].text == "另写"
        else:
            with pytest.raises(StoreError, match="已随目标审核"):
                store.save(fid, changed, begun.version)
    fresh = _begun_without_text(store, "企业管理费")  # after 0038, an empty text is recorded
    assert (declarations.approval(store, fresh) or pytest.fail()).weights.goal_texts == ("",)
