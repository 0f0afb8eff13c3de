"""every text a role may write is bounded in the database too (PostgreSQL)

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-05

jixiao refuses a free text or a cell longer than 50,000 characters (``MAX_TEXT_CHARS``) and a tick
that is not one of its group's options, but the database held none of it: a filler with psql could
write a 500 MB 偏差分析 into their own draft, and every reviewer's review, editor and PDF of that form
would carry it, as could an audit comment or a monitoring import. Each text column a role may write
now has a CHECK: 50,000 characters for a form's texts and cells, a reviewer's 复核意见 and an
indicator's uid; 1,000,000 for an audit entry's texts (a change names a field's values, each within
the form's caps); 32 MB for a monitoring import (every row must fit one 64 MB line of a backup);
and each 勾选项 list holds only its group's options, at most one each. Rows written before keep
what they hold (the constraints are NOT VALID); any write of them from now on is held.
"""

from __future__ import annotations

from alembic import op

revision = "0039"
down_revision = "0038"
branch_labels = None
depends_on = None

MAX_TEXT = 50_000  # jixiao.storage.validate.MAX_TEXT_CHARS, frozen here
MAX_AUDIT = 1_000_000
MAX_MONITORING_BYTES = 32 * 1024 * 1024
#: scorer.model.TICK_GROUPS, frozen here
TICKS = {
    "ticks_category": ("部门预算项目", "区级专项", "上级转移支付项目"),
    "ticks_attribute": ("持续性项目", "新增性项目"),
    "ticks_project_type": ("常年性项目", "延续性项目", "一次性项目"),
}
TEXTS: dict[str, tuple[tuple[str, int], ...]] = {
    "forms": tuple((c, MAX_TEXT) for c in ("budget_score_reason", "deviation_analysis", "improvement_measures")),
    "goals": (("text", MAX_TEXT),),
    "indicators": tuple(
        (c, MAX_TEXT) for c in ("target", "actual", "adjusted_target", "deviation", "recorded_reason", "uid")
    ),
    "rechecks": (("opinion", MAX_TEXT),),
    "audit_log": tuple((c, MAX_AUDIT) for c in ("before", "after", "reason")),
}


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _checks(schema: str) -> list[tuple[str, str, str]]:
    """(table, constraint, condition) for every bound."""
    out = [
        (table, f"{table}_{col}_bounded", f'char_length("{col}") <= {limit}')
        for table, cols in TEXTS.items()
        for col, limit in cols
    ]
    out.append(("monitoring", "monitoring_data_bounded", f"octet_length(data::text) <= {MAX_MONITORING_BYTES}"))
    for col, options in TICKS.items():
        allowed = "ARRAY[" + ", ".join(f"'{o}'" for o in options) + "]"
        out.append(("forms", f"forms_{col}_options", f"{schema}.jixiao_ticks_ok({col}, {allowed})"))
    return out


def _ticks_function(s: str) -> str:
    """Whether a 勾选项 list is a JSON array of distinct options (a CHECK cannot hold a subquery)."""
    return f"""CREATE FUNCTION {s}.jixiao_ticks_ok(v json, options text[]) RETURNS boolean
        LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
        SELECT CASE WHEN json_typeof(v) = 'array' THEN
          (SELECT count(*) = count(DISTINCT e) AND coalesce(bool_and(e = ANY (options)), true)
             FROM json_array_elements_text(v) AS e)
        ELSE false END $$"""


def upgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(_ticks_function(s))
    for table, name, condition in _checks(s):
        op.execute(f"ALTER TABLE {s}.{table} ADD CONSTRAINT {name} CHECK ({condition}) NOT VALID")


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    for table, name, _ in _checks(s):
        op.execute(f"ALTER TABLE {s}.{table} DROP CONSTRAINT IF EXISTS {name}")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_ticks_ok(json, text[])")
