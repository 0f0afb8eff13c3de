"""Evidence (issue 20): stored with its form, content-addressed, append-only; embedded in the signed
PDF so that `jixiao verify` reports it and a changed file fails; by role on PostgreSQL."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine

from jixiao.storage import evidence
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore, StoreError
from tests.role_setup import Setup
from tests.storage_backends import PG_REASON, PG_URL, backend_engine

__all__ = ["backend_engine"]  # the fixture, used by name
FORM = "老干工作经费"
SURVEY = "离退休人员对单位开展工作的满意度"


@pytest.fixture
def store(backend_engine: Engine) -> FormStore:
    s = FormStore(backend_engine, actor="商业行办填报人")
    s.import_forms(sample_forms())  # type: ignore[arg-type]
    return s


def test_evidence_is_stored_by_content_and_read_back_whole(store: FormStore) -> None:
    fid = store.find(FORM).id
    data = "问卷 120 份，回收 118 份，满意 107 份".encode()
    done = evidence.add(store, fid, "满意度调查.txt", data, SURVEY)
    assert done.sha256 == hashlib.sha256(data).hexdigest() and done.size == len(data)
    assert done.indicator_uid == next(i.uid for i in store.get(fid).form.indicators if i.name == SURVEY)
    (listed,) = evidence.for_form(store, fid)
    assert listed == done
    assert evidence.files(store, fid) == [(done, data)]
    with pytest.raises(StoreError, match="已附在该指标上"):
        evidence.add(store, fid, "另一个名字.txt", data, SURVEY)
    evidence.add(store, fid, "全表.txt", data)  # the same file on the whole form is another attachment


@pytest.mark.parametrize(
    ("name", "data", "said"),
    [
        ("空.txt", b"", "空文件"),
        ("大.bin", b"x" * (evidence.MAX_BYTES + 1), "超过上限"),
        ("", b"x", "文件名为空"),
        ("a\x00.txt", b"x", "文件名含有空字符"),
    ],
    ids=["empty", "too-big", "no-name", "nul"],
)
def test_bad_files_are_refused_and_nothing_is_written(store: FormStore, name: str, data: bytes, said: str) -> None:
    fid = store.find(FORM).id
    with pytest.raises(StoreError, match=said):
        evidence.add(store, fid, name, data)
    assert evidence.for_form(store, fid) == []


def test_evidence_is_attached_before_submission_and_kept(store: FormStore) -> None:
    fid = store.find(FORM).id
    evidence.add(store, fid, "a.txt", b"a")
    with pytest.raises(StoreError, match="不能删除"):
        store.delete(fid, "不要了")
    store.transition(fid, "submit")
    with pytest.raises(StoreError, match="佐证材料须在提交前附上"):
        evidence.add(store, fid, "b.txt", b"b")
    with pytest.raises(StoreError, match="表单中没有指标"):
        evidence.add(store, store.find("企业管理费").id, "c.txt", b"c", "没有这一项")
    with store.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.exec_driver_sql("DELETE FROM evidence")


def test_the_rows_that_need_evidence(store: FormStore) -> None:
    from jixiao.checks.evidence_checks import evidence_findings

    sf = store.find(FORM)
    result = store.score(sf.form)
    before = evidence_findings(result, [])
    assert [f.check_id for f in before] == ["evidence-survey-missing"] and SURVEY in before[0].message
    assert evidence_findings(result, [("", "2024年满意度问卷汇总.pdf")]) == []  # a survey on the whole form
    uid = next(i.uid for i in sf.form.indicators if i.name == SURVEY)
    assert evidence_findings(result, [(uid, "照片.jpg")]) == []


# ------------------------------------------------------------------ the signed PDF and jixiao verify


@pytest.fixture
def bureau(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The 94 form with a survey attached, approved and signed by the bureau's key."""
    from tests.test_pdf import run
    from tests.tools import approved_94

    def attach() -> None:
        survey = tmp_path / "满意度调查.txt"
        survey.write_text("问卷 120 份，回收 118 份", encoding="utf-8")
        code, out, err = run("evidence", "add", FORM, str(survey), "--indicator", SURVEY)
        assert code == 0 and "已附上「满意度调查.txt」" in out, err
        code, out, _ = run("evidence", "list", FORM)
        assert "满意度调查.txt" in out and "没有附调查结果" not in out

    approved_94(monkeypatch, tmp_path, before=attach)
    code, _, err = run("pdf", FORM, "-o", str(tmp_path / "signed"), "--sign", str(tmp_path / "bureau.p12"))
    assert code == 0, err
    return tmp_path


