"""an evidence file's media type is a well-formed MIME type (PostgreSQL)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-05

``evidence.media_type`` was free text: jixiao writes what ``mimetypes`` guesses from the name, but a
filler with psql could write anything (control characters, a hundred characters of junk), and the
signed PDF embedded it as the file's type. A CHECK now takes only a lower-case ``type/subtype`` in
RFC 6838's characters (``jixiao.safe_text.MEDIA_TYPE``, of which this is a frozen copy), for every
role and the owner, and the PDF writer embeds only such a type whatever a row holds. Rows written
before that break the rule are set to application/octet-stream here: the table is append-only, so
the owner's append-only trigger is held off for that one statement.
"""

from __future__ import annotations

from alembic import op

revision = "0035"
down_revision = "0034"
branch_labels = None
depends_on = None

WELL_FORMED = (
    "media_type ~ '^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$' AND length(media_type) <= 100"
)


def _schema() -> str | None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    schema = bind.exec_driver_sql("SELECT current_schema()").scalar_one()
    return str(bind.dialect.identifier_preparer.quote_identifier(schema))


def upgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(f"ALTER TABLE {s}.evidence DISABLE TRIGGER evidence_append_only")
    op.execute(f"UPDATE {s}.evidence SET media_type = 'application/octet-stream' WHERE NOT ({WELL_FORMED})")
    op.execute(f"ALTER TABLE {s}.evidence ENABLE TRIGGER evidence_append_only")
    op.execute(f"ALTER TABLE {s}.evidence ADD CONSTRAINT evidence_media_type_well_formed CHECK ({WELL_FORMED})")


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(f"ALTER TABLE {s}.evidence DROP CONSTRAINT IF EXISTS evidence_media_type_well_formed")
