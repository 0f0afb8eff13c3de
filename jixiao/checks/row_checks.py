"""Checks on a form's rows: weights, cells, deviation analysis, recorded scores (registered first)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from jixiao.checks.model import Finding, is_trivial, squash
from jixiao.checks.registry import (
    TOLERANCE,
    _empty,
    _explained,
    _finding,
    _has_deviation,
    _problems,
    _rows,
    _s,
    _w,
    _wrap,
    check,
    passthrough,
)
from scorer import numbers as fmt
from scorer.cells import CellKind, Tier
from scorer.model import Recorded
from scorer.result import SEVERITY, FormResult, IndicatorResult, ProblemCode, Severity, Status
from scorer.weights import told_by_children

# ----------------------------------------------------------------- weights


@check(
    "weights-total",
    SEVERITY[ProblemCode.WEIGHTS_TOTAL],
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
    "单元格无法识别",
    "A target or actual cell cannot be read at all (the engine's invalid-cell); the row scores 0.",
    ProblemCode.INVALID_CELL,
)


@check(
    "empty-cell",
    SEVERITY[ProblemCode.EMPTY_ACTUAL],
    "目标值或实际完成值未填",
    "An indicator's target (年初目标值) or actual (实际完成值) is empty, or the budget block lacks "
    "预算数/执行数. An empty actual scores 0 (待判断 when its 偏差原因 explains a shortfall); an empty "
    "target cannot be compared at all.",
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
    "目标值与实际完成值单位不可比",
    "Target and actual are written in units of different kinds (户 vs 万元); the engine refuses to "
    "compare them and the row cannot be scored.",
    ProblemCode.UNIT_MISMATCH,
)


@check(
    "needs-judgement",
    SEVERITY[ProblemCode.JUDGEMENT],
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
    "target-adjusted",
    Severity.WARNING,
    "采用了调整后目标值",
    "A row is scored against an adjusted target (调整后目标值) instead of its 年初目标值. An adjustment "
    "needs its reason (the row's deviation column or the form's analysis) and the reviewer's consent, "
    "so every one is shown; without a reason it is an error. An approved declaration's targets stay "
    "as approved; only this column changes.",
)
def target_adjusted(result: FormResult) -> list[Finding]:
    out = []
    for n, r in _rows(result):
        ind = r.indicator
        if not ind.adjusted_target.strip() or ind.adjusted_target.strip() == ind.target.strip():
            continue
        said = f"第 {n} 行指标「{ind.name}」按调整后目标值「{ind.adjusted_target}」评分（年初目标值「{ind.target}」）"
        if _has_deviation(result, r):
            out.append(_finding(result, "target-adjusted", f"{said}；调整须经审核同意", ind.name))
        else:
            out.append(
                _finding(result, "target-adjusted", f"{said}，未说明调整理由", ind.name, severity=Severity.ERROR)
            )
    return out


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
    SEVERITY[ProblemCode.OVER_COMPLETION],
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
    told = told_by_children(result) if any(r.weight_source == "children" for r in result.indicators) else set()
    for n, r in _rows(result):
        if r.differs and r.recorded is not None and n - 1 not in told:
            yield r.indicator.name, f"第 {n} 行指标「{r.indicator.name}」", r.recorded, r.score


def _diff_text(what: str, rec: Recorded, computed: Decimal | None) -> tuple[str, Decimal | None]:
    if computed is None:
        return f"{what}自评 {_s(rec.score)} 分，规则得分待判断", None
    diff = fmt.q2(rec.score) - fmt.q2(computed)
    sign = "高" if diff > 0 else "低"
    return f"{what}自评 {_s(rec.score)} 分，规则得分 {_s(computed)} 分（自评{sign} {_s(abs(diff))} 分）", diff


@check(
    "recorded-differs-unexplained",
    SEVERITY[ProblemCode.RECORDED_DIFFERS],
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
    SEVERITY[ProblemCode.RECORDED_ABOVE_WEIGHT],
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
    "family-sum",
    "父项与子项之和不符",
    "A parent row's printed weight or recorded score is not the sum of its sub-rows' (子项); the "
    "sub-rows count and the parent's own figure is dropped.",
    ProblemCode.FAMILY_SUM,
)


passthrough(
    "recorded-total-sum",
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
