"""Several 年度绩效目标 on one form: labelled sections in the TUI grid and the national PDF (#15 item 6)."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pypdf
import pytest

from indicator_catalog import load_catalog
from jixiao import editing
from jixiao.pdf.layout import render_pdf
from jixiao.scoring import score_form
from jixiao.storage.store import FormStore
from scorer.formfile import load_form
from scorer.model import Goal
from tests.conftest import SAMPLES
from tests.tui_support import form_id, seeded_store, settle
from tui import create_app
from tui.screens.form_editor import FormEditorScreen
from tui.widgets.indicator_grid import FIELD_COLUMN, IndicatorGrid

CATALOG = load_catalog()
THREE_GOALS = SAMPLES / "2024-jihua-guanlifei.toml"


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages))


# ------------------------------------------------------------------ pure edits


def test_add_goal_appends_a_goal_with_one_blank_row_and_returns_that_row() -> None:
    form = load_form(THREE_GOALS)
    before = len(form.indicators)
    new, row = editing.add_goal(form)
    assert len(new.goals) == len(form.goals) + 1
    assert len(new.indicators) == before + 1 and row == before
    assert new.goals[-1].indicators[0].uid and new.goals[-1].text == ""


@pytest.mark.parametrize(("gi", "text", "stored"), [(0, "  推动成果转化  ", "推动成果转化"), (2, "", "")])
def test_set_goal_text_changes_only_that_goal(gi: int, text: str, stored: str) -> None:
    form = load_form(THREE_GOALS)
    new = editing.set_goal_text(form, gi, text)
    assert new.goals[gi].text == stored
    assert [g.text for i, g in enumerate(new.goals) if i != gi] == [g.text for i, g in enumerate(form.goals) if i != gi]
    assert new.indicators == form.indicators


def test_set_goal_text_for_a_goal_that_does_not_exist_is_refused() -> None:
    with pytest.raises(editing.EditError, match="没有第 9 个年度绩效目标"):
        editing.set_goal_text(load_form(THREE_GOALS), 8, "x")


def test_deleting_the_last_row_of_an_untitled_goal_removes_the_goal_but_a_titled_goal_stays() -> None:
    form, row = editing.add_goal(load_form(THREE_GOALS))
    assert len(editing.delete_row(form, row).goals) == len(form.goals) - 1
    titled = editing.set_goal_text(form, len(form.goals) - 1, "新目标")
    kept = editing.delete_row(titled, row)
    assert len(kept.goals) == len(form.goals) and kept.goals[-1].indicators == ()
    single = dataclasses.replace(form, goals=(Goal(indicators=form.goals[0].indicators[:1]),))
    assert len(editing.delete_row(single, 0).goals) == 1  # the only goal is never dropped


# ------------------------------------------------------------------ national PDF


def test_national_pdf_prints_each_goal_as_a_labelled_section_before_its_rows() -> None:
    form = editing.set_goal_text(load_form(THREE_GOALS), 1, "促进科技成果转化")
    text = _text(render_pdf(score_form(form), layout="national"))
    marks = [text.index(f"年度绩效目标{n}") for n in (1, 2, 3)]
    assert marks == sorted(marks)
    assert "年度绩效目标2：促进科技成果转化" in text
    for n, goal in enumerate(form.goals):
        for ind in goal.indicators:
            at = text.index(re.sub(r"\s+", "", ind.name), marks[n])
            assert n == 2 or at < marks[n + 1], ind.name  # every row inside its own goal's section


def test_single_goal_national_pdf_has_no_section_label() -> None:
    text = _text(render_pdf(score_form(load_form(SAMPLES / "2024-laoganbu-gongzuo.toml")), layout="national"))
    assert "年度绩效目标1" not in text


# ------------------------------------------------------------------ TUI


@pytest.fixture
def store(tmp_path: Path) -> FormStore:
    return seeded_store(tmp_path, actor="项目负责人")


def _cell(grid: IndicatorGrid, row: int, col: int) -> str:
    return str(grid.get_cell_at((row, col)))  # type: ignore[arg-type]


@pytest.mark.asyncio
async def test_grid_shows_each_goal_as_a_section_and_edits_reach_the_right_row(store: FormStore) -> None:
    fid = form_id(store, "计划管理费")
    app = create_app(store, CATALOG, open_form_id=fid)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FormEditorScreen) and screen.form is not None
        grid = screen.query_one(IndicatorGrid)
        goals = screen.form.goals
        assert grid.row_count == len(screen.form.indicators) + len(goals)
        section_rows = [i for i in range(grid.row_count) if "◆" in _cell(grid, i, 0)]
        assert section_rows == [
            0,
            1 + len(goals[0].indicators),
            2 + len(goals[0].indicators) + len(goals[1].indicators),
        ]
        assert "目标2" in _cell(grid, section_rows[1], 1)
        # the first row of goal 2 is edited through the section rows in between
        first2 = len(goals[0].indicators)
        grid.select_indicator(first2)
        assert grid.indicator_row == first2 and grid.cursor_row == first2 + 2
        grid.move_cursor(column=FIELD_COLUMN["actual"])
        await pilot.press("enter")
        await pilot.press(*"6次", "enter")
        await settle(pilot)
        saved = store.get(fid).form
        assert saved.goals[1].indicators[0].actual == "6次"
        assert [i.actual for i in saved.goals[0].indicators] == [i.actual for i in goals[0].indicators]


@pytest.mark.asyncio
async def test_enter_on_a_section_row_edits_the_goal_text_and_a_goal_can_be_added(store: FormStore) -> None:
    fid = form_id(store, "计划管理费")
    app = create_app(store, CATALOG, open_form_id=fid)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FormEditorScreen) and screen.form is not None
        grid = screen.query_one(IndicatorGrid)
        grid.focus()
        grid.move_cursor(row=0)
        await pilot.pause()
        assert "年度绩效目标 1" in str(screen.query_one("#explain").render())
        await pilot.press("enter")
        await settle(pilot)
        area = screen.query_one("#g-0")
        assert area.has_focus
        await pilot.press(*"支持高新技术企业发展")
        await pilot.press("tab")
        await settle(pilot)
        assert store.get(fid).form.goals[0].text == "支持高新技术企业发展"
        assert "支持高新技术企业发展" in _cell(grid, 0, 1) + _cell(grid, 0, 2) + _cell(grid, 0, 3)
        count = len(screen.form.goals)
        screen.query_one("#add-goal").press()
        await settle(pilot)
        saved = store.get(fid).form
        assert len(saved.goals) == count + 1 and len(saved.goals[-1].indicators) == 1
        assert len(screen.query("#goals Narrative")) == count + 1


# ------------------------------------------------------------------ CJK-aware wrapping


@pytest.mark.parametrize("width", range(13, 41))  # the narrowest panel at 80 columns is wider
@pytest.mark.parametrize(
    "text",
    [
        "规则：完成率（80%–100%）按比例得分，低于80%不得分；目标值≥75户，实际完成值75户",
        "实际完成值 1,702.38万元 与预算数（4,291.37万元）不符。",
    ],
)
def test_wrap_never_breaks_inside_a_number_or_before_closing_punctuation(text: str, width: int) -> None:
    from rich.cells import cell_len

    from tui.widgets.wrap import wrap

    lines = wrap(text, width).plain.split("\n")
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost or added
    for a, b in zip(lines, lines[1:], strict=False):
        assert cell_len(a) <= width
        assert not (a[-1:].isdigit() and b[:1].isdigit()), (a, b)  # never 8|0
        assert b[:1] not in "，。；）%", (a, b)  # no line starts with closing punctuation
        assert a[-1:] != "（", (a, b)


@pytest.mark.asyncio
async def test_on_a_section_row_a_adds_into_that_goal_and_s_asks_for_an_indicator_row(store: FormStore) -> None:
    fid = form_id(store, "计划管理费")
    app = create_app(store, CATALOG, open_form_id=fid)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FormEditorScreen) and screen.form is not None
        before = [len(g.indicators) for g in screen.form.goals]
        grid = screen.query_one(IndicatorGrid)
        grid.focus()
        grid.move_cursor(row=1 + before[0])  # goal 2's section row
        await pilot.press("a")
        await settle(pilot)
        after = [len(g.indicators) for g in store.get(fid).form.goals]
        assert after == [before[0], before[1] + 1, *before[2:]]
        assert grid.indicator_row == before[0]  # the new row, at the top of goal 2
        grid.move_cursor(row=0)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, FormEditorScreen)
        assert list(app._notifications)[-1].title == "请选择指标行"
