"""Verify a signed form PDF: intact or modified, who signed and when, trusted or not.

"Intact" is strict: the signed bytes hash to the signed digest, the signature is
cryptographically valid, and nothing that changes the document was appended after the
signature. pyHanko's difference analysis decides the last point; only updates that add
validation data or timestamps (LTA updates) are accepted. A flipped byte anywhere in the
signed range, or an incremental update that alters a page, an annotation or the form,
reports the signature as modified.

The form fingerprint (/JixiaoFormSHA256) is read from the *signed revision* of the file,
so an update appended after signing cannot change what the signature vouches for.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from jixiao.files import os_reason
from jixiao.pdf import meta as M
from scorer.errors import JixiaoError

# pyHanko logs every untrusted certificate with a traceback; the report says it instead.
for _name in ("pyhanko", "pyhanko_certvalidator"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


class VerifyError(JixiaoError, RuntimeError):
    """A trust certificate that cannot be read; the message (Chinese) says why."""


MODIFICATION_LABELS = {
    "NONE": "无",
    "LTA_UPDATES": "仅追加验证数据或时间戳",
    "FORM_FILLING": "填写表单域",
    "ANNOTATIONS": "添加或修改批注",
    "OTHER": "修改了文档内容",
}


@dataclass(frozen=True, slots=True)
class SignatureReport:
    field: str
    signer: str  # the certificate's CN
    name: str  # /Name of the signature dictionary, when given
    issuer: str
    signing_time: datetime | None
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the cryptographic signature checks out
    trusted: bool  # the certificate chains to a trusted root
    coverage: str  # pyHanko SignatureCoverageLevel name
    modification: str  # pyHanko ModificationLevel name ('' when unknown)
    docmdp_ok: bool | None
    certificate_sha256: str
    problems: tuple[str, ...] = ()

    @property
    def modified(self) -> bool:
        if not (self.intact and self.valid) or self.docmdp_ok is False:
            return True
        if self.coverage == "ENTIRE_FILE":
            return False
        return self.modification not in ("NONE", "LTA_UPDATES")


@dataclass(frozen=True, slots=True)
class VerifyReport:
    signatures: tuple[SignatureReport, ...] = ()
    meta: M.PdfMeta = field(default_factory=M.PdfMeta)
    error: str = ""  # the file could not be read or its signature not parsed
    metadata_changed: bool = False  # the Info dictionary differs between the signed revision and the file
    signed_text: str = ""  # what the pages of the signed revision show (white space removed)
    attachments: tuple[Any, ...] = ()  # the files embedded in the signed revision (attachments.Embedded)
    attachments_changed: bool = False  # the file's embedded files differ from the signed revision's
    signed_revision: bytes = b""  # the bytes the first signature covers (its pages are compared as pixels)
    unparsed_tail: bool = False  # bytes after the signed revision that are no update pyHanko analysed

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    @property
    def intact(self) -> bool:
        return not self.error and self.signed and not self.modified

    @property
    def modified(self) -> bool:
        changed = self.metadata_changed or self.attachments_changed or self.unparsed_tail
        return bool(self.error) or changed or any(s.modified for s in self.signatures)

    @property
    def trusted(self) -> bool:
        return self.signed and all(s.trusted for s in self.signatures)

    @property
    def status_label(self) -> str:
        if self.error:
            return "无效"
        if not self.signed:
            return "未签名"
        return "已被修改" if self.modified else "完整"


def load_certificates(paths: Iterable[Path | str]) -> list[Any]:
    """asn1crypto certificates from PEM or DER files (each may hold several PEM blocks)."""
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    out = []
    for p in paths:
        path = Path(p)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise VerifyError(f"信任证书文件「{path}」不存在") from None
        except OSError as exc:
            raise VerifyError(f"无法读取信任证书文件「{path}」：{os_reason(exc)}") from None
        try:
            if pem.detect(data):
                blocks = [der for kind, _, der in pem.unarmor(data, multiple=True) if kind == "CERTIFICATE"]
                if not blocks:
                    raise ValueError("没有 CERTIFICATE 块")
            else:
                blocks = [data]
            for der in blocks:
                cert = asn1_x509.Certificate.load(der)
                cert.native  # noqa: B018 - forces a full parse, so garbage fails here
                out.append(cert)
        except Exception:
            hint = (
                "（这是签名用的密钥文件；请用与它一同生成的 .pem 证书）"
                if path.suffix.lower() in (".p12", ".pfx")
                else ""
            )
            raise VerifyError(f"信任证书文件「{path}」不是 PEM/DER 格式的 X.509 证书{hint}") from None
    return out


def _cn(name: Any) -> str:
    try:
        native = name.native
        return str(native.get("common_name") or name.human_friendly)
    except Exception:
        return ""


def _signed_revision_meta(pdf: bytes, byte_range: Sequence[int]) -> M.PdfMeta:
    try:
        end = int(byte_range[2]) + int(byte_range[3])
        return M.read_meta(pdf[:end])
    except Exception:
        return M.PdfMeta()


def _attr(obj: Any, get: Any, default: Any = "") -> Any:
    """A value read from a possibly damaged signature object, or ``default``."""
    try:
        return get(obj)
    except Exception:
        return default


async def _check(sig: Any, context_factory: Any, pdf: bytes) -> tuple[SignatureReport, M.PdfMeta]:
    from pyhanko.sign.validation import async_validate_pdf_signature

    cert = _attr(sig, lambda s: s.signer_cert, None)
    try:
        status = await async_validate_pdf_signature(sig, signer_validation_context=context_factory())
        status.signing_cert.sha256  # noqa: B018 - a damaged certificate fails here, inside the guard
    except Exception:  # a broken signature container, a digest it cannot compute …
        report = SignatureReport(
            field=_attr(sig, lambda s: s.field_name),
            signer=_attr(cert, lambda c: _cn(c.subject)),
            name=_attr(sig, lambda s: str(s.sig_object.get("/Name", ""))),
            issuer=_attr(cert, lambda c: _cn(c.issuer)),
            signing_time=None,
            intact=False,
            valid=False,
            trusted=False,
            coverage="",
            modification="",
            docmdp_ok=None,
            certificate_sha256=_attr(cert, lambda c: c.sha256.hex()),
            problems=("签名数据已损坏，无法验证（签名块被改动或截断）",),
        )
        return report, _signed_revision_meta(pdf, _attr(sig, lambda s: s.byte_range, ()))
    coverage = status.coverage.name if status.coverage is not None else ""
    modification = status.modification_level.name if status.modification_level is not None else ""
    unfit = _anchor_problems(status) if status.trusted else []
    problems = unfit + _status_problems(status, coverage, modification)
    report = SignatureReport(
        field=sig.field_name,
        signer=_cn(status.signing_cert.subject),
        name=str(sig.sig_object.get("/Name", "")),
        issuer=_cn(status.signing_cert.issuer),
        signing_time=status.signer_reported_dt,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted) and not unfit,
        coverage=coverage,
        modification=modification,
        docmdp_ok=status.docmdp_ok,
        certificate_sha256=status.signing_cert.sha256.hex(),
        problems=tuple(problems),
    )
    return report, _signed_revision_meta(pdf, sig.byte_range)


def _anchor_problems(status: Any) -> list[str]:
    """Why a signing certificate that is itself a ``--trust`` root may not vouch for the signature.

    pyHanko trusts such a certificate unconditionally: it checks neither its validity period nor
    its key usage (a certificate that chains to a root gets both checks). A self-signed key made
    by ``jixiao keys new`` and given as ``--trust`` is exactly that case, so the same checks are
    made here: valid now and at the signing time it states, and usable for signing documents.
    """
    from datetime import UTC
    from datetime import datetime as dt

    if _attr(status, lambda s: s.validation_path.pkix_len, 1) != 0:
        return []
    cert = status.signing_cert
    problems = []
    start, end = cert.not_valid_before, cert.not_valid_after
    for when in (dt.now(UTC), status.signer_reported_dt):
        if when is not None and not start <= when <= end:
            span = f"{start:%Y-%m-%d %H:%M} 至 {end:%Y-%m-%d %H:%M}（UTC）"
            problems.append(
                f"证书不受信任：证书在{'签名时' if when is status.signer_reported_dt else '现在'}不在有效期内（有效期 {span}）"
            )
    try:
        type(status).default_usage_constraints().validate(cert)
    except Exception as exc:
        problems.append(f"证书不受信任：证书的密钥用途不允许签署文件（{str(exc)[:120]}）")
    return problems


def _status_problems(status: Any, coverage: str, modification: str) -> list[str]:
    """What pyHanko's verdict means for the reader, worst first; empty for an intact, trusted signature."""
    problems: list[str] = []
    if not status.intact:
        problems.append("签名范围内的字节已被改动")
    elif not status.valid:
        problems.append("签名值与证书不符")
    if status.docmdp_ok is False:
        problems.append("签名后的修改超出了签名允许的范围（DocMDP）")
    if coverage != "ENTIRE_FILE" and modification not in ("NONE", "LTA_UPDATES", ""):
        problems.append(f"签名后追加了修改：{MODIFICATION_LABELS.get(modification, modification)}")
    if not status.trusted and status.intact and status.valid:  # a broken signature establishes no chain at all
        why = _attr(status, lambda st: st.trust_problem_indic.name if st.trust_problem_indic else "", "")
        problems.append(
            "证书不受信任：签名证书不通向 --trust 给出的任何根证书"
            + (
                f"（颁发者 {_cn(status.signing_cert.issuer)}；{why}）"
                if why
                else f"（颁发者 {_cn(status.signing_cert.issuer)}）"
            )
        )
    return problems


