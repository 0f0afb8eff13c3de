"""two attaches to one form take turns on the form row's lock, not on an advisory lock (PostgreSQL)

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-05

0034 made two attaches to one form take turns on ``pg_advisory_xact_lock(20, form id)`` so that
neither could count the form's files without the other. Any login may take any advisory lock, and
the key was the form's id: a filler of another unit who took ``pg_advisory_lock(20, id)`` (a session
lock, which no idle timeout ends) made every attach to that form, by its unit or an admin, wait and
fail on ``lock_timeout``, through jixiao as through psql, for a form the squatter cannot see.

``jixiao_evidence_form_open`` already locked the form row before it asked whether the writer may
edit the form; it now takes that lock as ``FOR NO KEY UPDATE`` instead of ``FOR SHARE``, so two
attaches to one form take turns there (two share locks did not exclude each other), and the quota
takes the same row lock instead of the advisory one. Only a login that may write the form (its
unit's fillers while it is a draft, admins) can hold that lock: the row policies keep every other
login from locking the row, and a refused attach ends with its statement.
"""

from __future__ import annotations

from alembic import op

from jixiao.storage.migrations.function_text import Rewrite, rewrite_functions

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None

ADVISORY = "PERFORM pg_catalog.pg_advisory_xact_lock(20, NEW.form_id);"


def _rewrites() -> tuple[Rewrite, ...]:
    """(function, text as 0013/0034 left it, text now): each must be found, or the migration stops."""
    bind = op.get_bind()
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    s = bind.dialect.identifier_preparer.quote_identifier(schema)
    row_lock = f"PERFORM 1 FROM {s}.forms f WHERE f.id = NEW.form_id FOR NO KEY UPDATE;"
    return (
        ("jixiao_evidence_form_open", "WHERE id = NEW.form_id FOR SHARE;", "WHERE id = NEW.form_id FOR NO KEY UPDATE;"),
        ("jixiao_evidence_quota", ADVISORY, row_lock),
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rewrite_functions(_rewrites())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        rewrite_functions(_rewrites(), undo=True)
