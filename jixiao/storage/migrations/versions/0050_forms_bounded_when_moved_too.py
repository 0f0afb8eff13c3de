"""a unit's forms stay bounded when a form is moved to another year or unit, and years are jixiao's (PostgreSQL)

Revision ID: 0050
Revises: 0049
Create Date: 2026-12-05

0047 bounded a unit's forms to 2,000 a year, counted when a form is inserted. A filler holds UPDATE on
``forms.year``: with psql they created the unit's 2,000 forms of 2024, moved them to 2025 with one
UPDATE, created 2,000 more, and so on without end; and any whole number was a year, so inserting alone
went on past every bound too (year 3000, 3001, …). The count now also runs when a form's year or unit
changes, for every role but the owner, and such a writer's form has a year jixiao itself takes from
any file, sheet, editor or command line (``scorer.model.FIRST_YEAR``–``LAST_YEAR``, 1990–2100, frozen
here). A form stored before keeps its year until it is moved.
"""

from __future__ import annotations

from alembic import op

from jixiao.storage.migrations.function_text import Rewrite, rewrite_functions

revision = "0050"
down_revision = "0049"
branch_labels = None
depends_on = None

FIRST_YEAR, LAST_YEAR = 1990, 2100  # frozen copies of scorer.model's: a later change is a new migration
CHECKS = (
    "IF TG_OP = 'UPDATE' AND (NEW.year, NEW.implementing_unit) IS NOT DISTINCT FROM (OLD.year, OLD.implementing_unit) "
    "THEN RETURN NEW; END IF; "
    f"IF NEW.year IS NULL OR NEW.year < {FIRST_YEAR} OR NEW.year > {LAST_YEAR} THEN "
    f"RAISE EXCEPTION 'jixiao: form % has the year %, not one from {FIRST_YEAR} to {LAST_YEAR}', "
    "NEW.project_name, NEW.year USING ERRCODE = 'check_violation'; END IF; "
)
COUNT = "SELECT count(*) INTO n FROM"
#: (function, text as 0047 left it, text now): each must be found, or the migration stops
REWRITES: tuple[Rewrite, ...] = (("jixiao_forms_quota", COUNT, CHECKS + COUNT),)


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
    rewrite_functions(REWRITES)
    op.execute(
        f"CREATE TRIGGER forms_quota_moved BEFORE UPDATE OF year, implementing_unit ON {s}.forms "
        f"FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_forms_quota()"
    )


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(f"DROP TRIGGER IF EXISTS forms_quota_moved ON {s}.forms")
    rewrite_functions(REWRITES, undo=True)
