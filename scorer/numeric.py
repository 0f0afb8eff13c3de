"""Numbers, ranks and dates against their targets: direction, units, and the formulas."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import lru_cache

from scorer import direction as directions
from scorer import explain, units
from scorer.approximate import approximate_doubt
from scorer.cell_values import DateValue
from scorer.cells import Cell, CellKind, Comparator, Tier
from scorer.direction import CatalogEntryLike, CatalogLike, Direction, DirectionChoice
from scorer.model import Indicator
from scorer.numbers import percent
from scorer.result import (
    Problem,
    ProblemCode,
    Status,
)
from scorer.row import COL_ACTUAL, ONE, ZERO, _Row, _tier_score
from scorer.vocabulary import vocabulary

_BY_COMPARATOR = {
    Comparator.GE: DirectionChoice(Direction.POSITIVE, "目标值比较符「≥」"),
    Comparator.GT: DirectionChoice(Direction.POSITIVE, "目标值比较符「>」"),
    Comparator.LE: DirectionChoice(Direction.REVERSE, "目标值比较符「≤」"),
    Comparator.LT: DirectionChoice(Direction.REVERSE, "目标值比较符「<」"),
    Comparator.EQ: DirectionChoice(Direction.EQUAL, "目标值比较符「=」"),
    Comparator.RANGE: DirectionChoice(Direction.EQUAL, "目标值为区间"),
}


@lru_cache(maxsize=65536)
def _catalog_entry(catalog: CatalogLike, name: str) -> CatalogEntryLike | None:
    return catalog.lookup(name)


def _numeric(d: DirectionChoice) -> DirectionChoice:
    """A qualitative catalog entry compared by numbers reads them as positive."""
    if d.value is Direction.QUALITATIVE:
        return DirectionChoice(Direction.POSITIVE, d.source + "（定性条目，数值按正向）")
    return d


@lru_cache(maxsize=65536)
def _resolved_direction(catalog: CatalogLike | None, name: str, level1: str, level2: str) -> DirectionChoice:
    return _numeric(directions.resolve(Indicator(level1, level2, name, "", ""), catalog))


def _implied_direction(ind: Indicator, catalog: CatalogLike | None) -> DirectionChoice:
    """The direction of a row whose target has no comparator; memoised (the catalog is read-only)."""
    try:
        return _resolved_direction(catalog, ind.name, ind.level1, ind.level2)  # type: ignore[arg-type]
    except TypeError:  # an unhashable catalog: resolve without the memo
        return _numeric(directions.resolve(ind, catalog))


def _direction_for(row: _Row, t: Cell) -> DirectionChoice:
    own = Direction.of(row.ind.direction)
    if own is not None:
        return DirectionChoice(own, "表中设定")
    return _BY_COMPARATOR.get(t.comparator) or _implied_direction(row.ind, row.ctx.catalog)


def _entry(row: _Row) -> CatalogEntryLike | None:
    catalog = row.ctx.catalog
    if catalog is None:
        return None
    try:
        return _catalog_entry(catalog, row.ind.name)  # type: ignore[arg-type]
    except TypeError:
        return catalog.lookup(row.ind.name)


def _bare_takes_scale(row: _Row, t: Cell, a: Cell) -> tuple[Decimal, Decimal]:
    """A bare number takes the other side's scale whole: ``=6万元`` against ``6`` is 6 万元, not 6 元."""
    assert t.value is not None and a.value is not None
    if t.scale and not a.scale and not a.unit:
        row.lines.append((explain.scale_one_side, "目标值", t.scale + t.unit, "实际完成值"))
        return t.value, a.value * t.scale_factor
    if a.scale and not t.scale and not t.unit:
        row.lines.append((explain.scale_one_side, "实际完成值", a.scale + a.unit, "目标值"))
        return t.value * a.scale_factor, a.value
    return t.value, a.value


