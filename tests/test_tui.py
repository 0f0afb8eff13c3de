"""The terminal UI, driven by Textual's Pilot against a real SQLite database.

Each test: given a seeded store, when a person presses keys, then the widgets
and the database both show the result.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from pathlib import Path

import pytest

from indicator_catalog import load_catalog
from jixiao.storage.store import FormStore
from scorer.result import Status
from tests.tools import second
from tests.tui_support import form_id, seeded_store, settle
from tui import create_app
from tui.screens.conflict_dialog import ConflictDialog
from tui.screens.form_editor import FormEditorScreen
from tui.screens.form_list import FormListScreen
from tui.screens.recorded_dialog import RecordedScoreDialog
from tui.widgets.cell_editor import CellEditor
from tui.widgets.indicator_grid import FIELD_COLUMN, IndicatorGrid

pytestmark = pytest.mark.asyncio

CATALOG = load_catalog()


@pytest.fixture
def store(tmp_path: Path) -> FormStore:
    return seeded_store(tmp_path, actor="项目负责人")


async def open_editor(pilot, store: FormStore, name: str) -> FormEditorScreen:  # type: ignore[no-untyped-def]
    pilot.app.open_form(form_id(store, name))
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, FormEditorScreen) and screen.form is not None
    return screen


async def open_cell(pilot, screen: FormEditorScreen, row: int, field: str) -> CellEditor:  # type: ignore[no-untyped-def]
    """Move to a cell, press Enter, and return its editor, emptied."""
    grid = screen.query_one(IndicatorGrid)
    grid.focus()
    grid.select_indicator(row)  # indicator row: a multi-goal form has section rows in between
    grid.move_cursor(column=FIELD_COLUMN[field])
    await pilot.press("enter")
    editor = screen.query_one(CellEditor)
    assert editor.is_open and editor.field == field
    editor.input.value = ""
    return editor


async def edit_cell(pilot, screen: FormEditorScreen, row: int, field: str, text: str) -> None:  # type: ignore[no-untyped-def]
    await open_cell(pilot, screen, row, field)
    await pilot.press(*text)
    await pilot.press("enter")
    await settle(pilot)


async def test_list_shows_seeded_forms_and_searches_by_initials(store: FormStore) -> None:
    async with create_app(store, CATALOG).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, FormListScreen)
        table = screen.query_one("#forms")
        assert table.row_count == 9
        await pilot.press("slash", *"zdjr")
        await pilot.pause()
        assert table.row_count == 1
        assert [s.project_name for s in screen._visible()] == ["重大节日慰问"]
        await pilot.press("enter", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, FormEditorScreen)
        assert pilot.app.screen.form.project_name == "重大节日慰问"  # type: ignore[union-attr]


async def test_edit_actual_rescores_and_is_saved_with_audit(store: FormStore) -> None:
    async with create_app(store, CATALOG).run_test(size=(80, 24)) as pilot:
        screen = await open_editor(pilot, store, "老干工作经费")
        assert screen.result is not None and screen.result.total_computed == Decimal("98.10")
        cost = screen.result.indicators[4]
        assert cost.status is Status.PARTLY
        # when the lead corrects the actual cost to the budgeted 20万元
        await edit_cell(pilot, screen, 4, "actual", "20万元")
        # then the row, the total and the totals bar change at once
        r = screen.result.indicators[4]
        assert r.status is Status.MET and r.score == 10
        assert screen.result.total_computed == Decimal("100.00")
        assert "100.00" in str(screen.query_one("#totals").render())
        # and the database has the change, with its audit entry
        fid = form_id(store, "老干工作经费")
        stored = store.get(fid)
        assert stored.form.goals[0].indicators[4].actual == "20万元"
        assert stored.version == 2 == screen.version
        last = store.history(fid)[-1]
        assert (last.action, last.actor, last.before, last.after) == ("update", "项目负责人", "24.7万元", "20万元")
        assert last.label == "指标「老干工作经费」实际完成值"


async def test_typing_rescores_live_before_commit(store: FormStore) -> None:
    async with create_app(store, CATALOG).run_test(size=(80, 24)) as pilot:
        screen = await open_editor(pilot, store, "老干工作经费")
        await open_cell(pilot, screen, 4, "actual")
        await pilot.press(*"40万元")
        await pilot.pause()
        assert screen.result.indicators[4].score == Decimal(5)  # type: ignore[union-attr]
        await pilot.press("escape")
        await settle(pilot)
        assert screen.result.indicators[4].indicator.actual == "24.7万元"  # type: ignore[union-attr]
        assert store.get(form_id(store, "老干工作经费")).version == 1  # nothing saved


async def test_catalog_completion_fills_levels(store: FormStore) -> None:
    async with create_app(store, CATALOG).run_test(size=(80, 24)) as pilot:
        screen = await open_editor(pilot, store, "老干工作经费")
        grid = screen.query_one(IndicatorGrid)
        grid.focus()
        grid.move_cursor(row=6, column=FIELD_COLUMN["name"])
        await pilot.press("a")  # add a row below the last one
        await settle(pilot)
        assert len(screen.form.indicators) == 8  # type: ignore[union-attr]
        grid.move_cursor(row=7, column=FIELD_COLUMN["name"])
        await pilot.press("enter")
        editor = screen.query_one(CellEditor)
        editor.input.value = ""
        await pilot.press(*"myd")
        await pilot.pause()
        assert editor.options.option_count >= 1
        assert "服务对象满意度" in str(editor.options.get_option_at_index(0).prompt)
        await pilot.press("enter")  # the first suggestion is already highlighted
        await settle(pilot)
        ind = screen.form.indicators[7]  # type: ignore[union-attr]
        assert (ind.name, ind.level1, ind.level2) == ("服务对象满意度", "满意度指标", "服务对象满意度指标")
        stored = store.get(form_id(store, "老干工作经费")).form
        assert stored.indicators[7].name == "服务对象满意度"


async def test_override_needs_a_reason(store: FormStore) -> None:
    async with create_app(store, CATALOG).run_test(size=(80, 24)) as pilot:
        screen = await open_editor(pilot, store, "老干工作经费")
        grid = screen.query_one(IndicatorGrid)
        grid.focus()
        grid.move_cursor(row=0, column=FIELD_COLUMN["actual"])
        await pilot.press("s")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, RecordedScoreDialog)
        dialog.query_one("#score").value = "18"
        dialog.query_one("#reason").value = ""
        await pilot.click("#save")
        await pilot.pause()
        assert isinstance(pilot.app.screen, RecordedScoreDialog)  # refused
        assert "必须说明理由" in str(dialog.query_one("#error").render())
        dialog.query_one("#reason").value = "部分慰问对象未能到场"
        dialog.query_one("#reason").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, FormEditorScreen)
        fid = form_id(store, "老干工作经费")
        rec = store.get(fid).form.indicators[0].recorded
        assert rec is not None and rec.score == 18 and rec.reason == "部分慰问对象未能到场"
        last = store.history(fid)[-1]
        assert (last.before, last.after, last.reason) == ("20", "18", "部分慰问对象未能到场")


async def test_conflict_is_shown_and_nothing_is_overwritten(store: FormStore) -> None:
    async with create_app(store, CATALOG).run_test(size=(100, 30)) as pilot:
        screen = await open_editor(pilot, store, "企业管理费")
        fid = form_id(store, "企业管理费")
        # meanwhile a colleague saves the same form
        other = FormStore(store.engine, actor="财务科 李四")
        theirs = other.get(fid)
        other.save(fid, dataclasses.replace(theirs.form, deviation_analysis="由李四补充"), theirs.version)
        await edit_cell(pilot, screen, 1, "actual", "9次")
        assert isinstance(pilot.app.screen, ConflictDialog)
        assert "李四" in pilot.app.screen.message
        assert store.get(fid).form.deviation_analysis == "由李四补充"
        assert store.get(fid).form.indicators[1].actual == "8 次"
        dialog = pilot.app.screen
        assert pilot.app.focused is dialog.query_one("#keep")  # the safe choice has the focus
        await pilot.click("#reload")  # a choice that drops my edit asks once more
        await settle(pilot)
        assert isinstance(pilot.app.screen, ConflictDialog)
        assert "再按一次" in str(dialog.query_one("#confirm").render())
        await pilot.pause(0.6)  # a second, separate click (not a double click)
        await pilot.click("#reload")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, ConflictDialog)
        await settle(pilot)
        assert screen.form.deviation_analysis == "由李四补充"  # type: ignore[union-attr]


async def test_workflow_refused_on_submitted_form(store: FormStore) -> None:
    async with create_app(store, CATALOG).run_test(size=(80, 24)) as pilot:
        screen = await open_editor(pilot, store, "计划管理费")
        await pilot.press("t")  # submit: the self-check finds warnings and asks
        await settle(pilot)
        from tui.screens.comment_dialog import CommentDialog

        if isinstance(pilot.app.screen, CommentDialog):
            assert "自查" in pilot.app.screen.title_text
            await pilot.click("#ok")
            await settle(pilot)
        fid = form_id(store, "计划管理费")
        assert store.get(fid).status.value == "submitted"
        assert "已提交" in str(screen.query_one("#totals").render())
        notified = len(pilot.app._notifications)
        await pilot.press("t")  # submit again: refused
        await pilot.pause()
        assert len(pilot.app._notifications) == notified + 1
        assert "不能提交" in list(pilot.app._notifications)[-1].title
        # editing is read-only now
        grid = screen.query_one(IndicatorGrid)
        grid.focus()
        await pilot.press("enter")
        assert not screen.query_one(CellEditor).is_open
        assert store.get(fid).version == 2


async def test_header_and_budget_edits_are_saved(store: FormStore) -> None:
    async with create_app(store, CATALOG).run_test(size=(100, 30)) as pilot:
        screen = await open_editor(pilot, store, "重大节日慰问")
        await pilot.press("f4")
        await pilot.pause()
        executed = screen.query_one("#b-executed")
        executed.focus()
        executed.value = "8.07"
        await pilot.pause()
        assert screen.result.budget.rate == Decimal("0.75")  # type: ignore[union-attr]
        await pilot.press("enter")
        await settle(pilot)
        fid = form_id(store, "重大节日慰问")
        assert store.get(fid).form.budget.executed == Decimal("8.07")
        assert store.history(fid)[-1].label == "执行数"


async def test_the_app_refuses_to_approve_what_its_user_submitted(store: FormStore) -> None:
    """四眼原则 in the editor: the user who submitted a form is told why before any dialog opens, and
    the form stays submitted; another user's submission may be approved."""
    fid = form_id(store, "计划管理费")
    store.transition(fid, "submit")  # by the app's own user, 项目负责人
    async with create_app(store, CATALOG).run_test(size=(80, 24)) as pilot:
        await open_editor(pilot, store, "计划管理费")
        notified = len(pilot.app._notifications)
        await pilot.press("v")
        await pilot.pause()
        assert len(pilot.app._notifications) == notified + 1
        said = list(pilot.app._notifications)[-1]
        assert said.title == "不能审核通过" and "不能审核通过自己提交或修改的表单" in said.message
        from tui.screens.comment_dialog import CommentDialog

        assert not isinstance(pilot.app.screen, CommentDialog)
    assert store.get(fid).status.value == "submitted"


