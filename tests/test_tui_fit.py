"""The list's first Enter, and toasts that leave the explanation readable at 80×24 (#15)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._toast import Toast

from indicator_catalog import load_catalog
from jixiao.storage.store import FormStore
from tests.tui_support import form_id, seeded_store, settle
from tui import create_app
from tui.screens.form_editor import FormEditorScreen
from tui.screens.form_list import FormListScreen

pytestmark = pytest.mark.asyncio
CATALOG = load_catalog()


@pytest.fixture
def store(tmp_path: Path) -> FormStore:
    return seeded_store(tmp_path, actor="项目负责人")


async def test_the_first_enter_on_the_list_opens_the_highlighted_form(store: FormStore) -> None:
    app = create_app(store, CATALOG)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, FormListScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FormEditorScreen)


@pytest.mark.parametrize(
    ("typed", "opens"), [("wljs", "网络建设运转维护经费"), ("lg", None), ("", None), ("计划", "计划管理费")]
)
async def test_enter_in_the_search_opens_a_single_match_else_goes_to_the_table(
    store: FormStore, typed: str, opens: str | None
) -> None:
    app = create_app(store, CATALOG)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *typed, "enter")
        await settle(pilot)
        if opens is None:
            assert isinstance(app.screen, FormListScreen) and app.screen.focused is not None
            assert app.screen.focused.id == "forms"
        else:
            assert isinstance(app.screen, FormEditorScreen) and app.screen.form is not None
            assert app.screen.form.project_name == opens


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_toasts_never_cover_the_explanation_or_the_totals(store: FormStore, size: tuple[int, int]) -> None:
    app = create_app(store, CATALOG, open_form_id=form_id(store, "老干工作经费"))
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        for n in range(3):
            app.notify(f"第 {n + 1} 条提示：这是一条较长的说明文字，用来占满提示框的宽度", title="提示")
        await pilot.pause(0.3)
        toasts = list(app.screen.query(Toast))
        assert toasts
        screen = app.screen
        keep = [screen.query_one("#explain").region, screen.query_one("#totals").region]
        for toast in toasts:
            for region in keep:
                assert not toast.region.overlaps(region), (toast.region, region)