def _bare_alternative(t: Cell, a: Cell) -> tuple[Cell, str, Decimal] | None:
    """When one side is a bare number read in the other side's 万/亿 or %: that side, the reading
    taken, and the factor the other reading (the number as written, or a fraction: 0.95 is 95%)
    would put on it."""
    for bare, other in ((a, t), (t, a)):
        if bare.unit or bare.scale:
            continue
        if other.scale:
            return bare, f"按{other.scale}{other.unit}", ONE / other.scale_factor
        if other.unit == "%":
            return bare, "按%", Decimal(100)
    return None


def _bare_doubt(t: Cell, a: Cell, A: Decimal, B: Decimal) -> str:
    """Why a bare number's reading in the other side's scale or % is not sure, or "": the other
    reading (as written, or as a fraction) lies at least as near the other side, as 12000 does to
    1.2万 and 0.95 to 90%. Which the unit meant is for a person."""
    alt = _bare_alternative(t, a)
    if alt is None or A <= 0 or B <= 0:
        return ""
    bare, taken, factor = alt
    A2, B2 = (A, B * factor) if bare is a else (A * factor, B)

    def far(x: Decimal, y: Decimal) -> Decimal:
        return max(x / y, y / x)

    if far(A, B) < far(A2, B2):
        return ""
    side = "实际完成值" if bare is a else "目标值"
    other = "一个小数（0.95 即 95%）" if factor == 100 else "原数"
    return f"{side}「{bare.text}」未写单位：{taken}读与按{other}读相差悬殊，后者更接近另一侧，无法确定"


def _note_doubt(a: Cell) -> str:
    """Why a bracketed note qualifies the actual's number (95%（未达标）), or "": it is for a person."""
    if not a.note:
        return ""
    vocab = vocabulary()
    words = (w for w in (*vocab.not_achieved, *vocab.partly) if len(w) > 1)  # 差 alone is in 误差, 偏差
    word = next((w for w in words if vocab.verdict_at(a.note, w) >= 0), "")
    return f"实际完成值「{a.raw.strip()}」的括注说「{word}」，数值之外另有保留" if word else ""


def _units(row: _Row, t: Cell, a: Cell) -> tuple[Decimal, Decimal] | None:
    """Target and actual magnitudes in one unit, or None if they cannot be compared."""
    assert t.value is not None and a.value is not None
    tu, au = t.unit, a.unit
    if tu == au and tu and t.scale == a.scale:  # the common case: the same registered unit on both sides
        row.unit = tu
        return t.value, a.value
    tv, av = _bare_takes_scale(row, t, a)
    if tu == au and tu:
        row.unit = tu
        return tv, av
    if not tu and not au:
        entry = _entry(row)
        if entry is not None and entry.unit and entry.unit not in ("元",) and not t.scale:
            row.unit = entry.unit
            row.lines.append((explain.unit_from_catalog, entry.name, entry.unit))
        return tv, av
    if not tu or not au:
        row.unit = tu or au
        row.lines.append((explain.unit_one_side, "目标值" if tu else "实际完成值", row.unit))
        return tv, av
    tunit, aunit = units.resolve(tu), units.resolve(au)
    row.unit = tu
    if not tunit.compatible(aunit):
        row.problems.append(
            Problem.of(
                ProblemCode.UNIT_MISMATCH,
                f"「{row.ind.name}」单位不可比：目标值「{tu}」（{tunit.kind}）与实际完成值「{au}」（{aunit.kind}）",
                row.ind.name,
                COL_ACTUAL,
                a.raw,
            )
        )
        return None
    factor = aunit.factor_to(tunit)
    if factor != ONE:
        row.lines.append((explain.unit_converted, a.value, au, factor, tu))
    return t.value, a.value * factor


