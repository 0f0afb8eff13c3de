"""What the importer read, and an honest account of what it could not read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from jixiao.disclosure.text import shown
from scorer import numbers as fmt
from scorer.model import TICK_GROUP_LABELS, TICK_GROUPS, Budget, Form, FormKind, Goal


class Unassigned(NamedTuple):
    """A source line the importer could not place in the form, with the reason."""

    line_no: int
    raw_text: str
    reason: str


class Guess(NamedTuple):
    """A source line placed in the form by a rule that could be wrong, and where it was put."""

    line_no: int
    raw_text: str
    guess: str


@dataclass
class FormReport:
    """The per-form report: rows recovered, rows not placed, fields left empty, notes.

    ``notes`` explain every rule that shaped the result (a shifted row put back,
    a wrapped cell joined, a printed value deliberately not used) so that a
    reader can check each decision against the source lines.
    """

    rows_recovered: int = 0
    unassigned: list[Unassigned] = field(default_factory=list)
    guessed: list[Guess] = field(default_factory=list)
    empty_fields: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    first_line: int = 0
    last_line: int = 0
    layout: str = ""  # "hubei" | "national" | "xlsx" | ""

    @property
    def clean(self) -> bool:
        return not self.unassigned


class ImportedForm(NamedTuple):
    form: Form
    report: FormReport


@dataclass
class DisclosureResult:
    """All forms found in one document, plus problems of the document as a whole."""

    source: str
    forms: list[ImportedForm] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the document could not be read at all
    notes: list[str] = field(default_factory=list)  # e.g. a title with no form under it
    # rows of a form seen outside every form (before the first title, after a form ended)
    dropped: list[Unassigned] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every form complete enough to use, every row placed, and at least one form."""
        return (
            bool(self.forms)
            and not self.errors
            and not self.dropped
            and all(f.report.clean and f.form.project_name.strip() for f in self.forms)
        )

    @property
    def unplaced(self) -> int:
        """Rows seen and not placed in any form: in a form but unplaced, and outside every form."""
        return len(self.dropped) + sum(len(f.report.unassigned) for f in self.forms)


def empty_fields(
    form: Form,
    scored: bool,
    printed_ticks: set[str] | None = None,
    national: bool = False,
    printed_narratives: set[str] | None = None,
) -> list[str]:
    """The fields of ``form`` that were left empty, in form order, named as printed.

    The national (财政部) layout has no tick boxes and no narrative rows (its
    deviation analysis is a column of the indicator table): there they are
    listed only when the form prints them.
    """
    out: list[str] = []
    project = form.form_kind is FormKind.PROJECT
    ticks_expected = not national or bool(printed_ticks)
    if not form.project_name.strip():
        out.append("项目名称")
    if not form.department:
        out.append("主管部门")
    if not form.implementing_unit:
        out.append("项目实施单位" if project else "单位名称")
    if form.year is None:
        out.append("年度")
    if project and ticks_expected:
        for key, options in TICK_GROUPS.items():
            if not form.ticks.group(key):
                label = TICK_GROUP_LABELS[key]
                row = printed_ticks is not None and key in printed_ticks
                out.append(f"{label}（{'未勾选任何一项' if row else '表上没有这一行'}；可选 {' / '.join(options)}）")
    out += _empty_budget(form.budget, scored)
    out += _empty_goals(form.goals, scored)
    if scored and form.total_recorded is None:
        out.append("总分")
    printed = printed_narratives or set()
    if not form.deviation_analysis and (not national or "deviation_analysis" in printed):
        out.append("偏差大或目标未完成原因分析")
    if not form.improvement_measures and (not national or "improvement_measures" in printed):
        out.append("改进措施及结果应用方案")
    return out


def _empty_budget(b: Budget, scored: bool) -> list[str]:
    out = [
        f"预算执行情况：{label}" for amount, label in ((b.planned, "预算数"), (b.executed, "执行数")) if amount is None
    ]
    if not b.rate_text:
        out.append("预算执行情况：执行率")
    if scored and b.recorded is None:
        out.append("预算执行情况：得分")
    return out


