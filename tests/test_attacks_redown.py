"""A filler's forged allocated weight does not widen the 复核 range (migration 0022), tried with plain
psycopg as the filler and the reviewer, as psql would, and through jixiao's ``recheck``."""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from jixiao.storage import rechecks
from jixiao.storage.records import StoreError
from jixiao.storage.store import FormStore
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

pytestmark = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "企业管理费"  # 经科局's form: no printed 分值, its nine rows share 80 points (8.8889 each)
RECHECK = (
    "INSERT INTO rechecks (form_id, indicator_uid, indicator, score, opinion, reviewer, at) "
    "VALUES (%s, %s, '', %s, '越界', '', now())"
)


def _forged(setup: Setup) -> tuple[int, str]:
    """The filler writes 500 as the first row's allocated weight on the draft, then submits it."""
    fid = setup.form_id(OWN)
    with setup.connect("jingke") as conn:
        uid = conn.execute("SELECT uid FROM indicators WHERE form_id = %s ORDER BY id LIMIT 1", (fid,)).fetchone()[0]  # type: ignore[index]
        conn.execute("UPDATE indicators SET agg_weight_u = 5000000 WHERE form_id = %s AND uid = %s", (fid, uid))
        conn.execute("UPDATE forms SET status = 'submitted', version = version + 1 WHERE id = %s", (fid,))
    return fid, str(uid)


def test_a_forged_allocated_weight_does_not_let_a_recheck_above_the_real_one(setup: Setup) -> None:
    fid, uid = _forged(setup)
    with setup.connect("reviewer") as conn:
        for score in ("400", "9"):
            with pytest.raises(psycopg.errors.CheckViolation, match="unverified"):
                conn.execute(RECHECK, (fid, uid, score))
        assert conn.execute("SELECT count(*) FROM rechecks").fetchone() == (0,)
    FormStore(setup.store.engine, actor="管理员").rescore()  # the owner vouches again: the real 8.8889
    with setup.connect("reviewer") as conn:
        with pytest.raises(psycopg.errors.CheckViolation, match="not between 0 and its weight 8.8889"):
            conn.execute(RECHECK, (fid, uid, "400"))
        conn.execute(RECHECK, (fid, uid, "8.8889"))


def test_jixiao_says_so_in_chinese_first(setup: Setup) -> None:
    fid, uid = _forged(setup)
    store = FormStore(setup.store.engine, actor="财政局审核人")
    with pytest.raises(StoreError, match="分配的分值尚未核算.*jixiao db rescore"):
        rechecks.record(store, fid, uid, Decimal("5"), "复核意见")
