"""Attacks on row ids and on the database's time stamps, as each role with plain psycopg (migration 0013).

Found by attacking the database: an id changed in an UPDATE hid the change from the row log; a
filler choosing ids could read another unit's deleted form through its history, or make every
other unit's next save fail; evidence could be added to a signed form from a transaction begun
before it was submitted; an audit entry was dated at the start of a transaction held open for days.
"""

from __future__ import annotations

import time
from pathlib import Path

import psycopg
import pytest

from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_REASON)

OWN = "老干工作经费"  # 商业行办's form (the filler "shangye")
OTHER = "企业管理费"  # 经科局's form (the filler "jingke")
AUDIT = (
    "INSERT INTO audit_log ({id}form_id, form_key, at, actor, action, field, label, reason, version)"
    " VALUES ({value}%s, 'k', '2020-01-01', 'x', 'update', '', '', '', 1)"
)
COPY_FORM = (
    "INSERT INTO forms SELECT (jsonb_populate_record(null::forms, to_jsonb(f) || "
    "jsonb_build_object('id', %s, 'project_name', '抢号', 'status', 'draft'))).* FROM forms f WHERE id = %s"
)


def _history(conn: psycopg.Connection, form_id: int) -> int:  # type: ignore[type-arg]
    return int(conn.execute("SELECT count(*) FROM row_changes WHERE form_id = %s", (form_id,)).fetchone()[0])  # type: ignore[index]


def _ahead(setup: Setup, table: str, n: int) -> int:
    """An id ``n`` past the sequence's last (read by the owner: no login reads the sequences, 0019)."""
    with setup.store.engine.connect() as conn:
        last = conn.exec_driver_sql(f"SELECT pg_sequence_last_value('{table}_id_seq'::regclass)").scalar()
    return int(last or 0) + n


@pytest.mark.parametrize(
    ("who", "sql"),
    [
        (
            "admin",
            "UPDATE indicators SET id = 900000, target = '悄悄改了' WHERE id = (SELECT min(id) FROM indicators WHERE form_id = %s)",
        ),
        ("admin", "UPDATE forms SET id = 800000, project_name = '改名无痕' WHERE id = %s"),
        ("admin", "UPDATE goals SET id = 700000 WHERE form_id = %s"),
        ("shangye", "UPDATE indicators SET id = id + 100000 WHERE form_id = %s"),
    ],
    ids=["admin-indicator", "admin-form", "admin-goal", "filler-indicator"],
)
def test_a_rows_id_never_changes(setup: Setup, who: str, sql: str) -> None:
    own = setup.form_id(OWN)
    with setup.connect(who) as conn:
        before = _history(conn, own)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="never changes|permission denied for table"):
            conn.execute(sql, (own,))
        assert _history(conn, own) == before
    assert setup.store.get(own).form.project_name == OWN


def test_another_units_deleted_form_cannot_be_reborn_to_read_its_history(setup: Setup) -> None:
    other, own = setup.form_id(OTHER), setup.form_id(OWN)
    with setup.connect("jingke") as conn:
        conn.execute("SELECT jixiao_delete_form(%s)", (other,))
    with setup.connect("shangye") as conn:
        assert _history(conn, other) == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for table forms"):
            conn.execute(COPY_FORM, (other, own))
        assert _history(conn, other) == 0


def test_a_snapshot_from_before_the_delete_does_not_help(setup: Setup) -> None:
    """In REPEATABLE READ a check that reads the history cannot see a delete made after the snapshot;
    the id column itself is not the filler's to write."""
    other, own = setup.form_id(OTHER), setup.form_id(OWN)
    with setup.connect("shangye") as early:
        early.autocommit = False
        early.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        early.execute("SELECT 1")
        with setup.connect("jingke") as conn:
            conn.execute("SELECT jixiao_delete_form(%s)", (other,))
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            early.execute(COPY_FORM, (other, own))
        early.rollback()
        early.autocommit = True
        assert _history(early, other) == 0


