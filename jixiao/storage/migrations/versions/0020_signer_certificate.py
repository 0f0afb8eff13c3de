"""the signing certificate's SHA-256 beside the 签章人

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-04

A hole found by attacking signed PDFs: the database kept only the 签章人's name (``signed_by``), so
the genuine form signed again (or instead) by any other key the verifier trusts passed
``jixiao verify``. jixiao now keeps the SHA-256 of the signing certificate (DER, lower-case hex) in
``forms.signer_cert_sha256``, and ``verify`` holds a signed copy to it. Forms signed before keep
NULL: their certificate of record is unknown.

The column is a workflow column like ``signed_by``: on PostgreSQL it is added to the lists of the
forms guard (0004/0009: unchangeable while a form is submitted, approved or signed, but with the
status), of the four-eyes triggers (0014, 0016: setting it is no change of the form's data) and to
the same column privileges as ``signed_by`` (reviewers may write it, with the status); a CHECK keeps
it a SHA-256. The functions are redefined from their stored text (as 0013 did), so that whatever
migration last wrote them keeps its version.
"""

from __future__ import annotations

import importlib

import sqlalchemy as sa
from alembic import op

from jixiao.storage.migrations.sqlite_triggers import triggers_kept

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

COLUMN = "signer_cert_sha256"
#: migration 0014's list of the form columns whose change is no change of the form's data, with this column
NOT_DATA: tuple[str, ...] = (
    *importlib.import_module("jixiao.storage.migrations.versions.0014_four_eyes_and_evidence_names").NOT_DATA,
    COLUMN,
)
#: the functions that name the workflow columns (forms guard, four eyes on the status and on 复核)
FUNCTIONS = ("jixiao_forms_guard", "jixiao_four_eyes", "jixiao_recheck_four_eyes")
_OLD = "'signature_sha256'"
_NEW = f"'signature_sha256', '{COLUMN}'"
_ROLES = "ARRAY['jixiao_filler', 'jixiao_reviewer', 'jixiao_admin']"


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _rewrite(old: str, new: str) -> str:
    """The listed functions of this schema redefined with ``old`` replaced by ``new`` in their text;
    an error if one of them is missing or does not hold ``old`` (the list would silently stay short)."""
    names = "ARRAY[" + ", ".join(f"'{f}'" for f in FUNCTIONS) + "]"
    return f"""DO $$ DECLARE fn text; o oid; BEGIN
      FOREACH fn IN ARRAY {names} LOOP
        SELECT p.oid INTO o FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         WHERE n.nspname = current_schema() AND p.proname = fn;
        IF o IS NULL OR position({_quote(old)} IN pg_get_functiondef(o)) = 0 THEN
          RAISE EXCEPTION 'jixiao: function % does not list the workflow columns as expected', fn;
        END IF;
        EXECUTE replace(pg_get_functiondef(o), {_quote(old)}, {_quote(new)});
      END LOOP;
    END $$"""


def _quote(sql: str) -> str:
    return "'" + sql.replace("'", "''") + "'"


def _privileges() -> str:
    """Each privilege an application role holds on ``signed_by``, granted on the column (dropped with it)."""
    return f"""DO $$ DECLARE r text; p text; BEGIN
      FOREACH r IN ARRAY {_ROLES} LOOP
        FOREACH p IN ARRAY ARRAY['SELECT', 'INSERT', 'UPDATE'] LOOP
          IF has_column_privilege(r, format('%I.forms', current_schema()), 'signed_by', p) THEN
            EXECUTE format('GRANT %s ({COLUMN}) ON %I.forms TO %I', p, current_schema(), r);
          END IF;
        END LOOP;
      END LOOP;
    END $$"""


def upgrade() -> None:
    with triggers_kept("forms"), op.batch_alter_table("forms", schema=None) as batch_op:
        batch_op.add_column(sa.Column(COLUMN, sa.String(length=64), nullable=True))
    s = _schema()
    if s is None:
        return
    op.execute(f"ALTER TABLE {s}.forms ADD CONSTRAINT ck_forms_{COLUMN} CHECK ({COLUMN} ~ '^[0-9a-f]{{64}}$')")
    op.execute(_privileges())
    op.execute(_rewrite(_OLD, _NEW))


def downgrade() -> None:
    s = _schema()
    if s is not None:
        op.execute(_rewrite(_NEW, _OLD))
        op.execute(f"ALTER TABLE {s}.forms DROP CONSTRAINT IF EXISTS ck_forms_{COLUMN}")
    with triggers_kept("forms"), op.batch_alter_table("forms", schema=None) as batch_op:
        batch_op.drop_column(COLUMN)
