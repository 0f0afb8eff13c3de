"""The start screen: every form in the database, filtered and searchable."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import DataTable, Footer, Input, Select, Static

from jixiao.safe_text import line
from jixiao.workflow import STATE_LABELS, Stage, State
from scorer import numbers as fmt
from scorer.model import Form
from tui.screens.base import AppScreen
from tui.widgets.styles import clip


@lru_cache(maxsize=4096)
def initials(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, for searching without an input method."""
    from pypinyin import Style, lazy_pinyin

    full = "".join(lazy_pinyin(text)).lower()
    first = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).lower()
    return full, first


def matches(summary: Any, query: str) -> bool:
    q = query.strip().lower()
    if not q:
        return True
    name = summary.project_name
    if q in name.lower() or q in summary.implementing_unit.lower():
        return True
    full, first = initials(name)
    return q in first or q in full or (len(q) >= 3 and _subsequence(q, first))


def _subsequence(q: str, text: str) -> bool:
    """lgjf finds 老干工作经费 (lggzjf): initials typed with some syllables skipped."""
    it = iter(text)
    return all(ch in it for ch in q)


class FormListScreen(AppScreen):
    BINDINGS = [
        Binding("enter", "open", "打开", show=True, tooltip="打开表单"),
        Binding("n", "new", "新建", show=True, tooltip="新建表单（空白，或复制上一年度的表单）"),
        Binding("d", "declare", "新建申报", show=False, tooltip="新建绩效目标申报表（空白，或由所选表单的指标得出）"),
        Binding("R", "review", "审核汇总", show=True, tooltip="审核汇总：按主管部门 → 实施单位 → 表单 → 指标逐级下钻"),
        Binding(
            "slash", "search", "搜索", show=True, tooltip="搜索项目名称（支持拼音首字母，如 lgjf 找「老干工作经费」）"
        ),
        Binding("r", "refresh", "刷新", show=True, tooltip="刷新"),
        Binding("question_mark", "help", "帮助", show=True, tooltip="本帮助"),
        Binding("q", "quit", "退出", show=True, tooltip="退出"),
    ]
    CSS_PATH = "form_list.tcss"

    summaries: reactive[list[Any]] = reactive(list, always_update=True)
    """All forms from the store; the table shows those passing the filters."""

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#forms", DataTable)

    def compose(self) -> ComposeResult:
        yield Static("jixiao 绩效自评 · 表单列表", id="title")
        with Horizontal(id="filters"):
            yield Input(placeholder="搜索项目名称或拼音首字母（/）", id="search")
            yield Input(placeholder="实施单位", id="unit")
            yield Select[int]([], prompt="年度", id="year")
            yield Select[str]([(label, s.value) for s, label in STATE_LABELS.items()], prompt="状态", id="status")
        yield DataTable(cursor_type="row", zebra_stripes=True, cell_padding=0, id="forms")
        yield Static("", id="count")
        note = Static("", id="note")  # a returned form's reviewer comment, for the highlighted row
        note.display = False
        yield note
        yield Footer()

    def on_mount(self) -> None:
        self.notes: dict[int, str] = {}
        self._columns(self.app.size.width)
        self.table.focus()
        self.action_refresh()

    COLUMNS = (
        ("年度", 5, 0),
        ("实施单位", 10, 3),
        ("项目名称", 15, 2),
        ("预算数", 9, 0),
        ("执行率", 8, 0),
        ("规则", 7, 0),
        ("自评", 7, 0),
        ("等级", 5, 0),  # every header readable at 80 columns, a space between each
        ("状态", 8, 0),  # the longest label and the note mark whole: " 已退回✉", " 已签章"
        ("问题", 4, 0),
    )

    def _columns(self, width: int) -> None:
        """Fit 80 columns; give extra width to the unit and project names."""
        table = self.table
        extra = max(0, width - sum(w for _, w, _ in self.COLUMNS) - 3)
        shares = sum(s for _, _, s in self.COLUMNS)
        self.widths = [w + (extra * s // shares if s else 0) for _, w, s in self.COLUMNS]
        table.clear(columns=True)
        for (label, _, _), w in zip(self.COLUMNS, self.widths, strict=True):
            table.add_column(label, width=w)

    def on_resize(self) -> None:
        if getattr(self, "widths", None) is not None:
            self._columns(self.app.size.width)
            self._fill()

    @work(thread=True, exclusive=True, group="list")
    def action_refresh(self) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            rows = self.jixiao.store.list()
            self.notes = self.jixiao.store.return_comments([r.id for r in rows if r.status is State.RETURNED])
        except SQLAlchemyError as exc:
            from jixiao.storage.driver_messages import environment_problem

            why = environment_problem(exc) or "连接中断？"
            self.app.call_from_thread(
                self.app.notify, f"无法读取数据库（{why}）；恢复后按 r 刷新", severity="error", title="数据库"
            )
            return
        self.app.call_from_thread(self._loaded, rows)

    def _loaded(self, rows: list[Any]) -> None:
        years = sorted({r.year for r in rows}, reverse=True)
        year = self.query_one("#year", Select)
        current = year.value
        year.set_options([(str(y), y) for y in years])
        if current in years:
            year.value = current
        self.summaries = rows

    def watch_summaries(self) -> None:
        self._fill()

    @on(DataTable.RowHighlighted, "#forms")
    def _show_note(self, event: DataTable.RowHighlighted) -> None:
        """A returned form's reviewer comment, under the list (issue 15 item 8)."""
        key = event.row_key.value if event.row_key is not None else None
        note = self.notes.get(int(key), "") if key and key.isdigit() else ""
        widget = self.query_one("#note", Static)
        widget.update(Text(f"退回意见：{note}") if note else "")
        widget.display = bool(note)

    def _visible(self) -> list[Any]:
        q = self.query_one("#search", Input).value
        unit = self.query_one("#unit", Input).value.strip()
        year = self.query_one("#year", Select).value
        status = self.query_one("#status", Select).value
        out = []
        for s in self.summaries:
            if year is not Select.NULL and s.year != year:
                continue
            if status is not Select.NULL and s.status.value != status:
                continue
            if unit and unit not in s.implementing_unit:
                continue
            if matches(s, q):
                out.append(s)
        return out

    def _fill(self) -> None:
        table = self.table
        key = None
        if table.row_count:
            try:
                key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            except Exception:
                key = None
        table.clear()
        rows = self._visible()
        for s in rows:
            differs = (
                s.total_recorded is not None
                and s.total_computed is not None
                and fmt.q2(s.total_recorded) != s.total_computed
            )
            w = self.widths
            declared = s.stage is Stage.DECLARATION  # targets only: no score yet, 申报 where the grade goes
            table.add_row(
                str(s.year),
                Text(clip(line(s.implementing_unit), w[1] - 1)),
                Text(clip(line(s.project_name), w[2] - 1)),
                Text(fmt.money(s.planned, "—") + " ", justify="right"),
                Text(fmt.percent(s.rate, "—") + " ", justify="right"),
                Text(("—" if declared else fmt.score(s.total_computed, "—")) + " ", justify="right"),
                Text(fmt.score(s.total_recorded) + " ", style="bold yellow" if differs else "", justify="right"),
                Text(" 申报", style="magenta") if declared else Text(" " + s.grade),  # grades come from a rule set
                Text(
                    " " + s.status.label + ("✉" if s.id in self.notes else ""),
                    style="green"
                    if s.status in (State.APPROVED, State.SIGNED)
                    else "cyan"
                    if s.status is State.SUBMITTED
                    else "",
                ),
                Text(("—" if declared else str(s.problems or "")) + " ", style="yellow", justify="right"),
                key=str(s.id),
            )
        for i, s in enumerate(rows):
            if str(s.id) == key:
                table.move_cursor(row=i)
        self.query_one("#count", Static).update(
            f"共 {len(rows)} 份表单（数据库中 {len(self.summaries)} 份）· Enter 打开"
        )

    @on(Input.Changed)
    @on(Select.Changed)
    def _filters_changed(self) -> None:
        self._fill()

    @on(Input.Submitted)
    def _focus_table(self) -> None:
        """Enter in a filter: one match opens at once, several go to the table to choose."""
        if len(self._visible()) == 1:
            self.action_open()
            return
        self.table.focus()

    def selected(self) -> Any | None:
        table = self.table
        rows = self._visible()
        if not rows or not table.row_count:
            return None
        return rows[min(table.cursor_row, len(rows) - 1)]

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        s = self.selected()
        if s is not None:
            self.jixiao.open_form(s.id)

    def action_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_new(self, declaration: bool = False) -> None:
        from tui.screens.new_form_dialog import NewFormDialog

        s = self.selected()
        template: Form | None = self.jixiao.store.get(s.id).form if s is not None else None
        year = max((x.year for x in self.summaries), default=2024) + (1 if template else 0)
        done = self._declared if declaration else self._created
        self.app.push_screen(NewFormDialog(year, template, declaration), done)

    def action_declare(self) -> None:
        self.action_new(declaration=True)

    def _declared(self, form: Form | None) -> None:
        from scorer.stages import declaration_from

        if form is not None:
            self._created(declaration_from(form), Stage.DECLARATION)

    def _created(self, form: Form | None, stage: Stage = Stage.EVALUATION) -> None:
        if form is None:
            return
        from jixiao.storage import StoreError

        try:
            action = "declare" if stage is Stage.DECLARATION else "create"
            stored = self.jixiao.store.create(form, action, stage=stage)
        except StoreError as exc:
            self.app.notify(str(exc), severity="error", title="不能新建")
            return
        self.action_refresh()
        self.jixiao.open_form(stored.id)

    def action_review(self) -> None:
        from tui.screens.review import ReviewScreen

        self.app.push_screen(ReviewScreen())

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_quit(self) -> None:
        self.app.exit()
