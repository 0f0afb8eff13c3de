"""A refused monitoring snapshot tells a filler nothing about another unit's form (migration 0033).

The trigger that closes snapshots once a self-evaluation is submitted ran before the row policy and read
the form as the owner, so a filler writing a snapshot with psql for another unit's form id was told its
status. Attacked with plain psycopg as the other unit's filler.
"""

from __future__ import annotations

import json

import psycopg
import pytest

from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
SNAPSHOT = "INSERT INTO monitoring (form_id, months, data, actor, at) VALUES (%s, 6, %s, '', now())"
DATA = json.dumps({"year": 2024, "months": 6})


@on_pg
@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_a_filler_learns_nothing_of_another_units_form_from_a_refused_snapshot(setup: Setup, status: str) -> None:
    fid = setup.form_id("企业管理费")  # a form of 经科局
    with setup.connect("jingke") as conn:
        conn.execute("UPDATE forms SET status = 'submitted', version = version + 1 WHERE id = %s", (fid,))
    if status == "approved":
        with setup.connect("reviewer") as conn:
            conn.execute("UPDATE forms SET status = 'approved', version = version + 1 WHERE id = %s", (fid,))
    with setup.connect("shangye") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
            conn.execute(SNAPSHOT, (fid, DATA))
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as absent:
            conn.execute(SNAPSHOT, (999_999, DATA))  # no such form: the same answer
    said = str(refused.value)
    assert status not in said and "evaluation" not in said, said
    assert said.replace(str(fid), "?") == str(absent.value).replace("999999", "?")


@on_pg
def test_the_units_own_submitted_form_still_takes_no_snapshot(setup: Setup) -> None:
    fid = setup.form_id("老干工作经费")  # the shangye unit's own
    with setup.connect("shangye") as conn:
        conn.execute("UPDATE forms SET status = 'submitted', version = version + 1 WHERE id = %s", (fid,))
        with pytest.raises(psycopg.errors.CheckViolation, match="submitted"):
            conn.execute(SNAPSHOT, (fid, DATA))
    with setup.connect("admin") as conn, pytest.raises(psycopg.errors.CheckViolation, match="submitted"):
        conn.execute(SNAPSHOT, (fid, DATA))
