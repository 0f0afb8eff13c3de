"""The history shows a number as the database stored it, every digit (``jixiao history``).

The database's change log (``row_changes``) keeps each number with its digits, but jixiao read it as
a binary float: a filler with psql set their budget to 999999999999999.99 and the history showed
1000000000000000.0; from 0.30 to 0.1000000000000000055 read '0.3 → 0.1', a value the form does not
hold; and an application entry naming 0.1 → 0.1000000000000000055 described a change read as
0.1 → 0.1 (float equality). Since migration 0046 a number's digits are part of the form (the signed
PDF's data hash keeps them), so its history does too. Attacked with plain psycopg as the filler.
"""

from __future__ import annotations

import pytest

from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "老干工作经费"  # 商业行办's draft (the filler "shangye")


def _set_budget(setup: Setup, fid: int, value: str) -> None:
    with setup.connect("shangye") as conn:
        conn.execute(
            "UPDATE forms SET budget_planned = %s::numeric, version = version + 1 WHERE id = %s",
            (value, fid),
        )


@on_pg
@pytest.mark.parametrize("value", ["999999999999999.99", "0.1000000000000000055", "37.000000"])
def test_a_number_in_the_history_keeps_its_stored_digits(setup: Setup, value: str) -> None:
    fid = setup.form_id(OWN)
    _set_budget(setup, fid, "0.30")
    _set_budget(setup, fid, value)
    shown = [(e.before, e.after) for e in setup.store.history(fid) if e.field == "forms.budget_planned"]
    assert shown[-1] == ("0.30", value), shown


@on_pg
def test_an_entry_that_rounds_a_change_away_does_not_hide_it(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    _set_budget(setup, fid, "0.1")
    key = setup.store.get(fid).key
    with setup.connect("shangye") as conn, conn.transaction():
        conn.execute(
            "UPDATE forms SET budget_planned = 0.1000000000000000055, version = version + 1 WHERE id = %s", (fid,)
        )
        conn.execute(
            "INSERT INTO audit_log (form_id, form_key, at, actor, action, field, label, before, after, reason, version) "
            "VALUES (%s, %s, now(), '', 'update', 'budget.planned', '预算数', '0.1', '0.1', '格式调整', 0)",
            (fid, key),
        )
    shown = [(e.action, e.before, e.after) for e in setup.store.history(fid) if e.field == "forms.budget_planned"]
    assert shown[-1] == ("sql", "0.1", "0.1000000000000000055"), shown
