"""database audit and trusted scores

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03

Closes what a hostile insider with psql could do against 0003:

- every jixiao function pins ``search_path = pg_catalog, <schema>, pg_temp`` and
  names tables with their schema, so a temporary ``app_users`` or ``forms``
  cannot stand in for the real one; TEMP and CREATE are revoked from PUBLIC;
- the stored rule scores (``computed_*``, ``agg_*``) are trusted only when a
  trusted writer (the schema owner or a member of ``jixiao_scorer``) wrote
  them: any other writer's change clears ``scores_trusted`` and readers
  recompute those forms (``review/trusted.py``); ``jixiao db rescore`` by the
  owner makes them trusted again;
- every change to forms, goals and indicators is written to ``row_changes``
  by the database itself (who, when, before and after); the application's
  richer ``audit_log`` entries are stamped by the database (time, login,
  display name, transaction) and only accepted beside a real change;
- ``forms.department`` comes from ``units.department``;
- submitted, approved and signed forms cannot be changed or deleted by any role,
  the owner included (short of disabling triggers);
- fillers hold column privileges only (no table UPDATE/DELETE, so no
  ``LOCK TABLE … ACCESS EXCLUSIVE``); they delete through two checked functions.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jixiao.storage.migrations.group_roles import create_group_role
from jixiao.storage.migrations.sqlite_triggers import triggers_kept

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WORKFLOW = ("status", "version", "updated_at", "updated_by", "signed_at", "signed_by", "signature_sha256")
DERIVED_FORM = (
    "computed_rules",
    "computed_total",
    "computed_grade",
    "computed_rate",
    "computed_pending",
    "computed_problems",
    "agg_total_c",
    "agg_recorded_c",
    "agg_planned_u",
    "agg_executed_u",
    "agg_errors",
    "agg_warnings",
    "agg_infos",
    "agg_indicators",
)
DERIVED_INDICATOR = ("computed_status", "computed_score", "agg_weight_u", "agg_score_u")
APP_ROLES = "jixiao_filler, jixiao_reviewer, jixiao_admin"


def _arr(names: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(f"'{n}'" for n in names) + "]::text[]"


def upgrade() -> None:
    with triggers_kept("forms"), op.batch_alter_table("forms", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scores_trusted", sa.Boolean(), nullable=False, server_default=sa.true()))
    with triggers_kept("audit_log"), op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("txid", sa.BigInteger(), nullable=True))
    op.create_table(
        "row_changes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("txid", sa.BigInteger(), nullable=True),
        sa.Column("db_user", sa.String(length=63), nullable=False, server_default=""),
        sa.Column("table_name", sa.String(length=30), nullable=False),
        sa.Column("op", sa.String(length=10), nullable=False),
        sa.Column("row_id", sa.BigInteger(), nullable=True),
        sa.Column("form_id", sa.Integer(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_row_changes_form", "row_changes", ["form_id", "id"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
        quoted = bind.dialect.identifier_preparer.quote_identifier(schema)
        for statement in postgres_statements(quoted, schema):
            op.execute(statement)


def postgres_statements(s: str, raw_schema: str) -> list[str]:
    """The PostgreSQL part; ``s`` is the quoted schema, every name is qualified with it."""
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    literal = raw_schema.replace("'", "''")
    return [
        # -- no temporary tables, no objects in the schema for anyone but the owner
        "DO $$ BEGIN EXECUTE format('REVOKE TEMP ON DATABASE %I FROM PUBLIC', current_database()); END $$",
        f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC",
        create_group_role("jixiao_scorer"),
        # -- who am I: pinned search path, qualified names
        f"""CREATE OR REPLACE FUNCTION {s}.jixiao_my_unit() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
           {path} AS $$ SELECT u.unit FROM {s}.app_users u WHERE u.login = session_user $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.jixiao_in_scope(dept text) RETURNS boolean LANGUAGE sql STABLE
           SECURITY DEFINER {path} AS $$
           SELECT EXISTS (SELECT 1 FROM {s}.app_users u WHERE u.login = session_user
                          AND (u.department = '' OR u.department = dept)) $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.jixiao_me(OUT login text, OUT name text, OUT role text, OUT unit text,
           OUT department text) LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
           SELECT u.login, u.name, u.role, u.unit, u.department FROM {s}.app_users u WHERE u.login = session_user $$""",
        # the login, not the current role: unchanged inside SECURITY DEFINER functions and by SET ROLE
        f"""CREATE FUNCTION {s}.jixiao_trusted_writer() RETURNS boolean LANGUAGE sql STABLE {path} AS $$
           SELECT pg_catalog.pg_has_role(session_user,
                    (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = '{literal}.forms'::regclass), 'MEMBER')
               OR pg_catalog.pg_has_role(session_user, 'jixiao_scorer', 'MEMBER') $$""",
        f"""CREATE FUNCTION {s}.jixiao_may_edit(fid integer) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
           {path} AS $$
           SELECT {s}.jixiao_trusted_writer() OR EXISTS (
                          SELECT 1 FROM {s}.forms f JOIN {s}.app_users u ON u.login = session_user
                          WHERE f.id = fid AND f.status IN ('draft','returned')
                          AND (u.role = 'admin' OR (u.role = 'filler' AND u.unit = f.implementing_unit))) $$""",
        # -- forms: department from the unit, read-only unless draft/returned, trust of the stored scores
        f"""CREATE OR REPLACE FUNCTION {s}.jixiao_forms_guard() RETURNS trigger LANGUAGE plpgsql {path} AS $$
        DECLARE
          trusted boolean := {s}.jixiao_trusted_writer();
          dept text;
          o jsonb; n jsonb; data_changed boolean; derived_changed boolean; workflow_changed boolean;
        BEGIN
          IF TG_OP = 'DELETE' THEN
            IF OLD.status NOT IN ('draft','returned') THEN
              RAISE EXCEPTION 'jixiao: form % is %, read-only', OLD.id, OLD.status USING ERRCODE = 'check_violation';
            END IF;
            RETURN OLD;
          END IF;
          SELECT u.department INTO dept FROM {s}.units u WHERE u.name = NEW.implementing_unit;
          IF FOUND THEN
            NEW.department := dept;
          ELSIF NOT trusted THEN
            NEW.department := CASE WHEN TG_OP = 'UPDATE' THEN OLD.department ELSE '' END;
          END IF;
          IF TG_OP = 'INSERT' THEN
            IF NOT trusted THEN NEW.scores_trusted := false; END IF;
            RETURN NEW;
          END IF;
          o := to_jsonb(OLD) - 'scores_trusted'; n := to_jsonb(NEW) - 'scores_trusted';
          data_changed := (o - {_arr(WORKFLOW + DERIVED_FORM)}) IS DISTINCT FROM (n - {_arr(WORKFLOW + DERIVED_FORM)});
          derived_changed := (SELECT count(*) FROM unnest({_arr(DERIVED_FORM)}) k WHERE o -> k IS DISTINCT FROM n -> k) > 0;
          workflow_changed := (SELECT count(*) FROM unnest({_arr(WORKFLOW)}) k WHERE o -> k IS DISTINCT FROM n -> k) > 0;
          IF NOT trusted THEN
            NEW.scores_trusted := CASE WHEN data_changed OR derived_changed THEN false
                                       ELSE OLD.scores_trusted AND NEW.scores_trusted END;
          END IF;
          IF OLD.status NOT IN ('draft','returned') AND (data_changed OR (derived_changed AND NOT trusted)
             OR (NEW.status = OLD.status AND workflow_changed)) THEN
            RAISE EXCEPTION 'jixiao: form % is %, read-only', OLD.id, OLD.status USING ERRCODE = 'check_violation';
          END IF;
          IF NEW.status IS DISTINCT FROM OLD.status AND (OLD.status, NEW.status) NOT IN (
             ('draft','submitted'),('returned','submitted'),('submitted','returned'),('submitted','approved'),
             ('approved','signed'),('submitted','draft'),('approved','draft'),('signed','draft'),('returned','draft')) THEN
            RAISE EXCEPTION 'jixiao: illegal transition % -> %', OLD.status, NEW.status USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$""",
        f"DROP TRIGGER IF EXISTS forms_guard ON {s}.forms",
        f"CREATE TRIGGER forms_guard BEFORE INSERT OR UPDATE OR DELETE ON {s}.forms "
        f"FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_forms_guard()",
        # a child change by an untrusted writer makes its form's scores untrusted
        f"""CREATE FUNCTION {s}.jixiao_distrust(fid integer) RETURNS void LANGUAGE sql SECURITY DEFINER {path} AS $$
           UPDATE {s}.forms SET scores_trusted = false
           WHERE id = fid AND scores_trusted AND status IN ('draft','returned') $$""",
        f"""CREATE OR REPLACE FUNCTION {s}.jixiao_children_guard() RETURNS trigger LANGUAGE plpgsql {path} AS $$
        DECLARE st text; fid integer := COALESCE(NEW.form_id, OLD.form_id);
        BEGIN
          SELECT f.status INTO st FROM {s}.forms f WHERE f.id = fid;
          IF st IS NOT NULL AND st NOT IN ('draft','returned') AND (TG_OP <> 'UPDATE' OR
             (to_jsonb(OLD) - {_arr(DERIVED_INDICATOR)}) IS DISTINCT FROM (to_jsonb(NEW) - {_arr(DERIVED_INDICATOR)})
             OR NOT {s}.jixiao_trusted_writer()) THEN
            RAISE EXCEPTION 'jixiao: form % is %, read-only', fid, st USING ERRCODE = 'check_violation';
          END IF;
          IF NOT {s}.jixiao_trusted_writer() THEN PERFORM {s}.jixiao_distrust(fid); END IF;
          RETURN COALESCE(NEW, OLD);
        END $$""",
        # -- the database's own change log
        f"""CREATE FUNCTION {s}.jixiao_log_rows() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            INSERT INTO {s}.row_changes (at, txid, db_user, table_name, op, row_id, form_id, before, after)
            SELECT clock_timestamp(), txid_current(), session_user, TG_TABLE_NAME, 'INSERT', (j->>'id')::bigint,
                   COALESCE(j->>'form_id', j->>'id')::integer, NULL, j
            FROM (SELECT to_jsonb(n) AS j FROM new_rows n) x;
          ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO {s}.row_changes (at, txid, db_user, table_name, op, row_id, form_id, before, after)
            SELECT clock_timestamp(), txid_current(), session_user, TG_TABLE_NAME, 'DELETE', (j->>'id')::bigint,
                   COALESCE(j->>'form_id', j->>'id')::integer, j, NULL
            FROM (SELECT to_jsonb(o) AS j FROM old_rows o) x;
          ELSE
            INSERT INTO {s}.row_changes (at, txid, db_user, table_name, op, row_id, form_id, before, after)
            SELECT clock_timestamp(), txid_current(), session_user, TG_TABLE_NAME, 'UPDATE', (o->>'id')::bigint,
                   COALESCE(n->>'form_id', n->>'id')::integer,
                   (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(o) e WHERE n -> e.key IS DISTINCT FROM e.value),
                   (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(n) e WHERE o -> e.key IS DISTINCT FROM e.value)
            FROM (SELECT to_jsonb(a) AS o, to_jsonb(b) AS n FROM old_rows a JOIN new_rows b
                  ON (to_jsonb(a)->>'id') = (to_jsonb(b)->>'id')) x
            WHERE o IS DISTINCT FROM n;
          END IF;
          RETURN NULL;
        END $$""",
        *(
            f"CREATE TRIGGER {t}_log_{op_.lower()} AFTER {op_} ON {s}.{t} "
            f"REFERENCING {'NEW TABLE AS new_rows' if op_ == 'INSERT' else 'OLD TABLE AS old_rows' if op_ == 'DELETE' else 'OLD TABLE AS old_rows NEW TABLE AS new_rows'} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {s}.jixiao_log_rows()"
            for t in ("forms", "goals", "indicators")
            for op_ in ("INSERT", "UPDATE", "DELETE")
        ),
        f"ALTER TABLE {s}.row_changes ALTER COLUMN txid SET DEFAULT txid_current()",
        f"ALTER TABLE {s}.row_changes ALTER COLUMN db_user SET DEFAULT session_user",
        f"ALTER TABLE {s}.row_changes ENABLE ROW LEVEL SECURITY",
        f"REVOKE ALL ON {s}.row_changes FROM PUBLIC",
        f"GRANT SELECT ON {s}.row_changes TO {APP_ROLES}",
        f"CREATE POLICY visible ON {s}.row_changes FOR SELECT TO jixiao_filler, jixiao_reviewer "
        f"USING (form_id IN (SELECT id FROM {s}.forms))",
        f"CREATE POLICY admin_read ON {s}.row_changes FOR SELECT TO jixiao_admin USING (true)",
        f"""CREATE FUNCTION {s}.jixiao_row_changes_append_only() RETURNS trigger LANGUAGE plpgsql {path} AS $$
           BEGIN RAISE EXCEPTION 'row_changes is append-only' USING ERRCODE = 'insufficient_privilege'; END $$""",
        f"CREATE TRIGGER row_changes_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {s}.row_changes "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {s}.jixiao_row_changes_append_only()",
        # -- the application's audit entries: stamped by the database, only beside a real change
        f"ALTER TABLE {s}.audit_log ALTER COLUMN txid SET DEFAULT txid_current()",
        f"""CREATE FUNCTION {s}.jixiao_audit_stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        BEGIN
          NEW.db_user := session_user;
          NEW.txid := txid_current();
          IF NOT {s}.jixiao_trusted_writer() THEN
            NEW.at := now();
            NEW.actor := COALESCE((SELECT u.name FROM {s}.app_users u WHERE u.login = session_user), session_user);
          END IF;
          RETURN NEW;
        END $$""",
        f"CREATE TRIGGER audit_log_stamp BEFORE INSERT ON {s}.audit_log FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_audit_stamp()",
        f"""CREATE FUNCTION {s}.jixiao_audit_beside_change() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        BEGIN
          IF NOT {s}.jixiao_trusted_writer() AND NOT EXISTS (
               SELECT 1 FROM {s}.row_changes c WHERE c.txid = NEW.txid AND c.form_id = NEW.form_id) THEN
            RAISE EXCEPTION 'jixiao: an audit entry needs a change of form % in the same transaction', NEW.form_id
              USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NULL;
        END $$""",
        f"CREATE CONSTRAINT TRIGGER audit_log_beside_change AFTER INSERT ON {s}.audit_log "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_audit_beside_change()",
        # -- fillers: column privileges only, deletes through checked functions
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {s}.forms, {s}.goals, {s}.indicators FROM jixiao_filler",
        f"""DO $$ DECLARE t text; cols text; BEGIN
          FOREACH t IN ARRAY ARRAY['forms','goals','indicators'] LOOP
            SELECT string_agg(quote_ident(column_name), ', ') INTO cols FROM information_schema.columns
             WHERE table_schema = '{literal}' AND table_name = t AND column_name NOT IN ('id', 'scores_trusted');
            EXECUTE format('GRANT UPDATE (%s) ON {s}.%I TO jixiao_filler', cols, t);
          END LOOP; END $$""",
        f"""CREATE FUNCTION {s}.jixiao_clear_children(fid integer) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
           {path} AS $$
        BEGIN
          IF NOT {s}.jixiao_may_edit(fid) THEN
            RAISE EXCEPTION 'jixiao: no permission to change form %', fid USING ERRCODE = 'insufficient_privilege';
          END IF;
          DELETE FROM {s}.indicators WHERE form_id = fid;
          DELETE FROM {s}.goals WHERE form_id = fid;
        END $$""",
        f"""CREATE FUNCTION {s}.jixiao_delete_form(fid integer) RETURNS void LANGUAGE plpgsql SECURITY DEFINER
           {path} AS $$
        BEGIN
          IF NOT {s}.jixiao_may_edit(fid) THEN
            RAISE EXCEPTION 'jixiao: no permission to delete form %', fid USING ERRCODE = 'insufficient_privilege';
          END IF;
          DELETE FROM {s}.forms WHERE id = fid;
        END $$""",
        *(
            f"REVOKE ALL ON FUNCTION {s}.{fn} FROM PUBLIC"
            for fn in (
                "jixiao_distrust(integer)",
                "jixiao_clear_children(integer)",
                "jixiao_delete_form(integer)",
                "jixiao_may_edit(integer)",
                "jixiao_log_rows()",
                "jixiao_audit_stamp()",
                "jixiao_audit_beside_change()",
            )
        ),
        f"GRANT EXECUTE ON FUNCTION {s}.jixiao_distrust(integer), {s}.jixiao_trusted_writer() TO {APP_ROLES}",
        f"GRANT EXECUTE ON FUNCTION {s}.jixiao_clear_children(integer), {s}.jixiao_delete_form(integer), "
        f"{s}.jixiao_may_edit(integer) TO jixiao_filler, jixiao_admin",
    ]


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for t in ("forms", "goals", "indicators"):
            for op_ in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS {t}_log_{op_} ON {t}")
        op.execute("DROP TRIGGER IF EXISTS audit_log_stamp ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_beside_change ON audit_log")
        for fn in (
            "jixiao_trusted_writer()",
            "jixiao_may_edit(integer)",
            "jixiao_distrust(integer)",
            "jixiao_clear_children(integer)",
            "jixiao_delete_form(integer)",
            "jixiao_log_rows()",
            "jixiao_audit_stamp()",
            "jixiao_audit_beside_change()",
            "jixiao_row_changes_append_only()",
        ):
            op.execute(f"DROP FUNCTION IF EXISTS {fn} CASCADE")
        op.execute("GRANT UPDATE, DELETE ON forms, goals, indicators TO jixiao_filler")
    op.drop_index("ix_row_changes_form", table_name="row_changes")
    op.drop_table("row_changes")
    with triggers_kept("audit_log"), op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("txid")
    with triggers_kept("forms"), op.batch_alter_table("forms", schema=None) as batch_op:
        batch_op.drop_column("scores_trusted")
