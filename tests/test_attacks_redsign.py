"""Red-team attacks on signed PDFs (the "redsign" pass): forged copies signed by a trusted key,
updates appended after signing, certificates that should not be trusted.

Each test goes through ``jixiao verify`` as a finance reviewer would (see test_attacks_sign.py).
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

pytest.importorskip("pyhanko")

from pypdf import PdfReader, PdfWriter  # noqa: E402
from pypdf.annotations import FreeText  # noqa: E402

from jixiao.pdf.sign import certificate_pem, sign_pdf  # noqa: E402
from jixiao.pdf.trial_keys import new_key  # noqa: E402
from tests import test_attacks_sign as genuine  # noqa: E402
from tests.test_attacks_sign import _signed, _verify  # noqa: E402
from tests.test_pdf import PASSWORD, run  # noqa: E402

bureau = genuine.bureau  # the database with the 94 form signed by the bureau's key


def _trusted_second_key(bureau: Path) -> Path:
    """Another key the verifier trusts (a second signer of the bureau)."""
    new_key("财政局二处", bureau / "second.p12", PASSWORD)
    (bureau / "second.pem").write_bytes(certificate_pem(bureau / "second.p12", PASSWORD))
    return bureau / "second.p12"


def _key_of_record(bureau: Path) -> Path:
    """The key the database recorded for the form (a forgery by its holder, or with it stolen): only the
    checks of the content can catch what it signs."""
    return bureau / "bureau.p12"


def _verify_both(bureau: Path, path: Path) -> tuple[int, str]:
    trust = ["--trust", str(bureau / "bureau.pem")]
    if (bureau / "second.pem").exists():  # the other trusted key, once a test has made it
        trust += ["--trust", str(bureau / "second.pem")]
    code, out, err = run("verify", str(path), *trust)
    assert "Traceback" not in out + err
    return code, out


def _with_info(pdf: bytes, info: dict[str, str]) -> bytes:
    reader = PdfReader(io.BytesIO(pdf))
    writer = PdfWriter()
    writer.append(reader)
    writer.add_metadata(info)
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def _plain(bureau: Path) -> bytes:
    (plain,) = (bureau / "plain").glob("*.pdf")
    return plain.read_bytes()


def test_a_trusted_signature_on_a_form_the_database_does_not_hold_is_not_confirmed(bureau: Path) -> None:
    meta = dict(PdfReader(io.BytesIO(_plain(bureau))).metadata or {})
    meta["/JixiaoFormKey"] = "2099/不存在的单位/虚构项目"
    key = _trusted_second_key(bureau)
    path = bureau / "ghost.pdf"
    path.write_bytes(sign_pdf(_with_info(_plain(bureau), meta), key, PASSWORD))
    code, out = _verify_both(bureau, path)
    assert code == 2 and "数据库中未找到表单" in out and "未能与数据库确认" in out and "通过：" not in out, out


def test_a_trusted_signature_without_a_fingerprint_is_not_confirmed_when_a_database_is_given(bureau: Path) -> None:
    meta = {k: v for k, v in (PdfReader(io.BytesIO(_plain(bureau))).metadata or {}).items() if "Jixiao" not in k}
    key = _trusted_second_key(bureau)
    path = bureau / "bare.pdf"
    path.write_bytes(sign_pdf(_with_info(_plain(bureau), meta), key, PASSWORD))
    code, out = _verify_both(bureau, path)
    assert code == 2 and "没有 jixiao 的表单数据指纹" in out and "未能与数据库确认" in out and "通过：" not in out, out


def test_a_trusted_key_that_is_not_the_recorded_signer_does_not_pass(bureau: Path) -> None:
    key = _trusted_second_key(bureau)
    path = bureau / "other-signer.pdf"
    path.write_bytes(sign_pdf(_plain(bureau), key, PASSWORD))
    code, out = _verify_both(bureau, path)
    flat = "".join(out.split())
    assert code == 1 and "不通过" in out, out
    assert "不是数据库中的表单" in flat and "记录的签章证书" in flat, out
    assert "CN=财政局二处" in flat and "CN=财政局，" in flat, out  # both certificates, by name and fingerprint
    second = certificate_pem(key, PASSWORD)
    assert _short_sha256(second) in flat and _short_sha256((bureau / "bureau.pem").read_bytes()) in flat, out


def test_the_genuine_copy_names_its_certificate_of_record(bureau: Path) -> None:
    _trusted_second_key(bureau)
    code, out = _verify_both(bureau, _signed(bureau))
    flat = "".join(out.split())
    assert code == 0 and "签名证书即数据库记录的签章证书" in flat, out
    assert _short_sha256((bureau / "bureau.pem").read_bytes()) in flat, out


def _short_sha256(pem: bytes) -> str:
    from asn1crypto import pem as asn1_pem

    _, _, der = asn1_pem.unarmor(pem)
    return hashlib.sha256(der).hexdigest()[:16]


def test_an_annotation_added_after_signing_fails(bureau: Path) -> None:
    w = PdfWriter(io.BytesIO(_signed(bureau).read_bytes()), incremental=True)
    w.add_annotation(0, FreeText(text="得分 100", rect=(50, 50, 300, 120)))
    buf = io.BytesIO()
    w.write(buf)
    path = bureau / "annot.pdf"
    path.write_bytes(buf.getvalue())
    code, out = _verify(bureau, path)
    assert code == 1 and "已被修改" in out


def test_a_second_signature_with_its_own_appearance_fails(bureau: Path) -> None:
    """A second, visible signature by the attacker's key: its appearance could print anything over the page."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    from jixiao.pdf.sign import load_key

    writer = IncrementalPdfFileWriter(io.BytesIO(_signed(bureau).read_bytes()))
    spec = fields.SigFieldSpec(sig_field_name="复核签名", on_page=0, box=(50, 50, 400, 200))
    meta = signers.PdfSignatureMetadata(field_name="复核签名", md_algorithm="sha256")
    signer = signers.PdfSigner(meta, load_key(bureau / "attacker.p12", PASSWORD).signer, new_field_spec=spec)
    buf = io.BytesIO()
    signer.sign_pdf(writer, output=buf)
    path = bureau / "counter.pdf"
    path.write_bytes(buf.getvalue())
    code, out = _verify(bureau, path)
    assert code == 1 and "已被修改" in out, out


