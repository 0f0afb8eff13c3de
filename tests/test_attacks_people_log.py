"""Who may do what is in the database's own change log too (migration 0027): an admin with psql
who makes a filler the reviewer of a 主管部门, lets it approve and puts the role back leaves every
step in ``row_changes``; fillers and reviewers never read those rows, and nobody removes them."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, text

from jixiao.storage.backup import BackupError, backup, restore
from jixiao.storage.users import Directory
from tests.role_setup import JINGKE, PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL, make_backend

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)

PEOPLE = "SELECT db_user, table_name, op, form_id, before, after FROM row_changes WHERE table_name IN ('app_users', 'units') ORDER BY id"


def _log(setup: Setup) -> list[tuple]:  # type: ignore[type-arg]
    with setup.connect("admin") as conn:
        return conn.execute(PEOPLE).fetchall()


@on_pg
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


@on_pg
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


@on_pg
@pytest.mark.parametrize("who", ["jingke", "shangye", "reviewer"])
def test_fillers_and_reviewers_never_read_who_was_granted_what(setup: Setup, who: str) -> None:
    with setup.connect("admin") as conn:
        conn.execute("UPDATE app_users SET name = name || '（改）'")
    assert len(_log(setup)) >= 4
    with setup.connect(who) as conn:
        assert conn.execute(PEOPLE).fetchall() == []
        assert conn.execute("SELECT count(*) FROM row_changes WHERE form_id IS NULL").fetchone() == (0,)


@on_pg
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


@on_pg
def test_an_update_names_the_login_and_only_what_changed(setup: Setup) -> None:
    """Row by row, each entry names its login, so an admin reading the log knows whose row it was."""
    with setup.connect("admin") as conn:
        conn.execute("UPDATE app_users SET name = '新名字' WHERE login = %s", (setup.logins["shangye"],))
    assert _log(setup)[-1][4:] == (
        {"login": setup.logins["shangye"], "name": "商业行办填报人"},
        {"login": setup.logins["shangye"], "name": "新名字"},
    )


def _as(setup: Setup, who: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The URL of ``who`` (the password in PGPASSWORD: jixiao refuses one written in --db)."""
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    u = setup.url
    return f"postgresql+psycopg://{setup.logins[who]}@{u.host}:{u.port}/{u.database}?options=-csearch_path%3D{setup.schema}"


@on_pg
def test_users_log_shows_an_admin_every_change_in_chinese_and_others_none(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_pdf import run

    filler = setup.logins["jingke"]
    with setup.connect("admin") as conn:
        conn.execute(
            "UPDATE app_users SET role = 'reviewer', unit = '', department = %s WHERE login = %s", (JINGKE, filler)
        )
    code, out, err = run("--db", _as(setup, "admin", monkeypatch), "users", "log")
    flat = "".join(out.split())
    assert code == 0 and "Traceback" not in err, err
    assert f"用户{filler}" in flat and "角色：填报人→审核人" in flat and f"审核范围：（空）→{JINGKE}" in flat
    assert setup.logins["admin"] in flat and "修改" in flat
    for who in ("jingke", "reviewer"):
        code, out, _ = run("--db", _as(setup, who, monkeypatch), "users", "log")
        assert code == 0 and "没有用户与单位的修改记录" in out and filler not in out
    assert run("--db", _as(setup, "admin", monkeypatch), "users", "log", "--limit", "0")[0] == 1


def test_users_log_on_sqlite_says_nothing_is_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_pdf import run

    monkeypatch.setenv("JIXIAO_DB", str(tmp_path / "j.db"))
    code, out, err = run("users", "log")
    assert code == 0 and "SQLite 数据库不记录用户与单位的修改" in "".join(out.split()) + out, out + err


def _people(engine: Engine) -> list[tuple]:  # type: ignore[type-arg]
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(PEOPLE.replace("form_id, ", "id, form_id, ")))]


@on_pg
@pytest.mark.parametrize("how", ["jixiao", "psql"])
def test_restore_force_never_wipes_the_database_log(tmp_path: Path, how: str) -> None:
    """``row_changes`` is the database's own log, like the audit log: a database where only users and
    units were set up (no audit entry, no certificate) or where forms were changed only with psql
    held nothing ``--force`` refused to replace, so a restore erased who was granted what."""
    gen = make_backend("postgresql", tmp_path)
    _, engine = next(gen)
    try:
        backup(engine, tmp_path / "empty.gz")  # an older backup, from before the grants
        if how == "jixiao":
            Directory(engine).add_unit("测试单位乙", department=JINGKE)
        else:  # the owner's psql, as an admin's: a row the trigger logs, and no audit entry beside it
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO units (name, department, created_at) VALUES ('乙', '', now())"))
        log = _people(engine)
        assert log
        with pytest.raises(BackupError, match="只能追加、不能删除"):
            restore(engine, tmp_path / "empty.gz", force=True)
        assert _people(engine) == log
    finally:
        gen.close()


@on_pg
def test_a_restore_carries_the_log_of_who_was_granted_what(tmp_path: Path) -> None:
    source, target = make_backend("postgresql", tmp_path / "a"), make_backend("postgresql", tmp_path / "b")
    _, a = next(source)
    _, b = next(target)
    try:
        d = Directory(a)
        d.add_unit("测试单位丙", department=JINGKE)
        with a.begin() as conn:
            conn.execute(text("UPDATE units SET department = '' WHERE name = '测试单位丙'"))
        backup(a, tmp_path / "b.gz")
        restore(b, tmp_path / "b.gz")
        assert [r[:3] for r in _people(b)] == [r[:3] for r in _people(a)] and len(_people(a)) == 2
        assert _people(b) == _people(a)
    finally:
        source.close()
        target.close()


@on_pg
def test_force_refuses_every_table_the_database_keeps_append_only(tmp_path: Path) -> None:
    """The class: a table whose rows no role may delete (an ``*_append_only`` trigger) is one that
    ``restore --force`` must not empty either."""
    from jixiao.storage import backup as b

    gen = make_backend("postgresql", tmp_path)
    _, engine = next(gen)
    try:
        with engine.connect() as conn:
            kept = set(
                conn.execute(
                    text(
                        "SELECT DISTINCT t.tgrelid::regclass::text FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
                        "WHERE NOT t.tgisinternal AND p.proname LIKE '%append_only'"
                    )
                ).scalars()
            )
        assert "row_changes" in kept and kept <= {b.AUDIT, *b.APPEND_ONLY}
    finally:
        gen.close()
