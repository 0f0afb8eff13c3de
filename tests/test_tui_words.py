"""The 按键 panel of the command palette lists Textual's own bindings; each is Chinese.

It listed "Cursor up", "Page Left", "Focus Next", "Copy selected text" … beside jixiao's keys.
"""

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
    return seeded_store(tmp_path, actor="项目负责人")


def _english(pilot) -> list[str]:  # type: ignore[no-untyped-def]
    """The ASCII descriptions among the bindings the focused widget and its screen offer now."""
    shown = [b.description for _, b, _, _ in _active(pilot)]
    return sorted({d for d in shown if d and d.isascii() and any(ch.isalpha() for ch in d)})


def _active(pilot):  # type: ignore[no-untyped-def]
    return [
        (k, active.binding, active.enabled, active.tooltip) for k, active in pilot.app.screen.active_bindings.items()
    ]


@pytest.mark.asyncio
async def test_the_keys_panel_of_the_list_and_the_editor_is_chinese(store: FormStore) -> None:
    async with create_app(store, CATALOG).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert _english(pilot) == []  # the list: a DataTable, the app's Tab / Shift+Tab
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert _english(pilot) == []  # the command palette
        await pilot.press("escape")
        pilot.app.open_form(form_id(store, "老干工作经费"))
        await settle(pilot)
        assert _english(pilot) == []  # the editor's grid
        await pilot.press("f5")
        await settle(pilot)
        assert _english(pilot) == []  # the narratives' text areas


def test_every_textual_widget_class_loaded_is_translated() -> None:
    from textual.dom import DOMNode

    from tui.textual_words import _subclasses, translate

    create_app  # noqa: B018 - the app's module, and the widgets it uses, are loaded
    translate()
    left = sorted(
        {
            b.description
            for cls in _subclasses(DOMNode)
            if cls._merged_bindings is not None
            for bindings in cls._merged_bindings.key_to_bindings.values()
            for b in bindings
            if b.description and b.description.isascii() and any(ch.isalpha() for ch in b.description)
        }
    )
    assert left == []


def test_every_builtin_theme_has_a_chinese_name() -> None:
    from textual.theme import BUILTIN_THEMES

    from tui.theme_names import NAMES

    assert sorted(set(BUILTIN_THEMES) - set(NAMES)) == []
    assert all(not name.isascii() for name in NAMES.values())


def _options(pilot) -> list[str]:  # type: ignore[no-untyped-def]
    from textual.command import CommandList

    listed = pilot.app.screen.query_one(CommandList)
    prompts = [listed.get_option_at_index(i).prompt for i in range(listed.option_count)]
    prompts = [getattr(p, "renderable", p) for p in prompts]  # 「no match」 is centred
    return [getattr(p, "plain", None) or str(p) for p in prompts]


async def _options_for(pilot, typed: str, first: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The options shown for ``typed`` once ``first`` heads them, or as they are after 3 s."""
    from textual.command import CommandInput

    pilot.app.screen.query_one(CommandInput).value = typed
    for _ in range(60):  # the palette searches, then shows 「no match」 after half a second
        await pilot.pause(0.05)
        if _options(pilot)[:1] == [first]:
            break
    return _options(pilot)


@pytest.mark.asyncio
async def test_the_theme_list_is_chinese_and_found_by_pinyin(store: FormStore) -> None:
    async with create_app(store, CATALOG).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        pilot.app.action_change_theme()
        await settle(pilot)
        await pilot.pause(0.3)
        shown = _options(pilot)
        assert len(shown) == len(pilot.app.available_themes) and "暖褐（深色）" in shown
        assert not [s for s in shown if s.isascii()], shown
        found = await _options_for(pilot, "nh", "暖褐（深色）")
        assert found[0] == "暖褐（深色）", found
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.theme == "gruvbox"


@pytest.mark.asyncio
async def test_a_search_that_finds_nothing_says_so_in_chinese(store: FormStore) -> None:
    async with create_app(store, CATALOG).run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await settle(pilot)
        shown = await _options_for(pilot, "qqqqzzzz", "没有匹配的项")
        assert shown == ["没有匹配的项"], shown


@pytest.mark.asyncio
@pytest.mark.parametrize("columns", [80, 70])
async def test_the_totals_bar_shows_the_save_state_at_narrow_widths(store: FormStore, columns: int) -> None:
    """At 80 columns the 94 form's totals line was 79 cells in 78: the bar wrapped its last words,
    「已保存」, out of its one line, so a filler could not see that the edit was saved."""
    from rich.cells import cell_len

    from tui.widgets.totals_bar import TotalsBar

    app = create_app(store, CATALOG, open_form_id=form_id(store, "老干工作经费"))
    async with app.run_test(size=(columns, 24)) as pilot:
        await settle(pilot)
        bar = pilot.app.screen.query_one(TotalsBar)
        assert bar.save_state and bar.status_label  # the test means something
        shown = bar.render().plain
        assert shown.endswith(bar.save_state) and "98.10" in shown and "94.00" in shown, shown
        assert cell_len(shown) <= bar.content_size.width, (shown, bar.content_size.width)