def test_page_content_replaced_by_an_incremental_update_fails(bureau: Path) -> None:
    """Hide-and-replace: the page's content stream is rewritten in an update after the signature."""
    from pypdf.generic import DecodedStreamObject, NameObject

    w = PdfWriter(io.BytesIO(_signed(bureau).read_bytes()), incremental=True)
    page = w.pages[0]
    stream = DecodedStreamObject()
    stream.set_data(b"BT /F1 12 Tf 100 700 Td (TOTAL 100) Tj ET")
    page[NameObject("/Contents")] = w._add_object(stream)
    buf = io.BytesIO()
    w.write(buf)
    path = bureau / "contents.pdf"
    path.write_bytes(buf.getvalue())
    code, out = _verify(bureau, path)
    assert code == 1 and "已被修改" in out


def _odd_key(bureau: Path, name: str, *, days: tuple[int, int] = (-1, 365), usage: str = "sign") -> Path:
    """A self-signed key with CN=``name``, valid from ``days[0]`` to ``days[1]`` days from now, and
    key usage for signing documents ("sign") or only for issuing certificates ("ca")."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    sign = usage == "sign"
    flags = dict.fromkeys(
        ("key_encipherment", "data_encipherment", "key_agreement", "encipher_only", "decipher_only"), False
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + timedelta(days=days[0]))
        .not_valid_after(now + timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=not sign, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=sign, content_commitment=sign, key_cert_sign=not sign, crl_sign=not sign, **flags
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    p12 = bureau / f"{name}.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name.encode(), key, cert, None, serialization.BestAvailableEncryption(PASSWORD.encode())
        )
    )
    (bureau / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return p12


@pytest.mark.parametrize(
    ("days", "usage", "why"),
    [((-400, -1), "sign", "不在有效期内"), ((1, 400), "sign", "不在有效期内"), ((-1, 365), "ca", "密钥用途")],
    ids=["expired", "not-yet-valid", "ca-key-usage-only"],
)
def test_a_trusted_but_unfit_certificate_does_not_pass(
    bureau: Path, monkeypatch: pytest.MonkeyPatch, days: tuple[int, int], usage: str, why: str
) -> None:
    """pyHanko trusts a signing certificate that is itself a --trust root without checking it.

    With the database the copy fails anyway (not the certificate of record); without one, the
    certificate's own checks leave it unconfirmed."""
    p12 = _odd_key(bureau, "过期", days=days, usage=usage)
    path = bureau / "unfit.pdf"
    path.write_bytes(sign_pdf(_plain(bureau), p12, PASSWORD))
    code, out, _ = run("verify", str(path), "--trust", str(bureau / "过期.pem"))
    assert code == 1 and why in out and "记录的签章证书" in "".join(out.split()), out
    monkeypatch.setenv("JIXIAO_DB", str(bureau / "none.db"))
    code, out, _ = run("verify", str(path), "--trust", str(bureau / "过期.pem"))
    assert code == 2 and why in out and "未确认" in out, out


