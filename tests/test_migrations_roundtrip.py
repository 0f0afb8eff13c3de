"""Every migration goes down and up again on both back ends, and the database is then as new.

A downgrade that leaves a function behind, or one an upgrade cannot write again, shows only on the
next upgrade of a real database: 0004's downgrade left three functions on PostgreSQL, so the upgrade
after it stopped, and 0036 found SQLite's copying trigger lost below 0020.
"""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from jixiao.storage import declarations
from jixiao.storage.database import alembic_config, upgrade
from jixiao.storage.store import FormStore
from tests.storage_backends import backend_engine
from tests.test_goal_text_locked import _begun_without_text

__all__ = ["backend_engine"]  # the fixture, used by name

#: what a schema is made of, each thing as its definition text (the schema's name is the same throughout)
PG_SHAPE = """
SELECT 'function ' || pg_get_functiondef(p.oid) || coalesce(p.proacl::text, '') FROM pg_proc p
 WHERE p.pronamespace = current_schema()::regnamespace
UNION ALL SELECT 'relation ' || c.relkind::text || ' ' || c.relname || ' ' || coalesce(c.relacl::text, '')
            || ' rls ' || c.relrowsecurity::text || c.relforcerowsecurity::text
  FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relname NOT LIKE 'alembic_version%'
UNION ALL SELECT 'trigger ' || pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal
UNION ALL SELECT 'policy ' || p.tablename || ' ' || p.policyname || ' ' || p.cmd || ' ' || p.roles::text
            || ' ' || coalesce(p.qual, '') || ' ' || coalesce(p.with_check, '')
  FROM pg_policies p WHERE p.schemaname = current_schema()
UNION ALL SELECT 'constraint ' || conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint
 WHERE connamespace = current_schema()::regnamespace AND conrelid::regclass::text NOT LIKE 'alembic_version%'
"""
SQLITE_SHAPE = (
    "SELECT type || ' ' || name || ' ' || coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE '%alembic_version%'"
)


def _shape(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        if engine.dialect.name != "sqlite":
            return sorted(conn.execute(text(PG_SHAPE)).scalars())
        return sorted(_lines(sql) for sql in conn.execute(text(SQLITE_SHAPE)).scalars())


def _lines(sql: str) -> str:
    """A table's text with its lines in order: alembic's rebuild of a SQLite table writes the foreign
    keys in an order that changes from run to run."""
    return "\n".join(sorted(line.strip().rstrip(",") for line in sql.splitlines()))


def test_every_migration_goes_down_and_up_again(backend_engine: Engine) -> None:
    config = alembic_config(backend_engine)
    new = _shape(backend_engine)
    assert len(list(ScriptDirectory.from_config(config).walk_revisions())) >= 38
    command.downgrade(config, "base")  # from the head, one migration after another
    assert _shape(backend_engine) == []  # nothing left behind
    upgrade(backend_engine)
    assert _shape(backend_engine) == new  # every function, trigger, grant and policy as a new database has them
    store = FormStore(backend_engine, actor="商业行办填报人")
    fid = _begun_without_text(store)  # the approval's trigger copies, as after a first upgrade
    approved = declarations.approval(store, fid)
    assert approved is not None and approved.weights.goal_texts == ("",)
