"""Every registration of a signing certificate is kept, stamped by the database (migration 0026), and
``jixiao verify`` holds a signed copy to the certificates registered to the login that signed it.

Tried with plain psycopg as each role and the owner, and end to end: a form signed (before any
registration) with a certificate that is not the signer's, then the signer's registered, is no
longer confirmed."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from jixiao.storage.users import Directory, signer_binding
from tests.role_setup import PASSWORD, Setup
from tests.storage_backends import PG_REASON, PG_URL
from tests.test_attacks_signer_cert import _approved_by_jingke
from tests.test_attacks_signer_registry import B_CERT, SIGN, _as

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
OLD, NEW, OTHER_CERT = "1" * 64, "2" * 64, "3" * 64


@on_pg
def test_a_renewal_keeps_the_old_certificate_stamped_with_who_registered_it(setup: Setup) -> None:
    admin, reviewer = setup.logins["admin"], setup.logins["reviewer"]
    with setup.connect("admin") as conn:  # with psql too, not only through jixiao users cert
        conn.execute("UPDATE app_users SET cert_sha256 = %s WHERE login = %s", (OLD, reviewer))
    fid = _approved_by_jingke(setup)
    with setup.connect("reviewer") as conn:
        conn.execute(SIGN, (OLD, fid))
    Directory(setup.store.engine).register_certificate(reviewer, NEW)  # renewed, by the owner
    with setup.connect("admin") as conn:
        rows = conn.execute(
            "SELECT login, cert_sha256, registered_by FROM certificate_registrations ORDER BY id"
        ).fetchall()
    assert rows == [(reviewer, OLD, admin), (reviewer, NEW, setup.url.username)]
    assert signer_binding(setup.store.engine, fid, OLD) == (reviewer, True, True)  # still the signer's own
    assert signer_binding(setup.store.engine, fid, OTHER_CERT) == (reviewer, True, False)
    assert signer_binding(setup.store.engine, setup.form_id("老干工作经费"), OLD) is None  # never signed


@on_pg
@pytest.mark.parametrize(
    ("who", "attack", "error"),
    [
        ("admin", "UPDATE certificate_registrations SET cert_sha256 = '{c}'", psycopg.errors.InsufficientPrivilege),
        ("admin", "DELETE FROM certificate_registrations", psycopg.errors.InsufficientPrivilege),
        (
            "admin",
            "INSERT INTO certificate_registrations (login, cert_sha256, registered_by) VALUES ('{r}', '{c}', 'x')",
            psycopg.errors.InsufficientPrivilege,
        ),
        ("owner", "UPDATE certificate_registrations SET cert_sha256 = '{c}'", psycopg.errors.InsufficientPrivilege),
        ("owner", "DELETE FROM certificate_registrations", psycopg.errors.InsufficientPrivilege),
        ("owner", "TRUNCATE certificate_registrations", psycopg.errors.InsufficientPrivilege),
        ("reviewer", "SELECT * FROM certificate_registrations", psycopg.errors.InsufficientPrivilege),
        ("jingke", "SELECT * FROM certificate_registrations", psycopg.errors.InsufficientPrivilege),
    ],
)
def test_nobody_rewrites_the_registrations(setup: Setup, who: str, attack: str, error: type[Exception]) -> None:
    Directory(setup.store.engine).register_certificate(setup.logins["reviewer"], OLD)
    with _as(setup, who) as conn, pytest.raises(error):
        conn.execute(attack.format(c=OTHER_CERT, r=setup.logins["reviewer"]))
    with _as(setup, "owner") as conn:
        assert conn.execute("SELECT cert_sha256 FROM certificate_registrations").fetchall() == [(OLD,)]


@on_pg
def test_verify_refuses_a_copy_not_signed_with_the_signers_registered_certificate(
    setup: Setup, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("pyhanko")
    from tests.test_attacks_signer_cert import OTHER
    from tests.test_pdf import run

    fid = _approved_by_jingke(setup)
    reviewer = _keys_as_reviewer(setup, monkeypatch, tmp_path)
    # no certificate registered yet: the reviewer signs with one made in 乙's name
    code, _, err = run("pdf", OTHER, "-o", str(tmp_path / "signed"), "--sign", str(tmp_path / "made.p12"))
    assert code == 0, err
    assert setup.store.get(fid).status.value == "signed"
    (signed,) = (tmp_path / "signed").glob("*.pdf")
    trust = ("--trust", str(tmp_path / "made.pem"))
    code, out, _ = run("verify", str(signed), *trust)
    assert code == 0, out  # nothing registered: nothing to hold it to
    Directory(setup.store.engine).register_certificate(reviewer, _sha(tmp_path / "mine.pem"))
    code, out, _ = run("verify", str(signed), *trust)
    flat = "".join(out.split())
    assert code == 1 and f"数据库记录签章人为登录名「{reviewer}」" in flat and "不是登记给该用户的证书" in flat, out
    Directory(setup.store.engine).register_certificate(reviewer, _sha(tmp_path / "made.pem"))  # now it is theirs
    assert run("verify", str(signed), *trust)[0] == 0


def _sha(pem: Path) -> str:
    from jixiao.pdf.verify import load_certificates

    return str(load_certificates([pem])[0].sha256.hex())


def _keys_as_reviewer(setup: Setup, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """jixiao run as the reviewer's login, with two keys in ``tmp_path``: ``mine`` (in the reviewer's
    name) and ``made`` (in 乙's), each with its certificate beside it as .pem; the reviewer's login."""
    from jixiao.pdf import fonts
    from jixiao.pdf.sign import certificate_pem
    from tests.test_pdf import PASSWORD as KEY_PASSWORD
    from tests.test_pdf import run

    reviewer = setup.logins["reviewer"]
    url = setup.url.set(username=reviewer, password=PASSWORD).render_as_string(hide_password=False)
    monkeypatch.setenv("JIXIAO_KEY_PASSWORD", KEY_PASSWORD)
    monkeypatch.setenv("JIXIAO_DB", url)
    monkeypatch.delenv(fonts.ENV_FONT, raising=False)
    for key, name in (("mine", "财政局审核人"), ("made", "乙")):
        assert run("keys", "new", "--name", name, "-o", str(tmp_path / f"{key}.p12"))[0] == 0
        (tmp_path / f"{key}.pem").write_bytes(certificate_pem(tmp_path / f"{key}.p12", KEY_PASSWORD))
    return reviewer


@on_pg
def test_sign_refuses_before_writing_a_pdf_naming_the_login_and_the_fingerprint(
    setup: Setup, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    pytest.importorskip("pyhanko")
    from tests.test_attacks_signer_cert import OTHER
    from tests.test_pdf import run

    fid = _approved_by_jingke(setup)
    reviewer = _keys_as_reviewer(setup, monkeypatch, tmp_path)
    Directory(setup.store.engine).register_certificate(setup.logins["admin"], B_CERT)  # the registry is in use
    made = _sha(tmp_path / "made.pem")
    code, out, err = run("pdf", OTHER, "-o", str(tmp_path / "signed"), "--sign", str(tmp_path / "made.p12"))
    said = "".join((out + err).split())
    assert code != 0 and f"登录名「{reviewer}」没有登记签章证书" in said and made[:16] in said, out + err
    assert "Traceback" not in err and not list(tmp_path.glob("signed/*.pdf"))
    assert setup.store.get(fid).status.value == "approved"
    Directory(setup.store.engine).register_certificate(reviewer, _sha(tmp_path / "mine.pem"))
    code, _, err = run("pdf", OTHER, "-o", str(tmp_path / "signed"), "--sign", str(tmp_path / "mine.p12"))
    assert code == 0, err
    assert setup.store.get(fid).status.value == "signed"


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (("--cert", "{pem}"), "已为用户 lisi 登记签章证书 CN=李四"),
        (("{pem}",), "已为用户 lisi 登记签章证书 CN=李四"),
        ((), "请给出一个证书文件"),
        (("{pem}", "--cert", "{pem}"), "请给出一个证书文件"),
    ],
)
def test_users_cert_takes_the_file_as_cert_or_as_an_argument(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, argv: tuple[str, ...], said: str
) -> None:
    """On SQLite too: registered, kept in the registrations, and listed with its fingerprint."""
    from jixiao.pdf.sign import certificate_pem
    from jixiao.pdf.trial_keys import new_key
    from tests.test_pdf import run

    new_key("李四", tmp_path / "lisi.p12", "pw-123456")
    pem = tmp_path / "lisi.pem"
    pem.write_bytes(certificate_pem(tmp_path / "lisi.p12", "pw-123456"))
    monkeypatch.setenv("JIXIAO_DB", str(tmp_path / "j.db"))
    assert run("users", "add", "lisi", "--name", "李四", "--role", "reviewer")[0] == 0
    code, out, err = run("users", "cert", "lisi", *(a.format(pem=pem) for a in argv))
    assert (
        "".join(said.split()) in "".join((out + err).split())
        and (code == 0) == ("已为" in said)
        and "Traceback" not in err
    )
    listed = "".join(run("users", "list")[1].split())
    assert (_sha(pem)[:16] in listed) == ("已为" in said) and ("未登记" in listed) != ("已为" in said)
