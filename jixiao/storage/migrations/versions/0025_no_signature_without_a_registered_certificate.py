"""once certificates are registered, a login signs only with its own: none registered, no signature (PostgreSQL)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05

A hole left by 0024, found by attacking it as reviewer A: a login with no certificate registered
could still sign with one nobody registered, say a self-made certificate with colleague B's name in
it (B's own registered certificate differs, so nothing caught it). ``verify`` then confirmed the
copy, naming nobody as the holder, and the record said A signed.

From this migration, once the registry is in use (any user has a certificate registered), the
database refuses a move to 已签章 by a login that has none registered, for every role and the owner.
A database with no certificate registered signs as before (nothing to bind to); the first
registration turns the binding on for everyone, so an admin registers every signer's certificate
first. ``jixiao_may_sign_with`` says why, and jixiao asks it before it signs anything.
"""

from __future__ import annotations

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _may_sign(s: str, path: str, strict: bool) -> str:
    """0024's function; ``strict``: also refuse a login with none registered while the registry is in use."""
    none_registered = f"""
      IF mine IS NULL AND EXISTS (SELECT 1 FROM {s}.app_users u WHERE u.cert_sha256 IS NOT NULL) THEN
        RETURN format('%s has no signing certificate registered', session_user);
      END IF;"""
    return f"""CREATE OR REPLACE FUNCTION {s}.jixiao_may_sign_with(cert text) RETURNS text LANGUAGE plpgsql
    STABLE SECURITY DEFINER {path} AS $$
    DECLARE mine text; holder text;
    BEGIN
      SELECT u.cert_sha256 INTO mine FROM {s}.app_users u WHERE u.login = session_user;
      SELECT u.login INTO holder FROM {s}.app_users u WHERE u.cert_sha256 = cert;
      IF holder IS NOT NULL AND holder <> session_user THEN
        RETURN format('the signing certificate is registered to %s, not to %s', holder, session_user);
      END IF;
      IF mine IS NOT NULL AND cert IS DISTINCT FROM mine THEN
        RETURN format('%s signs only with the certificate registered to it', session_user);
      END IF;{none_registered if strict else ""}
      RETURN NULL;
    END $$"""


def _replace(strict: bool) -> None:
    s = _schema()
    if s is None:
        return
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    op.execute(_may_sign(s, path, strict))  # CREATE OR REPLACE keeps 0024's grants and the trigger's use of it


def upgrade() -> None:
    _replace(strict=True)


def downgrade() -> None:
    _replace(strict=False)
