"""A database named for ``jixiao verify`` that is not there confirms nothing.

``jixiao --db typo.db verify`` (or ``JIXIAO_DB`` set to a missing file) said 「数据库中未找到（没有可用的
数据库）」 and 通过 (exit 0): a copy signed with a trusted key for a form the database never had passed
because a path was mistyped, while an unreachable PostgreSQL left the same copy 未确认. Now a named
database that is absent leaves the copy 未确认 (exit 2); with no database anywhere (the default file
absent) nothing is compared, as before.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("pyhanko")

from tests.test_attacks_sign import _signed  # noqa: E402
from tests.test_attacks_sign import bureau as bureau  # noqa: E402, F401 - the fixture
from tests.test_pdf import run  # noqa: E402


def _verify(bureau: Path, *before: str) -> tuple[int, str]:
    code, out, err = run(*before, "verify", str(_signed(bureau)), "--trust", str(bureau / "bureau.pem"))
    assert "Traceback" not in out + err and "内部错误" not in out + err
    return code, "".join(out.split())


def test_a_named_database_that_is_not_there_leaves_the_copy_unconfirmed(
    bureau: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _verify(bureau)[0] == 0  # the fixture's database holds the form
    code, out = _verify(bureau, "--db", str(bureau / "typo.db"))
    assert code == 2 and "指定的数据库文件" in out and "不存在" in out and "未确认" in out, out
    assert not (bureau / "typo.db").exists()  # never created to look a form up
    monkeypatch.setenv("JIXIAO_DB", str(bureau / "typo.db"))
    code, out = _verify(bureau)
    assert code == 2 and "指定的数据库文件" in out, out


def test_no_database_at_all_compares_nothing(bureau: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JIXIAO_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(bureau / "no-data"))
    code, out = _verify(bureau)
    assert code == 0 and "没有可用的数据库" in out, out
