"""PAdES signatures with pyHanko: sign a rendered form, make a key to try it out.

The signature is visible: it fills the box ``layout.py`` reserved in the sign-off block
(its position is in the PDF's metadata, key /JixiaoSignatureBox). The appearance is a
small page drawn with reportlab in the form's Chinese font (signer, time, data
fingerprint), because pyHanko's own stamp text cannot set Chinese.

The key password never travels on a command line: ``key_password()`` reads the
environment variable ``JIXIAO_KEY_PASSWORD`` or asks (getpass).

pyHanko's synchronous API runs its own event loop and fails inside a running one (the
TUI): there, await ``sign_pdf_async``.
"""

from __future__ import annotations

import functools
import getpass
import io
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jixiao.files import os_reason
from jixiao.pdf import meta as M
from scorer.errors import JixiaoError

ENV_PASSWORD = "JIXIAO_KEY_PASSWORD"
REASON = "预算绩效自评表签章"


class SignError(JixiaoError, RuntimeError):
    """Signing or key handling that cannot be done; the message (Chinese) says why."""


# ------------------------------------------------------------------ passwords


def key_password(confirm: bool = False, prompt: str = "密钥密码：") -> str:
    """The key password from env JIXIAO_KEY_PASSWORD, else asked for (twice with ``confirm``)."""
    env = os.environ.get(ENV_PASSWORD)
    if env is not None:
        return env
    if not (sys.stdin is not None and sys.stdin.isatty()):
        raise SignError(f"需要密钥密码：请设置环境变量 {ENV_PASSWORD}，或在终端中运行以输入密码")
    try:
        first = getpass.getpass(prompt)
        if confirm:
            again = getpass.getpass("再输入一次：")
            if again != first:
                raise SignError("两次输入的密码不一致")
    except EOFError:
        raise SignError(f"需要密钥密码：请设置环境变量 {ENV_PASSWORD}，或在终端中运行以输入密码") from None
    return first


# ------------------------------------------------------------------ keys


def certificate_pem(p12_path: Path | str, password: str) -> bytes:
    """The certificate of a .p12 as PEM (to hand to whoever verifies with --trust)."""
    from cryptography.hazmat.primitives.serialization import Encoding

    _, cert, _ = _load_p12(Path(p12_path), password)
    return cert.public_bytes(Encoding.PEM)


def _load_p12(path: Path, password: str) -> tuple[Any, Any, list[Any]]:
    from cryptography.hazmat.primitives.serialization import pkcs12

    if not path.exists():
        raise SignError(f"密钥文件「{path}」不存在")
    if not path.is_file():
        raise SignError(f"密钥路径「{path}」不是文件")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SignError(f"无法读取密钥文件「{path}」：{os_reason(exc)}") from None
    try:
        key, cert, others = pkcs12.load_key_and_certificates(data, password.encode("utf-8") if password else None)
    except ValueError:
        raise SignError(f"无法打开密钥文件「{path}」：密码错误，或文件不是 PKCS#12（.p12/.pfx）格式") from None
    if key is None or cert is None:
        raise SignError(f"密钥文件「{path}」中没有私钥和证书")
    return key, cert, list(others or [])


def _common_name(cert: Any) -> str:
    from cryptography.x509.oid import NameOID

    attrs = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(attrs[0].value) if attrs else cert.subject.rfc4514_string()


@dataclass(frozen=True)
class SigningKey:
    """A loaded key and certificate, reusable for many signatures (``load_key``).

    Pickles as its DER material and is rebuilt on load, so a process pool's workers get a
    ready key without the password or a second PKCS#12 decryption (the bytes only travel
    over the pool's own pipe, and only when workers are spawned rather than forked).
    """

    signer: Any  # a pyHanko SimpleSigner
    name: str  # the certificate's CN
    path: Path
    # Bytes pyHanko reserves for the CMS container: estimating it costs a dry-run signature
    # (half the CMS work of every signing) and it depends only on the key, so it is kept.
    _reserved: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    def __reduce__(self) -> tuple[Any, ...]:
        from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

        key = self.signer.pyca_key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption())
        cert = self.signer.signing_cert.dump()
        others = tuple(c.dump() for c in self.signer.cert_registry)
        return (_rebuild_key, (key, cert, others, self.name, self.path))


