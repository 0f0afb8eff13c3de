"""evidence is a change of the form's data (四眼原则); no invisible characters or look-alike slashes in its names

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04

Two holes found by attacking the database as each role with plain psycopg:

- Evidence (佐证材料) is embedded in the signed PDF, but the database's change log (``row_changes``,
  which migrations 0014 and 0016 read for 四眼) held only forms, goals and indicators. An admin
  could attach proof to a unit's draft, let the filler submit it, and then approve, sign or 复核 it:
  the log named the filler as the last to change the form. Every row written to ``evidence`` is now
  logged in ``row_changes`` by the database (table ``evidence``, the row's ``form_id``, the row
  without its bytes), so the triggers of 0014, 0015 and 0016 count it as a data change as they are.
  Evidence attached before this migration is logged now, after the changes already logged (``at``
  keeps when it was attached): its attacher counts as the form's last editor until someone changes
  the form again. jixiao now writes an 「附上佐证材料」 history entry with each file; one is written
  here for each file attached before. Of the other tables the signed PDF shows, goals and indicators are logged already;
  the 复核 is the reviewer's own second score, not the unit's data, and is not counted. The owner's
  evidence rows now keep the name jixiao gives, as its audit entries do, so that jixiao, which asks
  about the owner by name (the owner is exempt from the triggers), sees who attached them.
- Evidence names took zero-width and other format characters (Unicode category Cf: U+200B, U+FEFF,
  U+00AD …), which hide a different name behind the one a reviewer reads, and slashes that look
  like a path separator (／ ⁄ ∕ ⧸ ＼ ⧹ …). The CHECK constraint (PostgreSQL) and the trigger (SQLite)
  of migration 0014 are replaced by ones that refuse them too, the rule of
  ``jixiao.storage.evidence.name_problem``, restated here; rows stored before keep their names.
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# Category Cf (format characters) as of Unicode 15.1, the look-alike slashes and migration 0014's set
# (controls, bidi controls, line separators, / and \), as a regular expression Python and PostgreSQL
# read alike.
NAME_FORBIDDEN = (
    r"[\u0001-\u001f\u007f-\u009f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    r"\u200b-\u200f\u2028-\u202e\u2044\u2060-\u2064\u2066-\u206f\u2215\u2216\u2571\u2572"
    r"\u29f5\u29f8\u29f9\ufe68\ufeff\ufff9-\ufffb\uff0f\uff3c\U000110bd\U000110cd\U00013430-\U0001343f"
    r"\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f/\\]"
)
# The same set for SQLite's GLOB, as code points: (first, last) ranges.
SQLITE_RANGES = (
    *((1, 31), (127, 159), (0xAD, 0xAD), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD), (0x70F, 0x70F)),
    *((0x890, 0x891), (0x8E2, 0x8E2), (0x180E, 0x180E), (0x200B, 0x200F), (0x2028, 0x202E), (0x2044, 0x2044)),
    *((0x2060, 0x2064), (0x2066, 0x206F), (0x2215, 0x2216), (0x2571, 0x2572), (0x29F5, 0x29F5)),
    *((0x29F8, 0x29F9), (0xFE68, 0xFE68), (0xFEFF, 0xFEFF), (0xFFF9, 0xFFFB), (0xFF0F, 0xFF0F), (0xFF3C, 0xFF3C)),
    *((0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A)),
    *((0xE0001, 0xE0001), (0xE0020, 0xE007F)),
)
# migration 0014's rule, for the downgrade
OLD_FORBIDDEN = r"[\u0001-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069/\\]"
OLD_RANGES = ((1, 31), (127, 159), (0x061C, 0x061C), (0x200E, 0x200F), (0x2028, 0x202E), (0x2066, 0x2069))
MAX_BYTES = 10 * 1024 * 1024  # migration 0010's cap
OWNER = "pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER')"


def pg_name_check(forbidden: str = NAME_FORBIDDEN, column: str = "name") -> str:
    return f"{column} <> '' AND {column} NOT IN ('.', '..') AND {column} !~ '{forbidden}'"


def sqlite_name_refused(ranges: tuple[tuple[int, int], ...] = SQLITE_RANGES, column: str = "NEW.name") -> str:
    cls = " || ".join(f"char({a})" if a == b else f"char({a}) || '-' || char({b})" for a, b in ranges)
    return (
        f"{column} = '' OR {column} IN ('.', '..') OR length({column}) > 255 OR {column} GLOB '*[' || {cls} || '/\\]*'"
    )


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def _sqlite_names(ranges: tuple[tuple[int, int], ...]) -> None:
    op.execute("DROP TRIGGER IF EXISTS evidence_name_safe")
    op.execute(
        "CREATE TRIGGER evidence_name_safe BEFORE INSERT ON evidence "
        f"WHEN {sqlite_name_refused(ranges)} BEGIN SELECT RAISE(ABORT, 'evidence name not allowed'); END"
    )


def _pg_names(s: str, forbidden: str) -> None:
    check = pg_name_check(forbidden)
    op.execute(f"ALTER TABLE {s}.evidence DROP CONSTRAINT IF EXISTS evidence_name_safe")
    op.execute(f"ALTER TABLE {s}.evidence ADD CONSTRAINT evidence_name_safe CHECK ({check}) NOT VALID")
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM {s}.evidence WHERE NOT ({check})) THEN "
        f"ALTER TABLE {s}.evidence VALIDATE CONSTRAINT evidence_name_safe; END IF; END $$"
    )


def _log_evidence(s: str, path: str) -> str:
    # the row without its bytes (up to 10 MB): the hash names them
    return f"""CREATE FUNCTION {s}.jixiao_log_evidence() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
    BEGIN
      INSERT INTO {s}.row_changes (at, txid, db_user, table_name, op, row_id, form_id, before, after)
      VALUES (clock_timestamp(), txid_current(), session_user, TG_TABLE_NAME, TG_OP, COALESCE(NEW.id, OLD.id),
              COALESCE(NEW.form_id, OLD.form_id),
              CASE WHEN TG_OP = 'INSERT' THEN NULL ELSE to_jsonb(OLD) - 'data' END,
              CASE WHEN TG_OP = 'DELETE' THEN NULL ELSE to_jsonb(NEW) - 'data' END);
      RETURN NULL;
    END $$"""


def _evidence_stamp(s: str, path: str, owner_names: bool) -> str:
    """Migration 0010's stamp; with ``owner_names`` the owner's rows keep the name jixiao gives (the
    owner is one login for many people, told apart by name, as in its audit entries)."""
    actor = f"COALESCE((SELECT u.name FROM {s}.app_users u WHERE u.login = session_user), session_user)"
    if owner_names:
        actor = f"CASE WHEN {OWNER} AND COALESCE(NEW.actor, '') <> '' THEN NEW.actor ELSE {actor} END"
    return f"""CREATE OR REPLACE FUNCTION {s}.jixiao_evidence_stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
        BEGIN
          IF NEW.data IS NULL OR length(NEW.data) > {MAX_BYTES} THEN
            RAISE EXCEPTION 'jixiao: evidence is at most {MAX_BYTES} bytes' USING ERRCODE = 'check_violation';
          END IF;
          IF NEW.indicator_uid <> '' AND NOT EXISTS (
               SELECT 1 FROM {s}.indicators i WHERE i.form_id = NEW.form_id AND i.uid = NEW.indicator_uid) THEN
            RAISE EXCEPTION 'jixiao: form % has no indicator %', NEW.form_id, NEW.indicator_uid
              USING ERRCODE = 'check_violation';
          END IF;
          NEW.size := length(NEW.data);
          NEW.sha256 := encode(sha256(NEW.data), 'hex');
          NEW.db_user := session_user;
          NEW.at := now();
          NEW.actor := {actor};
          RETURN NEW;
        END $$"""


def _audit_earlier_evidence(prefix: str) -> None:
    """An 「附上佐证材料」 entry for each file attached before jixiao wrote one (its history shows it,
    and on PostgreSQL the log entry of the same transaction is then not shown as a change made around jixiao)."""
    op.execute(
        f"INSERT INTO {prefix}audit_log (form_id, form_key, at, actor, action, field, label, before, after, reason, version) "
        "SELECT e.form_id, f.year || '/' || f.implementing_unit || '/' || f.project_name, e.at, e.actor, 'attach', "
        "CASE WHEN e.indicator_uid = '' THEN 'evidence' ELSE e.indicator_uid END, '佐证材料', NULL, "
        "e.name || '（SHA-256 ' || substr(e.sha256, 1, 16) || '…）', '升级时补记（附上时未写入修改记录）', f.version "
        f"FROM {prefix}evidence e JOIN {prefix}forms f ON f.id = e.form_id WHERE NOT EXISTS (SELECT 1 FROM "
        f"{prefix}audit_log a WHERE a.form_id = e.form_id AND a.action = 'attach' "
        "AND a.after = e.name || '（SHA-256 ' || substr(e.sha256, 1, 16) || '…）') ORDER BY e.id"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_names(SQLITE_RANGES)
        _audit_earlier_evidence("")
    s = _schema()
    if s is None:
        return
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    _pg_names(s, NAME_FORBIDDEN)
    op.execute(_evidence_stamp(s, path, owner_names=True))
    op.execute(_log_evidence(s, path))
    # every kind of write: the table is append-only, but a log that names only inserts would hide
    # a change made with the append-only trigger switched off
    op.execute(
        f"CREATE TRIGGER evidence_log AFTER INSERT OR UPDATE OR DELETE ON {s}.evidence FOR EACH ROW "
        f"EXECUTE FUNCTION {s}.jixiao_log_evidence()"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_log_evidence() FROM PUBLIC")
    op.execute(
        f"INSERT INTO {s}.row_changes (at, txid, db_user, table_name, op, row_id, form_id, before, after) "
        f"SELECT e.at, txid_current(), COALESCE(e.db_user, ''), 'evidence', 'INSERT', e.id, e.form_id, NULL, "
        f"to_jsonb(e) - 'data' FROM {s}.evidence e WHERE NOT EXISTS (SELECT 1 FROM {s}.row_changes r "
        "WHERE r.table_name = 'evidence' AND r.row_id = e.id) ORDER BY e.id"
    )
    _audit_earlier_evidence(f"{s}.")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_names(OLD_RANGES)
    s = _schema()
    if s is None:
        return
    op.execute(f"DROP TRIGGER IF EXISTS evidence_log ON {s}.evidence")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_log_evidence()")
    op.execute(_evidence_stamp(s, f"SET search_path = pg_catalog, {s}, pg_temp", owner_names=False))
    _pg_names(s, OLD_FORBIDDEN)
