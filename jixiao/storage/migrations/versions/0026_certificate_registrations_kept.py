"""every registration of a signing certificate is kept; verify asks whether the signer signed with their own

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05

``app_users.cert_sha256`` holds a user's current certificate only: a renewal replaced it, and nothing
said who registered which certificate when. ``certificate_registrations`` keeps each change (the
login, the certificate or NULL for cleared, when, and the login that made it), written by the
database beside the change, for psql too; nobody may change or delete a row, the owner neither (a
restore loads it with the user triggers off, like the other logs). Admins read it; no role writes it.

``jixiao_signer_binding(form, cert)`` tells ``jixiao verify`` (any role) which login moved the form to
已签章 (``row_changes``, stamped by the database), whether that login has ever had a certificate
registered, and whether ``cert`` is one of them: a copy signed with another is not confirmed.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

TABLE = "certificate_registrations"


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _log(s: str, path: str) -> str:
    return f"""CREATE FUNCTION {s}.jixiao_log_certificate() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER {path} AS $$
    BEGIN
      INSERT INTO {s}.{TABLE} (login, cert_sha256, registered_at, registered_by)
      VALUES (NEW.login, NEW.cert_sha256, now(), session_user);
      RETURN NULL;
    END $$"""


def _binding(s: str, path: str) -> str:
    """(signer's login, has one registered, ``cert`` is one of theirs); no row when no signer is on record."""
    ever = f"""SELECT c.cert_sha256 FROM {s}.{TABLE} c WHERE c.login = who.login AND c.cert_sha256 IS NOT NULL
               UNION SELECT u.cert_sha256 FROM {s}.app_users u WHERE u.login = who.login AND u.cert_sha256 IS NOT NULL"""
    return f"""CREATE FUNCTION {s}.jixiao_signer_binding(fid integer, cert text)
    RETURNS TABLE (login text, registered boolean, own boolean) LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
      SELECT who.login::text, EXISTS ({ever}), cert IN ({ever})
      FROM (SELECT r.db_user AS login FROM {s}.row_changes r
            WHERE r.table_name = 'forms' AND r.row_id = fid AND r.op = 'UPDATE' AND (r.after ->> 'status') = 'signed'
            ORDER BY r.id DESC LIMIT 1) who $$"""


def _sqlite_log(name: str, on: str, when: str) -> str:
    return (
        f"CREATE TRIGGER app_users_certificate_{name} AFTER {on} ON app_users "
        f"WHEN {when} BEGIN INSERT INTO {TABLE} (login, cert_sha256, registered_at, registered_by) "
        "VALUES (NEW.login, NEW.cert_sha256, CURRENT_TIMESTAMP, ''); END"
    )


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("login", sa.String(63), nullable=False),
        sa.Column("cert_sha256", sa.String(64), nullable=True),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("registered_by", sa.String(63), nullable=False, server_default=""),
    )
    op.create_index("ix_certificate_registrations_login", TABLE, ["login", "id"])
    # the registrations of 0024, as they stand (who made them, and when, is not known: registered_by '')
    op.execute(
        f"INSERT INTO {TABLE} (login, cert_sha256, registered_by) "
        "SELECT login, cert_sha256, '' FROM app_users WHERE cert_sha256 IS NOT NULL ORDER BY login"
    )
    s = _schema()
    if s is None:
        # an UPDATE only: a restore INSERTs app_users with its certificates, and their registrations beside
        op.execute(_sqlite_log("update", "UPDATE OF cert_sha256", "NEW.cert_sha256 IS NOT OLD.cert_sha256"))
        return
    _postgres(s, f"SET search_path = pg_catalog, {s}, pg_temp")


def _postgres(s: str, path: str) -> None:
    t = f"{s}.{TABLE}"
    op.execute(f"REVOKE ALL ON {t} FROM PUBLIC")
    seq = op.get_bind().exec_driver_sql("SELECT pg_get_serial_sequence(%s, 'id')", (t,)).scalar_one()
    op.execute(f"REVOKE ALL ON SEQUENCE {seq} FROM PUBLIC")
    op.execute(f"GRANT SELECT ON {t} TO jixiao_admin")
    op.execute(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY admin_read ON {t} FOR SELECT TO jixiao_admin USING (true)")
    op.execute(
        f"""CREATE FUNCTION {s}.jixiao_certificate_registrations_append_only() RETURNS trigger LANGUAGE plpgsql
        {path} AS $$ BEGIN
          RAISE EXCEPTION '{TABLE} is append-only' USING ERRCODE = 'insufficient_privilege';
        END $$"""
    )
    op.execute(
        f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON {t} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {s}.jixiao_certificate_registrations_append_only()"
    )
    op.execute(_log(s, path))
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_log_certificate() FROM PUBLIC")
    op.execute(
        f"CREATE TRIGGER app_users_certificate_insert AFTER INSERT ON {s}.app_users FOR EACH ROW "
        f"WHEN (NEW.cert_sha256 IS NOT NULL) EXECUTE FUNCTION {s}.jixiao_log_certificate()"
    )
    op.execute(
        f"CREATE TRIGGER app_users_certificate_update AFTER UPDATE OF cert_sha256 ON {s}.app_users FOR EACH ROW "
        f"WHEN (NEW.cert_sha256 IS DISTINCT FROM OLD.cert_sha256) EXECUTE FUNCTION {s}.jixiao_log_certificate()"
    )
    op.execute(_binding(s, path))
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_signer_binding(integer, text) FROM PUBLIC")
    op.execute(
        f"GRANT EXECUTE ON FUNCTION {s}.jixiao_signer_binding(integer, text) "
        "TO jixiao_filler, jixiao_reviewer, jixiao_admin"
    )


def downgrade() -> None:
    s = _schema()
    if s is None:
        op.execute("DROP TRIGGER IF EXISTS app_users_certificate_update")
    else:
        op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_signer_binding(integer, text)")
        op.execute(f"DROP TRIGGER IF EXISTS app_users_certificate_insert ON {s}.app_users")
        op.execute(f"DROP TRIGGER IF EXISTS app_users_certificate_update ON {s}.app_users")
        op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_log_certificate()")
    op.drop_index("ix_certificate_registrations_login", TABLE)
    op.drop_table(TABLE)
    if s is not None:
        op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_certificate_registrations_append_only()")
