"""A signing time the signer states that local time cannot show.

The signing time is the signer's own signed attribute. 9999-12-31 23:59 UTC is past the last time a
clock east of UTC can show, so ``jixiao verify`` in China (UTC+8, where it is used) stopped with
「内部错误：OverflowError」 and exit 3 instead of a verdict. Now the time is shown in UTC.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyhanko")

from jixiao.pdf.sign import sign_pdf  # noqa: E402
from tests.test_attacks_sign import bureau as bureau  # noqa: E402, F401 - the fixture
from tests.test_pdf import PASSWORD, run  # noqa: E402


@pytest.fixture
def shanghai(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _signed_at(monkeypatch: pytest.MonkeyPatch, pdf: bytes, key: Path, when: datetime) -> bytes:
    import pyhanko.sign.signers.pdf_signer as pdf_signer

    original = pdf_signer.PdfSigningSession.__init__

    def at(self: Any, *args: Any, system_time: Any = None, **kwargs: Any) -> None:
        original(self, *args, system_time=when, **kwargs)

    monkeypatch.setattr(pdf_signer.PdfSigningSession, "__init__", at)
    try:
        return sign_pdf(pdf, key, PASSWORD)
    finally:
        monkeypatch.setattr(pdf_signer.PdfSigningSession, "__init__", original)


def test_a_signing_time_past_local_time_gets_a_verdict(
    bureau: Path, monkeypatch: pytest.MonkeyPatch, shanghai: None
) -> None:
    (plain,) = (bureau / "plain").glob("*.pdf")
    path = bureau / "late.pdf"
    path.write_bytes(
        _signed_at(monkeypatch, plain.read_bytes(), bureau / "attacker.p12", datetime(9999, 12, 31, 23, 59, tzinfo=UTC))
    )
    for trust in ([], ["--trust", str(bureau / "bureau.pem")]):
        code, out, err = run("verify", str(path), *trust)
        assert "内部错误" not in out + err and "Traceback" not in out + err, out + err
        assert code == 1 and "9999-12-31 23:59:00 +0000" in out, out  # another key than the database's
    monkeypatch.setenv("JIXIAO_DB", str(bureau / "no.db"))  # a named database that is not there
    code, out, err = run("verify", str(path))
    assert code == 2 and "内部错误" not in out + err, out + err
