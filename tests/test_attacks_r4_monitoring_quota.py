"""A form holds at most 200 monitoring snapshots (and 100 MB of them): migration 0051.

Attacked with plain psycopg as the unit's filler, as psql would: 0039 bounded one snapshot to 32 MB,
but nothing bounded how many a form takes, and snapshots are append-only for every role and the owner.
The filler inserted 32 MB snapshot after snapshot into their own draft (a declaration of the unit
takes them in any status), filling the server's disk with rows nobody could remove, which every review
and ``monitor check`` of the form then read. jixiao refuses the 201st first, in Chinese.
"""

from __future__ import annotations

import json

import psycopg
import pytest

from jixiao.storage import snapshots
from jixiao.storage.database import make_engine
from jixiao.storage.store import FormStore, StoreError
from scorer.monitoring import load_snapshot
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL
from tests.test_snapshots_db import EXAMPLE, INSERT

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
FORM = "老干工作经费"  # 商业行办's draft, filled by "shangye"
DATA = json.dumps({"year": 2024, "months": 6})


def _fill_to(setup: Setup, fid: int, total: int) -> None:
    """As the owner (not bounded, as a restore): snapshots until the form holds ``total``."""
    with setup.connect_owner() as conn:
        have = conn.execute("SELECT count(*) FROM monitoring WHERE form_id = %s", (fid,)).fetchone()[0]  # type: ignore[index]
        conn.execute(
            "INSERT INTO monitoring (form_id, months, data, actor, at) "
            "SELECT %s, 6, %s, '所有者', now() FROM generate_series(1, %s)",
            (fid, DATA, total - have),
        )


def test_a_filler_with_psql_cannot_store_a_forms_201st_snapshot(setup: Setup) -> None:
    fid = setup.form_id(FORM)
    _fill_to(setup, fid, 199)
    with setup.connect("shangye") as conn:
        conn.execute(INSERT, (fid, 6, DATA, "x", "2024-07-01"))  # the 200th
        with pytest.raises(psycopg.errors.CheckViolation, match="holds at most 200 monitoring snapshots"):
            conn.execute(INSERT, (fid, 6, DATA, "x", "2024-07-01"))
    with setup.connect("admin") as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(INSERT, (fid, 6, DATA, "x", "2024-07-01"))
    _fill_to(setup, fid, 201)  # the owner's restore of an older backup still goes through


def test_another_units_filler_learns_nothing_of_the_count(setup: Setup) -> None:
    fid = setup.form_id(FORM)
    _fill_to(setup, fid, 200)
    with setup.connect("jingke") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(INSERT, (fid, 6, DATA, "x", "2024-07-01"))  # the row policy, not the bound


def test_jixiao_as_the_filler_refuses_in_chinese_first(setup: Setup) -> None:
    fid = setup.form_id(FORM)
    _fill_to(setup, fid, 200)
    url = setup.url.set(username=setup.logins["shangye"], password=PASSWORD)
    store = FormStore(make_engine(url.render_as_string(hide_password=False)), actor="商业行办填报人")
    with pytest.raises(StoreError, match="已有 200 条运行监控记录，已到上限 200 条"):
        snapshots.save(store, load_snapshot(EXAMPLE))
    store.engine.dispose()
    from jixiao.storage.db_messages import in_chinese

    said = in_chinese("jixiao: form 7 holds at most 200 monitoring snapshots and 104857600 bytes")
    assert said == "表单 7 至多有 200 条运行监控记录、共 104857600 字节"
