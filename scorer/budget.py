"""The 预算执行 block: the execution rate and its points, from the amounts or the printed rate."""

from __future__ import annotations

from decimal import Decimal

from scorer import explain
from scorer.cell_values import Approx, Comparator
from scorer.cells import Cell, CellKind, read_cell
from scorer.explain import Step
from scorer.model import Form, Recorded
from scorer.numbers import percent, plain, q2
from scorer.numbers import weight as fmt_weight
from scorer.result import (
    BudgetResult,
    Problem,
    ProblemCode,
    Status,
)
from scorer.row import HUNDRED, ONE, ZERO
from scorer.rules import RuleSet


def _exact(cell: Cell) -> bool:
    """One number as written: no comparator, no range, no estimate."""
    return cell.comparator is Comparator.NONE and cell.high is None and cell.approx is Approx.NONE


def _rate_text(text: str) -> Decimal | None:
    cell = read_cell(text)
    if not isinstance(cell, Cell):
        return None
    if cell.kind is CellKind.QUANTITY and cell.unit == "%" and cell.value is not None and _exact(cell):
        return cell.value / HUNDRED
    return None  # not a percentage, or not an exact one (约九成, ≥90%): never scored as if it were


def _budget_from_printed_rate(
    form: Form, w: Decimal, rate: Decimal, rules: RuleSet
) -> tuple[BudgetResult, list[Problem], Decimal | None]:
    """The amounts are missing or unreadable but the form prints its 执行率: score that, and say so."""
    b = form.budget
    capped = min(rate, ONE)
    score = min(w, q2(w * capped))
    lines: list[Step] = [
        f"预算数或执行数未填报，按表中印出的执行率「{b.rate_text}」计分：{fmt_weight(w)} × {percent(capped)} = {score}"
    ]
    problems = [
        Problem.of(
            ProblemCode.BUDGET_PRINTED_RATE,
            f"预算数或执行数未填报，按表中执行率「{b.rate_text}」计分",
            column="执行率",
            text=b.rate_text,
        )
    ]
    if b.recorded is not None and q2(b.recorded.score) != score:
        msg = f"单位自评 {q2(b.recorded.score)} 分（规则得分 {score}）"
        lines.append(msg + (f"，理由：{b.recorded.reason}" if b.recorded.reason else "，未说明理由"))
    status = Status.MET if rate >= 1 else Status.PARTLY if rate > 0 else Status.MISSED
    return BudgetResult(w, rate, score, b.recorded, status, tuple(lines)), problems, rate


def score_budget(form: Form, rules: RuleSet) -> tuple[BudgetResult, list[Problem], Decimal | None]:
    """The 预算执行 block: points × 执行数/预算数 (capped at the points), the printed rate cross-checked."""
    b = form.budget
    w = b.weight if b.weight is not None else rules.budget_weight
    problems: list[Problem] = []
    lines: list[Step] = []
    if b.planned is None or b.executed is None:
        printed = _rate_text(b.rate_text) if b.rate_text else None
        if printed is not None and printed >= 0:
            return _budget_from_printed_rate(form, w, printed, rules)
        lines.append("预算数或执行数未填报，预算执行得 0 分")
        problems.append(Problem.of(ProblemCode.BUDGET_MISSING, "预算执行情况缺少预算数或执行数", column="预算执行情况"))
        return BudgetResult(w, None, ZERO, b.recorded, Status.EMPTY, tuple(lines)), problems, None
    if b.planned <= 0:
        lines.append(f"预算数为 {b.planned}，无法计算执行率")
        problems.append(
            Problem.of(
                ProblemCode.BUDGET_INVALID,
                f"预算数 {b.planned} 不是正数",
                column="预算数",
                text=str(b.planned),
            )
        )
        return BudgetResult(w, None, ZERO, b.recorded, Status.INVALID, tuple(lines)), problems, None
    rate = b.executed / b.planned
    raw = w * rate
    score = min(w, q2(raw))
    lines.append((explain.budget_rate, b.executed, b.planned, rate))
    if rate > 1:
        lines.append((explain.budget_capped, w))
        problems.append(
            Problem.of(
                ProblemCode.BUDGET_OVER_100,
                f"执行率 {percent(rate)} 超过 100%（执行数 {plain(b.executed)} 万元 > 预算数 {plain(b.planned)} 万元）",
                column="执行率",
            )
        )
    else:
        lines.append((explain.budget_score, w, rate, raw))
    _check_printed_rate(b.rate_text, rate, problems)
    status = Status.MET if rate >= 1 else Status.PARTLY if rate > 0 else Status.MISSED
    _recorded_budget(b.recorded, score, lines, problems)
    return BudgetResult(w, rate, score, b.recorded, status, tuple(lines)), problems, rate


def _check_printed_rate(rate_text: str, rate: Decimal, problems: list[Problem]) -> None:
    """The 执行率 the form prints, against 执行数/预算数 (which scores): unreadable or different is said."""
    published = _rate_text(rate_text) if rate_text else None
    if rate_text and published is None:
        problems.append(
            Problem.of(
                ProblemCode.BUDGET_RATE_TEXT,
                f"表中执行率「{rate_text}」无法识别",
                column="执行率",
                text=rate_text,
            )
        )
    elif published is not None and abs(published - rate) > Decimal("0.0005"):
        problems.append(
            Problem.of(
                ProblemCode.BUDGET_RATE_MISMATCH,
                f"表中执行率「{rate_text}」与 执行数/预算数 = {percent(rate)} 不符；按 执行数/预算数 计分",
                column="执行率",
                text=rate_text,
            )
        )


def _recorded_budget(recorded: Recorded | None, score: Decimal, lines: list[Step], problems: list[Problem]) -> None:
    """The unit's own budget score beside the rule's; a difference without a reason is a warning."""
    if recorded is not None and q2(recorded.score) != score:
        msg = f"单位自评 {q2(recorded.score)} 分（规则得分 {score}）"
        lines.append(msg + (f"，理由：{recorded.reason}" if recorded.reason else "，未说明理由"))
        if not recorded.reason:
            problems.append(Problem.of(ProblemCode.RECORDED_DIFFERS, "预算执行" + msg + "，未说明理由", column="得分"))