@pytest.mark.parametrize("table", ["forms", "goals", "indicators", "audit_log"])
def test_a_filler_cannot_take_ids_ahead_of_the_sequence(setup: Setup, table: str) -> None:
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        big = _ahead(setup, table, 1000)
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"),
            conn.transaction(),
        ):
            if table == "forms":
                conn.execute(COPY_FORM, (big, own))
            elif table == "audit_log":
                conn.execute("UPDATE forms SET deviation_analysis = '说明' WHERE id = %s", (own,))
                conn.execute(AUDIT.format(id="id, ", value=f"{big}, "), (own,))
            else:
                src = "goals" if table == "goals" else "indicators"
                conn.execute(
                    f"INSERT INTO {src} SELECT (jsonb_populate_record(null::{src}, to_jsonb(r) || "
                    f"jsonb_build_object('id', %s, 'uid', 'squat'))).* FROM {src} r WHERE form_id = %s LIMIT 1",
                    (big, own),
                )
        # what the application does, ids from the sequence, still works
        with conn.transaction():
            conn.execute("UPDATE forms SET deviation_analysis = '说明' WHERE id = %s", (own,))
            conn.execute(AUDIT.format(id="", value=""), (own,))
    jingke = setup.form_id(OTHER)
    with setup.connect("jingke") as conn, conn.transaction():  # the other unit's next save is not blocked
        conn.execute("UPDATE forms SET deviation_analysis = '说明' WHERE id = %s", (jingke,))
        conn.execute(AUDIT.format(id="", value=""), (jingke,))


def test_evidence_cannot_be_added_from_a_transaction_begun_before_the_submission(setup: Setup) -> None:
    own = setup.form_id(OWN)
    with setup.connect("shangye") as early:
        early.autocommit = False
        early.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        assert early.execute("SELECT status FROM forms WHERE id = %s", (own,)).fetchone() == ("draft",)
        setup.store.transition(own, "submit")
        with pytest.raises((psycopg.errors.SerializationFailure, psycopg.errors.InsufficientPrivilege)):
            early.execute(
                "INSERT INTO evidence (form_id, indicator_uid, name, media_type, data) "
                "VALUES (%s, '', '签章后补.pdf', 'application/pdf', 'AFTER')",
                (own,),
            )
        early.rollback()
    with setup.store.engine.connect() as conn:
        assert conn.exec_driver_sql(f"SELECT count(*) FROM evidence WHERE form_id = {own}").scalar_one() == 0


def test_an_audit_entry_is_dated_when_it_is_written_not_when_its_transaction_began(setup: Setup) -> None:
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        conn.execute("SET idle_in_transaction_session_timeout = 0")  # a login may change its own limits
        with conn.transaction():
            began = conn.execute("SELECT now()").fetchone()[0]  # type: ignore[index]
            time.sleep(1.5)
            conn.execute("UPDATE forms SET deviation_analysis = '说明' WHERE id = %s", (own,))
            conn.execute(AUDIT.format(id="", value=""), (own,))
            at = conn.execute("SELECT at FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()[0]  # type: ignore[index]
    assert (at - began).total_seconds() >= 1.4


def test_behind_the_grants_the_database_still_refuses_a_chosen_id(setup: Setup) -> None:
    """Should a later migration give the id column back (a table-wide INSERT grant), the trigger holds."""
    other, own = setup.form_id(OTHER), setup.form_id(OWN)
    with setup.store.engine.begin() as conn:
        conn.exec_driver_sql(f"GRANT INSERT (id) ON forms TO {setup.logins['shangye']}")
    with setup.connect("jingke") as conn:
        conn.execute("SELECT jixiao_delete_form(%s)", (other,))
    with setup.connect("shangye") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="deleted form"):
            conn.execute(COPY_FORM, (other, own))
        ahead = _ahead(setup, "forms", 1)
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="ids come from the sequence"):
            conn.execute(COPY_FORM, (ahead, own))
        assert _history(conn, other) == 0


def test_a_restore_never_hands_out_a_deleted_forms_id_again(setup: Setup, tmp_path: Path) -> None:
    """The sequence was set past the highest form left, so the last deleted form's id came back:
    refused for a filler's next form, and for a trusted writer the old history under a new form."""
    import dataclasses

    from jixiao.storage.backup import backup, restore
    from tests.role_setup import JINGKE
    from tests.storage_backends import make_backend

    base = setup.store.get(setup.form_id(OTHER)).form
    last = setup.store.create(dataclasses.replace(base, project_name="临时表单", implementing_unit=JINGKE)).id
    with setup.connect("jingke") as conn:
        conn.execute("SELECT jixiao_delete_form(%s)", (last,))
    backup(setup.store.engine, tmp_path / "b.jxbak")
    gen = make_backend("postgresql", tmp_path / "restored")
    _, engine = next(gen)
    try:
        restore(engine, tmp_path / "b.jxbak")
        with engine.begin() as conn:
            assert conn.exec_driver_sql("SELECT max(id) FROM forms").scalar_one() < last
            assert conn.exec_driver_sql("SELECT nextval('forms_id_seq')").scalar_one() > last
    finally:
        gen.close()  # type: ignore[attr-defined]
