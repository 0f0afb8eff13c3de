"""ids are drawn by the database, not by a login; no TRUNCATE of forms, goals or indicators; who and when of a form stamped

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-04

Two holes found by attacking the database as each role with plain psycopg:

- Every application login held USAGE on the id sequences (for the columns' ``nextval`` default),
  so any of them could call ``nextval`` itself: ``SELECT count(nextval('indicators_id_seq')) FROM
  generate_series(1, 2147483647)`` draws some 3 million ids a second and uses up the integer ids in
  about 11 minutes. After that no one can save a form again (every save writes its rows anew), and
  only the DBA can mend it. The application roles now hold nothing on the sequences; a row's id is
  drawn by a ``SECURITY DEFINER`` trigger that fires first, only when the insert gives none (the
  owner's restore and bulk COPY give theirs). A login can still burn ids only by inserting rows
  that pass every check (one full insert with its triggers per id, thousands of times slower).
- The owner's ``TRUNCATE indicators`` (or goals, or forms with their children) emptied signed forms
  without firing the row triggers: no read-only guard, nothing in ``row_changes``. A statement
  trigger now refuses TRUNCATE of these tables for every role, as for the logs; the owner can
  still disable the triggers, as documented, and a restore does.
- A form's 修改人 and 修改时间 (``updated_by``, ``updated_at``) and its 签章时间 (``signed_at``) were the
  client's: a filler could change a target and name the reviewer, dated last year, and jixiao's
  save-conflict message and ``list`` showed that. For every writer but the owner (and
  ``jixiao_scorer``) the database now stamps them: the registered name of the login and the
  statement's time; an UPDATE that changes nothing else leaves them as they were.
"""

from __future__ import annotations

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

SEQUENCE_TABLES = ("forms", "goals", "indicators", "audit_log", "units", "evidence", "rechecks", "monitoring")
NO_TRUNCATE = ("forms", "goals", "indicators")
APP_ROLES = "jixiao_filler, jixiao_reviewer, jixiao_admin"


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _sequence(s: str, table: str) -> str:
    seq = op.get_bind().exec_driver_sql("SELECT pg_get_serial_sequence(%s, 'id')", (f"{s}.{table}",)).scalar_one()
    return str(seq)


def _forms_stamp(s: str, path: str) -> str:
    """Fires after the id and before every other trigger, so that the read-only guard sees the stamp."""
    same = "- 'scores_trusted' - 'updated_at' - 'updated_by' - 'signed_at'"
    return f"""CREATE FUNCTION {s}.jixiao_forms_stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        BEGIN
          IF {s}.jixiao_trusted_writer() THEN
            RETURN NEW;
          END IF;
          IF TG_OP = 'UPDATE' AND (to_jsonb(OLD) {same}) = (to_jsonb(NEW) {same}) THEN
            NEW.updated_at := OLD.updated_at; NEW.updated_by := OLD.updated_by; NEW.signed_at := OLD.signed_at;
            RETURN NEW;
          END IF;
          NEW.updated_at := statement_timestamp();
          NEW.updated_by := COALESCE((SELECT u.name FROM {s}.app_users u WHERE u.login = session_user), session_user);
          IF TG_OP = 'INSERT' THEN
            NEW.created_at := statement_timestamp();
            NEW.signed_at := NULL;
          ELSIF NEW.status = 'signed' AND OLD.status <> 'signed' THEN
            NEW.signed_at := statement_timestamp();
          ELSIF NEW.status <> 'signed' AND OLD.status = 'signed' THEN
            NEW.signed_at := NULL;
          ELSE
            NEW.signed_at := OLD.signed_at;
          END IF;
          RETURN NEW;
        END $$"""


def upgrade() -> None:
    s = _schema()
    if s is None:
        return
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    # an earlier migration of this run may have written audit entries whose deferred check is pending,
    # and ALTER TABLE refuses a table with pending trigger events: run those checks now
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.execute(
        f"""CREATE FUNCTION {s}.jixiao_new_id() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        BEGIN
          NEW.id := nextval(pg_get_serial_sequence(format('%I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME), 'id'));
          RETURN NEW;
        END $$"""
    )
    op.execute(
        f"""CREATE FUNCTION {s}.jixiao_no_truncate() RETURNS trigger LANGUAGE plpgsql {path} AS $$
        BEGIN
          RAISE EXCEPTION 'jixiao: % is not truncated (every change is logged)', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
        END $$"""
    )
    op.execute(_forms_stamp(s, path))
    op.execute(
        f"CREATE TRIGGER forms_1_stamp BEFORE INSERT OR UPDATE ON {s}.forms FOR EACH ROW "
        f"EXECUTE FUNCTION {s}.jixiao_forms_stamp()"
    )
    op.execute(
        f"REVOKE ALL ON FUNCTION {s}.jixiao_new_id(), {s}.jixiao_no_truncate(), {s}.jixiao_forms_stamp() FROM PUBLIC"
    )
    for t in SEQUENCE_TABLES:
        seq = _sequence(s, t)
        op.execute(f"REVOKE ALL ON SEQUENCE {seq} FROM PUBLIC, {APP_ROLES}")
        op.execute(f"ALTER TABLE {s}.{t} ALTER COLUMN id DROP DEFAULT")
        # "0" sorts before every other trigger's name: the id is set before any trigger reads it
        op.execute(
            f"CREATE TRIGGER {t}_0_new_id BEFORE INSERT ON {s}.{t} FOR EACH ROW WHEN (NEW.id IS NULL) "
            f"EXECUTE FUNCTION {s}.jixiao_new_id()"
        )
    for t in NO_TRUNCATE:
        op.execute(
            f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {s}.{t} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION {s}.jixiao_no_truncate()"
        )


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(f"DROP TRIGGER IF EXISTS forms_1_stamp ON {s}.forms")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_forms_stamp()")
    for t in NO_TRUNCATE:
        op.execute(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {s}.{t}")
    for t in SEQUENCE_TABLES:
        seq = _sequence(s, t)
        op.execute(f"DROP TRIGGER IF EXISTS {t}_0_new_id ON {s}.{t}")
        op.execute(f"ALTER TABLE {s}.{t} ALTER COLUMN id SET DEFAULT nextval('{seq}'::regclass)")
        grantees = "jixiao_reviewer, jixiao_admin" if t == "rechecks" else "jixiao_filler, jixiao_admin"
        if t in ("forms", "goals", "indicators", "audit_log", "units"):
            op.execute(f"GRANT USAGE, SELECT ON SEQUENCE {seq} TO {APP_ROLES}")
        else:
            op.execute(f"GRANT USAGE ON SEQUENCE {seq} TO {grantees}")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_new_id(), {s}.jixiao_no_truncate()")
