"""evidence and certificate registrations are dated by the statement that wrote them (PostgreSQL)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05

Migration 0013 dated every stamp at its statement (``statement_timestamp()``), so that a transaction
held open cannot date an entry earlier, and docs/security.md promises it for evidence. Migration 0017
redefined ``jixiao_evidence_stamp`` and brought ``now()`` back, the start of the transaction: a
filler who opened a transaction while a form was a draft, and attached a file in it after the form
had been submitted, returned and reopened, dated the file before the submission, as if the reviewer
had seen it. The registrations of 0026 (``jixiao_log_certificate``) used ``now()`` too, so an admin
could date a certificate's registration earlier. Both now take the statement's time.
"""

from __future__ import annotations

from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

#: (function, text as 0017/0026 left it, text now): each must be found, or the migration stops
REWRITES: tuple[tuple[str, str, str], ...] = (
    ("jixiao_evidence_stamp", "NEW.at := now();", "NEW.at := statement_timestamp();"),
    (
        "jixiao_log_certificate",
        "VALUES (NEW.login, NEW.cert_sha256, now(), session_user);",
        "VALUES (NEW.login, NEW.cert_sha256, statement_timestamp(), session_user);",
    ),
)


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _quote(sql: str) -> str:
    return "'" + sql.replace("'", "''") + "'"


def _rewrite(fn: str, old: str, new: str) -> str:
    """``fn`` of this schema redefined with ``old`` replaced by ``new``; an error when ``old`` is missing."""
    return f"""DO $$ DECLARE o oid; BEGIN
      SELECT p.oid INTO o FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = current_schema() AND p.proname = {_quote(fn)};
      IF o IS NULL OR position({_quote(old)} IN pg_get_functiondef(o)) = 0 THEN
        RAISE EXCEPTION 'jixiao: function % does not read as expected', {_quote(fn)};
      END IF;
      EXECUTE replace(pg_get_functiondef(o), {_quote(old)}, {_quote(new)});
    END $$"""


def upgrade() -> None:
    if _schema() is None:
        return
    for fn, old, new in REWRITES:
        op.execute(_rewrite(fn, old, new))


def downgrade() -> None:
    if _schema() is None:
        return
    for fn, old, new in REWRITES:
        op.execute(_rewrite(fn, new, old))