@functools.cache
def _cached_signer_class() -> type:
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
    from pyhanko.sign import signers
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    class CachedKeySigner(signers.SimpleSigner):
        """pyHanko's SimpleSigner re-parses (and re-validates) the private key on every
        signature, ~60 ms for RSA; this one keeps the parsed key."""

        pyca_key: Any = None

        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mech = self.get_signature_mechanism_for_digest(digest_algorithm)
            try:
                name = mech.signature_algo
            except ValueError:
                name = mech["algorithm"].native
            key = self.pyca_key
            if name == "rsassa_pkcs1v15" and isinstance(key, RSAPrivateKey):
                return key.sign(data, PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
            if name == "ecdsa" and isinstance(key, EllipticCurvePrivateKey):
                return key.sign(data, ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
            return super().sign_raw(data, digest_algorithm)

    return CachedKeySigner


def load_key(p12_path: Path | str, password: str | None = None) -> SigningKey:
    """Open a .p12 once (``password=None``: env or prompt); SignError if missing or wrong password."""
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

    path = Path(p12_path)
    if not path.exists():  # before asking for a password
        raise SignError(f"密钥文件「{path}」不存在")
    key, cert, others = _load_p12(path, key_password() if password is None else password)
    return _signing_key(
        key,
        key.private_bytes(Encoding.DER, PrivateFormat.PKCS8, NoEncryption()),
        cert.public_bytes(Encoding.DER),
        tuple(c.public_bytes(Encoding.DER) for c in others),
        _common_name(cert),
        path,
    )


def _signing_key(
    pyca_key: Any, key_der: bytes, cert_der: bytes, others: tuple[bytes, ...], name: str, path: Path
) -> SigningKey:
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    store = SimpleCertificateStore()
    store.register_multiple([asn1_x509.Certificate.load(c) for c in others])
    signer = _cached_signer_class()(
        signing_cert=asn1_x509.Certificate.load(cert_der),
        signing_key=asn1_keys.PrivateKeyInfo.load(key_der),
        cert_registry=store,
    )
    signer.pyca_key = pyca_key
    return SigningKey(signer, name, path)


def _rebuild_key(key_der: bytes, cert_der: bytes, others: tuple[bytes, ...], name: str, path: Path) -> SigningKey:
    """Unpickle a ``SigningKey`` (see its ``__reduce__``)."""
    from cryptography.hazmat.primitives.serialization import load_der_private_key

    return _signing_key(load_der_private_key(key_der, None), key_der, cert_der, others, name, path)


# ------------------------------------------------------------------ appearance


def _appearance_pdf(width: float, height: float, signer: str, when: datetime, sha: str) -> bytes:
    """The visible signature: a small page in the form's font."""
    from reportlab.lib import colors
    from reportlab.pdfgen import canvas

    from jixiao.pdf.fonts import find_font

    font = find_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(width, height), invariant=1, pageCompression=1)
    c.setFillColor(colors.white)
    c.rect(0, 0, width, height, stroke=0, fill=1)
    c.setStrokeColor(colors.HexColor("#B00000"))
    c.setLineWidth(1.2)
    c.rect(1, 1, width - 2, height - 2, stroke=1, fill=0)
    c.setFillColor(colors.HexColor("#B00000"))
    size = 8.5
    lines = [
        (f"数字签名：{signer}", size + 1.5),
        (f"签名时间：{when.strftime('%Y-%m-%d %H:%M:%S %z')}", size),
        (f"数据 SHA-256：{sha[:24]}…" if sha else "数据 SHA-256：（无）", size - 1),
        ("PAdES 签名，可用 jixiao verify 或 PDF 阅读器验证", size - 1.5),
    ]
    lead = (height - 6) / len(lines)
    y = height - 3 - lead + (lead - size) / 2 + 1
    for text, fs in lines:
        c.setFont(font.name, fs)
        c.drawString(6, y, text)
        y -= lead
    c.showPage()
    c.save()
    return buf.getvalue()


def _stamp_style(pdf: bytes) -> Any:
    from pyhanko.pdf_utils import content
    from pyhanko.pdf_utils.layout import AxisAlignment, BoxConstraints, Margins, SimpleBoxLayoutRule
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.stamp import StaticStampStyle

    class _BytesPage(content.PdfContent):
        def render(self) -> bytes:
            w = self._ensure_writer
            xobj = w.import_page_as_xobject(PdfFileReader(io.BytesIO(pdf)), page_ix=0)
            self.resources.xobject["/JixiaoSig"] = xobj
            x1, y1, x2, y2 = xobj.get_object()["/BBox"]
            self.box = BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
            return b"/JixiaoSig Do"

    fit = SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MID, y_align=AxisAlignment.ALIGN_MID, margins=Margins())
    return StaticStampStyle(background=_BytesPage(), background_opacity=1.0, border_width=0, background_layout=fit)


