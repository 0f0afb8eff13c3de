"""who may do what is logged too: every change of app_users and units goes to row_changes (PostgreSQL)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05

README promises that every change is recorded by the database itself. Only forms, goals and
indicators (0004) and the certificates (0026) were: an admin with psql could make a filler the
reviewer of a 主管部门, let that login approve, and put the role back, leaving no trace of the grant.

Every INSERT, UPDATE and DELETE of ``app_users`` and ``units`` now goes to ``row_changes`` (login,
time, before and after), written by the database for every role and the owner. Those rows carry no
``form_id``, so the policy that shows fillers and reviewers the changes of their forms never shows
them; admins read them all, and nobody may change or delete them (0004's append-only trigger).
"""

from __future__ import annotations

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

TABLES = ("app_users", "units")


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _log(s: str, path: str) -> str:
    """0004's row log without a form, row by row (a login may be renamed, so no pairing of old and
    new rows by key): ``row_id`` is the row's id where it has one (units), else NULL."""
    return f"""CREATE FUNCTION {s}.jixiao_log_people() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
    DECLARE o jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
            n jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        IF o = n THEN RETURN NULL; END IF;
        o := (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(o) e
              WHERE n -> e.key IS DISTINCT FROM e.value OR e.key IN ('id', 'login'));
        n := (SELECT jsonb_object_agg(e.key, e.value) FROM jsonb_each(n) e
              WHERE to_jsonb(OLD) -> e.key IS DISTINCT FROM e.value OR e.key IN ('id', 'login'));
      END IF;
      INSERT INTO {s}.row_changes (at, txid, db_user, table_name, op, row_id, form_id, before, after)
      VALUES (clock_timestamp(), txid_current(), session_user, TG_TABLE_NAME, TG_OP,
              (COALESCE(n, o) ->> 'id')::bigint, NULL, o, n);
      RETURN NULL;
    END $$"""


def upgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(_log(s, f"SET search_path = pg_catalog, {s}, pg_temp"))
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_log_people() FROM PUBLIC")
    for t in TABLES:
        op.execute(
            f"CREATE TRIGGER {t}_log_people AFTER INSERT OR UPDATE OR DELETE ON {s}.{t} "
            f"FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_log_people()"
        )


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    for t in TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {t}_log_people ON {s}.{t}")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_log_people()")