async def test_review_drills_down_to_an_indicator_and_approves(store: FormStore) -> None:
    from textual.widgets import DataTable

    from tui.screens.review import ReviewScreen

    fid = form_id(store, "老干工作经费")
    second(store, "填报人").transition(fid, "submit")  # 四眼原则: the app's user reviews what another submitted
    async with create_app(store, CATALOG).run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen)
        assert "统计范围：全部状态（草稿、" in str(screen.query_one("#title").render())  # drafts are counted
        assert "表内错/警" in [str(c.label) for c in screen.query_one("#table", DataTable).columns.values()]
        assert {g.label for g in screen.rows} == {  # departments: the 部门整体支出 form apart
            "武昌区经济信息化和科技创新局",
            "武昌区经济信息化和科技创新局（部门整体支出）",
        }
        await pilot.press("enter")
        await settle(pilot)
        assert {g.key for g in screen.rows} == {"武昌区经济信息化和科技创新局", "武昌区商业行业离退休人员管理服务中心"}
        units = [g.key for g in screen.rows]
        screen.query_one("#table").move_cursor(row=units.index("武昌区商业行业离退休人员管理服务中心"))
        await pilot.press("enter")
        await settle(pilot)
        assert [s.project_name for s in screen.rows] == ["老干工作经费"]
        assert "得分分布" in str(screen.query_one("#chart").render())
        await pilot.press("enter")
        await settle(pilot)
        assert len(screen.rows) == 7 and screen.rows[4].indicator.name == "老干工作经费"
        screen.query_one("#table").move_cursor(row=4)
        await pilot.pause()
        assert "23.5%" in str(screen.query_one("#detail").render())
        await pilot.press("v")
        await pilot.pause()
        await pilot.click("#ok")
        await settle(pilot)
        assert store.get(fid).status.value == "approved"
        await pilot.press("backspace")
        await settle(pilot)
        assert [s.project_name for s in screen.rows] == ["老干工作经费"]