# ------------------------------------------------------------------ signing


@dataclass(frozen=True)
class _Plan:
    pdf_signer: Any
    writer: Any
    key: SigningKey


def _md(plan: _Plan) -> str:
    return plan.pdf_signer.signature_meta.md_algorithm or "sha256"


async def _bytes_reserved(plan: _Plan) -> int:
    """pyHanko's own estimate of the CMS container size, made once per key.

    pyHanko would otherwise build a dry-run CMS for every signature. The same
    computation as ``PdfSigningSession.estimate_signature_container_size``: no
    timestamper and no revocation info here, so the size depends on the key alone.
    """
    md = _md(plan)
    cached = plan.key._reserved.get(md)
    if cached is not None:
        return cached
    from cryptography.hazmat.primitives import hashes
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    test = await plan.key.signer.async_sign(
        hashes.Hash(get_pyca_cryptography_hash(md)).finalize(),
        md,
        use_pades=True,
        dry_run=True,
        signed_attr_settings=PdfCMSSignedAttributes(signing_time=datetime.now(UTC)),
    )
    size = len(test.dump()) * 2  # hex in the PDF
    size += 2 * (size // 4)  # pyHanko's 50 % margin for a non-tight estimate
    plan.key._reserved[md] = size
    return size


def _writer(pdf: bytes) -> Any:
    """pyHanko's incremental writer, keeping a PDF/A's XMP (jixiao.pdf.pdfa) as written: pyHanko would
    replace it with one that no longer declares the conformance; other PDFs get its usual update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    class _Writer(IncrementalPdfFileWriter):
        def _update_meta(self) -> None:
            if "/Metadata" not in self.root:
                super()._update_meta()

    return _Writer(io.BytesIO(pdf), strict=False)


def _plan(
    pdf: bytes,
    signer: SigningKey,
    signer_name: str | None,
    box: tuple[int, float, float, float, float] | None,
) -> _Plan:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign import fields, signers

    try:
        writer = _writer(pdf)
        # The Info dictionary of the revision being signed, from the parse pyHanko has
        # just done (reading it again with pypdf cost ~1 ms a form).
        info = writer.prev.trailer_view.get("/Info")
        meta = M.meta_from_info(info.get_object() if info is not None else None)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise SignError(f"不是可读的 PDF：{exc}") from None
    except Exception as exc:  # pypdf raises its own error family
        raise SignError(f"不是可读的 PDF：{type(exc).__name__}：{exc}") from None
    acroform = writer.root.get("/AcroForm")
    acroform = acroform.get_object() if acroform is not None else {}
    fields_ = acroform.get("/Fields")
    for existing in fields_.get_object() if fields_ is not None else []:
        f = existing.get_object()
        if f.get("/T") == M.SIGNATURE_FIELD and f.get("/V") is not None:
            raise SignError("该 PDF 已经签名；要重新签名，请从表单重新生成未签名的 PDF")
    page_count = int(writer.root["/Pages"]["/Count"])
    if box is None:
        box = meta.signature_box
    if box is None:  # not a jixiao PDF: bottom right of the last page
        box = (page_count - 1, 560.0, 40.0, 800.0, 90.0)
    page, x1, y1, x2, y2 = box
    if not 0 <= page < page_count:
        raise SignError(f"签名位置在第 {page + 1} 页，但 PDF 只有 {page_count} 页")
    name = (signer_name or "").strip() or signer.name
    when = datetime.now().astimezone().replace(microsecond=0)
    appearance = _appearance_pdf(x2 - x1, y2 - y1, name, when, meta.form_sha256)
    sig_meta = signers.PdfSignatureMetadata(
        field_name=M.SIGNATURE_FIELD,
        name=name,
        reason=REASON,
        location=meta.form_key.split("/")[1] if meta.form_key.count("/") >= 2 else None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        certify=True,
        docmdp_permissions=fields.MDPPerm.FILL_FORMS,
    )
    spec = fields.SigFieldSpec(
        sig_field_name=M.SIGNATURE_FIELD,
        on_page=page,
        box=(round(x1), round(y1), round(x2), round(y2)),
    )
    pdf_signer = signers.PdfSigner(sig_meta, signer.signer, stamp_style=_stamp_style(appearance), new_field_spec=spec)
    return _Plan(pdf_signer, writer, signer)


def _key(key: SigningKey | Path | str, password: str | None) -> SigningKey:
    return key if isinstance(key, SigningKey) else load_key(key, password)


def sign_pdf(
    pdf: bytes,
    key: SigningKey | Path | str,
    password: str | None = None,
    signer_name: str | None = None,
    box: tuple[int, float, float, float, float] | None = None,
) -> bytes:
    """Sign ``pdf`` (PAdES, visible, certifying) with a .p12 path or a ``load_key`` result.

    ``password=None`` reads env JIXIAO_KEY_PASSWORD or asks (only for a path).

    ``box`` is (page index, x1, y1, x2, y2) in points; by default the box the layout reserved.
    Do not call inside a running event loop: use ``sign_pdf_async`` there.
    """
    import asyncio

    from pyhanko.sign.general import SigningError

    plan = _plan(pdf, _key(key, password), signer_name, box)
    try:
        reserved = plan.key._reserved.get(_md(plan)) or asyncio.run(_bytes_reserved(plan))
        out = plan.pdf_signer.sign_pdf(plan.writer, bytes_reserved=reserved)
    except SigningError as exc:
        raise SignError(f"签名失败：{exc}") from None
    except RuntimeError as exc:
        if "event loop" in str(exc):
            raise SignError("在运行中的事件循环里请改用 sign_pdf_async") from None
        raise
    return out.getvalue()


async def sign_pdf_async(
    pdf: bytes,
    key: SigningKey | Path | str,
    password: str | None = None,
    signer_name: str | None = None,
    box: tuple[int, float, float, float, float] | None = None,
) -> bytes:
    """``sign_pdf`` for code already inside an event loop (the TUI).

    Pass ``password`` explicitly there: a prompt cannot read the terminal under a TUI.
    """
    from pyhanko.sign.general import SigningError

    plan = _plan(pdf, _key(key, password), signer_name, box)
    try:
        out = await plan.pdf_signer.async_sign_pdf(plan.writer, bytes_reserved=await _bytes_reserved(plan))
    except SigningError as exc:
        raise SignError(f"签名失败：{exc}") from None
    return out.getvalue()
