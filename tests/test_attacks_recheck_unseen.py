"""A reviewer learns nothing of a form outside their department by writing a 复核 for it (migration 0043).

``jixiao_recheck_in_range`` runs before the row policy and read the form as the owner: a reviewer who
wrote a 复核 with psql for a row of another department's form was told the row's weight and whether
the form's scores were verified ('… is not between 0 and its weight 10'), as 0033 found for
monitoring snapshots. Now it checks only a form the writer sees; for any other the row policy refuses
the 复核, without a word about the form.
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
UNSEEN = "老干工作经费"  # a form of 经科局's department, whose first row weighs 20
RECHECK = (
    "INSERT INTO rechecks (form_id, indicator_uid, indicator, score, opinion, reviewer, at) "
    "VALUES (%s, %s, '', %s, '试探', '', now())"
)


def _first_uid(setup: Setup, fid: int) -> str:
    with setup.connect_owner() as conn:
        row = conn.execute("SELECT uid FROM indicators WHERE form_id = %s ORDER BY id LIMIT 1", (fid,)).fetchone()
    assert row is not None
    return str(row[0])


@pytest.fixture
def outsider(setup: Setup) -> Iterator[str]:
    """A reviewer of another department (财政局 reviews by department): sees none of the seed's forms."""
    directory = Directory(setup.store.engine)
    login = f"jx_other_{uuid.uuid4().hex[:6]}"
    directory.add_user(login, "他局审核人", "reviewer", department="武昌区教育局", password=PASSWORD)
    setup.logins["outsider"] = login
    yield "outsider"
    directory.remove_user(login)


@on_pg
@pytest.mark.parametrize("score", ["1000", "-1", "NaN", "5", "20"])
def test_a_recheck_of_an_unseen_form_says_nothing_of_it(setup: Setup, outsider: str, score: str) -> None:
    fid = setup.form_id(UNSEEN)
    uid = _first_uid(setup, fid)
    with setup.connect(outsider) as conn, pytest.raises(psycopg.Error) as caught:
        conn.execute(RECHECK, (fid, uid, score))
    said = str(caught.value)
    # refused by the row policy, as for any form not seen, or for the value alone (it says nothing of the form)
    assert any(w in said for w in ("row-level security", "at least 0", "a finite number")), said
    assert "weight" not in said and "20" not in said.replace(score, ""), said
    with setup.connect_owner() as conn:
        assert conn.execute("SELECT count(*) FROM rechecks").fetchone() == (0,)


@on_pg
def test_a_recheck_of_a_seen_form_is_still_held_to_its_weight(setup: Setup) -> None:
    fid = setup.form_id("企业管理费")  # 经科局's, in the reviewer's department
    uid = _first_uid(setup, fid)
    with setup.connect("jingke") as conn:
        conn.execute("UPDATE forms SET status = 'submitted', version = version + 1 WHERE id = %s", (fid,))
    with setup.connect("reviewer") as conn, pytest.raises(psycopg.errors.CheckViolation, match="not between 0"):
        conn.execute(RECHECK, (fid, uid, "1000"))
