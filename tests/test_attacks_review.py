"""Attacks on the review's SQL sums (``review/sql_groups.py``): can an insider with psql make the
review show a number other than the one recomputing every form from its cells gives?

Each test does what a hostile login would do with plain psycopg, then compares the review with
``_truth``: every kept form recomputed from its cells (nothing stored believed). A test fails
while the hole it names is open.
"""

from __future__ import annotations

import dataclasses
import threading
from decimal import Decimal

import psycopg
import pytest
from sqlalchemy import Engine, select, text

import jixiao.review.aggregate as agg
from jixiao.review.aggregate import Filters, aggregate, flagged_forms, level1_here, summed_here
from jixiao.review.sql_groups import group_rows, level1_rows
from jixiao.review.trusted import IndicatorNumbers, numbers_of
from jixiao.storage.models import FormRow
from jixiao.storage.store import ConflictError, FormStore
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL
from tests.tools import second

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_REASON)

OWN = "老干工作经费"  # 商业行办's form (the filler "shangye")
OTHER = "企业管理费"  # 经科局's form


# ---------------------------------------------------------------- the oracle


def _recomputed(engine: Engine, filters: Filters) -> list[FormRow]:
    with engine.connect() as c:
        ids = list(c.execute(filters.apply(select(FormRow.id))).scalars())
    return list(FormStore(engine, actor="审核").recomputed_rows(ids))


def _truth(engine: Engine, by: str, filters: Filters | None = None) -> list[agg.GroupRow]:
    """The review table as it would be if every form were recomputed from its cells."""
    filters = filters or Filters()
    rows = _recomputed(engine, filters)
    with pytest.MonkeyPatch.context() as mp:
        if by == "level1":
            inds = [
                IndicatorNumbers(r.id, i.level1, i.computed_status, i.agg_weight_u, i.agg_score_u)
                for r in rows
                for g in r.goals
                for i in g.indicators
            ]
            mp.setattr(agg, "indicator_numbers", lambda *_: inds)
            return sorted(level1_here(engine, filters), key=lambda g: (g.attainment or Decimal(0), g.key))
        nums = [numbers_of(r, False) for r in rows]
        mp.setattr(agg, "form_numbers", lambda *_: nums)
        return sorted(summed_here(engine, by, filters), key=lambda g: (g.risk, g.key, g.kind))


def _assert_review_is_true(engine: Engine) -> None:
    for by in ("unit", "department", "grade", "year", "level1"):
        assert aggregate(engine, by) == _truth(engine, by), by


def _trusted(setup: Setup, fid: int) -> bool:
    with setup.store.engine.connect() as conn:
        return bool(conn.execute(text("SELECT scores_trusted FROM forms WHERE id = :i"), {"i": fid}).scalar_one())


def _new_own_form(setup: Setup) -> tuple[int, int]:
    """A second draft form of the filler's unit (through the app, as the owner), trusted; and one goal id."""
    own = setup.form_id(OWN)
    form = setup.store.get(own).form
    goals = tuple(  # another project begun from the same rows: new row identities (jixiao/storage/renames.py)
        dataclasses.replace(g, indicators=tuple(dataclasses.replace(i, uid="") for i in g.indicators))
        for g in form.goals
    )
    copy = dataclasses.replace(form, project_name="第二个项目", goals=goals)
    setup.store.import_forms([("attack", copy)])  # type: ignore[list-item]
    fid = setup.form_id("第二个项目")
    with setup.store.engine.connect() as conn:
        gid = conn.execute(text("SELECT min(id) FROM goals WHERE form_id = :f"), {"f": fid}).scalar_one()
    return fid, gid


def _wait_until_done_or_blocked(setup: Setup, thread: threading.Thread) -> None:
    import time

    for _ in range(200):
        thread.join(timeout=0.05)
        if not thread.is_alive():
            return
        with setup.store.engine.connect() as conn:
            if conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar_one():
                return
        time.sleep(0.05)
    raise AssertionError("the rescore neither finished nor waited for the attacker")


def test_the_oracle_agrees_with_the_review_before_any_attack(setup: Setup) -> None:
    assert group_rows(setup.store.engine, "unit", Filters().apply) is not None  # the SQL path is taken
    assert level1_rows(setup.store.engine, Filters().apply) is not None
    _assert_review_is_true(setup.store.engine)