def _signed(bureau: Path) -> Path:
    (path,) = (bureau / "signed").glob("*.pdf")
    return path


def test_the_signed_pdf_carries_the_evidence_and_verifies(bureau: Path) -> None:
    from jixiao.pdf.attachments import embedded
    from tests.test_pdf import run

    (f,) = embedded(_signed(bureau).read_bytes())
    assert f.name == "满意度调查.txt" and f.sha256 == hashlib.sha256("问卷 120 份，回收 118 份".encode()).hexdigest()
    code, out, _ = run("verify", str(_signed(bureau)), "--trust", str(bureau / "bureau.pem"))
    assert code == 0 and "附件" in out and "满意度调查.txt" in out and "一致" in out


def test_a_changed_attachment_fails(bureau: Path, tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    from tests.test_pdf import run

    pdf = _signed(bureau).read_bytes()

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.add_attachment("满意度调查.txt", "问卷 10 份，回收 10 份".encode())
    forged = tmp_path / "forged.pdf"
    buf = io.BytesIO()
    writer.write(buf)
    forged.write_bytes(buf.getvalue())
    code, out, _ = run("verify", str(forged), "--trust", str(bureau / "bureau.pem"))
    assert code != 0


def test_an_attachment_added_after_signing_is_a_change(bureau: Path, tmp_path: Path) -> None:
    from jixiao.pdf.attachments import Attachment, embed
    from tests.test_pdf import run

    later = tmp_path / "later.pdf"
    later.write_bytes(embed(_signed(bureau).read_bytes(), [Attachment("补充.txt", b"later")]))
    code, out, _ = run("verify", str(later), "--trust", str(bureau / "bureau.pem"))
    assert code != 0 and "签名后附件被增删或改动" in out


# ------------------------------------------------------------------ PostgreSQL, by role

pg = pytest.mark.skipif(not PG_URL, reason=PG_REASON)
INSERT = (
    "INSERT INTO evidence (form_id, indicator_uid, name, media_type, size, sha256, data, actor, at) "
    "VALUES (%s, %s, 'a.txt', 'text/plain', 1, 'forged', %s, '冒名', '2000-01-01')"
)


@pg
def test_postgres_lets_a_unit_attach_to_its_own_drafts_and_stamps_what_it_holds(setup: Setup) -> None:
    fid = setup.form_id(FORM)
    with setup.connect("shangye") as conn:
        conn.execute(INSERT, (fid, "", b"hello"))
        row = conn.execute("SELECT size, sha256, actor, db_user FROM evidence").fetchone()
        assert row == (5, hashlib.sha256(b"hello").hexdigest(), "商业行办填报人", setup.logins["shangye"])
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(INSERT, (fid, "no-such-row", b"x"))
        for sql in ("UPDATE evidence SET name = 'b.txt'", "DELETE FROM evidence", "TRUNCATE evidence"):
            with pytest.raises((psycopg.errors.InsufficientPrivilege, psycopg.errors.RaiseException)):
                conn.execute(sql)
    for who in ("jingke", "reviewer"):  # another unit's form; reviewers attach nothing
        with setup.connect(who) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(INSERT, (fid, "", b"x"))
    setup.store.transition(fid, "submit")
    with setup.connect("shangye") as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(INSERT, (fid, "", b"after submission"))
    with setup.store.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
        conn.exec_driver_sql("DELETE FROM evidence")  # not even the owner


def test_an_actual_that_mentions_an_acceptance_is_no_acceptance_row(store: FormStore) -> None:
    from jixiao.checks.evidence_checks import evidence_findings

    sf = store.find("网络建设运转维护经费")  # 降低中心决策风险: "完成（…专家验收会3场）"
    assert not [f for f in evidence_findings(store.score(sf.form), []) if f.check_id == "evidence-acceptance-missing"]
