"""Checks within one scored form.

Each check is a small function ``(result: FormResult) -> list[Finding]``
registered in ``FORM_CHECKS`` with its id, severity and title. Where the
scoring engine already detects something (weights that do not add up,
incompatible units, over-completion, 执行率 above 100% …) the check wraps the
engine's Problem instead of repeating its logic, and adds the form's name.

Thresholds are data, at the top of this module.
"""

from __future__ import annotations

from decimal import Decimal

import jixiao.checks.row_checks  # noqa: F401  (registers the row checks first: the order findings are listed in)
from jixiao.checks.model import CheckSpec, Finding, normalise
from jixiao.checks.registry import (
    _SPECS,
    BOILERPLATE_ACTUALS,
    BOILERPLATE_MIN_ROWS,
    BOILERPLATE_MIN_SHARE,
    FORM_CHECKS,
    GOOD_GRADE,
    GOOD_GRADE_FALLBACK_MIN,
    LOW_EXECUTION_RATE,
    _finding,
    _problems,
    _rows,
    _s,
    check,
    passthrough,
)
from scorer import numbers as fmt
from scorer.result import SEVERITY, FormResult, IndicatorResult, ProblemCode, Severity
from scorer.vocabulary import level_key
from scorer.weights import rounding_slack

# ------------------------------------------------------------------ budget


@check(
    "execution-over-100",
    SEVERITY[ProblemCode.BUDGET_OVER_100],
    "执行率超过 100%",
    "执行数 is above 预算数 (执行率 > 100%). Spending beyond the approved budget needs an adjustment "
    "(调整预算) and is scored at most the full weight.",
)
def execution_over_100(result: FormResult) -> list[Finding]:
    return [
        _finding(result, "execution-over-100", p.message, value=result.budget.rate)
        for p in _problems(result, ProblemCode.BUDGET_OVER_100)
    ]


passthrough(
    "rate-mismatch",
    "表中执行率与计算不符",
    "The 执行率 printed on the form differs from 执行数/预算数.",
    ProblemCode.BUDGET_RATE_MISMATCH,
)


passthrough(
    "rate-unreadable",
    "表中执行率无法识别",
    "The 执行率 printed on the form is not a percentage the engine can read; the computed rate is used.",
    ProblemCode.BUDGET_RATE_TEXT,
)


passthrough(
    "budget-invalid",
    "预算数无效",
    "预算数 is zero or negative, so no 执行率 can be computed.",
    ProblemCode.BUDGET_INVALID,
)


#: the ways a form splits its 资金总额 into 其中 rows, each in the order a form prints them: by source,
#: and (department forms) by the nature of the spending
BUDGET_SPLITS = (
    (("fiscal", "财政拨款"), ("carryover", "上年结转"), ("other", "其他资金")),
    (("basic_expenditure", "基本支出"), ("project_expenditure", "项目支出")),
)


@check(
    "budget-parts-exceed-total",
    Severity.WARNING,
    "资金构成之和超过资金总额",
    "The 其中 rows of one split (财政拨款 + 上年结转 + 其他资金, or 基本支出 + 项目支出) add up to more than "
    "every figure of the 资金总额 row (年初预算数, 全年预算数, 执行数), beyond the rounding of the printed decimals.",
)
def budget_parts_exceed_total(result: FormResult) -> list[Finding]:
    b = result.form.budget
    totals = [v for v in (b.initial, b.planned, b.executed) if v is not None]
    if not totals:
        return []
    ceiling, out = max(totals), []
    for split in BUDGET_SPLITS:
        parts = [(label, v) for key, label in split if (v := getattr(b, key)) is not None]
        total = sum((v for _, v in parts), Decimal(0))
        if not parts or total - ceiling <= rounding_slack([v for _, v in parts]):
            continue
        named = " + ".join(f"{label} {fmt.money(v)}" for label, v in parts)
        if len(parts) > 1:
            named += f" = {fmt.money(total)}"
        detail = f"其中{named} 万元，超过{b.label}一行的最大数 {fmt.money(ceiling)} 万元；资金可能重复计列，或总额填错"
        out.append(_finding(result, "budget-parts-exceed-total", detail, value=total - ceiling))
    return out


def good_grades(result: FormResult) -> set[str]:
    """Grades counting as 良 or better under the form's rule set."""
    grades = result.rules.grades
    mins = [g.min for g in grades if g.grade == GOOD_GRADE]
    floor = mins[0] if mins else GOOD_GRADE_FALLBACK_MIN
    return {g.grade for g in grades if g.min >= floor}


@check(
    "low-execution-high-grade",
    Severity.WARNING,
    "执行率低但等级为良以上",
    "执行率 is below 60% while the grade (the unit's recorded grade when it scored the form, else "
    "the computed one) is 良 or better: money stayed unspent yet the project claims success.",
)
def low_execution_high_grade(result: FormResult) -> list[Finding]:
    rate = result.budget.rate
    if rate is None or rate >= LOW_EXECUTION_RATE:
        return []
    grade = result.grade_recorded or result.grade
    if grade not in good_grades(result):
        return []
    total = result.total_recorded if result.grade_recorded else result.total_computed
    which = "自评" if result.grade_recorded else "规则"
    return [
        _finding(
            result,
            "low-execution-high-grade",
            f"执行率 {fmt.percent(rate)} 低于 {fmt.percent(LOW_EXECUTION_RATE)}，"
            f"但{which}总分 {_s(total)} 为「{grade}」",
            value=rate,
        )
    ]


# -------------------------------------------------------------- indicators


