"""Database back ends for the storage tests: a real SQLite file and, when
JIXIAO_TEST_PG is set, a real PostgreSQL server (one fresh schema per test)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

PG_URL = os.environ.get("JIXIAO_TEST_PG", "")
# conftest.py starts a throw-away server when the binaries are installed; otherwise this says what is missing
PG_REASON = os.environ.get("JIXIAO_TEST_PG_SKIP_REASON") or "JIXIAO_TEST_PG=off：本次运行不测 PostgreSQL"

BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgresql", id="postgresql", marks=pytest.mark.skipif(not PG_URL, reason=PG_REASON)),
]


def pg_schema_url(schema: str) -> str:
    sep = "&" if "?" in PG_URL else "?"
    return f"{PG_URL}{sep}options=-csearch_path%3D{schema}"


def make_backend(kind: str, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """Yield (url, migrated engine) for a throw-away database of this kind."""
    from jixiao.storage.database import make_engine, upgrade

    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'jixiao.db'}"
        engine = make_engine(url)
        upgrade(engine)
        yield url, engine
        engine.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = pg_schema_url(schema)
    engine = make_engine(url)
    upgrade(engine)
    try:
        yield url, engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def backend_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated engine on each back end (PostgreSQL only when JIXIAO_TEST_PG is set)."""
    gen = make_backend(request.param, tmp_path)
    _, eng = next(gen)
    yield eng
    gen.close()
