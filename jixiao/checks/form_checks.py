"""Checks within one scored form.

Each check is a small function ``(result: FormResult) -> list[Finding]``
registered in ``FORM_CHECKS`` with its id, severity and title. Where the
scoring engine already detects something (weights that do not add up,
incompatible units, over-completion, 执行率 above 100% …) the check wraps the
engine's Problem instead of repeating its logic, and adds the form's name.

Thresholds are data, at the top of this module.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from jixiao.checks.model import CheckSpec, Finding, form_key, form_label, is_trivial, normalise, squash
from scorer import numbers as fmt
from scorer.cells import CellKind, Tier
from scorer.model import Recorded
from scorer.result import FormResult, IndicatorResult, Problem, ProblemCode, Severity, Status
from scorer.vocabulary import level_key

# ------------------------------------------------------------------- data

#: 执行率 below this, next to a grade of 良 or better, is suspicious.
LOW_EXECUTION_RATE = Decimal("0.60")
#: The grade from which "良 or better" counts, when the rule set has no 良.
GOOD_GRADE = "良"
GOOD_GRADE_FALLBACK_MIN = Decimal(80)

#: Actuals that report nothing measurable (compared after normalising).
BOILERPLATE_ACTUALS = frozenset(
    normalise(t)
    for t in (
        "达到预期指标",
        "达到预期目标",
        "达到预期",
        "达到预期效果",
        "符合预期",
        "圆满完成",
        "完成",
        "已完成",
        "全部完成",
        "顺利完成",
        "按时完成",
        "按期完成",
        "如期完成",
        "完成目标",
        "完成任务",
        "完成年度目标",
        "达成",
        "已达成",
        "达标",
        "实现",
        "已实现",
        "有效",
        "良好",
        "较好",
        "好",
        "是",
    )
)
#: "Most rows": at least this share of the rows, on a form with at least this many rows.
BOILERPLATE_MIN_SHARE = Decimal("0.6")
BOILERPLATE_MIN_ROWS = 4

#: Score comparisons are made at 2 decimals, like the form prints them.
TOLERANCE = Decimal("0.005")


# ---------------------------------------------------------------- helpers

FormCheck = Callable[[FormResult], list[Finding]]

_SPECS: dict[str, CheckSpec] = {}
FORM_CHECKS: list[tuple[CheckSpec, FormCheck]] = []


def check(id: str, severity: Severity, title: str, description: str) -> Callable[[FormCheck], FormCheck]:
    """Register a form check under ``id``."""

    def deco(fn: FormCheck) -> FormCheck:
        spec = CheckSpec(id, severity, title, description, "form")
        if id in _SPECS:  # pragma: no cover - programming error
            raise ValueError(f"duplicate check id {id}")
        _SPECS[id] = spec
        FORM_CHECKS.append((spec, fn))
        return fn

    return deco


def _finding(
    result: FormResult,
    check_id: str,
    detail: str,
    indicator: str = "",
    value: Decimal | None = None,
    severity: Severity | None = None,
) -> Finding:
    return Finding(
        check_id=check_id,
        severity=severity or _SPECS[check_id].severity,
        message=f"{form_label(result.form)}：{detail}",
        form_key=form_key(result.form),
        indicator=indicator,
        value=value,
    )


def _problems(result: FormResult, *codes: ProblemCode) -> Iterable[Problem]:
    return (p for p in result.all_problems if p.code in codes)


def _wrap(result: FormResult, check_id: str, *codes: ProblemCode) -> list[Finding]:
    return [_finding(result, check_id, p.message, p.indicator) for p in _problems(result, *codes)]


def passthrough(id: str, severity: Severity, title: str, description: str, *codes: ProblemCode) -> None:
    """Register a check that reports what the engine found under ``codes``, as the engine said it."""
    check(id, severity, title, description)(lambda result: _wrap(result, id, *codes))


def _rows(result: FormResult) -> Iterable[tuple[int, IndicatorResult]]:
    """Indicator rows with their 1-based number (序), as the terminal table shows them."""
    return enumerate(result.indicators, start=1)


def _w(value: Decimal) -> str:
    return fmt.weight(value)


def _s(value: Decimal | None) -> str:
    return fmt.score(value, "待判断")


def _has_deviation(result: FormResult, r: IndicatorResult | None = None) -> bool:
    """A deviation analysis exists: the form's narrative, or the row's own 偏差原因 column."""
    if not is_trivial(result.form.deviation_analysis):
        return True
    return r is not None and not is_trivial(r.indicator.deviation)


def _explained(result: FormResult, r: IndicatorResult) -> bool:
    """Over-completion is explained by the row's deviation column or score reason,
    or by a form narrative that names the indicator."""
    ind = r.indicator
    if not is_trivial(ind.deviation):
        return True
    if ind.recorded is not None and not is_trivial(ind.recorded.reason):
        return True
    name = normalise(ind.name)
    if not name:
        return False
    form = result.form
    return any(name in normalise(text) for text in (form.deviation_analysis, form.improvement_measures))


def _empty(text: str, cell_kind: CellKind | None) -> bool:
    return not text.strip() or cell_kind is CellKind.EMPTY


# ----------------------------------------------------------------- weights


@check(
    "weights-total",
    Severity.ERROR,
    "分值合计不符",
    "The weights written on the form do not add up to the rule set's total (budget + indicators), "
    "a goal's indicators do not add up to the goal's weight, or listed weights exceed their pool. "
    "Scores built on such weights are not comparable with other forms.",
)
def weights_total(result: FormResult) -> list[Finding]:
    out = _wrap(result, "weights-total", ProblemCode.WEIGHTS_TOTAL, ProblemCode.WEIGHTS_EXCEED)
    form, rules = result.form, result.rules
    budget_w = result.budget.weight
    goal_ws = [g.weight for g in form.goals]
    engine_said = any(True for _ in _problems(result, ProblemCode.WEIGHTS_TOTAL))
    if form.goals and all(w is not None for w in goal_ws) and not engine_said:
        total = budget_w + sum((w for w in goal_ws if w is not None), Decimal(0))
        if abs(total - rules.total) > TOLERANCE:
            out.append(
                _finding(
                    result,
                    "weights-total",
                    f"预算执行分值 {_w(budget_w)} 加各年度绩效目标分值，合计 {_w(total)}，"
                    f"与规则集「{rules.name}」的总分 {_w(rules.total)} 不符",
                    value=total - rules.total,
                )
            )
    for gi, goal in enumerate(form.goals, start=1):
        given = [ind.weight for ind in goal.indicators]
        if goal.weight is None or not given or any(w is None for w in given):
            continue
        s = sum((w for w in given if w is not None), Decimal(0))
        if abs(s - goal.weight) > TOLERANCE:
            out.append(
                _finding(
                    result,
                    "weights-total",
                    f"年度绩效目标 {gi} 的指标分值之和 {_w(s)} 与该目标的分值 {_w(goal.weight)} 不符",
                    value=s - goal.weight,
                )
            )
    return out


@check(
    "weight-nonpositive",
    Severity.ERROR,
    "分值为零或负数",
    "A weight written on the form (budget, goal or indicator) is zero or negative. "
    "Such a row can never lose points, or makes the total meaningless.",
)
def weight_nonpositive(result: FormResult) -> list[Finding]:
    out = []
    form = result.form
    if form.budget.weight is not None and form.budget.weight <= 0:
        out.append(
            _finding(
                result,
                "weight-nonpositive",
                f"预算执行情况的分值为 {_w(form.budget.weight)}，应为正数",
                value=form.budget.weight,
            )
        )
    for gi, goal in enumerate(form.goals, start=1):
        if goal.weight is not None and goal.weight <= 0:
            out.append(
                _finding(
                    result,
                    "weight-nonpositive",
                    f"年度绩效目标 {gi} 的分值为 {_w(goal.weight)}，应为正数",
                    value=goal.weight,
                )
            )
    for n, r in _rows(result):
        w = r.indicator.weight
        if w is not None and w <= 0:
            out.append(
                _finding(
                    result,
                    "weight-nonpositive",
                    f"第 {n} 行指标「{r.indicator.name}」的分值为 {_w(w)}，应为正数",
                    r.indicator.name,
                    w,
                )
            )
    return out


# ------------------------------------------------------------------- cells


passthrough(
    "invalid-cell",
    Severity.ERROR,
    "单元格无法识别",
    "A target or actual cell cannot be read at all (the engine's invalid-cell); the row scores 0.",
    ProblemCode.INVALID_CELL,
)


@check(
    "empty-cell",
    Severity.ERROR,
    "目标值或实际完成值未填",
    "An indicator's target (年初目标值) or actual (实际完成值) is empty, or the budget block lacks "
    "预算数/执行数. An empty actual scores 0; an empty target cannot be compared at all.",
)
def empty_cell(result: FormResult) -> list[Finding]:
    out = _wrap(result, "empty-cell", ProblemCode.BUDGET_MISSING)
    for n, r in _rows(result):
        ind = r.indicator
        target_text = ind.adjusted_target or ind.target
        missing = []
        if _empty(target_text, r.target.kind if r.target else None):
            missing.append("年初目标值")
        if _empty(ind.actual, r.actual.kind if r.actual else None):
            missing.append("实际完成值")
        if missing:
            out.append(
                _finding(result, "empty-cell", f"第 {n} 行指标「{ind.name}」的{'和'.join(missing)}未填写", ind.name)
            )
    return out


passthrough(
    "unit-mismatch",
    Severity.ERROR,
    "目标值与实际完成值单位不可比",
    "Target and actual are written in units of different kinds (户 vs 万元); the engine refuses to "
    "compare them and the row cannot be scored.",
    ProblemCode.UNIT_MISMATCH,
)


@check(
    "needs-judgement",
    Severity.WARNING,
    "需人工判断",
    "The engine cannot decide a row (wording outside the vocabulary, a bound on the wrong side …) "
    "and leaves it without a computed score, so the computed total is understated. Rows already "
    "reported as empty, unreadable or with incompatible units are not repeated here.",
)
def needs_judgement(result: FormResult) -> list[Finding]:
    covered = {
        p.indicator
        for p in _problems(result, ProblemCode.UNIT_MISMATCH, ProblemCode.INVALID_CELL, ProblemCode.EMPTY_ACTUAL)
        if p.indicator
    }
    covered |= {
        r.indicator.name
        for r in result.indicators
        if _empty(r.indicator.adjusted_target or r.indicator.target, r.target.kind if r.target else None)
    }
    return [
        _finding(result, "needs-judgement", p.message, p.indicator)
        for p in _problems(result, ProblemCode.JUDGEMENT)
        if p.indicator not in covered
    ]


# --------------------------------------------------------------- deviation


@check(
    "deviation-missing",
    Severity.ERROR,
    "未达满分但无偏差原因分析",
    "A row scores below its weight (by the rules or by the unit's own score) but the form's "
    "偏差大或目标未完成原因分析 is empty or just 无, and the row has no deviation column. "
    "Reviewers require the analysis whenever a score is below its weight.",
)
def deviation_missing(result: FormResult) -> list[Finding]:
    out = []
    br = result.budget
    if not _has_deviation(result):
        scores = [s for s in (br.score, br.recorded.score if br.recorded else None) if s is not None]
        low = min(scores) if scores else None
        if low is not None and br.weight - low > TOLERANCE:
            out.append(
                _finding(
                    result,
                    "deviation-missing",
                    f"预算执行得 {_s(low)} 分（分值 {_w(br.weight)}，执行率 {fmt.percent(br.rate, '—')}），"
                    "未填写偏差原因分析",
                    value=low - br.weight,
                )
            )
    for n, r in _rows(result):
        if _has_deviation(result, r):
            continue
        candidates = [s for s in (r.score, r.recorded.score if r.recorded else None) if s is not None]
        if not candidates:
            continue
        low = min(candidates)
        if r.weight - low <= TOLERANCE:
            continue
        which = "自评" if r.recorded is not None and r.recorded.score == low and low != r.score else "规则"
        out.append(
            _finding(
                result,
                "deviation-missing",
                f"第 {n} 行指标「{r.indicator.name}」{which}得分 {_s(low)} 低于分值 {_w(r.weight)}"
                f"（目标值「{r.indicator.adjusted_target or r.indicator.target}」，实际完成值「{r.indicator.actual}」），"
                "未填写偏差原因分析",
                r.indicator.name,
                low - r.weight,
            )
        )
    return out


@check(
    "over-completion-unexplained",
    Severity.WARNING,
    "超额完成未说明",
    "An actual reaches the rule set's over-completion threshold (e.g. 120% of a positive target, "
    "found by the engine) and neither the row's deviation column, its score reason, nor the form's "
    "narratives (naming the indicator) explain it. A target beaten this far was probably set too low.",
)
def over_completion_unexplained(result: FormResult) -> list[Finding]:
    out = []
    by_name = {p.indicator: p for p in _problems(result, ProblemCode.OVER_COMPLETION)}
    for _n, r in _rows(result):
        if r.over_ratio is None or _explained(result, r):
            continue
        p = by_name.get(r.indicator.name)
        detail = (
            p.message.removesuffix("，需说明")
            if p is not None
            else f"「{r.indicator.name}」实际完成值为目标值的 {fmt.percent(r.over_ratio)}，"
            f"达到超额完成阈值 {fmt.percent(result.rules.over_completion)}"
        )
        out.append(
            _finding(result, "over-completion-unexplained", detail + "，表中未作说明", r.indicator.name, r.over_ratio)
        )
    return out


# ---------------------------------------------------------- recorded scores


def _differences(result: FormResult) -> Iterable[tuple[str, str, Recorded, Decimal | None]]:
    """(indicator name or "", what, recorded, computed) for each row whose recorded score differs."""
    br = result.budget
    if br.differs and br.recorded is not None:
        yield "", "预算执行", br.recorded, br.score
    for n, r in _rows(result):
        if r.differs and r.recorded is not None:
            yield r.indicator.name, f"第 {n} 行指标「{r.indicator.name}」", r.recorded, r.score


def _diff_text(what: str, rec: Recorded, computed: Decimal | None) -> tuple[str, Decimal | None]:
    if computed is None:
        return f"{what}自评 {_s(rec.score)} 分，规则得分待判断", None
    diff = fmt.q2(rec.score) - fmt.q2(computed)
    sign = "高" if diff > 0 else "低"
    return f"{what}自评 {_s(rec.score)} 分，规则得分 {_s(computed)} 分（自评{sign} {_s(abs(diff))} 分）", diff


@check(
    "recorded-differs-unexplained",
    Severity.WARNING,
    "自评得分与规则得分不一致且未说明理由",
    "The unit's recorded score differs from the rule score and no reason is given. Units may adjust "
    "scores by judgement, but must say why.",
)
def recorded_differs_unexplained(result: FormResult) -> list[Finding]:
    out = []
    for name, what, rec, computed in _differences(result):
        if not is_trivial(rec.reason):
            continue
        text, diff = _diff_text(what, rec, computed)
        out.append(_finding(result, "recorded-differs-unexplained", text + "，未说明理由", name, diff))
    return out


@check(
    "recorded-differs-explained",
    Severity.INFO,
    "自评得分与规则得分不一致（已说明理由）",
    "The unit's recorded score differs from the rule score and a reason is given: listed so the "
    "reviewer can weigh the reason.",
)
def recorded_differs_explained(result: FormResult) -> list[Finding]:
    out = []
    for name, what, rec, computed in _differences(result):
        if is_trivial(rec.reason):
            continue
        text, diff = _diff_text(what, rec, computed)
        reason = rec.reason.strip()
        if len(reason) > 60:
            reason = reason[:59] + "…"
        out.append(_finding(result, "recorded-differs-explained", f"{text}，理由：{reason}", name, diff))
    return out


@check(
    "recorded-above-weight",
    Severity.ERROR,
    "自评得分超过分值",
    "A recorded score (indicator or budget) is above the row's weight: arithmetically impossible.",
)
def recorded_above_weight(result: FormResult) -> list[Finding]:
    out = _wrap(result, "recorded-above-weight", ProblemCode.RECORDED_ABOVE_WEIGHT)
    br = result.budget
    if br.recorded is not None and br.recorded.score - br.weight > TOLERANCE:
        out.insert(
            0,
            _finding(
                result,
                "recorded-above-weight",
                f"预算执行自评得分 {_s(br.recorded.score)} 超过分值 {_w(br.weight)}",
                value=br.recorded.score - br.weight,
            ),
        )
    return out


passthrough(
    "recorded-total-sum",
    Severity.ERROR,
    "总分与各项得分之和不符",
    "The 总分 printed on the form is not the sum of the recorded row scores.",
    ProblemCode.RECORDED_TOTAL_SUM,
)


def _tier(r: IndicatorResult) -> Tier | None:
    """The qualitative tier the engine used for a row, or None for numeric / undecided rows."""
    t, a = r.target, r.actual
    if t is None or a is None or t.is_numeric or r.status is Status.JUDGEMENT:
        return None
    if a.kind is not CellKind.EMPTY and squash(t.raw) == squash(a.raw):
        return Tier.ACHIEVED
    if a.kind is CellKind.QUALITATIVE and a.tier is not None:
        return a.tier
    return None


@check(
    "qualitative-out-of-band",
    Severity.WARNING,
    "定性指标得分超出档次范围",
    "A qualitative row's recorded score lies outside the band of the tier the engine found "
    "(e.g. 部分达成 is 50–80% of the weight under hubei-2020, so 10 of 10 is out of band).",
)
def qualitative_out_of_band(result: FormResult) -> list[Finding]:
    out = []
    for n, r in _rows(result):
        tier = _tier(r)
        rec = r.recorded
        if tier is None or rec is None or r.weight <= 0 or rec.score - r.weight > TOLERANCE:
            continue  # above the weight is reported by recorded-above-weight
        band = result.rules.band(tier.value)
        low, high = r.weight * band.low, r.weight * band.high
        if low - rec.score > TOLERANCE or rec.score - high > TOLERANCE:
            out.append(
                _finding(
                    result,
                    "qualitative-out-of-band",
                    f"第 {n} 行指标「{r.indicator.name}」实际完成值「{r.indicator.actual}」属「{tier.label}」档，"
                    f"应得 {_s(low)}–{_s(high)} 分（分值 {_w(r.weight)} 的 "
                    f"{fmt.percent(band.low)}–{fmt.percent(band.high)}），自评 {_s(rec.score)} 分",
                    r.indicator.name,
                    rec.score,
                )
            )
    return out


# ------------------------------------------------------------------ budget


@check(
    "execution-over-100",
    Severity.WARNING,
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
    Severity.WARNING,
    "表中执行率与计算不符",
    "The 执行率 printed on the form differs from 执行数/预算数.",
    ProblemCode.BUDGET_RATE_MISMATCH,
)


passthrough(
    "rate-unreadable",
    Severity.INFO,
    "表中执行率无法识别",
    "The 执行率 printed on the form is not a percentage the engine can read; the computed rate is used.",
    ProblemCode.BUDGET_RATE_TEXT,
)


passthrough(
    "budget-invalid",
    Severity.ERROR,
    "预算数无效",
    "预算数 is zero or negative, so no 执行率 can be computed.",
    ProblemCode.BUDGET_INVALID,
)


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
    return [_finding(result, "no-cost-indicator", f"{len(result.indicators)} 项指标中没有成本指标")]


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
    return [_finding(result, "no-satisfaction-indicator", f"{len(result.indicators)} 项指标中没有满意度指标")]


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
    rows = result.indicators
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
    Severity.WARNING,
    "一级指标不在规则集中",
    "A row's 一级指标 is not one the rule set knows, so no weight can be allocated to it.",
    ProblemCode.UNKNOWN_LEVEL1,
)


passthrough(
    "header-missing",
    Severity.WARNING,
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
