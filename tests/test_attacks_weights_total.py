"""A form whose printed 分值 exceed its rule set's total is not moved on by anyone with psql
(migration 0023): the database holds a submit, approve or sign to a lower bound of the form's weight
total that jixiao's allocation can only raise, so no legitimate form is refused. Tried as each role
with plain psycopg, table-driven over the shapes of a form (plain rows, parents and sub-rows, a
printed budget 分值) at and around the total."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
FORM = "企业管理费"  # 经科局, hubei-2020 (total 100, budget 20), nine rows with no printed 分值
REFUSED = "above the rule total"


def _rows(conn: psycopg.Connection, fid: int) -> list[int]:  # type: ignore[type-arg]
    q = "SELECT i.id FROM indicators i JOIN goals g ON g.id = i.goal_id WHERE i.form_id = %s ORDER BY g.position, i.position, i.id"
    return [r[0] for r in conn.execute(q, (fid,)).fetchall()]


def _shape(
    conn: psycopg.Connection, fid: int, weights: dict[int, str | None], subs: set[int], budget: str | None
) -> None:  # type: ignore[type-arg]
    """As the unit's filler on a draft: 分值, 子项 flags and the budget 分值, with the version raised (0021)."""
    ids = _rows(conn, fid)
    with conn.transaction():
        for i, w in weights.items():
            conn.execute("UPDATE indicators SET weight = %s WHERE id = %s", (w, ids[i]))
        for i in subs:
            conn.execute("UPDATE indicators SET sub = true WHERE id = %s", (ids[i],))
        conn.execute("UPDATE forms SET budget_weight = %s, version = version + 1 WHERE id = %s", (budget, fid))


CASES = [
    # (row 分值, sub-rows, budget 分值, refused): budget 20 (the rule set's) unless printed
    ({0: "80"}, set(), None, False),  # 20 + 80 = the total
    ({0: "80.01"}, set(), None, True),
    ({0: "80.004"}, set(), None, False),  # 100.004 is 100.00 to the fen, as jixiao rounds
    ({0: "80.005"}, set(), None, True),
    ({0: "40", 1: "41"}, set(), None, True),
    ({0: "50", 1: "40"}, {1}, None, False),  # a parent and its one printed sub-row: the sub-row counts, 60
    ({0: "50", 1: "81"}, {1}, None, True),  # a sub-row above the total, under a parent that says 50
    ({0: "81"}, {1, 2}, None, True),  # a parent of 81 whose sub-rows print none: they share its 81
    ({0: "30", 1: "30", 2: "30"}, {1, 2}, None, False),  # all sub-rows printed: 60, the parent's 30 not added
    ({0: "81"}, {0}, None, True),  # a sub-row with no parent above it is a plain row
    ({0: "0.01", 1: "5", 2: "60"}, set(range(9)), "35", False),  # all sub-rows: the first heads the rest (65)
    ({0: "0.01", 1: "5", 2: "61"}, set(range(9)), "35", True),  # found by the property test below
    ({0: "95"}, set(), "0", False),  # the budget's printed 0 instead of the rule set's 20
    ({0: "91"}, set(), "10", True),
]


@on_pg
@pytest.mark.parametrize(("weights", "subs", "budget", "refused"), CASES)
def test_a_filler_cannot_submit_weights_above_the_total(
    setup: Setup, weights: dict[int, str], subs: set[int], budget: str | None, refused: bool
) -> None:
    fid = setup.form_id(FORM)
    with setup.connect("jingke") as conn:
        _shape(conn, fid, weights, subs, budget)
        submit = "UPDATE forms SET status = 'submitted', version = version + 1 WHERE id = %s"
        if refused:
            with pytest.raises(psycopg.errors.CheckViolation, match=REFUSED):
                conn.execute(submit, (fid,))
        else:
            conn.execute(submit, (fid,))
        status = conn.execute("SELECT status FROM forms WHERE id = %s", (fid,)).fetchone()
    assert status == ("draft" if refused else "submitted",)


def _over_and_submitted(setup: Setup) -> int:
    """An over-weight form submitted behind the check's back (as before this migration)."""
    fid = setup.form_id(FORM)
    with setup.connect("jingke") as conn:
        _shape(conn, fid, {0: "90"}, set(), None)
    with setup.store.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE forms DISABLE TRIGGER forms_weights_within_total")
        conn.exec_driver_sql("UPDATE forms SET status = 'submitted', version = version + 1 WHERE id = %s", (fid,))
        conn.exec_driver_sql("ALTER TABLE forms ENABLE TRIGGER forms_weights_within_total")
    return fid


@on_pg
@pytest.mark.parametrize("who", ["reviewer", "admin", "owner"])
def test_no_role_approves_an_over_weight_form(setup: Setup, who: str) -> None:
    fid = _over_and_submitted(setup)
    approve = "UPDATE forms SET status = 'approved', version = version + 1 WHERE id = %s"
    if who == "owner":
        with setup.store.engine.begin() as conn, pytest.raises(Exception, match=REFUSED):
            conn.exec_driver_sql(approve, (fid,))
    else:
        with setup.connect(who) as conn, pytest.raises(psycopg.errors.CheckViolation, match=REFUSED):
            conn.execute(approve, (fid,))
    with setup.connect("reviewer") as conn:
        assert conn.execute("SELECT status FROM forms WHERE id = %s", (fid,)).fetchone() == ("submitted",)


