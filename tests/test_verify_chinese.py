"""What ``jixiao verify`` says of a file it cannot read, or of a trust file that is no certificate, is
Chinese: never the PDF or ASN.1 library's English (``PdfReadError：Illegal PDF header``,
``Insufficient data - 78 bytes``), and no library's warning on stderr."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_attacks_sign import _contents_span, _signed, bureau  # noqa: F401 - the fixture
from tests.test_pdf import run

#: words a Chinese message may hold: names of formats and tools
_ALLOWED = {"PDF", "PEM", "DER", "PKCS", "pem", "p12", "pfx", "SHA", "jixiao", "verify", "trust"}


def _english(text: str) -> list[str]:
    """The English words in the lines that say why (原因, 问题, 错误)."""
    said = [line for line in text.splitlines() if re.match(r"\s*(原因|问题|错误)", line)]
    assert said, text
    unquoted = re.sub(r"「[^」]*」", "", "\n".join(said))  # the file's own path
    return [w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", unquoted) if w not in _ALLOWED]


def test_a_file_that_is_no_pdf_is_said_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("会议纪要", encoding="utf-8")
    code, out, err = run("verify", str(path))
    assert code == 1
    assert not _english(out + err), out + err
    assert "不是 PDF 文件" in out


def test_a_truncated_pdf_is_said_in_chinese(bureau: Path) -> None:  # noqa: F811
    path = bureau / "cut.pdf"
    path.write_bytes(_signed(bureau).read_bytes()[:3000])
    code, out, err = run("verify", str(path))
    assert code == 1
    assert not _english(out + err), out + err
    assert "不完整" in out


def test_a_damaged_signature_block_is_said_in_chinese(bureau: Path) -> None:  # noqa: F811
    data = _signed(bureau).read_bytes()
    start, _ = _contents_span(data)
    path = bureau / "damaged.pdf"
    path.write_bytes(data[:start] + b"00" + data[start + 2 :])  # the container's first tag
    code, out, err = run("verify", str(path), "--trust", str(bureau / "bureau.pem"))
    assert code == 1
    assert not _english(out + err), out + err
    assert "签名数据已损坏" in out


@pytest.mark.parametrize("name", ["key.p12", "empty.pem"])
def test_a_trust_file_that_is_no_certificate_is_said_in_chinese(bureau: Path, name: str) -> None:  # noqa: F811
    trust = bureau / "bureau.p12" if name == "key.p12" else bureau / name
    if name == "empty.pem":
        trust.write_bytes(b"")
    code, out, err = run("verify", str(_signed(bureau)), "--trust", str(trust))
    assert code == 1
    assert not _english(out + err), out + err
    assert "不是 PEM/DER 格式的 X.509 证书" in err
    if name == "key.p12":
        assert ".pem 证书" in err


def test_no_library_warning_reaches_the_user(tmp_path: Path) -> None:
    """pyHanko imports DSA, which the cryptography package marks deprecated with an English warning."""
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "plain.pdf"
    c = canvas.Canvas(str(pdf))
    c.drawString(10, 10, "x")
    c.save()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    env["JIXIAO_DB"] = str(tmp_path / "t.db")
    done = subprocess.run(
        [sys.executable, "-m", "jixiao", "verify", str(pdf)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 1  # unsigned: not passed
    assert "未签名" in done.stdout
    assert "Warning" not in done.stderr and "deprecated" not in done.stderr, done.stderr


def test_a_page_changed_after_signing_is_not_also_called_untrusted(bureau: Path) -> None:  # noqa: F811
    """A byte changed in the signed range broke the signature, and verify --trust with the signer's own
    certificate also said 「证书不受信任：签名证书不通向 --trust 给出的任何根证书」: pyHanko builds no chain for
    a broken signature, so whether the certificate is trusted is not known, and is said so."""
    data = bytearray(_signed(bureau).read_bytes())
    start, _ = _contents_span(bytes(data))
    at = data.index(b"stream", 0, start) + 60  # a page's content, inside the signed range
    data[at] ^= 0x01
    path = bureau / "changed.pdf"
    path.write_bytes(bytes(data))
    code, out, err = run("verify", str(path), "--trust", str(bureau / "bureau.pem"))
    assert code == 1 and "签名范围内的字节已被改动" in out, out + err
    assert "不通向" not in out and "未判断（签名无效，无从确认证书）" in out, out
    code, out, _ = run("verify", str(_signed(bureau)), "--trust", str(bureau / "bureau.pem"))
    assert re.search(r"^证书\s+(\S+)", out, re.M).group(1) == "受信任", out  # type: ignore[union-attr]