async def test_export_and_sign_pdf_from_the_editor(
    store: FormStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jixiao.pdf.trial_keys import new_key
    from jixiao.pdf.verify import verify_pdf_async
    from tui.screens.sign_dialog import SignDialog

    monkeypatch.setenv("JIXIAO_PDF_DIR", str(tmp_path / "pdf"))
    key = tmp_path / "key.p12"
    new_key("测试签章人", key, "pw-123")
    fid = form_id(store, "老干工作经费")
    second(store, "填报人").transition(fid, "submit")  # 四眼原则: the app's user signs what others passed
    second(store).transition(fid, "approve")
    async with create_app(store, CATALOG).run_test(size=(100, 30)) as pilot:
        screen = await open_editor(pilot, store, "老干工作经费")
        await pilot.press("x")
        await settle(pilot)
        (pdf,) = list((tmp_path / "pdf").glob("*.pdf"))
        assert pdf.read_bytes().startswith(b"%PDF")
        await pilot.press("g")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, SignDialog)
        dialog.query_one("#key").value = str(key)
        dialog.query_one("#password").value = "pw-123"
        dialog.query_one("#key").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert store.get(fid).status.value == "signed"
        assert screen.status.value == "signed"
    report = await verify_pdf_async(pdf.read_bytes())  # the test runs inside an event loop
    assert report.intact and report.signatures[0].name == "测试签章人"
    # the certificate ``jixiao verify`` holds copies to
    assert store.get(fid).signer_cert_sha256 == report.signatures[0].certificate_sha256