def _bound_ok(row: _Row, a: Cell, direction: Direction, A: Decimal, B: Decimal) -> str | None:
    """An actual written with a comparator (>900人, ≤5%) stands for every value on its side of the
    number: decided only when all of them give the same answer, 达成; else the reason it is not."""
    c = a.comparator
    if c is Comparator.NONE or c is Comparator.EQ or a.approx:  # 1000余人: scorer/approximate.py decides
        return None
    lower = c in (Comparator.GE, Comparator.GT)
    side = "下限" if lower else "上限"
    useful = (direction is Direction.POSITIVE and lower) or (direction is Direction.REVERSE and not lower)
    if useful and (B >= A if lower else B <= A):
        row.lines.append((explain.bound_used, a.text, side, a.value or ZERO))
        return None
    if useful:  # >900人 against ≥1000人: 901 misses, 5000 meets
        return f"实际完成值「{a.text}」只给出{side}，是否达到目标值、差多少无法确定"
    label = row.direction.label if row.direction else ""
    return f"实际完成值「{a.text}」只给出{side}，无法判断是否达到{label}目标"


def _positive(row: _Row, A: Decimal, B: Decimal, u: str) -> tuple[Status, Decimal]:
    if B >= A:
        over = row.ctx.over
        if A > 0 and B / A >= over:
            row.over_ratio = B / A
            row.problems.append(
                Problem.of(
                    ProblemCode.OVER_COMPLETION,
                    f"「{row.ind.name}」实际完成值 {row.n(B)}{u} 为目标值 {row.n(A)}{u} 的 {percent(B / A)}，"
                    f"达到超额完成阈值 {percent(over)}，目标可能设置偏低，需说明",
                    row.ind.name,
                    COL_ACTUAL,
                )
            )
        return row.full((explain.compared, row.scale, B, "≥", A, u))
    if A <= 0:
        return row.partial(ZERO, (explain.nonpositive_target, row.scale, B, "<", A, "目标值非正，无法按比例计分"))
    f = row.ctx.formulas.positive
    return row.partial(
        f(row.weight, A, B), (explain.positive_formula, row.scale, row.weight, B, A), lambda: f(ONE, A, B)
    )


def _reverse(row: _Row, A: Decimal, B: Decimal, u: str) -> tuple[Status, Decimal]:
    if B <= A:
        return row.full((explain.compared, row.scale, B, "≤", A, u))
    if A <= 0:
        return row.partial(ZERO, (explain.nonpositive_target, row.scale, B, ">", A, "目标值为 0，超出即不得分"))
    f = row.ctx.formulas.reverse
    step = (explain.reverse_formula, row.scale, row.weight, A, B, row.ctx.linear_reverse)
    return row.partial(f(row.weight, A, B), step, lambda: f(ONE, A, B))


def _equal(row: _Row, A: Decimal, B: Decimal, u: str) -> tuple[Status, Decimal]:
    if B == A:
        return row.full((explain.compared, row.scale, B, "=", A, u))
    lo, hi = (A, B) if A < B else (B, A)
    if hi <= 0:
        return row.partial(ZERO, "偏离目标，无法按比例计分")
    f = row.ctx.formulas.equal
    return row.partial(
        f(row.weight, A, B), (explain.equal_formula, row.scale, row.weight, lo, hi), lambda: f(ONE, A, B)
    )


def _range(row: _Row, t: Cell, lo: Decimal, hi: Decimal, B: Decimal, u: str) -> tuple[Status, Decimal]:
    """Inside is 达成; below, the positive formula against the lower end; above, the reverse one
    against the upper end (every rule set names both). An excluded end met exactly is 达成 with
    the remark, as a one-sided ``>`` target is."""
    if (B == lo and t.low_open) or (B == hi and t.high_open):
        row.lines.append((explain.strict_equal, ">" if B == lo and t.low_open else "<"))
    if lo <= B <= hi:
        return row.full((explain.in_range, row.scale, B, lo, hi, u))
    if B < lo:
        return _positive(row, lo, B, u)
    return _reverse(row, hi, B, u)


