"""What a form's cells say: titles, scores with their ※ notes, tick rows, the header block, indicator rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.platypus import Flowable, Table

from jixiao.pdf.blocks import EMPTY, C, Row, Styles, TickLine, mark, plain_table
from jixiao.pdf.page import WIDTH
from scorer import numbers as fmt
from scorer.model import TICK_GROUP_LABELS, TICK_GROUPS, FormKind
from scorer.result import FormResult, IndicatorResult


def _title(form: Any) -> str:
    if form.title:
        return str(form.title)
    kind = "部门整体支出" if form.form_kind is FormKind.DEPARTMENT else "项目支出"
    return f"{form.year or ''} 年度{form.implementing_unit or form.department}{kind}绩效自评表"


def _level(text: str) -> str:
    return text or "（未填）"


@dataclass
class Notes:
    """The ※ footnotes, numbered in order of appearance."""

    lines: list[str] = field(default_factory=list)

    def add(self, text: str) -> int:
        self.lines.append(text)
        return len(self.lines)


def _rule_reason(r: IndicatorResult) -> str:
    why = [e for e in r.explanation if not e.startswith("单位自评")]
    return why[-1] if why else ""


def _score_cell(r: IndicatorResult, notes: Notes) -> C:
    """The 得分 cell: the recorded score (marked where the rule differs), else the rule score."""
    rec = r.indicator.recorded
    if rec is not None:
        text = escape(fmt.weight(rec.score))
        if r.differs:
            rule = fmt.score(r.score, "待判断")
            reason = _rule_reason(r)
            note = f"{r.indicator.name}：规则得分 {rule}" + (f"（{reason}）" if reason else "")
            note += f"；单位理由：{rec.reason}" if rec.reason else "；单位未说明理由"
            text += " " + mark(notes.add(note))
        return C(text, "num", markup=True)
    if r.score is None:
        return C("待判断", "num")
    return C(fmt.score(r.score), "num")


def _budget_score(result: FormResult, notes: Notes) -> C:
    br = result.budget
    if br.recorded is not None:
        text = escape(fmt.weight(br.recorded.score))
        if br.differs:
            why = br.explanation[-1] if br.explanation else ""
            note = f"预算执行：规则得分 {fmt.score(br.score, '—')}" + (f"（{why}）" if why else "")
            note += f"；单位理由：{br.recorded.reason}" if br.recorded.reason else "；单位未说明理由"
            text += " " + mark(notes.add(note))
        return C(text, "num", markup=True)
    return C(fmt.score(br.score, "—"), "num")


def _total_cell(result: FormResult, notes: Notes) -> C:
    if result.total_recorded is not None:
        text = escape(fmt.weight(result.total_recorded))
        if result.total_mismatch:
            text += " " + mark(
                notes.add(
                    f"表中总分 {fmt.score(result.total_recorded)} 与各项自评得分之和 "
                    f"{fmt.score(result.recorded_sum)} 不一致"
                )
            )
        if result.total_differs:
            text += " " + mark(notes.add(f"规则计算总分 {fmt.score(result.total_computed)}（{result.grade}）"))
        return C(text, "num", markup=True)
    return C(fmt.score(result.total_computed), "num")


def _grade_text(result: FormResult) -> str:
    grade = result.grade_recorded if result.total_recorded is not None and result.grade_recorded else result.grade
    return f"等级：{grade}　（{result.rules.grade_bands_text()}）"


def _weight_total(result: FormResult) -> Decimal:
    """The 分值 column's total: a parent row (父项) is its sub-rows' points, counted once."""
    return result.weight_total


def _cell_texts(r: IndicatorResult) -> tuple[str, str]:
    ind = r.indicator
    target = ind.target
    if ind.adjusted_target:
        target = f"{ind.adjusted_target}（调整前：{ind.target}）" if ind.target else ind.adjusted_target
    return target, ind.actual


def _weight_text(r: IndicatorResult) -> str:
    return fmt.weight(r.weight) + ("*" if r.weight_source == "allocated" else "")


def _ticks(st: Styles, form: Any) -> list[Row]:
    rows = []
    for key, options in TICK_GROUPS.items():
        ticked = form.ticks.group(key)
        opts = [(f"{i + 1}、{opt}", opt in ticked) for i, opt in enumerate(options)]

        def make(o: list[tuple[str, bool]] = opts) -> Flowable:
            return TickLine(o, st.font)

        rows.append(Row((C(TICK_GROUP_LABELS[key], "label"), C(flowable=make), EMPTY, EMPTY), spans=((1, 3),)))
    return rows


def header_block(st: Styles, result: FormResult, label_width: float) -> Table:
    form = result.form
    w = [label_width, 300, 100, WIDTH - label_width - 400]
    rows: list[Row] = []
    if form.form_kind is FormKind.DEPARTMENT:
        rows.append(
            Row((C("单位名称", "label"), C(form.implementing_unit or form.department), EMPTY, EMPTY), ((1, 3),))
        )
        b = form.budget
        if b.basic_expenditure is not None or b.project_expenditure is not None:
            rows.append(
                Row(
                    (
                        C("基本支出总额", "label"),
                        C(f"{fmt.money(b.basic_expenditure, '—')} 万元"),
                        C("项目支出总额", "label"),
                        C(f"{fmt.money(b.project_expenditure, '—')} 万元"),
                    )
                )
            )
        if form.department and form.department != form.implementing_unit:
            rows.append(Row((C("主管部门", "label"), C(form.department), EMPTY, EMPTY), ((1, 3),)))
    else:
        rows.append(Row((C("项目名称", "label"), C(form.project_name), EMPTY, EMPTY), ((1, 3),)))
        rows.append(
            Row(
                (
                    C("主管部门", "label"),
                    C(form.department),
                    C("项目实施单位", "label"),
                    C(form.implementing_unit),
                )
            )
        )
        rows.extend(_ticks(st, form))
    return plain_table(st, w, rows)


def narrative_rows(form: Any) -> list[Row]:
    return [
        Row((C("偏差大或目标未完成原因分析", "label"), C(form.deviation_analysis or "无"))),
        Row((C("改进措施及结果应用方案", "label"), C(form.improvement_measures or "无"))),
    ]


def _indicator_rows(result: FormResult, goal_no: int | None, notes: Notes, deviation: bool) -> list[Row]:
    rows = []
    for r in result.indicators:
        if goal_no is not None and r.goal != goal_no:
            continue
        ind = r.indicator
        target, actual = _cell_texts(r)
        cells = [
            EMPTY,
            C(_level(ind.level1), "center"),
            C(_level(ind.level2), "center"),
            C(ind.shown_name),
            C(target, "center"),
            C(actual, "center"),
            C(_weight_text(r), "num"),
            _score_cell(r, notes),
        ]
        if deviation:
            cells.append(C(ind.deviation or (ind.recorded.reason if ind.recorded else "")))
        rows.append(Row(tuple(cells), keys=((r.goal, ind.level1), (r.goal, ind.level1, ind.level2))))
    return rows


def _goal_sections(result: FormResult, notes: Notes) -> list[Row]:
    """The national table's body: one labelled section per 年度绩效目标 when there are several."""
    goals = result.form.goals
    if len(goals) <= 1:
        return _indicator_rows(result, None, notes, deviation=True)
    rows: list[Row] = []
    for gi, goal in enumerate(goals, start=1):
        label = f"年度绩效目标 {gi}"
        if goal.weight is not None:
            label += f"（{fmt.weight(goal.weight)}分）"
        if goal.text:
            label += f"：{goal.text}"
        cells = (EMPTY, C(label, "label"), *([EMPTY] * 7))
        rows.append(Row(cells, spans=((1, 8),), keys=(None, None)))
        rows.extend(_indicator_rows(result, gi, notes, deviation=True))
    return rows