@on_pg
@pytest.mark.parametrize(("budget", "refused"), [("500", True), ("20", False)])
def test_an_admin_cannot_insert_a_form_already_past_the_draft_above_the_total(
    setup: Setup, budget: str, refused: bool
) -> None:
    """A form inserted as submitted (its rows follow, or never): its budget 分值 alone is held too."""
    fid = setup.form_id(FORM)
    with setup.store.engine.connect() as conn:
        q = "SELECT column_name FROM information_schema.columns WHERE table_name = 'forms' AND table_schema = current_schema()"
        cols = [c for (c,) in conn.exec_driver_sql(q) if c not in ("id", "project_name", "status", "budget_weight")]
    copy = (
        f"INSERT INTO forms ({', '.join(cols)}, project_name, status, budget_weight) "
        f"SELECT {', '.join(cols)}, '搬来的表', 'submitted', %s FROM forms WHERE id = %s"
    )
    with setup.connect("admin") as conn:
        if refused:
            with pytest.raises(psycopg.errors.CheckViolation, match=REFUSED):
                conn.execute(copy, (budget, fid))
        else:
            conn.execute(copy, (budget, fid))
        got = conn.execute("SELECT status FROM forms WHERE project_name = '搬来的表'").fetchall()
    assert got == ([] if refused else [("submitted",)])


TOUCH_TOTALS = [
    "SELECT * FROM rule_set_totals",
    "UPDATE rule_set_totals SET total = 1000",
    "INSERT INTO rule_set_totals VALUES ('mine', 1000, 0)",
    "DELETE FROM rule_set_totals",
]


@on_pg
def test_no_application_role_reads_or_writes_the_rule_totals(setup: Setup) -> None:
    for who in ("jingke", "shangye", "reviewer", "admin"):  # one schema for the whole table of tries
        for sql in TOUCH_TOTALS:
            with setup.connect(who) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
    with setup.store.engine.connect() as conn:
        totals = dict(conn.exec_driver_sql("SELECT name, total FROM rule_set_totals").fetchall())
    assert totals["hubei-2020"] == Decimal(100) and "mine" not in totals


@on_pg
def test_the_rule_totals_are_the_built_in_rule_sets(setup: Setup) -> None:
    from scorer.rules import available, load

    with setup.store.engine.connect() as conn:
        got = {n: (Decimal(t), Decimal(b)) for n, t, b in conn.exec_driver_sql("SELECT * FROM rule_set_totals")}
    assert got == {n: (load(n).total, load(n).budget_weight) for n in available()}


@on_pg
def test_every_seeded_form_still_moves_through_jixiao(setup: Setup) -> None:
    from jixiao.storage.store import FormStore

    filler = FormStore(setup.store.engine, actor="填报人")
    reviewer = FormStore(setup.store.engine, actor="审核人")
    for s in filler.list():
        filler.transition(s.id, "submit")
        reviewer.transition(s.id, "approve")
    assert {s.status.value for s in reviewer.list()} == {"approved"}


def _as_jixiao_sees_it(form, weights: dict[int, str | None], subs: set[int], budget: str | None):  # type: ignore[no-untyped-def]
    import dataclasses

    goals, i = [], 0
    for goal in form.goals:
        rows = []
        for ind in goal.indicators:
            w = weights.get(i, ind.weight) if i in weights else ind.weight
            rows.append(dataclasses.replace(ind, weight=None if w is None else Decimal(w), sub=ind.sub or i in subs))
            i += 1
        goals.append(dataclasses.replace(goal, indicators=tuple(rows)))
    money = dataclasses.replace(form.budget, weight=None if budget is None else Decimal(budget))
    return dataclasses.replace(form, goals=tuple(goals), budget=money)


@on_pg
def test_the_database_never_refuses_what_jixiao_would_pass(setup: Setup) -> None:
    """Random shapes of the form: whenever the database refuses the submit, jixiao's own weight
    total is above the rule set's (the bound is never above what jixiao allocates)."""
    from hypothesis import HealthCheck, example, given, settings
    from hypothesis import strategies as st

    from jixiao.scoring import score_form

    fid = setup.form_id(FORM)
    form = setup.store.get(fid).form
    n = len(_as_jixiao_sees_it(form, {}, set(), None).indicators)
    weight = st.one_of(st.none(), st.decimals(0, 60, places=2).map(str))
    seen: set[bool] = set()

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @example(weights={0: "60.00", 1: "30.00"}, subs=set(), budget=None)  # refused: 20 + 90
    @example(weights={0: "50.00"}, subs=set(), budget=None)  # passed: 20 + 50
    @given(
        weights=st.dictionaries(st.integers(0, n - 1), weight, max_size=n),
        subs=st.sets(st.integers(0, n - 1)),
        budget=st.one_of(st.none(), st.sampled_from(["0", "10", "20", "35"])),
    )
    def check(weights: dict[int, str | None], subs: set[int], budget: str | None) -> None:
        with setup.store.engine.connect() as conn:
            tx = conn.begin()
            ids = [
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT i.id FROM indicators i JOIN goals g ON g.id = i.goal_id WHERE i.form_id = %s "
                    "ORDER BY g.position, i.position, i.id",
                    (fid,),
                )
            ]
            for i, w in weights.items():
                conn.exec_driver_sql("UPDATE indicators SET weight = %s WHERE id = %s", (w, ids[i]))
            for i in subs:
                conn.exec_driver_sql("UPDATE indicators SET sub = true WHERE id = %s", (ids[i],))
            conn.exec_driver_sql("UPDATE forms SET budget_weight = %s WHERE id = %s", (budget, fid))
            inner = conn.begin_nested()
            try:
                conn.exec_driver_sql("UPDATE forms SET status = 'submitted' WHERE id = %s", (fid,))
                refused = False
            except Exception as exc:  # the database's refusal
                assert REFUSED in str(exc)
                refused = True
            inner.rollback()
            tx.rollback()
        seen.add(refused)
        if refused:
            assert score_form(_as_jixiao_sees_it(form, weights, subs, budget)).weights_over

    check()
    assert seen == {True, False}  # both kinds were tried