async def test_a_lost_connection_keeps_the_edit_and_retries(store: FormStore, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import OperationalError

    async with create_app(store, CATALOG).run_test(size=(80, 24)) as pilot:
        screen = await open_editor(pilot, store, "老干工作经费")
        real_save = store.save
        calls = {"n": 0}

        def flaky(*args, **kw):  # type: ignore[no-untyped-def]
            calls["n"] += 1
            if calls["n"] == 1:
                raise OperationalError("UPDATE forms", {}, Exception("server closed the connection unexpectedly"))
            return real_save(*args, **kw)

        monkeypatch.setattr(store, "save", flaky)
        await edit_cell(pilot, screen, 4, "actual", "20万元")
        assert "连接中断" in str(screen.query_one("#totals").render())
        assert screen.form.indicators[4].actual == "20万元"  # type: ignore[union-attr]  # kept on screen
        fid = form_id(store, "老干工作经费")
        assert store.get(fid).version == 1
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert store.get(fid).form.indicators[4].actual == "20万元"
        assert "已保存" in str(screen.query_one("#totals").render())


async def test_markup_in_what_a_person_types_is_shown_as_typed(store: FormStore) -> None:
    # given an open form, when a person types text that looks like Textual markup into a
    # number cell (an error) and a name cell (stored), then the error shows the text as typed,
    # nothing is interpreted (no crash, no [@click] action) and the name is stored verbatim
    hostile = "[/]3[@click=app.quit]x"
    # notifications=True: Pilot does not draw toasts by default, and drawing is what failed
    async with create_app(store, CATALOG).run_test(size=(100, 30), notifications=True) as pilot:
        screen = await open_editor(pilot, store, "计划管理费")
        await edit_cell(pilot, screen, 0, "weight", hostile)
        note = list(pilot.app._notifications)[-1]
        assert note.title == "输入有误" and hostile in note.message
        await pilot.pause()
        toast = pilot.app.screen.query_one("Toast")
        assert hostile in str(toast.render())
        await edit_cell(pilot, screen, 0, "name", hostile)
        assert screen.form is not None and screen.form.indicators[0].name == hostile
        assert pilot.app.is_running
    fid = form_id(store, "计划管理费")
    assert store.get(fid).form.indicators[0].name == hostile


async def test_review_shows_markup_like_names_and_cells_as_written(store: FormStore) -> None:
    # given a submitted form whose unit, project and a target cell look like Textual/Rich markup
    from tui.screens.review import ReviewScreen

    fid = form_id(store, "老干工作经费")
    stored = store.get(fid)
    goal = stored.form.goals[0]
    first = dataclasses.replace(goal.indicators[0], target="[/]≥5[@click=app.quit]")
    form = dataclasses.replace(
        stored.form,
        implementing_unit="[/x]单位[@click=app.quit]",
        goals=(dataclasses.replace(goal, indicators=(first, *goal.indicators[1:])), *stored.form.goals[1:]),
    )
    store.save(fid, form, stored.version)
    store.transition(fid, "submit")
    async with create_app(store, CATALOG).run_test(size=(120, 36), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen)
        # when the reviewer drills down department → unit → form → indicators
        await pilot.press("enter")
        await settle(pilot)
        units = [g.key for g in screen.rows]
        screen.query_one("#table").move_cursor(row=units.index("[/x]单位[@click=app.quit]"))
        await pilot.press("enter")
        await settle(pilot)
        assert "[/x]单位[@click=app.quit]" in str(screen.query_one("#crumbs").render())
        await pilot.press("enter")
        await settle(pilot)
        # then every text is shown as written, and the app is still there
        assert screen.rows[0].indicator.target == "[/]≥5[@click=app.quit]"
        assert "[/]≥5" in str(screen.query_one("#table").get_cell_at((0, 1)))
        assert pilot.app.is_running


async def test_markup_in_a_self_score_and_a_project_name_is_shown_as_written(store: FormStore) -> None:
    # given a form whose project name looks like markup
    from tui.screens.new_form_dialog import NewFormDialog

    fid = form_id(store, "计划管理费")
    stored = store.get(fid)
    store.save(fid, dataclasses.replace(stored.form, project_name="计划[/]管理费"), stored.version)
    async with create_app(store, CATALOG).run_test(size=(100, 30), notifications=True) as pilot:
        screen = await open_editor(pilot, store, "计划[/]管理费")
        # when a self-score that looks like markup is typed, the dialog says what was typed
        screen.query_one(IndicatorGrid).select_indicator(0)
        screen.action_recorded()
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, RecordedScoreDialog)
        dialog.query_one("#score").value = "[/]"  # type: ignore[attr-defined]
        dialog._save()
        await pilot.pause()
        assert "[/]" in str(dialog.query_one("#error").render())
        dialog.dismiss(None)
        await settle(pilot)
        # and the "copy this form" button names the project as written
        pilot.app.push_screen(NewFormDialog(2025, store.get(fid).form))
        await pilot.pause()
        assert "计划[/]管理费" in str(pilot.app.screen.query_one("#copy").render())
        assert pilot.app.is_running


async def test_catalog_names_are_shown_as_written(store: FormStore, tmp_path: Path) -> None:
    # given a user catalog with a name that looks like markup
    extra = tmp_path / "local.toml"
    extra.write_text(
        'version = "1"\n\n[[indicator]]\nname = "[/]测试[@click=app.quit]指标"\naliases = []\n'
        'level1 = "产出指标"\nlevel2 = "数量指标"\ndirection = "positive"\nkind = "count"\nunit = "人次"\n'
        'comparator = ">="\ndefinition = "测试"\nsource = "local"\n',
        encoding="utf-8",
    )
    catalog = load_catalog([extra])
    async with create_app(store, catalog).run_test(size=(80, 24)) as pilot:
        screen = await open_editor(pilot, store, "老干工作经费")
        editor = await open_cell(pilot, screen, 0, "name")
        # when the person types part of it, then the suggestion shows the name as written
        editor.input.value = "测试"
        await pilot.pause()
        prompts = [str(editor.options.get_option_at_index(i).prompt) for i in range(editor.options.option_count)]
        assert any("[/]测试[@click=app.quit]指标" in p for p in prompts), prompts
        assert pilot.app.is_running


