"""a 复核 score lies between 0 and the row's weight; no default-ignorable characters or blanks in evidence names

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-04

Two holes a hostile insider with psql could use:

- A 复核 score could be stored above the indicator's weight (分值), or as NaN or ±Infinity
  (PostgreSQL's NUMERIC takes them; SQLite's column is text and took any text): jixiao showed it in
  red, but a reviewer's total could pass 100. The database now refuses, for every role, a 复核 whose
  score is not a finite number between 0 and the weight of its row: the printed 分值, or, where the
  form prints none, the weight jixiao allocated (``agg_weight_u``, stored rounded half up to 0.0001,
  so it is allowed half a unit of slack, ``scorer.weights.rounding_slack``). A row without a finite
  weight takes no 复核. Changing a row's weight later is not refused: a form is frozen while a 复核 can
  be written, and after a 退回 the unit may correct it; the earlier 复核 scored the earlier version,
  stays as written (append-only) and is shown in red where it is now above the weight, until the
  reviewer rechecks the resubmitted form. Rechecks stored before keep their scores.
- Evidence names took the invisible characters that are not format characters (Cf): the rest of
  Unicode's Default_Ignorable_Code_Point (U+034F, Hangul fillers U+115F U+1160 U+3164 U+FFA0,
  U+17B4, U+17B5, U+180B–U+180F, variation selectors, the tags block …), the braille blank U+2800
  and the typographic spaces U+2000–U+200A, U+202F, U+205F; and names that begin or end with a space
  or U+3000. The CHECK constraint (PostgreSQL) and the trigger (SQLite) of migration 0017 are
  replaced by ones that refuse them too; this is a frozen copy of ``jixiao.storage.name_chars``.
  Names stored before are kept (``db restore`` refuses a backup holding one, in Chinese).
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

M0017 = importlib.import_module("jixiao.storage.migrations.versions.0017_evidence_is_a_data_change")

# ``jixiao.storage.name_chars.FORBIDDEN`` as of Unicode 15.1: controls, / and \ and the slashes
# that look like one, category Cf, Default_Ignorable_Code_Point, the blanks; as a regular
# expression Python and PostgreSQL read alike, and as (first, last) ranges for SQLite's GLOB.
NAME_FORBIDDEN = (
    r"[\u0001-\u001f/\\\u007f-\u009f\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2"
    r"\u115f-\u1160\u17b4-\u17b5\u180b-\u180f\u2000-\u200f\u2028-\u202f\u2044\u205f-\u206f\u2215-\u2216"
    r"\u2571-\u2572\u2800\u29f5\u29f8-\u29f9\u3164\ufe00-\ufe0f\ufe68\ufeff\uff0f\uff3c\uffa0\ufff0-\ufffb"
    r"\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]"
)
SQLITE_RANGES = (
    *((1, 31), (47, 47), (92, 92), (127, 159), (173, 173), (847, 847), (1536, 1541), (1564, 1564)),
    *((1757, 1757), (1807, 1807), (2192, 2193), (2274, 2274), (4447, 4448), (6068, 6069), (6155, 6159)),
    *((8192, 8207), (8232, 8239), (8260, 8260), (8287, 8303), (8725, 8726), (9585, 9586), (10240, 10240)),
    *((10741, 10741), (10744, 10745), (12644, 12644), (65024, 65039), (65128, 65128), (65279, 65279)),
    *((65295, 65295), (65340, 65340), (65440, 65440), (65520, 65531), (69821, 69821), (69837, 69837)),
    *((78896, 78911), (113824, 113827), (119155, 119162), (917504, 921599)),
)
EDGE = r"^[ \u3000]|[ \u3000]$"  # a space or U+3000 first or last
# half a unit in the 4th decimal place: the allocated weight is stored rounded half up to 0.0001
ALLOCATED_SLACK = "0.00005"  # jixiao.storage.rechecks.ALLOCATED_SLACK, frozen


def _pg_check() -> str:
    return f"{M0017.pg_name_check(NAME_FORBIDDEN)} AND name !~ '{EDGE}'"


def _sqlite_refused() -> str:
    cls = " || ".join(f"char({a})" if a == b else f"char({a}) || '-' || char({b})" for a, b in SQLITE_RANGES)
    return (
        "NEW.name = '' OR NEW.name IN ('.', '..') OR length(NEW.name) > 255 "
        f"OR NEW.name GLOB '*[' || {cls} || ']*' "
        "OR NEW.name GLOB '[ ' || char(12288) || ']*' OR NEW.name GLOB '*[ ' || char(12288) || ']'"
    )


def _sqlite_decimal(col: str) -> str:
    """``col`` is text of a plain decimal at least 0: digits with at most one point inside (what jixiao writes)."""
    return (
        f"(typeof({col}) = 'text' AND {col} GLOB '[0-9]*' AND {col} NOT GLOB '*[^0-9.]*' "
        f"AND {col} NOT GLOB '*.*.*' AND {col} NOT GLOB '*.')"
    )


def _sqlite_recheck_range() -> str:
    ceiling = (
        "(SELECT min(CASE WHEN i.weight IS NULL AND typeof(i.agg_weight_u) = 'integer' "
        f"THEN i.agg_weight_u / 10000.0 + {ALLOCATED_SLACK} "
        f"WHEN {_sqlite_decimal('i.weight')} THEN CAST(i.weight AS REAL) END) "
        "FROM indicators i WHERE i.form_id = NEW.form_id AND i.uid = NEW.indicator_uid)"
    )
    ok = f"{_sqlite_decimal('NEW.score')} AND CAST(NEW.score AS REAL) <= COALESCE({ceiling}, -1)"
    return (
        f"CREATE TRIGGER rechecks_range BEFORE INSERT ON rechecks WHEN NOT ({ok}) "
        "BEGIN SELECT RAISE(ABORT, 'recheck score must lie between 0 and the weight of its row'); END"
    )


def _pg_recheck_range(s: str, path: str) -> str:
    return f"""CREATE FUNCTION {s}.jixiao_recheck_in_range() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER {path} AS $$
    DECLARE ceiling numeric;
    BEGIN
      IF NEW.score IS NULL OR NEW.score::text IN ('NaN', 'Infinity', '-Infinity') THEN
        RAISE EXCEPTION 'jixiao: a recheck score is a finite number, not %', NEW.score USING ERRCODE = 'check_violation';
      END IF;
      SELECT min(COALESCE(i.weight, i.agg_weight_u / 10000.0 + {ALLOCATED_SLACK})) INTO ceiling
        FROM {s}.indicators i WHERE i.form_id = NEW.form_id AND i.uid = NEW.indicator_uid;
      IF ceiling IS NULL OR ceiling::text IN ('NaN', 'Infinity', '-Infinity') THEN
        RAISE EXCEPTION 'jixiao: indicator % of form % has no finite weight to recheck against', NEW.indicator_uid,
          NEW.form_id USING ERRCODE = 'check_violation';
      END IF;
      IF NEW.score < 0 OR NEW.score > ceiling THEN
        RAISE EXCEPTION 'jixiao: recheck score % of indicator % (form %) is not between 0 and its weight %',
          NEW.score, NEW.indicator_uid, NEW.form_id, ceiling USING ERRCODE = 'check_violation';
      END IF;
      RETURN NEW;
    END $$"""


def _pg_names(s: str, check: str) -> None:
    op.execute(f"ALTER TABLE {s}.evidence DROP CONSTRAINT IF EXISTS evidence_name_safe")
    op.execute(f"ALTER TABLE {s}.evidence ADD CONSTRAINT evidence_name_safe CHECK ({check}) NOT VALID")
    op.execute(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM {s}.evidence WHERE NOT ({check})) THEN "
        f"ALTER TABLE {s}.evidence VALIDATE CONSTRAINT evidence_name_safe; END IF; END $$"
    )


def _sqlite_names(refused: str) -> None:
    op.execute("DROP TRIGGER IF EXISTS evidence_name_safe")
    op.execute(
        "CREATE TRIGGER evidence_name_safe BEFORE INSERT ON evidence "
        f"WHEN {refused} BEGIN SELECT RAISE(ABORT, 'evidence name not allowed'); END"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_names(_sqlite_refused())
        op.execute(_sqlite_recheck_range())  # UPDATE: refused outright by migration 0007's trigger
    s = M0017._schema()
    if s is None:
        return
    _pg_names(s, _pg_check())
    op.execute(_pg_recheck_range(s, f"SET search_path = pg_catalog, {s}, pg_temp"))
    # every role, the owner too (a restore); UPDATE is refused anyway by 0007's append-only trigger.
    # Named to fire after rechecks_four_eyes and before rechecks_stamp (triggers fire in name order).
    op.execute(
        f"CREATE TRIGGER rechecks_range BEFORE INSERT OR UPDATE ON {s}.rechecks FOR EACH ROW "
        f"EXECUTE FUNCTION {s}.jixiao_recheck_in_range()"
    )
    op.execute(f"REVOKE ALL ON FUNCTION {s}.jixiao_recheck_in_range() FROM PUBLIC")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS rechecks_range")
        _sqlite_names(M0017.sqlite_name_refused())
    s = M0017._schema()
    if s is None:
        return
    op.execute(f"DROP TRIGGER IF EXISTS rechecks_range ON {s}.rechecks")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_recheck_in_range()")
    _pg_names(s, M0017.pg_name_check())
