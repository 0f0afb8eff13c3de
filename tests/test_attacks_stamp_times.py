"""Evidence and certificate registrations are dated by the statement that wrote them (migration 0031).

0013 dated every stamp at its statement; 0017 redefined the evidence stamp with ``now()``, the start
of the transaction, and 0026's registrations used it too. Attacked with plain psycopg, as psql would:
a transaction held open from before a submission dated a file attached after it earlier than it.
"""

from __future__ import annotations

import pytest

from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
ATTACH = (
    "INSERT INTO evidence (form_id, indicator_uid, name, media_type, size, sha256, data, actor, at) "
    "VALUES (%s, '', '验收报告.pdf', 'application/pdf', 0, '', %s, '', now())"
)
MOVES = (
    "SELECT r.at FROM row_changes r WHERE r.form_id = %s AND r.table_name = 'forms' AND r.op = 'UPDATE' "
    "AND r.after ->> 'status' IS NOT NULL"
)


@on_pg
def test_a_file_attached_in_a_transaction_held_open_is_not_dated_before_the_review(setup: Setup) -> None:
    fid = setup.form_id("老干工作经费")  # the shangye unit's draft
    with setup.connect("shangye") as held, held.transaction():
        held.execute("SELECT 1")  # the transaction begins while the form is a draft
        with setup.connect("shangye") as other:
            other.execute("UPDATE forms SET status = 'submitted', version = version + 1 WHERE id = %s", (fid,))
        with setup.connect("reviewer") as reviewer:
            reviewer.execute("UPDATE forms SET status = 'returned', version = version + 1 WHERE id = %s", (fid,))
        held.execute(ATTACH, (fid, b"%PDF-1.4 late"))  # the form is open again: the file is taken
    with setup.connect("shangye") as conn:
        (attached,) = conn.execute("SELECT at FROM evidence WHERE form_id = %s", (fid,)).fetchone() or (None,)
        moves = [at for (at,) in conn.execute(MOVES, (fid,)).fetchall()]
    assert len(moves) == 2 and attached is not None
    assert attached > max(moves), f"佐证材料的时间 {attached} 早于提交和退回 {moves}"


@on_pg
def test_a_certificate_registration_is_dated_by_its_statement(setup: Setup) -> None:
    with setup.connect("admin") as conn:
        with conn.transaction():
            began = conn.execute("SELECT now()").fetchone()
            conn.execute("SELECT pg_sleep(0.3)")
            conn.execute("UPDATE app_users SET cert_sha256 = %s WHERE login = %s", ("4" * 64, setup.logins["reviewer"]))
        row = conn.execute("SELECT registered_at FROM certificate_registrations ORDER BY id DESC LIMIT 1").fetchone()
    assert began is not None and row is not None
    assert (row[0] - began[0]).total_seconds() >= 0.3
