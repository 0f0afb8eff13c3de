"""The signing certificate of record (migration 0020): jixiao keeps the SHA-256 of the certificate that
signed a form, the database holds it as it holds the 签章人, and ``jixiao verify`` holds copies to it.

Attacked with plain psycopg as each role, as psql would, and through jixiao on both back ends.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, text

from jixiao.storage import duties
from jixiao.storage.database import upgrade
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL, backend_engine
from tests.tools import second

__all__ = ["backend_engine"]  # the fixture, used by name
on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OTHER = "企业管理费"  # 经科局's form: the filler "jingke", in the reviewer's department
CERT, FORGED = "c" * 64, "f" * 64


def _signed(setup: Setup) -> int:
    fid = setup.form_id(OTHER)
    setup.store.transition(fid, "submit")
    second(setup.store).transition(fid, "approve")
    second(setup.store).mark_signed(fid, "签章人", "a" * 64, CERT)
    return fid


def _approved_by_jingke(setup: Setup) -> int:
    """The form changed and submitted by its filler's login, approved by the owner: the reviewer may sign it."""
    fid = setup.form_id(OTHER)
    with setup.connect("jingke") as conn:
        conn.execute("UPDATE forms SET deviation_analysis = '补充' WHERE id = %s", (fid,))
        conn.execute("UPDATE forms SET status = 'submitted' WHERE id = %s", (fid,))
    second(setup.store).transition(fid, "approve")
    return fid


# ------------------------------------------------------------------ PostgreSQL, as each role


@on_pg
@pytest.mark.parametrize("who", ["jingke", "shangye", "reviewer", "admin"])
def test_no_role_changes_the_certificate_of_a_signed_form(setup: Setup, who: str) -> None:
    fid = _signed(setup)
    for sql in (
        "UPDATE forms SET signer_cert_sha256 = %s WHERE id = %s",
        "UPDATE forms SET signer_cert_sha256 = %s, signed_by = '别人' WHERE id = %s",
    ):
        with setup.connect(who) as conn:
            try:
                cur = conn.execute(sql, (FORGED, fid))
            except (psycopg.errors.CheckViolation, psycopg.errors.InsufficientPrivilege):
                continue
            assert cur.rowcount == 0, who  # a filler does not see (or may not write) the signed form
    assert setup.store.get(fid).signer_cert_sha256 == CERT


@on_pg
def test_not_even_the_owner_rewrites_the_certificate_of_a_signed_form(setup: Setup) -> None:
    fid = _signed(setup)
    with pytest.raises(Exception, match="read-only"), setup.store.engine.begin() as conn:
        conn.execute(text("UPDATE forms SET signer_cert_sha256 = :c WHERE id = :f"), {"c": FORGED, "f": fid})
    with pytest.raises(Exception, match="read-only"), setup.store.engine.begin() as conn:
        conn.execute(text("UPDATE forms SET signer_cert_sha256 = NULL WHERE id = :f"), {"f": fid})
    assert setup.store.get(fid).signer_cert_sha256 == CERT


@on_pg
def test_a_reviewer_writes_the_certificate_only_with_the_signature(setup: Setup) -> None:
    fid = _approved_by_jingke(setup)
    with setup.connect("reviewer") as conn, pytest.raises(psycopg.errors.CheckViolation, match="read-only"):
        conn.execute("UPDATE forms SET signer_cert_sha256 = %s WHERE id = %s", (FORGED, fid))  # still 已审核
    with setup.connect("reviewer") as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute(  # not a SHA-256: a name or a PEM does not pass for a fingerprint
            "UPDATE forms SET status = 'signed', signed_by = 'x', signer_cert_sha256 = 'CN=财政局' WHERE id = %s",
            (fid,),
        )
    version = setup.store.get(fid).version
    with setup.connect("reviewer") as conn:  # with the status, as jixiao signs: a workflow column, not data
        conn.execute(
            "UPDATE forms SET status = 'signed', signed_by = '审核人', signer_cert_sha256 = %s WHERE id = %s",
            (CERT, fid),
        )
    assert setup.store.get(fid).signer_cert_sha256 == CERT
    assert setup.store.get(fid).version == version  # no new version of the data (migration 0021)
    # and the signature is no change of the form's data: its filler is still its last editor (四眼原则)
    with setup.store.engine.connect() as conn:
        editor = conn.execute(
            text(
                "SELECT r.db_user FROM row_changes r WHERE r.form_id = :f AND (r.op <> 'UPDATE' OR EXISTS ("
                "SELECT 1 FROM json_object_keys(r.after::json) k WHERE k <> ALL (CAST(:nd AS text[])))) "
                "ORDER BY r.id DESC LIMIT 1"
            ),
            {"f": fid, "nd": list(duties.DB_NOT_DATA)},
        ).scalar_one()
    assert editor == setup.logins["jingke"]


