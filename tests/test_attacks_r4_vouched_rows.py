"""A form whose rows a login changed is never left vouched for (migration 0049).

Every untrusted write of a goal or an indicator clears its form's ``scores_trusted``, so that readers
recompute it instead of believing its stored total. The clearing went through ``jixiao_distrust``,
which acted only when ``jixiao_may_edit`` agreed, and that reads the login's record in ``app_users``
as well as its PostgreSQL role (0028), while the row policies that let the write through read the
PostgreSQL role alone. Attacked with plain psycopg, as psql would: an admin wrote 'reviewer' into
their own record, changed an indicator of a draft the owner had vouched for, raised its version and
put the record back; the form stayed vouched for, and ``list`` and ``review`` showed the stored total
of rows it no longer held. A filler whose record an admin had changed did the same.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
SHANGYE_FORM = "老干工作经费"  # the seed's draft of 商业行办, filled by "shangye"
UNSEEN = "企业管理费"  # a draft of 经科局: not 商业行办's


def _trusted(setup: Setup, fid: int) -> bool:
    with setup.connect_owner() as conn:
        row = conn.execute("SELECT scores_trusted FROM forms WHERE id = %s", (fid,)).fetchone()
    assert row is not None
    return bool(row[0])


def _set_record_role(setup: Setup, who: str, role: str) -> None:
    with setup.connect("admin") as conn:
        conn.execute("UPDATE app_users SET role = %s WHERE login = %s", (role, setup.logins[who]))


def _change_a_row(conn: psycopg.Connection, fid: int) -> None:  # type: ignore[type-arg]
    with conn.transaction():
        conn.execute(
            "UPDATE indicators SET actual = '未完成（改写）' WHERE id = (SELECT min(id) FROM indicators WHERE form_id = %s)",
            (fid,),
        )
        conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))


@on_pg
def test_an_admin_whose_record_says_otherwise_leaves_no_changed_form_vouched_for(setup: Setup) -> None:
    fid = setup.form_id(SHANGYE_FORM)
    assert _trusted(setup, fid), "the seed's forms are vouched for by the owner"
    _set_record_role(setup, "admin", "reviewer")
    try:
        with setup.connect("admin") as conn:
            _change_a_row(conn, fid)
    finally:
        _set_record_role(setup, "admin", "admin")
    assert not _trusted(setup, fid), "an indicator changed by an admin left the form's stored total believed"


@on_pg
def test_a_filler_whose_record_was_changed_leaves_no_changed_form_vouched_for(setup: Setup) -> None:
    fid = setup.form_id(SHANGYE_FORM)
    assert _trusted(setup, fid)
    _set_record_role(setup, "shangye", "reviewer")
    try:
        with setup.connect("shangye") as conn:
            _change_a_row(conn, fid)
    finally:
        _set_record_role(setup, "shangye", "filler")
    assert not _trusted(setup, fid), "an indicator changed by the unit's filler left the form's stored total believed"


@on_pg
def test_the_reach_of_the_clearing_is_the_reach_of_the_row_policies(setup: Setup) -> None:
    """Still no login pushes a form it cannot write onto the slow path, and the new test is not theirs."""
    unseen = setup.form_id(UNSEEN)
    for who in ("shangye", "reviewer"):
        with setup.connect(who) as conn:
            try:
                conn.execute("SELECT jixiao_distrust(%s)", (unseen,))
            except psycopg.Error:
                pass
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute("SELECT jixiao_writes_rows_of(%s)", (unseen,))
    assert _trusted(setup, unseen)
    with setup.connect("shangye") as conn:  # their own unit's draft, written normally, is cleared as before
        _change_a_row(conn, setup.form_id(SHANGYE_FORM))
    assert not _trusted(setup, setup.form_id(SHANGYE_FORM))
