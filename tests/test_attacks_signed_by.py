"""The 签章人 on record is the signing login's own name, written by the database (migration 0028), and
the signature columns are written only by signing. Tried with plain psycopg as each role, through
jixiao's store as a reviewer's login, and through ``jixiao pdf --sign`` (the PDF names the same person).

Before 0028 ``forms.signed_by`` was whatever the client wrote: a reviewer with psql, or with
``--signer``, signed as "局长 王五"; a filler wrote a 签章人 and a fingerprint onto a draft."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, create_engine

from jixiao.storage.store import FormStore
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL
from tests.test_attacks_signer_cert import _approved_by_jingke
from tests.tools import second

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
JINGKE_FORM = "企业管理费"  # 经科局's form (the filler "jingke")
REVIEWER_NAME = "财政局审核人"  # the reviewer's name in app_users (tests/role_setup.py)
WRITTEN_ONLY_BY_SIGNING = "written only by signing"


def _engine_as(setup: Setup, who: str) -> Engine:
    return create_engine(setup.url.set(username=setup.logins[who], password=PASSWORD))


@on_pg
@pytest.mark.parametrize("claimed", ["局长 王五", "", REVIEWER_NAME])
def test_the_database_writes_the_signers_own_name(setup: Setup, claimed: str) -> None:
    fid = _approved_by_jingke(setup)
    with setup.connect("reviewer") as conn:
        conn.execute("UPDATE forms SET status = 'signed', signed_by = %s WHERE id = %s", (claimed, fid))
    signed = setup.store.get(fid)
    assert (signed.status.value, signed.signed_by) == ("signed", REVIEWER_NAME)


@on_pg
@pytest.mark.parametrize("who", ["jingke", "admin"])
@pytest.mark.parametrize(
    "write",
    [
        "signed_by = '局长 王五'",
        "signature_sha256 = repeat('a', 64)",
        "signer_cert_sha256 = repeat('b', 64)",
        "signed_by = '局长 王五', signature_sha256 = repeat('a', 64), signer_cert_sha256 = repeat('b', 64)",
    ],
)
def test_no_role_writes_a_signature_onto_a_form_it_does_not_sign(setup: Setup, who: str, write: str) -> None:
    fid = setup.form_id(JINGKE_FORM)
    with setup.connect(who) as conn, pytest.raises(psycopg.errors.CheckViolation, match=WRITTEN_ONLY_BY_SIGNING):
        conn.execute(f"UPDATE forms SET {write} WHERE id = %s", (fid,))  # noqa: S608
    draft = setup.store.get(fid)
    assert (draft.signed_by, draft.signature_sha256, draft.signer_cert_sha256) == ("", "", None)


@on_pg
def test_a_filler_creates_no_draft_with_a_signature(setup: Setup) -> None:
    fid = setup.form_id(JINGKE_FORM)
    with setup.connect("jingke") as conn:
        cols = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                "AND table_name = 'forms' AND column_name NOT IN ('id', 'scores_trusted', 'project_name', "
                "'signed_by') ORDER BY ordinal_position"
            )
        ]
        names = ", ".join(cols)
        copy = (
            f"INSERT INTO forms ({names}, project_name, signed_by) "  # noqa: S608
            f"SELECT {names}, project_name || '（副本）', %s FROM forms WHERE id = %s"
        )
        with pytest.raises(psycopg.errors.CheckViolation, match=WRITTEN_ONLY_BY_SIGNING):
            conn.execute(copy, ("局长 王五", fid))
        conn.execute(copy, ("", fid))  # the control: the same copy with no signature is taken


@on_pg
def test_jixiao_as_a_reviewer_signs_and_reopens_under_the_recorded_name(setup: Setup) -> None:
    """Through jixiao's own store: the name jixiao passes is replaced by the record; reopening clears it."""
    fid = _approved_by_jingke(setup)
    reviewer = FormStore(_engine_as(setup, "reviewer"), actor=REVIEWER_NAME)
    assert reviewer.mark_signed(fid, "局长 王五", "c" * 64).signed_by == REVIEWER_NAME
    reopened = reviewer.transition(fid, "reopen", "签章有误，重新打开")
    assert (reopened.status.value, reopened.signed_by, reopened.signature_sha256) == ("draft", "", "")


@on_pg
def test_the_owner_keeps_the_name_it_writes(setup: Setup) -> None:
    """The owner (a restore, an operator's tool) is trusted, as for every stamp."""
    fid = _approved_by_jingke(setup)
    assert second(setup.store).mark_signed(fid, "档案中的签章人", "c" * 64).signed_by == "档案中的签章人"


@pytest.fixture
def cli(setup: Setup, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    from jixiao.pdf import fonts
    from jixiao.pdf.trial_keys import new_key

    monkeypatch.setenv("JIXIAO_KEY_PASSWORD", PASSWORD)
    monkeypatch.delenv(fonts.ENV_FONT, raising=False)
    url = setup.url.set(username=setup.logins["reviewer"], password=PASSWORD)
    monkeypatch.setenv("JIXIAO_DB", url.render_as_string(hide_password=False))
    new_key("张三（证书）", tmp_path / "k.p12", PASSWORD)
    return tmp_path


@on_pg
def test_jixiao_pdf_names_the_recorded_signer_on_the_pdf_and_in_the_database(setup: Setup, cli: Path) -> None:
    from jixiao.pdf.verify import verify_pdf
    from tests.test_pdf import run

    fid = _approved_by_jingke(setup)
    key = setup.store.get(fid).key
    code, _, err = run("pdf", key, "-o", str(cli / "out"), "--sign", str(cli / "k.p12"), "--signer", "局长 王五")
    assert code == 1 and "签章人以数据库登记的姓名为准：「财政局审核人」" in err and "Traceback" not in err
    assert not (cli / "out").exists() or not list((cli / "out").glob("*.pdf"))
    assert setup.store.get(fid).status.value == "approved"
    code, out, err = run("pdf", key, "-o", str(cli / "out"), "--sign", str(cli / "k.p12"))
    assert code == 0, err
    assert f"已签名：{REVIEWER_NAME}" in out
    (signed,) = (cli / "out").glob("*.pdf")
    assert [s.name for s in verify_pdf(signed.read_bytes()).signatures] == [REVIEWER_NAME]
    assert setup.store.get(fid).signed_by == REVIEWER_NAME
