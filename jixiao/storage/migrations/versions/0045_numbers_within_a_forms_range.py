"""a form's money, weights and recorded scores within jixiao's range, for every role (PostgreSQL)

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-05

jixiao stores such a number only when it is zero or between 10^-12 and 10^15
(``scorer.numbers.out_of_range``): the exact integer copies the review sums (millionths of 万元) must
fit Decimal's 28 digits. 0032 held NaN and ±Infinity, not a finite number out of that range: a filler
with psql wrote ``budget_planned = 1e23`` into their own draft, and ``jixiao list``, ``review`` and
``check --from-db`` stopped with InvalidOperation for the unit, its 主管部门's reviewers and the owner.
A negative weight also lowered the database's bound of the weight total (0023) below jixiao's. A
CHECK per column now holds each to jixiao's range, for every role and the owner. Rows that already
break it are kept (the constraint is then not validated, as in 0032); any write of them is held.
Derived columns (``computed_*``), which jixiao recomputes, are not held.
"""

from __future__ import annotations

from alembic import op

revision = "0045"
down_revision = "0044"
branch_labels = None
depends_on = None

#: each table and its columns that jixiao holds to ``out_of_range`` (frozen here)
COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "forms",
        (
            "budget_planned",
            "budget_executed",
            "budget_initial",
            "budget_weight",
            "budget_score",
            "budget_fiscal",
            "budget_carryover",
            "budget_other",
            "basic_expenditure",
            "project_expenditure",
            "total_recorded",
        ),
    ),
    ("goals", ("weight",)),
    ("indicators", ("weight", "recorded_score")),
)


def in_range(column: str) -> str:
    """scorer.numbers.out_of_range as SQL: zero, or from 10^-12 up to (not including) 10^15
    (NaN sorts above every number in PostgreSQL, so it is refused too)."""
    return f"{column} IS NULL OR {column} = 0 OR ({column} >= 1e-12 AND {column} < 1e15)"


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def upgrade() -> None:
    s = _schema()
    if s is None:
        return
    for table, columns in COLUMNS:
        for column in columns:
            name, check = f"{table}_{column}_jixiao_range", in_range(column)
            op.execute(f"ALTER TABLE {s}.{table} ADD CONSTRAINT {name} CHECK ({check}) NOT VALID")
            op.execute(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM {s}.{table} WHERE NOT ({check})) THEN "
                f"ALTER TABLE {s}.{table} VALIDATE CONSTRAINT {name}; END IF; END $$"
            )


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    for table, columns in COLUMNS:
        for column in columns:
            op.execute(f"ALTER TABLE {s}.{table} DROP CONSTRAINT IF EXISTS {table}_{column}_jixiao_range")
