"""a form's version never goes back (PostgreSQL)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-05

No lost edits rests on ``forms.version``: a save names the version it read and fails when the form
has moved on (0021). Every role that may move a form holds UPDATE on ``version`` (the move raises it),
so a reviewer returning a form with psql could also set it back to an older number: a colleague's
stale save of that older version then went through, silently overwriting the edit in between. Now an
UPDATE that lowers ``version`` is refused, for every role and the owner (a restore loads with user
triggers off).
"""

from __future__ import annotations

from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


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
    op.execute(
        f"""CREATE FUNCTION {s}.jixiao_version_forward() RETURNS trigger LANGUAGE plpgsql
        SET search_path = pg_catalog, {s}, pg_temp AS $$
        BEGIN
          IF NEW.version < OLD.version THEN
            RAISE EXCEPTION 'jixiao: form %: its version goes from % back to %', OLD.id, OLD.version, NEW.version
              USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$"""
    )
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_version_forward() FROM PUBLIC")
    op.execute(
        f"CREATE TRIGGER forms_version_forward BEFORE UPDATE OF version ON {s}.forms FOR EACH ROW "
        f"EXECUTE FUNCTION {s}.jixiao_version_forward()"
    )


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(f"DROP TRIGGER IF EXISTS forms_version_forward ON {s}.forms")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_version_forward()")