def unreadable(exc: BaseException) -> str:
    """Why the file could not be read as a PDF, in Chinese (the PDF library's own text is English)."""
    text = str(exc).lower()
    if "header" in text:
        why = "文件开头不是 PDF 文件头，不是 PDF 文件"
    elif "eof marker" in text or "truncat" in text:
        why = "文件不完整（可能在复制或下载时被截断）"
    elif "insufficient data" in text or "asn1" in text or "parsing" in text:
        why = "签名数据已损坏（签名块被改动或截断）"
    else:
        why = "文件已损坏，或不是有效的 PDF"
    return f"无法读取 PDF 或其签名：{why}"


async def verify_pdf_async(pdf: bytes, trust: Sequence[Any] = ()) -> VerifyReport:
    """``verify_pdf`` for code inside a running event loop (the TUI)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko_certvalidator import ValidationContext

    roots = list(trust)

    def context() -> Any:
        # Explicit roots only: never the operating system's TLS list.
        return ValidationContext(trust_roots=roots, allow_fetching=False)

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        sigs = list(reader.embedded_regular_signatures)
        sigs.sort(key=lambda s: _attr(s, lambda x: int(x.byte_range[3]) + int(x.byte_range[2]), 0))
    except Exception as exc:
        meta = _safe_meta(pdf)
        return VerifyReport(meta=meta, error=unreadable(exc))
    if not sigs:
        return VerifyReport(meta=_safe_meta(pdf))
    reports = []
    first_meta: M.PdfMeta | None = None
    for sig in sigs:
        report, meta = await _check(sig, context, pdf)
        reports.append(report)
        first_meta = first_meta or meta
    signed_meta = first_meta or M.PdfMeta()
    revision = _signed_revision(pdf, sigs[0])
    # /Title, /Author … and jixiao's keys, and the XMP packet that repeats them (pyHanko lets both change)
    changed = M.read_info(revision) != M.read_info(pdf) or M.read_xmp(revision) != M.read_xmp(pdf)
    try:
        text = M.page_text(revision)
    except Exception:
        text = ""
    signed_files, now_files = _files(revision), _files(pdf)
    return VerifyReport(
        signatures=tuple(reports),
        meta=signed_meta,
        metadata_changed=changed,
        signed_text=text,
        attachments=tuple(signed_files or ()),
        attachments_changed=signed_files != now_files,
        signed_revision=revision,
        unparsed_tail=_unparsed_tail(pdf, reader, sigs[0], len(revision)),
    )


_WHITE = b" \t\r\n\f\x00"


def _unparsed_tail(pdf: bytes, reader: Any, sig: Any, signed_end: int) -> bool:
    """Whether the bytes after the signed revision hold more than the updates pyHanko analysed.

    pyHanko reads a file from its last ``%%EOF`` (searched in the last 1024 bytes): an update appended
    without one (or objects appended without any cross-reference section) is never read by it, so its
    difference analysis finds nothing, while a reader that starts from the last ``startxref`` (poppler:
    Evince, Okular, pdftotext) shows that update's pages. So after the signed revision there must be
    exactly one ``%%EOF`` for each later revision pyHanko parsed, and only white space after the last.
    """
    try:
        later = int(reader.xrefs.total_revisions) - 1 - int(sig.signed_revision)
    except Exception:
        return True
    tail = pdf[signed_end:]
    last = tail.rfind(b"%%EOF")
    rest = tail[last + 5 :] if last >= 0 else tail
    return tail.count(b"%%EOF") != later or rest.strip(_WHITE) != b""


def _files(pdf: bytes) -> list[Any] | None:
    """The embedded files, or None when they cannot be read (then they count as changed)."""
    from jixiao.pdf.attachments import embedded

    try:
        return embedded(pdf)
    except Exception:
        return None


def _signed_revision(pdf: bytes, sig: Any) -> bytes:
    """The bytes the first signature covers (the file as it was signed)."""
    try:
        byte_range = sig.byte_range
        return pdf[: int(byte_range[2]) + int(byte_range[3])]
    except Exception:
        return pdf


def _safe_meta(pdf: bytes) -> M.PdfMeta:
    try:
        return M.read_meta(pdf)
    except Exception:
        return M.PdfMeta()


def verify_pdf(pdf: bytes, trust: Sequence[Any] = ()) -> VerifyReport:
    """Check every signature of ``pdf``; ``trust`` holds asn1crypto certificates (``load_certificates``).

    Do not call inside a running event loop: use ``verify_pdf_async`` there.
    """
    import asyncio

    return asyncio.run(verify_pdf_async(pdf, trust))
