"""The year in the terminal UI (issue 19): a declaration created from last year's form, its target
review, the step into the self-evaluation, and the locked targets, driven by Pilot on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from indicator_catalog import load_catalog
from jixiao.storage import declarations
from jixiao.storage.store import FormStore
from jixiao.workflow import Stage, State
from tests.tools import second
from tests.tui_support import seeded_store, settle
from tui import create_app
from tui.screens.comment_dialog import CommentDialog
from tui.screens.form_editor import FormEditorScreen
from tui.screens.form_list import FormListScreen
from tui.screens.new_form_dialog import NewFormDialog
from tui.widgets.cell_editor import CellEditor
from tui.widgets.indicator_grid import FIELD_COLUMN, IndicatorGrid

pytestmark = pytest.mark.asyncio
CATALOG = load_catalog()
LAOGAN = "老干工作经费"


@pytest.fixture
def store(tmp_path: Path) -> FormStore:
    return seeded_store(tmp_path, actor="项目负责人")


def _notes(pilot) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(n.message) for n in pilot.app._notifications]


async def _declare_from_list(pilot, store: FormStore) -> FormEditorScreen:  # type: ignore[no-untyped-def]
    """On the list, the 2024 老干工作经费 row, d, the dialog's copy button: the declaration's editor."""
    await settle(pilot)
    listing = pilot.app.screen
    assert isinstance(listing, FormListScreen)
    rows = listing._visible()
    listing.table.move_cursor(row=next(i for i, s in enumerate(rows) if s.project_name == LAOGAN))
    await pilot.press("d")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, NewFormDialog) and dialog.declaration
    await pilot.click("#copy")
    await settle(pilot)
    editor = pilot.app.screen
    assert isinstance(editor, FormEditorScreen)
    return editor


async def test_a_declaration_from_last_years_form_shows_its_target_review(store: FormStore) -> None:
    async with create_app(store, CATALOG).run_test(size=(120, 40)) as pilot:
        editor = await _declare_from_list(pilot, store)
        assert editor.stage is Stage.DECLARATION and editor.form is not None
        assert editor.form.year == 2025 and editor.form.title == "项目支出绩效目标申报表"
        assert all(not i.actual and i.recorded is None for i in editor.form.indicators)
        assert "目标申报·草稿" in str(editor.query_one("#title").render())
        totals = str(editor.query_one("#totals").render())
        assert "目标申报 7 项指标，分值合计 100" in totals and "规则得分" not in totals  # no score before the year
        codes = {f.check_id for f in editor.findings()}
        assert codes and all(c.startswith(("target-", "weights-", "weight-", "duplicate-")) for c in codes)
        await pilot.press("e")  # not approved yet
        await settle(pilot)
        assert any("只有已审核的目标申报表可以开始自评" in n for n in _notes(pilot))
    (decl,) = store.list(year=2025)
    assert decl.stage is Stage.DECLARATION and decl.status is State.DRAFT


async def test_an_approved_declaration_begins_its_self_evaluation_with_its_targets_locked(store: FormStore) -> None:
    async with create_app(store, CATALOG).run_test(size=(120, 40)) as pilot:
        editor = await _declare_from_list(pilot, store)
        fid = editor.form_id
        store.transition(fid, "submit")
        second(store).transition(fid, "approve")  # by the reviewer, elsewhere (四眼原则)
        editor.load()
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CommentDialog)
        await pilot.click("#ok")
        await settle(pilot)
        assert editor.stage is Stage.EVALUATION and editor.status is State.DRAFT and editor.approval is not None
        assert "目标已锁定" in str(editor.query_one("#title").render())
        grid = editor.query_one(IndicatorGrid)
        grid.focus()
        grid.select_indicator(0)
        for field in ("weight", "name"):
            grid.move_cursor(column=FIELD_COLUMN[field])
            await pilot.press("enter")
            await settle(pilot)
            assert not editor.query_one(CellEditor).is_open
        await pilot.press("a")  # no row added
        await settle(pilot)
        assert sum("审核锁定" in n for n in _notes(pilot)) == 3
        grid.move_cursor(column=FIELD_COLUMN["target"])
        await pilot.press("enter")
        cell = editor.query_one(CellEditor)
        assert cell.is_open and cell.field == "adjusted_target"
        cell.input.value = "≥260"
        await pilot.press("enter")
        await settle(pilot)
    saved = store.get(fid).form.indicators[0]
    assert (saved.target, saved.adjusted_target) == ("≥240", "≥260")
    locked = declarations.approval(store, fid)
    assert locked is not None and locked.rows[0].target == "≥240"
    assert len(store.get(fid).form.indicators) == len(locked.rows)


async def test_a_reviewer_records_a_recheck_from_the_editor(store: FormStore) -> None:
    from textual.widgets import Input

    from jixiao.storage import rechecks
    from tests.tui_support import form_id
    from tui.screens.recheck_dialog import RecheckDialog

    fid = form_id(store, LAOGAN)
    async with create_app(store, CATALOG).run_test(size=(80, 24)) as pilot:
        pilot.app.open_form(fid)
        await settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, FormEditorScreen) and editor.result is not None
        grid = editor.query_one(IndicatorGrid)
        grid.focus()
        grid.select_indicator(0)
        await pilot.press("c")  # a draft is not re-checked
        await settle(pilot)
        assert any("复核只能在表单提交之后进行" in n for n in _notes(pilot))
        store.transition(fid, "submit")
        editor.load()
        await settle(pilot)
        grid.select_indicator(0)
        await pilot.press("c")  # nor by whoever submitted it (四眼原则)
        await settle(pilot)
        assert any("不能复核自己提交或修改的表单" in n for n in _notes(pilot)), _notes(pilot)
        store.transition(fid, "reopen", "换人提交")
        second(store, "填报人").transition(fid, "submit")
        editor.load()
        await settle(pilot)
        grid.select_indicator(0)
        await pilot.press("c")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, RecheckDialog)
        dialog.query_one("#score", Input).value = "99"
        await pilot.click("#save")
        await settle(pilot)
        assert "复核得分应在 0 到分值" in str(dialog.query_one("#error").render())
        dialog.query_one("#score", Input).value = "18"
        dialog.query_one("#opinion", Input).value = "慰问名单有重复"
        dialog.query_one("#opinion", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "复核 18.00：慰问名单有重复（项目负责人）" in str(editor.query_one("#explain").render()), _notes(pilot)
    (done,) = rechecks.latest(store, fid).values()
    assert (done.score, done.opinion) == (18, "慰问名单有重复")


async def test_the_problems_panel_lists_the_monitorings_deviation_warnings(store: FormStore) -> None:
    from jixiao.storage import snapshots
    from scorer.monitoring import load_snapshot
    from tests.tui_support import form_id

    before = {}
    async with create_app(store, CATALOG).run_test(size=(120, 40)) as pilot:
        pilot.app.open_form(form_id(store, LAOGAN))
        await settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, FormEditorScreen)
        before = {f.check_id for f in editor.findings()}
    snapshots.save(store, load_snapshot(Path(__file__).parents[1] / "docs/examples/monitoring/2024-laogan-1-6.toml"))
    async with create_app(store, CATALOG).run_test(size=(120, 40)) as pilot:
        pilot.app.open_form(form_id(store, LAOGAN))
        await settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, FormEditorScreen)
        after = {f.check_id for f in editor.findings()}
    added = after - before
    assert "monitoring-late" in added  # the seed's 2024 snapshot stored today: as the review says
    assert added and all(
        c.startswith(("monitoring-", "spending-", "indicator-", "forecast-", "predicted-", "correction-", "progress-"))
        for c in added
    )


async def test_a_rows_evidence_is_listed_under_its_heading(store: FormStore) -> None:
    from jixiao.storage import evidence
    from tests.tui_support import form_id

    fid = form_id(store, LAOGAN)
    evidence.add(store, fid, "满意度调查.pdf", b"%PDF-survey", "离退休人员对单位开展工作的满意度")
    async with create_app(store, CATALOG).run_test(size=(120, 40)) as pilot:
        pilot.app.open_form(fid)
        await settle(pilot)
        editor = pilot.app.screen
        assert isinstance(editor, FormEditorScreen) and editor.result is not None
        row = next(i for i, r in enumerate(editor.result.indicators) if "满意度" in r.indicator.name)
        editor.query_one(IndicatorGrid).select_indicator(row)
        await settle(pilot)
        assert "佐证 1 份：满意度调查.pdf" in str(editor.query_one("#explain").render())
