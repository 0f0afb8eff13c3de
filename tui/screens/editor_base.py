"""The form editor's state, layout and drawing (the screen is tui/screens/form_editor.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
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
from jixiao.scoring import score_with_its_rules
from jixiao.styles import STATUS_STYLE
from jixiao.workflow import EDITABLE, Stage, State
from scorer import numbers as fmt
from scorer.model import TICK_GROUP_LABELS, TICK_GROUPS, Form, FormKind
from scorer.result import FormResult
from scorer.rules import available, rules_name_for
from tui.rule_names import rule_options, rule_title
from tui.screens.base import AppScreen
from tui.widgets.cell_editor import CellEditor
from tui.widgets.indicator_grid import IndicatorGrid
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


class EditorBase(AppScreen):
    """The editor's state, its widgets and how the result is drawn; the editing is in the subclasses."""

    if TYPE_CHECKING:  # defined by the subclasses that do the editing

        def findings(self) -> list[Any]: ...

        def other_findings_by_kind(self) -> list[tuple[str, list[Any]]]: ...

        def _refuse_readonly(self) -> bool: ...

        def _apply(self, edit: Any, *args: Any, reason: str = "") -> bool: ...

    result: reactive[FormResult | None] = reactive(None)
    """The current scoring of ``form``; every widget is drawn from it."""

    def __init__(self, form_id: int) -> None:
        super().__init__()
        self.form_id = form_id
        self.stored: Any = None
        self.rechecks: dict[str, Any] = {}  # the latest 复核 per indicator identity (jixiao.storage.rechecks)
        self.monitoring: Any = None  # the latest stored monitoring snapshot (jixiao.storage.snapshots)
        self.monitored: list[tuple[Any, Any]] = []  # every stored period's snapshot with when it was stored
        self.stage = Stage.EVALUATION
        self.approval: Any = None  # the approved targets locking a self-evaluation (jixiao.storage.declarations)
        self.evidence: list[Any] = []  # the files attached to the form (jixiao.storage.evidence)
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
        except SQLAlchemyError as exc:
            from jixiao.storage.driver_messages import environment_problem

            why = environment_problem(exc) or "数据库连接中断？"
            self.app.call_from_thread(
                self.app.notify, f"无法读取表单（{why}）；请稍后重新打开", severity="error", title="数据库"
            )
            return
        from jixiao.storage import rechecks

        note = ""
        if stored.status is State.RETURNED:
            note = self.jixiao.store.return_comments([stored.id]).get(stored.id, "")
        from jixiao.storage import snapshots

        checks = {} if stored.status in EDITABLE else rechecks.latest(self.jixiao.store, stored.id)
        monitored, _, stamps = snapshots.read_stored(self.jixiao.store, stored)
        self.monitored = [(snap, stamps[snap.months]) for snap in monitored]
        from jixiao.storage import declarations

        locked = declarations.approval(self.jixiao.store, stored.id) if stored.stage is Stage.EVALUATION else None
        from jixiao.storage import evidence

        self.evidence = evidence.for_form(self.jixiao.store, stored.id)
        self.app.call_from_thread(self._loaded, stored, note, checks, monitored[-1] if monitored else None, locked)

    def _loaded(
        self, stored: Any, note: str = "", checks: dict[str, Any] | None = None, snap: Any = None, locked: Any = None
    ) -> None:
        self.stored = stored
        self.rechecks = checks or {}
        self.monitoring = snap
        self.stage = stored.stage
        self.approval = locked
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
        result = score_with_its_rules(form, self.jixiao.catalog)  # a rules name that is none: an error, not a crash
        self.result = result
        return result

    def watch_result(self, result: FormResult | None) -> None:
        if result is None:
            return
        self.grid.show(result)
        totals = self.totals
        totals.declaration = self.stage is Stage.DECLARATION
        kinds = self.other_findings_by_kind()
        totals.problems = len(self.findings()) - sum(len(found) for _, found in kinds)  # the list's 问题
        totals.other_problems = "、".join(f"{kind} {len(found)}" for kind, found in kinds if found)
        totals.result = result
        totals.status_label = self.status.label + ("" if self.editable else "（只读）")
        f = result.form
        ro = "" if self.editable else "  [只读]"
        stage = ("目标申报·", "magenta") if self.stage is Stage.DECLARATION else ""
        self.query_one("#title", Static).update(
            Text.assemble(
                (f"{f.year} {f.project_name}", "bold"),
                f"  {f.implementing_unit}  ",
                stage,
                (f"{self.status.label}{ro}", "cyan"),
                ("  目标已锁定", "magenta") if self.approval is not None else "",
                (f"  佐证 {len(self.evidence)} 份", "green") if self.evidence else "",
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
        rc = self.rechecks.get(ind.uid) if ind.uid else None
        if rc is not None:  # first, under the heading: the panel shows five lines and cuts the rest
            head.append(f"\n复核 {fmt.score(rc.score)}：{rc.opinion}（{rc.reviewer}）", style="bold cyan")
        seen = self.monitoring.row_for(ind) if self.monitoring is not None else None
        if seen is not None:  # what the year's monitoring said of this row, beside how it ended
            said = "，".join(
                x for x in (seen.to_date and f"完成 {seen.to_date}", seen.forecast and f"预计「{seen.forecast}」") if x
            )
            head.append(f"\n监控 1–{self.monitoring.months}月：{said or '未填'}", style="magenta")
        files = [e.name for e in self.evidence if e.indicator_uid and e.indicator_uid == ind.uid]
        if files:
            head.append(f"\n佐证 {len(files)} 份：{'、'.join(files)}", style="green")
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
            with self.prevent(Select.Changed):  # filling: no edit (set_options first picks the first rule set)
                rules.set_options(rule_options(rules_name_for(f)))
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
