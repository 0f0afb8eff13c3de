"""SQLite: the append-only and stage triggers a downgrade had lost are made again

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-05

A downgrade that dropped a column rebuilt its table (alembic's batch mode on SQLite) without the
table's triggers, and the upgrade after it did not make them again: below 0004 the audit log lost
its append-only triggers, below 0020 the forms table its stage guard (and the approval's copy,
which 0036 makes again). Such a database took an edit of its audit log, or a declaration turned
into a self-evaluation by hand, without a word. The downgrades now keep their triggers
(``jixiao.storage.migrations.sqlite_triggers``); this makes those already lost again, each as a new
database has it.
"""

from __future__ import annotations

from alembic import op

revision = "0040"
down_revision = "0039"
branch_labels = None
depends_on = None

#: frozen copies of the triggers as a database made from nothing holds them
TRIGGERS = {
    "audit_log_no_delete": (
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, "
        "'audit_log is append-only'); END"
    ),
    "audit_log_no_update": (
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, "
        "'audit_log is append-only'); END"
    ),
    "forms_stage_guard": (
        "CREATE TRIGGER forms_stage_guard BEFORE UPDATE OF stage ON forms WHEN NEW.stage IS NOT OLD.stage "
        "AND NOT (OLD.stage = 'declaration' AND NEW.stage = 'evaluation' AND OLD.status = 'approved' AND "
        "NEW.status = 'draft') BEGIN SELECT RAISE(ABORT, 'jixiao: the stage moves only from an approved "
        "declaration to a draft'); END"
    ),
}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    present = set(bind.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars())
    for name, sql in TRIGGERS.items():
        if name not in present:
            op.execute(sql)


def downgrade() -> None:
    """Nothing to undo: the triggers belong to the migrations that first made them."""