async def test_review_money_agrees_with_the_cli_to_the_fen(store: FormStore) -> None:
    """The 部门整体支出 form's budget already holds its projects': it is never added to them."""
    import io
    import json

    from rich.console import Console

    from jixiao.cli import main

    async with create_app(store, CATALOG).run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        shown = {(g.key, g.kind): (g.planned, g.executed) for g in pilot.app.screen.rows}
    out = io.StringIO()
    url = store.engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "review", "--by", "department", "--json"], out=Console(file=out, width=200)) == 0
    groups = json.loads(out.getvalue())["groups"]
    cli = {(g["key"], g["kind"]): (Decimal(g["planned"]), Decimal(g["executed"])) for g in groups}
    assert shown == cli
    dept = "武昌区经济信息化和科技创新局"
    assert cli[(dept, "department")][0] == Decimal("4291.37")
    assert cli[(dept, "project")][0] < Decimal("4291.37")


async def test_tab_keys_never_type_and_digits_never_switch_tabs(store: FormStore) -> None:
    """Issue 15 item 4: typing 1 3 in 执行数 types 13 and stays on the tab; F-keys switch from inside a field."""
    from textual.widgets import Input, TabbedContent

    fid = form_id(store, "重大节日慰问")
    before = store.get(fid).form.budget.executed
    async with create_app(store, CATALOG).run_test(size=(100, 30)) as pilot:
        screen = await open_editor(pilot, store, "重大节日慰问")
        await pilot.press("f4")
        await pilot.pause()
        tabs = screen.query_one(TabbedContent)
        assert tabs.active == "tab-budget"
        executed = screen.query_one("#b-executed", Input)
        executed.focus()
        await pilot.pause()
        await pilot.press("f2")  # from inside the field: switches, types nothing
        await pilot.pause()
        assert tabs.active == "tab-indicators" and executed.value == fmt_money(before)
        rows = len(screen.form.goals[0].indicators)  # type: ignore[union-attr]
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("a")  # a grid action on the budget tab does nothing
        await pilot.pause()
        assert len(screen.form.goals[0].indicators) == rows  # type: ignore[union-attr]


async def test_a_rejected_value_is_replaced_by_the_value_in_effect(store: FormStore) -> None:
    from textual.widgets import Input

    fid = form_id(store, "重大节日慰问")
    before = store.get(fid).form.budget.executed
    async with create_app(store, CATALOG).run_test(size=(100, 30)) as pilot:
        screen = await open_editor(pilot, store, "重大节日慰问")
        await pilot.press("f4")
        await pilot.pause()
        executed = screen.query_one("#b-executed", Input)
        executed.focus()
        executed.value = "二十"
        await pilot.press("enter")
        await settle(pilot)
        assert executed.value == fmt_money(before)
        assert store.get(fid).form.budget.executed == before


def fmt_money(value):  # type: ignore[no-untyped-def]
    from scorer import numbers

    return numbers.money(value)


async def test_the_reviewers_return_comment_reaches_the_lead(store: FormStore) -> None:
    """Issue 15 item 8: on the form and in the list."""
    from textual.widgets import Static

    fid = form_id(store, "老干工作经费")
    store.transition(fid, "submit")
    store.transition(fid, "return", "请补充慰问对象名单")
    async with create_app(store, CATALOG).run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        lst = pilot.app.screen
        assert isinstance(lst, FormListScreen)
        assert "请补充慰问对象名单" in lst.notes[fid]
        screen = await open_editor(pilot, store, "老干工作经费")
        banner = screen.query_one("#return-note", Static)
        assert banner.display and "请补充慰问对象名单" in str(banner.render())


async def test_the_sign_off_block_and_funding_sources_can_be_filled_in(store: FormStore) -> None:
    """Issue 15 item 6: a form made in the TUI can carry 填表人 … 填报日期 and 资金来源."""
    from textual.widgets import Input

    fid = form_id(store, "重大节日慰问")
    async with create_app(store, CATALOG).run_test(size=(100, 30)) as pilot:
        screen = await open_editor(pilot, store, "重大节日慰问")
        await pilot.press("f3")
        await pilot.pause()
        for key, value in (("preparer", "张三"), ("phone", "027-88886666"), ("date", "2025-03-31")):
            w = screen.query_one(f"#s-{key}", Input)
            w.focus()
            w.value = value
            await pilot.press("enter")
            await settle(pilot)
        phone = screen.query_one("#s-phone", Input)
        phone.focus()
        phone.value = "请打电话"
        await pilot.press("enter")
        await settle(pilot)
        assert phone.value == "027-88886666"  # refused: the value in effect is shown
        await pilot.press("f4")
        await pilot.pause()
        fiscal = screen.query_one("#b-fiscal", Input)
        fiscal.focus()
        fiscal.value = "10.5"
        await pilot.press("enter")
        await settle(pilot)
    form = store.get(fid).form
    assert (form.signoff.preparer, form.signoff.phone, form.signoff.date) == ("张三", "027-88886666", "2025-03-31")
    assert form.budget.fiscal == Decimal("10.5")


