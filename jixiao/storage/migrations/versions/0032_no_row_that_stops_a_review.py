"""no form row that stops every reader: a known status and kind, finite amounts (PostgreSQL)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-05

jixiao reads every form a login sees to list and review them, and a value it cannot read stopped the
whole listing, for the unit, its 主管部门's reviewers and the owner alike. A filler with psql could
write such a value into their own draft: a form kind other than 项目/部门整体 (``form_kind``), or NaN
or ±Infinity (PostgreSQL's numeric takes both) in an amount, a weight or a recorded score; an admin
could insert a form whose status is none of jixiao's five. None of them is refused by the row policies
or the triggers, and the filler's one row made ``jixiao list`` fail with ValueError / InvalidOperation
for the whole department until someone found it with psql. Worse, ``forms.rules`` names the rule set
a form is scored under, and a name with a slash is read as a file by every reader: a filler who wrote
``/dev/zero`` there made each reader's jixiao read without end (``/dev/stdin`` waits for input). A
rule set named with a slash must now be a ``.toml`` file. Now CHECK constraints refuse them, for
every role and the owner. Existing rows are left as they are if one breaks a rule (the constraint is
then not validated, as 0014 did for evidence names). Derived columns (``computed_*``), which jixiao
recomputes and does not read back as data, are not held.
"""

from __future__ import annotations

from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

_FORMS_AMOUNTS = (
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
)


def _finite(columns: tuple[str, ...]) -> str:
    return " AND ".join(f"({c}::text NOT IN ('NaN', 'Infinity', '-Infinity'))" for c in columns)


#: (table, constraint, condition): each as it stands after this migration
CHECKS: tuple[tuple[str, str, str], ...] = (
    ("forms", "ck_forms_status", "status IN ('draft', 'submitted', 'returned', 'approved', 'signed')"),
    ("forms", "ck_forms_kind", "form_kind IN ('project', 'department')"),
    ("forms", "ck_forms_finite", _finite(_FORMS_AMOUNTS)),
    ("goals", "ck_goals_finite", _finite(("weight",))),
    ("indicators", "ck_indicators_finite", _finite(("weight", "recorded_score"))),
    # a built-in rule set's name, or a rule-set file (*.toml): not /dev/zero, /dev/stdin or /proc/...
    ("forms", "ck_forms_rules_file", "rules IS NULL OR rules = '' OR rules LIKE '%.toml' OR rules !~ '[/\\\\]'"),
)


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
    for table, name, check in CHECKS:
        op.execute(f"ALTER TABLE {s}.{table} ADD CONSTRAINT {name} CHECK ({check}) NOT VALID")
        op.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM {s}.{table} WHERE NOT ({check})) THEN "
            f"ALTER TABLE {s}.{table} VALIDATE CONSTRAINT {name}; END IF; END $$"
        )


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    for table, name, _ in CHECKS:
        op.execute(f"ALTER TABLE {s}.{table} DROP CONSTRAINT IF EXISTS {name}")
