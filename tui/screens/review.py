"""Finance review: department → unit → form → indicator, with the score distribution.

Enter drills down, Backspace/Esc goes up; on a form, `v` approves and `b`
returns it with a comment, `e` opens it in the editor.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Select, Static

from jixiao.review.aggregate import Filters, aggregate
from jixiao.review.groupings import GRADES, statuses_line
from jixiao.safe_text import display, line
from jixiao.styles import STATUS_SHORT, STATUS_STYLE
from jixiao.workflow import ACTIONS, Stage, WorkflowError
from scorer import numbers as fmt
from tui.screens.base import AppScreen
from tui.widgets.styles import clip

LEVELS = ("department", "unit", "form", "indicator")
LEVEL_LABELS = {"department": "主管部门", "unit": "实施单位", "form": "表单", "indicator": "指标"}
BINS = [
    (Decimal(0), Decimal(60)),
    (Decimal(60), Decimal(70)),
    (Decimal(70), Decimal(80)),
    (Decimal(80), Decimal(90)),
    (Decimal(90), Decimal(95)),
    (Decimal(95), Decimal("100.01")),
]


def histogram(computed: list[Decimal], recorded: list[Decimal], width: int = 24) -> Text:
    """Totals per score band, rule scores beside recorded ones."""
    counts_c = [sum(1 for v in computed if lo <= v < hi) for lo, hi in BINS]
    counts_r = [sum(1 for v in recorded if lo <= v < hi) for lo, hi in BINS]
    peak = max([*counts_c, *counts_r, 1])
    t = Text("得分分布（█ 规则  ▒ 自评）\n", style="bold")
    for (lo, hi), c, r in zip(BINS, counts_c, counts_r, strict=True):
        label = f"{int(lo):>3}–{min(int(hi), 100):<3}"
        t.append(f"{label} ")
        t.append("█" * round(width * c / peak), style="green")
        t.append(f" {c}\n")
        t.append(" " * 8)
        t.append("▒" * round(width * r / peak), style="yellow")
        t.append(f" {r}\n" if recorded else "\n")
    if recorded:
        t.append(f"有自评总分的表单 {len(recorded)} 份", style="dim")
    return t


class ReviewScreen(AppScreen):
    BINDINGS = [
        Binding("enter", "drill", "下钻", show=True, tooltip="下钻一级"),
        Binding("backspace,escape", "up", "上一级", show=True, tooltip="返回上一级"),
        Binding("v", "workflow('approve')", "审核通过", show=True, tooltip="审核通过"),
        Binding("b", "workflow('return')", "退回", show=True, tooltip="退回（需意见）"),
        Binding("e", "edit", "打开表单", show=True, tooltip="打开表单"),
        Binding("r", "reload", "刷新", show=False, tooltip="刷新"),
        Binding("question_mark", "help", "帮助", show=True, tooltip="本帮助"),
    ]
    CSS_PATH = "review.tcss"

    def __init__(self) -> None:
        super().__init__()
        self.level = 0
        self.path: list[tuple[str, Any]] = []  # (label, key) chosen at each level above
        self.rows: list[Any] = []

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one("#table", DataTable)

    def compose(self) -> ComposeResult:
        yield Static(f"jixiao 财政审核  {statuses_line(None)}", id="title")
        with Horizontal(id="filters"):
            yield Select[int]([], prompt="全部年度", id="year")
            yield Static("", id="crumbs")
        with Horizontal(id="body"):
            yield DataTable(cursor_type="row", zebra_stripes=True, id="table")
            yield Static("", id="chart")
        yield Static("", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        years = sorted({s.year for s in self.jixiao.store.list()}, reverse=True)
        self.query_one("#year", Select).set_options([(str(y), y) for y in years])
        self.query_one("#chart").display = self.app.size.width >= 100
        self.action_reload()
        self.table.focus()

    def on_resize(self) -> None:
        self.query_one("#chart").display = self.app.size.width >= 100

    def filters(self) -> Filters:
        year = self.query_one("#year", Select).value
        dept = next((k for lvl, k in self.path if lvl == "department"), None)
        unit = next((k for lvl, k in self.path if lvl == "unit"), None)
        return Filters(year=year if isinstance(year, int) else None, department=dept, unit=unit, exact=True)

    @on(Select.Changed, "#year")
    def _year(self) -> None:
        self.action_reload()

    @work(thread=True, exclusive=True, group="review")
    def action_reload(self) -> None:
        level = LEVELS[self.level]
        store = self.jixiao.store
        f = self.filters()
        summaries = drilled(store, f)
        if level in ("department", "unit"):
            rows: list[Any] = aggregate(store.engine, level, f)
        elif level == "form":
            rows = sorted(summaries, key=lambda s: (-(s.problems or 0), s.total_computed or 0))
        else:
            form_id = self.path[-1][1]
            stored = store.get(form_id)
            rows = list(store.score(stored.form).indicators)
        self.app.call_from_thread(self._show, level, rows, summaries)

    def _show(self, level: str, rows: list[Any], summaries: list[Any]) -> None:
        same_level = getattr(self, "_shown_level", None) == (level, tuple(self.path))
        table = self.table
        keep = table.cursor_row if same_level else 0  # after an action the cursor stays on its row
        self._shown_level = (level, tuple(self.path))
        self.rows = rows
        table.clear(columns=True)
        crumbs = " › ".join(["全部", *[line(k) if lvl != "form" else f"表单 {k}" for lvl, k in self.path]])
        self.query_one("#crumbs", Static).update(
            Text(f"{crumbs}   （{LEVEL_LABELS[level]}，共 {len(rows)} 项；Enter 下钻）")
        )
        if level in ("department", "unit"):
            _fill_groups(table, level, rows)
        elif level == "form":
            _fill_forms(table, rows)
        else:
            _fill_indicators(table, rows)
        if table.row_count:
            table.move_cursor(row=min(keep, table.row_count - 1))
        computed = [s.total_computed for s in summaries if s.total_computed is not None]
        recorded = [s.total_recorded for s in summaries if s.total_recorded is not None]
        self.query_one("#chart", Static).update(histogram(computed, recorded))
        self._detail()

    @on(DataTable.RowHighlighted)
    def _detail(self) -> None:
        table = self.table
        if not self.rows or not table.row_count:
            self.query_one("#detail", Static).update("")
            return
        row = self.rows[min(table.cursor_row, len(self.rows) - 1)]
        level = LEVELS[self.level]
        if level == "indicator":
            text = Text(display("；".join(row.explanation)))  # the explanation quotes the cells
            if row.indicator.recorded is not None:
                text.append(
                    f"\n自评 {fmt.score(row.indicator.recorded.score)}：{display(row.indicator.recorded.reason) or '未说明理由'}",
                    style="yellow",
                )
        elif level == "form":
            text = Text(
                f"{row.year}/{line(row.implementing_unit)}/{line(row.project_name)}  预算 {fmt.money(row.planned, '—')} 万元"
                f"  更新：{line(row.updated_by)}"
            )
        else:
            text = Text(
                f"{line(row.label)}：预算 {fmt.money(fmt.q2(row.planned))} 万元，执行 {fmt.money(fmt.q2(row.executed))} 万元；提示 {row.infos}"
            )
        self.query_one("#detail", Static).update(text)

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_drill()

    def action_drill(self) -> None:
        table = self.table
        if self.level >= len(LEVELS) - 1 or not self.rows or not table.row_count:
            return
        row = self.rows[min(table.cursor_row, len(self.rows) - 1)]
        level = LEVELS[self.level]
        key = row.key if level in ("department", "unit") else row.id
        if level in ("department", "unit") and key == "（未填）":
            key = ""
        self.path.append((level, key))
        self.level += 1
        self.action_reload()

    def action_up(self) -> None:
        if not self.path:
            self.app.pop_screen()
            return
        self.path.pop()
        self.level -= 1
        self.action_reload()

    def _form_id(self) -> int | None:
        level = LEVELS[self.level]
        if level == "indicator":
            return int(self.path[-1][1])
        if level == "form" and self.rows:
            table = self.table
            return int(self.rows[min(table.cursor_row, len(self.rows) - 1)].id)
        return None

    def action_edit(self) -> None:
        fid = self._form_id()
        if fid is not None:
            self.jixiao.open_form(fid)

    def action_workflow(self, action: str) -> None:
        from tui.screens.comment_dialog import CommentDialog

        fid = self._form_id()
        if fid is None:
            self.app.notify("请先选中一份表单（下钻到表单一级）", severity="warning")
            return
        a = ACTIONS[action]

        def go(comment: str | None) -> None:
            if comment is None:
                return
            try:
                stored = self.jixiao.store.transition(fid, action, comment)
            except WorkflowError as exc:
                self.app.notify(str(exc), severity="error", title=f"不能{a.label}")
                return
            self.app.notify(f"「{stored.form.project_name}」已{a.label}，现为「{stored.status.label}」", title=a.label)
            self.action_reload()

        key = self.jixiao.store.get(fid).key
        title = f"{a.label}：{key}（编号 {fid}）"  # the dialog names the form it acts on
        if a.needs_comment:
            self.app.push_screen(CommentDialog(title, f"请填写{a.label}意见："), go)
        else:
            self.app.push_screen(CommentDialog(title, "审核意见（可选）：", required=False), go)

    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen())


def drilled(store: Any, f: Filters) -> list[Any]:
    """The forms under the groups chosen so far, each name matched whole (as ``Filters.exact``)."""
    rows = store.list(year=f.year, department=f.department or None, unit=f.unit or None, stage=Stage.EVALUATION)
    return [
        s
        for s in rows
        if (f.department is None or (s.department or "") == f.department)
        and (f.unit is None or (s.implementing_unit or "") == f.unit)
    ]


def _fill_groups(table: DataTable, level: str, rows: list[Any]) -> None:
    """One row per department or unit: money, the mean scores, their gap, the grades, findings."""
    for col in (LEVEL_LABELS[level], "表单", "执行率", "规则均分", "自评均分", "差距", "优良中差", "表内错/警"):
        table.add_column(col)
    for g in rows:
        gap = g.gap
        table.add_row(
            Text(clip(line(g.label), 20)),
            str(g.forms),
            fmt.percent(g.rate, "—"),
            fmt.score(g.mean_computed, "—"),
            fmt.score(g.mean_recorded, "—"),
            Text(
                f"{gap:+.2f}" if gap is not None else "—",
                style="bold red" if gap is not None and gap >= 5 else "",
            ),
            "/".join(str(g.grades.get(k, 0)) for k in GRADES),
            Text(f"{g.errors}/{g.warnings}", style="red" if g.errors else "yellow" if g.warnings else ""),
        )


def _fill_forms(table: DataTable, rows: list[Any]) -> None:
    for col in ("项目名称", "执行率", "规则", "自评", "等级", "状态", "问题"):
        table.add_column(col)
    for s in rows:
        table.add_row(
            Text(clip(line(s.project_name), 24)),
            fmt.percent(s.rate, "—"),
            fmt.score(s.total_computed, "—"),
            fmt.score(s.total_recorded),
            Text(s.grade),
            s.status.label,
            Text(str(s.problems or ""), style="yellow"),
        )


def _fill_indicators(table: DataTable, rows: list[Any]) -> None:
    for col in ("三级指标", "目标值", "实际完成值", "分值", "得分", "自评", "状态"):
        table.add_column(col)
    for r in rows:
        ind = r.indicator
        table.add_row(
            Text(("※" if r.differs else "") + clip(line(ind.name), 22), style="bold yellow" if r.differs else ""),
            Text(clip(line(ind.target), 12)),  # a plain str cell would be read as markup, and ESC would
            Text(clip(line(ind.actual), 14)),  # reach the terminal: both shown as display shows them
            fmt.weight(r.weight),
            Text(fmt.score(r.score, "—"), style=STATUS_STYLE[r.status]),
            fmt.score(ind.recorded.score) if ind.recorded else "",
            Text(STATUS_SHORT[r.status], style=STATUS_STYLE[r.status]),
        )
