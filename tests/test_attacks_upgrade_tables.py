"""No login holds ``jixiao db upgrade`` or ``db restore`` waiting by keeping a transaction open (PostgreSQL).

``db upgrade`` names a login that holds its advisory lock instead of waiting for it. A filler with psql
did not need that lock: they read a form in a transaction, turned off their idle timeout (any login
may: ``SET idle_in_transaction_session_timeout = 0``) and left the transaction open. The read holds a
lock on the table until the transaction ends, and the next migration's ``ALTER TABLE`` waited for it
without end, with nothing said. The upgrade now locks the schema's tables first, and names a holder
that is neither its own login nor a superuser, with its server process, for the DBA to end. A
restore locked every table with ``LOCK TABLE … ACCESS EXCLUSIVE`` and waited the same way; it takes
the same locks now.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command

from jixiao.storage.backup import backup, restore
from jixiao.storage.database import DatabaseError, alembic_config, upgrade
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
BEFORE_CHECKS = "0044"  # 0045 adds CHECK constraints to forms: ALTER TABLE, which waits for every reader


def _while_a_read_is_held_open(setup: Setup, task: Callable[[], object]) -> BaseException | None:
    """What ``task`` ends with while the filler holds a read of forms open; fails if it waits for it."""
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            task()
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    with setup.connect("shangye") as squatter:
        squatter.autocommit = False
        squatter.execute("SET idle_in_transaction_session_timeout = 0")
        squatter.execute("SELECT 1 FROM forms LIMIT 0")  # a read, left open
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(20)
        waited = thread.is_alive()
        squatter.rollback()
    thread.join(60)
    assert not waited, "it waited for the filler's open transaction"
    return outcome[0]


def _named(setup: Setup, refusal: BaseException | None) -> None:
    assert isinstance(refusal, DatabaseError), refusal
    assert setup.logins["shangye"] in str(refusal) and "pg_terminate_backend" in str(refusal)


@on_pg
def test_a_filler_holding_a_read_open_is_named_not_waited_for(setup: Setup) -> None:
    engine = setup.store.engine
    command.downgrade(alembic_config(engine), BEFORE_CHECKS)
    _named(setup, _while_a_read_is_held_open(setup, lambda: upgrade(engine)))
    deadline = time.monotonic() + 15
    while True:  # once the transaction is gone, the upgrade runs
        try:
            upgrade(engine)
            break
        except DatabaseError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    with setup.connect("shangye") as conn:
        assert conn.execute("SELECT count(*) FROM forms").fetchone() == (1,)


@on_pg
def test_a_restore_names_the_open_transaction_too(setup: Setup, tmp_path: Path) -> None:
    engine = setup.store.engine
    path = tmp_path / "backup.jsonl.gz"
    backup(engine, path)
    _named(setup, _while_a_read_is_held_open(setup, lambda: restore(engine, path, force=True)))
