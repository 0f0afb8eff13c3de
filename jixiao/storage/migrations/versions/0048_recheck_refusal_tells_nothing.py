"""a refused 复核 does not tell a reviewer which rows another department's form holds (PostgreSQL)

Revision ID: 0048
Revises: 0047
Create Date: 2026-12-05

0043 made ``jixiao_recheck_in_range`` check only a form the writer sees, but the two other triggers
that run before the row policy still read the form as the owner: ``jixiao_recheck_stamp`` refused a
row identity that is not a row of the form ('form % has no indicator %') and let a real one through to
the row policy, so a reviewer of another department learned, for any form id, whether a row identity
(an uid kept from an export, a backup or an earlier posting) was still on it, and
``jixiao_recheck_four_eyes`` named the form's latest submitter and editor to a login that was one of
them (a filler made reviewer of another department). Both now read only a form the writer sees
(``jixiao_sees_form``); the row policy refuses the rest without a word about the form.
"""

from __future__ import annotations

from jixiao.storage.migrations.function_text import Rewrite, rewrite_functions

revision = "0048"
down_revision = "0047"
branch_labels = None
depends_on = None

STAMP = "IF name IS NULL THEN"
EYES = "IF session_user = submitter OR session_user = editor THEN"
#: (function, text as 0016/0018 left it, text now): each must be found, or the migration stops
REWRITES: tuple[Rewrite, ...] = (
    ("jixiao_recheck_stamp", STAMP, "IF name IS NULL AND jixiao_sees_form(NEW.form_id) THEN"),
    (
        "jixiao_recheck_four_eyes",
        EYES,
        "IF (session_user = submitter OR session_user = editor) AND jixiao_sees_form(NEW.form_id) THEN",
    ),
)


def upgrade() -> None:
    rewrite_functions(REWRITES)


def downgrade() -> None:
    rewrite_functions(REWRITES, undo=True)
