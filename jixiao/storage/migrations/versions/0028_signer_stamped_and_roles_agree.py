"""the 签章人 is stamped by the database; the login's role must agree with its record; who signed is
told only to those who see the form (PostgreSQL)

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05

Three holes found by attacking the signature path and the role records with psql:

- ``forms.signed_by`` was whatever the client wrote. A reviewer with psql (or ``--signer``) could
  sign as "局长 王五"; the certificate was bound to their login (0024), but the 签章人 on record
  was not. A filler could write ``signed_by``/``signature_sha256`` on a draft. Now, for every role
  but the owner (and ``jixiao_scorer``), the database writes the 签章人 itself when a form becomes
  已签章 (the user's name, as it stamps 修改人), and refuses any other write of the signature columns
  than clearing them. ``jixiao_signer_name()`` tells jixiao that name before it signs the PDF.
- ``jixiao_may_edit`` and ``jixiao_begin_evaluation`` believed ``app_users.role`` alone, while row-level
  security reads the login's PostgreSQL role. An admin who wrote 'admin' into a filler's record gave
  that filler another unit's forms through those functions. They now need both to agree.
- Any role could call ``jixiao_signer_binding`` and ``jixiao_certificate_holder`` and learn who signed
  any form id, or whose any certificate is. Now they answer only about forms the caller may see (as
  row-level security decides), or the caller's own certificate; admins and the owner see all.
"""

from __future__ import annotations

from alembic import op

from jixiao.storage.migrations.function_text import Rewrite, rewrite_functions

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None

#: (function, text as 0003-0026 left it, text now): each must be found, or the migration stops
REWRITES: tuple[Rewrite, ...] = (
    *(
        (fn, f"u.role = '{r}'", f"(u.role = '{r}' AND pg_catalog.pg_has_role(session_user, 'jixiao_{r}', 'MEMBER'))")
        for fn in ("jixiao_may_edit", "jixiao_begin_evaluation")
        for r in ("admin", "filler")
    ),
    (
        "jixiao_signer_binding",
        "WHERE r.table_name = 'forms' AND r.row_id = fid",
        "WHERE jixiao_sees_form(fid) AND r.table_name = 'forms' AND r.row_id = fid",
    ),
    (
        "jixiao_certificate_holder",
        "WHERE u.cert_sha256 = cert",
        "WHERE u.cert_sha256 = cert AND jixiao_may_know_holder(cert, u.login)",
    ),
)


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _functions(s: str, path: str) -> list[str]:
    member = "pg_catalog.pg_has_role(session_user, 'jixiao_{}', 'MEMBER')".format
    return [
        # the 签章人 the database records for this login; NULL for the owner, whose name stands
        f"""CREATE FUNCTION {s}.jixiao_signer_name() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER {path} AS $$
        SELECT CASE WHEN {s}.jixiao_trusted_writer() THEN NULL
               ELSE COALESCE((SELECT u.name FROM {s}.app_users u WHERE u.login = session_user), session_user::text) END $$""",
        # the forms row-level security shows this login (0003's policies, asked from SECURITY DEFINER code)
        f"""CREATE FUNCTION {s}.jixiao_sees_form(fid integer) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
        {path} AS $$
        SELECT {s}.jixiao_trusted_writer() OR {member("admin")} OR EXISTS (
          SELECT 1 FROM {s}.forms f WHERE f.id = fid AND (
            ({member("filler")} AND f.implementing_unit = {s}.jixiao_my_unit())
            OR ({member("reviewer")} AND {s}.jixiao_in_scope(f.department)))) $$""",
        f"""CREATE FUNCTION {s}.jixiao_may_know_holder(cert text, holder text) RETURNS boolean LANGUAGE sql STABLE
        SECURITY DEFINER {path} AS $$
        SELECT holder = session_user OR {s}.jixiao_trusted_writer() OR {member("admin")} OR EXISTS (
          SELECT 1 FROM {s}.forms f WHERE f.signer_cert_sha256 = cert AND {s}.jixiao_sees_form(f.id)) $$""",
        f"""CREATE FUNCTION {s}.jixiao_signature_stamp() RETURNS trigger LANGUAGE plpgsql {path} AS $$
        BEGIN
          IF {s}.jixiao_trusted_writer() THEN
            RETURN NEW;
          END IF;
          IF TG_OP = 'UPDATE' AND NEW.status = 'signed' AND OLD.status IS DISTINCT FROM 'signed' THEN
            NEW.signed_by := {s}.jixiao_signer_name();
            RETURN NEW;
          END IF;
          IF TG_OP = 'UPDATE' AND (NEW.signed_by, NEW.signature_sha256, NEW.signer_cert_sha256)
             IS NOT DISTINCT FROM (OLD.signed_by, OLD.signature_sha256, OLD.signer_cert_sha256) THEN
            RETURN NEW;
          END IF;
          IF COALESCE(NEW.signed_by, '') = '' AND COALESCE(NEW.signature_sha256, '') = ''
             AND NEW.signer_cert_sha256 IS NULL THEN
            RETURN NEW;  -- cleared, as a reopening does
          END IF;
          RAISE EXCEPTION 'jixiao: form %: the signature columns are written only by signing the form', NEW.id
            USING ERRCODE = 'check_violation';
        END $$""",
    ]


def upgrade() -> None:
    s = _schema()
    if s is None:
        return
    for sql in _functions(s, f"SET search_path = pg_catalog, {s}, pg_temp"):
        op.execute(sql)
    for fn in ("jixiao_signer_name()", "jixiao_sees_form(integer)", "jixiao_may_know_holder(text, text)"):
        op.execute(f"REVOKE ALL ON FUNCTION {s}.{fn} FROM PUBLIC")
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_signature_stamp() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION {s}.jixiao_signer_name() TO jixiao_filler, jixiao_reviewer, jixiao_admin")
    op.execute(  # named to fire after forms_status_at_insert: a form created 已签章 is refused by four eyes first
        f"CREATE TRIGGER forms_written_signature BEFORE INSERT OR UPDATE ON {s}.forms FOR EACH ROW "
        f"EXECUTE FUNCTION {s}.jixiao_signature_stamp()"
    )
    op.execute(
        f"CREATE INDEX ix_forms_signer_cert ON {s}.forms (signer_cert_sha256) WHERE signer_cert_sha256 IS NOT NULL"
    )
    rewrite_functions(REWRITES)


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    rewrite_functions(REWRITES, undo=True)
    op.execute(f"DROP INDEX IF EXISTS {s}.ix_forms_signer_cert")
    op.execute(f"DROP TRIGGER IF EXISTS forms_written_signature ON {s}.forms")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_signature_stamp()")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_may_know_holder(text, text)")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_sees_form(integer)")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_signer_name()")