def _is_cost(r: IndicatorResult) -> bool:
    ind = r.indicator
    return any("成本" in level_key(x) for x in (ind.level1, ind.level2)) or "成本" in ind.name


def _is_satisfaction(r: IndicatorResult) -> bool:
    ind = r.indicator
    return any("满意" in level_key(x) for x in (ind.level1, ind.level2)) or "满意度" in ind.name


@check(
    "no-cost-indicator",
    Severity.WARNING,
    "缺少成本指标",
    "No indicator is a cost indicator (一级 or 二级 成本, or 成本 in the name). Since 2021 the national "
    "framework expects 成本指标 so that output can be related to money.",
)
def no_cost_indicator(result: FormResult) -> list[Finding]:
    if any(_is_cost(r) for r in result.indicators):
        return []
    return [_finding(result, "no-cost-indicator", f"{len(result.scored)} 项指标中没有成本指标")]


@check(
    "no-satisfaction-indicator",
    Severity.WARNING,
    "缺少满意度指标",
    "No indicator measures satisfaction (一级 or 二级 满意度). The national framework gives 满意度 "
    "10 points; without it the beneficiaries' view is missing.",
)
def no_satisfaction_indicator(result: FormResult) -> list[Finding]:
    if any(_is_satisfaction(r) for r in result.indicators):
        return []
    return [_finding(result, "no-satisfaction-indicator", f"{len(result.scored)} 项指标中没有满意度指标")]


@check(
    "duplicate-indicator",
    Severity.WARNING,
    "指标重复",
    "Two or more rows carry the same 三级 indicator name (ignoring spaces and punctuation). "
    "A repeated row counts the same achievement twice.",
)
def duplicate_indicator(result: FormResult) -> list[Finding]:
    groups: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for n, r in _rows(result):
        key = normalise(r.indicator.name)
        if not key:
            continue
        groups.setdefault(key, []).append(n)
        names.setdefault(key, r.indicator.name)
    return [
        _finding(
            result,
            "duplicate-indicator",
            f"指标「{names[key]}」出现 {len(rows)} 次（第 {'、'.join(map(str, rows))} 行）",
            names[key],
            Decimal(len(rows)),
        )
        for key, rows in groups.items()
        if len(rows) > 1
    ]


def is_boilerplate(actual: str) -> bool:
    return normalise(actual) in BOILERPLATE_ACTUALS


@check(
    "boilerplate-actuals",
    Severity.WARNING,
    "实际完成值多为套话",
    "Most rows (≥ 60% of a form with ≥ 4 rows) report an actual such as 达到预期指标, 圆满完成, 完成 "
    "or 按时完成 instead of a measured value: the form does not show what was achieved.",
)
def boilerplate_actuals(result: FormResult) -> list[Finding]:
    rows = result.scored
    if len(rows) < BOILERPLATE_MIN_ROWS:
        return []
    hits = [r.indicator.actual.strip() for r in rows if is_boilerplate(r.indicator.actual)]
    share = Decimal(len(hits)) / Decimal(len(rows))
    if share < BOILERPLATE_MIN_SHARE:
        return []
    words = "、".join(f"「{w}」" for w in dict.fromkeys(hits))
    return [
        _finding(
            result,
            "boilerplate-actuals",
            f"{len(rows)} 项指标中 {len(hits)} 项（{fmt.percent(share)}）的实际完成值为套话：{words}",
            value=share,
        )
    ]


passthrough(
    "unknown-level1",
    "一级指标不在规则集中",
    "A row's 一级指标 is not one the rule set knows, so no weight can be allocated to it.",
    ProblemCode.UNKNOWN_LEVEL1,
)


passthrough(
    "header-missing",
    "表头未填写",
    "A header cell the form needs (项目名称) is empty; the form is read and named after nothing.",
    ProblemCode.HEADER_MISSING,
)


# Engine problem codes the checks above report (or deliberately re-derive).
ENGINE_CODES = frozenset(
    {
        ProblemCode.HEADER_MISSING,
        ProblemCode.WEIGHTS_TOTAL,
        ProblemCode.WEIGHTS_EXCEED,
        ProblemCode.INVALID_CELL,
        ProblemCode.BUDGET_MISSING,
        ProblemCode.EMPTY_ACTUAL,
        ProblemCode.UNIT_MISMATCH,
        ProblemCode.JUDGEMENT,
        ProblemCode.OVER_COMPLETION,
        ProblemCode.RECORDED_DIFFERS,
        ProblemCode.RECORDED_ABOVE_WEIGHT,
        ProblemCode.RECORDED_TOTAL_SUM,
        ProblemCode.FAMILY_SUM,
        ProblemCode.BUDGET_OVER_100,
        ProblemCode.BUDGET_RATE_MISMATCH,
        ProblemCode.BUDGET_RATE_TEXT,
        ProblemCode.BUDGET_INVALID,
        ProblemCode.UNKNOWN_LEVEL1,
    }
)


@check(
    "scoring-problem",
    Severity.WARNING,
    "其他计分问题",
    "Any other problem the scoring engine reports, passed through with the engine's own severity "
    "(a safety net: the engine may learn new problems before the checks do).",
)
def scoring_problem(result: FormResult) -> list[Finding]:
    return [
        _finding(result, "scoring-problem", p.message, p.indicator, severity=p.severity)
        for p in result.all_problems
        if p.code not in ENGINE_CODES
    ]


def form_specs() -> dict[str, CheckSpec]:
    return dict(_SPECS)


__all__ = ["ENGINE_CODES", "FORM_CHECKS", "form_specs"]