def _empty_goals(goals: tuple[Goal, ...], scored: bool) -> list[str]:
    """Per goal: no indicators, an indicator's empty cells, and the weights a scored form lacks."""
    if not goals:
        return ["年度绩效目标（没有读到任何指标）"]
    out: list[str] = []
    for gi, goal in enumerate(goals, 1):
        where = f"年度绩效目标 {gi}" if len(goals) > 1 else "年度绩效目标"
        if not goal.indicators:
            out.append(f"{where}：没有指标")
        for ind in goal.indicators:
            for value, label in (
                (ind.level1, "一级指标"),
                (ind.target, "年初目标值"),
                (ind.actual, "实际完成值"),
            ):
                if not value:
                    out.append(f"{where}「{ind.name}」：{label}")
            if scored and ind.recorded is None:
                out.append(f"{where}「{ind.name}」：得分")
        if scored:
            missing = [ind for ind in goal.indicators if ind.weight is None]
            if missing:
                why = "表上没有分值列" if len(missing) == len(goal.indicators) else "分值栏空白"
                if goal.weight is not None:
                    why += f"，只印了目标分值 {fmt.weight(goal.weight)}"
                out.append(f"{where}：{len(missing)} 项指标的分值（{why}）")
    return out


def render(result: DisclosureResult) -> list[str]:
    """The report as plain lines (the CLI prints them; tests read them)."""
    lines: list[str] = []
    for msg in result.errors:
        lines.append(f"错误：{msg}")
    if not result.errors:
        lines.append(f"{result.source}：找到 {len(result.forms)} 份自评表")
        read = sum(f.report.rows_recovered for f in result.forms)
        guessed = sum(len(f.report.guessed) for f in result.forms)
        unplaced = sum(len(f.report.unassigned) for f in result.forms)
        lines.append(
            f"  读出指标 {read} 行；推测归位 {guessed} 行；表内未能归位 {unplaced} 行；表外未读入 {len(result.dropped)} 行"
        )
    for msg in result.notes:
        lines.append(f"  · {msg}")
    if result.dropped:
        lines.append(f"  表外未读入的行 {len(result.dropped)} 行（像是自评表的内容，但不在任何一张表内）：")
        lines.extend(_rows(result.dropped))
    for i, (form, rep) in enumerate(result.forms, 1):
        lines.extend(_render_form(i, form, rep))
    return lines


def _rows(rows: list[Unassigned] | list[Guess]) -> list[str]:
    out = []
    for no, raw, why in rows:
        out.append(f"    第 {no} 行：{why}")
        out.extend(f"      原文：{shown(r)}" for r in raw.split("\n"))
    return out


def _render_form(i: int, form: Form, rep: FormReport) -> list[str]:
    kind = "部门整体支出" if form.form_kind is FormKind.DEPARTMENT else "项目支出"
    where = f"第 {rep.first_line}–{rep.last_line} 行" if rep.first_line else ""
    lines = ["", f"[{i}] {form.title or '（无表题）'}「{form.project_name or '？'}」{kind}，{where}".rstrip("，")]
    lines.append(f"  读出指标 {rep.rows_recovered} 行（{len(form.goals)} 个年度绩效目标）")
    if rep.guessed:
        lines.append(f"  推测归位的行 {len(rep.guessed)} 行（请核对）：")
        lines.extend(_rows(rep.guessed))
    if rep.unassigned:
        lines.append(f"  未能归位的行 {len(rep.unassigned)} 行：")
        lines.extend(_rows(rep.unassigned))
    else:
        lines.append("  未能归位的行：无")
    if rep.empty_fields:
        lines.append(f"  空缺字段 {len(rep.empty_fields)} 项：")
        lines.extend(f"    - {f}" for f in rep.empty_fields)
    else:
        lines.append("  空缺字段：无")
    if rep.notes:
        lines.append("  说明：")
        lines.extend(f"    · {n}" for n in rep.notes)
    return lines
