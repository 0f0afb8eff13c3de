"""Attacks on what every login of the server shares: id sequences, advisory locks, TRUNCATE (migration 0019).

Found by attacking the database as each role with plain psycopg: any login could draw ids with
``nextval`` until the integer ids ran out (about 11 minutes; then nobody could save a form), hold the
advisory lock of `jixiao db upgrade` so that every upgrade waited for ever, and the owner's TRUNCATE
emptied signed forms without a trace in the change log.
"""

from __future__ import annotations

import dataclasses
import threading
import time

import psycopg
import pytest

from jixiao.storage.database import MIGRATION_LOCK, DatabaseError, make_engine, upgrade
from jixiao.storage.store import ConflictError, FormStore
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_REASON)

OWN = "老干工作经费"  # 商业行办's form (the filler "shangye")
SEQUENCE_TABLES = ("forms", "goals", "indicators", "audit_log", "units", "evidence", "rechecks", "monitoring")


def _last_ids(setup: Setup) -> dict[str, int]:
    with setup.store.engine.connect() as conn:
        return {
            t: conn.exec_driver_sql(
                "SELECT COALESCE(pg_sequence_last_value(pg_get_serial_sequence(%s, 'id')::regclass), 0)", (t,)
            ).scalar_one()
            for t in SEQUENCE_TABLES
        }


@pytest.mark.parametrize("who", ["shangye", "reviewer", "admin"])
def test_no_login_draws_ids_by_hand(setup: Setup, who: str) -> None:
    before = _last_ids(setup)
    with setup.connect(who) as conn:
        for t in SEQUENCE_TABLES:
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied for sequence"):
                conn.execute(f"SELECT nextval(pg_get_serial_sequence('{t}', 'id')) FROM generate_series(1, 1000)")
    assert _last_ids(setup) == before


def test_rows_still_get_their_ids_from_the_database(setup: Setup) -> None:
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn, conn.transaction():
        conn.execute("UPDATE forms SET deviation_analysis = '说明' WHERE id = %s", (own,))
        conn.execute(
            "INSERT INTO goals (form_id, position, text, weight) VALUES (%s, 99, '新目标', 0) RETURNING id", (own,)
        )
        gid = conn.execute("SELECT max(id) FROM goals WHERE form_id = %s", (own,)).fetchone()[0]  # type: ignore[index]
    assert gid == _last_ids(setup)["goals"]
    engine = make_engine(setup.url.set(username=setup.logins["shangye"], password=PASSWORD).render_as_string(False))
    try:  # jixiao's own save as the filler writes every row anew
        store = FormStore(engine, actor="商业行办填报人")
        sf = store.get(own)
        store.save(own, dataclasses.replace(sf.form, deviation_analysis="再改一次"), sf.version)
        assert store.get(own).form.deviation_analysis == "再改一次"
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("tables", "refusal"),
    [
        ("indicators", "not truncated"),
        ("goals, indicators", "not truncated"),
        ("forms CASCADE", "not truncated|append-only"),  # held before 0019: the 复核 table refuses it
    ],
)
def test_the_owner_cannot_truncate_forms_or_their_rows(setup: Setup, tables: str, refusal: str) -> None:
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (own,))
    with setup.store.engine.connect() as conn:
        before = conn.exec_driver_sql("SELECT count(*) FROM indicators").scalar_one()
        with pytest.raises(Exception, match=refusal):
            conn.exec_driver_sql(f"TRUNCATE {tables}")
        conn.rollback()
        assert conn.exec_driver_sql("SELECT count(*) FROM indicators").scalar_one() == before


def test_a_filler_holding_the_upgrade_lock_is_named_not_waited_for(setup: Setup) -> None:
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            upgrade(setup.store.engine)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    with setup.connect("shangye") as squatter:
        squatter.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(20)
        waited = thread.is_alive()
    thread.join(60)
    assert not waited, "db upgrade waited for the filler's advisory lock"
    assert isinstance(outcome[0], DatabaseError)
    assert setup.logins["shangye"] in str(outcome[0]) and "升级锁" in str(outcome[0])
    deadline = time.monotonic() + 15
    while True:  # once the session is gone, the upgrade runs (a closed session's backend exits a moment later)
        try:
            upgrade(setup.store.engine)
            break
        except DatabaseError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_a_filler_cannot_date_or_name_a_change_as_someone_elses(setup: Setup) -> None:
    own = setup.form_id(OWN)
    seen = setup.store.get(own)
    with setup.connect("shangye") as conn:
        conn.execute(
            "UPDATE forms SET deviation_analysis = '改了', updated_by = '财政局审核人', "
            "updated_at = '2020-01-01', version = version + 1 WHERE id = %s",
            (own,),
        )
        conn.execute("UPDATE forms SET updated_by = '财政局审核人', updated_at = '2020-01-01' WHERE id = %s", (own,))
    now = setup.store.get(own)
    assert now.updated_by == "商业行办填报人"
    assert now.updated_at > seen.updated_at
    # what jixiao tells the next person who saves: the real name
    with pytest.raises(ConflictError, match="商业行办填报人"):
        setup.store.save(own, dataclasses.replace(seen.form, deviation_analysis="我的修改"), seen.version)


def test_a_reviewer_cannot_backdate_a_signature(setup: Setup) -> None:
    own = setup.form_id(OWN)
    with setup.connect("shangye") as conn:
        conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (own,))
    with setup.connect("reviewer") as conn:
        conn.execute("UPDATE forms SET status = 'approved', updated_by = '局长' WHERE id = %s", (own,))
        conn.execute("UPDATE forms SET status = 'signed', signed_at = '2020-01-01' WHERE id = %s", (own,))
    signed = setup.store.get(own)
    assert signed.updated_by == "财政局审核人"
    assert signed.signed_at is not None and signed.signed_at.year > 2020
