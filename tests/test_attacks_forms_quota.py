"""A filler cannot fill the server with forms: a unit holds at most 2,000 forms a year (migration 0047).

Attacked with plain psycopg as the unit's filler, and through jixiao as that filler. The owner's bulk
import is not bounded; a filler creating a form for another unit is refused by the row policy as
before, and learns nothing of how many forms that unit has.
"""

from __future__ import annotations

import psycopg
import pytest

from jixiao.storage.database import make_engine
from jixiao.storage.records import StoreError
from jixiao.storage.store import FormStore
from scorer.model import Form
from tests.role_setup import JINGKE, PASSWORD, SHANGYE, Setup
from tests.storage_backends import PG_REASON, PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
CAP = 2000
YEAR = 2024


def _fill_to(setup: Setup, unit: str, year: int, total: int) -> None:
    """As the owner (not bounded): copies of one of the unit's forms until the unit holds ``total`` for ``year``."""
    with setup.connect_owner() as conn, conn.transaction():
        cols = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = 'forms' AND column_name NOT IN ('id', 'project_name', 'year')"
            )
        ]
        row = conn.execute("SELECT count(*) FROM forms WHERE implementing_unit = %s AND year = %s", (unit, year))
        have = row.fetchone()[0]  # type: ignore[index]
        listed = ", ".join(cols)
        conn.execute(
            f"INSERT INTO forms (project_name, year, {listed}) "
            f"SELECT '批量' || g, %s, {listed} FROM forms, generate_series(1, %s) g "
            "WHERE id = (SELECT min(id) FROM forms WHERE implementing_unit = %s)",
            (year, total - have, unit),
        )
        got = conn.execute("SELECT count(*) FROM forms WHERE implementing_unit = %s AND year = %s", (unit, year))
        assert got.fetchone()[0] == total  # type: ignore[index]


def _insert(conn: psycopg.Connection, unit: str, year: int, name: str) -> None:  # type: ignore[type-arg]
    """A new draft for ``unit``: a copy of a form the writer sees, under a new name."""
    cols = [
        r[0]
        for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'forms' AND column_name NOT IN "
            "('id', 'project_name', 'year', 'implementing_unit', 'status', 'version')"
        )
    ]
    listed = ", ".join(cols)
    conn.execute(
        f"INSERT INTO forms (project_name, year, implementing_unit, status, version, {listed}) "
        f"SELECT %s, %s, %s, 'draft', 1, {listed} FROM forms WHERE id = (SELECT min(id) FROM forms)",
        (name, year, unit),
    )


def test_a_filler_with_psql_cannot_create_the_unit_s_2001st_form_of_a_year(setup: Setup) -> None:
    _fill_to(setup, SHANGYE, YEAR, CAP - 1)
    with setup.connect("shangye") as conn:
        _insert(conn, SHANGYE, YEAR, "第 2000 份")  # the last one the bound allows
        with pytest.raises(psycopg.errors.CheckViolation, match="holds at most 2000 forms for year 2024"):
            _insert(conn, SHANGYE, YEAR, "第 2001 份")
        _insert(conn, SHANGYE, YEAR + 1, "下一年度的第 1 份")  # each year has its own bound


def test_jixiao_as_the_filler_says_so_in_chinese_and_writes_nothing(setup: Setup) -> None:
    _fill_to(setup, SHANGYE, YEAR, CAP)
    url = setup.url.set(username=setup.logins["shangye"], password=PASSWORD).render_as_string(False)
    store = FormStore(make_engine(url), actor="商业行办填报人")
    before = len(store.list())
    with pytest.raises(StoreError, match=f"单位「{SHANGYE}」2024 年度至多有 2000 份表单"):
        store.create(Form(project_name="再建一份", implementing_unit=SHANGYE, department=JINGKE, year=YEAR))
    assert len(store.list()) == before


def test_the_bound_tells_no_one_how_many_forms_another_unit_has(setup: Setup) -> None:
    _fill_to(setup, JINGKE, YEAR, CAP)
    with setup.connect("shangye") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
        _insert(conn, JINGKE, YEAR, "别的单位的表")
    assert "row-level security" in str(refused.value) and "2000" not in str(refused.value)


def test_the_owner_s_bulk_import_is_not_bounded(setup: Setup) -> None:
    _fill_to(setup, SHANGYE, YEAR, CAP)
    with setup.connect_owner() as conn:
        _insert(conn, SHANGYE, YEAR, "所有者导入的第 2001 份")
