"""The TUI says when the database it opened holds verdicts another jixiao computed and nobody stored
anew (a shared database; on PostgreSQL the app's login may not write them): how many, and who fixes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from indicator_catalog import load_catalog
from tests.tui_support import seeded_store, settle
from tui import create_app

pytestmark = pytest.mark.asyncio


async def test_stale_verdicts_are_noted_with_their_count_and_the_owners_command(tmp_path: Path) -> None:
    store = seeded_store(tmp_path, actor="项目负责人")
    with store.engine.begin() as conn:
        conn.execute(text("UPDATE forms SET computed_rules = 'hubei-2020@2020.1' WHERE id <= 3"))
    async with create_app(store, load_catalog()).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        (note,) = [n for n in pilot.app._notifications if n.title == "评分待更新"]
        assert "3 份表单" in note.message and "另一版本" in note.message
        assert "数据库所有者运行 jixiao db rescore" in note.message and note.severity == "warning"


async def test_nothing_is_noted_when_every_verdict_is_this_jixiaos(tmp_path: Path) -> None:
    store = seeded_store(tmp_path, actor="项目负责人")
    async with create_app(store, load_catalog()).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert not [n for n in pilot.app._notifications if n.title == "评分待更新"]