# ---------------------------------------------------------------- 1. the owner's rescore racing a filler


@pytest.mark.parametrize("where", ["form_cell", "indicator_cell", "owner_saves"])
def test_a_cell_changed_while_the_owner_rescores_is_not_vouched_for(setup: Setup, where: str) -> None:
    """A filler's form is doubtful (any edit through the app makes it so). The filler opens a
    transaction that changes a cell, the owner's ``jixiao db rescore`` reads the old cells, the
    filler commits: the verdict written from the old cells must not end up trusted.
    (``owner_saves``: a trusted writer saving the form through the app instead holds: a save does
    not set ``scores_trusted``; since migration 0021 the filler's change is a new version, so the
    owner's save of the version it read is a conflict and overwrites nothing.)"""
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        conn.execute("UPDATE forms SET deviation_analysis = deviation_analysis || '。' WHERE id = %s", (own,))
    assert not _trusted(setup, own)
    attacker = setup.connect("shangye")
    attacker.autocommit = False
    if where in ("form_cell", "owner_saves"):  # 执行数 halved: the stored agg_executed_u keeps the old one
        attacker.execute("UPDATE forms SET budget_executed = budget_executed / 2 WHERE id = %s", (own,))
    else:  # every indicator's weight doubled: the stored agg_weight_u keeps the old ones
        attacker.execute("UPDATE indicators SET weight = weight * 2 WHERE form_id = %s", (own,))
        attacker.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (own,))  # migration 0021
    done: list[int] = []
    if where == "owner_saves":  # a trusted writer saving another field through the app, not a rescore
        sf = setup.store.get(own)
        changed = dataclasses.replace(sf.form, improvement_measures=sf.form.improvement_measures + "。")

        def work() -> None:
            with pytest.raises(ConflictError):
                setup.store.save(own, changed, sf.version)
            done.append(1)

    else:

        def work() -> None:
            done.append(setup.store.rescore())

    owner = threading.Thread(target=work)
    owner.start()
    _wait_until_done_or_blocked(setup, owner)  # the owner has read the old cells
    attacker.commit()
    attacker.close()
    owner.join(timeout=60)
    assert done  # finished: the form it found locked it skipped, and left unverified (test_attacks_rescore_lock.py)
    (again,) = FormStore(setup.store.engine, actor="审核").recomputed_rows([own])
    with setup.store.engine.connect() as conn:
        stored = conn.execute(
            text("SELECT scores_trusted, agg_executed_u, agg_total_c FROM forms WHERE id = :i"), {"i": own}
        ).one()
    assert not stored[0] or stored[1:] == (again.agg_executed_u, again.agg_total_c), (
        f"trusted verdict from the old cells: stored {stored[1:]}, cells give {(again.agg_executed_u, again.agg_total_c)}"
    )
    _assert_review_is_true(setup.store.engine)


# ---------------------------------------------------------------- 2. rows moved or hung under another form


def test_an_indicator_moved_out_of_a_trusted_form_is_refused_or_distrusted(setup: Setup) -> None:
    """The child guard distrusts only NEW.form_id: moving a row out of form A would leave A trusted."""
    own = setup.form_id(OWN)
    second, goal = _new_own_form(setup)
    assert _trusted(setup, own)
    with setup.connect("shangye") as conn:
        try:
            conn.execute(
                "UPDATE indicators SET form_id = %s, goal_id = %s WHERE id = (SELECT min(id) FROM indicators "
                "WHERE form_id = %s)",
                (second, goal, own),
            )
            moved = True
        except psycopg.Error:
            moved = False
    assert not moved or not _trusted(setup, own)
    _assert_review_is_true(setup.store.engine)


def test_a_goal_moved_out_of_a_trusted_form_is_refused_or_distrusted(setup: Setup) -> None:
    own = setup.form_id(OWN)
    second, _ = _new_own_form(setup)
    with setup.connect("shangye") as conn:
        try:
            conn.execute(
                "UPDATE goals SET form_id = %s WHERE id = (SELECT max(id) FROM goals WHERE form_id = %s)", (second, own)
            )
            moved = True
        except psycopg.Error:
            moved = False
    assert not moved or not _trusted(setup, own)
    _assert_review_is_true(setup.store.engine)


