"""an audit entry of a workflow step needs the step itself in its transaction (PostgreSQL)

Revision ID: 0044
Revises: 0043
Create Date: 2026-12-05

Since 0004 an audit entry needs a change of its form in the same transaction, but any change did: a
filler who raised their draft's version and wrote an entry with action ``return`` and a reason made
it the form's 退回理由, shown in the list to everyone of the unit as the reviewer's words. An entry
of a workflow step (提交、退回、审核通过、签章、重新打开) now needs that very step in its transaction:
the form's status moved to the step's state.
"""

from __future__ import annotations

from alembic import op

from jixiao.storage.migrations.function_text import Rewrite, rewrite_functions

revision = "0044"
down_revision = "0043"
branch_labels = None
depends_on = None

#: each workflow action and the state it moves a form to (jixiao.workflow.ACTIONS, frozen here)
MOVES = {"submit": "submitted", "return": "returned", "approve": "approved", "sign": "signed", "reopen": "draft"}


def _rewrites() -> tuple[Rewrite, ...]:
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    s = bind.dialect.identifier_preparer.quote_identifier(schema)
    old = f"SELECT 1 FROM {s}.row_changes c WHERE c.txid = NEW.txid AND c.form_id = NEW.form_id)"
    actions = ", ".join(f"'{a}'" for a in MOVES)
    state = "CASE NEW.action " + " ".join(f"WHEN '{a}' THEN '{st}'" for a, st in MOVES.items()) + " END"
    new = (
        f"SELECT 1 FROM {s}.row_changes c WHERE c.txid = NEW.txid AND c.form_id = NEW.form_id"
        f" AND (NEW.action NOT IN ({actions}) OR (c.table_name = 'forms' AND c.op = 'UPDATE'"
        f" AND c.after ->> 'status' = {state}"
        " AND c.before ->> 'status' IS DISTINCT FROM c.after ->> 'status')))"
    )
    return (("jixiao_audit_beside_change", old, new),)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rewrite_functions(_rewrites())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rewrite_functions(_rewrites(), undo=True)