async def test_textuals_own_words_are_chinese(store: FormStore) -> None:
    """Issue 15: the command palette, its commands, the footer key and the Ctrl+C toast."""
    from textual.command import CommandPalette
    from textual.widgets import Footer, Input

    async with create_app(store, CATALOG).run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        footer = pilot.app.screen.query_one(Footer)
        shown = " ".join(str(w.render()) for w in footer.query("*"))
        assert "palette" not in shown
        await pilot.press("ctrl+c")
        await pilot.pause()
        last = list(pilot.app._notifications)[-1]
        assert "Ctrl+Q" in last.message and "[b]" not in last.message and "退出" in last.title
        titles = [c.title for c in pilot.app.get_system_commands(pilot.app.screen)]
        assert titles and all(not t.isascii() for t in titles)
        await pilot.press("ctrl+p")
        await settle(pilot)
        palette = pilot.app.screen
        assert isinstance(palette, CommandPalette)
        assert palette.query_one(Input).placeholder == "搜索命令…"


async def test_submit_runs_the_self_check_and_errors_block_it(store: FormStore) -> None:
    """Issue 15 item 7: the lead sees every finding of ``jixiao check`` before submitting."""
    from jixiao.checks import run_form_checks
    from jixiao.scoring import score_form
    from tui.screens.problems import ProblemsScreen

    fid = form_id(store, "老干工作经费")
    sf = store.get(fid)
    store.save(fid, dataclasses.replace(sf.form, total_recorded=Decimal(90)), sf.version)  # rows add up to 94
    from jixiao.checks.evidence_checks import evidence_findings

    result = score_form(store.get(fid).form, None, CATALOG)
    own, evidence = run_form_checks(result), evidence_findings(result, [])  # no survey attached yet
    expected = own + evidence
    assert own and evidence
    async with create_app(store, CATALOG).run_test(size=(120, 36)) as pilot:
        screen = await open_editor(pilot, store, "老干工作经费")
        # the form's own checks, as the list counts them; the evidence ones apart, never added in
        totals = str(screen.query_one("#totals").render())
        assert f"问题 {len(own)} + 佐证 {len(evidence)}（p 查看）" in totals
        await pilot.press("t")
        await settle(pilot)
        panel = pilot.app.screen
        assert isinstance(panel, ProblemsScreen) and "不能提交" in panel.title_text
        assert len(panel.findings) == len(expected)
        await pilot.press("escape")
        await settle(pilot)
        assert store.get(fid).status.value == "draft"
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ProblemsScreen)


async def test_ticks_show_their_state_in_the_glyph_and_rule_sets_their_names(store: FormStore) -> None:
    from textual.widgets import Select

    from tui.widgets.ticks import TickBox

    async with create_app(store, CATALOG).run_test(size=(120, 36)) as pilot:
        screen = await open_editor(pilot, store, "老干工作经费")
        boxes = list(screen.query(TickBox))
        assert {b.BUTTON_INNER for b in boxes if b.value} == {"☑"}
        assert {b.BUTTON_INNER for b in boxes if not b.value} <= {"☐"}
        rules = screen.query_one("#h-rules", Select)
        labels = [str(label) for label, _ in rules._options if label]
        assert any("湖北" in label for label in labels) and not any(label == "hubei-2020" for label in labels)


async def test_friction_focus_after_tab_switch_and_q_leaves_the_form(store: FormStore) -> None:
    async with create_app(store, CATALOG).run_test(size=(100, 30)) as pilot:
        screen = await open_editor(pilot, store, "重大节日慰问")
        await pilot.press("f4")
        await settle(pilot)
        assert pilot.app.focused is not None and pilot.app.focused.id and pilot.app.focused.id.startswith("b-")
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(pilot.app.focused, IndicatorGrid)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(pilot.app.screen, FormListScreen)
        assert screen is not pilot.app.screen


async def test_review_names_the_form_keeps_the_cursor_and_has_help(store: FormStore) -> None:
    from textual.widgets import DataTable

    from tui.screens.comment_dialog import CommentDialog
    from tui.screens.help import HelpScreen
    from tui.screens.review import ReviewScreen

    for name in ("计划管理费", "企业管理费"):
        second(store, "填报人").transition(form_id(store, name), "submit")
    async with create_app(store, CATALOG).run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await pilot.press("R")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(pilot.app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        # down to the forms of 经科局
        rows = [g.key for g in screen.rows]
        screen.query_one("#table", DataTable).move_cursor(row=rows.index("武昌区经济信息化和科技创新局"))
        await pilot.press("enter")
        await settle(pilot)
        units = [g.key for g in screen.rows]
        screen.query_one("#table", DataTable).move_cursor(row=units.index("武昌区经济信息化和科技创新局"))
        await pilot.press("enter")
        await settle(pilot)
        names = [s.project_name for s in screen.rows]
        row = names.index("计划管理费")
        screen.query_one("#table", DataTable).move_cursor(row=row)
        await pilot.pause()
        await pilot.press("v")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, CommentDialog) and "计划管理费" in dialog.title_text
        await pilot.click("#ok")
        await settle(pilot)
        assert store.get(form_id(store, "计划管理费")).status.value == "approved"
        assert screen.query_one("#table", DataTable).cursor_row == row


