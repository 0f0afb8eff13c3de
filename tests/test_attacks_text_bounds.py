"""Every text a role may write is bounded in the database as in jixiao (migration 0039).

jixiao refused a 偏差分析 over 50,000 characters and a tick that is no option, but a filler with psql
could write a 500 MB text into their own draft, which every reviewer's review, editor and PDF of the
form would then carry.
"""

from __future__ import annotations

import re

import psycopg
import pytest
from sqlalchemy import Engine

from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore, StoreError
from jixiao.storage.validate import MAX_TEXT_CHARS
from scorer.formfile import FormFileError, form_from_dict
from scorer.model import TICK_GROUPS
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL, backend_engine

__all__ = ["backend_engine"]  # the fixture, used by name

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "老干工作经费"  # 商业行办's form (the filler "shangye")

#: every column some jixiao role may INSERT or UPDATE whose type has no length of its own
UNBOUNDED = """
SELECT DISTINCT c.table_name, c.column_name FROM information_schema.columns c
  JOIN information_schema.column_privileges p USING (table_schema, table_name, column_name)
 WHERE c.table_schema = current_schema() AND p.grantee LIKE 'jixiao\\_%%' AND p.privilege_type IN ('INSERT', 'UPDATE')
   AND (c.data_type IN ('text', 'json', 'jsonb', 'bytea')
        OR (c.data_type = 'character varying' AND c.character_maximum_length IS NULL))
"""
#: the columns a CHECK constraint of their table reads
CHECKED = """
SELECT DISTINCT t.relname, a.attname FROM pg_constraint k
  JOIN pg_class t ON t.oid = k.conrelid JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (k.conkey)
 WHERE k.contype = 'c' AND t.relnamespace = current_schema()::regnamespace
"""
BY_TRIGGER = {("evidence", "data")}  # each file 10 MB (0010), a form 100 MB (0034): a trigger, not a CHECK


@on_pg
def test_no_role_may_write_a_column_the_database_does_not_bound(setup: Setup) -> None:
    """A column added later without its bound fails here, whatever its table."""
    with setup.connect_owner() as conn:
        unbounded = set(conn.execute(UNBOUNDED).fetchall())
        checked = set(conn.execute(CHECKED).fetchall())
    assert len(unbounded) >= 19  # what the query found when this test was written: it reads the grants
    assert sorted(unbounded - checked - BY_TRIGGER) == []


@on_pg
@pytest.mark.parametrize("who", ["shangye", "admin"])
@pytest.mark.parametrize(
    ("table", "column", "where"),
    [
        ("forms", "deviation_analysis", "id = %s"),
        ("forms", "budget_score_reason", "id = %s"),
        ("goals", "text", "form_id = %s"),
        ("indicators", "deviation", "form_id = %s AND position = 0"),
        ("indicators", "actual", "form_id = %s AND position = 0"),
        ("indicators", "uid", "form_id = %s AND position = 0"),
    ],
)
def test_no_writer_with_psql_writes_a_text_past_the_cap(
    setup: Setup, who: str, table: str, column: str, where: str
) -> None:
    own = setup.form_id(OWN)
    sql = f"UPDATE {table} SET {column} = repeat('字', %s) WHERE {where}"
    with setup.connect(who) as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match=f"{table}_{column}_bounded"), conn.transaction():
            conn.execute(sql, (MAX_TEXT_CHARS + 1, own))
    with setup.connect_owner() as conn:
        longest = conn.execute(f"SELECT max(char_length({column})) FROM {table} WHERE {where}", (own,)).fetchone()
    assert longest is not None and (longest[0] or 0) < 1000  # as the seed wrote it


@on_pg
def test_a_text_at_the_cap_is_written(setup: Setup) -> None:
    """The bound is jixiao's own, not a tighter one: 50,000 characters go in."""
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn, conn.transaction():
        conn.execute("UPDATE forms SET deviation_analysis = repeat('字', %s) WHERE id = %s", (MAX_TEXT_CHARS, own))
        conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (own,))
    assert setup.store.get(own).form.deviation_analysis == "字" * MAX_TEXT_CHARS


@on_pg
@pytest.mark.parametrize(
    "ticks",
    [
        '["假的选项"]',
        '["区级专项", "区级专项"]',
        '["区级专项", "区级专项", "区级专项", "区级专项"]',
        '"区级专项"',
        '{"a": 1}',
        "null",
        "[null]",
        '["区级专项", null]',
        "[1]",
    ],
)
def test_a_tick_is_one_of_its_options_once(setup: Setup, ticks: str) -> None:
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match="forms_ticks_category_options"), conn.transaction():
            conn.execute("UPDATE forms SET ticks_category = %s::json WHERE id = %s", (ticks, own))
        with conn.transaction():  # the options themselves, any of them, go in
            conn.execute(
                "UPDATE forms SET ticks_category = %s::json WHERE id = %s", ('["区级专项", "部门预算项目"]', own)
            )
            conn.execute("UPDATE forms SET version = version + 1 WHERE id = %s", (own,))
    assert setup.store.get(own).form.ticks.category == ("区级专项", "部门预算项目")


@on_pg
def test_a_reviewer_s_opinion_and_an_audit_comment_are_bounded(setup: Setup) -> None:
    with setup.connect_owner() as conn:
        defs = dict(
            conn.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE connamespace = current_schema()::regnamespace AND contype = 'c'"
            ).fetchall()
        )
    assert "50000" in defs["rechecks_opinion_bounded"]
    assert all("1000000" in defs[f"audit_log_{c}_bounded"] for c in ("before", "after", "reason"))


def test_jixiao_refuses_an_over_long_comment_in_chinese_and_writes_nothing(backend_engine: Engine) -> None:
    store = FormStore(backend_engine, actor="商业行办填报人")
    (outcome,) = store.import_forms(sample_forms()[:1])
    before, logged = store.get(outcome.form_id), len(store.history(outcome.form_id))
    said = f"{before.key}：理由过长（{MAX_TEXT_CHARS + 1} 字，上限 {MAX_TEXT_CHARS} 字）"  # the form named
    with pytest.raises(StoreError, match=re.escape(said)):
        store.transition(outcome.form_id, "submit", "理" * (MAX_TEXT_CHARS + 1))
    after = store.get(outcome.form_id)
    assert (after.status, after.version, len(store.history(outcome.form_id))) == (before.status, before.version, logged)
    assert store.transition(outcome.form_id, "submit", "理" * MAX_TEXT_CHARS).status != before.status  # the cap itself


@pytest.mark.parametrize("group", list(TICK_GROUPS))
def test_a_form_file_ticking_an_option_twice_is_refused(group: str) -> None:
    """The database holds each option once; a file that ticks one twice is refused, naming it."""
    option = TICK_GROUPS[group][0]
    data = {"format": "jixiao-form/1", "year": 2024, "project_name": "项目", "implementing_unit": "单位"}
    with pytest.raises(FormFileError, match=f"ticks.{group}.*「{option}」勾选了不止一次"):
        form_from_dict({**data, "ticks": {group: [option, option]}})
