"""older evidence media types are made well-formed on SQLite too

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-05

Migration 0035 set PostgreSQL's ill-formed ``evidence.media_type`` rows to application/octet-stream
and added a CHECK; it left SQLite alone. Before 0035 jixiao stored what ``mimetypes`` guessed, which
is mixed case for some names (application/vnd.ms-excel.sheet.macroEnabled.12 for .xlsm), so a SQLite
database's backup could not be restored into PostgreSQL, or any SQLite database (restore now refuses
such a row in Chinese). Here each SQLite row that breaks the rule (``jixiao.safe_text.MEDIA_TYPE``,
of which this is a frozen copy) takes its lower case when that keeps it, else
application/octet-stream. The table is append-only, so its no-update trigger is dropped for those
statements and made again from its own text. SQLite gets no CHECK: a constraint would rebuild the
table, and whoever can write the file can drop it; jixiao writes only well-formed types, and the PDF
writer and restore hold the rule. The downgrade leaves the rows as they are: the old spelling is not
kept, and the lower case means the same type.
"""

from __future__ import annotations

import re

from alembic import op

revision = "0037"
down_revision = "0036"
branch_labels = None
depends_on = None

WELL_FORMED = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}")
UNKNOWN = "application/octet-stream"
NO_UPDATE = "evidence_no_update"


def _fixed(media_type: object) -> str | None:
    """The row's new type, or None when it already keeps the rule."""
    if isinstance(media_type, str) and len(media_type) <= 100 and WELL_FORMED.fullmatch(media_type):
        return None
    low = media_type.lower() if isinstance(media_type, str) else ""
    return low if len(low) <= 100 and WELL_FORMED.fullmatch(low) else UNKNOWN


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    rows = bind.exec_driver_sql("SELECT id, media_type FROM evidence").fetchall()
    fixes = [(new, rid) for rid, old in rows if (new := _fixed(old)) is not None]
    if not fixes:
        return
    trigger = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (NO_UPDATE,)
    ).scalar_one_or_none()
    if trigger is not None:
        op.execute(f"DROP TRIGGER {NO_UPDATE}")
    for new, rid in fixes:
        bind.exec_driver_sql("UPDATE evidence SET media_type = ? WHERE id = ?", (new, rid))
    if trigger is not None:
        op.execute(trigger)


def downgrade() -> None:
    """Nothing to undo: the rows keep their well-formed types (see above)."""
