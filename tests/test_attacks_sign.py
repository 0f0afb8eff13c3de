"""Attacks on signed forms (issue 14 item 5 and lows, issue 15 item 5): every forgery gets a verdict.

Each test goes through ``jixiao verify`` as a finance reviewer would and checks the exit
status (0 only for intact, trusted and matching the database; 1 for forged, damaged or
stale; 2 for intact but untrusted) and the Chinese verdict.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hst

pytest.importorskip("pyhanko")

from pypdf import PdfReader, PdfWriter  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from jixiao.pdf import fonts  # noqa: E402
from jixiao.pdf.sign import sign_pdf  # noqa: E402
from jixiao.pdf.trial_keys import new_key  # noqa: E402
from jixiao.pdf.verify import verify_pdf  # noqa: E402
from tests.conftest import NINETY_FOUR  # noqa: E402
from tests.test_pdf import PASSWORD, run  # noqa: E402

FORM = "老干工作经费"


@pytest.fixture
def bureau(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A database with the 94 form approved and signed by the bureau's key; the attacker's own key beside it."""
    monkeypatch.setenv("JIXIAO_KEY_PASSWORD", PASSWORD)
    monkeypatch.setenv("JIXIAO_DB", str(tmp_path / "t.db"))
    monkeypatch.delenv(fonts.ENV_FONT, raising=False)
    assert run("keys", "new", "--name", "财政局", "-o", str(tmp_path / "bureau.p12"))[0] == 0
    new_key("财政局", tmp_path / "attacker.p12", PASSWORD)  # same name, another key
    assert run("import", str(NINETY_FOUR))[0] == 0
    assert run("workflow", "submit", FORM)[0] == 0
    monkeypatch.setenv("JIXIAO_USER", "财政局审核人")  # 四眼原则: another person approves and signs
    assert run("workflow", "approve", FORM)[0] == 0
    code, _, err = run("pdf", FORM, "-o", str(tmp_path / "signed"), "--sign", str(tmp_path / "bureau.p12"))
    assert code == 0, err
    code, _, err = run("pdf", FORM, "-o", str(tmp_path / "plain"))
    assert code == 0, err
    return tmp_path


def _signed(bureau: Path) -> Path:
    (path,) = (bureau / "signed").glob("*.pdf")
    return path


def _verify(bureau: Path, path: Path, trust: bool = True) -> tuple[int, str]:
    args = ["verify", str(path)] + (["--trust", str(bureau / "bureau.pem")] if trust else [])
    code, out, err = run(*args)
    assert "Traceback" not in out + err and "内部错误" not in out + err
    return code, out


def test_the_genuine_copy_passes_only_with_trust(bureau: Path) -> None:
    assert _verify(bureau, _signed(bureau))[0] == 0
    code, out = _verify(bureau, _signed(bureau), trust=False)
    assert code == 2 and "未确认" in out


def test_the_genuine_key_under_another_signers_name_fails(bureau: Path) -> None:
    """The bureau's own key and certificate of record, but the signature names another 签章人: the name
    is what a reader trusts, so it must be the one the database recorded."""
    (plain,) = (bureau / "plain").glob("*.pdf")
    for name in ("局长 王五", "财政局（代）"):
        forged = bureau / "forged.pdf"
        forged.write_bytes(sign_pdf(plain.read_bytes(), bureau / "bureau.p12", PASSWORD, signer_name=name))
        code, out = _verify(bureau, forged)
        assert code == 1 and "本文件的签章人为" in out and "记录的签章人为「财政局」" in out, out
    assert _verify(bureau, _signed(bureau))[0] == 0


