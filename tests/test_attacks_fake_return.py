"""A filler cannot write the reviewer's 退回理由 (migration 0044).

An audit entry needed a change of its form in the same transaction, but any change did: a filler who
raised their draft's version beside an entry with action ``return`` made its reason the form's 退回理由,
which the list shows the whole unit as the reviewer's words. An entry of a workflow step now needs the
step itself: the form's status moved to that step's state in the same transaction.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL
from tests.tools import second

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "老干工作经费"  # 商业行办's draft (the filler "shangye")
ENTRY = (
    "INSERT INTO audit_log (form_id, form_key, at, actor, action, field, label, before, after, reason, version) "
    "VALUES (%s, %s, now(), '', %s, 'status', '状态', %s, %s, %s, %s)"
)


@on_pg
@pytest.mark.parametrize(
    ("action", "status"),
    [("return", None), ("return", "submitted"), ("approve", None), ("sign", None), ("submit", None)],
)
def test_a_filler_cannot_write_an_entry_of_a_step_not_taken(setup: Setup, action: str, status: str | None) -> None:
    """A version raised, or the status moved to another state, is no 退回 (审核通过、签章…)."""
    fid = setup.form_id(OWN)
    key = setup.store.get(fid).key
    move = ", status = %s" if status else ""
    with setup.connect("shangye") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="needs a change"), conn.transaction():
            version = conn.execute(
                f"UPDATE forms SET version = version + 1{move} WHERE id = %s RETURNING version",
                ((status, fid) if status else (fid,)),
            ).fetchone()
            conn.execute(
                ENTRY, (fid, key, action, "草稿", "已退回", "审核人：材料不全，请重报", version[0] if version else 0)
            )
    assert setup.store.return_comments([fid]) == {}
    assert all(e.action != action for e in setup.store.history(fid))


@on_pg
def test_jixiao_s_own_steps_still_write_their_entries(setup: Setup) -> None:
    """Submit, return with a reason, submit again, approve and reopen: each step's entry is written."""
    fid = setup.form_id(OWN)
    filler = setup.store.__class__(setup.store.engine, actor="商业行办填报人")
    filler.transition(fid, "submit")
    reviewer = second(filler)
    reviewer.transition(fid, "return", "佐证材料不全")
    assert "佐证材料不全" in setup.store.return_comments([fid])[fid]
    filler.transition(fid, "submit")
    reviewer.transition(fid, "approve")
    reviewer.transition(fid, "reopen", "重新核对")
    actions = [e.action for e in setup.store.history(fid)]
    assert [a for a in actions if a in ("submit", "return", "approve", "reopen")] == [
        "submit",
        "return",
        "submit",
        "approve",
        "reopen",
    ]