async def test_copy_last_year_takes_the_year_typed_and_fields_have_labels(store: FormStore) -> None:
    from textual.widgets import Input, Label

    from tui.screens.new_form_dialog import NewFormDialog

    fid = form_id(store, "老干工作经费")
    results: list[object] = []
    async with create_app(store, CATALOG).run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        pilot.app.push_screen(NewFormDialog(2025, store.get(fid).form), results.append)
        await settle(pilot)
        dialog = pilot.app.screen
        labels = [str(lb.render()) for lb in dialog.query(Label)]
        assert {"年度", "项目实施单位", "主管部门", "项目名称"} <= set(labels)
        dialog.query_one("#year", Input).value = "2027"
        await pilot.click("#copy")
        await settle(pilot)
    (form,) = results
    assert form.year == 2027 and form.project_name == "老干工作经费"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("year", "project", "kept"),
    [("2025", "", True), ("2024", "另一个项目", False), ("2024", "", False), ("2025", "另一个项目", False)],
)
async def test_a_copy_keeps_the_rows_identities_only_for_the_same_projects_next_year(
    store: FormStore, year: str, project: str, kept: bool
) -> None:
    """A copy for another project (or the same year) has rows of its own: exported and imported
    elsewhere beside its template it would be refused as the template renamed (storage/renames.py)."""
    from textual.widgets import Input

    from tui.screens.new_form_dialog import NewFormDialog

    template = store.get(form_id(store, "老干工作经费")).form
    uids = {i.uid for g in template.goals for i in g.indicators}
    results: list[object] = []
    async with create_app(store, CATALOG).run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        pilot.app.push_screen(NewFormDialog(2025, template), results.append)
        await settle(pilot)
        pilot.app.screen.query_one("#year", Input).value = year
        pilot.app.screen.query_one("#project", Input).value = project
        await pilot.click("#copy")
        await settle(pilot)
    (form,) = results
    copied = {i.uid for g in form.goals for i in g.indicators}  # type: ignore[attr-defined]
    assert (copied == uids) if kept else (copied == {""})


@pytest.mark.parametrize("typed", ["9999", "1989", "２０２５", "²０²５", "20255", ""])
async def test_the_new_form_dialog_takes_only_a_year_a_form_may_have(store: FormStore, typed: str) -> None:
    """The dialog held a year to four digits only: a form of 9999 was made, and refused at its next export."""
    from textual.widgets import Input, Static

    from tui.screens.new_form_dialog import NewFormDialog

    fid = form_id(store, "老干工作经费")
    results: list[object] = []
    async with create_app(store, CATALOG).run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        pilot.app.push_screen(NewFormDialog(2025, store.get(fid).form), results.append)
        await settle(pilot)
        dialog = pilot.app.screen
        dialog.query_one("#year", Input).value = typed
        await pilot.click("#copy")
        await settle(pilot)
        said = str(dialog.query_one("#error", Static).render())
    assert results == [] and "年度" in said and ("1990–2100" in said or "不能为空" in said), said


async def test_no_reason_is_needed_to_record_the_rule_score_and_A_accepts_them_all(store: FormStore) -> None:
    fid = form_id(store, "重大节日慰问")
    sf = store.get(fid)
    cleared = dataclasses.replace(
        sf.form,
        goals=tuple(
            dataclasses.replace(g, indicators=tuple(dataclasses.replace(i, recorded=None) for i in g.indicators))
            for g in sf.form.goals
        ),
        total_recorded=None,
    )
    store.save(fid, cleared, sf.version)
    async with create_app(store, CATALOG).run_test(size=(120, 36)) as pilot:
        screen = await open_editor(pilot, store, "重大节日慰问")
        rule = screen.result.indicators[0].score  # type: ignore[union-attr]
        grid = screen.query_one(IndicatorGrid)
        grid.focus()
        grid.move_cursor(row=0, column=FIELD_COLUMN["actual"])
        await pilot.press("s")
        await pilot.pause()
        dialog = pilot.app.screen
        assert isinstance(dialog, RecordedScoreDialog)
        dialog.query_one("#score").value = str(rule)
        dialog.query_one("#reason").value = ""
        await pilot.click("#save")
        await settle(pilot)
        assert not isinstance(pilot.app.screen, RecordedScoreDialog)  # accepted without a reason
        await pilot.press("A")
        await settle(pilot)
    form = store.get(fid).form
    scored = [i for g in form.goals for i in g.indicators]
    assert all(i.recorded is not None for i in scored if i.actual)


async def test_enter_after_pinyin_takes_the_highlighted_suggestion_not_the_letters(store: FormStore) -> None:
    async with create_app(store, CATALOG).run_test(size=(120, 36)) as pilot:
        screen = await open_editor(pilot, store, "重大节日慰问")
        await open_cell(pilot, screen, 0, "name")
        editor = screen.query_one(CellEditor)
        editor.input.value = ""
        await pilot.press(*"fwdx")
        await settle(pilot)
        assert editor.options.highlighted == 0
        await pilot.press("enter")
        await settle(pilot)
    names = [i.name for g in store.get(form_id(store, "重大节日慰问")).form.goals for i in g.indicators]
    assert "fwdx" not in names and "服务对象满意度" in names