@on_pg
def test_every_trigger_that_lists_the_signature_lists_its_certificate(setup: Setup) -> None:
    with setup.store.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT p.proname, p.prosrc LIKE '%signer_cert_sha256%' FROM pg_proc p JOIN pg_namespace n "
                "ON n.oid = p.pronamespace WHERE n.nspname = current_schema() AND p.prosrc LIKE '%''signature_sha256''%'"
            )
        ).fetchall()
    assert sorted(r[0] for r in rows) == [
        "jixiao_forms_guard",
        "jixiao_forms_next_version",
        "jixiao_four_eyes",
        "jixiao_recheck_four_eyes",
    ]
    assert all(r[1] for r in rows), rows


def _downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    from jixiao.storage.database import alembic_config

    command.downgrade(alembic_config(engine), revision)


# ------------------------------------------------------------------ jixiao itself, both back ends


def test_the_signature_keeps_its_certificate_until_the_form_is_reopened(backend_engine: Engine) -> None:
    store = FormStore(backend_engine, actor="jixiao")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    fid = store.find(OTHER).id
    store.transition(fid, "submit")
    second(store).transition(fid, "approve")
    signed = second(store).mark_signed(fid, "财政局", "a" * 64, CERT)
    assert signed.signer_cert_sha256 == CERT
    sign = [h for h in store.history(fid) if h.action == "sign"][-1]
    assert f"签章证书 SHA-256 {CERT}" in sign.reason
    reopened = second(store).transition(fid, "reopen", "数据有误")
    assert reopened.signer_cert_sha256 is None and reopened.signed_by == ""


def test_down_and_up_again_a_signed_form_has_no_certificate_of_record(backend_engine: Engine) -> None:
    """A form signed before migration 0020 (here: its downgrade and upgrade) keeps NULL: unknown."""
    store = FormStore(backend_engine, actor="jixiao")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    fid = store.find(OTHER).id
    store.transition(fid, "submit")
    second(store).transition(fid, "approve")
    second(store).mark_signed(fid, "财政局", "a" * 64, CERT)
    _downgrade(backend_engine, "0017")
    if backend_engine.dialect.name == "postgresql":
        with backend_engine.connect() as conn:
            src = conn.execute(
                text(
                    "SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                    "WHERE n.nspname = current_schema() AND p.proname = 'jixiao_forms_guard'"
                )
            ).scalar_one()
        assert "signer_cert_sha256" not in src and "'signature_sha256'" in src
    upgrade(backend_engine)
    back = store.get(fid)
    assert back.status.value == "signed" and back.signed_by == "财政局" and back.signer_cert_sha256 is None


# ------------------------------------------------------------------ jixiao verify


def test_a_form_signed_before_the_column_passes_and_says_its_certificate_is_unknown(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("pyhanko")
    from tests.test_pdf import run
    from tests.tools import approved_94

    bureau = approved_94(monkeypatch, tmp_path)
    code, _, err = run("pdf", "老干工作经费", "-o", str(tmp_path / "signed"), "--sign", str(bureau / "bureau.p12"))
    assert code == 0, err
    (signed,) = (tmp_path / "signed").glob("*.pdf")
    with sqlite3.connect(tmp_path / "t.db") as conn:  # as signed before migration 0020 (SQLite has no guard)
        assert conn.execute("UPDATE forms SET signer_cert_sha256 = NULL").rowcount == 1
    code, out, _ = run("verify", str(signed), "--trust", str(bureau / "bureau.pem"))
    flat = "".join(out.split())
    assert code == 0 and "数据库未记录签章证书" in flat and "签名证书即数据库记录的签章证书" not in flat, out
