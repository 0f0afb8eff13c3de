"""row ids only from the sequences, stamps at the statement's time, evidence on an open form

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04

Four holes found by attacking the database as each role with plain psycopg:

- An admin's ``UPDATE indicators SET id = …, target = …`` left no trace in ``row_changes``: the
  row log pairs old and new rows by id, and a changed id pairs nothing. A row's id now never
  changes, for anyone (``BEFORE UPDATE OF id``, so other updates do not pay for it).
- A filler chose primary keys on INSERT. Giving a new form the id of another unit's deleted form
  made that form's whole history in ``row_changes`` (and ``audit_log``) readable, since both are
  shown by form id; ids taken ahead of the sequence made every other unit's next save fail. The
  application roles now hold INSERT on every column but ``id`` of forms, goals, indicators and
  audit_log, so their ids come from the sequences; behind that, a writer the database does not
  trust may use only ids its sequence has issued and never a deleted form's (one check per
  statement). A later migration that adds a column to these tables grants INSERT on it.
- A filler holding a transaction open from before a submission could still add evidence to the
  form once it was submitted, approved and signed. The evidence trigger now locks the form row
  and asks again whether the writer may edit it.
- The database's stamps (audit entries, evidence, 复核, monitoring, approvals) used ``now()``,
  the start of the transaction, so a filler could hold one open for days and write an entry
  dated before what it follows. They now use ``statement_timestamp()``.
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ID_TABLES = ("forms", "goals", "indicators", "audit_log")
FIXED_ID_TABLES = ("forms", "goals", "indicators")


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _functions(s: str, path: str) -> list[str]:
    return [
        f"""CREATE FUNCTION {s}.jixiao_id_fixed() RETURNS trigger LANGUAGE plpgsql {path} AS $$
        BEGIN
          IF NEW.id IS DISTINCT FROM OLD.id THEN
            RAISE EXCEPTION 'jixiao: the id of a % row never changes', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NEW;
        END $$""",
        f"""CREATE FUNCTION {s}.jixiao_ids_issued() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        DECLARE
          issued bigint;
        BEGIN
          IF {s}.jixiao_trusted_writer() THEN
            RETURN NULL;
          END IF;
          EXECUTE format('SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM %s',
                         pg_get_serial_sequence(format('%I.%I', TG_TABLE_SCHEMA, TG_TABLE_NAME), 'id')) INTO issued;
          IF EXISTS (SELECT 1 FROM new_rows WHERE id > issued) THEN
            RAISE EXCEPTION 'jixiao: % ids come from the sequence', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
          END IF;
          IF TG_TABLE_NAME = 'forms' AND EXISTS (
               SELECT 1 FROM new_rows n JOIN {s}.row_changes r
                 ON r.form_id = n.id AND r.table_name = 'forms' AND r.op = 'DELETE') THEN
            RAISE EXCEPTION 'jixiao: the id of a deleted form is not used again' USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NULL;
        END $$""",
        f"""CREATE FUNCTION {s}.jixiao_evidence_form_open() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        {path} AS $$
        BEGIN
          -- waits for (or, in a snapshot older than it, fails on) a submission in flight, then asks again
          PERFORM 1 FROM {s}.forms WHERE id = NEW.form_id FOR SHARE;
          IF NOT {s}.jixiao_may_edit(NEW.form_id) THEN
            RAISE EXCEPTION 'jixiao: form % is not open for evidence', NEW.form_id USING ERRCODE = 'insufficient_privilege';
          END IF;
          RETURN NEW;
        END $$""",
    ]


def _restamp(old: str, new: str) -> str:
    """Every jixiao function of this schema that stamps with ``old``, redefined to stamp with ``new``."""
    return f"""DO $$ DECLARE fn oid; BEGIN
      FOR fn IN SELECT p.oid FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                WHERE n.nspname = current_schema() AND p.proname LIKE 'jixiao%' AND p.prosrc LIKE '%{old}%'
      LOOP
        EXECUTE replace(pg_get_functiondef(fn), '{old}', '{new}');
      END LOOP;
    END $$"""


# INSERT for the application roles on every column but the id: the sequence alone gives ids.
_INSERT_WITHOUT_ID = """DO $$ DECLARE t text; r text; cols text; BEGIN
  FOREACH t IN ARRAY ARRAY['forms', 'goals', 'indicators', 'audit_log'] LOOP
    SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position) INTO cols
      FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = t AND column_name <> 'id';
    FOREACH r IN ARRAY ARRAY['jixiao_filler', 'jixiao_reviewer', 'jixiao_admin'] LOOP
      IF has_table_privilege(r, format('%I.%I', current_schema(), t), 'INSERT') THEN
        EXECUTE format('REVOKE INSERT ON %I.%I FROM %I', current_schema(), t, r);
        EXECUTE format('GRANT INSERT (%s) ON %I.%I TO %I', cols, current_schema(), t, r);
      END IF;
    END LOOP;
  END LOOP;
END $$"""
_INSERT_WITH_ID = [
    "GRANT INSERT ON forms, goals, indicators, audit_log TO jixiao_filler, jixiao_admin",
    "GRANT INSERT ON audit_log TO jixiao_reviewer",
]


def upgrade() -> None:
    s = _schema()
    if s is None:
        return
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    op.execute(_INSERT_WITHOUT_ID)
    for sql in _functions(s, path):
        op.execute(sql)
    for t in FIXED_ID_TABLES:
        op.execute(
            f"CREATE TRIGGER {t}_id_fixed BEFORE UPDATE OF id ON {s}.{t} FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_id_fixed()"
        )
    for t in ID_TABLES:
        op.execute(
            f"CREATE TRIGGER {t}_ids_issued AFTER INSERT ON {s}.{t} REFERENCING NEW TABLE AS new_rows "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {s}.jixiao_ids_issued()"
        )
    op.execute(
        f"CREATE TRIGGER evidence_form_open BEFORE INSERT ON {s}.evidence "
        f"FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_evidence_form_open()"
    )
    op.execute(
        f"REVOKE ALL ON FUNCTION {s}.jixiao_id_fixed(), {s}.jixiao_ids_issued(), "
        f"{s}.jixiao_evidence_form_open() FROM PUBLIC"
    )
    op.execute(_restamp("now()", "statement_timestamp()"))


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(_restamp("statement_timestamp()", "now()"))
    for sql in _INSERT_WITH_ID:
        op.execute(sql)
    op.execute(f"DROP TRIGGER IF EXISTS evidence_form_open ON {s}.evidence")
    for t in ID_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {t}_ids_issued ON {s}.{t}")
    for t in FIXED_ID_TABLES:
        op.execute(f"DROP TRIGGER IF EXISTS {t}_id_fixed ON {s}.{t}")
    for fn in ("jixiao_id_fixed()", "jixiao_ids_issued()", "jixiao_evidence_form_open()"):
        op.execute(f"DROP FUNCTION IF EXISTS {s}.{fn}")