def test_an_indicator_hung_under_another_forms_goal_is_refused(setup: Setup) -> None:
    """form_id says the filler's own draft, goal_id names a goal of another unit's form: the row would
    be summed under one form by the SQL join and recomputed under the other through its goal."""
    own = setup.form_id(OWN)
    other = setup.form_id(OTHER)
    with setup.store.engine.connect() as conn:
        foreign_goal = conn.execute(text("SELECT min(id) FROM goals WHERE form_id = :f"), {"f": other}).scalar_one()
    with setup.connect("shangye") as conn, pytest.raises(psycopg.Error):
        conn.execute(
            "INSERT INTO indicators (form_id, goal_id, position, level1, level2, name, target, actual, "
            "adjusted_target, recorded_reason, deviation, direction, computed_status, weight, agg_weight_u, "
            "agg_score_u, sub) VALUES (%s, %s, 99, '产出指标', '数量指标', '偷挂', '100', '100', '', '', '', '', "
            "'met', 10, 100000, 100000, false)",
            (own, foreign_goal),
        )
    assert _trusted(setup, other)
    _assert_review_is_true(setup.store.engine)


# ---------------------------------------------------------------- 3. forged verdicts by each role


def test_an_admin_forging_stored_sums_is_not_believed(setup: Setup) -> None:
    """jixiao_admin holds UPDATE on every column, scores_trusted included, and on every form."""
    own = setup.form_id(OWN)
    with setup.connect("admin") as conn:
        conn.execute(
            "UPDATE forms SET agg_total_c = 10000, computed_grade = '优', agg_errors = 0, agg_warnings = 0, "
            "agg_planned_u = 1, form_kind = 'department', scores_trusted = true WHERE id = %s",
            (own,),
        )
        conn.execute("UPDATE forms SET scores_trusted = true WHERE id = %s", (own,))
        with conn.transaction():  # a new version of each form beside its rows' change (migration 0021)
            conn.execute("UPDATE indicators SET agg_score_u = agg_weight_u, computed_status = 'met', level1 = '伪造'")
            conn.execute("UPDATE forms SET version = version + 1")
        conn.execute("UPDATE forms SET scores_trusted = true")
    assert not _trusted(setup, own)
    assert group_rows(setup.store.engine, "unit", Filters().apply) is None
    _assert_review_is_true(setup.store.engine)


def test_a_reviewer_cannot_write_a_verdict(setup: Setup) -> None:
    other = setup.form_id(OTHER)
    with setup.connect("reviewer") as conn:
        for sql in (
            "UPDATE forms SET agg_total_c = 1 WHERE id = %s",
            "UPDATE forms SET scores_trusted = false WHERE id = %s",
            "UPDATE forms SET stage = 'declaration' WHERE id = %s",
            "UPDATE indicators SET agg_score_u = 0 WHERE form_id = %s",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql, (other,))
    _assert_review_is_true(setup.store.engine)


def test_a_filler_inserting_a_trusted_looking_form_is_recomputed(setup: Setup) -> None:
    with setup.connect("shangye") as conn:
        cols = conn.execute(
            "SELECT string_agg(quote_ident(column_name), ', ') FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND table_name = 'forms' AND column_name NOT IN "
            "('id', 'project_name', 'agg_total_c', 'agg_errors', 'agg_planned_u', 'computed_grade', 'scores_trusted')"
        ).fetchone()[0]
        conn.execute(
            f"INSERT INTO forms ({cols}, project_name, agg_total_c, agg_errors, agg_planned_u, computed_grade, "
            f"scores_trusted) SELECT {cols}, '冒充项目', 10000, 0, 999000000, '优', true FROM forms "
            "WHERE project_name = %s",
            (OWN,),
        )
    fid = setup.form_id("冒充项目")
    assert not _trusted(setup, fid)
    _assert_review_is_true(setup.store.engine)