async def explained(store: FormStore, form: str, indicator: str) -> str:
    """The explanation panel's text with the named row of the named form selected."""
    async with create_app(store, CATALOG).run_test(size=(100, 30)) as pilot:
        screen = await open_editor(pilot, store, form)
        assert screen.result is not None
        row = next(i for i, r in enumerate(screen.result.indicators) if r.indicator.name == indicator)
        screen.query_one(IndicatorGrid).select_indicator(row)
        await settle(pilot)
        return str(screen.query_one("#explain").render())


async def test_a_recheck_is_shown_beside_the_rule_and_unit_scores(store: FormStore) -> None:
    from jixiao.storage import rechecks

    fid = form_id(store, "老干工作经费")
    second(store, "填报人").transition(fid, "submit")  # 四眼原则: the app's user rechecks what another submitted
    rechecks.record(store, fid, "老干工作经费", Decimal(8), "执行超预算")
    shown = await explained(store, "老干工作经费", "老干工作经费")
    assert "自评 10.00" in shown and "复核 8.00：执行超预算（项目负责人）" in shown


async def test_a_row_shows_what_the_years_monitoring_said_of_it(store: FormStore) -> None:
    from jixiao.storage import snapshots
    from scorer.monitoring import load_snapshot

    snapshots.save(store, load_snapshot(Path(__file__).parents[1] / "docs/examples/monitoring/2024-laogan-1-6.toml"))
    shown = await explained(store, "老干工作经费", "老干工作经费")
    assert "监控 1–6月：完成 6.5万元，预计「确定能」" in shown and "部分达成" in shown


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_list_shows_every_status_whole(store: FormStore, size: tuple[int, int]) -> None:
    """已提交, 已退回 with its note mark, 已审核 and 已签章 are not cut to 已提, 已退…, 已签 in the list."""
    from rich.cells import cell_len

    from jixiao.workflow import STATE_LABELS

    reviewer = FormStore(store.engine, actor="审核人")
    for name in ("企业管理费", "区域经济发展资金", "计划管理费"):
        store.transition(form_id(store, name), "submit")
    reviewer.transition(form_id(store, "区域经济发展资金"), "return", "请补充偏差原因分析")
    reviewer.transition(form_id(store, "计划管理费"), "approve")
    async with create_app(store, CATALOG).run_test(size=size) as pilot:
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, FormListScreen)
        table = screen.query_one("#forms")
        status = next(i for i, c in enumerate(table.ordered_columns) if str(c.label) == "状态")
        width = table.ordered_columns[status].width
        shown = [table.get_row_at(r)[status] for r in range(table.row_count)]
        assert {str(t).strip() for t in shown} >= {"草稿", "已提交", "已退回✉", "已审核"}
        assert all(cell_len(str(t)) <= width for t in shown), (width, [str(t) for t in shown])
        assert all(cell_len(" " + label + "✉") <= width for label in STATE_LABELS.values())


async def test_a_full_disk_is_said_as_such_and_keeps_the_edit(
    store: FormStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not "数据库连接中断 … (database or disk is full)": the cause, in Chinese, and the edit kept."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    async with create_app(store, CATALOG).run_test(size=(80, 24)) as pilot:
        screen = await open_editor(pilot, store, "老干工作经费")

        def full(*args, **kw):  # type: ignore[no-untyped-def]
            raise OperationalError("UPDATE forms", {}, sqlite3.OperationalError("database or disk is full"))

        monkeypatch.setattr(store, "save", full)
        await edit_cell(pilot, screen, 4, "actual", "20万元")
        notes = [str(n.message) for n in pilot.app._notifications]
        assert any("磁盘空间已满" in n and "连接中断" not in n for n in notes), notes
        assert not any("disk is full" in n for n in notes), notes
        assert "数据库不能写入" in str(screen.query_one("#totals").render())
        assert screen.form.indicators[4].actual == "20万元"  # type: ignore[union-attr]  # kept on screen


async def test_a_damaged_database_is_said_as_such_on_the_list(
    store: FormStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from sqlalchemy.exc import DatabaseError

    async with create_app(store, CATALOG).run_test(size=(80, 24)) as pilot:
        await settle(pilot)

        def damaged(*args, **kw):  # type: ignore[no-untyped-def]
            raise DatabaseError("SELECT forms", {}, sqlite3.DatabaseError("database disk image is malformed"))

        monkeypatch.setattr(store, "list", damaged)
        await pilot.press("r")
        await settle(pilot)
        notes = [str(n.message) for n in pilot.app._notifications]
        assert any("数据库文件已损坏" in n for n in notes), notes
        assert not any("连接中断" in n or "malformed" in n for n in notes), notes


async def test_a_pdf_that_cannot_be_written_is_said_in_chinese(
    store: FormStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """x where the PDF folder is a file: not Python's 「[Errno 17] File exists: …」."""
    blocker = tmp_path / "pdf"
    blocker.write_text("不是目录", encoding="utf-8")
    monkeypatch.setenv("JIXIAO_PDF_DIR", str(blocker))
    async with create_app(store, CATALOG).run_test(size=(80, 24)) as pilot:
        await open_editor(pilot, store, "老干工作经费")
        await pilot.press("x")
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
        await settle(pilot)
        notes = [str(n.message) for n in pilot.app._notifications]
        failed = [n for n in notes if str(blocker) in n]
        assert failed and not any("Errno" in n or "exists" in n for n in notes), notes
        assert "无法使用此路径" in failed[0]
