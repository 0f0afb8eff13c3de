"""The database's refusals reach a jixiao user in Chinese (jixiao/storage/db_messages.py).

The migrations raise in English; every message they raise must have its Chinese line, so a message
added by a later migration without one fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from jixiao.storage.db_messages import MESSAGES, in_chinese
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore
from jixiao.storage.validate import write_error
from tests.storage_backends import backend_engine

__all__ = ["backend_engine"]  # the fixture, used by name
VERSIONS = Path(__file__).resolve().parents[1] / "jixiao" / "storage" / "migrations" / "versions"
_RAISED = re.compile(r"RAISE EXCEPTION '([^']*)'|RAISE\(ABORT, '([^']*)'\)")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _raised() -> list[str]:
    """Every message a migration raises, each value (``%`` or a Python ``{name}``) as ``%``."""
    consts = {"APPEND_ONLY_MESSAGE": "audit_log is append-only", "TABLE": "%"}
    out = set()
    for path in sorted(VERSIONS.glob("0*.py")):
        source = re.sub(r'"\s*\n\s*"', "", path.read_text(encoding="utf-8"))  # a literal split over lines
        for m in _RAISED.finditer(source):
            msg = m.group(1) or m.group(2)
            msg = re.sub(r"\{(\w+)\}", lambda c: consts.get(c.group(1), "%"), msg)
            out.add(msg)
    return sorted(out)


def test_the_migrations_raise_what_this_test_reads() -> None:
    assert len(_raised()) >= 40


@pytest.mark.parametrize("message", _raised())
def test_every_message_a_migration_raises_is_said_in_chinese(message: str) -> None:
    example = message.replace("%", "7")
    said = in_chinese(example)
    assert _CJK.search(said), (message, said)
    if not _CJK.search(message):  # an English message: its own line, not passed through, nothing left in English
        assert said != example
        assert not re.search(r"[A-Za-z]{3,}", re.sub(r"jixiao db rescore|forms\.version", "", said)), said
        assert any(english.replace("%", "7") == example for english, _ in MESSAGES) or "is append-only" in message


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("jixiao: form 12 is signed, read-only", "表单 12 处于「已签章」状态，只读"),
        ("audit_log is append-only", "「修改记录」只能追加，已有的记录不能修改或删除"),
        (
            "jixiao: recheck score 11 of indicator 受益人数 (form 3) is not between 0 and its weight 10",
            "表单 3 指标「受益人数」的复核得分 11 不在 0 到其分值 10 之间",
        ),
        (
            'new row for relation "indicators" violates check constraint "indicators_deviation_bounded"',
            "超过数据库允许的长度",
        ),
        ("a message no migration raises", "a message no migration raises"),
    ],
)
def test_a_message_reads_with_its_values(line: str, said: str) -> None:
    assert said in in_chinese(line)


def test_a_refusal_by_a_trigger_reaches_the_user_in_chinese(backend_engine: Engine) -> None:
    """The audit log's append-only trigger, on either back end, as jixiao reports a failed write."""
    FormStore(backend_engine, actor="管理员").import_forms(sample_forms()[:1])
    with pytest.raises(DBAPIError) as caught, backend_engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET reason = '改写'"))
    message = str(write_error(caught.value, "无权限", "未能写入"))
    assert message == "未能写入：「修改记录」只能追加，已有的记录不能修改或删除", message
