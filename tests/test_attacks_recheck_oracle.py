"""A reviewer learns nothing of another department's form from a refused 复核 (migration 0048).

0043 kept ``jixiao_recheck_in_range`` from reading a form the writer cannot see, but two other
triggers run before the row policy and read the form as the owner. ``jixiao_recheck_stamp`` refused a
row identity that is not a row of the form ('form % has no indicator %') and let a real one through to
the row policy: a reviewer of another department who held an uid (from an export, a backup, an earlier
posting) learned, for any form id, whether that row was still on the form. ``jixiao_recheck_four_eyes``
told a login that had submitted or changed a form, and was then made reviewer of another department,
the form's latest submitter and editor. Attacked with plain psycopg, as psql would.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from jixiao.storage.users import Directory
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
UNSEEN = "企业管理费"  # a draft of 经科局, filled by "jingke"
OTHER_DEPARTMENT = "武昌区教育局"
RECHECK = (
    "INSERT INTO rechecks (form_id, indicator_uid, indicator, score, opinion, reviewer, at) "
    "VALUES (%s, %s, '', 1, '试探', '', now())"
)


@pytest.fixture
def outsider(setup: Setup) -> Iterator[str]:
    """A reviewer of another department: sees none of the seed's forms."""
    directory = Directory(setup.store.engine)
    login = f"jx_out_{uuid.uuid4().hex[:6]}"
    directory.add_user(login, "他局审核人", "reviewer", department=OTHER_DEPARTMENT, password=PASSWORD)
    setup.logins["outsider"] = login
    yield "outsider"
    directory.remove_user(login)


def _refusal(setup: Setup, who: str, fid: int, uid: str) -> str:
    with setup.connect(who) as conn, pytest.raises(psycopg.Error) as caught:
        conn.execute(RECHECK, (fid, uid))
    return str(caught.value).splitlines()[0]


def _submitted(setup: Setup, fid: int) -> list[str]:
    with setup.connect("jingke") as conn:
        conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (fid,))
    with setup.connect_owner() as conn:
        return [str(r[0]) for r in conn.execute("SELECT uid FROM indicators WHERE form_id = %s", (fid,))]


@on_pg
def test_a_row_of_an_unseen_form_and_a_made_up_one_are_refused_alike(setup: Setup, outsider: str) -> None:
    fid = setup.form_id(UNSEEN)
    uids = _submitted(setup, fid)
    real = _refusal(setup, outsider, fid, uids[0])
    made_up = _refusal(setup, outsider, fid, uuid.uuid4().hex)
    missing_form = _refusal(setup, outsider, 10**9, uids[0])
    assert real == made_up == missing_form, (real, made_up, missing_form)
    assert "row-level security" in real and "indicator" not in real
    with setup.connect_owner() as conn:
        assert conn.execute("SELECT count(*) FROM rechecks").fetchone() == (0,)


@on_pg
def test_a_former_filler_is_not_told_who_submitted_a_form_out_of_sight(setup: Setup) -> None:
    fid = setup.form_id(UNSEEN)
    uids = _submitted(setup, fid)
    login = setup.logins["jingke"]
    with setup.connect_owner() as conn:  # the admin makes the unit's filler a reviewer of another department
        conn.execute(
            "UPDATE app_users SET role = 'reviewer', unit = '', department = %s WHERE login = %s",
            (OTHER_DEPARTMENT, login),
        )
        conn.execute(f'REVOKE jixiao_filler FROM "{login}"')
        conn.execute(f'GRANT jixiao_reviewer TO "{login}"')
    said = _refusal(setup, "jingke", fid, uids[0])
    assert "row-level security" in said and "four eyes" not in said and login not in said, said


@on_pg
def test_the_department_s_own_reviewer_is_still_held(setup: Setup) -> None:
    """Within the department the refusals stand: a row not on the form, and the four-eyes rule."""
    fid = setup.form_id(UNSEEN)
    _submitted(setup, fid)
    assert "indicator" in _refusal(setup, "reviewer", fid, uuid.uuid4().hex)  # the range check says it first
    login = setup.logins["reviewer"]
    with setup.connect_owner() as conn:  # the reviewer's login made the last change of the form's data
        conn.execute(
            "INSERT INTO row_changes (at, txid, db_user, table_name, op, row_id, form_id, before, after) "
            "VALUES (now(), 1, %s, 'indicators', 'INSERT', 1, %s, NULL, '{}')",
            (login, fid),
        )
    with setup.connect_owner() as conn:
        uid = conn.execute("SELECT uid FROM indicators WHERE form_id = %s LIMIT 1", (fid,)).fetchone()
    assert uid is not None
    assert "four eyes" in _refusal(setup, "reviewer", fid, str(uid[0]))
