"""No form row that stops every reader (migration 0032).

jixiao reads every form a login sees to list and review them; one value it cannot read stopped the whole
listing for the unit, its 主管部门's reviewers and the owner. A filler with psql wrote one into their own
draft (an unknown form kind, NaN or Infinity in an amount, a weight or a recorded score), an admin
inserted a form with a status jixiao does not know. Attacked with plain psycopg as each.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "老干工作经费"  # the shangye unit's draft
CHANGES = (
    "UPDATE forms SET form_kind = 'bogus' WHERE id = %s",
    "UPDATE forms SET budget_planned = 'NaN' WHERE id = %s",
    "UPDATE forms SET budget_weight = 'Infinity' WHERE id = %s",
    "UPDATE goals SET weight = 'NaN' WHERE form_id = %s",
    "UPDATE indicators SET weight = '-Infinity' WHERE form_id = %s",
    "UPDATE indicators SET recorded_score = 'NaN' WHERE form_id = %s",
    "UPDATE forms SET rules = '/dev/zero' WHERE id = %s",  # read as a file by every reader, without end
    "UPDATE forms SET rules = '/dev/stdin' WHERE id = %s",
    "UPDATE forms SET rules = '..\\..\\proc\\self\\fd\\0' WHERE id = %s",
)


def _listed(setup: Setup) -> None:
    """Every reader still lists the forms: the owner, and the reviewer of the department with psql."""
    assert len(setup.store.list()) >= 9
    fid = setup.form_id(OWN)
    assert setup.store.get(fid).form.project_name == OWN


@on_pg
@pytest.mark.parametrize("change", CHANGES)
def test_a_filler_cannot_write_a_value_that_stops_every_listing(setup: Setup, change: str) -> None:
    fid = setup.form_id(OWN)
    with setup.connect("shangye") as conn, pytest.raises(psycopg.errors.CheckViolation):
        with conn.transaction():
            conn.execute(change, (fid,))
            conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
    _listed(setup)


@on_pg
@pytest.mark.parametrize("status", ["archived", "Draft", "已签章"])
def test_an_admin_cannot_insert_a_form_with_a_status_jixiao_does_not_know(setup: Setup, status: str) -> None:
    with setup.connect("admin") as conn:
        columns = [
            c
            for (c,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = 'forms' AND column_name NOT IN ('id', 'status', 'project_name', "
                "'signer_cert_sha256') ORDER BY ordinal_position"
            ).fetchall()
        ]
        listed = ", ".join(columns)
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                f"INSERT INTO forms ({listed}, status, project_name) "
                f"SELECT {listed}, %s, '新项目' FROM forms WHERE project_name = %s",
                (status, OWN),
            )
    _listed(setup)


@on_pg
@pytest.mark.parametrize("rules", ["national-2020", "", "rules/本单位规则.toml"])
def test_a_built_in_rule_set_or_a_toml_file_may_still_be_named(setup: Setup, rules: str) -> None:
    fid = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        conn.execute("UPDATE forms SET rules = %s, version = version + 1 WHERE id = %s", (rules, fid))
        assert conn.execute("SELECT rules FROM forms WHERE id = %s", (fid,)).fetchone() == (rules,)
