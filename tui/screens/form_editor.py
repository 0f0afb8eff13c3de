"""The form editor: header, tick boxes, budget, indicator grid, narratives.

Every edit re-scores the form at once; every committed edit is saved in a
worker thread through the store (with its audit entry). A save conflict opens
a dialog and never overwrites silently.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Footer,
    Input,
    Label,
    RadioButton,
    RadioSet,
    Select,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from jixiao import editing
from jixiao.editing import EditError
from jixiao.formdiff import diff
from jixiao.scoring import score_form
from jixiao.styles import STATUS_STYLE
from jixiao.workflow import ACTIONS, EDITABLE, State
from scorer import numbers as fmt
from scorer.model import TICK_GROUP_LABELS, TICK_GROUPS, Form, FormKind
from scorer.result import FormResult
from scorer.rules import available, rules_for, rules_name_for
from tui.rule_names import rule_title
from tui.screens.base import AppScreen
from tui.widgets.cell_editor import CellEditor
from tui.widgets.indicator_grid import COLUMNS, IndicatorGrid
from tui.widgets.ticks import TickBox, TickRadio
from tui.widgets.totals_bar import TotalsBar
from tui.widgets.wrap import wrap

FIELD_LABELS = {**editing.INDICATOR_COLUMNS}


class Narrative(TextArea):
    """A multi-line narrative that reports when the person leaves it."""

    class Left(TextArea.Changed):
        pass

    def on_blur(self) -> None:
        self.post_message(self.Left(self))


class FormEditorScreen(AppScreen):
    BINDINGS = [
        Binding("escape", "back", "返回", show=True, tooltip="取消编辑 / 返回表单列表"),
        Binding("q", "back", "返回", show=False, tooltip="返回表单列表"),
        Binding("a", "add_row", "添加行", show=True, tooltip="在下方添加行"),
        Binding("i", "insert_row", "插入行", show=False, tooltip="在上方插入行"),
        Binding("delete", "delete_row", "删除行", show=False, tooltip="删除行（需确认）"),
        Binding("ctrl+up", "move_row(-1)", "上移", show=False, tooltip="上移行"),
        Binding("ctrl+down", "move_row(1)", "下移", show=False, tooltip="下移行"),
        Binding("s", "recorded", "自评得分", show=True, tooltip="设置自评得分（与规则得分不同时须填写理由）"),
        Binding(
            "A", "accept_rule_scores", "采用规则得分", show=False, tooltip="新表：未填自评得分的行一次采用规则得分"
        ),
        Binding(
            "u", "toggle_sub", "设为子项/取消", show=False, tooltip="设为上一行的子项 / 取消（父项得分为子项之和）"
        ),
        Binding("t", "workflow('submit')", "提交", show=True, tooltip="提交（先自查：有错误不能提交，有警告需确认）"),
        Binding("b", "workflow('return')", "退回", show=False, tooltip="退回（审核人）"),
        Binding("v", "workflow('approve')", "审核通过", show=False, tooltip="审核通过（审核人）"),
        Binding("o", "workflow('reopen')", "重新打开", show=False, tooltip="重新打开（需理由；已签章的表单签章失效）"),
        Binding("ctrl+s", "save_now", "保存", show=True, tooltip="立即保存"),
        Binding(
            "x",
            "export_pdf",
            "导出PDF",
            show=False,
            tooltip="导出 PDF（官方版式，存入 ~/jixiao-pdf 或 JIXIAO_PDF_DIR）",
        ),
        Binding(
            "g", "sign_pdf", "签章", show=False, tooltip="签章：生成 PDF 并加数字签名（仅限已审核的表单），随后锁定"
        ),
        Binding("question_mark", "help", "帮助", show=True, tooltip="本帮助"),
        Binding("p", "problems", "问题", show=True, tooltip="问题面板：自查发现的全部问题，Enter 跳到该行"),
        # F2–F5 switch tabs: no input field takes them, so typing a digit never switches a tab
        # and switching a tab never types into a field (issue 15, item 4)
        Binding(
            "f2",
            "tab('tab-indicators')",
            "指标",
            show=False,
            tooltip="切换到页签「绩效指标」（在输入框中也有效，不会输入字符）",
        ),
        Binding("f3", "tab('tab-header')", "基本信息", show=False, tooltip="切换到页签「基本信息」"),
        Binding("f4", "tab('tab-budget')", "预算", show=False, tooltip="切换到页签「预算执行」"),
        Binding("f5", "tab('tab-narrative')", "分析", show=False, tooltip="切换到页签「分析与改进」"),
    ]
    CSS_PATH = "form_editor.tcss"

    result: reactive[FormResult | None] = reactive(None)
    """The current scoring of ``form``; every widget is drawn from it."""

    def __init__(self, form_id: int) -> None:
        super().__init__()
        self.form_id = form_id
        self.stored: Any = None
        self.form: Form | None = None
        self.version = 0
        self.status = State.DRAFT
        self._pending: tuple[Form, str] | None = None
        self._saving = False
        self._preview_base: Form | None = None
        self._filling = False
        self._goals_shown = -1  # goal text boxes on the 基本信息 tab

    # ------------------------------------------------------------ layout

    @property
    def grid(self) -> IndicatorGrid:
        return self.query_one("#grid", IndicatorGrid)

    @property
    def totals(self) -> TotalsBar:
        return self.query_one("#totals", TotalsBar)

    @property
    def editor(self) -> CellEditor:
        return self.query_one("#editor", CellEditor)

    @property
    def tabs(self) -> TabbedContent:
        return self.query_one(TabbedContent)

    def compose(self) -> ComposeResult:
        yield Static("", id="title")
        note = Static("", id="return-note")  # the reviewer's 退回 comment, when there is one
        note.display = False
        yield note
        with TabbedContent(initial="tab-indicators"):
            with TabPane("绩效指标", id="tab-indicators"):
                with Vertical(id="indicators-pane"):
                    yield IndicatorGrid(id="grid")
                    yield CellEditor(catalog=self.jixiao.catalog, id="editor")
                    yield Static("", id="explain")
            with TabPane("基本信息", id="tab-header"), VerticalScroll():
                for key, label in editing.HEADER_FIELDS.items():
                    with Horizontal(classes="row"):
                        yield Label(label)
                        yield Input(id=f"h-{key}")
                yield Static("年度绩效目标（每个目标是指标表中的一节）", classes="section")
                yield Vertical(id="goals")
                yield Button("添加年度目标", id="add-goal")
                with Horizontal(classes="row"):
                    yield Label("规则集")
                    yield Select([(rule_title(n), n) for n in available()], allow_blank=False, id="h-rules")
                for group, options in TICK_GROUPS.items():
                    with Horizontal(classes="ticks"):
                        yield Label(TICK_GROUP_LABELS[group])
                        if group == "category":
                            for i, opt in enumerate(options):
                                yield TickBox(opt, id=f"tick-category-{i}")
                        else:
                            with RadioSet(id=f"tick-{group}"):
                                for opt in options:
                                    yield TickRadio(opt)
                yield Static("签章栏", classes="section")
                for key, label in editing.SIGNOFF_FIELDS.items():
                    with Horizontal(classes="row"):
                        yield Label(label)
                        yield Input(id=f"s-{key}")
            with TabPane("预算执行", id="tab-budget"), VerticalScroll():
                yield Static("预算执行情况（万元）", classes="section")
                for key, label in editing.BUDGET_FIELDS.items():
                    with Horizontal(classes="row"):
                        yield Label(label)
                        yield Input(id=f"b-{key}", placeholder="万元" if key != "weight" else "留空按规则集")
                yield Static("", id="budget-result")
                yield Button("设置预算执行自评得分（s）", id="budget-recorded")
            with TabPane("分析与改进", id="tab-narrative"), VerticalScroll():
                yield Label("偏差大或目标未完成原因分析")
                yield Narrative(id="n-deviation_analysis")
                yield Label("改进措施及结果应用方案")
                yield Narrative(id="n-improvement_measures")
        yield TotalsBar(id="totals")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="load")
    def load(self) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            stored = self.jixiao.store.get(self.form_id)
        except SQLAlchemyError:
            self.app.call_from_thread(
                self.app.notify, "无法读取表单（数据库连接中断？）；请稍后重新打开", severity="error", title="数据库"
            )
            return
        note = ""
        if stored.status is State.RETURNED:
            note = self.jixiao.store.return_comments([stored.id]).get(stored.id, "")
        self.app.call_from_thread(self._loaded, stored, note)

    def _loaded(self, stored: Any, note: str = "") -> None:
        self.stored = stored
        banner = self.query_one("#return-note", Static)
        banner.update(Text(f"审核人退回意见：{note}", style="bold red") if note else "")
        banner.display = bool(note)
        self.form = stored.form
        self.version = stored.version
        self.status = stored.status
        self._fill_fields()
        self.rescore()
        self.totals.save_state = "已保存"
        self.grid.focus()

    # ---------------------------------------------------------- drawing

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    def rescore(self, form: Form | None = None) -> FormResult | None:
        form = form or self.form
        if form is None:
            return None
        rules = rules_for(form)
        result = score_form(form, rules, self.jixiao.catalog)
        self.result = result
        return result

    def watch_result(self, result: FormResult | None) -> None:
        if result is None:
            return
        self.grid.show(result)
        totals = self.totals
        totals.problems = len(self.findings())
        totals.result = result
        totals.status_label = self.status.label + ("" if self.editable else "（只读）")
        f = result.form
        ro = "" if self.editable else "  [只读]"
        self.query_one("#title", Static).update(
            Text.assemble(
                (f"{f.year} {f.project_name}", "bold"),
                f"  {f.implementing_unit}  ",
                (f"{self.status.label}{ro}", "cyan"),
                f"  版本 {self.version}",
            )
        )
        self._show_budget(result)
        self._sync_goals()
        self._explain()

    def _show_budget(self, result: FormResult) -> None:
        b = result.budget
        rec = ""
        if b.recorded is not None:
            rec = f"；自评 {fmt.score(b.recorded.score)}" + (
                f"（理由：{b.recorded.reason}）" if b.recorded.reason else ""
            )
        self.query_one("#budget-result", Static).update(
            Text.assemble(
                ("执行率 ", "dim"),
                (fmt.percent(b.rate, "—"), "bold"),
                ("   得分 ", "dim"),
                (f"{fmt.score(b.score, '—')} / {fmt.weight(b.weight)}", STATUS_STYLE.get(b.status, "")),
                rec,
                "\n",
                ("；".join(b.explanation), "dim"),
            )
        )

    def _explain(self, row: int | None = None) -> None:
        result = self.result
        grid = self.grid
        if result is None or not result.indicators:
            self.query_one("#explain", Static).update("")
            return
        if row is None and grid.row_count and grid.indicator_row is None:
            self._explain_goal(grid.goal_at(grid.cursor_row))
            return
        row = (grid.indicator_row or 0) if row is None else row
        row = max(0, min(row, len(result.indicators) - 1))
        r = result.indicators[row]
        ind = r.indicator
        head = Text.assemble(
            (f"{row + 1}. {ind.name}", "bold"),
            f"  {ind.level1}/{ind.level2}  ",
            (r.status.label, STATUS_STYLE[r.status]),
        )
        body = Text("；".join(r.explanation))
        if ind.recorded is not None:
            body.append(
                f"\n自评 {fmt.score(ind.recorded.score)}：{ind.recorded.reason or '未说明理由'}", style="yellow"
            )
        self._show_explanation(Text.assemble(head, "\n", body))

    def _explain_goal(self, gi: int) -> None:
        assert self.result is not None
        goal = self.result.form.goals[gi]
        head = Text(f"年度绩效目标 {gi + 1}", style="bold magenta")
        body = goal.text or "未填写目标内容"
        self._show_explanation(Text.assemble(head, ("  Enter 编辑目标内容", "dim"), "\n", body))

    def _show_explanation(self, text: Text) -> None:
        """The explanation panel, wrapped at CJK-aware break points (never inside `（80%–100%）`)."""
        panel = self.query_one("#explain", Static)
        width = panel.content_size.width or self.app.size.width - 2
        panel.update(wrap(text, width))

    def on_resize(self) -> None:
        if self.result is not None:
            self._explain()

    def _sync_goals(self) -> None:
        """One text box per 年度绩效目标 on the 基本信息 tab, rebuilt when goals are added or removed."""
        if self.form is None:
            return
        goals = self.form.goals
        if self._goals_shown != len(goals):
            self._goals_shown = len(goals)
            self.call_later(self._rebuild_goals)
            return
        for n, goal in zip(self.query_one("#goals", Vertical).query(Narrative), goals, strict=False):
            if n.text.strip() != goal.text and not n.has_focus:
                n.load_text(goal.text)
            n.read_only = not self.editable

    async def _rebuild_goals(self) -> None:
        box = self.query_one("#goals", Vertical)
        await box.remove_children()
        goals = self.form.goals if self.form is not None else ()
        widgets: list[Widget] = []
        for gi, goal in enumerate(goals):
            widgets.append(Label(f"年度目标 {gi + 1}"))
            area = Narrative(goal.text, id=f"g-{gi}")
            area.read_only = not self.editable
            widgets.append(area)
        await box.mount_all(widgets)
        self.query_one("#add-goal", Button).disabled = not self.editable

    @on(IndicatorGrid.GoalRequested)
    def _goal_requested(self, event: IndicatorGrid.GoalRequested) -> None:
        self.tabs.active = "tab-header"
        self.call_after_refresh(lambda: self.query_one(f"#g-{event.goal}", Narrative).focus())

    @on(Button.Pressed, "#add-goal")
    def _add_goal(self) -> None:
        if self.form is None or self._refuse_readonly():
            return
        if self._apply(editing.add_goal):
            self.app.notify(f"已添加年度绩效目标 {len(self.form.goals)}，并在指标表中为它加了一行", title="年度目标")

    def _fill_fields(self) -> None:
        """Put the form's values into the header, budget and narrative widgets."""
        f = self.form
        if f is None:
            return
        self._filling = True
        try:
            for key in editing.HEADER_FIELDS:
                w = self.query_one(f"#h-{key}", Input)
                w.value = str(getattr(f, key) or "")
                w.disabled = not self.editable
            for key in editing.SIGNOFF_FIELDS:
                w = self.query_one(f"#s-{key}", Input)
                w.value = getattr(f.signoff, key)
                w.disabled = not self.editable
            rules = self.query_one("#h-rules", Select)
            rules.value = rules_name_for(f)
            rules.disabled = not self.editable
            for i, opt in enumerate(TICK_GROUPS["category"]):
                cb = self.query_one(f"#tick-category-{i}", Checkbox)
                cb.value = opt in f.ticks.category
                cb.disabled = not self.editable
            for group in ("attribute", "project_type"):
                rs = self.query_one(f"#tick-{group}", RadioSet)
                for btn, opt in zip(rs.query(RadioButton), TICK_GROUPS[group], strict=True):
                    btn.value = opt in f.ticks.group(group)
                rs.disabled = not self.editable
            for key in editing.BUDGET_FIELDS:
                w = self.query_one(f"#b-{key}", Input)
                w.value = fmt.money(getattr(f.budget, key))
                w.disabled = not self.editable
            for key in ("deviation_analysis", "improvement_measures"):
                n = self.query_one(f"#n-{key}", Narrative)
                n.load_text(getattr(f, key))
                n.read_only = not self.editable
            if f.form_kind is FormKind.DEPARTMENT:
                self.query_one("#h-project_name", Input).tooltip = "部门整体支出表"
        finally:
            self.call_after_refresh(self._done_filling)

    def _done_filling(self) -> None:
        self._filling = False

    # ------------------------------------------------------- committing

    def _refuse_readonly(self) -> bool:
        if self.editable:
            return False
        hint = "请先「重新打开」（o）" if self.status is State.SIGNED else "需退回（b）或重新打开（o）后才能修改"
        self.app.notify(f"表单当前为「{self.status.label}」，只读；{hint}", severity="warning", title="不能修改")
        return True

    def commit(self, form: Form, reason: str = "") -> None:
        """Adopt an edited form: re-score now, save in the background."""
        self.form = form
        self.rescore()
        self._pending = (form, reason)
        self.totals.save_state = "保存中…"
        if not self._saving:
            self._saving = True
            self._save_worker()

    @work(thread=True, group="save")
    def _save_worker(self) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        from jixiao.storage import ConflictError, StoreError
        from jixiao.workflow import WorkflowError

        store = self.jixiao.store
        while True:
            pending = self._pending
            self._pending = None
            if pending is None:
                break
            form, reason = pending
            try:
                stored = store.save(self.form_id, form, self.version, reason)
            except ConflictError as exc:
                theirs = store.get(self.form_id)
                self.app.call_from_thread(self._conflict, exc, theirs, form)
                break
            except (StoreError, WorkflowError) as exc:
                self.app.call_from_thread(self._save_failed, str(exc))
                break
            except SQLAlchemyError as exc:  # the server went away: keep the edit, say so, retry later
                self._pending = self._pending or pending
                self.app.call_from_thread(self._connection_lost, exc)
                self._saving = False
                return
            self.app.call_from_thread(self._saved, stored)
        self._saving = False
        if self._pending is not None:
            self.app.call_from_thread(self._resume_saving)

    def _resume_saving(self) -> None:
        if not self._saving and self._pending is not None:
            self._saving = True
            self._save_worker()

    def _saved(self, stored: Any) -> None:
        self.version = stored.version
        self.status = stored.status
        if self._pending is None:
            self.totals.save_state = "已保存"
        self.post_message(self.Saved(self, stored.version))
        self.mutate_reactive(FormEditorScreen.result)

    @dataclass
    class Saved(Message):
        """Posted after each successful save (tests wait for it)."""

        screen: FormEditorScreen
        version: int

        @property
        def control(self) -> FormEditorScreen:
            return self.screen

    def _connection_lost(self, exc: Exception) -> None:
        from jixiao.storage.database import redact

        self.totals.save_state = "未保存（数据库连接中断）"
        reason = redact(
            str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        )
        self.app.notify(
            f"数据库连接中断，修改尚未保存，仍保留在界面上；恢复后按 Ctrl+S 重试（{reason}）",
            severity="error",
            title="未保存",
            timeout=10,
        )

    def _save_failed(self, message: str) -> None:
        self.totals.save_state = "未保存"
        self.app.notify(message, severity="error", title="保存失败")

    def _conflict(self, exc: Exception, theirs: Any, mine: Form) -> None:
        from tui.screens.conflict_dialog import ConflictDialog

        self.totals.save_state = "未保存（冲突）"
        changes = diff(theirs.form, mine)

        def decided(choice: str | None) -> None:
            if choice == "reload":
                self._loaded(theirs)
                self.app.notify("已载入对方的版本；您未保存的修改已放弃。", title="已重新载入")
            elif choice == "overwrite":
                self.version = theirs.version
                self.commit(mine, "覆盖他人同时所做的修改")
            else:
                self.app.notify("您的修改尚未保存；按 Ctrl+S 重试，或重新打开表单。", severity="warning")

        self.app.push_screen(ConflictDialog(str(exc), changes), decided)

    def action_save_now(self) -> None:
        if self.form is not None and not self._refuse_readonly():
            self._pending = (self.form, "")
            if not self._saving:
                self._saving = True
                self._save_worker()

    def _apply(self, edit: Any, *args: Any, reason: str = "") -> bool:
        """Run a pure edit; show its error instead of raising."""
        if self.form is None or self._refuse_readonly():
            return False
        try:
            new = edit(self.form, *args)
        except EditError as exc:
            self.app.notify(str(exc), severity="error", title="输入有误")
            return False
        if isinstance(new, tuple):
            new, row = new
            self.commit(new, reason)
            self.grid.select_indicator(row)
        else:
            self.commit(new, reason)
        return True

    # ------------------------------------------------------ grid editing

    @on(IndicatorGrid.RowFocused)
    def _row_focused(self, event: IndicatorGrid.RowFocused) -> None:
        self._explain(event.row)

    @on(IndicatorGrid.EditRequested)
    def _edit_requested(self, event: IndicatorGrid.EditRequested) -> None:
        if self.form is None or self._refuse_readonly():
            return
        if event.field in ("score", "recorded"):
            self.action_recorded()
            return
        ind = editing.indicator_at(self.form, event.row)
        value = fmt.money(ind.weight) if event.field == "weight" else getattr(ind, event.field)
        hint = "输入名称、拼音或首字母，↑↓ 选择指标库条目" if event.field == "name" else ""
        self._preview_base = self.form
        self.editor.open(event.row, event.field, f"第 {event.row + 1} 行 {FIELD_LABELS[event.field]}", value, hint)

    @on(CellEditor.Preview)
    def _preview(self, event: CellEditor.Preview) -> None:
        editor = self.editor
        base = self._preview_base
        if base is None or editor.row < 0:
            return
        try:
            form = editing.set_cell(base, editor.row, editor.field, event.value)
        except EditError:
            return
        self.rescore(form)

    @on(CellEditor.Committed)
    def _committed(self, event: CellEditor.Committed) -> None:
        base = self._preview_base or self.form
        self._close_editor()
        if base is None:
            return
        try:
            form = editing.set_cell(base, event.row, event.field, event.value)
        except EditError as exc:
            self.app.notify(str(exc), severity="error", title="输入有误")
            self.rescore()
            return
        if form != base:
            self.commit(form)
        else:
            self.rescore()

    @on(CellEditor.CatalogChosen)
    def _catalog_chosen(self, event: CellEditor.CatalogChosen) -> None:
        base = self._preview_base or self.form
        self._close_editor()
        if base is None:
            return
        e = event.entry
        self.commit(editing.apply_catalog_entry(base, event.row, e.name, e.level1, e.level2, e.direction))
        self.app.notify(f"已采用指标库条目「{e.name}」：{e.level1}/{e.level2}，单位 {e.unit or '—'}", title="指标库")

    @on(CellEditor.Cancelled)
    def _cancelled(self) -> None:
        self._close_editor()
        self.rescore()

    def _close_editor(self) -> None:
        self._preview_base = None
        self.editor.close()
        self.grid.focus()

    def _row(self, hint: bool = True) -> int | None:
        """The indicator under the cursor; on a goal's section row, None with a hint."""
        grid = self.grid
        row = grid.indicator_row
        if row is None and grid.row_count and hint:
            self.app.notify("光标在年度绩效目标标题行上；请先移到一个指标行", title="请选择指标行")
        return row

    def _section_start(self) -> int | None:
        """On a goal's section row: that goal's first indicator (a new row goes to the top of it)."""
        grid = self.grid
        if grid.indicator_row is not None or not grid.row_count:
            return None
        below = grid.rows_below_cursor()
        return below[0] if below else None

    def action_add_row(self) -> None:
        start = self._section_start()
        if start is not None:
            self._apply(editing.insert_row, start, False)
            return
        self._apply(editing.insert_row, self._row(hint=False), True)

    def action_insert_row(self) -> None:
        start = self._section_start()
        self._apply(editing.insert_row, start if start is not None else self._row(hint=False), False)

    def action_delete_row(self) -> None:
        row = self._row()
        if row is None or self.form is None or self._refuse_readonly():
            return
        from tui.screens.comment_dialog import CommentDialog

        name = editing.indicator_at(self.form, row).name

        def confirmed(answer: str | None) -> None:
            if answer is not None:
                self._apply(editing.delete_row, row)

        self.app.push_screen(
            CommentDialog("删除行", f"删除第 {row + 1} 行「{name}」？", ok="删除", required=False, with_input=False),
            confirmed,
        )

    def action_move_row(self, delta: int) -> None:
        row = self._row()
        if row is not None:
            self._apply(editing.move_row, row, delta)

    def action_toggle_sub(self) -> None:
        """u: the row becomes a sub-row of the one above (its score then counts toward it), or not."""
        row = self._row()
        if row is not None:
            self._apply(editing.toggle_sub, row)

    def action_accept_rule_scores(self) -> None:
        """For a new form: every row without a score of its own takes the rule score (A)."""
        if self.form is None or self.result is None or self._refuse_readonly():
            return
        scores = [r.score for r in self.result.indicators]
        if self._apply(editing.accept_rule_scores, scores, reason="采用规则得分为自评得分"):
            self.app.notify("未填自评得分的行已采用规则得分（待判断的行仍需填写）", title="自评得分")

    def action_recorded(self) -> None:
        if self.form is None or self.result is None or self._refuse_readonly():
            return
        from tui.screens.recorded_dialog import RecordedScoreDialog

        if self.tabs.active == "tab-budget":
            self._budget_recorded()
            return
        row = self._row()
        if row is None:
            return
        r = self.result.indicators[row]
        rec = r.indicator.recorded

        def done(answer: tuple[Decimal | None, str] | None) -> None:
            if answer is not None:
                score, reason = answer
                self._apply(editing.set_recorded, row, score, reason, r.score, reason=reason)

        self.app.push_screen(
            RecordedScoreDialog(
                r.indicator.name, r.weight, r.score, rec.score if rec else None, rec.reason if rec else ""
            ),
            done,
        )

    @on(Button.Pressed, "#budget-recorded")
    def _budget_recorded(self) -> None:
        if self.result is None or self._refuse_readonly():
            return
        from tui.screens.recorded_dialog import RecordedScoreDialog

        b = self.result.budget
        rec = b.recorded

        def done(answer: tuple[Decimal | None, str] | None) -> None:
            if answer is not None:
                self._apply(editing.set_budget_recorded, answer[0], answer[1], reason=answer[1])

        self.app.push_screen(
            RecordedScoreDialog("预算执行", b.weight, b.score, rec.score if rec else None, rec.reason if rec else ""),
            done,
        )

    # ------------------------------------------------- header and budget

    @on(Input.Submitted)
    @on(Input.Blurred)
    def _field_done(self, event: Input.Submitted | Input.Blurred) -> None:
        wid = event.input.id or ""
        if self._filling or self.form is None or wid[:2] not in ("h-", "b-", "s-"):
            return
        key = wid[2:]
        value = event.input.value
        current = self._current(wid)
        if str(current or "") == value or (wid.startswith("b-") and fmt.money(current) == value):
            return
        edit = {"h-": editing.set_header, "b-": editing.set_budget, "s-": editing.set_signoff}[wid[:2]]
        if not self._apply(edit, key, value):  # refused: show the value that is in effect, not the typed one
            self._show_effective(event.input, wid)

    def _current(self, wid: str) -> Any:
        """The value in effect for a header (h-), budget (b-) or sign-off (s-) field."""
        assert self.form is not None
        holder = {"h-": self.form, "b-": self.form.budget, "s-": self.form.signoff}[wid[:2]]
        return getattr(holder, wid[2:])

    def _show_effective(self, field: Input, wid: str) -> None:
        assert self.form is not None
        current = self._current(wid)
        self._filling = True
        try:
            field.value = "" if current is None else (fmt.money(current) if wid.startswith("b-") else str(current))
        finally:
            self._filling = False
        if wid.startswith("b-"):
            self.rescore(self.form)

    # grid actions act only on the indicator tab (``a`` on the budget tab must not add a row)
    _GRID_ACTIONS = frozenset({"add_row", "insert_row", "delete_row", "move_row", "accept_rule_scores", "toggle_sub"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self._GRID_ACTIONS:
            try:
                return self.tabs.active == "tab-indicators"
            except Exception:
                return True
        return True

    @on(Input.Changed)
    def _budget_live(self, event: Input.Changed) -> None:
        """Budget numbers re-score as they are typed."""
        wid = event.input.id or ""
        if self._filling or self.form is None or not wid.startswith("b-"):
            return
        try:
            self.rescore(editing.set_budget(self.form, wid[2:], event.value))
        except EditError:
            pass

    @on(Select.Changed, "#h-rules")
    def _rules_changed(self, event: Select.Changed) -> None:
        if self._filling or self.form is None or event.value == (rules_name_for(self.form)):
            return
        self._apply(editing.set_header, "rules", str(event.value))

    @on(Checkbox.Changed)
    def _category_changed(self) -> None:
        if self._filling or self.form is None:
            return
        ticked = tuple(
            opt
            for i, opt in enumerate(TICK_GROUPS["category"])
            if self.query_one(f"#tick-category-{i}", Checkbox).value
        )
        if ticked != self.form.ticks.category:
            self._apply(editing.set_ticks, "category", ticked)

    @on(RadioSet.Changed)
    def _radio_changed(self, event: RadioSet.Changed) -> None:
        if self._filling or self.form is None:
            return
        group = (event.radio_set.id or "").removeprefix("tick-")
        ticked = (str(event.pressed.label),)
        if ticked != self.form.ticks.group(group):
            self._apply(editing.set_ticks, group, ticked)

    @on(Narrative.Left)
    def _narrative_left(self, event: Narrative.Left) -> None:
        if self._filling or self.form is None:
            return
        wid = event.text_area.id or ""
        if wid.startswith("g-"):
            gi = int(wid[2:])
            if gi < len(self.form.goals) and event.text_area.text.strip() != self.form.goals[gi].text:
                self._apply(editing.set_goal_text, gi, event.text_area.text)
            return
        key = wid.removeprefix("n-")
        if event.text_area.text != getattr(self.form, key):
            self._apply(editing.set_header, key, event.text_area.text)

    # ----------------------------------------------------------- workflow

    def findings(self) -> list[Any]:
        """The self-check: the same checks engine as ``jixiao check``."""
        from jixiao.checks import run_form_checks

        return run_form_checks(self.result) if self.result is not None else []

    def action_problems(self, findings: list[Any] | None = None, title: str = "问题", hint: str = "") -> None:
        from tui.screens.problems import ProblemsScreen

        def jump(indicator: str | None) -> None:
            if not indicator or self.result is None:
                return
            names = [r.indicator.name for r in self.result.indicators]
            if indicator in names:
                self.tabs.active = "tab-indicators"
                grid = self.grid
                grid.select_indicator(names.index(indicator))
                grid.focus()

        self.app.push_screen(ProblemsScreen(self.findings() if findings is None else findings, title, hint), jump)

    def _self_check(self, then: Any) -> None:
        """Submit runs the self-check first: errors block (shown), warnings ask for confirmation."""
        from scorer.result import Severity
        from tui.screens.comment_dialog import CommentDialog

        found = self.findings()
        errors = [f for f in found if f.severity is Severity.ERROR]
        warnings = [f for f in found if f.severity is Severity.WARNING]
        if errors:
            self.action_problems(found, "不能提交：自查发现错误", "请先更正错误（Enter 跳到该行）；Esc 关闭")
            return
        if warnings:
            prompt = f"自查发现 {len(warnings)} 项警告（按 p 查看）。仍要提交吗？"
            self.app.push_screen(
                CommentDialog("提交前自查", prompt, ok="仍要提交", required=False, with_input=False),
                lambda ok: then("") if ok is not None else None,
            )
            return
        then("")

    def action_workflow(self, action: str) -> None:
        from jixiao.storage import ConflictError, StoreError
        from jixiao.workflow import WorkflowError, transition
        from tui.screens.comment_dialog import CommentDialog

        if self.form is None:
            return
        a = ACTIONS[action]
        try:
            transition(self.status.value, action, "x")  # refuse early, with the workflow's own message
        except WorkflowError as exc:
            self.app.notify(str(exc), severity="error", title=f"不能{a.label}")
            return

        def go(comment: str | None) -> None:
            if comment is None:
                return
            try:
                stored = self.jixiao.store.transition(self.form_id, action, comment, expected_version=self.version)
            except (WorkflowError, StoreError, ConflictError) as exc:
                self.app.notify(str(exc), severity="error", title=f"不能{a.label}")
                return
            self.version, self.status = stored.version, stored.status
            self._fill_fields()
            self.mutate_reactive(FormEditorScreen.result)
            self.app.notify(f"表单已{a.label}：现为「{stored.status.label}」", title=a.label)

        if a.needs_comment:
            self.app.push_screen(CommentDialog(a.label, f"请填写{a.label}理由："), go)
        elif action == "submit":
            self._self_check(go)
        else:
            go("")

    # ---------------------------------------------------------------- PDF

    def pdf_dir(self) -> Path:
        return Path(os.environ.get("JIXIAO_PDF_DIR", "") or Path.home() / "jixiao-pdf")

    def _pdf_path(self) -> Path:
        from jixiao.files import safe_name

        f = self.form
        assert f is not None
        return self.pdf_dir() / f"{safe_name(f'{f.year}-{f.implementing_unit}-{f.project_name}')}.pdf"

    def action_export_pdf(self) -> None:
        if self.result is not None:
            self.app.notify("正在生成 PDF…", title="导出")
            self._export_worker(self.result, self._pdf_path())

    @work(thread=True, group="pdf")
    def _export_worker(self, result: FormResult, path: Path) -> None:
        from jixiao.files import atomic_write
        from jixiao.pdf.fonts import FontError
        from jixiao.pdf.layout import render_pdf

        try:
            atomic_write(path, render_pdf(result))
        except (FontError, OSError) as exc:
            self.app.call_from_thread(self.app.notify, str(exc), severity="error", title="导出失败")
            return
        self.app.call_from_thread(self.app.notify, f"已导出：{path}", title="PDF")

    def action_sign_pdf(self) -> None:
        from tui.screens.sign_dialog import SignDialog

        if self.status is not State.APPROVED:
            self.app.notify(
                f"表单当前为「{self.status.label}」；只有已审核的表单可以签章", severity="error", title="不能签章"
            )
            return

        def go(answer: tuple[Path, str, str] | None) -> None:
            if answer is not None and self.result is not None:
                self.app.notify("正在签章…", title="签章")
                self._sign_worker(self.result, self._pdf_path(), *answer)

        self.app.push_screen(SignDialog(), go)

    @work(thread=True, group="pdf")
    def _sign_worker(self, result: FormResult, path: Path, key: Path, password: str, signer: str) -> None:
        """pyHanko's synchronous signer, in a worker thread (no event loop there)."""
        from jixiao.files import atomic_write
        from jixiao.pdf.canonical import form_sha256
        from jixiao.pdf.fonts import FontError
        from jixiao.pdf.layout import render_pdf
        from jixiao.pdf.sign import SignError, load_key, sign_pdf
        from jixiao.storage import StoreError
        from jixiao.workflow import WorkflowError

        try:
            signing_key = load_key(key, password)
            name = signer or signing_key.name
            atomic_write(path, sign_pdf(render_pdf(result), signing_key, signer_name=name))
            stored = self.jixiao.store.mark_signed(self.form_id, name, form_sha256(result.form))
        except (SignError, FontError, OSError, StoreError, WorkflowError) as exc:
            self.app.call_from_thread(self.app.notify, str(exc), severity="error", title="签章失败")
            return
        self.app.call_from_thread(self._signed, stored, path)

    def _signed(self, stored: Any, path: Path) -> None:
        self.version, self.status = stored.version, stored.status
        self._fill_fields()
        self.mutate_reactive(FormEditorScreen.result)
        self.app.notify(f"已签章：{path}；表单已锁定", title="签章")

    # --------------------------------------------------------------- misc

    def action_tab(self, tab: str) -> None:
        self.tabs.active = tab
        self.refresh_bindings()
        self.call_after_refresh(self._focus_in, tab)

    def _focus_in(self, tab: str) -> None:
        """After a tab switch the content has the focus, not the tab strip (no extra Tabs)."""
        pane = self.query_one(f"#{tab}")
        from textual.widgets import Input as TextInput

        widgets = [w for w in pane.query("*") if w.focusable]
        fields = [w for w in widgets if isinstance(w, TextInput | IndicatorGrid | Narrative)]
        others = [w for w in widgets if type(w).__module__ != "textual.containers"]
        first = fields[0] if fields else (others[0] if others else None)
        if first is not None:
            first.focus()

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_back(self) -> None:
        editor = self.editor
        if editor.is_open:
            self._cancelled()
            return
        focused = self.focused
        if isinstance(focused, Narrative):
            self._narrative_left(Narrative.Left(focused))
        self.app.pop_screen()
        self.jixiao.refresh_list()

    def indicator_columns(self) -> list[str]:
        return [c[0] for c in COLUMNS]

    def replace_form(self, form: Form) -> None:
        """Tests and tools: adopt a whole new form as one edit."""
        self.commit(dataclasses.replace(form))
