"""A signature is the signer's own (migration 0024): an admin registers each user's signing
certificate; a certificate belongs to one user; on PostgreSQL the database refuses a move to 已签章
made with a certificate registered to someone else, or by a login that signs with another than its
own. Tried with plain psycopg as each role, through jixiao's store (refused before anything is
signed, in Chinese) and through `jixiao users cert` with a real certificate."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from jixiao.storage import StoreError
from jixiao.storage.users import Directory
from jixiao.workflow import WorkflowError
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL
from tests.test_attacks_signer_cert import _approved_by_jingke

on_pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
ROOT = Path(__file__).resolve().parents[1]
MINE, THEIRS, UNREGISTERED = "a" * 64, "b" * 64, "c" * 64
SIGN = "UPDATE forms SET status = 'signed', signed_by = '审核人', signer_cert_sha256 = %s WHERE id = %s"


def _registered(setup: Setup) -> None:
    d = Directory(setup.store.engine)
    d.register_certificate(setup.logins["reviewer"], MINE)
    d.register_certificate(setup.logins["admin"], THEIRS)


@on_pg
@pytest.mark.parametrize(
    ("cert", "refused"),
    [
        (THEIRS, "is registered to"),  # the admin's certificate, in the reviewer's hands
        (UNREGISTERED, "signs only with the certificate registered to it"),  # a certificate of nobody
        (None, "signs only with the certificate registered to it"),  # no certificate at all
        (MINE, None),
    ],
)
def test_a_reviewer_signs_only_with_their_own_certificate(setup: Setup, cert: str | None, refused: str | None) -> None:
    _registered(setup)
    fid = _approved_by_jingke(setup)
    with setup.connect("reviewer") as conn:
        if refused:
            with pytest.raises(psycopg.errors.CheckViolation, match=refused):
                conn.execute(SIGN, (cert, fid))
        else:
            conn.execute(SIGN, (cert, fid))
    assert setup.store.get(fid).status.value == ("approved" if refused else "signed")


@on_pg
def test_a_login_with_no_certificate_cannot_sign_with_someone_elses(setup: Setup) -> None:
    Directory(setup.store.engine).register_certificate(setup.logins["admin"], THEIRS)
    fid = _approved_by_jingke(setup)
    with setup.connect("reviewer") as conn:  # the reviewer registered none
        with pytest.raises(psycopg.errors.CheckViolation, match="is registered to"):
            conn.execute(SIGN, (THEIRS, fid))
        with pytest.raises(psycopg.errors.CheckViolation, match="has no signing certificate registered"):
            conn.execute(SIGN, (UNREGISTERED, fid))  # a certificate nobody registered: refused too since 0025
    assert setup.store.get(fid).status.value == "approved"


@on_pg
@pytest.mark.parametrize("who", ["jingke", "reviewer"])
def test_only_an_admin_registers_a_certificate(setup: Setup, who: str) -> None:
    with setup.connect(who) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("UPDATE app_users SET cert_sha256 = %s WHERE login = session_user", (MINE,))
    with setup.connect("admin") as conn:
        conn.execute("UPDATE app_users SET cert_sha256 = %s WHERE login = %s", (MINE, setup.logins["reviewer"]))
        with pytest.raises(psycopg.errors.UniqueViolation):  # one certificate, one user
            conn.execute("UPDATE app_users SET cert_sha256 = %s WHERE login = %s", (MINE, setup.logins["admin"]))
        with pytest.raises(psycopg.errors.CheckViolation):  # a fingerprint, not a name
            conn.execute("UPDATE app_users SET cert_sha256 = 'CN=审核人' WHERE login = %s", (setup.logins["admin"],))


@on_pg
def test_jixiao_refuses_before_signing_in_chinese(setup: Setup) -> None:
    from sqlalchemy import create_engine

    from jixiao.storage.store import FormStore

    _registered(setup)
    fid = _approved_by_jingke(setup)
    url = setup.url.set(username=setup.logins["reviewer"], password="Pw-角色测试-1")
    as_reviewer = FormStore(create_engine(url.render_as_string(hide_password=False)), actor="审核人")
    with pytest.raises(WorkflowError, match="已登记给另一位用户"):  # not named to a reviewer (0029)
        as_reviewer.may(fid, "sign", THEIRS)
    with pytest.raises(WorkflowError, match="只能用它签章"):
        as_reviewer.may(fid, "sign", UNREGISTERED)
    as_reviewer.may(fid, "sign", MINE)
    with pytest.raises(WorkflowError, match="已登记给另一位用户"):  # and the database's own refusal, said the same way
        as_reviewer.mark_signed(fid, "审核人", "d" * 64, THEIRS)
    assert as_reviewer.get(fid).status.value == "approved"
    # whose a certificate is: verify asks it through a function (app_users stays private), and since
    # 0028 is told only of the caller's own certificate or one that signed a form the caller sees
    assert as_reviewer.certificate_holder(MINE) == (setup.logins["reviewer"], "财政局审核人")
    assert as_reviewer.certificate_holder(THEIRS) is None  # the admin's: no form signed with it
    assert as_reviewer.certificate_holder(UNREGISTERED) is None
    with setup.connect("jingke") as conn:
        assert conn.execute("SELECT login FROM jixiao_certificate_holder(%s)", (MINE,)).fetchone() is None


def test_a_certificate_belongs_to_one_user_on_sqlite_too(tmp_path: Path) -> None:
    from jixiao.storage.database import make_engine, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'u.db'}")
    upgrade(engine)
    d = Directory(engine)
    d.add_user("lisi", "李四", "reviewer")
    d.add_user("wangwu", "王五", "reviewer")
    d.register_certificate("lisi", MINE)
    with pytest.raises(StoreError, match="已登记给用户「lisi」"):
        d.register_certificate("wangwu", MINE)
    with pytest.raises(StoreError, match="没有用户「nobody」"):
        d.register_certificate("nobody", THEIRS)
    d.add_user("lisi", "李四", "reviewer", department="经信局")  # changing the user keeps their certificate
    assert {u.login: u.cert_sha256 for u in d.users()} == {"lisi": MINE, "wangwu": ""}


def test_users_cert_registers_a_real_certificate(tmp_path: Path) -> None:
    from jixiao.pdf.sign import certificate_pem
    from jixiao.pdf.trial_keys import new_key

    new_key("李四", tmp_path / "lisi.p12", "pw-123456")
    (tmp_path / "lisi.pem").write_bytes(certificate_pem(tmp_path / "lisi.p12", "pw-123456"))
    db = str(tmp_path / "j.db")
    env = {**os.environ, "COLUMNS": "200", "JIXIAO_USER": "管理员"}

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "jixiao", "--db", db, *argv], capture_output=True, text=True, cwd=ROOT, env=env
        )

    assert run("users", "add", "lisi", "--name", "李四", "--role", "reviewer").returncode == 0
    done = run("users", "cert", "lisi", str(tmp_path / "lisi.pem"))
    assert done.returncode == 0, done.stderr
    assert "已为用户 lisi 登记签章证书 CN=李四" in done.stdout
    listed = run("users", "list").stdout
    assert "李四" in listed and "未登记" not in listed
    bad = run("users", "cert", "lisi", str(tmp_path / "nothing.pem"))
    assert bad.returncode != 0 and "Traceback" not in bad.stderr and "证书文件" in bad.stderr


def test_verify_names_the_user_the_certificate_is_registered_to(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The signer's certificate of record, and whose it is in the users' registry: a name beside the CN."""
    from tests.test_attacks_sign import FORM
    from tests.test_pdf import run
    from tests.tools import approved_94

    bureau = approved_94(monkeypatch, tmp_path)
    assert run("pdf", FORM, "-o", str(bureau / "signed"), "--sign", str(bureau / "bureau.p12"))[0] == 0
    (signed,) = (bureau / "signed").glob("*.pdf")
    code, out, _ = run("verify", str(signed), "--trust", str(bureau / "bureau.pem"))
    assert code == 0 and "该证书未登记给任何用户" in " ".join(out.split())
    assert run("users", "add", "caizheng", "--name", "财政局审核人", "--role", "reviewer")[0] == 0
    assert run("users", "cert", "caizheng", str(bureau / "bureau.pem"))[0] == 0
    code, out, _ = run("verify", str(signed), "--trust", str(bureau / "bureau.pem"))
    assert code == 0 and "证书登记给用户 财政局审核人（caizheng）" in " ".join(out.split())
