"""Database back ends for the storage tests: a real SQLite file and, when JIXIAO_TEST_PG is set, a
real PostgreSQL server (a fresh copy of a template database per test, or a fresh schema)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.pool import NullPool

PG_URL = os.environ.get("JIXIAO_TEST_PG", "")
ADMIN_URL = os.environ.get("JIXIAO_TEST_PG_ADMIN", "")
# conftest.py starts a throw-away server when the binaries are installed; otherwise this says what is missing
PG_REASON = os.environ.get("JIXIAO_TEST_PG_SKIP_REASON") or "JIXIAO_TEST_PG=off：本次运行不测 PostgreSQL"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.skipif(not PG_URL, reason=PG_REASON)),
]


def pg_schema_url(schema: str) -> str:
    return _schema_url(PG_URL, schema)


def _schema_url(base: str, schema: str) -> str:
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def make_backend(kind: str, tmp_path: Path, seeded: bool = False) -> Iterator[tuple[str, Engine]]:
    """Yield (url, migrated engine) for a throw-away database of this kind; ``seeded``: with the
    nine sample forms imported (by 管理员)."""
    from jixiao.storage.database import make_engine, upgrade

    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'jixiao.db'}"
        engine = make_engine(url)
        upgrade(engine)
        if seeded:
            _seed(engine)
        yield url, engine
        engine.dispose()
        return
    if _templates() and ADMIN_URL:
        yield from _cloned(seeded)
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = pg_schema_url(schema)
    engine = make_engine(url)
    upgrade(engine)
    if seeded:
        _seed(engine)
    try:
        yield url, engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _seed(engine: Engine) -> None:
    from jixiao.storage.seed import sample_forms
    from jixiao.storage.store import FormStore

    FormStore(engine, actor="管理员").import_forms(sample_forms())  # type: ignore[arg-type]


# With the throw-away server (conftest.py), the run's first process migrates a template database,
# and a second one seeded, before any test; every test gets a copy: a copy takes ~0.05 s, where
# migrating takes ~0.4 s and seeding another ~0.2 s, for ~400 PostgreSQL tests a run.
TEMPLATE_SCHEMA = "t_tpl"


def _db_url(base: str, database: str) -> str:
    return make_url(base).set(database=database).render_as_string(hide_password=False)


def _templates() -> list[str]:
    """(migrated, seeded) template databases of the throw-away server, once conftest.py made them."""
    names = os.environ.get("JIXIAO_TEST_PG_TEMPLATES", "")
    return names.split(",") if names and PG_URL else []


def build_templates(app_url: str, admin_url: str) -> str:
    """The migrated and the seeded template databases, for JIXIAO_TEST_PG_TEMPLATES."""
    from jixiao.storage.database import make_engine, upgrade

    names = []
    for seeded in (False, True):
        name = f"tpl_{'seeded' if seeded else 'migrated'}_{uuid.uuid4().hex[:8]}"
        _run(admin_url, f"CREATE DATABASE {name} OWNER {make_url(app_url).username}")
        _run(_db_url(app_url, name), f"CREATE SCHEMA {TEMPLATE_SCHEMA}")
        engine = make_engine(_schema_url(_db_url(app_url, name), TEMPLATE_SCHEMA))
        upgrade(engine)
        if seeded:
            _seed(engine)
        engine.dispose()
        _run(admin_url, f"ALTER DATABASE {name} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
        names.append(name)
    return ",".join(names)


def _cloned(seeded: bool) -> Iterator[tuple[str, Engine]]:
    """A database copied from the template; database privileges are not copied, so 0004's
    ``REVOKE TEMP ... FROM PUBLIC`` is made again on the copy."""
    from jixiao.storage.database import make_engine

    template = _templates()[1 if seeded else 0]
    name = f"t_{uuid.uuid4().hex[:12]}"
    _run(
        ADMIN_URL,
        f"CREATE DATABASE {name} TEMPLATE {template} OWNER {make_url(PG_URL).username}",
        f"REVOKE TEMP ON DATABASE {name} FROM PUBLIC",
    )
    url = _schema_url(_db_url(PG_URL, name), TEMPLATE_SCHEMA)
    engine = make_engine(url)
    try:
        yield url, engine
    finally:
        engine.dispose()
        _run(ADMIN_URL, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _run(url: str, *statements: str) -> None:
    """Statements outside a transaction (CREATE DATABASE), on a connection closed at once."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with engine.connect() as conn:
        for statement in statements:
            conn.execute(text(statement))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def backend_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated engine on each back end (PostgreSQL only when JIXIAO_TEST_PG is set)."""
    gen = make_backend(request.param, tmp_path)
    _, eng = next(gen)
    yield eng
    gen.close()
