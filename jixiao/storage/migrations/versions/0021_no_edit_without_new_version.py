"""a change to a form's rows needs a new version of the form; a change of the form row makes one

Revision ID: 0021
Revises: 0019
Create Date: 2026-12-04

A hole found by attacking the database with plain psycopg: the README promises no lost edits, and
jixiao keeps that promise with the form's ``version`` (a save names the version it read; a save of
an older one is a conflict). But a filler could change ``indicators.actual`` (or a goal, or any
row of the form) with psql without touching ``forms.version``. A colleague's jixiao save with the
version read before then passed the check and rewrote every row: the psql change was gone, with no
conflict dialog (only ``row_changes`` still held it).

- A deferred constraint trigger on goals and indicators checks at commit that the transaction that
  inserted, changed or deleted a row also raised its form's version (read from ``row_changes``,
  which only the database's triggers write: the version the form had when the transaction first
  changed it, against the one it has at commit). A form created or deleted in the same transaction
  passes. An UPDATE that changes only the derived verdict columns (``computed_*``, ``agg_*``) is
  not checked: the owner's ``jixiao db rescore`` writes them, they are recomputed from the data,
  and a save that overwrites them loses nothing. Any other column changed with them is checked.
- The check costs a statement, not a row: a statement trigger on goals and indicators (with
  transition tables, one per event) puts each form whose rows it changed into ``version_checks``
  once per transaction (no application role may read or write it), and a deferred constraint
  trigger on that queue checks the form at commit and takes its row out again. A bulk load of
  100,000 indicators pays about 6,700 checks (one per new form) instead of 100,000.
- An UPDATE of the form row that changes its data but not its version gets the next version from
  the database, so the same hole does not open on the form row itself (jixiao's save always sets
  the version it writes; the database leaves that alone).

For every role, the owner included: a direct edit by the DBA is lost to a colleague's save just
as a filler's is. The owner's restore disables the triggers, as before; a bulk load inserts new
forms, which pass.
"""

from __future__ import annotations

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

CHILDREN = ("goals", "indicators")
DERIVED = {"goals": (), "indicators": ("computed_status", "computed_score", "agg_weight_u", "agg_score_u")}
# the form row's columns that are not its data (as migration 0004's guard and 0019's stamp count them)
NOT_DATA = (
    *("status", "version", "updated_at", "updated_by", "signed_at", "signed_by", "signature_sha256"),
    "signer_cert_sha256",  # migration 0020: stamped with the signature
    *("computed_rules", "computed_total", "computed_grade", "computed_rate", "computed_pending"),
    *("computed_problems", "agg_total_c", "agg_recorded_c", "agg_planned_u", "agg_executed_u"),
    *("agg_errors", "agg_warnings", "agg_infos", "agg_indicators", "scores_trusted"),
)


def _arr(names: tuple[str, ...]) -> str:
    return "ARRAY[" + ", ".join(f"'{n}'" for n in names) + "]::text[]"


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _touched(s: str, path: str) -> str:
    """Once per statement: the forms whose rows it changed, one queue row per form and transaction."""
    return f"""CREATE FUNCTION {s}.jixiao_rows_touched() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
           {path} AS $$
        DECLARE
          derived text[] := COALESCE(TG_ARGV, '{{}}');  -- the columns whose change alone is no edit (none: NULL)
        BEGIN
          IF TG_OP = 'INSERT' THEN
            INSERT INTO {s}.version_checks (txid, form_id)
            SELECT DISTINCT txid_current(), n.form_id FROM new_rows n ON CONFLICT DO NOTHING;
          ELSIF TG_OP = 'DELETE' THEN
            INSERT INTO {s}.version_checks (txid, form_id)
            SELECT DISTINCT txid_current(), o.form_id FROM old_rows o ON CONFLICT DO NOTHING;
          ELSE
            INSERT INTO {s}.version_checks (txid, form_id)
            SELECT DISTINCT txid_current(), f.form_id
              FROM old_rows o JOIN new_rows n ON n.id = o.id
              CROSS JOIN LATERAL (VALUES (o.form_id), (n.form_id)) f (form_id)
             WHERE (to_jsonb(o) - derived) IS DISTINCT FROM (to_jsonb(n) - derived)
            ON CONFLICT DO NOTHING;
          END IF;
          RETURN NULL;
        END $$"""


