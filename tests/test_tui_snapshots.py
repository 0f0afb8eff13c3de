"""Layout snapshots of the main screens (textual is pinned exactly in pyproject)."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicator_catalog import load_catalog
from jixiao.storage.store import FormStore
from tests.tui_support import form_id, seeded_store, settle
from tui import create_app

CATALOG = load_catalog()


@pytest.fixture
def store(tmp_path: Path) -> FormStore:
    return seeded_store(tmp_path, actor="快照")


def test_form_list_80x24(snap_compare, store: FormStore) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(create_app(store, CATALOG), terminal_size=(80, 24), run_before=settle)


def test_editor_94_form_80x24(snap_compare, store: FormStore) -> None:  # type: ignore[no-untyped-def]
    app = create_app(store, CATALOG, open_form_id=form_id(store, "老干工作经费"))

    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("down", "down", "down", "down")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_editor_wide_terminal(snap_compare, store: FormStore) -> None:  # type: ignore[no-untyped-def]
    app = create_app(store, CATALOG, open_form_id=form_id(store, "网络建设运转维护经费"))
    assert snap_compare(app, terminal_size=(140, 40), run_before=settle)


def test_recorded_score_dialog(snap_compare, store: FormStore) -> None:  # type: ignore[no-untyped-def]
    app = create_app(store, CATALOG, open_form_id=form_id(store, "老干工作经费"))

    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("down", "s")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_help_screen(snap_compare, store: FormStore) -> None:  # type: ignore[no-untyped-def]
    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)  # the help screen fully laid out, also on a loaded machine

    assert snap_compare(create_app(store, CATALOG), terminal_size=(80, 24), run_before=before)


def test_form_list_120x40(snap_compare, store: FormStore) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(create_app(store, CATALOG), terminal_size=(120, 40), run_before=settle)


def test_multi_goal_form_sections_80x24(snap_compare, store: FormStore) -> None:  # type: ignore[no-untyped-def]
    app = create_app(store, CATALOG, open_form_id=form_id(store, "计划管理费"))

    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("down", "down", "down", "down", "down", "down")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=before)


def test_multi_goal_form_sections_120x40(snap_compare, store: FormStore) -> None:  # type: ignore[no-untyped-def]
    app = create_app(store, CATALOG, open_form_id=form_id(store, "计划管理费"))
    assert snap_compare(app, terminal_size=(120, 40), run_before=settle)


def test_goal_texts_on_the_header_tab_120x40(snap_compare, store: FormStore) -> None:  # type: ignore[no-untyped-def]
    app = create_app(store, CATALOG, open_form_id=form_id(store, "计划管理费"))

    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        for _ in range(100):  # the goal text boxes are mounted, then filled, after the form loads
            screen = pilot.app.screen
            boxes = screen.query("#goals Narrative")
            form = getattr(screen, "form", None)
            texts = [g.text for g in form.goals] if form is not None else None
            if len(boxes) == 3 and [b.text for b in boxes] == texts and not getattr(screen, "_filling", False):
                break
            await pilot.pause(0.05)
        await settle(pilot)
        await settle(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=before)
