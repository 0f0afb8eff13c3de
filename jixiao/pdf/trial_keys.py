"""A key to try signing with: a self-signed certificate and its RSA key in a password-protected .p12.

Real signing uses a certificate a CA issued; this one is for trying jixiao out (``jixiao keys new``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any


def _error(message: str) -> Exception:
    from jixiao.pdf.sign import SignError

    return SignError(message)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    path: Path
    subject: str  # CN
    issuer: str
    not_before: datetime
    not_after: datetime
    sha256: str  # certificate fingerprint


#: a trial certificate is valid for at most this many days (100 years; a date past 9999 cannot be written)
MAX_KEY_DAYS = 36_500


def key_days_problem(days: int) -> str:
    """Why ``days`` cannot be a certificate's validity ("" when it can)."""
    if 1 <= days <= MAX_KEY_DAYS:
        return ""
    return f"--days 应为 1 到 {MAX_KEY_DAYS} 之间的整数（证书有效期至多 100 年），实际为 {days}"


def new_key(name: str, out_p12: Path | str, password: str, days: int = 3 * 365) -> KeyInfo:
    """A self-signed certificate with CN=``name`` and its RSA key, as a password-protected .p12.

    For trying jixiao out; real signing uses a certificate issued by a CA.
    """
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12

    name = name.strip()
    if not name:
        raise _error("证书名称不能为空")
    if not password:
        raise _error("密钥密码不能为空")
    if key_days_problem(days):
        raise _error(key_days_problem(days))
    out = Path(out_p12)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = _self_signed(name, key, days)
    data = pkcs12.serialize_key_and_certificates(
        name=name.encode("utf-8"),
        key=key,
        cert=cert,
        cas=None,
        encryption_algorithm=serialization.BestAvailableEncryption(password.encode("utf-8")),
    )
    from jixiao.files import atomic_write

    atomic_write(out, data, private=True)  # the private key: its owner's alone
    return KeyInfo(
        path=out,
        subject=name,
        issuer=name,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        sha256=cert.fingerprint(hashes.SHA256()).hex(),
    )


def _self_signed(name: str, key: Any, days: int) -> Any:
    """A certificate for signing documents (non-repudiation), not for issuing others (ca=False)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC).replace(microsecond=0)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )


__all__ = ["MAX_KEY_DAYS", "KeyInfo", "key_days_problem", "new_key"]
