"""indicator identity

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03

Every indicator row gets a stable identity (``uid``), kept in exports and imports,
so that the history compares rows by who they are, not where they stand: an
inserted row is one entry, a moved row is one entry (issue 15, item 2).
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from alembic import op

from jixiao.storage.migrations.sqlite_triggers import triggers_kept

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with triggers_kept("indicators"), op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uid", sa.String(), nullable=True))
        batch_op.create_index("ix_indicators_uid", ["uid"], unique=False)
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    if postgres:  # a backfill is the owner's, not a change to any form: no trigger, no audit
        op.execute("ALTER TABLE indicators DISABLE TRIGGER USER")
    ids = [r[0] for r in bind.exec_driver_sql("SELECT id FROM indicators WHERE uid IS NULL")]
    table = sa.table("indicators", sa.column("id", sa.Integer), sa.column("uid", sa.String))
    for start in range(0, len(ids), 1000):
        rows = [{"i": i, "u": os.urandom(16).hex()} for i in ids[start : start + 1000]]
        bind.execute(table.update().where(table.c.id == sa.bindparam("i")).values(uid=sa.bindparam("u")), rows)
    if postgres:
        op.execute("ALTER TABLE indicators ENABLE TRIGGER USER")
        op.execute("GRANT UPDATE (uid) ON indicators TO jixiao_filler")


def downgrade() -> None:
    with triggers_kept("indicators"), op.batch_alter_table("indicators", schema=None) as batch_op:
        batch_op.drop_index("ix_indicators_uid")
        batch_op.drop_column("uid")
