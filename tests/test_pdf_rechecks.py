"""The reviewer's 复核 on the PDF (issue 19): printed after the sign-off with the three numbers,
under the signature, and `jixiao verify` holding the signed copy to the 复核 as they stood then."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest

pytest.importorskip("pyhanko")

from jixiao.pdf.meta import read_meta  # noqa: E402
from tests.conftest import NINETY_FOUR  # noqa: E402
from tests.test_pdf import PASSWORD, run  # noqa: E402
from tests.tools import approved_94  # noqa: E402

FORM = "老干工作经费"


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _store(tmp_path: Path):  # type: ignore[no-untyped-def]
    from jixiao.storage.database import make_engine
    from jixiao.storage.store import FormStore

    return FormStore(make_engine(f"sqlite:///{tmp_path / 't.db'}"), actor="财政局审核人")


@pytest.fixture
def bureau(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The 94 form approved, two of its rows re-checked, signed with the 复核 on it."""
    from jixiao.storage import rechecks

    approved_94(monkeypatch, tmp_path)
    store = _store(tmp_path)
    fid = store.find(FORM).id
    rechecks.record(store, fid, "离退休人员春节重阳慰问", Decimal("18"), "慰问名单有重复，扣 2 分")
    rechecks.record(store, fid, "老干工作经费", Decimal("8.5"), "执行超预算")
    code, _, err = run("pdf", FORM, "-o", str(tmp_path / "signed"), "--sign", str(tmp_path / "bureau.p12"))
    assert code == 0, err
    return tmp_path


def _signed(bureau: Path) -> Path:
    (path,) = (bureau / "signed").glob("*.pdf")
    return path


def test_the_recheck_table_is_printed_with_its_three_numbers(bureau: Path) -> None:
    pdf = _signed(bureau).read_bytes()
    text = _text(pdf)
    assert "财政复核记录" in text
    for cell in (
        "离退休人员春节重阳慰问",
        "慰问名单有重复，扣2分",
        "18.00",
        "老干工作经费",
        "8.50",
        "执行超预算",
        "财政局审核人",
    ):
        assert cell in text
    assert read_meta(pdf).rechecks.startswith("2 ")
    code, out, _ = run("verify", str(_signed(bureau)), "--trust", str(bureau / "bureau.pem"))
    assert code == 0 and "复核记录" in out and "2 条" in out and "一致" in out


def test_a_recheck_after_signing_leaves_the_signed_copy_valid(bureau: Path) -> None:
    from jixiao.storage import rechecks

    store = _store(bureau)
    rechecks.record(store, store.find(FORM).id, "老干工作经费", Decimal("7"), "再次复核：另有超支")
    code, out, _ = run("verify", str(_signed(bureau)), "--trust", str(bureau / "bureau.pem"))
    assert code == 0 and "一致" in out


def test_a_copy_whose_rechecks_were_never_in_the_database_does_not_agree(bureau: Path, tmp_path: Path) -> None:
    """A re-rendered copy with an invented 复核, signed by the same key: the database never held it."""
    from jixiao.pdf.layout import render_pdf
    from jixiao.pdf.sign import load_key, sign_pdf
    from jixiao.scoring import score_form
    from jixiao.storage.rechecks import Recheck
    from scorer.rules import rules_for

    store = _store(bureau)
    sf = store.find(FORM)
    result = score_form(sf.form, rules_for(sf.form))
    uid = result.indicators[0].indicator.uid
    forged = {uid: Recheck(uid, "x", Decimal("20"), "复核无问题", "财政局审核人", None)}
    key = load_key(bureau / "bureau.p12", PASSWORD)
    path = tmp_path / "forged.pdf"
    path.write_bytes(sign_pdf(render_pdf(result, rechecks=forged), key))
    code, out, _ = run("verify", str(path), "--trust", str(bureau / "bureau.pem"))
    assert code != 0 and "复核记录与" in out


def test_a_form_without_rechecks_renders_as_before() -> None:
    from jixiao.pdf.layout import render_pdf
    from jixiao.scoring import score_form
    from scorer.formfile import load_form
    from scorer.rules import rules_for

    form = load_form(NINETY_FOUR)
    result = score_form(form, rules_for(form))
    plain = render_pdf(result)
    assert render_pdf(result, rechecks={}) == plain
    from jixiao.storage.rechecks import Recheck

    gone = Recheck("no-such-row", "已删的行", Decimal(1), "名单有重复", "审核人", None)  # a row since removed: shown
    assert "已删的行（该行已不在表单中）" in _text(render_pdf(result, rechecks={"no-such-row": gone}))
    assert "财政复核记录" not in _text(plain) and read_meta(plain).rechecks == ""
