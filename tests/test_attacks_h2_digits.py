"""A number's stored digits stay as written when a write leaves its value (migration 0046).

The triggers that keep a form past 草稿/退回 read-only, log every change in ``row_changes``, and raise
the version compare rows as jsonb, where 37 and 37.000000 are equal; jixiao's form fingerprint
(``jixiao.pdf.canonical``, the 数据 SHA-256 a signed PDF carries) writes every Decimal as its exact
digits, where they differ. An admin (or the owner) with psql ran ``UPDATE forms SET budget_planned =
budget_planned * 1.000000`` on a signed form: no trigger refused it, nothing was logged, the version
stayed, and every signed copy of the form was then 不一致 for ``jixiao verify`` (exit 1, 「在签名后已被
修改」), with no trace of who did it. Now a write that leaves a number's value keeps its stored digits,
for every role and the owner. Attacked with plain psycopg as the admin and the owner.
"""

from __future__ import annotations

from decimal import Decimal

import psycopg
import pytest

from jixiao.pdf.canonical import form_sha256
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL
from tests.tools import second

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OWN = "老干工作经费"  # the shangye unit's form, in the reviewer's department, every row weighed
CERT = "c" * 64
CHANGES = (
    "UPDATE forms SET budget_planned = budget_planned * 1.000000 WHERE id = %s",
    "UPDATE goals SET weight = weight * 1.00 WHERE form_id = %s",
    "UPDATE indicators SET weight = weight * 1.0, recorded_score = recorded_score * 1.000 WHERE form_id = %s",
)


def _signed(setup: Setup) -> tuple[int, str]:
    """The form signed as jixiao signs it: its fingerprint recorded with the signature."""
    fid = setup.form_id(OWN)
    setup.store.transition(fid, "submit")
    second(setup.store).transition(fid, "approve")
    sha = form_sha256(setup.store.get(fid).form)
    second(setup.store).mark_signed(fid, "签章人", sha, CERT)
    return fid, sha


def _stored(setup: Setup, fid: int) -> tuple[object, ...]:
    with setup.connect_owner() as conn:
        return (
            conn.execute("SELECT budget_planned::text, version FROM forms WHERE id = %s", (fid,)).fetchall(),
            conn.execute("SELECT weight::text FROM goals WHERE form_id = %s ORDER BY id", (fid,)).fetchall(),
            conn.execute(
                "SELECT weight::text, recorded_score::text FROM indicators WHERE form_id = %s ORDER BY id", (fid,)
            ).fetchall(),
            conn.execute("SELECT count(*) FROM row_changes WHERE form_id = %s", (fid,)).fetchall(),
        )


@on_pg
@pytest.mark.parametrize("who", ["admin", "owner"])
@pytest.mark.parametrize("change", CHANGES)
def test_no_role_makes_a_signed_copy_stale_without_a_trace(setup: Setup, who: str, change: str) -> None:
    fid, sha = _signed(setup)
    before = _stored(setup, fid)
    assert before[0][0][0] is not None and None not in before[1][0] + before[2][0]  # numbers to rewrite
    conn = setup.connect_owner() if who == "owner" else setup.connect(who)
    with conn:
        try:
            conn.execute(change, (fid,))
        except psycopg.errors.CheckViolation:  # a row of a signed form: the admin may not write it at all
            assert who == "admin" and not change.startswith("UPDATE forms")
    stored = setup.store.get(fid)
    assert stored.status.value == "signed"
    assert stored.signature_sha256 == sha
    assert form_sha256(stored.form) == sha  # what jixiao verify compares: the copy still agrees
    assert _stored(setup, fid) == before


@on_pg
def test_a_new_value_is_still_a_change(setup: Setup) -> None:
    """On a draft a changed number is written, logged and raises the version as before."""
    fid = setup.form_id(OWN)  # a draft
    with setup.connect("shangye") as conn:
        old = conn.execute("SELECT budget_planned FROM forms WHERE id = %s", (fid,)).fetchone()[0]
        conn.execute("UPDATE forms SET budget_planned = budget_planned + 0.5 WHERE id = %s", (fid,))
        new, version = conn.execute("SELECT budget_planned, version FROM forms WHERE id = %s", (fid,)).fetchone()
        logged = conn.execute(
            "SELECT count(*) FROM row_changes WHERE form_id = %s AND op = 'UPDATE' AND after::jsonb ? 'budget_planned'",
            (fid,),
        ).fetchone()[0]
    assert new == old + Decimal("0.5") and version == 2 and logged == 1
