"""Angles of attack round 4 that held, kept as tests so that they keep holding (PostgreSQL).

Tried with plain psycopg as a filler, as psql would: a ``MERGE`` changing a row (does it pass the
statement triggers that log the change and ask for a new version?); session settings and roles that
would turn a trigger or a policy off or change whose rights apply; ``COPY`` into a table with row
policies; objects of one's own (a schema, a function, a type) that could shadow jixiao's; the
definition of a table.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
FORM = "老干工作经费"  # 商业行办's draft, filled by "shangye"
MERGE = (
    "MERGE INTO indicators i USING (SELECT min(id) AS id FROM indicators WHERE form_id = %s) s ON i.id = s.id "
    "WHEN MATCHED THEN UPDATE SET actual = 'MERGE 改写'"
)


def test_a_merge_is_logged_and_needs_a_new_version_as_an_update_does(setup: Setup) -> None:
    fid = setup.form_id(FORM)
    with setup.connect("shangye") as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match="没有增加表单的版本号"):
            conn.execute(MERGE, (fid,))
        with conn.transaction():
            conn.execute(MERGE, (fid,))
            conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (fid,))
        logged = conn.execute(
            "SELECT count(*) FROM row_changes WHERE form_id = %s AND table_name = 'indicators' "
            "AND after ->> 'actual' = 'MERGE 改写'",
            (fid,),
        ).fetchone()
    assert logged == (1,)
    with setup.connect_owner() as conn:
        assert conn.execute("SELECT scores_trusted FROM forms WHERE id = %s", (fid,)).fetchone() == (False,)


@pytest.mark.parametrize(
    "setting",
    [
        "SET session_replication_role = replica",  # would skip every trigger
        "SET SESSION AUTHORIZATION DEFAULT",
        "SET ROLE jixiao_admin",
        "SET ROLE jixiao_scorer",  # a trusted writer
    ],
)
def test_no_setting_or_role_turns_a_guard_off(setup: Setup, setting: str) -> None:
    with setup.connect("shangye") as conn:
        if setting.endswith("DEFAULT"):  # allowed, and a no-op: the session's own login
            conn.execute(setting)
            assert conn.execute("SELECT session_user = current_user").fetchone() == (True,)
            return
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(setting)


def test_row_security_off_reads_nothing_it_could_not(setup: Setup) -> None:
    with setup.connect("shangye") as conn:
        conn.execute("SET row_security = off")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            conn.execute("SELECT count(*) FROM forms")


@pytest.mark.parametrize(
    "sql",
    [
        "COPY goals (form_id, position, text, weight) FROM STDIN",
        "CREATE SCHEMA mine",
        "CREATE FUNCTION public.jixiao_my_unit() RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$",
        "CREATE TYPE public.state AS ENUM ('draft')",
        "ALTER TABLE forms DISABLE TRIGGER forms_guard",
        "ALTER TABLE forms NO FORCE ROW LEVEL SECURITY",
        "TRUNCATE goals",
        "SELECT setval('forms_id_seq', 1)",
    ],
)
def test_a_filler_creates_or_alters_nothing(setup: Setup, sql: str) -> None:
    with setup.connect("shangye") as conn, pytest.raises(psycopg.Error) as refused:
        if sql.startswith("COPY"):
            with conn.cursor().copy(sql) as copy:
                copy.write_row((setup.form_id(FORM), 99, "x", None))
        else:
            conn.execute(sql)
    assert isinstance(refused.value, (psycopg.errors.InsufficientPrivilege, psycopg.errors.FeatureNotSupported)), (
        refused
    )


def test_on_conflict_tells_a_filler_nothing_of_another_units_project_names(setup: Setup) -> None:
    """The row policy refuses before the unique identity is looked up: a name held or not, the same refusal."""
    from tests.role_setup import JINGKE

    sql = (
        "INSERT INTO forms (year, implementing_unit, project_name, form_kind, title, ticks_category, ticks_attribute, "
        "ticks_project_type, budget_label, budget_rate_text, budget_score_reason, deviation_analysis, "
        "improvement_measures, signoff_preparer, signoff_reviewer, signoff_unit_head, signoff_finance_head, "
        "signoff_project_lead, signoff_contact, signoff_phone, signoff_date, status, version, created_at, updated_at, "
        "updated_by, signed_by, signature_sha256, computed_rules, computed_grade, computed_pending, computed_problems) "
        "VALUES (2024, %s, %s, 'project', '', '[]', '[]', '[]', '', '', '', '', '', '', '', '', '', '', '', '', '', "
        "'draft', 1, now(), now(), '', '', '', '', '', 0, 0) ON CONFLICT DO NOTHING"
    )
    said = []
    with setup.connect("shangye") as conn:
        for name in ("企业管理费", "没有这个项目"):  # 经科局's project, and a name nobody holds
            with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
                conn.execute(sql, (JINGKE, name))
            said.append(str(refused.value))
    assert said[0] == said[1]
