"""four eyes on 复核; no monitoring snapshot after the self-evaluation is submitted

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04

Two holes found by attacking the year's later steps with plain psycopg as each role:

- A 复核 is the second person's score, but the login that submitted a form or last changed its data
  could write one (an admin edits a unit's draft, or submits it, then rechecks it; a filler made a
  reviewer rechecks what they filled). A 复核 is now refused to the login of the form's latest
  submission and to the login of its latest data change, read from ``row_changes`` as migration
  0014 reads them for an approval. The owner is exempt, as there.
- A filler (or an admin) could add a monitoring snapshot to a self-evaluation already submitted,
  approved or signed. The latest snapshot of a period counts, so a 1–6月 snapshot written after
  the approval replaced the one the reviewer saw, and the review's year-end warnings (a forecast
  确定能 not met, a promised correction not made) went away. A snapshot is now taken of a
  declaration (any status: the year is monitored while it is approved) or of a self-evaluation
  the unit may still edit (草稿/退回). The trigger locks the form row first, so a transaction
  begun before the submission cannot add one afterwards. The owner is exempt (a restore).
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# migration 0014's list of the form columns whose change is no change of the form's data
NOT_DATA: tuple[str, ...] = importlib.import_module(
    "jixiao.storage.migrations.versions.0014_four_eyes_and_evidence_names"
).NOT_DATA
OWNER = "pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER')"


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _recheck_four_eyes(s: str, path: str) -> str:
    not_data = "ARRAY[" + ", ".join(f"'{c}'" for c in NOT_DATA) + "]::text[]"
    return f"""CREATE FUNCTION {s}.jixiao_recheck_four_eyes() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
    DECLARE
      submitter text;
      editor text;
    BEGIN
      IF {OWNER} THEN
        RETURN NEW;  -- the owner, who can disable this trigger anyway
      END IF;
      SELECT r.db_user INTO submitter FROM {s}.row_changes r
       WHERE r.form_id = NEW.form_id AND r.table_name = 'forms' AND r.op = 'UPDATE' AND r.after ->> 'status' = 'submitted'
       ORDER BY r.id DESC LIMIT 1;
      SELECT r.db_user INTO editor FROM {s}.row_changes r
       WHERE r.form_id = NEW.form_id AND (r.op <> 'UPDATE' OR EXISTS (
               SELECT 1 FROM json_object_keys(r.after::json) k WHERE k <> ALL ({not_data})))
       ORDER BY r.id DESC LIMIT 1;
      IF session_user = submitter OR session_user = editor THEN
        RAISE EXCEPTION 'jixiao: four eyes: % may not recheck form % (submitted by %, last changed by %)',
          session_user, NEW.form_id, submitter, editor USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END $$"""


def _monitoring_open(s: str, path: str) -> str:
    return f"""CREATE FUNCTION {s}.jixiao_monitoring_open() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
    DECLARE f record;
    BEGIN
      IF {OWNER} THEN
        RETURN NEW;  -- the owner (a restore), who can disable this trigger anyway
      END IF;
      SELECT x.stage, x.status INTO f FROM {s}.forms x WHERE x.id = NEW.form_id FOR SHARE;
      IF FOUND AND f.stage = 'evaluation' AND f.status NOT IN ('draft', 'returned') THEN
        RAISE EXCEPTION 'jixiao: form % is %: a monitoring snapshot is taken before the self-evaluation is submitted',
          NEW.form_id, f.status USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$"""


def upgrade() -> None:
    s = _schema()
    if s is None:
        return
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    op.execute(_recheck_four_eyes(s, path))
    # named to fire before rechecks_stamp (triggers fire in name order)
    op.execute(
        f"CREATE TRIGGER rechecks_four_eyes BEFORE INSERT ON {s}.rechecks FOR EACH ROW "
        f"EXECUTE FUNCTION {s}.jixiao_recheck_four_eyes()"
    )
    op.execute(_monitoring_open(s, path))
    op.execute(
        f"CREATE TRIGGER monitoring_open BEFORE INSERT ON {s}.monitoring FOR EACH ROW "
        f"EXECUTE FUNCTION {s}.jixiao_monitoring_open()"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_recheck_four_eyes(), {s}.jixiao_monitoring_open() FROM PUBLIC")


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(f"DROP TRIGGER IF EXISTS monitoring_open ON {s}.monitoring")
    op.execute(f"DROP TRIGGER IF EXISTS rechecks_four_eyes ON {s}.rechecks")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_monitoring_open(), {s}.jixiao_recheck_four_eyes()")
