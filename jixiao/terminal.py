"""Render scored forms as the self-assessment table, in the terminal (rich).

Laid out like the published Hubei form: header and tick boxes, the budget
block, indicators grouped by 一级/二级 with 目标值 / 实际完成值 / 分值 / 得分,
the totals and grade, then the narratives. Readable from 80 columns up;
rich measures CJK characters as double width.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from rich import box
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from jixiao import plain_layout
from jixiao.safe_text import display, line
from jixiao.styles import DIFF_MARK, SEVERITY_STYLE, STATUS_STYLE
from scorer import numbers as fmt
from scorer.model import TICK_GROUP_LABELS, TICK_GROUPS, FormKind
from scorer.result import FormResult, IndicatorResult, Problem, Severity, Status
from scorer.vocabulary import level_key


def _short(level: str) -> str:
    """一级/二级 names without the 指标 suffix, to save width."""
    key = level_key(level)
    return key or "—"


def _cell_text(r: IndicatorResult, which: str) -> Text:
    cell = r.target if which == "target" else r.actual
    raw = r.indicator.adjusted_target or r.indicator.target if which == "target" else r.indicator.actual
    if cell is None:
        return Text(line(raw or ""), style="bold red underline")
    shown = cell.display(r.unit if cell.is_numeric else None)
    text = Text(line(shown))
    if cell.note:
        text.append(f"（{line(cell.note)}）", style="dim")
    return text


def header(result: FormResult) -> RenderableType:
    form = result.form
    title = form.title or (
        f"{form.year or ''} 年度{'部门整体支出' if form.form_kind is FormKind.DEPARTMENT else '项目支出'}绩效自评表"
    )
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold", no_wrap=True)
    t.add_column(overflow="fold")
    if form.form_kind is FormKind.DEPARTMENT:
        t.add_row("单位名称", Text(line(form.implementing_unit or form.department)))
    else:
        t.add_row("项目名称", Text(line(form.project_name)))
        t.add_row("主管部门", Text(line(form.department)))
        t.add_row("实施单位", Text(line(form.implementing_unit)))
        for key, options in TICK_GROUPS.items():
            ticked = form.ticks.group(key)
            boxes = Text()
            for i, opt in enumerate(options):
                if i:
                    boxes.append("  ")
                on = opt in ticked
                boxes.append(("☑" if on else "☐") + opt, style="bold" if on else "dim")
            t.add_row(TICK_GROUP_LABELS[key], boxes)
    t.add_row("规则集", Text(line(f"{result.rules.name}（{result.rules.title}）")))
    heading = Text(line(title), style="bold", justify="center")
    sub = Text(f"（{line(form.project_name)}）", justify="center") if form.form_kind is FormKind.PROJECT else Text("")
    return Group(heading, sub, t)


def budget_block(result: FormResult) -> RenderableType:
    b = result.form.budget
    br = result.budget
    t = Table(
        title=f"预算执行情况（万元）（{fmt.weight(br.weight)}分）",
        title_justify="left",
        title_style="bold",
        box=box.SQUARE,
        padding=(0, 1),
    )
    for col in ("", "预算数(A)", "执行数(B)", "执行率(B/A)", "分值", "得分"):
        t.add_column(col, justify="right" if col else "left", overflow="fold")
    has_rec = br.recorded is not None
    score = Text(fmt.score(br.score, "—"), style=STATUS_STYLE.get(br.status, ""))
    if has_rec and br.differs:
        assert br.recorded is not None
        score = Text(f"{DIFF_MARK}{fmt.score(br.recorded.score)}", style="bold yellow")
        score.append(f"\n规则 {fmt.score(br.score, '—')}", style="dim")
    t.add_row(
        Text(line(b.label)),
        fmt.money(b.planned, "—"),
        fmt.money(b.executed, "—"),
        fmt.percent(br.rate, "—"),
        fmt.weight(br.weight),
        score,
    )
    if result.form.form_kind is FormKind.DEPARTMENT and (
        b.basic_expenditure is not None or b.project_expenditure is not None
    ):
        t.caption = f"基本支出总额 {fmt.money(b.basic_expenditure, '—')} 万元，项目支出总额 {fmt.money(b.project_expenditure, '—')} 万元"
        t.caption_justify = "left"
    return t


SHORT_STATUS = {
    Status.MET: "达成",
    Status.PARTLY: "部分",
    Status.MISSED: "未达",
    Status.JUDGEMENT: "待判",
    Status.EMPTY: "未填",
    Status.INVALID: "无效",
}


def indicator_table(result: FormResult, goal_no: int, explain: bool, width: int = 80) -> Table:
    """One goal's indicators; 一级 as section rows, 二级 shown once per group."""
    goal = result.form.goals[goal_no - 1]
    rows = [r for r in result.indicators if r.goal == goal_no]
    has_rec = any(r.recorded is not None for r in result.indicators)
    wide = width >= 110
    title = f"年度绩效目标 {goal_no}" if len(result.form.goals) > 1 else "年度绩效目标"
    if goal.weight is not None:
        title += f"（{fmt.weight(goal.weight)}分）"
    t = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        collapse_padding=True,
    )
    t.add_column("序", justify="right", no_wrap=True, style="dim")
    t.add_column("二级", overflow="fold", max_width=12 if wide else 4)
    t.add_column("三级指标", overflow="fold", ratio=3, min_width=8)
    t.add_column("目标值", overflow="fold", ratio=2, min_width=6)
    t.add_column("实际完成值", overflow="fold", ratio=2, min_width=6)
    t.add_column("分值", justify="right", no_wrap=True)
    t.add_column("得分", justify="right", no_wrap=True)
    if has_rec:
        t.add_column("自评", justify="right", no_wrap=True)
    t.add_column("状态", no_wrap=True)
    ncols = len(t.columns)
    first_index = 1 + sum(1 for r in result.indicators if r.goal < goal_no)
    prev1 = prev2 = None
    for i, r in enumerate(rows):
        ind = r.indicator
        l1, l2 = _short(ind.level1), _short(ind.level2)
        if l1 != prev1:
            if prev1 is not None:
                t.add_section()
            label = Text(line(ind.level1 or "（未填一级指标）"), style="bold cyan")
            t.add_row("", "", label, *[""] * (ncols - 3))
        show2 = l2 if (l2 != prev2 or l1 != prev1) else ""
        prev1, prev2 = l1, l2
        style = "bold yellow" if r.differs else ""
        weight = fmt.weight(r.weight) + ("*" if r.weight_source == "allocated" else "")
        status = r.status.label if wide else SHORT_STATUS[r.status]
        cells: list[RenderableType] = [
            str(first_index + i),
            Text(line(show2)),
            Text((DIFF_MARK if r.differs else "") + line(ind.shown_name), style=style),
            _cell_text(r, "target"),
            _cell_text(r, "actual"),
            weight,
            Text(fmt.score(r.score, "—"), style=STATUS_STYLE[r.status]),
        ]
        if has_rec:
            cells.append(Text(fmt.score(r.recorded.score) if r.recorded else "", style=style))
        cells.append(Text(status, style=STATUS_STYLE[r.status]))
        t.add_row(*cells)
    return t


