"""doubtful forms index

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

The review asks, before it lets the database sum, whether any kept form has a verdict the database
does not vouch for (``scores_trusted`` false, issue 18). Without an index that question reads every
form: 0.13 s at two million indicators, growing with the province. Doubtful forms are few (only an
untrusted writer makes one), so a partial index over them alone answers it at once and costs an
import nothing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_WHERE = sa.text("NOT scores_trusted")


def upgrade() -> None:
    op.create_index("ix_forms_doubtful", "forms", ["id"], postgresql_where=_WHERE, sqlite_where=_WHERE)


def downgrade() -> None:
    op.drop_index("ix_forms_doubtful", table_name="forms")
