"""No role sets a form's version to the last integer, which froze the form for everyone (migration 0042).

Every role that moves a form holds UPDATE on ``forms.version`` (the move raises it), and 0030 only
refused a version set back. A reviewer returning a form with psql set ``version = 2147483647``: every
later save, submission or move of that form through jixiao raises the version by one and failed
with 'integer out of range', for the unit, the reviewer and the admin alike, and no role, the owner
included, may set it back. A filler did the same to their own draft (or inserted a form already at
that version) before submitting it, and the reviewer could neither return nor approve it through
jixiao. Now an UPDATE raises the version by one at most, for every role and the owner, and a form
inserted by any writer but the owner starts at version 1. Attacked with plain psycopg as each role.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from jixiao.storage.database import make_engine
from jixiao.storage.store import FormStore
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "老干工作经费"  # 商业行办's draft (the filler "shangye"), in the reviewer's department
LAST = 2_147_483_647  # the largest integer: version + 1 is out of range
JUMP = "one step"


@contextmanager
def _store(setup: Setup, who: str, name: str) -> Iterator[FormStore]:
    url = setup.url.set(username=setup.logins[who], password=PASSWORD).render_as_string(False)
    engine = make_engine(url)
    try:
        yield FormStore(engine, actor=name)
    finally:
        engine.dispose()


@on_pg
def test_a_reviewer_returning_a_form_cannot_freeze_it_for_the_unit(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        conn.execute("UPDATE forms SET status = 'submitted', version = version + 1 WHERE id = %s", (fid,))
    before = setup.store.get(fid).version
    with setup.connect("reviewer") as conn, pytest.raises(psycopg.errors.CheckViolation, match=JUMP):
        conn.execute("UPDATE forms SET status = 'returned', version = %s WHERE id = %s", (LAST, fid))
    assert setup.store.get(fid).version == before
    with _store(setup, "reviewer", "财政局审核人") as reviewer:
        reviewer.transition(fid, "return", "请补充佐证")
    with _store(setup, "shangye", "商业行办填报人") as unit:  # the unit corrects and resubmits its form
        unit.transition(fid, "submit", expected_version=unit.get(fid).version)
    assert setup.store.get(fid).status.value == "submitted"


@on_pg
@pytest.mark.parametrize("who", ["shangye", "admin", "owner"])
def test_no_role_jumps_a_forms_version(setup: Setup, who: str) -> None:
    fid = setup.form_id(OWN)
    before = setup.store.get(fid).version
    conn = setup.connect_owner() if who == "owner" else setup.connect(who)
    with conn, pytest.raises(psycopg.errors.CheckViolation, match=JUMP):
        conn.execute("UPDATE forms SET version = %s WHERE id = %s", (LAST, fid))
    with setup.connect("shangye") as conn:  # one step at a time still goes
        conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
    assert setup.store.get(fid).version == before + 1


@on_pg
def test_a_filler_cannot_submit_a_form_the_reviewer_cannot_move(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match=JUMP):
            conn.execute("UPDATE forms SET version = %s WHERE id = %s", (LAST, fid))
        conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (fid,))
    with _store(setup, "reviewer", "财政局审核人") as reviewer:
        reviewer.transition(fid, "return", "请补充佐证")
    assert setup.store.get(fid).status.value == "returned"


@on_pg
def test_a_form_inserted_with_psql_starts_at_the_first_version(setup: Setup) -> None:
    fid = setup.form_id(OWN)
    columns = (
        "year, implementing_unit, form_kind, rules, title, ticks_category, ticks_attribute, ticks_project_type, "
        "budget_label, budget_rate_text, budget_score_reason, deviation_analysis, improvement_measures, "
        "signoff_preparer, signoff_reviewer, signoff_unit_head, signoff_finance_head, signoff_project_lead, "
        "signoff_contact, signoff_phone, signoff_date, signed_by, signature_sha256, computed_rules, "
        "computed_grade, computed_pending, computed_problems, created_at, updated_at, updated_by, status"
    )
    with setup.connect("shangye") as conn:
        new = conn.execute(
            f"INSERT INTO forms (project_name, version, {columns}) "  # noqa: S608
            f"SELECT '另一个项目', %s, {columns} FROM forms WHERE id = %s RETURNING id, version",
            (LAST, fid),
        ).fetchone()
    assert new is not None and new[1] == 1
    with setup.connect("shangye") as conn:
        conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (new[0],))
    with _store(setup, "admin", "管理员") as admin:  # the unit has no 主管部门 on record: an admin moves it
        admin.transition(new[0], "return", "请补充佐证")
    assert setup.store.get(new[0]).status.value == "returned"
