"""a refused signature names the certificate's holder only to who may know it; leaving 已签章 clears the
signature (PostgreSQL)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-05

Two holes found by attacking 0028 with psql:

- 0028 told whose a certificate is (``jixiao_certificate_holder``) only to its holder, admins, the owner
  and those who see a form signed with it. ``jixiao_may_sign_with(cert)``, which every reviewer may
  call, still answered 'the signing certificate is registered to <login>' for any certificate, and so
  did the refusal of a move to 已签章 made with it. Now it names the holder only when
  ``jixiao_may_know_holder`` would; otherwise 'registered to another login'.
- A reopening through jixiao clears the 签章人, the signature's fingerprint and the certificate, and
  docs/security.md promised the certificate is "cleared by a reopening"; a reviewer who reopened with
  psql (``UPDATE forms SET status = 'draft'``) left all three on the draft. Now, for every role but the
  owner (and ``jixiao_scorer``), the database clears them on any move out of 已签章.
"""

from __future__ import annotations

from jixiao.storage.migrations.function_text import Rewrite, rewrite_functions

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

#: (function, text as 0025/0028 left it, text now): each must be found, or the migration stops
REWRITES: tuple[Rewrite, ...] = (
    (
        "jixiao_may_sign_with",
        "IF holder IS NOT NULL AND holder <> session_user THEN\n",
        "IF holder IS NOT NULL AND holder <> session_user AND NOT jixiao_may_know_holder(cert, holder) THEN\n"
        "        RETURN format('the signing certificate is registered to another login, not to %s', session_user);\n"
        "      END IF;\n"
        "      IF holder IS NOT NULL AND holder <> session_user THEN\n",
    ),
    (
        "jixiao_signature_stamp",
        "IF TG_OP = 'UPDATE' AND (NEW.signed_by, NEW.signature_sha256",
        "IF TG_OP = 'UPDATE' AND OLD.status = 'signed' AND NEW.status IS DISTINCT FROM 'signed' THEN\n"
        "            NEW.signed_by := ''; NEW.signature_sha256 := ''; NEW.signer_cert_sha256 := NULL;\n"
        "            RETURN NEW;  -- a reopening: the signature no longer stands\n"
        "          END IF;\n"
        "          IF TG_OP = 'UPDATE' AND (NEW.signed_by, NEW.signature_sha256",
    ),
)


def upgrade() -> None:
    rewrite_functions(REWRITES)


def downgrade() -> None:
    rewrite_functions(REWRITES, undo=True)
