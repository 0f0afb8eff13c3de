"""Layout snapshots of the main screens (textual is pinned exactly in pyproject)."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicator_catalog import load_catalog
from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.seed import seed_samples
from jixiao.storage.store import FormStore
from tui import create_app

CATALOG = load_catalog()


@pytest.fixture
def store(tmp_path: Path) -> FormStore:
    engine = make_engine(f"sqlite:///{tmp_path / 'snap.db'}")
    upgrade(engine)
    seed_samples(engine)
    return FormStore(engine, actor="快照")


def _id(store: FormStore, name: str) -> int:
    return next(s.id for s in store.list() if s.project_name == name)


async def _settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_form_list_80x24(snap_compare, store: FormStore) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(create_app(store, CATALOG), terminal_size=(80, 24), run_before=_settle)


def test_editor_94_form_80x24(snap_compare, store: FormStore) -> None:  # type: ignore[no-untyped-def]
    app = create_app(store, CATALOG, open_form_id=_id(store, "老干工作经费"))

    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("down", "down", "down", "down")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_editor_wide_terminal(snap_compare, store: FormStore) -> None:  # type: ignore[no-untyped-def]
    app = create_app(store, CATALOG, open_form_id=_id(store, "网络建设运转维护经费"))
    assert snap_compare(app, terminal_size=(140, 40), run_before=_settle)


def test_recorded_score_dialog(snap_compare, store: FormStore) -> None:  # type: ignore[no-untyped-def]
    app = create_app(store, CATALOG, open_form_id=_id(store, "老干工作经费"))

    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("down", "s")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_help_screen(snap_compare, store: FormStore) -> None:  # type: ignore[no-untyped-def]
    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await _settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(create_app(store, CATALOG), terminal_size=(80, 24), run_before=before)
