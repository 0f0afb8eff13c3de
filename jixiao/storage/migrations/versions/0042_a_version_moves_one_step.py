"""a form's version moves one step at a time, and a new form starts at 1 (PostgreSQL)

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-05

Every role that moves a form holds UPDATE on ``forms.version`` (the move raises it), and 0030 only
refused a version set back. A reviewer returning a form with psql set ``version = 2147483647``, the
largest integer: every later save, submission or move of the form through jixiao raises the version
by one and failed with 'integer out of range', for the unit, the reviewers and the admins alike, and
no role, the owner included, may set a version back. A filler did the same to their own draft, or
inserted a form already at that version, before submitting it, and the reviewer could neither return
nor approve it through jixiao. jixiao itself only ever raises a version by one.

Now an UPDATE raises the version by one at most, for every role and the owner (a restore loads with
user triggers off), and a form inserted by any writer but the owner starts at version 1, stamped as
its creation time is. A form already at the largest version stays so: setting it back is the DBA's,
with the triggers off.
"""

from __future__ import annotations

from jixiao.storage.migrations.function_text import Rewrite, rewrite_functions

revision = "0042"
down_revision = "0041"
branch_labels = None
depends_on = None

BACK = "IF NEW.version < OLD.version THEN"
STEP = (
    "IF NEW.version::bigint > OLD.version::bigint + 1 THEN\n"
    "            RAISE EXCEPTION 'jixiao: form %: its version goes from % to %, not one step at a time', "
    "OLD.id, OLD.version, NEW.version\n"
    "              USING ERRCODE = 'check_violation';\n"
    "          END IF;\n"
    f"          {BACK}"
)
CREATED = "NEW.created_at := statement_timestamp();"
#: (function, text as 0030/0019 left it, text now): each must be found, or the migration stops
REWRITES: tuple[Rewrite, ...] = (
    ("jixiao_version_forward", BACK, STEP),
    ("jixiao_forms_stamp", CREATED, f"{CREATED} NEW.version := 1;"),
)


def upgrade() -> None:
    rewrite_functions(REWRITES)


def downgrade() -> None:
    rewrite_functions(REWRITES, undo=True)
