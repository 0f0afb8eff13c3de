"""sub-rows

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

An indicator row may be a sub-row (子项) of the row above it: the parent's weight is split
over its sub-rows and its score is theirs summed (issue 16, class 6).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jixiao.storage.migrations.sqlite_triggers import triggers_kept

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with triggers_kept("indicators"), op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sub", sa.Boolean(), nullable=False, server_default=sa.false()))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("GRANT UPDATE (sub) ON indicators TO jixiao_filler")


def downgrade() -> None:
    with triggers_kept("indicators"), op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_column("sub")
