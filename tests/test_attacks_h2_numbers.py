"""No number out of a form's range that stops every reader (migration 0045).

jixiao stores a form's money, weights and recorded scores only when each is zero or between 10^-12
and 10^15 (``scorer.numbers.out_of_range``): its exact integer copies for the SQL sums (millionths of
万元) must fit Decimal's 28 digits. Migration 0032 held NaN and ±Infinity for every role, but not a
finite number out of that range: a filler with psql wrote ``budget_planned = 1e23`` into their own
draft (raising the version as 0021 asks), and ``jixiao list``, ``review`` and ``check --from-db``
stopped with 内部错误 (InvalidOperation) for the unit, its 主管部门's reviewers and the owner alike.
A negative weight lowered the database's own bound of the weight total (0023) below what jixiao
counts. Now CHECK constraints hold each of those columns to jixiao's range, for every role and the
owner. Attacked with plain psycopg as the unit's filler.
"""

from __future__ import annotations

import psycopg
import pytest

from jixiao.review.aggregate import aggregate
from jixiao.storage.database import make_engine
from jixiao.storage.db_messages import in_chinese
from jixiao.storage.labels import column_label
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "老干工作经费"  # the shangye unit's draft, in the reviewer's department
FIRST = "(SELECT min(i.id) FROM indicators i WHERE i.form_id = %s)"
CHANGES = (
    "UPDATE forms SET budget_planned = 1e23 WHERE id = %s",  # stopped list, review and check
    "UPDATE forms SET budget_executed = 1e100000 WHERE id = %s",
    "UPDATE forms SET budget_planned = 1e15 WHERE id = %s",  # the first number jixiao refuses
    "UPDATE forms SET budget_weight = -10 WHERE id = %s",
    "UPDATE forms SET total_recorded = 1e-13 WHERE id = %s",
    "UPDATE goals SET weight = 1e40 WHERE form_id = %s",
    f"UPDATE indicators SET weight = -5 WHERE id = {FIRST}",
    f"UPDATE indicators SET weight = 1e100000 WHERE id = {FIRST}",
    f"UPDATE indicators SET recorded_score = -0.5 WHERE id = {FIRST}",
)
KEPT = (
    "UPDATE forms SET budget_planned = 999999999999999.999999 WHERE id = %s",
    "UPDATE forms SET budget_executed = 0 WHERE id = %s",
    "UPDATE forms SET budget_other = NULL WHERE id = %s",
    f"UPDATE indicators SET weight = 0.000000000001 WHERE id = {FIRST}",
)


def _read_by_everyone(setup: Setup) -> None:
    """The owner lists and reviews every form, and so does the department's reviewer."""
    assert len(setup.store.list()) >= 9
    url = setup.url.set(username=setup.logins["reviewer"], password=PASSWORD).render_as_string(False)
    engine = make_engine(url)
    try:
        assert sum(row.forms for row in aggregate(engine, by="unit")) >= 9
    finally:
        engine.dispose()


def _write(setup: Setup, who: str, change: str) -> None:
    fid = setup.form_id(OWN)
    conn = setup.connect_owner() if who == "owner" else setup.connect(who)
    with conn, conn.transaction():
        conn.execute(change, (fid,))
        conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))


@on_pg
@pytest.mark.parametrize("change", CHANGES)
def test_a_filler_cannot_write_a_number_that_stops_every_reader(setup: Setup, change: str) -> None:
    with pytest.raises(psycopg.errors.CheckViolation, match="jixiao_range"):
        _write(setup, "shangye", change)
    _read_by_everyone(setup)


@on_pg
@pytest.mark.parametrize("who", ["admin", "owner"])
def test_nor_an_admin_or_the_owner(setup: Setup, who: str) -> None:
    with pytest.raises(psycopg.errors.CheckViolation, match="jixiao_range"):
        _write(setup, who, CHANGES[0])
    _read_by_everyone(setup)


@on_pg
@pytest.mark.parametrize("change", KEPT)
def test_every_number_jixiao_stores_is_still_taken(setup: Setup, change: str) -> None:
    _write(setup, "shangye", change)
    _read_by_everyone(setup)


def test_the_refusal_reads_in_chinese() -> None:
    line = 'new row for relation "forms" violates check constraint "forms_budget_planned_jixiao_range"'
    said = in_chinese(line)
    assert "10^15" in said and column_label("budget_planned") in said and "budget_planned" not in said
