"""Who may do what is in the database's own change log too (migration 0027): an admin with psql
who makes a filler the reviewer of a 主管部门, lets it approve and puts the role back leaves every
step in ``row_changes``; fillers and reviewers never read those rows, and nobody removes them."""

from __future__ import annotations

import psycopg
import pytest

from jixiao.storage.users import Directory
from tests.role_setup import JINGKE, Setup
from tests.storage_backends import PG_REASON, PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_REASON)

PEOPLE = "SELECT db_user, table_name, op, form_id, before, after FROM row_changes WHERE table_name IN ('app_users', 'units') ORDER BY id"


def _log(setup: Setup) -> list[tuple]:  # type: ignore[type-arg]
    with setup.connect("admin") as conn:
        return conn.execute(PEOPLE).fetchall()


def test_a_role_granted_and_taken_back_with_psql_leaves_both_steps(setup: Setup) -> None:
    admin, filler = setup.logins["admin"], setup.logins["jingke"]
    before = len(_log(setup))
    with setup.connect("admin") as conn:
        conn.execute(
            "UPDATE app_users SET role = 'reviewer', unit = '', department = %s WHERE login = %s", (JINGKE, filler)
        )
        conn.execute(
            "UPDATE app_users SET role = 'filler', unit = %s, department = '' WHERE login = %s", (JINGKE, filler)
        )
        conn.execute("UPDATE app_users SET role = role WHERE login = %s", (filler,))  # no change: no entry
    rows = _log(setup)[before:]
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [(admin, "app_users", "UPDATE", None)] * 2
    grant, back = rows
    assert grant[4] == {"login": filler, "role": "filler", "unit": JINGKE, "department": ""}
    assert grant[5] == {"login": filler, "role": "reviewer", "unit": "", "department": JINGKE}
    assert back[4] == grant[5] and back[5] == grant[4]


def test_users_and_units_added_and_removed_are_logged_with_the_login_that_did_it(setup: Setup) -> None:
    before = len(_log(setup))
    d = Directory(setup.store.engine)
    d.add_unit("测试单位甲", department=JINGKE)
    d.add_user("jx_people_x", "临时用户", "filler", unit="测试单位甲", password="Pw-临时-1")
    d.remove_user("jx_people_x")
    rows = _log(setup)[before:]
    owner = setup.url.username
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (owner, "units", "INSERT"),
        (owner, "app_users", "INSERT"),
        (owner, "app_users", "DELETE"),
    ]
    assert rows[0][5]["name"] == "测试单位甲" and rows[1][5]["login"] == rows[2][4]["login"] == "jx_people_x"


@pytest.mark.parametrize("who", ["jingke", "shangye", "reviewer"])
def test_fillers_and_reviewers_never_read_who_was_granted_what(setup: Setup, who: str) -> None:
    with setup.connect("admin") as conn:
        conn.execute("UPDATE app_users SET name = name || '（改）'")
    assert len(_log(setup)) >= 4
    with setup.connect(who) as conn:
        assert conn.execute(PEOPLE).fetchall() == []
        assert conn.execute("SELECT count(*) FROM row_changes WHERE form_id IS NULL").fetchone() == (0,)


@pytest.mark.parametrize(
    "attack",
    [
        "DELETE FROM row_changes WHERE table_name = 'app_users'",
        "UPDATE row_changes SET db_user = 'x' WHERE table_name = 'app_users'",
        "ALTER TABLE app_users DISABLE TRIGGER app_users_log_people",
        "DROP TRIGGER app_users_log_people ON app_users",
    ],
)
def test_an_admin_cannot_remove_the_entries_or_the_trigger(setup: Setup, attack: str) -> None:
    with setup.connect("admin") as conn:
        conn.execute("UPDATE app_users SET name = name || '（改）' WHERE login = %s", (setup.logins["jingke"],))
        count = len(_log(setup))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(attack)
    assert len(_log(setup)) == count


def test_an_update_names_the_login_and_only_what_changed(setup: Setup) -> None:
    """Row by row, each entry names its login, so an admin reading the log knows whose row it was."""
    with setup.connect("admin") as conn:
        conn.execute("UPDATE app_users SET name = '新名字' WHERE login = %s", (setup.logins["shangye"],))
    assert _log(setup)[-1][4:] == (
        {"login": setup.logins["shangye"], "name": "商业行办填报人"},
        {"login": setup.logins["shangye"], "name": "新名字"},
    )
