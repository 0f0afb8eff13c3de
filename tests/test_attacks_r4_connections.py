"""No login takes every connection of the server (``jixiao users add``: CONNECTION LIMIT).

Attacked with plain psycopg as a filler, as psql would: every login could hold as many connections as
the server has (``max_connections``, 100 by default, less the superuser's reserve), and a filler who
opened them all kept every other login, the reviewers and the admins too, from connecting until the
DBA ended them. A login now holds at most ``CONNECTION_LIMIT`` connections at once; the rest of the
server stays open to the others.
"""

from __future__ import annotations

import psycopg
import pytest

from jixiao.storage.driver_messages import environment_problem
from jixiao.storage.users import CONNECTION_LIMIT
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_REASON)


def test_a_filler_holds_at_most_the_limit_and_others_still_connect(setup: Setup) -> None:
    held: list[psycopg.Connection] = []  # type: ignore[type-arg]
    try:
        with pytest.raises(psycopg.OperationalError, match="too many connections for role") as refused:
            for _ in range(CONNECTION_LIMIT + 1):
                held.append(setup.connect("shangye"))
        assert len(held) == CONNECTION_LIMIT
        assert (
            environment_problem(refused.value) == "该登录名同时打开的数据库连接已达上限；请关闭其他 jixiao 窗口后重试"
        )
        with setup.connect("reviewer") as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
    finally:
        for conn in held:
            conn.close()


def test_every_login_jixiao_makes_has_the_limit(setup: Setup) -> None:
    with setup.connect_owner() as conn:
        limits = {
            r[0]: r[1]
            for r in conn.execute(
                "SELECT rolname, rolconnlimit FROM pg_roles WHERE rolname = ANY(%s)", (list(setup.logins.values()),)
            )
        }
    assert limits == dict.fromkeys(setup.logins.values(), CONNECTION_LIMIT)
