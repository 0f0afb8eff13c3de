"""a form holds at most 200 monitoring snapshots and 100 MB of them (PostgreSQL)

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-05

0039 bounded one snapshot to 32 MB and 0034 a form's evidence to 50 files and 100 MB, but not how many
snapshots a form takes: a filler with psql inserted 32 MB snapshot after snapshot into their own
draft (or their unit's declaration, whatever its status), and since snapshots are append-only for
every role, the owner too, nothing but a DBA disabling the triggers could take them out again. Every
review and ``monitor check`` of the form reads them. The database now refuses, for every role but the
owner (whose restore of an older backup must go through), a snapshot past a form's 200th or past
100 MB stored (``pg_column_size``) for the form. Like 0047's count it reads without a lock (two writers
at once may pass the bound by one each) and only a form the writer sees, so that another unit's filler
meets the row policy's refusal alone and learns nothing of the form.
"""

from __future__ import annotations

from alembic import op

revision = "0051"
down_revision = "0050"
branch_labels = None
depends_on = None

MAX_SNAPSHOTS = 200  # frozen copies of jixiao.storage.snapshots': a later change is a new migration
MAX_BYTES = 104857600
OWNER = "pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER')"


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
        f"""CREATE FUNCTION {s}.jixiao_monitoring_quota() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = pg_catalog, {s}, pg_temp AS $$
        DECLARE n bigint; total bigint;
        BEGIN
          IF {OWNER} OR NOT {s}.jixiao_sees_form(NEW.form_id) THEN
            RETURN NEW;  -- the owner's restore; or the row policy refuses it, without a word about the form
          END IF;
          SELECT count(*), COALESCE(sum(pg_catalog.pg_column_size(m.data)), 0) INTO n, total
            FROM {s}.monitoring m WHERE m.form_id = NEW.form_id;
          IF n >= {MAX_SNAPSHOTS} OR total + COALESCE(pg_catalog.pg_column_size(NEW.data), 0) > {MAX_BYTES} THEN
            RAISE EXCEPTION 'jixiao: form % holds at most {MAX_SNAPSHOTS} monitoring snapshots and {MAX_BYTES} bytes',
              NEW.form_id USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$"""
    )
    op.execute(f"REVOKE EXECUTE ON FUNCTION {s}.jixiao_monitoring_quota() FROM PUBLIC")
    op.execute(
        f"CREATE TRIGGER monitoring_quota BEFORE INSERT ON {s}.monitoring "
        f"FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_monitoring_quota()"
    )


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(f"DROP TRIGGER IF EXISTS monitoring_quota ON {s}.monitoring")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_monitoring_quota()")
