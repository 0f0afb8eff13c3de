"""Once certificates are registered, nobody signs without their own (migration 0025).

0024 tied a registered certificate to its user, but a login with none registered could still sign
with a certificate nobody registered: reviewer A, a self-made certificate with B's name in it. Tried
with plain psycopg as each role and as the owner, and through jixiao's store (refused before anything
is signed, in Chinese, naming the login and the fingerprint)."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import create_engine

from jixiao.storage.store import FormStore
from jixiao.storage.users import Directory
from jixiao.workflow import WorkflowError
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL
from tests.test_attacks_signer_cert import _approved_by_jingke

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
B_CERT, SELF_MADE = "b" * 64, "e" * 64  # B's registered certificate; one A made with B's name in it
SIGN = "UPDATE forms SET status = 'signed', signed_by = '乙', signer_cert_sha256 = %s WHERE id = %s"


def _as(setup: Setup, who: str) -> psycopg.Connection:  # type: ignore[type-arg]
    if who != "owner":
        return setup.connect(who)
    return setup.connect_owner()


@on_pg
@pytest.mark.parametrize(
    ("registered", "who", "cert", "refused"),
    [
        # the registry in use (B, here the admin login, has a certificate): none of the others signs
        (True, "reviewer", SELF_MADE, "has no signing certificate registered"),
        (True, "reviewer", None, "has no signing certificate registered"),
        (True, "owner", SELF_MADE, "has no signing certificate registered"),
        (True, "reviewer", B_CERT, "is registered to"),
        (True, "admin", SELF_MADE, "signs only with the certificate registered to it"),
        (True, "admin", B_CERT, None),  # B with B's own
        # no certificate registered at all: nothing to bind to, signing goes on as before
        (False, "reviewer", SELF_MADE, None),
    ],
)
def test_with_the_registry_in_use_only_a_registered_certificate_signs(
    setup: Setup, registered: bool, who: str, cert: str | None, refused: str | None
) -> None:
    if registered:
        Directory(setup.store.engine).register_certificate(setup.logins["admin"], B_CERT)
    fid = _approved_by_jingke(setup)
    with _as(setup, who) as conn:
        if refused:
            with pytest.raises(psycopg.errors.CheckViolation, match=refused):
                conn.execute(SIGN, (cert, fid))
        else:
            conn.execute(SIGN, (cert, fid))
    assert setup.store.get(fid).status.value == ("approved" if refused else "signed")


@on_pg
@pytest.mark.parametrize(
    "attack",
    [
        "UPDATE app_users SET cert_sha256 = NULL",  # switch the registry off
        "UPDATE app_users SET cert_sha256 = '" + SELF_MADE + "' WHERE login = session_user",  # register one's own
        "INSERT INTO app_users (login, name, role, unit, department, created_at) "
        "VALUES ('jx_fake', '乙', 'reviewer', '', '', now())",
        "DELETE FROM app_users WHERE cert_sha256 IS NOT NULL",
        "CREATE OR REPLACE FUNCTION jixiao_may_sign_with(cert text) RETURNS text LANGUAGE sql AS $$ SELECT NULL $$",
        "ALTER TABLE forms DISABLE TRIGGER forms_signs_with_own_certificate",
    ],
)
@pytest.mark.parametrize("who", ["jingke", "reviewer"])
def test_no_filler_or_reviewer_edits_the_registry_or_its_check(setup: Setup, who: str, attack: str) -> None:
    Directory(setup.store.engine).register_certificate(setup.logins["admin"], B_CERT)
    with setup.connect(who) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(attack)
    fid = _approved_by_jingke(setup)
    with setup.connect("reviewer") as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(SIGN, (SELF_MADE, fid))  # and the check still holds


@on_pg
def test_jixiao_refuses_in_chinese_naming_the_login_and_the_fingerprint(setup: Setup) -> None:
    Directory(setup.store.engine).register_certificate(setup.logins["admin"], B_CERT)
    fid = _approved_by_jingke(setup)
    login = setup.logins["reviewer"]
    url = setup.url.set(username=login, password=PASSWORD)
    as_reviewer = FormStore(create_engine(url.render_as_string(hide_password=False)), actor="审核人")
    said = f"登录名「{login}」没有登记签章证书.*SHA-256 {SELF_MADE[:16]}"
    with pytest.raises(WorkflowError, match=said):
        as_reviewer.may(fid, "sign", SELF_MADE)
    with pytest.raises(WorkflowError, match=said):  # the database's own refusal, said the same way
        as_reviewer.mark_signed(fid, "审核人", "d" * 64, SELF_MADE)
    with pytest.raises(WorkflowError, match=f"已登记给另一位用户，不是登录名「{login}」"):  # the holder unnamed (0029)
        as_reviewer.may(fid, "sign", B_CERT)
    assert as_reviewer.get(fid).status.value == "approved"
