"""four eyes on a form created already approved or signed

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04

A hole found by attacking the database as each role with plain psycopg: migration 0014 checks the
change of status (``BEFORE UPDATE OF status``), but an admin holds INSERT on every column of
``forms`` but ``id`` and could write a new form that is 已审核 or 已签章 from its first row, with a
signer and a signature hash of their choosing, that no second login ever approved. Whoever inserts a
form made all of its data, so a form now enters as approved or signed only when the owner writes it
(``jixiao db restore`` of a backup, the DBA's role, which can disable triggers anyway).
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
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
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    op.execute(
        f"""CREATE FUNCTION {s}.jixiao_four_eyes_insert() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        BEGIN
          IF pg_catalog.pg_has_role(session_user,
               (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER') THEN
            RETURN NEW;  -- the owner (a restore), who can disable this trigger anyway
          END IF;
          RAISE EXCEPTION 'jixiao: four eyes: % may not create form % as % (its creator made all of its data)',
            session_user, NEW.project_name, NEW.status USING ERRCODE = 'insufficient_privilege';
        END $$"""
    )
    # named to fire after forms_stage_guard (triggers fire in name order), which says why a declaration
    # may not begin approved
    op.execute(
        f"CREATE TRIGGER forms_status_at_insert BEFORE INSERT ON {s}.forms FOR EACH ROW "
        "WHEN (NEW.status IN ('approved', 'signed')) "
        f"EXECUTE FUNCTION {s}.jixiao_four_eyes_insert()"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_four_eyes_insert() FROM PUBLIC")


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(f"DROP TRIGGER IF EXISTS forms_status_at_insert ON {s}.forms")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_four_eyes_insert()")
