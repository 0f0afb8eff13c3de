"""a row's identity is held by one row of its form (PostgreSQL)

Revision ID: 0052
Revises: 0051
Create Date: 2026-12-05

A 复核 names its row by the row's identity (``indicators.uid``), and the database holds it to the
weight of the form's rows of that identity (the least, 0018/0022), while ``recheck``, the review and
the PDF show the latest 复核 of an identity beside every row that has it. jixiao gives each row its
own, but nothing held it: a filler with psql gave a 2-point row of their draft the identity of a
20-point row and submitted. The reviewer's 复核 of 18 for the 20-point row was refused as above its
weight 2, and a 复核 of either row was shown beside both. A write that leaves two rows of one form with
one non-empty identity is now refused at commit, for every role and the owner (a restore, whose
triggers are off, keeps what it loads; rows stored before keep theirs until one is written).
"""

from __future__ import annotations

from alembic import op

revision = "0052"
down_revision = "0051"
branch_labels = None
depends_on = None


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
        f"""CREATE FUNCTION {s}.jixiao_uid_once() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
        SET search_path = pg_catalog, {s}, pg_temp AS $$
        BEGIN
          IF NEW.uid <> '' AND EXISTS (SELECT 1 FROM {s}.indicators i WHERE i.id = NEW.id AND i.uid = NEW.uid)
             AND EXISTS (SELECT 1 FROM {s}.indicators i
                          WHERE i.form_id = NEW.form_id AND i.uid = NEW.uid AND i.id <> NEW.id) THEN
            RAISE EXCEPTION 'jixiao: form % has more than one row with the identity %', NEW.form_id, NEW.uid
              USING ERRCODE = 'check_violation';
          END IF;
          RETURN NULL;
        END $$"""
    )
    op.execute(f"REVOKE EXECUTE ON FUNCTION {s}.jixiao_uid_once() FROM PUBLIC")
    op.execute(
        f"CREATE CONSTRAINT TRIGGER indicators_uid_once AFTER INSERT OR UPDATE OF uid, form_id ON {s}.indicators "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_uid_once()"
    )


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(f"DROP TRIGGER IF EXISTS indicators_uid_once ON {s}.indicators")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_uid_once()")