def explanations(result: FormResult, goal_no: int) -> RenderableType:
    """Each indicator's explanation, numbered like the table rows."""
    t = Table.grid(padding=(0, 1))
    t.add_column(justify="right", style="dim", no_wrap=True)
    t.add_column(overflow="fold")
    first_index = 1 + sum(1 for r in result.indicators if r.goal < goal_no)
    for i, r in enumerate(x for x in result.indicators if x.goal == goal_no):
        body = Text(line(r.indicator.name) + "：", style="bold")
        body.append(
            display("；".join(r.explanation)), style=STATUS_STYLE[r.status] if r.status is Status.JUDGEMENT else ""
        )
        t.add_row(f"{first_index + i}.", body)
    return Panel(t, title="计分说明", title_align="left", border_style="dim", box=box.ROUNDED)


def totals(result: FormResult) -> RenderableType:
    t = Table(box=box.SIMPLE_HEAD, padding=(0, 1), title="得分汇总", title_justify="left", title_style="bold")
    t.add_column("项目")
    t.add_column("分值", justify="right")
    t.add_column("规则得分", justify="right")
    has_rec = result.total_recorded is not None
    if has_rec:
        t.add_column("自评得分", justify="right")
    br = result.budget
    row: list[RenderableType] = ["预算执行", fmt.weight(br.weight), fmt.score(br.score, "—")]
    if has_rec:
        row.append(fmt.score(br.recorded.score) if br.recorded else "")
    t.add_row(*row)
    for lv in result.levels:
        row = [Text(line(lv.level1)), fmt.weight(lv.weight), fmt.score(lv.computed)]
        if has_rec:
            row.append(fmt.score(lv.recorded, ""))
        t.add_row(*row)
    t.add_section()
    weight_total = br.weight + sum((lv.weight for lv in result.levels), start=br.weight * 0)
    total_row: list[RenderableType] = [
        Text("总分", style="bold"),
        fmt.weight(weight_total),
        Text(f"{fmt.score(result.total_computed)}（{result.grade}）", style="bold"),
    ]
    if has_rec:
        style = "bold yellow" if result.total_differs else "bold"
        mark = DIFF_MARK if result.total_differs else ""
        total_row.append(Text(f"{mark}{fmt.score(result.total_recorded)}（{result.grade_recorded}）", style=style))
    t.add_row(*total_row)
    notes: list[RenderableType] = [t]
    if result.cap_note:
        notes.append(Text(result.cap_note, style="yellow"))
    if result.pending:
        notes.append(Text(f"有 {result.pending} 项指标待人工判断，规则得分未计入这些指标。", style="magenta"))
    if any(r.weight_source == "allocated" for r in result.indicators):
        notes.append(Text(f"* 表中未列分值，按规则集「{result.rules.name}」分配。", style="dim"))
    notes.append(Text(f"等级标准：{result.rules.grade_bands_text()}", style="dim"))
    return Group(*notes)


