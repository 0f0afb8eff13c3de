"""a unit holds at most 2,000 forms a year (PostgreSQL)

Revision ID: 0047
Revises: 0046
Create Date: 2026-12-05

0039 bounded every text a role may write, but not how many forms: a filler with psql (or a script)
could create form after form for their unit, each up to its text bounds, until the server's disk
was full, and every review, list and check of the department would read them all. A unit sets
targets for tens of projects a year; the database now refuses the 2,001st form of one unit and year
for every role but the owner, whose bulk import and restore must still go through.

The count runs with the writer's own rights (row policies apply), so it counts what the writer
sees: a filler creating a form for another unit counts nothing here and is refused by the row
policy, without learning how many forms that unit has. Two creations at once may each count
1,999; the bound is then exceeded by at most the number of connections, which is still a bound.
"""

from __future__ import annotations

from alembic import op

revision = "0047"
down_revision = "0046"
branch_labels = None
depends_on = None

MAX_FORMS = 2000  # a frozen copy: a later change of the bound is a new migration
OWNER = "pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER')"


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
        f"""CREATE FUNCTION {s}.jixiao_forms_quota() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER
        SET search_path = pg_catalog, {s}, pg_temp AS $$
        DECLARE n bigint;
        BEGIN
          IF {OWNER} THEN
            RETURN NEW;
          END IF;
          SELECT count(*) INTO n FROM {s}.forms f
            WHERE f.year IS NOT DISTINCT FROM NEW.year AND f.implementing_unit = NEW.implementing_unit;
          IF n >= {MAX_FORMS} THEN
            RAISE EXCEPTION 'jixiao: unit % holds at most {MAX_FORMS} forms for year %', NEW.implementing_unit, NEW.year
              USING ERRCODE = 'check_violation';
          END IF;
          RETURN NEW;
        END $$"""
    )
    op.execute(
        f"CREATE TRIGGER forms_quota BEFORE INSERT ON {s}.forms FOR EACH ROW EXECUTE FUNCTION {s}.jixiao_forms_quota()"
    )


def downgrade() -> None:
    s = _schema()
    if s is None:
        return
    op.execute(f"DROP TRIGGER IF EXISTS forms_quota ON {s}.forms")
    op.execute(f"DROP FUNCTION IF EXISTS {s}.jixiao_forms_quota()")
