"""distrust serialised with the rescore

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

Two holes found by attacking the review (``tests/test_attacks_review.py``), both in how a form's
stored verdict loses the database's trust (migration 0004):

- A filler's child change (an indicator's weight, say) on a form that was already doubtful did not
  touch the form row, so it did not wait for the owner's ``jixiao db rescore``, which read the old
  cells, wrote a verdict from them and vouched for it: the filler's change ended up trusted. Now
  every untrusted child write takes the form row's lock first (``FOR UPDATE``), and the rescore
  locks the forms it scores before it reads their cells (``FormStore.rescore``): one waits for the
  other, and whichever comes second sees the first.
- Any application login could call ``jixiao_distrust`` on any draft, its own unit's or not, and
  push every review that covers it onto the slow path. It now does nothing unless the caller may
  edit that form, which is exactly when a child write calls it.
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _distrust(s: str, body: str) -> str:
    path = f"SET search_path = pg_catalog, {s}, pg_temp"
    return f"""CREATE OR REPLACE FUNCTION {s}.jixiao_distrust(fid integer) RETURNS void LANGUAGE sql SECURITY DEFINER
           {path} AS $$ {body} $$"""


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
    op.execute(
        _distrust(
            s,
            f"""SELECT 1 FROM {s}.forms WHERE id = fid AND {s}.jixiao_may_edit(fid) FOR UPDATE;
           UPDATE {s}.forms SET scores_trusted = false
           WHERE id = fid AND scores_trusted AND status IN ('draft','returned') AND {s}.jixiao_may_edit(fid)""",
        )
    )


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(
        _distrust(
            s,
            f"""UPDATE {s}.forms SET scores_trusted = false
           WHERE id = fid AND scores_trusted AND status IN ('draft','returned')""",
        )
    )