def differences(result: FormResult) -> RenderableType | None:
    lines = []
    if result.budget.differs and result.budget.recorded is not None:
        rec = result.budget.recorded
        lines.append(
            Text.assemble(
                (f"{DIFF_MARK} 预算执行：", "bold yellow"),
                f"自评 {fmt.score(rec.score)}，规则 {fmt.score(result.budget.score, '—')}。",
                ("理由：" + display(rec.reason)) if rec.reason else ("未说明理由", "red"),
            )
        )
    for r in result.indicators:
        if not r.differs or r.recorded is None:
            continue
        explanation = r.explanation  # written out on each read: once
        why = explanation[-2] if len(explanation) >= 2 else ""
        lines.append(
            Text.assemble(
                (f"{DIFF_MARK} {line(r.indicator.name)}：", "bold yellow"),
                f"自评 {fmt.score(r.recorded.score)}，规则 {fmt.score(r.score, '待判断')}（{display(why)}）。",
                ("理由：" + display(r.recorded.reason)) if r.recorded.reason else ("未说明理由", "red"),
            )
        )
    if result.total_differs:
        lines.append(
            Text.assemble(
                (f"{DIFF_MARK} 总分：", "bold yellow"),
                f"自评 {fmt.score(result.total_recorded)}，规则 {fmt.score(result.total_computed)}，"
                f"相差 {fmt.score((result.total_recorded or 0) - result.total_computed)}。",
            )
        )
    if not lines:
        return None
    return Panel(
        Group(*lines), title="自评得分与规则得分不一致", title_align="left", border_style="yellow", box=box.ROUNDED
    )


def narratives(result: FormResult) -> RenderableType:
    form = result.form
    t = Table.grid(padding=(0, 1))
    t.add_column(style="bold", overflow="fold", width=14)
    t.add_column(overflow="fold")
    t.add_row("偏差大或目标未完成原因分析", Text(display(form.deviation_analysis or "（未填写）")))
    t.add_row("改进措施及结果应用方案", Text(display(form.improvement_measures or "（未填写）")))
    return t


