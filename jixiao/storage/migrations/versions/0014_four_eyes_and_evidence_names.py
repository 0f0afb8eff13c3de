"""four eyes on approval and signature; safe evidence file names

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04

Two holes found by attacking the database as each role with plain psycopg:

- One login could fill a form, submit it, approve it and sign it (an admin edits, submits and
  approves; a reviewer who is also a filler approves what they submitted). A form now moves to
  已审核 or 已签章 only when ``session_user`` is neither the login of its latest submission nor the
  login of its latest data change, both read from ``row_changes``, which only the database's own
  triggers write. Every login is held to it, admins included; the owner (the DBA's role, which can
  disable triggers anyway) is not. A form a reviewer returned and its filler resubmitted has the
  filler as its submitter, so the reviewer may approve it.
- The database took evidence file names with control characters (ESC), bidi overrides (U+202E),
  path separators or ``.``/``..``; only jixiao checked them. A CHECK constraint (PostgreSQL) and
  a trigger (SQLite, where a constraint cannot be added to a table in place) hold the rule of
  ``jixiao.storage.evidence.name_problem``, restated here; ``tests/test_evidence_names.py`` holds
  the two together. Rows stored before keep their names (the constraint is validated only when
  none breaks it: evidence is append-only).
"""

from __future__ import annotations

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# The characters an evidence name may not hold, as a regular expression that Python and
# PostgreSQL read alike (NUL is refused by PostgreSQL's text type itself).
NAME_FORBIDDEN = r"[\u0001-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069/\\]"
# The same set for SQLite's GLOB, as code points: (first, last) ranges.
SQLITE_RANGES = ((1, 31), (127, 159), (0x061C, 0x061C), (0x200E, 0x200F), (0x2028, 0x202E), (0x2066, 0x2069))

# Changes that are not a change of the form's data: the workflow's columns and what the
# database or a rescore derives (migrations 0004 and 0009).
NOT_DATA = (
    *("status", "version", "updated_at", "updated_by", "signed_at", "signed_by", "signature_sha256", "stage"),
    *("scores_trusted", "computed_rules", "computed_total", "computed_grade", "computed_rate"),
    *("computed_pending", "computed_problems", "agg_total_c", "agg_recorded_c", "agg_planned_u"),
    *("agg_executed_u", "agg_errors", "agg_warnings", "agg_infos", "agg_indicators"),
    *("computed_status", "computed_score", "agg_weight_u", "agg_score_u"),
)


def pg_name_check(column: str = "name") -> str:
    return f"{column} <> '' AND {column} NOT IN ('.', '..') AND {column} !~ '{NAME_FORBIDDEN}'"


def sqlite_name_refused(column: str = "NEW.name") -> str:
    cls = " || ".join(f"char({a})" if a == b else f"char({a}) || '-' || char({b})" for a, b in SQLITE_RANGES)
    return (
        f"{column} = '' OR {column} IN ('.', '..') OR length({column}) > 255 OR {column} GLOB '*[' || {cls} || '/\\]*'"
    )


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _four_eyes(s: str, path: str) -> str:
    not_data = "ARRAY[" + ", ".join(f"'{c}'" for c in NOT_DATA) + "]::text[]"
    return f"""CREATE FUNCTION {s}.jixiao_four_eyes() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
    DECLARE
      submitter text;
      editor text;
    BEGIN
      IF pg_catalog.pg_has_role(session_user,
           (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER') THEN
        RETURN NEW;  -- the owner, who can disable this trigger anyway
      END IF;
      -- read from the database's own log: no application role writes row_changes
      SELECT r.db_user INTO submitter FROM {s}.row_changes r
       WHERE r.form_id = NEW.id AND r.table_name = 'forms' AND r.op = 'UPDATE' AND r.after ->> 'status' = 'submitted'
       ORDER BY r.id DESC LIMIT 1;
      SELECT r.db_user INTO editor FROM {s}.row_changes r
       WHERE r.form_id = NEW.id AND (r.op <> 'UPDATE' OR EXISTS (
               SELECT 1 FROM json_object_keys(r.after::json) k WHERE k <> ALL ({not_data})))
       ORDER BY r.id DESC LIMIT 1;
      IF session_user = submitter OR session_user = editor THEN
        RAISE EXCEPTION 'jixiao: four eyes: % may not move form % to % (submitted by %, last changed by %)',
          session_user, NEW.id, NEW.status, submitter, editor USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END $$"""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER evidence_name_safe BEFORE INSERT ON evidence "
            f"WHEN {sqlite_name_refused()} BEGIN SELECT RAISE(ABORT, 'evidence name not allowed'); END"
        )
    s = _schema()
    if s is None:
        return
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    op.execute(_four_eyes(s, path))
    op.execute(
        f"CREATE TRIGGER forms_four_eyes BEFORE UPDATE OF status ON {s}.forms FOR EACH ROW "
        "WHEN (NEW.status IN ('approved', 'signed') AND NEW.status IS DISTINCT FROM OLD.status) "
        f"EXECUTE FUNCTION {s}.jixiao_four_eyes()"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_four_eyes() FROM PUBLIC")
    op.execute(f"ALTER TABLE {s}.evidence ADD CONSTRAINT evidence_name_safe CHECK ({pg_name_check()}) NOT VALID")
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM {s}.evidence WHERE NOT ({pg_name_check()})) THEN "
        f"ALTER TABLE {s}.evidence VALIDATE CONSTRAINT evidence_name_safe; END IF; END $$"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS evidence_name_safe")
    s = _schema()
    if s is None:
        return
    op.execute(f"ALTER TABLE {s}.evidence DROP CONSTRAINT IF EXISTS evidence_name_safe")
    op.execute(f"DROP TRIGGER IF EXISTS forms_four_eyes ON {s}.forms")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_four_eyes()")
