"""an approval records a goal's text even when it is empty

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-05

0036 copied each goal's text into its ``approved_targets`` row's ``target`` and locked it, but read
an empty copy as "not recorded" (an approval made before 0036 kept no text), so a goal approved with
no text could be given one afterwards, and the reviewer never saw it. The copy now also names the
row ``年度绩效目标``, which marks the text as recorded, empty or not; the lock compares every recorded
text. Rows written before this migration keep ``name = ''``: a non-empty text is still locked, an
empty one still cannot say whether it was recorded.
"""

from __future__ import annotations

from alembic import op

from jixiao.storage.migrations.function_text import Rewrite, rewrite_functions

revision = "0038"
down_revision = "0037"
branch_labels = None
depends_on = None

RECORDED = "年度绩效目标"  # the goal row's name when its text was recorded (scorer reads the same)
#: the goal rows' copy: level1, level2, name, target, weight
COPY_OLD = "'', '', '', g.text, g.weight"
COPY_NEW = f"'', '', '{RECORDED}', g.text, g.weight"
LOCK_OLD = "t.kind = 'goal' AND t.target <> ''"
LOCK_NEW = "t.kind = 'goal' AND (t.target <> '' OR t.name <> '')"
REWRITES: tuple[Rewrite, ...] = (
    ("jixiao_approve_targets", COPY_OLD, COPY_NEW),
    ("jixiao_targets_lock", LOCK_OLD, LOCK_NEW),
)
SQLITE_TRIGGER = "forms_approve_targets"  # SQLite copies in a trigger; jixiao checks the lock itself


def _sqlite_copy(old: str, new: str) -> None:
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (SQLITE_TRIGGER,)
    ).scalar_one_or_none()
    if sql is None or sql.count(old) != 1:
        raise RuntimeError(f"jixiao: trigger {SQLITE_TRIGGER} does not read as expected")
    op.execute(f"DROP TRIGGER {SQLITE_TRIGGER}")
    op.execute(sql.replace(old, new))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_copy(COPY_OLD, COPY_NEW)
    rewrite_functions(REWRITES)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_copy(COPY_NEW, COPY_OLD)
    rewrite_functions(REWRITES, undo=True)
