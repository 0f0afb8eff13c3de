"""monitoring

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04

Mid-year monitoring snapshots (运行监控) stored with their form (issue 19). On PostgreSQL:

- a filler writes snapshots of their own unit's forms, whatever the form's status (monitoring
  happens mid-year, long before submission); admins too; reviewers read them and write none;
- the database stamps who (``db_user``, ``actor`` = the registered name) and when;
- the table is append-only for every role, the owner included: a corrected snapshot is a new
  row, and the latest of a period counts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

APP_ROLES = "jixiao_filler, jixiao_reviewer, jixiao_admin"


def upgrade() -> None:
    op.create_table(
        "monitoring",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("db_user", sa.String(length=63), nullable=True),
        sa.ForeignKeyConstraint(["form_id"], ["forms.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_monitoring_form", "monitoring", ["form_id", "id"], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":  # append-only here too, like the audit log (roles are advisory)
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER monitoring_no_{event.lower()} BEFORE {event} ON monitoring "
                "BEGIN SELECT RAISE(ABORT, 'monitoring is append-only'); END"
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
        f"REVOKE ALL ON {s}.monitoring FROM PUBLIC",
        f"GRANT SELECT ON {s}.monitoring TO {APP_ROLES}",
        f"GRANT INSERT (form_id, months, data, actor, at) ON {s}.monitoring TO jixiao_filler, jixiao_admin",
        f"GRANT USAGE ON SEQUENCE {s}.monitoring_id_seq TO jixiao_filler, jixiao_admin",
        f"ALTER TABLE {s}.monitoring ENABLE ROW LEVEL SECURITY",
        # the forms a role can see are its scope (the forms' own policies apply inside the subquery)
        f"CREATE POLICY visible ON {s}.monitoring FOR SELECT TO jixiao_filler, jixiao_reviewer "
        f"USING (form_id IN (SELECT f.id FROM {s}.forms f))",
        f"CREATE POLICY admin_read ON {s}.monitoring FOR SELECT TO jixiao_admin USING (true)",
        f"CREATE POLICY unit_write ON {s}.monitoring FOR INSERT TO jixiao_filler, jixiao_admin "
        f"WITH CHECK (form_id IN (SELECT f.id FROM {s}.forms f))",
        f"""CREATE FUNCTION {s}.jixiao_monitoring_stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        BEGIN
          IF NEW.months IS NULL OR NEW.months < 1 OR NEW.months > 12 THEN
            RAISE EXCEPTION 'jixiao: months is 1 to 12' USING ERRCODE = 'check_violation';
          END IF;
          NEW.db_user := session_user;
          NEW.at := now();
          NEW.actor := COALESCE((SELECT u.name FROM {s}.app_users u WHERE u.login = session_user), session_user);
          RETURN NEW;
        END $$""",
        f"CREATE TRIGGER monitoring_stamp BEFORE INSERT ON {s}.monitoring "
        f"FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_monitoring_stamp()",
        f"""CREATE FUNCTION {s}.jixiao_monitoring_append_only() RETURNS trigger LANGUAGE plpgsql {path} AS $$
           BEGIN RAISE EXCEPTION 'monitoring is append-only' USING ERRCODE = 'insufficient_privilege'; END $$""",
        f"CREATE TRIGGER monitoring_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {s}.monitoring "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {s}.jixiao_monitoring_append_only()",
        f"REVOKE ALL ON FUNCTION {s}.jixiao_monitoring_stamp(), {s}.jixiao_monitoring_append_only() FROM PUBLIC",
    ]


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS monitoring_no_update")
        op.execute("DROP TRIGGER IF EXISTS monitoring_no_delete")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS monitoring_append_only ON monitoring")
        op.execute("DROP TRIGGER IF EXISTS monitoring_stamp ON monitoring")
        op.execute("DROP FUNCTION IF EXISTS jixiao_monitoring_append_only(), jixiao_monitoring_stamp()")
    op.drop_index("ix_monitoring_form", table_name="monitoring")
    op.drop_table("monitoring")
