"""a refused signature names the certificate's holder only to who may know it; leaving 已签章 clears the
signature (PostgreSQL)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05

Two holes found by attacking 0028 with psql:

- 0028 told whose a certificate is (``jixiao_certificate_holder``) only to its holder, admins, the owner
  and those who see a form signed with it. ``jixiao_may_sign_with(cert)``, which every reviewer may
  call, still answered 'the signing certificate is registered to <login>' for any certificate, and so
  did the refusal of a move to 已签章 made with it. Now it names the holder only when
  ``jixiao_may_know_holder`` would; otherwise 'registered to another login'.
- A reopening through jixiao clears the 签章人, the signature's fingerprint and the certificate, and
  docs/security.md promised the certificate is "cleared by a reopening"; a reviewer who reopened with
  psql (``UPDATE forms SET status = 'draft'``) left all three on the draft. Now, for every role but the
  owner (and ``jixiao_scorer``), the database clears them on any move out of 已签章.
"""

from __future__ import annotations

from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

#: (function, text as 0025/0028 left it, text now): each must be found, or the migration stops
REWRITES: tuple[tuple[str, str, str], ...] = (
    (
        "jixiao_may_sign_with",
        "IF holder IS NOT NULL AND holder <> session_user THEN\n",
        "IF holder IS NOT NULL AND holder <> session_user AND NOT jixiao_may_know_holder(cert, holder) THEN\n"
        "        RETURN format('the signing certificate is registered to another login, not to %s', session_user);\n"
        "      END IF;\n"
        "      IF holder IS NOT NULL AND holder <> session_user THEN\n",
    ),
    (
        "jixiao_signature_stamp",
        "IF TG_OP = 'UPDATE' AND (NEW.signed_by, NEW.signature_sha256",
        "IF TG_OP = 'UPDATE' AND OLD.status = 'signed' AND NEW.status IS DISTINCT FROM 'signed' THEN\n"
        "            NEW.signed_by := ''; NEW.signature_sha256 := ''; NEW.signer_cert_sha256 := NULL;\n"
        "            RETURN NEW;  -- a reopening: the signature no longer stands\n"
        "          END IF;\n"
        "          IF TG_OP = 'UPDATE' AND (NEW.signed_by, NEW.signature_sha256",
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
