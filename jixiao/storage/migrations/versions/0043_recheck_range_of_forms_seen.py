"""a refused 复核 does not tell a reviewer the weights of another department's form (PostgreSQL)

Revision ID: 0043
Revises: 0042
Create Date: 2026-12-05

``jixiao_recheck_in_range`` (0018, 0022) runs before the row policy and read the form as the owner:
a reviewer who wrote a 复核 with psql for a row of a form outside their department was told the
row's weight and whether the form's scores were verified ('… is not between 0 and its weight 20'),
as 0033 found for monitoring snapshots. The trigger now checks only a form the writer sees
(``jixiao_sees_form``); for any other the row policy refuses the 复核 as before, without a word about
the form.
"""

from __future__ import annotations

from jixiao.storage.migrations.function_text import Rewrite, rewrite_functions

revision = "0043"
down_revision = "0042"
branch_labels = None
depends_on = None

FIRST = "IF NEW.score IS NULL OR NEW.score::text IN ('NaN', 'Infinity', '-Infinity') THEN"
#: (function, text as 0022 left it, text now): each must be found, or the migration stops
REWRITES: tuple[Rewrite, ...] = (
    (
        "jixiao_recheck_in_range",
        FIRST,
        "IF NOT jixiao_sees_form(NEW.form_id) THEN\n        RETURN NEW;  -- the row policy refuses it\n"
        f"      END IF;\n      {FIRST}",
    ),
)


def upgrade() -> None:
    rewrite_functions(REWRITES)


def downgrade() -> None:
    rewrite_functions(REWRITES, undo=True)