def test_a_filler_copying_rows_in_is_refused_or_distrusted(setup: Setup) -> None:
    """COPY FROM: does it go past the row policies or the trigger that clears the trust?"""
    own = setup.form_id(OWN)
    with setup.store.engine.connect() as conn:
        goal = conn.execute(text("SELECT min(id) FROM goals WHERE form_id = :f"), {"f": own}).scalar_one()
    with setup.connect("shangye") as conn:
        try:
            with conn.cursor().copy(
                "COPY indicators (form_id, goal_id, position, level1, name, computed_status, weight, agg_weight_u, "
                "agg_score_u) FROM STDIN"
            ) as cp:
                cp.write_row((own, goal, 98, "伪造", "复制进来", "met", 10, 100000, 100000))
            copied = True
        except psycopg.Error:
            copied = False
    assert not copied or not _trusted(setup, own)
    _assert_review_is_true(setup.store.engine)


def test_a_filler_changing_kind_or_year_of_a_trusted_form_is_recomputed(setup: Setup) -> None:
    """The keys the SQL groups by (year, unit, kind) are data: a change distrusts the form."""
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        conn.execute("UPDATE forms SET form_kind = 'department', year = year + 1 WHERE id = %s", (own,))
    assert not _trusted(setup, own)
    _assert_review_is_true(setup.store.engine)


def test_the_flagged_forms_match_recomputation_after_a_forged_count(setup: Setup) -> None:
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        conn.execute("UPDATE forms SET agg_errors = 0, agg_warnings = 0 WHERE id = %s", (own,))
        conn.execute("UPDATE indicators SET computed_status = 'met' WHERE form_id = %s", (own,))
    truth = sorted(
        (
            f
            for f in (numbers_of(r, False) for r in _recomputed(setup.store.engine, Filters()))
            if f.errors + f.warnings
        ),
        key=lambda f: (
            -f.errors,
            -f.warnings,
            -((f.recorded_c if f.recorded_c is not None else f.total_c or 0) - (f.total_c or 0)),
            f.id,
        ),
    )
    assert [f.id for f in flagged_forms(setup.store.engine, Filters(), 20)] == [f.id for f in truth][:20]


# ---------------------------------------------------------------- 4. stage


def test_a_declaration_turned_into_a_self_evaluation_with_psql_is_summed_right(setup: Setup) -> None:
    """``jixiao_begin_evaluation`` moves stage and status only (workflow columns, trust kept): the
    verdict stored while the form was a declaration must be the self-evaluation's own."""
    from jixiao.storage.seed import sample_forms
    from jixiao.workflow import Stage
    from scorer.stages import declaration_from, for_year

    form = next(f for _, f in sample_forms() if f.project_name == OWN)
    (outcome,) = setup.store.import_forms(
        [("申报.toml", for_year(declaration_from(form), 2025))], action="declare", stage=Stage.DECLARATION
    )
    fid = outcome.form_id
    setup.store.transition(fid, "submit")
    second(setup.store).transition(fid, "approve")
    with setup.connect("shangye") as conn:
        conn.execute("SELECT jixiao_begin_evaluation(%s)", (fid,))
    with setup.store.engine.connect() as conn:
        stage = conn.execute(text("SELECT stage FROM forms WHERE id = :i"), {"i": fid}).scalar_one()
    assert stage == "evaluation"
    _assert_review_is_true(setup.store.engine)


# ---------------------------------------------------------------- 5. the SQL path turned off from outside


def test_nobody_distrusts_a_form_out_of_their_reach(setup: Setup) -> None:
    """``jixiao_distrust`` (SECURITY DEFINER) is granted to every app role without a check of its own:
    a filler can mark another unit's drafts doubtful, so that every review recomputes them in Python
    (the slow path the SQL sums exist to avoid) until the owner rescores. No number goes wrong."""
    other = setup.form_id(OTHER)  # 经科局's draft: not visible to 商业行办's filler
    with setup.connect("shangye") as conn:
        try:
            conn.execute("SELECT jixiao_distrust(%s)", (other,))
        except psycopg.Error:
            pass
    assert _trusted(setup, other), "商业行办's filler marked 经科局's draft doubtful"
    with setup.connect("reviewer") as conn:
        try:
            conn.execute("SELECT jixiao_distrust(%s)", (other,))
        except psycopg.Error:
            pass
    _assert_review_is_true(setup.store.engine)
    assert _trusted(setup, other), "a filler of another unit (or a reviewer) turned the review's SQL path off"
