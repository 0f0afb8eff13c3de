"""Score a form under a rule set, explaining every point.

The engine never guesses: where it cannot decide (unknown wording,
incompatible units, a bound pointing the wrong way) the indicator gets the
status ``judgement`` with the reason, and no computed score.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from scorer import direction as directions
from scorer import units
from scorer.cells import Cell, CellError, CellKind, Comparator, Tier, parse_cell
from scorer.direction import CatalogLike, Direction
from scorer.model import Form, Indicator
from scorer.numbers import percent, plain, q2
from scorer.numbers import weight as fmt_weight
from scorer.result import (
    BudgetResult,
    FormResult,
    IndicatorResult,
    LevelTotal,
    Problem,
    Severity,
    Status,
)
from scorer.rules import RuleSet
from scorer.rules import load as load_rules
from scorer.vocabulary import level_key, vocabulary

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

COL_TARGET = "年初目标值"
COL_ACTUAL = "实际完成值"


def _s(value: Decimal) -> str:
    return plain(value, 4)


@dataclass
class _Row:
    """Mutable scratch state while one indicator is scored."""

    ind: Indicator
    weight: Decimal
    year: int | None
    catalog: CatalogLike | None
    rules: RuleSet
    lines: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    direction: Direction | None = None
    unit: str = ""
    over_ratio: Decimal | None = None
    scale: tuple[str, Decimal] | None = None  # show magnitudes as written (20万, not 200000)

    def n(self, value: Decimal) -> str:
        if self.scale is not None:
            word, factor = self.scale
            return f"{_s(value / factor)}{word}"
        return _s(value)

    def judgement(self, reason: str) -> tuple[Status, Decimal | None]:
        self.lines.append(f"需人工判断：{reason}")
        self.problems.append(
            Problem(Severity.WARNING, "judgement", f"「{self.ind.name}」需人工判断：{reason}", self.ind.name)
        )
        return Status.JUDGEMENT, None

    def full(self, why: str) -> tuple[Status, Decimal]:
        self.lines.append(f"{why}，得满分 {fmt_weight(self.weight)}")
        return Status.MET, self.weight

    def partial(self, score: Decimal, formula: str) -> tuple[Status, Decimal]:
        score = max(ZERO, min(self.weight, score))
        self.lines.append(f"{formula} = {_s(score)}，得 {q2(score)}")
        return (Status.PARTLY if score > 0 else Status.MISSED), score


# --------------------------------------------------------------- qualitative


def _tier_score(row: _Row, tier: Tier, why: str) -> tuple[Status, Decimal]:
    band = row.rules.band(tier.value)
    score = row.weight * band.default
    spot = {"top": "上限", "middle": "中点", "bottom": "下限"}[band.position]
    row.lines.append(
        f"{why}：属「{tier.label}」档（{_s(band.low * HUNDRED)}%–{_s(band.high * HUNDRED)}%），"
        f"默认取{spot} {_s(band.default * HUNDRED)}%，得 {fmt_weight(row.weight)} × {_s(band.default * HUNDRED)}% = {q2(score)}"
    )
    status = {Tier.ACHIEVED: Status.MET, Tier.PARTLY: Status.PARTLY, Tier.NOT_ACHIEVED: Status.MISSED}[tier]
    return status, score


def _score_qualitative_target(row: _Row, t: Cell, a: Cell) -> tuple[Status, Decimal | None]:
    if a.kind is CellKind.QUALITATIVE and a.tier is not None:
        what = {
            CellKind.LABEL: "定性指标",
            CellKind.DIRECTION: f"方向性目标「{t.text}」",
            CellKind.QUALITATIVE: f"定性目标「{t.text}」",
            CellKind.TEXT: f"描述性目标「{t.text}」",
        }[t.kind]
        return _tier_score(row, a.tier, f"{what}，实际完成值「{a.text}」含词表用语「{a.word}」")
    if a.kind is CellKind.TEXT:
        return row.judgement(f"实际完成值「{a.text}」不在定性词表中，无法判定档次")
    if a.kind in (CellKind.LABEL, CellKind.DIRECTION):
        return row.judgement(f"实际完成值「{a.text}」只是标签或方向，没有说明完成情况")
    return row.judgement(f"目标值「{t.text}」为定性表述，实际完成值「{a.text}」为数值，无法对应")


# ------------------------------------------------------------------ numeric


def _direction_for(row: _Row, t: Cell) -> Direction:
    if row.ind.direction:
        return Direction(row.ind.direction, "表中设定")
    if t.comparator in (Comparator.GE, Comparator.GT):
        return Direction("positive", f"目标值比较符「{t.comparator.symbol}」")
    if t.comparator in (Comparator.LE, Comparator.LT):
        return Direction("reverse", f"目标值比较符「{t.comparator.symbol}」")
    if t.comparator is Comparator.EQ:
        return Direction("equal", "目标值比较符「=」")
    if t.comparator is Comparator.RANGE:
        return Direction("equal", "目标值为区间")
    d = directions.resolve(row.ind, row.catalog)
    if d.value == "qualitative":
        return Direction("positive", d.source + "（定性条目，数值按正向）")
    return d


def _units(row: _Row, t: Cell, a: Cell) -> tuple[Decimal, Decimal] | None:
    """Target and actual magnitudes in one unit, or None if they cannot be compared."""
    assert t.value is not None and a.value is not None
    tu, au = t.unit, a.unit
    if not tu and not au:
        entry = row.catalog.lookup(row.ind.name) if row.catalog is not None else None
        if entry is not None and entry.unit and entry.unit not in ("元",) and not t.scale:
            row.unit = entry.unit
            row.lines.append(f"单位：两侧都未写单位，按指标库条目「{entry.name}」的默认单位「{entry.unit}」理解")
        return t.value, a.value
    if not tu or not au:
        row.unit = tu or au
        row.lines.append(f"单位：只有{'目标值' if tu else '实际完成值'}写了「{row.unit}」，另一侧按同一单位理解")
        return t.value, a.value
    tunit, aunit = units.resolve(tu), units.resolve(au)
    row.unit = tu
    if not tunit.compatible(aunit):
        row.problems.append(
            Problem(
                Severity.WARNING,
                "unit-mismatch",
                f"「{row.ind.name}」单位不可比：目标值「{tu}」（{tunit.kind}）与实际完成值「{au}」（{aunit.kind}）",
                row.ind.name,
                COL_ACTUAL,
                a.raw,
            )
        )
        return None
    factor = aunit.factor_to(tunit)
    if factor != ONE:
        row.lines.append(f"单位换算：{_s(a.value)}{au} = {_s(a.value * factor)}{tu}")
    return t.value, a.value * factor


def _bound_ok(row: _Row, a: Cell, direction: str) -> str | None:
    """An actual written with a comparator is the bound it states; refuse the useless side."""
    c = a.comparator
    if c in (Comparator.NONE, Comparator.EQ):
        return None
    if direction == "positive" and c in (Comparator.GE, Comparator.GT):
        row.lines.append(f"实际完成值「{a.text}」是下限，按 {_s(a.value or ZERO)} 计")
        return None
    if direction == "reverse" and c in (Comparator.LE, Comparator.LT):
        row.lines.append(f"实际完成值「{a.text}」是上限，按 {_s(a.value or ZERO)} 计")
        return None
    return f"实际完成值「{a.text}」只给出{'上限' if c in (Comparator.LE, Comparator.LT) else '下限'}，无法判断是否达到{row.direction.label if row.direction else ''}目标"


def _positive(row: _Row, A: Decimal, B: Decimal, u: str) -> tuple[Status, Decimal]:
    if B >= A:
        if A > 0 and B / A >= row.rules.over_completion:
            row.over_ratio = B / A
            row.problems.append(
                Problem(
                    Severity.WARNING,
                    "over-completion",
                    f"「{row.ind.name}」实际完成值 {row.n(B)}{u} 为目标值 {row.n(A)}{u} 的 {percent(B / A)}，"
                    f"达到超额完成阈值 {percent(row.rules.over_completion)}，目标可能设置偏低，需说明",
                    row.ind.name,
                    COL_ACTUAL,
                )
            )
        return row.full(f"{row.n(B)}{u} ≥ {row.n(A)}{u}，达成")
    if A <= 0:
        return row.partial(ZERO, f"{row.n(B)} < {row.n(A)}，目标值非正，无法按比例计分")
    return row.partial(row.weight * B / A, f"未达成，W × B / A = {fmt_weight(row.weight)} × {row.n(B)} / {row.n(A)}")


def _reverse(row: _Row, A: Decimal, B: Decimal, u: str) -> tuple[Status, Decimal]:
    if B <= A:
        return row.full(f"{row.n(B)}{u} ≤ {row.n(A)}{u}，达成")
    over = f"超出目标 {percent((B - A) / A)}，" if A > 0 else ""
    if A <= 0:
        return row.partial(ZERO, f"{row.n(B)} > {row.n(A)}，目标值为 0，超出即不得分")
    if row.rules.reverse_formula == "linear":
        return row.partial(
            row.weight * (ONE - (B - A) / A),
            f"{over}反向线性扣分，W × (1 − (B − A) / A) = {fmt_weight(row.weight)} × (1 − ({row.n(B)} − {row.n(A)}) / {row.n(A)})",
        )
    return row.partial(
        row.weight * A / B, f"{over}反向计分，W × A / B = {fmt_weight(row.weight)} × {row.n(A)} / {row.n(B)}"
    )


def _equal(row: _Row, A: Decimal, B: Decimal, u: str) -> tuple[Status, Decimal]:
    if B == A:
        return row.full(f"{row.n(B)}{u} = {row.n(A)}{u}，达成")
    lo, hi = min(A, B), max(A, B)
    if hi <= 0:
        return row.partial(ZERO, "偏离目标，无法按比例计分")
    return row.partial(
        row.weight * lo / hi, f"偏离目标值，W × 较小值 / 较大值 = {fmt_weight(row.weight)} × {row.n(lo)} / {row.n(hi)}"
    )


def _range(row: _Row, lo: Decimal, hi: Decimal, B: Decimal, u: str) -> tuple[Status, Decimal]:
    if lo <= B <= hi:
        return row.full(f"{row.n(B)}{u} 在区间 {row.n(lo)}–{row.n(hi)}{u} 内，达成")
    if B < lo:
        return _positive(row, lo, B, u)
    return _reverse(row, hi, B, u)


def _score_quantity(row: _Row, t: Cell, a: Cell) -> tuple[Status, Decimal | None]:
    d = _direction_for(row, t)
    row.direction = d
    row.lines.append(f"方向：{d.label}（依据：{d.source}）")
    try:
        pair = _units(row, t, a)
    except units.UnitError as exc:
        return row.judgement(str(exc))
    if pair is None:
        return row.judgement(f"目标值单位「{t.unit}」与实际完成值单位「{a.unit}」不可比")
    A, B = pair
    if t.scale and (a.scale in ("", t.scale)):
        row.scale = (t.scale, dict(vocabulary().scales)[t.scale])
    why = _bound_ok(row, a, "positive" if d.value == "positive" else "reverse" if d.value == "reverse" else "equal")
    if why:
        return row.judgement(why)
    if t.comparator in (Comparator.GT, Comparator.LT) and A == B:
        row.lines.append(f"目标为严格不等式「{t.comparator.symbol}」，实际值恰好等于目标值，按达成计")
    u = row.unit
    if t.comparator is Comparator.RANGE:
        assert t.high is not None
        hi = t.high
        return _range(row, A, hi, B, u)
    if d.value == "reverse":
        return _reverse(row, A, B, u)
    if d.value == "equal":
        return _equal(row, A, B, u)
    return _positive(row, A, B, u)


def _score_rank(row: _Row, t: Cell, a: Cell) -> tuple[Status, Decimal | None]:
    row.direction = Direction("reverse", "名次越小越好")
    row.lines.append("方向：反向（名次越靠前越好）")
    if a.comparator in (Comparator.GE, Comparator.GT):
        return row.judgement(f"实际完成值「{a.text}」只给出名次下限")
    assert t.value is not None and a.value is not None
    return _reverse(row, t.value, a.value, "名")


def _score_date(row: _Row, t: Cell, a: Cell) -> tuple[Status, Decimal | None]:
    assert t.date is not None and a.date is not None
    row.direction = Direction("reverse", "完成时间越早越好")
    year = t.date.year or a.date.year or row.year
    if year is None:
        return row.judgement("日期未写年份，表中也没有年度")
    deadline = t.date.resolve(year)
    done = a.date.resolve(year)
    if t.date.day is None:
        row.lines.append(f"「{t.text}」按该月最后一天 {deadline.isoformat()} 理解")
    if done <= deadline:
        return row.full(f"完成日期 {done.isoformat()} 不晚于期限 {deadline.isoformat()}，达成")
    start = date(deadline.year, 1, 1)
    A = Decimal((deadline - start).days + 1)
    B = Decimal((done - start).days + 1)
    row.lines.append(f"逾期 {(done - deadline).days} 天；按自 {start.isoformat()} 起的天数计：期限 {A} 天，实际 {B} 天")
    return _reverse(row, A, B, "天")


def _score_numeric_target(row: _Row, t: Cell, a: Cell) -> tuple[Status, Decimal | None]:
    if a.kind is CellKind.QUALITATIVE and a.tier is not None:
        vocab = vocabulary()
        for rule in vocab.satisfies:
            if rule.applies(a.word, row.ind.name, t.kind.value):
                return row.full(f"实际完成值「{a.text}」：{rule.reason}")
        if a.tier is Tier.NOT_ACHIEVED:
            return _tier_score(row, a.tier, f"实际完成值「{a.text}」含「{a.word}」")
        return row.judgement(f"目标值「{t.text}」为数值，实际完成值「{a.text}」为定性表述，无法按数值计分")
    if a.kind is not t.kind:
        if a.kind is CellKind.TEXT:
            return row.judgement(f"实际完成值「{a.text}」不在词表中，无法与目标值「{t.text}」比较")
        return row.judgement(f"目标值「{t.text}」与实际完成值「{a.text}」类型不同，无法比较")
    if t.kind is CellKind.RANK:
        return _score_rank(row, t, a)
    if t.kind is CellKind.DATE:
        return _score_date(row, t, a)
    return _score_quantity(row, t, a)


def _parse(row: _Row, text: str, column: str) -> Cell | None:
    try:
        return parse_cell(text)
    except CellError as exc:
        row.lines.append(f"{column}无效：{exc}")
        row.problems.append(
            Problem(
                Severity.ERROR,
                "invalid-cell",
                f"「{row.ind.name}」{column}「{text}」无效：{exc.reason}"
                + (f"；应为{exc.expected}" if exc.expected else ""),
                row.ind.name,
                column,
                text,
            )
        )
        return None


def _same_text(t: Cell, a: Cell) -> bool:
    return "".join(t.raw.split()) == "".join(a.raw.split())


def score_indicator(
    ind: Indicator,
    weight: Decimal,
    weight_source: str,
    rules: RuleSet,
    goal: int = 1,
    year: int | None = None,
    catalog: CatalogLike | None = None,
) -> IndicatorResult:
    row = _Row(ind, weight, year, catalog, rules)
    target_text = ind.adjusted_target or ind.target
    if ind.adjusted_target:
        row.lines.append(f"采用调整后目标值「{ind.adjusted_target}」（原目标值「{ind.target}」）")
    t = _parse(row, target_text, COL_TARGET)
    a = _parse(row, ind.actual, COL_ACTUAL)
    status: Status
    score: Decimal | None
    if t is None or a is None:
        status, score = Status.INVALID, ZERO
        row.lines.append("单元格无效，计 0 分")
    elif a.kind is CellKind.EMPTY:
        status, score = Status.EMPTY, ZERO
        row.lines.append("实际完成值未填报，计 0 分")
        row.problems.append(
            Problem(Severity.WARNING, "empty-actual", f"「{ind.name}」实际完成值未填报", ind.name, COL_ACTUAL)
        )
    elif t.kind is CellKind.EMPTY:
        status, score = row.judgement("年初目标值为空，无从比较")
    elif t.is_numeric:
        status, score = _score_numeric_target(row, t, a)
    elif _same_text(t, a):
        status, score = _tier_score(row, Tier.ACHIEVED, f"实际完成值与目标值「{t.text}」相同")
    else:
        status, score = _score_qualitative_target(row, t, a)
    if ind.recorded is not None:
        rec = ind.recorded
        if score is None or q2(rec.score) != q2(score):
            computed = "待判断" if score is None else str(q2(score))
            if rec.reason:
                row.lines.append(f"单位自评 {q2(rec.score)} 分（规则得分 {computed}），理由：{rec.reason}")
            else:
                row.lines.append(f"单位自评 {q2(rec.score)} 分，与规则得分 {computed} 不同，未说明理由")
                row.problems.append(
                    Problem(
                        Severity.WARNING,
                        "recorded-differs",
                        f"「{ind.name}」自评得分 {q2(rec.score)} 与规则得分 {computed} 不一致，且未说明理由",
                        ind.name,
                        "得分",
                    )
                )
        if rec.score > weight:
            row.problems.append(
                Problem(
                    Severity.WARNING,
                    "recorded-above-weight",
                    f"「{ind.name}」自评得分 {q2(rec.score)} 超过分值 {fmt_weight(weight)}",
                    ind.name,
                    "得分",
                )
            )
    d = row.direction
    return IndicatorResult(
        indicator=ind,
        goal=goal,
        status=status,
        weight=weight,
        weight_source=weight_source,
        score=score,
        direction=d.value if d else ("qualitative" if t is not None and not t.is_numeric else ""),
        direction_source=d.source if d else "",
        target=t,
        actual=a,
        unit=row.unit or (t.unit if t else "") or (a.unit if a else ""),
        explanation=tuple(row.lines),
        problems=tuple(row.problems),
        over_ratio=row.over_ratio,
    )


# ------------------------------------------------------------------ weights


def _split(pool: Decimal, given: list[Decimal | None]) -> tuple[list[Decimal], bool]:
    """Spread what the pool has left equally over the rows without a weight."""
    fixed = sum((w for w in given if w is not None), ZERO)
    missing = sum(1 for w in given if w is None)
    share = (pool - fixed) / missing if missing else ZERO
    ok = share >= 0
    share = max(share, ZERO)
    return [w if w is not None else share for w in given], ok


def allocate_weights(form: Form, rules: RuleSet) -> tuple[list[tuple[Decimal, str]], list[Problem], list[str]]:
    """Weights per indicator in form order, and where each came from."""
    inds = [(gi, ind) for gi, goal in enumerate(form.goals) for ind in goal.indicators]
    problems: list[Problem] = []
    notes: list[str] = []
    given = [ind.weight for _, ind in inds]
    if all(w is not None for w in given):
        return [(w, "form") for w in given if w is not None], problems, notes
    result: list[Decimal | None] = list(given)
    if rules.weight_mode == "goals":
        goal_pools, _ = _split(rules.indicators_total, [g.weight for g in form.goals])
        for gi, _goal in enumerate(form.goals):
            idx = [i for i, (g, _) in enumerate(inds) if g == gi]
            shares, ok = _split(goal_pools[gi], [given[i] for i in idx])
            if not ok:
                problems.append(
                    Problem(
                        Severity.WARNING,
                        "weights-exceed",
                        f"年度绩效目标 {gi + 1} 已列分值之和超过其分值 {fmt_weight(goal_pools[gi])}",
                    )
                )
            for i, s in zip(idx, shares, strict=True):
                result[i] = s
        notes.append(
            f"未列分值的指标按规则集「{rules.name}」在各年度绩效目标内平均分配（指标合计 {fmt_weight(rules.indicators_total)} 分）"
        )
    else:
        alias = {level_key(k): level_key(v) for k, v in rules.level1_alias}
        pools = {level_key(k): v for k, v in rules.level1_weights}
        names = {level_key(k): k for k, v in rules.level1_weights}
        present = {alias.get(level_key(ind.level1), level_key(ind.level1)) for _, ind in inds}
        missing = [k for k in pools if k not in present]
        if missing and rules.missing_level1 == "redistribute":
            kept = sum((pools[k] for k in pools if k in present), ZERO)
            if kept > 0:
                scale = rules.indicators_total / kept
                notes.append(f"表中没有{'、'.join(names[k] for k in missing)}，其分值按比例并入其他一级指标")
                pools = {k: (v * scale if k in present else ZERO) for k, v in pools.items()}
        for key, pool in pools.items():
            idx = [
                i for i, (_, ind) in enumerate(inds) if alias.get(level_key(ind.level1), level_key(ind.level1)) == key
            ]
            if not idx:
                continue
            shares, ok = _split(pool, [given[i] for i in idx])
            if not ok:
                problems.append(
                    Problem(
                        Severity.WARNING, "weights-exceed", f"{names[key]}已列分值之和超过其分值 {fmt_weight(pool)}"
                    )
                )
            for i, s in zip(idx, shares, strict=True):
                result[i] = s
        for i, (_, ind) in enumerate(inds):
            if result[i] is None:
                result[i] = ZERO
                problems.append(
                    Problem(
                        Severity.WARNING,
                        "unknown-level1",
                        f"「{ind.name}」的一级指标「{ind.level1}」不在规则集「{rules.name}」中，无法分配分值",
                        ind.name,
                        "一级指标",
                    )
                )
        notes.append(f"未列分值的指标按规则集「{rules.name}」在一级指标内平均分配")
    out = [
        (w if w is not None else ZERO, "form" if given[i] is not None else "allocated") for i, w in enumerate(result)
    ]
    return out, problems, notes


# ------------------------------------------------------------------- budget


def _rate_text(text: str) -> Decimal | None:
    try:
        cell = parse_cell(text)
    except CellError:
        return None
    if cell.kind is CellKind.QUANTITY and cell.unit == "%" and cell.value is not None:
        return cell.value / HUNDRED
    return None


def score_budget(form: Form, rules: RuleSet) -> tuple[BudgetResult, list[Problem], Decimal | None]:
    b = form.budget
    w = b.weight if b.weight is not None else rules.budget_weight
    problems: list[Problem] = []
    lines: list[str] = []
    if b.planned is None or b.executed is None:
        lines.append("预算数或执行数未填报，预算执行得 0 分")
        problems.append(
            Problem(Severity.WARNING, "budget-missing", "预算执行情况缺少预算数或执行数", column="预算执行情况")
        )
        return BudgetResult(w, None, ZERO, b.recorded, Status.EMPTY, tuple(lines)), problems, None
    if b.planned <= 0:
        lines.append(f"预算数为 {b.planned}，无法计算执行率")
        problems.append(
            Problem(
                Severity.ERROR, "budget-invalid", f"预算数 {b.planned} 不是正数", column="预算数", text=str(b.planned)
            )
        )
        return BudgetResult(w, None, ZERO, b.recorded, Status.INVALID, tuple(lines)), problems, None
    rate = b.executed / b.planned
    raw = w * rate
    score = min(w, q2(raw))
    lines.append(f"执行率 = 执行数 / 预算数 = {plain(b.executed)} / {plain(b.planned)} = {percent(rate)}")
    if rate > 1:
        lines.append(f"执行率超过 100%，得分以分值 {fmt_weight(w)} 封顶")
        problems.append(
            Problem(
                Severity.WARNING,
                "budget-over-100",
                f"执行率 {percent(rate)} 超过 100%（执行数 {plain(b.executed)} 万元 > 预算数 {plain(b.planned)} 万元）",
                column="执行率",
            )
        )
    else:
        lines.append(f"得分 = 分值 × 执行率 = {fmt_weight(w)} × {percent(rate)} = {q2(raw)}")
    published = _rate_text(b.rate_text) if b.rate_text else None
    if b.rate_text and published is None:
        problems.append(
            Problem(
                Severity.INFO,
                "budget-rate-text",
                f"表中执行率「{b.rate_text}」无法识别",
                column="执行率",
                text=b.rate_text,
            )
        )
    elif published is not None and abs(published - rate) > Decimal("0.0005"):
        problems.append(
            Problem(
                Severity.WARNING,
                "budget-rate-mismatch",
                f"表中执行率「{b.rate_text}」与 执行数/预算数 = {percent(rate)} 不符",
                column="执行率",
                text=b.rate_text,
            )
        )
    status = Status.MET if rate >= 1 else Status.PARTLY if rate > 0 else Status.MISSED
    if b.recorded is not None and q2(b.recorded.score) != score:
        msg = f"单位自评 {q2(b.recorded.score)} 分（规则得分 {score}）"
        lines.append(msg + (f"，理由：{b.recorded.reason}" if b.recorded.reason else "，未说明理由"))
        if not b.recorded.reason:
            problems.append(
                Problem(Severity.WARNING, "recorded-differs", "预算执行" + msg + "，未说明理由", column="得分")
            )
    return BudgetResult(w, rate, score, b.recorded, status, tuple(lines)), problems, rate


# -------------------------------------------------------------------- form


def _sum(values: Iterable[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), ZERO)


class _Builtin:
    """Marker: use the built-in indicator catalog."""


BUILTIN = _Builtin()


def builtin_catalog() -> CatalogLike | None:
    try:
        from indicator_catalog import default_catalog
    except ImportError:  # pragma: no cover - the catalog ships with jixiao
        return None
    return default_catalog()  # type: ignore[return-value]


def score_form(
    form: Form, rules: RuleSet | None = None, catalog: CatalogLike | _Builtin | None = BUILTIN
) -> FormResult:
    """Score a whole form; ``rules`` defaults to the form's own rule set.

    ``catalog`` defaults to the built-in indicator catalog; pass None to score
    with keyword inference only.
    """
    rs = rules or load_rules(form.rules or "national-2020")
    if isinstance(catalog, _Builtin):
        catalog = builtin_catalog()
    budget, problems, rate = score_budget(form, rs)
    weights, wproblems, notes = allocate_weights(form, rs)
    problems.extend(wproblems)
    results: list[IndicatorResult] = []
    i = 0
    for gi, goal in enumerate(form.goals):
        for ind in goal.indicators:
            w, src = weights[i]
            i += 1
            results.append(score_indicator(ind, w, src, rs, gi + 1, form.year, catalog))
    weight_total = budget.weight + _sum(r.weight for r in results)
    if all(src == "form" for _, src in weights) and q2(weight_total) != q2(rs.total):
        problems.append(
            Problem(
                Severity.WARNING,
                "weights-total",
                f"分值合计 {fmt_weight(weight_total)} 与规则集「{rs.name}」的总分 {fmt_weight(rs.total)} 不符",
                column="分值",
            )
        )
    exact = (budget.score or ZERO) + _sum(r.score for r in results)
    total = q2(exact)
    cap_note = ""
    if rate is not None:
        for cap in rs.budget_caps:
            if cap.rate_at_least <= rate < cap.rate_below and total > cap.max_total:
                cap_note = (
                    f"执行率 {percent(rate)} 在 {percent(cap.rate_at_least)}–{percent(cap.rate_below)} 之间，"
                    f"总分由 {total} 封顶为 {q2(cap.max_total)}"
                )
                total = q2(cap.max_total)
                break
    # recorded totals
    rec_rows = [r.indicator.recorded for r in results]
    rec_all = all(x is not None for x in rec_rows) and budget.recorded is not None and bool(results)
    rec_sum = (budget.recorded.score if budget.recorded else ZERO) + _sum(x.score for x in rec_rows if x is not None)
    total_recorded: Decimal | None
    if form.total_recorded is not None:
        total_recorded, source = form.total_recorded, "form"
        if rec_all and q2(rec_sum) != q2(form.total_recorded):
            problems.append(
                Problem(
                    Severity.WARNING,
                    "recorded-total-sum",
                    f"表中总分 {q2(form.total_recorded)} 与各项自评得分之和 {q2(rec_sum)} 不符",
                    column="总分",
                )
            )
    elif rec_all:
        total_recorded, source = rec_sum, "sum"
    else:
        total_recorded, source = None, ""
    levels = _levels(results)
    pending = sum(1 for r in results if r.status is Status.JUDGEMENT)
    if pending:
        notes.append(f"有 {pending} 项指标待人工判断，未计入计算总分")
    return FormResult(
        form=form,
        rules=rs,
        budget=BudgetResult(
            budget.weight, budget.rate, budget.score, budget.recorded, budget.status, budget.explanation + tuple(notes)
        ),
        indicators=tuple(results),
        levels=levels,
        total_computed=total,
        total_exact=exact,
        total_recorded=total_recorded,
        recorded_source=source,
        grade=rs.grade_for(total),
        grade_recorded=rs.grade_for(q2(total_recorded)) if total_recorded is not None else None,
        cap_note=cap_note,
        problems=tuple(problems),
    )


def _levels(results: list[IndicatorResult]) -> tuple[LevelTotal, ...]:
    order: list[str] = []
    groups: dict[str, list[IndicatorResult]] = {}
    for r in results:
        key = level_key(r.indicator.level1)
        if key not in groups:
            order.append(key)
            groups[key] = []
        groups[key].append(r)
    out = []
    for key in order:
        rows = groups[key]
        recs = [r.indicator.recorded for r in rows]
        out.append(
            LevelTotal(
                level1=rows[0].indicator.level1 or "（未填一级指标）",
                weight=_sum(r.weight for r in rows),
                computed=_sum(r.score for r in rows),
                recorded=_sum(x.score for x in recs if x is not None) if any(x is not None for x in recs) else None,
            )
        )
    return tuple(out)