def test_a_page_painted_over_and_resigned_with_another_key_fails(bureau: Path) -> None:
    (plain,) = (bureau / "plain").glob("*.pdf")
    reader = PdfReader(plain)
    overlay = io.BytesIO()
    c = canvas.Canvas(overlay, pagesize=(float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)))
    c.setFillColorRGB(1, 1, 1)
    c.rect(0, 0, 600, 200, stroke=0, fill=1)  # paint over the bottom of the page
    c.setFillColorRGB(0, 0, 0)
    c.drawString(100, 100, "TOTAL 100")
    c.save()
    writer = PdfWriter()
    writer.append(reader)
    writer.pages[0].merge_page(PdfReader(io.BytesIO(overlay.getvalue())).pages[0])
    writer.add_metadata(dict(reader.metadata or {}))  # keeps the database form's fingerprint
    forged = io.BytesIO()
    writer.write(forged)
    path = bureau / "forged.pdf"
    path.write_bytes(sign_pdf(forged.getvalue(), bureau / "attacker.p12", PASSWORD))
    code, out = _verify(bureau, path)
    assert code == 1, out
    assert "记录的签章证书" in "".join(out.split()) and "不受信任" in out
    # even to someone who (wrongly) trusts the attacker's key, the database disagrees
    (bureau / "attacker.pem").write_bytes(
        __import__("jixiao.pdf.sign", fromlist=["certificate_pem"]).certificate_pem(bureau / "attacker.p12", PASSWORD)
    )
    code, out, _ = run("verify", str(path), "--trust", str(bureau / "attacker.pem"))
    assert code == 1 and "记录的签章证书" in "".join(out.split())
    # and signed with the key of record itself, the page text disagrees
    path.write_bytes(sign_pdf(forged.getvalue(), bureau / "bureau.p12", PASSWORD))
    code, out = _verify(bureau, path)
    assert code == 1 and "页面可能被涂改" in out, out


def test_a_title_changed_after_signing_is_reported(bureau: Path) -> None:
    w = PdfWriter(io.BytesIO(_signed(bureau).read_bytes()), incremental=True)
    w.add_metadata({"/Title": "另一个项目的自评表"})
    out = io.BytesIO()
    w.write(out)
    path = bureau / "title.pdf"
    path.write_bytes(out.getvalue())
    code, text = _verify(bureau, path)
    assert code == 1 and "已被修改" in text


def test_a_reopened_form_no_longer_matches_its_signed_copy(bureau: Path) -> None:
    assert run("workflow", "reopen", FORM, "-m", "更正")[0] == 0
    code, out = _verify(bureau, _signed(bureau))
    assert code == 1 and "数据库已与此签章件不一致" in out


def _contents_span(pdf: bytes) -> tuple[int, int]:
    m = re.search(rb"/Contents\s*<([0-9A-Fa-f]+)>", pdf)
    assert m is not None
    return m.start(1), m.end(1)


@given(hst.integers(min_value=0, max_value=10_000), hst.sampled_from([1, 2, 4, 8]))
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_damaged_signature_container_gets_a_verdict(bureau: Path, offset: int, bit: int) -> None:
    data = bytearray(_signed(bureau).read_bytes())
    start, end = _contents_span(bytes(data))
    used = len(bytes(data[start:end]).rstrip(b"0"))  # the DER part, not the zero padding
    at = start + offset % max(used, 1)
    data[at] = ord("0123456789abcdef"[(int(chr(data[at]), 16) ^ bit) % 16])
    report = verify_pdf(bytes(data))  # never raises: every damage gets a verdict
    if report.intact:
        # the flip hit an unsigned, informational part of the container (e.g. the outer list of
        # digest algorithms): what was signed, the signature value and the certificate all still hold
        assert report.signatures[0].valid and report.signatures[0].certificate_sha256 == _cert_sha(bureau)
    else:
        assert report.status_label in ("已被修改", "无效")


def _cert_sha(bureau: Path) -> str:
    return verify_pdf(_signed(bureau).read_bytes()).signatures[0].certificate_sha256


def test_a_changed_certificate_byte_is_a_verdict_not_an_internal_error(bureau: Path) -> None:
    data = bytearray(_signed(bureau).read_bytes())
    start, end = _contents_span(bytes(data))
    for at in (start + 200, start + 800, start + 1600):  # inside the embedded certificate
        damaged = bytearray(data)
        damaged[at] = ord("0" if damaged[at] != ord("0") else "1")
        path = bureau / "damaged.pdf"
        path.write_bytes(bytes(damaged))
        code, out = _verify(bureau, path)
        assert code == 1 and "不通过" in out


def test_every_file_gets_a_verdict_in_one_run(bureau: Path) -> None:
    junk = bureau / "junk.pdf"
    junk.write_bytes(b"%PDF-1.7\n garbage")
    code, out, err = run("verify", str(junk), str(_signed(bureau)), "--trust", str(bureau / "bureau.pem"))
    assert code == 1
    assert out.count("结论") == 2 and "通过：" in out
