"""Metadata values that are the file maker's, not jixiao's: each gets a verdict, never 内部错误.

A copy whose /JixiaoRechecks was blank stopped ``jixiao verify`` with 「内部错误：IndexError」 and exit 3
(no verdict, and an exit status docs/signatures.md does not list), with or without the database and
whatever key signed it. Now the row says the value is not jixiao's format, and the database check
(which finds no 复核 state with that digest) fails the copy.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

pytest.importorskip("pyhanko")

from pypdf import PdfReader, PdfWriter  # noqa: E402

from jixiao.pdf.sign import sign_pdf  # noqa: E402
from tests.test_attacks_sign import bureau as bureau  # noqa: E402, F401 - the fixture
from tests.test_pdf import PASSWORD, run  # noqa: E402


def _plain(bureau: Path) -> bytes:
    (plain,) = (bureau / "plain").glob("*.pdf")
    return plain.read_bytes()


def _with_rechecks(bureau: Path, value: str) -> Path:
    reader = PdfReader(io.BytesIO(_plain(bureau)))
    writer = PdfWriter()
    writer.append(reader)
    writer.add_metadata({**dict(reader.metadata or {}), "/JixiaoRechecks": value})
    buf = io.BytesIO()
    writer.write(buf)
    path = bureau / "rechecks.pdf"
    path.write_bytes(sign_pdf(buf.getvalue(), bureau / "bureau.p12", PASSWORD))
    return path


def _run(bureau: Path, path: Path, trust: bool) -> tuple[int, str]:
    code, out, err = run("verify", str(path), *(["--trust", str(bureau / "bureau.pem")] if trust else []))
    assert "内部错误" not in out + err and "Traceback" not in out + err, out + err
    return code, "".join(out.split())


@pytest.mark.parametrize("value", [" ", "\n\t", "x", "1 abc"])
def test_a_malformed_rechecks_value_gets_a_verdict(bureau: Path, value: str, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _with_rechecks(bureau, value)
    code, out = _run(bureau, path, trust=True)  # the database holds the form: its 复核 never had that digest
    assert code == 1 and "无法识别" in out and "复核记录" in out, out
    assert _run(bureau, path, trust=False)[0] == 1
    monkeypatch.delenv("JIXIAO_DB")  # no database anywhere: nothing to compare, the signature itself is intact
    monkeypatch.setenv("XDG_DATA_HOME", str(bureau / "no-data"))
    code, out = _run(bureau, path, trust=False)
    assert code == 2 and "无法识别" in out, out
