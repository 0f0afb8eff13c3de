"""Score a form under a rule set, explaining every point.

The engine never guesses: where it cannot decide (unknown wording,
incompatible units, a bound pointing the wrong way) the indicator gets the
status ``judgement`` with the reason, and no computed score.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from scorer import explain
from scorer.budget import score_budget
from scorer.cells import _MEMO as _CELLS
from scorer.cells import Cell, CellKind, Comparator, Tier, read_cell
from scorer.direction import CatalogLike, Direction
from scorer.explain import Step
from scorer.model import Form, Indicator, Recorded
from scorer.numbers import percent, q2
from scorer.numbers import weight as fmt_weight
from scorer.numeric import _BY_COMPARATOR, _bare_doubt, _implied_direction, _score_numeric_target
from scorer.qualitative import _criteria_row, _score_criteria, _score_qualitative_target, printed_scale
from scorer.result import (
    BudgetResult,
    FormResult,
    IndicatorResult,
    LevelTotal,
    Problem,
    ProblemCode,
    Status,
)
from scorer.row import (
    _NUMERIC,
    _TIER_STATUS,
    COL_ACTUAL,
    COL_TARGET,
    ZERO,
    _Context,
    _context,
    _parse,
    _partly,
    _Row,
    _same_text,
    _tier_score,
)
from scorer.rules import RuleSet, rules_for
from scorer.vocabulary import level_key
from scorer.weights import _children, _family_result, allocate_weights, family_parents


def score_indicator(
    ind: Indicator,
    weight: Decimal,
    weight_source: str,
    rules: RuleSet,
    goal: int = 1,
    year: int | None = None,
    catalog: CatalogLike | None = None,
) -> IndicatorResult:
    return _score_indicator(ind, weight, weight_source, _Context(rules, catalog, year), goal)


# module constants: an Enum member looked up on its class costs a descriptor call in 3.11
_QUANTITY = CellKind.QUANTITY
_QUALITATIVE = CellKind.QUALITATIVE
_PLAIN = Comparator.NONE
_RANGE_CMP, _GT, _LT = Comparator.RANGE, Comparator.GT, Comparator.LT
_WORDS = frozenset((CellKind.LABEL, CellKind.DIRECTION, CellKind.QUALITATIVE, CellKind.TEXT))
_MET, _PARTLY, _MISSED, _JUDGEMENT = Status.MET, Status.PARTLY, Status.MISSED, Status.JUDGEMENT


def _new_result(fields: tuple[object, ...]) -> IndicatorResult:
    """Build the result tuple directly (the NamedTuple's own ``__new__`` is one more Python call)."""
    return tuple.__new__(IndicatorResult, fields)


def _score_indicator(ind: Indicator, weight: Decimal, weight_source: str, ctx: _Context, goal: int) -> IndicatorResult:
    """Score one row: the two commonest shapes directly, everything else the general way.

    Kept as one function although it is long: it runs once per row of every form, and each
    helper call it would make costs more than the work it saves (docs/performance.md).

    The direct path handles a plain number against a number in the same unit, and a
    tier word against a worded target, when nothing needs a remark (no over-completion,
    no recorded score that differs). It returns exactly what ``_score_general`` would
    (tests compare the two on every generated and sample row); it only skips the
    scratch state and the detours, which is most of the time at a province's scale.
    """
    if not weight or ind.adjusted_target or ind.direction or type(ind.target) is not str or type(ind.actual) is not str:
        return _score_general(ind, weight, weight_source, ctx, goal)  # (no weight: the status needs the share)
    t = _CELLS.get(ind.target) or read_cell(ind.target)  # the memo itself first: one lookup per cell
    a = _CELLS.get(ind.actual) or read_cell(ind.actual)
    if type(t) is not Cell or type(a) is not Cell:
        return _score_general(ind, weight, weight_source, ctx, goal)
    tk, ak = t.kind, a.kind
    tu, au = t.unit, a.unit
    if (
        tk is _QUANTITY
        and ak is _QUANTITY
        and a.comparator is _PLAIN
        and not a.note
        and not t.approx  # 1000余人, 约1000人: the general path says what an estimate decides
        and not a.approx  # 95%（未达标）: the general path reads the note
        and t.scale == a.scale  # a bare number takes the other side's 万/亿: the general path says so
        and (tu == au and tu or bool(tu) != bool(au))
    ):
        tc = t.comparator
        d = _BY_COMPARATOR.get(tc) or _implied_direction(ind, ctx.catalog)
        A, B = t.value, a.value
        if tc is _RANGE_CMP or A is None or B is None or A <= 0 or B < 0:
            return _score_general(ind, weight, weight_source, ctx, goal)
        if (A > 100 or B > 100) and (tu == "%" or au == "%"):  # maybe impossible: the general path checks
            return _score_general(ind, weight, weight_source, ctx, goal)
        if tu != au and (tu == "%" or au == "%") and _bare_doubt(t, a, A, B):  # 0.95 against 90%
            return _score_general(ind, weight, weight_source, ctx, goal)
        if A == B and (tc is _GT or tc is _LT):
            return _score_general(ind, weight, weight_source, ctx, goal)
        scale: explain.Scale = None
        if t.scale and (a.scale == "" or a.scale == t.scale):
            scale = (t.scale, ctx.scales[t.scale])
        u = tu or au
        dv = d.value
        w = weight
        step: Step
        if dv is Direction.REVERSE:
            if B <= A:
                status, score, step = _MET, w, (explain.full, (explain.compared, scale, B, "≤", A, u), w)
            else:
                status, score = _partly(ctx.formulas.reverse(w, A, B), w)
                step = (explain.partial, (explain.reverse_formula, scale, w, A, B, ctx.linear_reverse), score)
        elif dv is Direction.EQUAL:
            if B == A:
                status, score, step = _MET, w, (explain.full, (explain.compared, scale, B, "=", A, u), w)
            else:
                lo, hi = (A, B) if A < B else (B, A)
                status, score = _partly(ctx.formulas.equal(w, A, B), w)
                step = (explain.partial, (explain.equal_formula, scale, w, lo, hi), score)
        else:
            if B >= A:
                if B / A >= ctx.over:  # over-completion: the general path writes the remark
                    return _score_general(ind, weight, weight_source, ctx, goal)
                status, score, step = _MET, w, (explain.full, (explain.compared, scale, B, "≥", A, u), w)
            else:
                status, score = _partly(ctx.formulas.positive(w, A, B), w)
                step = (explain.partial, (explain.positive_formula, scale, w, B, A), score)
        rec = ind.recorded
        if rec is not None and (rec.score > w or (rec.score != score and q2(rec.score) != q2(score))):
            return _score_general(ind, weight, weight_source, ctx, goal)
        head = (explain.direction, dv.label, d.source)
        if tu == au:
            trace: tuple[Step, ...] = (head, step)
        else:  # one side without a unit: read in the other side's
            trace = (head, (explain.unit_one_side, "目标值" if tu else "实际完成值", u), step)
        return _new_result((ind, goal, status, w, weight_source, score, dv, d.source, t, a, u, trace, (), None))
    if tk in _WORDS and ak is _QUALITATIVE and a.tier is not None and not printed_scale(t.text):
        why: Step
        if _same_text(t, a):
            tier, why = Tier.ACHIEVED, (explain.same_as_target, t.text)
        else:
            tier, why = a.tier, (explain.qualitative_why, tk.value, t.text, a.text, a.word)
        band, default = ctx.bands[tier.value]
        score = weight * default
        rec = ind.recorded
        if rec is not None and (rec.score > weight or (rec.score != score and q2(rec.score) != q2(score))):
            return _score_general(ind, weight, weight_source, ctx, goal)
        return _new_result(
            (
                ind,
                goal,
                _TIER_STATUS[tier],
                weight,
                weight_source,
                score,
                Direction.QUALITATIVE,
                "",
                t,
                a,
                tu or au,
                ((explain.tier, why, tier.label, band.low, band.high, band.position, default, weight),),
                (),
                None,
            )
        )
    return _score_general(ind, weight, weight_source, ctx, goal)


def _score_general(ind: Indicator, weight: Decimal, weight_source: str, ctx: _Context, goal: int) -> IndicatorResult:
    row = _Row(ind, weight, ctx)
    if ind.direction and Direction.of(ind.direction) is None:
        _unknown_direction(row)
    target_text = ind.adjusted_target or ind.target
    if ind.adjusted_target:
        row.lines.append((explain.adjusted_target, ind.adjusted_target, ind.target))
    t = _parse(row, target_text, COL_TARGET)
    a = _parse(row, ind.actual, COL_ACTUAL)
    status, score = _score_cells(row, t, a)
    if ind.recorded is not None:
        _compare_recorded(row, ind.recorded, score, weight)
    d = row.direction
    return IndicatorResult(
        ind,
        goal,
        status,
        weight,
        weight_source,
        score,
        d.value if d else (Direction.QUALITATIVE if t is not None and t.kind not in _NUMERIC else ""),
        d.source if d else "",
        t,
        a,
        row.unit or (t.unit if t else "") or (a.unit if a else ""),
        tuple(row.lines),
        tuple(row.problems) if row.problems else (),
        row.over_ratio,
    )


def _unknown_direction(row: _Row) -> None:
    """A direction word that is none of ours (written past the readers, e.g. straight into the
    database) is not evidence: said as an invalid cell, and the row's direction comes from the rest."""
    word = row.ind.direction
    labels = " / ".join(d.label for d in Direction)
    row.problems.append(
        Problem.of(
            ProblemCode.INVALID_CELL,
            f"「{row.ind.name}」指标方向「{word}」无效：不作依据；应为 {labels}，或留空",
            row.ind.name,
            "指标方向",
            word,
        )
    )


def _score_cells(row: _Row, t: Cell | None, a: Cell | None) -> tuple[Status, Decimal | None]:
    """Which reading applies to the two cells, in order; each one writes its own trace."""
    ind = row.ind
    if t is None or a is None:
        row.lines.append("单元格无效，计 0 分")
        return Status.INVALID, ZERO
    if a.kind is CellKind.EMPTY and t.kind is CellKind.EMPTY and _criteria_row(ind):
        return row.judgement(f"「{ind.level1}」类指标按评价标准打分，表上没有目标值与实际完成值：请人工评分")
    if a.kind is CellKind.EMPTY:
        row.problems.append(
            Problem.of(ProblemCode.EMPTY_ACTUAL, f"「{ind.name}」实际完成值未填报", ind.name, COL_ACTUAL)
        )
        said = _said_deviation(ind.deviation)
        if said and t.kind is not CellKind.EMPTY:  # the unit explained a shortfall: not a row left unfilled
            return row.judgement(f"实际完成值未填报，但偏差原因写了「{said}」：完成到什么程度须人工判断")
        row.lines.append("实际完成值未填报，计 0 分")
        return Status.EMPTY, ZERO
    if _criteria_row(ind) and t.kind not in _NUMERIC and (t.kind is CellKind.EMPTY or a.kind is CellKind.TEXT):
        return _score_criteria(row, t, a)
    if t.kind is CellKind.EMPTY:
        return row.judgement("年初目标值为空，无从比较")
    if t.kind in _NUMERIC:
        return _score_numeric_target(row, t, a)
    if _same_text(t, a):
        return _tier_score(row, Tier.ACHIEVED, (explain.same_as_target, t.text))
    return _score_qualitative_target(row, t, a)


_NO_DEVIATION = frozenset(("", "-", "--", "/", "—", "——", "\\", "无", "无偏差", "没有偏差", "未偏差"))


def _said_deviation(text: str) -> str:
    """The 偏差原因 as written, or "" when it says nothing (blank, a dash, 无): a shortfall explained."""
    said = " ".join(text.split())
    return "" if "".join(said.split()).rstrip("。.") in _NO_DEVIATION else said


def _compare_recorded(row: _Row, rec: Recorded, score: Decimal | None, weight: Decimal) -> None:
    """The unit's own score beside the rule score: a difference needs a reason, and never above the weight."""
    ind = row.ind
    if score is None or q2(rec.score) != q2(score):
        computed = "待判断" if score is None else str(q2(score))
        if rec.reason:
            row.lines.append((explain.recorded_reason, rec.score, computed, rec.reason))
        else:
            row.lines.append((explain.recorded_unexplained, rec.score, computed))
            row.problems.append(
                Problem.of(
                    ProblemCode.RECORDED_DIFFERS,
                    f"「{ind.name}」自评得分 {q2(rec.score)} 与规则得分 {computed} 不一致，且未说明理由",
                    ind.name,
                    "得分",
                )
            )
    if rec.score > weight:
        row.problems.append(
            Problem.of(
                ProblemCode.RECORDED_ABOVE_WEIGHT,
                f"「{ind.name}」自评得分 {q2(rec.score)} 超过分值 {fmt_weight(weight)}",
                ind.name,
                "得分",
            )
        )


# -------------------------------------------------------------------- form


class _Tally:
    """The sums one pass over a form's rows gathers (a plain slots class: it is built per form)."""

    __slots__ = ("weight_sum", "score_sum", "rec_all", "rec_rows", "pending", "groups")

    def __init__(self, rec_all: bool) -> None:
        self.weight_sum = ZERO
        self.score_sum = ZERO
        self.rec_all = rec_all
        self.rec_rows = ZERO  # summed apart, then added to the budget's, as the totals always were
        self.pending = 0
        self.groups: dict[str, list[Any]] = {}  # 一级 key -> [name, weight, computed, recorded], in order


def _score_rows(form: Form, weights: list[tuple[Decimal, str]], ctx: _Context, tally: _Tally) -> list[IndicatorResult]:
    """Every row scored, in form order; a parent's result is rebuilt from its sub-rows at the end."""
    results: list[IndicatorResult] = []
    append = results.append
    i = 0
    groups = tally.groups
    kids = _children(family_parents(form)) if any(ind.sub for g in form.goals for ind in g.indicators) else {}
    for gi, goal in enumerate(form.goals, 1):
        for ind in goal.indicators:
            w, src = weights[i]
            r = _score_indicator(ind, w, src, ctx, gi)
            append(r)
            i += 1
            if i - 1 in kids:  # a parent: its sub-rows carry the weight and the score
                continue
            score = r.score
            rec = ind.recorded
            tally.weight_sum += w
            key = level_key(ind.level1)
            g = groups.get(key)
            if g is None:
                g = groups[key] = [ind.level1 or "（未填一级指标）", ZERO, ZERO, None]
            g[1] += w
            if score is not None:
                tally.score_sum += score
                g[2] += score
            elif r.status is _JUDGEMENT:
                tally.pending += 1
            if rec is None:
                tally.rec_all = False
            else:
                tally.rec_rows += rec.score
                g[3] = (ZERO if g[3] is None else g[3]) + rec.score
    for p, cs in kids.items():
        results[p] = _family_result(results[p], [results[c] for c in cs])
    return results


def _capped(rs: RuleSet, rate: Decimal | None, total: Decimal) -> tuple[Decimal, str]:
    """The total under the rule set's budget caps, and the note that says so when one applied."""
    if rate is not None:
        for cap in rs.budget_caps:
            if cap.rate_at_least <= rate < cap.rate_below and total > cap.max_total:
                note = (
                    f"执行率 {percent(rate)} 在 {percent(cap.rate_at_least)}–{percent(cap.rate_below)} 之间，"
                    f"总分由 {total} 封顶为 {q2(cap.max_total)}"
                )
                return q2(cap.max_total), note
    return total, ""


def _recorded_total(form: Form, rec_all: bool, rec_sum: Decimal, problems: list[Problem]) -> tuple[Decimal | None, str]:
    """The unit's total and where it comes from: the form's 总分, else the sum of every recorded score."""
    if form.total_recorded is not None:
        if rec_all and q2(rec_sum) != q2(form.total_recorded):
            problems.append(
                Problem.of(
                    ProblemCode.RECORDED_TOTAL_SUM,
                    f"表中总分 {q2(form.total_recorded)} 与各项自评得分之和 {q2(rec_sum)} 不符；"
                    "提交前须更正总分或各项得分（或清空总分，由各项之和给出）",
                    column="总分",
                )
            )
        return form.total_recorded, "form"
    if rec_all:
        return rec_sum, "sum"
    return None, ""


def score_form(form: Form, rules: RuleSet | None = None, catalog: CatalogLike | None = None) -> FormResult:
    """Score a whole form; ``rules`` defaults to the form's own rule set.

    The core is given its catalog (the adapters pass the built-in one through
    ``jixiao.scoring``); without one, directions come from the cells, the name and the levels.
    """
    rs = rules_for(form, rules)
    budget, problems, rate = score_budget(form, rs)
    weights, wproblems, notes = allocate_weights(form, rs)
    problems.extend(wproblems)
    tally = _Tally(budget.recorded is not None)
    results = _score_rows(form, weights, _context(rs, catalog, form.year), tally)
    weight_total = budget.weight + tally.weight_sum
    # every row's weight printed (a parent's is its sub-rows': one without its own printed still counts)
    printed = all(src == "form" for (_, src), r in zip(weights, results, strict=True) if r.weight_source != "children")
    if printed and q2(weight_total) != q2(rs.total):
        problems.append(
            Problem.of(
                ProblemCode.WEIGHTS_TOTAL,
                f"分值合计 {fmt_weight(weight_total)} 与规则集「{rs.name}」的总分 {fmt_weight(rs.total)} 不符",
                column="分值",
            )
        )
    exact = (budget.score or ZERO) + tally.score_sum
    total, cap_note = _capped(rs, rate, q2(exact))
    if not form.project_name.strip():
        problems.append(
            Problem.of(
                ProblemCode.HEADER_MISSING,
                "表头「项目名称」未填写；请补填后再提交",
                column="项目名称",
            )
        )
    rec_all = tally.rec_all and bool(results)
    rec_sum = (budget.recorded.score if budget.recorded else ZERO) + tally.rec_rows
    total_recorded, source = _recorded_total(form, rec_all, rec_sum, problems)
    if tally.pending:
        notes.append(f"有 {tally.pending} 项指标待人工判断，未计入计算总分")
    return FormResult(
        form=form,
        rules=rs,
        budget=BudgetResult(
            budget.weight, budget.rate, budget.score, budget.recorded, budget.status, budget.trace + tuple(notes)
        )
        if notes
        else budget,
        indicators=tuple(results),
        levels=tuple(LevelTotal(*g) for g in tally.groups.values()),
        total_computed=total,
        total_exact=exact,
        total_recorded=total_recorded,
        recorded_source=source,
        grade=rs.grade_for(total),
        grade_recorded=rs.grade_for(q2(total_recorded)) if total_recorded is not None else None,
        cap_note=cap_note,
        problems=tuple(problems),
        recorded_sum=rec_sum if rec_all else None,
    )
