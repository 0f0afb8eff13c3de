"""a write that leaves a number's value keeps its stored digits (PostgreSQL)

Revision ID: 0046
Revises: 0045
Create Date: 2026-12-05

The triggers that hold a form past 草稿/退回 read-only (0004), log each change in ``row_changes`` and
raise the version (0021) compare rows as jsonb, where 37 and 37.000000 are one number; jixiao's form
fingerprint (``jixiao.pdf.canonical``, the 数据 SHA-256 a signed PDF carries and ``jixiao verify``
compares) writes each Decimal with its exact digits, where they are two. An admin or the owner with
psql multiplied a signed form's budget by 1.000000: nothing refused or logged it, the version stayed,
and every signed copy was then 不一致 for ``verify`` (「在签名后已被修改」), with no trace of who did
it. A trigger that fires before all others on ``forms``, ``goals`` and ``indicators`` now keeps a
number's stored digits when a write leaves its value, for every role and the owner, so what the
other triggers see as no change is none.
"""

from __future__ import annotations

from alembic import op

revision = "0046"
down_revision = "0045"
branch_labels = None
depends_on = None

#: each table and its numbers that are data (as 0045 holds them; the derived ones are recomputed)
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


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _function(s: str) -> str:
    return f"""
        CREATE FUNCTION {s}.jixiao_same_digits() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, {s}, pg_temp AS $$
        DECLARE
          o jsonb := to_jsonb(OLD); n jsonb := to_jsonb(NEW); kept jsonb := '{{}}'; c text;
        BEGIN
          -- TG_ARGV: the number columns; jsonb compares them by value, ->> gives their digits
          FOREACH c IN ARRAY TG_ARGV LOOP
            IF n -> c = o -> c AND n ->> c IS DISTINCT FROM o ->> c THEN
              kept := kept || jsonb_build_object(c, o -> c);
            END IF;
          END LOOP;
          IF kept <> '{{}}'::jsonb THEN
            NEW := jsonb_populate_record(NEW, kept);
          END IF;
          RETURN NEW;
        END $$"""


def upgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(_function(s))
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_same_digits() FROM PUBLIC")
    for table, columns in COLUMNS:
        names = ", ".join(f"'{c}'" for c in columns)
        # only when a number's digits changed (a rescore writes derived columns alone and pays nothing)
        when = " OR ".join(f"OLD.{c}::text IS DISTINCT FROM NEW.{c}::text" for c in columns)
        # "_0_s…" sorts before every other BEFORE UPDATE trigger of the table (forms_1_stamp, goals_guard …)
        op.execute(
            f"CREATE TRIGGER {table}_0_same_digits BEFORE UPDATE ON {s}.{table} FOR EACH ROW "
            f"WHEN ({when}) EXECUTE FUNCTION {s}.jixiao_same_digits({names})"
        )


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    for table, _ in COLUMNS:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_0_same_digits ON {s}.{table}")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_same_digits()")
