"""Column types that keep numbers exact on every back end.

PostgreSQL stores Decimals as NUMERIC. SQLite would bind Numeric as a binary
float, so there the same column is TEXT holding the decimal's exact digits.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from scorer.errors import JixiaoError


class UnreadableValue(JixiaoError):
    """A stored value jixiao never writes (an SQLite file edited by another tool): said, not crashed on."""


E = TypeVar("E", bound=Enum)


def stored_choice(kind: type[E], value: Any, what: str) -> E:
    """A stored status, stage or kind as jixiao's value; one jixiao never writes is a clear error."""
    try:
        return kind(value)
    except ValueError:
        raise unreadable(what, value) from None


def unreadable(what: str, value: Any) -> UnreadableValue:
    shown = str(value)[:40].encode("unicode_escape").decode("ascii")
    return UnreadableValue(
        f"数据库中有 jixiao 无法读取的{what}「{shown}」：它不是 jixiao 写入的（在 jixiao 之外改动过数据库文件？）；"
        "请从备份恢复（jixiao db restore），或请数据库管理员更正"
    )


class ExactDecimal(TypeDecorator[Decimal]):
    """NUMERIC on PostgreSQL, exact decimal text on SQLite; always Decimal in Python."""

    impl = Numeric
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String())
        return dialect.type_descriptor(Numeric(asdecimal=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, Decimal):
            if isinstance(value, float):
                raise TypeError("ExactDecimal 不接受浮点数，请传入 Decimal")
            value = Decimal(value)
        if dialect.name == "sqlite":
            return f"{value:f}"
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, Decimal):
            return value
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise unreadable("数值", value) from None


def stored_json(text: str) -> Any:
    """A JSON column as stored (勾选项, monitoring data); text that is no JSON is a clear error."""
    import json

    try:
        return json.loads(text)
    except ValueError:
        raise unreadable("勾选项或监控数据", text) from None
