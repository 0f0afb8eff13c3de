"""a form whose rows a login writes is never left vouched for (PostgreSQL)

Revision ID: 0049
Revises: 0048
Create Date: 2026-12-05

Every untrusted write of a goal or an indicator clears its form's ``scores_trusted`` through
``jixiao_distrust``, which did so only when ``jixiao_may_edit`` said yes, and that reads the login's
record in ``app_users`` as well as its PostgreSQL role (0028). The row policies that let the write
through read the PostgreSQL role alone. An admin who wrote 'reviewer' into their own record (one
UPDATE) changed an indicator of a draft whose scores the owner had vouched for, raised its version and
put the record back: the rows changed, the form stayed trusted, and every ``list`` and ``review``
showed the stored total of rows the form no longer held. The same held for a filler whose record an
admin had changed. ``jixiao_distrust`` now clears the mark on a draft or returned form that the row
policies let the login write (an admin any, a filler their unit's), whatever the record says: a form
within the writer's reach, as before, and every form whose rows the writer can change.
"""

from __future__ import annotations

from alembic import op

from jixiao.storage.migrations.function_text import Rewrite, rewrite_functions

revision = "0049"
down_revision = "0048"
branch_labels = None
depends_on = None

#: (function, text as 0004/0028 left it, text now): each must be found, or the migration stops
REWRITES: tuple[Rewrite, ...] = (("jixiao_distrust", "jixiao_may_edit(fid)", "jixiao_writes_rows_of(fid)"),)


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
    # the row policies' own test (filler_update, admin_all of goals and indicators), by PostgreSQL role
    op.execute(
        f"""CREATE FUNCTION {s}.jixiao_writes_rows_of(fid integer) RETURNS boolean LANGUAGE sql STABLE
        SECURITY DEFINER SET search_path = pg_catalog, {s}, pg_temp AS $$
        SELECT {s}.jixiao_trusted_writer() OR EXISTS (
          SELECT 1 FROM {s}.forms f WHERE f.id = fid AND f.status IN ('draft', 'returned')
            AND (pg_catalog.pg_has_role(session_user, 'jixiao_admin', 'MEMBER')
                 OR (pg_catalog.pg_has_role(session_user, 'jixiao_filler', 'MEMBER')
                     AND f.implementing_unit = {s}.jixiao_my_unit()))) $$"""
    )
    op.execute(f"REVOKE EXECUTE ON FUNCTION {s}.jixiao_writes_rows_of(integer) FROM PUBLIC")
    rewrite_functions(REWRITES)


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    rewrite_functions(REWRITES, undo=True)
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_writes_rows_of(integer)")
