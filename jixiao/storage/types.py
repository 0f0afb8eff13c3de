"""Column types that keep numbers exact on every back end.

PostgreSQL stores Decimals as NUMERIC. SQLite would bind Numeric as a binary
float, so there the same column is TEXT holding the decimal's exact digits.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


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
        return value if isinstance(value, Decimal) else Decimal(str(value))
