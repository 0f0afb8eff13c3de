"""rechecks

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04

A reviewer's 复核 score per indicator, kept beside the rule score and the unit's own (issue 19).
On PostgreSQL the rules hold against any client, psql included:

- only reviewers and admins may write a 复核, and only on a form of their scope that has been
  submitted (submitted, approved or signed); fillers read their own forms' 复核 and write none;
- the database stamps who (``db_user`` = session user, ``reviewer`` = their registered name),
  when, and the indicator's name from the form itself; the indicator must be a row of that form,
  and the score at least 0;
- the table is append-only for every role, the owner included: a changed opinion is a new row.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import jixiao.storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

APP_ROLES = "jixiao_filler, jixiao_reviewer, jixiao_admin"
_WRITABLE = ("form_id", "indicator_uid", "indicator", "score", "opinion", "reviewer", "at")


def upgrade() -> None:
    op.create_table(
        "rechecks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("indicator_uid", sa.String(length=64), nullable=False),
        sa.Column("indicator", sa.String(length=300), nullable=False),
        sa.Column("score", jixiao.storage.types.ExactDecimal(), nullable=False),
        sa.Column("opinion", sa.Text(), nullable=False),
        sa.Column("reviewer", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("db_user", sa.String(length=63), nullable=True),
        sa.ForeignKeyConstraint(["form_id"], ["forms.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_rechecks_form", "rechecks", ["form_id", "id"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":  # append-only here too, like the audit log (roles are advisory)
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER rechecks_no_{event.lower()} BEFORE {event} ON rechecks "
                "BEGIN SELECT RAISE(ABORT, 'rechecks is append-only'); END"
            )
    if bind.dialect.name == "postgresql":
        schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
        quoted = bind.dialect.identifier_preparer.quote_identifier(schema)
        for statement in postgres_statements(quoted):
            op.execute(statement)


def postgres_statements(s: str) -> list[str]:
    """Grants, row policies and the stamp and append-only triggers; every name qualified with ``s``."""
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    reviewable = f"form_id IN (SELECT f.id FROM {s}.forms f WHERE f.status IN ('submitted','approved','signed'))"
    return [
        f"REVOKE ALL ON {s}.rechecks FROM PUBLIC",
        f"GRANT SELECT ON {s}.rechecks TO {APP_ROLES}",
        f"GRANT INSERT ({', '.join(_WRITABLE)}) ON {s}.rechecks TO jixiao_reviewer, jixiao_admin",
        f"GRANT USAGE ON SEQUENCE {s}.rechecks_id_seq TO jixiao_reviewer, jixiao_admin",
        f"ALTER TABLE {s}.rechecks ENABLE ROW LEVEL SECURITY",
        # the forms a role can see are its scope (the forms' own policies apply inside the subquery)
        f"CREATE POLICY visible ON {s}.rechecks FOR SELECT TO jixiao_filler, jixiao_reviewer "
        f"USING (form_id IN (SELECT f.id FROM {s}.forms f))",
        f"CREATE POLICY admin_read ON {s}.rechecks FOR SELECT TO jixiao_admin USING (true)",
        f"CREATE POLICY reviewer_write ON {s}.rechecks FOR INSERT TO jixiao_reviewer, jixiao_admin "
        f"WITH CHECK ({reviewable})",
        f"""CREATE FUNCTION {s}.jixiao_recheck_stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        DECLARE name text;
        BEGIN
          SELECT i.name INTO name FROM {s}.indicators i WHERE i.form_id = NEW.form_id AND i.uid = NEW.indicator_uid;
          IF name IS NULL THEN
            RAISE EXCEPTION 'jixiao: form % has no indicator %', NEW.form_id, NEW.indicator_uid
              USING ERRCODE = 'check_violation';
          END IF;
          IF NEW.score IS NULL OR NEW.score < 0 THEN
            RAISE EXCEPTION 'jixiao: a recheck score is at least 0' USING ERRCODE = 'check_violation';
          END IF;
          NEW.indicator := name;
          NEW.db_user := session_user;
          NEW.at := now();
          NEW.reviewer := COALESCE((SELECT u.name FROM {s}.app_users u WHERE u.login = session_user), session_user);
          RETURN NEW;
        END $$""",
        f"CREATE TRIGGER rechecks_stamp BEFORE INSERT ON {s}.rechecks FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_recheck_stamp()",
        f"""CREATE FUNCTION {s}.jixiao_rechecks_append_only() RETURNS trigger LANGUAGE plpgsql {path} AS $$
           BEGIN RAISE EXCEPTION 'rechecks is append-only' USING ERRCODE = 'insufficient_privilege'; END $$""",
        f"CREATE TRIGGER rechecks_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {s}.rechecks "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {s}.jixiao_rechecks_append_only()",
        f"REVOKE ALL ON FUNCTION {s}.jixiao_recheck_stamp(), {s}.jixiao_rechecks_append_only() FROM PUBLIC",
    ]


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS rechecks_no_update")
        op.execute("DROP TRIGGER IF EXISTS rechecks_no_delete")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS rechecks_append_only ON rechecks")
        op.execute("DROP TRIGGER IF EXISTS rechecks_stamp ON rechecks")
        op.execute("DROP FUNCTION IF EXISTS jixiao_rechecks_append_only(), jixiao_recheck_stamp()")
    op.drop_index("ix_rechecks_form", table_name="rechecks")
    op.drop_table("rechecks")
