"""A login's role is what PostgreSQL grants it AND what its record says (migration 0028), and who
signed a form is told only to those who may see it. Tried with plain psycopg as each role.

Before 0028, ``jixiao_may_edit`` and ``jixiao_begin_evaluation`` believed ``app_users.role`` alone,
while row-level security reads the login's PostgreSQL role: an admin who wrote 'admin' into a
filler's record (one UPDATE with psql) let that filler delete, empty or begin another unit's forms
through the SECURITY DEFINER functions, and add evidence to them. And any role could ask
``jixiao_signer_binding`` who signed any form id, and ``jixiao_certificate_holder`` whose any
certificate is."""

from __future__ import annotations

import psycopg
import pytest

from jixiao.storage.users import Directory
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL
from tests.test_declarations import _pg_declaration
from tests.tools import second

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
SHANGYE_FORM = "老干工作经费"  # 商业行办's form (the filler "shangye")
JINGKE_FORM = "企业管理费"  # 经科局's form (the filler "jingke"), in the reviewer's department
CERT = "d" * 64


def _recorded_as_admin(setup: Setup, who: str) -> None:
    """The admin's one UPDATE with psql: the record says admin, PostgreSQL still grants a filler."""
    with setup.connect("admin") as conn:
        conn.execute("UPDATE app_users SET role = 'admin' WHERE login = %s", (setup.logins[who],))


@on_pg
@pytest.mark.parametrize(
    "attack",
    [
        "SELECT jixiao_delete_form(%s)",
        "SELECT jixiao_clear_children(%s)",
    ],
)
def test_a_filler_recorded_as_admin_gets_no_other_units_form(setup: Setup, attack: str) -> None:
    fid = setup.form_id(SHANGYE_FORM)
    before = len(setup.store.get(fid).form.goals)
    _recorded_as_admin(setup, "jingke")
    with setup.connect("jingke") as conn:
        assert conn.execute("SELECT jixiao_may_edit(%s)", (fid,)).fetchone() == (False,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(attack, (fid,))
    assert len(setup.store.get(fid).form.goals) == before > 0


@on_pg
def test_a_filler_recorded_as_admin_adds_no_evidence_to_another_units_form(setup: Setup) -> None:
    fid = setup.form_id(SHANGYE_FORM)
    _recorded_as_admin(setup, "jingke")
    with setup.connect("jingke") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(
            "INSERT INTO evidence (form_id, indicator_uid, name, media_type, size, sha256, data, actor, at) "
            "VALUES (%s, '', 'x.pdf', 'application/pdf', 0, '', 'x', '', now())",
            (fid,),
        )


@on_pg
def test_a_filler_recorded_as_admin_begins_no_other_units_evaluation(setup: Setup) -> None:
    fid = _pg_declaration(setup)  # 商业行办's approved declaration
    _recorded_as_admin(setup, "jingke")
    with setup.connect("jingke") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT jixiao_begin_evaluation(%s)", (fid,))
    assert setup.store.get(fid).status.value == "approved"


@on_pg
def test_a_real_admin_and_the_unit_filler_still_may(setup: Setup) -> None:
    """The control: both records agree, so the functions answer as before."""
    fid = setup.form_id(SHANGYE_FORM)
    for who, may in (("admin", True), ("shangye", True), ("jingke", False), ("reviewer", False)):
        with setup.connect(who) as conn:
            if who == "reviewer":  # reviewers were never granted it
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute("SELECT jixiao_may_edit(%s)", (fid,))
                continue
            assert conn.execute("SELECT jixiao_may_edit(%s)", (fid,)).fetchone() == (may,), who
    with setup.connect("admin") as conn:  # an admin recorded as a filler of 商业行办 edits only as a filler may
        conn.execute(
            "UPDATE app_users SET role = 'filler', unit = (SELECT unit FROM app_users WHERE login = %s) "
            "WHERE login = session_user",
            (setup.logins["shangye"],),
        )
        assert conn.execute("SELECT jixiao_may_edit(%s)", (setup.form_id(JINGKE_FORM),)).fetchone() == (False,)


def _outsider(setup: Setup) -> None:
    """A reviewer of another 主管部门: none of the seeded forms is in their scope."""
    setup.logins["outsider"] = login = setup.logins["reviewer"] + "_x"
    Directory(setup.store.engine).add_user(
        login, "教育局审核人", "reviewer", department="武昌区教育局", password=PASSWORD
    )


def _signed_by_owner(setup: Setup, name: str) -> int:
    fid = setup.form_id(name)
    setup.store.transition(fid, "submit")
    second(setup.store).transition(fid, "approve")
    second(setup.store).mark_signed(fid, "签章人", "a" * 64, CERT)
    return fid


@on_pg
@pytest.mark.parametrize(
    ("who", "sees"),
    [("jingke", False), ("outsider", False), ("shangye", True), ("reviewer", True), ("admin", True)],
)
def test_who_signed_a_form_is_told_only_to_those_who_see_it(setup: Setup, who: str, sees: bool) -> None:
    _outsider(setup)
    fid = _signed_by_owner(setup, SHANGYE_FORM)
    with setup.connect(who) as conn:
        binding = conn.execute("SELECT login FROM jixiao_signer_binding(%s, %s)", (fid, CERT)).fetchall()
        visible = conn.execute("SELECT count(*) FROM forms WHERE id = %s", (fid,)).fetchone()
    assert bool(binding) is sees and visible == (int(sees),)


@on_pg
@pytest.mark.parametrize(
    ("who", "told"),
    [("jingke", False), ("outsider", False), ("shangye", True), ("reviewer", True), ("admin", True)],
)
def test_whose_certificate_is_told_to_its_holder_admins_and_who_sees_a_form_signed_with_it(
    setup: Setup, who: str, told: bool
) -> None:
    """The reviewer's certificate signed a form of 商业行办: its filler may know whose it is, 经科局's may
    not, nor a reviewer of another department; the reviewer knows their own."""
    _outsider(setup)
    _signed_by_owner(setup, SHANGYE_FORM)  # signed with CERT, then CERT registered to the reviewer
    with setup.connect("admin") as conn:
        conn.execute("UPDATE app_users SET cert_sha256 = %s WHERE login = %s", (CERT, setup.logins["reviewer"]))
    with setup.connect(who) as conn:
        holder = conn.execute("SELECT login FROM jixiao_certificate_holder(%s)", (CERT,)).fetchall()
    assert holder == ([(setup.logins["reviewer"],)] if told else [])
