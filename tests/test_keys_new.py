"""``jixiao keys new --days N``: a validity no certificate can hold is refused in Chinese, exit 1,
before the password is asked for and with no file written (it was 内部错误：OverflowError)."""

from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.pdf.sign import SignError
from jixiao.pdf.trial_keys import MAX_KEY_DAYS, new_key
from tests.test_pdf import PASSWORD, run


@pytest.mark.parametrize("days", ["999999999", "3000000", str(MAX_KEY_DAYS + 1), "0", "-5"])
def test_an_impossible_validity_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, days: str) -> None:
    monkeypatch.setenv("JIXIAO_KEY_PASSWORD", PASSWORD)
    code, _, err = run("keys", "new", "--name", "张三", "-o", str(tmp_path / "k.p12"), "--days", days)
    assert code == 1, err
    assert "内部错误" not in err and "--days 应为 1 到" in err, err
    assert list(tmp_path.iterdir()) == []


def test_the_longest_validity_is_made(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JIXIAO_KEY_PASSWORD", PASSWORD)
    code, out, err = run("keys", "new", "--name", "张三", "-o", str(tmp_path / "k.p12"), "--days", str(MAX_KEY_DAYS))
    assert code == 0, err
    assert (tmp_path / "k.p12").exists() and "有效期至" in out


def test_the_library_refuses_it_too(tmp_path: Path) -> None:
    with pytest.raises(SignError, match="--days"):
        new_key("张三", tmp_path / "k.p12", PASSWORD, days=10**9)
