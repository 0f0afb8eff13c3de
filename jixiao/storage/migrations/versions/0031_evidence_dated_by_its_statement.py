"""evidence and certificate registrations are dated by the statement that wrote them (PostgreSQL)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-05

Migration 0013 dated every stamp at its statement (``statement_timestamp()``), so that a transaction
held open cannot date an entry earlier, and docs/security.md promises it for evidence. Migration 0017
redefined ``jixiao_evidence_stamp`` and brought ``now()`` back, the start of the transaction: a
filler who opened a transaction while a form was a draft, and attached a file in it after the form
had been submitted, returned and reopened, dated the file before the submission, as if the reviewer
had seen it. The registrations of 0026 (``jixiao_log_certificate``) used ``now()`` too, so an admin
could date a certificate's registration earlier. Both now take the statement's time.
"""

from __future__ import annotations

from jixiao.storage.migrations.function_text import Rewrite, rewrite_functions

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

#: (function, text as 0017/0026 left it, text now): each must be found, or the migration stops
REWRITES: tuple[Rewrite, ...] = (
    ("jixiao_evidence_stamp", "NEW.at := now();", "NEW.at := statement_timestamp();"),
    (
        "jixiao_log_certificate",
        "VALUES (NEW.login, NEW.cert_sha256, now(), session_user);",
        "VALUES (NEW.login, NEW.cert_sha256, statement_timestamp(), session_user);",
    ),
)


def upgrade() -> None:
    rewrite_functions(REWRITES)


def downgrade() -> None:
    rewrite_functions(REWRITES, undo=True)
