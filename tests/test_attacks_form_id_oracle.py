"""No function a login may call tells an unseen form from a form that does not exist.

Every SECURITY DEFINER function of the schema that takes a form id and that a filler or reviewer may
execute is called, with plain psycopg as psql would, once with the id of a form the login cannot see
and once with an id no form has. Whatever comes back (a value, no rows, or the database's refusal)
must be the same both times, else the function is an oracle for other units' forms.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
UNSEEN = {"shangye": "企业管理费", "jingke": "老干工作经费"}  # each a draft of the other filler's unit
MISSING = 2_000_000_000

FUNCTIONS = """SELECT p.oid::regprocedure::text, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid)
  FROM pg_catalog.pg_proc p
 WHERE p.pronamespace = (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = current_schema())
   AND p.prosecdef AND p.prokind = 'f' AND p.prorettype <> 'trigger'::regtype
   AND pg_catalog.has_function_privilege(p.oid, 'EXECUTE')"""


def _answer(conn: psycopg.Connection, call: str, fid: int) -> str:
    try:
        with conn.transaction():
            return repr(conn.execute(call, (fid,)).fetchall())
    except psycopg.Error as exc:
        return f"{exc.sqlstate}: {(exc.diag.message_primary or '').replace(str(fid), '<id>')}"


@on_pg
@pytest.mark.parametrize("who", ["shangye", "jingke"])
def test_no_callable_function_tells_an_unseen_form_from_a_missing_one(setup: Setup, who: str) -> None:
    unseen = setup.form_id(UNSEEN[who])
    with setup.connect(who) as conn:
        tried = []
        for signature, name, args in conn.execute(FUNCTIONS).fetchall():
            if "," in args or not args.endswith("integer"):
                continue  # only the functions of one form id
            call = f"SELECT {name}(%s)"
            answers = {_answer(conn, call, unseen), _answer(conn, call, MISSING)}
            assert len(answers) == 1, (signature, answers)
            tried.append(name)
    assert {"jixiao_may_edit", "jixiao_delete_form", "jixiao_clear_children"} <= set(tried)  # it reached them