def problems_block(problems: tuple[Problem, ...]) -> RenderableType | None:
    if not problems:
        return None
    t = Table.grid(padding=(0, 1))
    t.add_column(no_wrap=True)
    t.add_column(overflow="fold")
    for p in problems:
        t.add_row(Text(f"[{p.severity.label}]", style=SEVERITY_STYLE[p.severity]), Text(display(p.message)))
    return Panel(
        t,
        title=f"问题（{len(problems)}）",
        title_align="left",
        border_style="red" if any(p.severity is Severity.ERROR for p in problems) else "yellow",
        box=box.ROUNDED,
    )


def render_form(result: FormResult, explain: bool = False, width: int = 80) -> RenderableType:
    parts: list[RenderableType] = [header(result), Text(""), budget_block(result)]
    if explain and result.budget.explanation:
        parts.append(Text("  " + display("；".join(result.budget.explanation)), style="dim italic"))
    for gi, goal in enumerate(result.form.goals, start=1):
        if goal.text:
            parts.append(Text(f"年度目标 {gi}：{display(goal.text)}", style="italic"))
        parts.append(indicator_table(result, gi, explain, width))
        if explain:
            parts.append(explanations(result, gi))
    parts.append(totals(result))
    diff = differences(result)
    if diff is not None:
        parts.append(diff)
    parts.append(narratives(result))
    probs = problems_block(result.all_problems)
    if probs is not None:
        parts.append(probs)
    return Group(*parts)


class Summary(NamedTuple):
    """A scored form's line in the overview: all it needs, small enough to send from a worker."""

    project_name: str
    implementing_unit: str
    total_computed: Decimal
    total_recorded: Decimal | None
    total_differs: bool
    grade: str
    pending: int
    problems: int


def summary_of(result: FormResult) -> Summary:
    form = result.form
    return Summary(
        form.project_name,
        form.implementing_unit,
        result.total_computed,
        result.total_recorded,
        result.total_differs,
        result.grade,
        result.pending,
        len(result.all_problems),
    )


def summary_table(rows: list[tuple[str, Summary | None, str]]) -> Table:
    """One line per file: the overview printed after several forms."""
    t = Table(title="汇总", title_justify="left", title_style="bold", box=box.SIMPLE_HEAD, padding=(0, 1))
    t.add_column("项目名称", overflow="fold", ratio=3)
    t.add_column("实施单位", overflow="fold", ratio=3)
    t.add_column("规则得分", justify="right", no_wrap=True)
    t.add_column("自评", justify="right", no_wrap=True)
    t.add_column("等级", no_wrap=True)
    t.add_column("待判断", justify="right", no_wrap=True)
    t.add_column("问题", justify="right", no_wrap=True)
    for source, summary, error in rows:
        if summary is None:
            t.add_row(Text(line(source), style="red"), Text(display(error), style="red"), "—", "", "", "", "")
            continue
        style = "bold yellow" if summary.total_differs else ""
        t.add_row(
            Text(line(summary.project_name)),
            Text(line(summary.implementing_unit)),
            fmt.score(summary.total_computed),
            Text(fmt.score(summary.total_recorded), style=style),
            summary.grade,
            str(summary.pending or ""),
            str(summary.problems or ""),
        )
    return t


def print_form(console: Console, result: FormResult, source: str, explain: bool = False) -> None:
    console.rule(Text(line(source), style="dim"))
    console.print(render_form(result, explain, console.width))


def emit(console: Console, renderable: RenderableType) -> None:
    """``console.print(renderable)``, laid out on strings when there is no colour. Written to the
    console's file, so a recording or capturing console (Rich's own buffer) is left to Rich."""
    busy = console.record or bool(getattr(console, "_buffer_index", 1))
    text = None if busy else plain_layout.printed(console, (renderable,))
    if text is None:
        console.print(renderable)
    else:
        console.file.write(text)


def form_text(console: Console, result: FormResult, source: str, explain: bool = False) -> str:
    """What ``print_form`` writes: laid out on strings when there is no colour, else by Rich."""
    rule = Rule(Text(line(source), style="dim"), characters="─", style="rule.line", align="center")
    text = plain_layout.printed(console, (rule, render_form(result, explain, console.width)))
    if text is not None:
        return text
    with console.capture() as captured:
        print_form(console, result, source, explain)
    return captured.get()