def test_the_genuine_page_signed_by_a_key_with_the_signers_name_is_not_trusted(bureau: Path) -> None:
    path = bureau / "same-name.pdf"
    path.write_bytes(sign_pdf(_plain(bureau), bureau / "attacker.p12", PASSWORD))
    code, out = _verify(bureau, path)
    assert code == 1 and "不受信任" in out and "记录的签章证书" in "".join(out.split()), out


def test_a_page_without_extractable_text_does_not_skip_the_page_check(bureau: Path) -> None:
    """The genuine fingerprint on a page that shows only shapes (say, a scan of altered numbers):
    no page text to compare must not read as 页面内容与数据库一致."""
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    c.rect(100, 600, 200, 50, stroke=1, fill=1)  # stands in for an image of a forged table
    c.save()
    meta = dict(PdfReader(io.BytesIO(_plain(bureau))).metadata or {})
    path = bureau / "scan.pdf"
    path.write_bytes(sign_pdf(_with_info(buf.getvalue(), meta), _key_of_record(bureau), PASSWORD))
    code, out = _verify(bureau, path)
    assert code == 1 and "页面内容与数据库一致" not in out, out


def test_an_unknown_rule_set_does_not_skip_the_page_check(bureau: Path) -> None:
    """The genuine fingerprint, a painted-over total and a rule set jixiao cannot render: the pages
    cannot be compared, so the copy is not confirmed (it used to pass unchecked)."""
    from reportlab.pdfgen import canvas

    reader = PdfReader(io.BytesIO(_plain(bureau)))
    overlay = io.BytesIO()
    c = canvas.Canvas(overlay, pagesize=(595, 842))
    c.setFillColorRGB(1, 1, 1)
    c.rect(0, 0, 600, 200, stroke=0, fill=1)
    c.save()
    writer = PdfWriter()
    writer.append(reader)
    writer.pages[0].merge_page(PdfReader(io.BytesIO(overlay.getvalue())).pages[0])
    writer.add_metadata({**dict(reader.metadata or {}), "/JixiaoRules": "不存在的规则集"})
    forged = io.BytesIO()
    writer.write(forged)
    path = bureau / "unknown-rules.pdf"
    path.write_bytes(sign_pdf(forged.getvalue(), _key_of_record(bureau), PASSWORD))
    code, out = _verify(bureau, path)
    assert code == 2 and "未能比对" in out and "通过：" not in out, out
    assert "或页面无法比对" in out and "另一个数据库" not in out, out  # the 结论 names this cause too


def test_numbers_painted_over_and_redrawn_as_shapes_do_not_pass(bureau: Path) -> None:
    from reportlab.pdfgen import canvas

    reader = PdfReader(io.BytesIO(_plain(bureau)))
    overlay = io.BytesIO()
    c = canvas.Canvas(overlay, pagesize=(595, 842))
    c.setFillColorRGB(1, 1, 1)
    c.rect(0, 0, 600, 842, stroke=0, fill=1)  # the whole page white: the table's text is still there
    c.setFillColorRGB(0, 0, 0)
    c.rect(100, 700, 20, 60, stroke=0, fill=1)  # a "1" drawn as a bar, not as text
    c.save()
    writer = PdfWriter()
    writer.append(reader)
    writer.pages[0].merge_page(PdfReader(io.BytesIO(overlay.getvalue())).pages[0])
    writer.add_metadata(dict(reader.metadata or {}))
    forged = io.BytesIO()
    writer.write(forged)
    path = bureau / "shapes.pdf"
    path.write_bytes(sign_pdf(forged.getvalue(), _key_of_record(bureau), PASSWORD))
    code, out = _verify_both(bureau, path)
    assert code == 1 and "看到的内容" in out, out
