"""a form holds at most 50 evidence files and 100 MB of them (PostgreSQL)

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-05

Each evidence file is at most 10 MB (0010), but nothing bounded how many a form could hold: a filler
with psql (or a script) could attach file after file to their own draft until the server's disk was
full, and every reader and the signed PDF, which embeds them all, would carry them. jixiao refuses
the 51st file, or one that takes the form past 100 MB, with a Chinese message
(``jixiao.storage.evidence``); the database now refuses the same for every role but the owner, whose
restore of an older backup must still go through. Two attaches to one form at once take turns on a
transaction lock, so neither can count without the other. The limits are a frozen copy of
``jixiao.storage.evidence.MAX_FILES_PER_FORM`` and ``MAX_FORM_BYTES``.
"""

from __future__ import annotations

from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None

MAX_FILES = 50
MAX_BYTES = 100 * 1024 * 1024
LOCK_CLASS = 20  # pg_advisory_xact_lock(20, form id): the evidence issue's number, one lock per form
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
        f"""CREATE FUNCTION {s}.jixiao_evidence_quota() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = pg_catalog, {s}, pg_temp AS $$
        DECLARE n bigint; total bigint;
        BEGIN
          IF {OWNER} THEN
            RETURN NEW;
          END IF;
          PERFORM pg_catalog.pg_advisory_xact_lock({LOCK_CLASS}, NEW.form_id);
          SELECT count(*), COALESCE(sum(e.size), 0) INTO n, total FROM {s}.evidence e WHERE e.form_id = NEW.form_id;
          IF n >= {MAX_FILES} OR total + COALESCE(length(NEW.data), 0) > {MAX_BYTES} THEN
            RAISE EXCEPTION 'jixiao: form % holds at most {MAX_FILES} evidence files and {MAX_BYTES} bytes', NEW.form_id
              USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$"""
    )
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_evidence_quota() FROM PUBLIC")
    op.execute(
        f"CREATE TRIGGER evidence_quota BEFORE INSERT ON {s}.evidence FOR EACH ROW "
        f"EXECUTE FUNCTION {s}.jixiao_evidence_quota()"
    )


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(f"DROP TRIGGER IF EXISTS evidence_quota ON {s}.evidence")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_evidence_quota()")