def _impossible(row: _Row, A: Decimal, B: Decimal) -> str:
    """Why a target or actual cannot be true for its kind (an OCR'd "290%" satisfaction), or ""."""
    vocab = vocabulary()
    name = row.ind.name
    if row.unit in ("%", "百分比") and any(w in name for w in vocab.capped_at_100):
        for which, v in (("年初目标值", A), ("实际完成值", B)):
            if v > 100:
                return f"{which} {v}% 超过 100%，而「{name}」这类比率不可能超过 100%（可能是识读错误）"
    if A < 0 or B < 0:
        try:
            counting = bool(row.unit) and units.resolve(row.unit).kind.startswith("计数")
        except units.UnitError:
            counting = False
        if counting:
            return f"数量不可能为负数（{A if A < 0 else B}{row.unit}）"
    return ""


def _score_quantity(row: _Row, t: Cell, a: Cell) -> tuple[Status, Decimal | None]:
    d = _direction_for(row, t)
    row.direction = d
    row.lines.append((explain.direction, d.label, d.source))
    try:
        pair = _units(row, t, a)
    except units.UnitError as exc:
        return row.judgement(str(exc))
    if pair is None:
        return row.judgement(f"目标值单位「{t.unit}」与实际完成值单位「{a.unit}」不可比")
    A, B = pair
    doubt = _note_doubt(a) or _bare_doubt(t, a, A, B)
    if doubt:
        return row.judgement(doubt)
    impossible = _impossible(row, A, B)
    if impossible:
        row.lines.append(f"不予计分：{impossible}")
        row.problems.append(Problem.of(ProblemCode.IMPOSSIBLE_VALUE, f"「{row.ind.name}」{impossible}", row.ind.name))
        return Status.JUDGEMENT, None
    if t.scale and (a.scale in ("", t.scale)):
        row.scale = (t.scale, row.ctx.scales[t.scale])
    dv = d.value
    if a.comparator is not Comparator.NONE:
        why = _bound_ok(row, a, dv, A, B)
        if why:
            return row.judgement(why)
    if A == B and t.comparator in (Comparator.GT, Comparator.LT):
        row.lines.append((explain.strict_equal, t.comparator.symbol))
    u = row.unit
    if t.approx or a.approx:
        decided = approximate_doubt(row, t, a, A, B)
        if decided is not None:
            return decided
    if t.comparator is Comparator.RANGE:
        assert t.high is not None
        return _range(row, t, A, t.high * (A / t.value) if t.value else t.high, B, u)
    if dv is Direction.REVERSE:
        return _reverse(row, A, B, u)
    if dv is Direction.EQUAL:
        return _equal(row, A, B, u)
    return _positive(row, A, B, u)


def _score_rank(row: _Row, t: Cell, a: Cell) -> tuple[Status, Decimal | None]:
    row.direction = DirectionChoice(Direction.REVERSE, "名次越小越好")
    row.lines.append("方向：反向（名次越靠前越好）")
    if a.comparator in (Comparator.GE, Comparator.GT):
        return row.judgement(f"实际完成值「{a.text}」只给出名次下限")
    assert t.value is not None and a.value is not None
    if a.comparator in (Comparator.LE, Comparator.LT) and a.value > t.value:
        # 前15名 is somewhere from 1st to 15th: against 前10名 it may or may not be in time
        return row.judgement(
            f"实际完成值「{a.text}」只说明名次在前{a.value}名以内，无法判断是否达到目标值「{t.text}」；请写明实际名次"
        )
    return _reverse(row, t.value, a.value, "名")


def _span(d: DateValue, year: str, quarter: str, half: str, month: str) -> str:
    """What a day-less date names, in the caller's words: a year, a quarter, a half-year or a month."""
    return year if d.whole_year else {3: quarter, 6: half}.get(d.months, month)


