"""Whose a certificate is stays told only to who may know it, also when signing is refused; a move out of
已签章 clears the signature (migration 0029). Tried with plain psycopg as each role.

Before 0029 ``jixiao_may_sign_with(cert)``, which every reviewer may call, answered 'registered to
<login>' for any certificate (0028 had closed only ``jixiao_certificate_holder``), and so did the
refusal of a signature made with it. And a reopening with psql (``UPDATE forms SET status = 'draft'``)
left the 签章人, the fingerprint and the certificate on the draft, which jixiao's reopening clears."""

from __future__ import annotations

import psycopg
import pytest

from jixiao.storage.store import FormStore
from jixiao.workflow import WorkflowError
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL
from tests.test_attacks_signed_by import REVIEWER_NAME, _engine_as
from tests.test_attacks_signer_cert import _approved_by_jingke
from tests.tools import second

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
ADMINS_CERT = "e" * 64
REVIEWERS_CERT = "f" * 64


def _registered(setup: Setup) -> None:
    with setup.connect("admin") as conn:
        for who, cert in (("admin", ADMINS_CERT), ("reviewer", REVIEWERS_CERT)):
            conn.execute("UPDATE app_users SET cert_sha256 = %s WHERE login = %s", (cert, setup.logins[who]))


@on_pg
def test_a_reviewer_learns_no_holder_from_may_sign_with(setup: Setup) -> None:
    _registered(setup)
    admin = setup.logins["admin"]
    with setup.connect("reviewer") as conn:
        why = conn.execute("SELECT jixiao_may_sign_with(%s)", (ADMINS_CERT,)).fetchone()
        holder = conn.execute("SELECT login FROM jixiao_certificate_holder(%s)", (ADMINS_CERT,)).fetchall()
        own = conn.execute("SELECT jixiao_may_sign_with(%s)", (REVIEWERS_CERT,)).fetchone()
    assert why is not None and "registered to another login" in why[0] and admin not in why[0]
    assert (holder, own) == ([], (None,))
    with setup.connect("admin") as conn:  # admins read app_users anyway: they are told
        told = conn.execute("SELECT jixiao_may_sign_with(%s)", (REVIEWERS_CERT,)).fetchone()
    assert told is not None and setup.logins["reviewer"] in told[0]


@on_pg
def test_a_refused_signature_names_no_holder(setup: Setup) -> None:
    _registered(setup)
    fid = _approved_by_jingke(setup)
    with setup.connect("reviewer") as conn, pytest.raises(psycopg.errors.CheckViolation) as refused:
        conn.execute("UPDATE forms SET status = 'signed', signer_cert_sha256 = %s WHERE id = %s", (ADMINS_CERT, fid))
    assert "another login" in str(refused.value) and setup.logins["admin"] not in str(refused.value)
    reviewer = FormStore(_engine_as(setup, "reviewer"), actor=REVIEWER_NAME)
    with pytest.raises(WorkflowError, match="已登记给另一位用户"):
        reviewer.mark_signed(fid, REVIEWER_NAME, "c" * 64, ADMINS_CERT)
    assert setup.store.get(fid).status.value == "approved"


@on_pg
@pytest.mark.parametrize("who", ["reviewer", "admin"])
def test_a_reopening_with_psql_clears_the_signature(setup: Setup, who: str) -> None:
    fid = _approved_by_jingke(setup)
    second(setup.store).mark_signed(fid, "签章人", "a" * 64, "b" * 64)
    with setup.connect(who) as conn:
        conn.execute("UPDATE forms SET status = 'draft' WHERE id = %s", (fid,))
    draft = setup.store.get(fid)
    assert (draft.status.value, draft.signed_by, draft.signature_sha256, draft.signer_cert_sha256) == (
        "draft",
        "",
        "",
        None,
    )
