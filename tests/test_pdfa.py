"""PDF/A-2b for archiving (issue 20): the structures PDF/A-2b requires, checked on every output,
signed and verified; the check itself catches what it looks for."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytest.importorskip("pyhanko")

from jixiao.pdf.layout import render_pdf  # noqa: E402
from jixiao.pdf.meta import page_text  # noqa: E402
from jixiao.pdf.pdfa import pdfa_problems, to_pdfa  # noqa: E402
from jixiao.scoring import score_form  # noqa: E402
from scorer.formfile import load_form  # noqa: E402
from tests.conftest import NINETY_FOUR  # noqa: E402
from tests.test_pdf import run  # noqa: E402
from tests.tools import approved_94  # noqa: E402


def test_a_rendered_form_made_pdfa_has_every_checked_structure() -> None:
    pdf = render_pdf(score_form(load_form(NINETY_FOUR)))
    assert sorted(pdfa_problems(pdf)) == ["缺少 XMP 元数据", "缺少带 ICC 特性文件的 GTS_PDFA1 输出意图"]
    archived = to_pdfa(pdf)
    assert pdfa_problems(archived) == []
    assert to_pdfa(pdf) == archived  # reproducible
    assert page_text(archived) == page_text(pdf)
    from pypdf import PdfReader

    from jixiao.pdf.pdfa import _xmp_date

    reader = PdfReader(io.BytesIO(archived))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    created = _xmp_date(str(reader.metadata["/CreationDate"]))
    assert created and f"<xmp:CreateDate>{created}</xmp:CreateDate>" in xmp  # the same instant as the Info


def test_the_check_finds_a_font_that_is_not_embedded() -> None:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("Helvetica", 12)  # one of the 14 standard fonts: never embedded
    c.drawString(72, 720, "not archival")
    c.save()
    problems = pdfa_problems(to_pdfa(buf.getvalue()))
    assert any("未嵌入" in p for p in problems)


def test_signed_pdfa_verifies_and_stays_pdfa(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    approved_94(monkeypatch, tmp_path, key="k")
    code, _, err = run("pdf", "老干工作经费", "-o", str(tmp_path / "out"), "--pdfa", "--sign", str(tmp_path / "k.p12"))
    assert code == 0, err
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    assert pdfa_problems(pdf.read_bytes()) == []
    code, out, _ = run("verify", str(pdf), "--trust", str(tmp_path / "k.pem"))
    assert code == 0 and "一致" in out


def test_a_form_with_evidence_is_not_made_pdfa2(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JIXIAO_DB", str(tmp_path / "t.db"))
    assert run("import", str(NINETY_FOUR))[0] == 0
    survey = tmp_path / "调查.txt"
    survey.write_text("问卷", encoding="utf-8")
    assert run("evidence", "add", "老干工作经费", str(survey))[0] == 0
    code, _, err = run("pdf", "老干工作经费", "-o", str(tmp_path / "out"), "--pdfa")
    assert code == 1 and "PDF/A-2 不允许嵌入非 PDF/A 文件" in err


def test_the_output_intent_profile_does_not_carry_the_clock() -> None:
    """LittleCMS stamps the time into the ICC header, so to_pdfa differed across a second boundary."""
    from jixiao.pdf import pdfa

    first = pdfa._srgb()
    assert first[24:36] == bytes.fromhex("07e9 0001 0001 0000 0000 0000")
    assert first[:24] + first[36:] == pdfa._srgb()[:24] + pdfa._srgb()[36:]