def _score_date(row: _Row, t: Cell, a: Cell) -> tuple[Status, Decimal | None]:
    assert t.date is not None and a.date is not None
    row.direction = DirectionChoice(Direction.REVERSE, "完成时间越早越好")
    year = t.date.year or row.ctx.year  # a deadline without a year is in the form's year, not the actual's
    if year is None:
        if a.date.year is None:
            return row.judgement("日期未写年份，表中也没有年度")
        return row.judgement(f"目标值「{t.text}」未写年份，表中也没有年度，无法确定期限")
    deadline = t.date.resolve(year)
    done = a.date.resolve(a.date.year or year)
    if t.date.day is None:
        row.lines.append(
            f"「{t.text}」按{_span(t.date, '该年', '该季度', '该半年', '该月')}最后一天 {deadline.isoformat()} 理解"
        )
    if a.date.day is None and done > deadline:  # done some day of that month or year: in time? how late?
        span = _span(a.date, "年份", "季度", "半年", "月份")
        first = date(done.year, 1 if a.date.whole_year else done.month - a.date.months + 1, 1)
        if first <= deadline:
            return row.judgement(
                f"实际完成值「{a.text}」只写到{span}，无法判断是否在期限 {deadline.isoformat()} 前完成"
            )
        return row.judgement(f"实际完成值「{a.text}」晚于期限 {deadline.isoformat()}，但只写到{span}，逾期多少无法计算")
    if done <= deadline:
        return row.full(f"完成日期 {done.isoformat()} 不晚于期限 {deadline.isoformat()}，达成")
    start = date(deadline.year, 1, 1)
    A = Decimal((deadline - start).days + 1)
    B = Decimal((done - start).days + 1)
    row.lines.append(f"逾期 {(done - deadline).days} 天；按自 {start.isoformat()} 起的天数计：期限 {A} 天，实际 {B} 天")
    return _reverse(row, A, B, "天")


def _whole(row: _Row, t: Cell) -> bool:
    """The target is the whole of something: exactly 100%, alone or with = / ≥, on a row that is not
    read as lower-is-better (a 差错率 of 100% is no target to complete)."""
    return (
        t.kind is CellKind.QUANTITY
        and t.unit == "%"
        and t.value == 100
        and not t.scale
        and not t.approx
        and t.comparator in (Comparator.NONE, Comparator.EQ, Comparator.GE)
        and _direction_for(row, t).value is not Direction.REVERSE
    )


def _score_numeric_target(row: _Row, t: Cell, a: Cell) -> tuple[Status, Decimal | None]:
    if a.kind is CellKind.QUALITATIVE and a.tier is not None:
        vocab = vocabulary()
        text = "" if a.note else "".join(a.text.split()).rstrip("。.")  # 完成（3户未入户）: more than the word
        for rule in vocab.satisfies:
            if rule.applies(a.word, row.ind.name, t.kind.value, text, rule.target_full and _whole(row, t)):
                return row.full((explain.satisfied, a.text, rule.reason))
        if a.tier is Tier.NOT_ACHIEVED:
            return _tier_score(row, a.tier, (explain.word_in_actual, a.text, a.word))
        return row.judgement(f"目标值「{t.text}」为数值，实际完成值「{a.text}」为定性表述，无法按数值计分")
    if a.kind is not t.kind:
        if a.kind is CellKind.TEXT and a.doubt:  # 3季度 against ≥3个季度
            return row.judgement(f"实际完成值「{a.text}」{a.doubt}，无法与目标值「{t.text}」比较")
        if a.kind is CellKind.TEXT:
            return row.judgement(f"实际完成值「{a.text}」不在词表中，无法与目标值「{t.text}」比较")
        return row.judgement(f"目标值「{t.text}」与实际完成值「{a.text}」类型不同，无法比较")
    if t.kind is CellKind.QUANTITY:
        return _score_quantity(row, t, a)
    if t.kind is CellKind.RANK:
        return _score_rank(row, t, a)
    return _score_date(row, t, a)
