"""a signing certificate is registered to one user; a login signs only with its own (PostgreSQL)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05

A hole found by reading the signature path as a hostile reviewer: the database kept the certificate
a form was signed with (migration 0020), but nothing tied a certificate to a person. Reviewer A,
holding a colleague's key (or one made in B's name), could sign as B: the PDF shows B's name, and
``jixiao verify`` confirmed it, since it holds a copy only to the certificate of record.

- ``app_users.cert_sha256``: the SHA-256 of a user's signing certificate, written by an admin
  (``jixiao users cert LOGIN FILE``); unique, so a certificate belongs to one user.
- Moving a form to 已签章 is refused, for every role and the owner, when its certificate is
  registered to another login than the one signing, or when the signing login has a registered
  certificate and signs with another. A login with none registered may still sign (the certificate
  of record then names nobody; ``users list`` shows who has none). On SQLite the roles are advisory.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from jixiao.storage.migrations.sqlite_triggers import triggers_kept

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _may_sign(s: str, path: str) -> str:
    """Why the session's login may not sign with the certificate ``cert`` (English, for the log), or NULL:
    asked by the trigger, and by jixiao before it signs anything (a reviewer may not read app_users)."""
    return f"""CREATE FUNCTION {s}.jixiao_may_sign_with(cert text) RETURNS text LANGUAGE plpgsql
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
      END IF;
      RETURN NULL;
    END $$"""


def _holder(s: str, path: str) -> str:
    """Who a certificate is registered to, for ``jixiao verify`` (which any role may run)."""
    return f"""CREATE FUNCTION {s}.jixiao_certificate_holder(cert text) RETURNS TABLE (login text, name text)
    LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
      SELECT u.login::text, u.name::text FROM {s}.app_users u WHERE u.cert_sha256 = cert $$"""


def _function(s: str, path: str) -> str:
    return f"""CREATE FUNCTION {s}.jixiao_signs_with_own_certificate() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER {path} AS $$
    DECLARE why text;
    BEGIN
      why := {s}.jixiao_may_sign_with(NEW.signer_cert_sha256);
      IF why IS NOT NULL THEN
        RAISE EXCEPTION 'jixiao: form %: %', NEW.id, why USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$"""


def upgrade() -> None:
    with triggers_kept("app_users"), op.batch_alter_table("app_users") as t:
        t.add_column(sa.Column("cert_sha256", sa.String(64), nullable=True))
    op.create_index("ix_app_users_cert", "app_users", ["cert_sha256"], unique=True)
    s = _schema()
    if s is None:
        return
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    op.execute("SET CONSTRAINTS ALL IMMEDIATE")
    op.execute(
        f"ALTER TABLE {s}.app_users ADD CONSTRAINT app_users_cert_is_sha256 "
        "CHECK (cert_sha256 IS NULL OR cert_sha256 ~ '^[0-9a-f]{64}$')"
    )
    op.execute(_may_sign(s, path))
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_may_sign_with(text) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {s}.jixiao_may_sign_with(text) TO jixiao_reviewer, jixiao_admin")
    op.execute(_holder(s, path))
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_certificate_holder(text) FROM PUBLIC")
    op.execute(
        f"GRANT EXECUTE ON FUNCTION {s}.jixiao_certificate_holder(text) TO jixiao_filler, jixiao_reviewer, jixiao_admin"
    )
    op.execute(_function(s, path))
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_signs_with_own_certificate() FROM PUBLIC")
    op.execute(
        f"CREATE TRIGGER forms_signs_with_own_certificate BEFORE UPDATE OF status ON {s}.forms FOR EACH ROW "
        "WHEN (NEW.status = 'signed' AND OLD.status IS DISTINCT FROM 'signed') "
        f"EXECUTE FUNCTION {s}.jixiao_signs_with_own_certificate()"
    )


def downgrade() -> None:
    s = _schema()
    if s is not None:
        op.execute(f"DROP TRIGGER IF EXISTS forms_signs_with_own_certificate ON {s}.forms")
        op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_signs_with_own_certificate()")
        op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_may_sign_with(text)")
        op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_certificate_holder(text)")
        op.execute(f"ALTER TABLE {s}.app_users DROP CONSTRAINT IF EXISTS app_users_cert_is_sha256")
    op.drop_index("ix_app_users_cert", "app_users")
    with triggers_kept("app_users"), op.batch_alter_table("app_users") as t:
        t.drop_column("cert_sha256")
