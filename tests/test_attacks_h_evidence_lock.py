"""No login outside a unit can hold that unit's evidence attachments waiting (migration 0041).

Migration 0034 made two attaches to one form take turns on ``pg_advisory_xact_lock(20, form id)``.
Any login may take any advisory lock, and the key is the form's id: a filler of another unit who
held ``pg_advisory_lock(20, id)`` (a session lock, which no idle timeout ends) made every attach to
that form, by its own unit or an admin, wait and then fail on ``lock_timeout``, through jixiao as
through psql, for a form the squatter cannot even see. The attaches now take turns on the form
row's lock, which only those who may write the form can take. Attacked with plain psycopg as the
other unit's filler.
"""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import create_engine

from jixiao.storage import evidence
from jixiao.storage.store import FormStore
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OTHERS = "企业管理费"  # a draft of 经科局: its filler is "jingke", "shangye" is another unit's
ATTACH = (
    "INSERT INTO evidence (form_id, indicator_uid, name, media_type, size, sha256, data, actor, at) "
    "VALUES (%s, '', %s, 'application/pdf', 0, '', %s, '', now())"
)
EVIDENCE_LOCK = 20  # the advisory lock class migration 0034 used, one key per form id


def _as(setup: Setup, who: str, name: str) -> FormStore:
    url = setup.url.set(username=setup.logins[who], password=PASSWORD)
    return FormStore(create_engine(url.render_as_string(hide_password=False)), actor=name)


@on_pg
def test_another_units_filler_holding_a_lock_does_not_stop_an_attach(setup: Setup) -> None:
    fid = setup.form_id(OTHERS)
    with setup.connect("shangye") as squatter:
        assert squatter.execute("SELECT count(*) FROM forms WHERE id = %s", (fid,)).fetchone() == (0,)
        squatter.execute("SELECT pg_advisory_lock(%s, %s)", (EVIDENCE_LOCK, fid))  # held by the session
        with setup.connect("jingke") as unit:
            unit.execute("SET lock_timeout = '2s'")
            unit.execute(ATTACH, (fid, "调查.pdf", b"%PDF-1.7 unit"))
        with setup.connect("admin") as admin:
            admin.execute("SET lock_timeout = '2s'")
            admin.execute(ATTACH, (fid, "核查.pdf", b"%PDF-1.7 admin"))
    assert [e.name for e in evidence.for_form(setup.store, fid)] == ["调查.pdf", "核查.pdf"]


@on_pg
def test_jixiao_attaches_while_another_unit_squats(setup: Setup) -> None:
    fid = setup.form_id(OTHERS)
    unit = _as(setup, "jingke", "经科局填报人")
    with setup.connect("shangye") as squatter:
        squatter.execute("SELECT pg_advisory_lock(%s, %s)", (EVIDENCE_LOCK, fid))
        added = evidence.add(unit, fid, "满意度调查.pdf", b"%PDF-1.7 survey")
    assert added.actor == "经科局填报人"
    assert [e.name for e in evidence.for_form(setup.store, fid)] == ["满意度调查.pdf"]


@on_pg
def test_the_lock_that_takes_turns_is_out_of_another_units_reach(setup: Setup) -> None:
    """A refused attach, or a lock asked for directly, leaves the other unit's form free."""
    fid = setup.form_id(OTHERS)
    with setup.connect("shangye") as squatter, squatter.transaction():
        assert squatter.execute("SELECT 1 FROM forms WHERE id = %s FOR UPDATE", (fid,)).fetchall() == []
        with pytest.raises(psycopg.errors.InsufficientPrivilege), squatter.transaction():  # a savepoint
            squatter.execute(ATTACH, (fid, "别人的.pdf", b"not theirs"))
        with setup.connect("jingke") as unit:  # the squatter's transaction is still open
            unit.execute("SET lock_timeout = '2s'")
            unit.execute(ATTACH, (fid, "调查.pdf", b"%PDF-1.7 unit"))
    assert [e.name for e in evidence.for_form(setup.store, fid)] == ["调查.pdf"]
