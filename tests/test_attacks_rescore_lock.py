"""No login holds ``db rescore`` (or the rescore that ends ``db upgrade``) waiting on a form's lock.

The owner's rescore locks each form of a batch (``FOR UPDATE``) before it reads its cells (migration
0012). A filler with psql changed their own draft (which leaves it unverified, so every rescore takes
it), then locked its row in a transaction they left open (``SET idle_in_transaction_session_timeout
= 0``): the rescore waited for that lock without end, and with it ``db upgrade``, and the forms of
every unit in the same batch were never vouched for. A form another session holds locked is now left
unverified (readers recompute it) and the rest of its batch is scored. Attacked with plain psycopg.
"""

from __future__ import annotations

import threading

import pytest

from jixiao.storage.rescore import left_unverified, rescore, to_rescore
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "老干工作经费"  # 商业行办's draft (the filler "shangye")
OTHERS = "企业管理费"  # 经科局's draft


@on_pg
def test_a_form_held_locked_is_left_unverified_and_the_rest_scored(setup: Setup) -> None:
    engine = setup.store.engine
    own, others = setup.form_id(OWN), setup.form_id(OTHERS)
    for who, fid in (("jingke", others), ("shangye", own)):  # each unit's change: unverified, to be rescored
        with setup.connect(who) as conn:
            conn.execute("UPDATE forms SET title = title || '（改）' WHERE id = %s", (fid,))
    assert {own, others} <= set(to_rescore(engine))
    outcome: list[int | BaseException] = []

    def run() -> None:
        try:
            outcome.append(rescore(engine))
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    with setup.connect("shangye") as squatter:
        squatter.autocommit = False
        squatter.execute("SET idle_in_transaction_session_timeout = 0")
        squatter.execute("SELECT 1 FROM forms WHERE id = %s FOR UPDATE", (own,))  # holds the row, left open
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        thread.join(20)
        waited = thread.is_alive()
        squatter.commit()
    thread.join(60)
    assert not waited, "the rescore waited for the filler's open transaction"
    assert not isinstance(outcome[0], BaseException), outcome
    left = to_rescore(engine)
    assert own in left and others not in left, left
    assert "另有 1 份表单" in (left_unverified(engine) or "")  # what `jixiao db rescore` says after its count
    rescore(engine)  # the lock is gone: the form is scored and vouched for
    assert to_rescore(engine) == [] and left_unverified(engine) is None