def _check(s: str, path: str) -> str:
    """At commit, once per form and transaction: the form has a higher version than when first changed."""
    return f"""CREATE FUNCTION {s}.jixiao_rows_need_version() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
           {path} AS $$
        DECLARE
          fid integer := NEW.form_id;
          now_version integer; first_version integer;
        BEGIN
          DELETE FROM {s}.version_checks q WHERE q.txid = NEW.txid AND q.form_id = fid;
          SELECT f.version INTO now_version FROM {s}.forms f WHERE f.id = fid;
          IF NOT FOUND OR EXISTS (SELECT 1 FROM {s}.row_changes c WHERE c.form_id = fid
               AND c.table_name = 'forms' AND c.op = 'INSERT' AND c.txid = txid_current()) THEN
            RETURN NULL;  -- deleted, or created, in this transaction
          END IF;
          SELECT (c.before ->> 'version')::integer INTO first_version FROM {s}.row_changes c
           WHERE c.form_id = fid AND c.table_name = 'forms' AND c.op = 'UPDATE' AND c.txid = txid_current()
             AND c.before ->> 'version' IS NOT NULL
           ORDER BY c.id LIMIT 1;
          IF first_version IS NULL OR now_version <= first_version THEN
            RAISE EXCEPTION 'jixiao: 表单 % 的目标或指标行已修改，但同一事务没有增加表单的版本号（forms.version）', fid
              USING ERRCODE = 'check_violation',
                    DETAIL = '否则同事按旧版本保存时会覆盖这次修改，且不提示冲突。',
                    HINT = format('在同一事务中执行 UPDATE forms SET version = version + 1 WHERE id = %s', fid);
          END IF;
          RETURN NULL;
        END $$"""


def _bump(s: str, path: str) -> str:
    return f"""CREATE FUNCTION {s}.jixiao_forms_next_version() RETURNS trigger LANGUAGE plpgsql {path} AS $$
        BEGIN
          IF NEW.version = OLD.version AND (to_jsonb(OLD) - {_arr(NOT_DATA)}) IS DISTINCT FROM
                                           (to_jsonb(NEW) - {_arr(NOT_DATA)}) THEN
            NEW.version := OLD.version + 1;
          END IF;
          RETURN NEW;
        END $$"""


def _queue(s: str) -> list[str]:
    """The forms a transaction changed rows of, each once: only the database's triggers write it."""
    return [
        f"CREATE TABLE {s}.version_checks (txid bigint NOT NULL, form_id integer NOT NULL, PRIMARY KEY (txid, form_id))",
        f"REVOKE ALL ON {s}.version_checks FROM PUBLIC",
        # one check per form and transaction, at commit; it takes its row out again, so the table stays empty
        f"CREATE CONSTRAINT TRIGGER version_checks_at_commit AFTER INSERT ON {s}.version_checks "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_rows_need_version()",
    ]


def _statement_triggers(s: str, t: str) -> list[str]:
    # a trigger with transition tables covers one event; named after 0004's "…_log_…", so the log is written first
    derived = ", ".join(f"'{n}'" for n in DERIVED[t])
    refs = {"insert": "NEW TABLE AS new_rows", "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}
    return [
        f"CREATE TRIGGER {t}_version_needed_{event} AFTER {event.upper()} ON {s}.{t} "
        f"REFERENCING {refs.get(event, 'OLD TABLE AS old_rows')} FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {s}.jixiao_rows_touched({derived if event == 'update' else ''})"
        for event in ("insert", "update", "delete")
    ]


def upgrade() -> None:
    s = _schema()
    if s is None:
        return
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")  # pending deferred checks of earlier migrations block ALTER/CREATE
    op.execute(_check(s, path))
    op.execute(_touched(s, path))
    op.execute(_bump(s, path))
    functions = ("jixiao_rows_need_version()", "jixiao_rows_touched()", "jixiao_forms_next_version()")
    op.execute(f"REVOKE ALL ON FUNCTION {', '.join(f'{s}.{f}' for f in functions)} FROM PUBLIC")
    for statement in _queue(s):
        op.execute(statement)
    for t in CHILDREN:
        for statement in _statement_triggers(s, t):
            op.execute(statement)
    # "2": after 0019's id and stamp, before the guard, which sees the new version as a workflow change
    op.execute(
        f"CREATE TRIGGER forms_2_next_version BEFORE UPDATE ON {s}.forms FOR EACH ROW "
        f"EXECUTE FUNCTION {s}.jixiao_forms_next_version()"
    )


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.execute(f"DROP TRIGGER IF EXISTS forms_2_next_version ON {s}.forms")
    for t in CHILDREN:
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {t}_version_needed_{event} ON {s}.{t}")
    op.execute(f"DROP TABLE IF EXISTS {s}.version_checks")
    op.execute(
        f"DROP FUNCTION IF EXISTS {s}.jixiao_rows_need_version(), {s}.jixiao_rows_touched(), "
        f"{s}.jixiao_forms_next_version()"
    )
