"""evidence

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04

Evidence attached to a form or one of its rows (survey results, acceptance reports, photos), issue
20: stored with the form, content-addressed (SHA-256 of the bytes), at most 10 MB each. On
PostgreSQL:

- a filler attaches evidence to their own unit's forms while they can edit them (草稿/退回), an
  admin to any; reviewers read it and attach none;
- the database computes the size and the SHA-256 from the bytes themselves, stamps who and when,
  and refuses a row identity that is not a row of that form, and a file over the cap;
- the table is append-only for every role, the owner included, so the evidence a signed PDF
  carries can always be found again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

APP_ROLES = "jixiao_filler, jixiao_reviewer, jixiao_admin"
MAX_BYTES = 10 * 1024 * 1024
_WRITABLE = ("form_id", "indicator_uid", "name", "media_type", "size", "sha256", "data", "actor", "at")


def upgrade() -> None:
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("indicator_uid", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("db_user", sa.String(length=63), nullable=True),
        sa.ForeignKeyConstraint(["form_id"], ["forms.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_evidence_form", "evidence", ["form_id", "id"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":  # append-only here too (roles are advisory)
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER evidence_no_{event.lower()} BEFORE {event} ON evidence "
                "BEGIN SELECT RAISE(ABORT, 'evidence is append-only'); END"
            )
    if bind.dialect.name == "postgresql":
        schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
        quoted = bind.dialect.identifier_preparer.quote_identifier(schema)
        for statement in postgres_statements(quoted):
            op.execute(statement)


def postgres_statements(s: str) -> list[str]:
    """Grants, row policies and the stamp and append-only triggers; every name qualified with ``s``."""
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    return [
        f"REVOKE ALL ON {s}.evidence FROM PUBLIC",
        f"GRANT SELECT ON {s}.evidence TO {APP_ROLES}",
        f"GRANT INSERT ({', '.join(_WRITABLE)}) ON {s}.evidence TO jixiao_filler, jixiao_admin",
        f"GRANT USAGE ON SEQUENCE {s}.evidence_id_seq TO jixiao_filler, jixiao_admin",
        f"ALTER TABLE {s}.evidence ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY visible ON {s}.evidence FOR SELECT TO jixiao_filler, jixiao_reviewer "
        f"USING (form_id IN (SELECT f.id FROM {s}.forms f))",
        f"CREATE POLICY admin_read ON {s}.evidence FOR SELECT TO jixiao_admin USING (true)",
        f"CREATE POLICY unit_write ON {s}.evidence FOR INSERT TO jixiao_filler, jixiao_admin "
        f"WITH CHECK ({s}.jixiao_may_edit(form_id))",
        f"""CREATE FUNCTION {s}.jixiao_evidence_stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        BEGIN
          IF NEW.data IS NULL OR length(NEW.data) > {MAX_BYTES} THEN
            RAISE EXCEPTION 'jixiao: evidence is at most {MAX_BYTES} bytes' USING ERRCODE = 'check_violation';
          END IF;
          IF NEW.indicator_uid <> '' AND NOT EXISTS (
               SELECT 1 FROM {s}.indicators i WHERE i.form_id = NEW.form_id AND i.uid = NEW.indicator_uid) THEN
            RAISE EXCEPTION 'jixiao: form % has no indicator %', NEW.form_id, NEW.indicator_uid
              USING ERRCODE = 'check_violation';
          END IF;
          NEW.size := length(NEW.data);
          NEW.sha256 := encode(sha256(NEW.data), 'hex');
          NEW.db_user := session_user;
          NEW.at := now();
          NEW.actor := COALESCE((SELECT u.name FROM {s}.app_users u WHERE u.login = session_user), session_user);
          RETURN NEW;
        END $$""",
        f"CREATE TRIGGER evidence_stamp BEFORE INSERT ON {s}.evidence FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_evidence_stamp()",
        f"""CREATE FUNCTION {s}.jixiao_evidence_append_only() RETURNS trigger LANGUAGE plpgsql {path} AS $$
           BEGIN RAISE EXCEPTION 'evidence is append-only' USING ERRCODE = 'insufficient_privilege'; END $$""",
        f"CREATE TRIGGER evidence_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {s}.evidence "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {s}.jixiao_evidence_append_only()",
        f"REVOKE ALL ON FUNCTION {s}.jixiao_evidence_stamp(), {s}.jixiao_evidence_append_only() FROM PUBLIC",
    ]


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS evidence_no_update")
        op.execute("DROP TRIGGER IF EXISTS evidence_no_delete")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS evidence_append_only ON evidence")
        op.execute("DROP TRIGGER IF EXISTS evidence_stamp ON evidence")
        op.execute("DROP FUNCTION IF EXISTS jixiao_evidence_append_only(), jixiao_evidence_stamp()")
    op.drop_index("ix_evidence_form", table_name="evidence")
    op.drop_table("evidence")
