"""a refused monitoring snapshot does not tell a filler the status of another unit's form (PostgreSQL)

Revision ID: 0033
Revises: 0032
Create Date: 2026-12-05

``jixiao_monitoring_open`` (0016) runs before the row policy and read the form as the owner: a filler
who wrote a snapshot with psql for any form id of another unit was told 'form 5 is approved: a
monitoring snapshot is taken before the self-evaluation is submitted', and so learned which forms of
other units exist, in which stage and status (and took a share lock on them for the statement). The
trigger now reads only a form the writer sees (``jixiao_sees_form``: an admin's every form, a filler's their unit's); for
any other the row policy refuses the snapshot as before, without a word about the form.
"""

from __future__ import annotations

from jixiao.storage.migrations.function_text import Rewrite, rewrite_functions

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None

#: the forms the writer sees, as the row policies decide (0028's function, asked by the other checks too)
_SEEN = "jixiao_sees_form(x.id)"

#: (function, text as 0016 left it, text now): each must be found, or the migration stops
REWRITES: tuple[Rewrite, ...] = (
    (
        "jixiao_monitoring_open",
        "WHERE x.id = NEW.form_id FOR SHARE;",
        f"WHERE x.id = NEW.form_id AND {_SEEN} FOR SHARE;",
    ),
)


def upgrade() -> None:
    rewrite_functions(REWRITES)


def downgrade() -> None:
    rewrite_functions(REWRITES, undo=True)
