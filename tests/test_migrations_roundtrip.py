"""Every migration goes down and up again on both back ends, and the database is then as new.

A downgrade that leaves a function behind, or one an upgrade cannot write again, shows only on the
next upgrade of a real database: 0004's downgrade left three functions on PostgreSQL, so the upgrade
after it stopped, and 0036 found SQLite's copying trigger lost below 0020.
"""

from __future__ import annotations

import re

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

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
SQLITE_SHAPE = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '%alembic_version%'"


def _shape(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        if engine.dialect.name != "sqlite":
            return sorted(conn.execute(text(PG_SHAPE)).scalars())
        return sorted(_sqlite_shape(conn))


def _sqlite_shape(conn: Connection) -> list[str]:
    """Tables by their columns, keys and constraints as SQLite reports them, and every trigger and index
    by its text: a table rebuilt by alembic's batch mode reads differently (its foreign keys in a
    changing order, an added column on the line before) but is the same table."""
    out = []
    for kind, name, sql in conn.execute(text(SQLITE_SHAPE + " ORDER BY name")).all():
        if kind != "table":
            out.append(f"{kind} {name} {' '.join((sql or '').split())}")
            continue
        out.extend(f"column {name} {tuple(r)}" for r in conn.exec_driver_sql(f"PRAGMA table_info('{name}')"))
        out.extend(f"fk {name} {tuple(r)[2:]}" for r in conn.exec_driver_sql(f"PRAGMA foreign_key_list('{name}')"))
        checks = re.findall(r"CHECK\s*\((?:[^()]|\([^()]*\))*\)", sql or "")
        out.extend(f"check {name} {' '.join(c.split())}" for c in checks)
        for idx in conn.exec_driver_sql(f"PRAGMA index_list('{name}')"):
            cols = [r[2] for r in conn.exec_driver_sql(f"PRAGMA index_info('{idx[1]}')")]
            out.append(f"unique {name} {cols}" if idx[2] else f"index {name} {cols}")
    return out


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


def test_down_to_any_revision_and_up_again_is_a_new_database(backend_engine: Engine) -> None:
    """Every fourth revision, each run: a downgrade rebuilt SQLite tables without their triggers (below
    0004 the audit log's append-only ones, below 0020 the stage guard)."""
    config = alembic_config(backend_engine)
    new = _shape(backend_engine)
    revisions = [s.revision for s in ScriptDirectory.from_config(config).walk_revisions()][1:]
    step = 4
    for rev in revisions[::step]:
        command.downgrade(config, rev)
        upgrade(backend_engine)
        assert _shape(backend_engine) == new, f"down to {rev} and up again"


def test_triggers_a_downgrade_had_lost_are_made_again(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A SQLite database damaged by the old downgrades: 0040 makes the lost triggers as a new one has them."""
    import sqlite3

    import pytest

    from jixiao.storage.database import make_engine

    path = tmp_path / "x.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    new = _shape(engine)
    command.downgrade(alembic_config(engine), "0039")
    with sqlite3.connect(path) as raw:
        for name in ("audit_log_no_delete", "audit_log_no_update", "forms_stage_guard"):
            raw.execute(f"DROP TRIGGER {name}")
    upgrade(engine)
    assert _shape(engine) == new
    with sqlite3.connect(path) as raw, pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute(
            "INSERT INTO audit_log (form_key, at, actor, action, field, label, reason, version)"
            " VALUES ('k', '2024-01-01', 'a', 'edit', '', '', '', 1)"
        )
        raw.execute("UPDATE audit_log SET reason = '改写'")


def test_each_downgrade_leaves_what_the_upgrade_to_it_made(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """SQLite, one revision after another from the head: the database a downgrade leaves is the one the
    upgrade to that revision makes (the rebuilt tables keep their triggers)."""
    from jixiao.storage.database import make_engine

    fresh = make_engine(f"sqlite:///{tmp_path / 'up.db'}")
    revisions = [s.revision for s in ScriptDirectory.from_config(alembic_config(fresh)).walk_revisions()]
    made = {}
    for rev in reversed(revisions):  # one revision after another from nothing, each shape kept
        command.upgrade(alembic_config(fresh), rev)
        made[rev] = _shape(fresh)
    engine = make_engine(f"sqlite:///{tmp_path / 'down.db'}")
    upgrade(engine)
    for rev in revisions[1:]:
        command.downgrade(alembic_config(engine), rev)
        assert _shape(engine) == made[rev], f"down to {rev}"
