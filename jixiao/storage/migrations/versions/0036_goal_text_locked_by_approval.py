"""an approval locks each goal's text too

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-05

Approving a declaration (0009) copied its indicator rows, the 预算执行 weight and each goal's weight
into ``approved_targets``, and the lock held those; the goal's own text (年度绩效目标, the sentence a
reviewer approved) was not copied, so a filler could rewrite it after the approval, with psql or with
jixiao. The copy now keeps each goal's text in the goal row's ``target`` (it was ''), and the lock
compares it. An approval made before this migration did not keep the text, so its goals keep '' and
lock no text: nothing can say what was approved then.
"""

from __future__ import annotations

from alembic import op

from jixiao.storage.migrations.function_text import Rewrite, rewrite_functions

revision = "0036"
down_revision = "0035"
branch_labels = None
depends_on = None

#: the goal rows' copy: level1, level2, name, target, weight — the target now the goal's text
COPY_OLD = "'', '', '', '', g.weight"
COPY_NEW = "'', '', '', g.text, g.weight"
LOCK_OLD = "a.kind = 'budget' AND a.weight IS DISTINCT FROM f.budget_weight)"
LOCK_NEW = (
    LOCK_OLD + "\n             OR EXISTS (SELECT 1 FROM approved_targets t JOIN goals g"
    " ON g.form_id = t.form_id AND g.position = t.goal_position"
    " WHERE t.form_id = fid AND t.approval = latest AND t.kind = 'goal' AND t.target <> ''"
    " AND t.target IS DISTINCT FROM g.text)"
)
REWRITES: tuple[Rewrite, ...] = (
    ("jixiao_approve_targets", COPY_OLD, COPY_NEW),
    ("jixiao_targets_lock", LOCK_OLD, LOCK_NEW),
)
SQLITE_TRIGGER = "forms_approve_targets"  # SQLite copies in a trigger; jixiao checks the lock itself


#: 0009's trigger with the goal's text copied: created whole when a downgrade below 0020 (which
#: rebuilt the forms table) had left no trigger to rewrite
SQLITE_CREATE = (
    "CREATE TRIGGER forms_approve_targets AFTER UPDATE OF status ON forms WHEN NEW.stage = "
    "'declaration' AND NEW.status = 'approved' AND OLD.status <> 'approved' BEGIN INSERT INTO "
    "approved_targets (form_id, approval, kind, goal_position, position, uid, level1, level2, name, "
    "target, weight, sub, direction, approver, at, db_user) VALUES (NEW.id, (SELECT "
    "COALESCE(max(a.approval), 0) FROM approved_targets a WHERE a.form_id = NEW.id) + 1, 'budget', "
    "-1, -1, NULL, '', '', '', '', NEW.budget_weight, false, '', NEW.updated_by, NEW.updated_at, "
    "NULL); INSERT INTO approved_targets (form_id, approval, kind, goal_position, position, uid, "
    "level1, level2, name, target, weight, sub, direction, approver, at, db_user) SELECT NEW.id, "
    "(SELECT COALESCE(max(a.approval), 0) FROM approved_targets a WHERE a.form_id = NEW.id), "
    "'indicator', g.position, i.position, i.uid, i.level1, i.level2, i.name, i.target, i.weight, "
    "i.sub, i.direction, NEW.updated_by, NEW.updated_at, NULL FROM indicators i JOIN goals g ON g.id "
    "= i.goal_id WHERE i.form_id = NEW.id; INSERT INTO approved_targets (form_id, approval, kind, "
    "goal_position, position, uid, level1, level2, name, target, weight, sub, direction, approver, "
    "at, db_user) SELECT NEW.id, (SELECT COALESCE(max(a.approval), 0) FROM approved_targets a WHERE "
    "a.form_id = NEW.id), 'goal', g.position, -1, NULL, '', '', '', g.text, g.weight, false, '', "
    "NEW.updated_by, NEW.updated_at, NULL FROM goals g WHERE g.form_id = NEW.id; END"
)


def _sqlite_copy(old: str, new: str) -> None:
    bind = op.get_bind()
    sql = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (SQLITE_TRIGGER,)
    ).scalar_one_or_none()
    if sql is None:
        if new == COPY_NEW:
            op.execute(SQLITE_CREATE)
        return
    if sql.count(old) != 1:
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
