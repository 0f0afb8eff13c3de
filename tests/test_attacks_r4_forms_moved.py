"""A unit's 2,000 forms a year stay bounded when forms are moved, and a year is one jixiao takes (migration 0050).

0047 counted a unit's forms of a year when a form was inserted. Attacked with plain psycopg as the
unit's filler, as psql would: the filler, who holds UPDATE on ``forms.year``, moved the unit's forms
of the full year to another with one UPDATE and created the year's 2,000 again, without end; and
inserted forms for the years 3000, 3001, … which no reader of jixiao would take, each year with its own
2,000. Both filled the server as 0047 meant to stop.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.role_setup import SHANGYE, Setup
from tests.storage_backends import PG_REASON, PG_URL
from tests.test_attacks_forms_quota import CAP, YEAR, _fill_to, _insert

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_REASON)


def test_a_filler_cannot_move_forms_into_a_full_year(setup: Setup) -> None:
    _fill_to(setup, SHANGYE, YEAR, CAP)
    with setup.connect("shangye") as conn:
        _insert(conn, SHANGYE, YEAR + 1, "下一年度的表单")
        with pytest.raises(psycopg.errors.CheckViolation, match=f"holds at most {CAP} forms for year {YEAR}"):
            conn.execute(
                "UPDATE forms SET year = %s WHERE year = %s AND implementing_unit = %s", (YEAR, YEAR + 1, SHANGYE)
            )
        # nor empty the full year into another and fill it again: the move into the next year is counted too
        _fill_to(setup, SHANGYE, YEAR + 2, CAP)
        with pytest.raises(psycopg.errors.CheckViolation, match=f"for year {YEAR + 2}"):
            conn.execute(
                "UPDATE forms SET year = %s WHERE year = %s AND implementing_unit = %s", (YEAR + 2, YEAR, SHANGYE)
            )
        conn.execute("UPDATE forms SET year = year, title = title WHERE year = %s", (YEAR,))  # no move: not refused


def test_a_form_of_a_writer_has_a_year_jixiao_takes(setup: Setup) -> None:
    with setup.connect("shangye") as conn:
        for year in (3000, 1989, 2101):
            with pytest.raises(psycopg.errors.CheckViolation, match=f"has the year {year}, not one from 1990 to 2100"):
                _insert(conn, SHANGYE, year, f"{year} 年的表单")
        _insert(conn, SHANGYE, 2100, "2100 年的表单")
        _insert(conn, SHANGYE, 1990, "1990 年的表单")
        with pytest.raises(psycopg.errors.CheckViolation, match="has the year 9999"):
            conn.execute("UPDATE forms SET year = 9999 WHERE project_name = '2100 年的表单'")
    with setup.connect("admin") as conn, pytest.raises(psycopg.errors.CheckViolation, match="has the year 3000"):
        _insert(conn, SHANGYE, 3000, "管理员 3000 年的表单")
    with setup.connect_owner() as conn:  # the owner's import and restore are not held
        _insert(conn, SHANGYE, 3000, "所有者 3000 年的表单")


def test_jixiao_says_the_year_refusal_in_chinese() -> None:
    from jixiao.storage.db_messages import in_chinese

    said = in_chinese("jixiao: form 测试项目 has the year 3000, not one from 1990 to 2100")
    assert said == "表单「测试项目」的年度为 3000，应在 1990 到 2100 之间"
