"""Two databases on one PostgreSQL cluster running their first migration at once (group roles).

The group roles (jixiao_filler, jixiao_reviewer, jixiao_admin, jixiao_scorer) belong to the cluster.
Each migration created them "unless they exist"; two at once both saw none, and the second, waiting
on the first's uncommitted role, failed with a duplicate key and left its database unmigrated.
"""

from __future__ import annotations

import threading
import time
import uuid

import psycopg
import pytest
from sqlalchemy import make_url

from jixiao.storage.migrations.group_roles import create_group_role
from tests.storage_backends import PG_REASON, PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_REASON)


def _connect() -> psycopg.Connection:  # type: ignore[type-arg]
    u = make_url(PG_URL)
    return psycopg.connect(host=u.host, port=u.port, dbname=u.database, user=u.username, password=u.password)


def test_a_role_created_by_another_migration_meanwhile_is_taken_as_made() -> None:
    name = f"jixiao_race_{uuid.uuid4().hex[:8]}"
    first, second = _connect(), _connect()
    outcome: list[object] = []

    def migrate_second() -> None:
        try:
            second.execute(create_group_role(name))
            second.commit()
            outcome.append("ok")
        except psycopg.Error as exc:  # what the old text raised: duplicate key on pg_authid
            outcome.append(exc)

    try:
        first.execute(create_group_role(name))  # not committed yet: the second waits on its row
        other = threading.Thread(target=migrate_second)
        other.start()
        time.sleep(0.5)
        assert not outcome, "the second creation should wait for the first"
        first.commit()
        other.join(10)
        assert outcome == ["ok"]
        with _connect() as check:
            assert check.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", (name,)).fetchone() == (1,)
    finally:
        first.close()
        second.close()
        with _connect() as cleanup:
            cleanup.execute(f"DROP ROLE IF EXISTS {name}")
            cleanup.commit()


def test_an_existing_role_is_left_as_it_is() -> None:
    name = f"jixiao_race_{uuid.uuid4().hex[:8]}"
    with _connect() as conn:
        conn.execute(create_group_role(name))
        conn.execute(create_group_role(name))
        assert conn.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", (name,)).fetchone() == (False,)
        conn.execute(f"DROP ROLE {name}")
