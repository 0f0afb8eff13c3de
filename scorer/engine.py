"""Score a form under a rule set, explaining every point.

The engine never guesses: where it cannot decide (unknown wording,
incompatible units, a bound pointing the wrong way) the indicator gets the
status ``judgement`` with the reason, and no computed score.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from typing import Any, TypeVar

from scorer import direction as directions
from scorer import explain, units
from scorer.cells import _MEMO as _CELLS
from scorer.cells import Cell, CellError, CellKind, Comparator, Tier, read_cell
from scorer.direction import DIRECTION_LABELS, CatalogEntryLike, CatalogLike, Direction
from scorer.explain import Step
from scorer.model import Form, Indicator
from scorer.numbers import percent, plain, q2
from scorer.numbers import weight as fmt_weight
from scorer.result import (
    BudgetResult,
    FormResult,
    IndicatorResult,
    LevelTotal,
    Problem,
    ProblemCode,
    Severity,
    Status,
)
from scorer.rules import RuleSet, rules_name_for
from scorer.rules import load as load_rules
from scorer.statements import Answer, answer, compliance, is_question
from scorer.vocabulary import level_key, vocabulary

T = TypeVar("T")
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

COL_TARGET = "年初目标值"
COL_ACTUAL = "实际完成值"


class _Context:
    """What stays fixed while one form is scored: looked up once, not per indicator."""

    __slots__ = ("rules", "catalog", "year", "bands", "over", "linear_reverse", "scales")

    def __init__(self, rules: RuleSet, catalog: CatalogLike | None, year: int | None) -> None:
        self.rules = rules
        self.catalog = catalog
        self.year = year
        self.bands = {tier: (band, band.default) for tier, band in rules.bands}
        self.over = rules.over_completion
        self.linear_reverse = rules.reverse_formula == "linear"
        self.scales = dict(vocabulary().scales)


_BUILT: dict[tuple[Any, ...], tuple[tuple[object, ...], Any]] = {}


def _built_once(kind: str, owners: tuple[object, ...], extra: tuple[Any, ...], build: Callable[[], T]) -> T:
    """What ``build`` makes from read-only ``owners`` (rule sets, catalogs), made once per owner.

    Keyed by identity: hashing a RuleSet costs more than the work saved. The entry keeps
    its owners alive, so an id is never reused while it is cached; bounded, cleared when full.
    """
    key = (kind, *map(id, owners), *extra)
    hit = _BUILT.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], owners, strict=True)):
        return hit[1]  # type: ignore[no-any-return]
    value = build()
    if len(_BUILT) >= 128:
        _BUILT.clear()
    _BUILT[key] = (owners, value)
    return value


def _context(rules: RuleSet, catalog: CatalogLike | None, year: int | None) -> _Context:
    return _built_once("context", (rules, catalog), (year,), lambda: _Context(rules, catalog, year))


class _Row:
    """Mutable scratch state while one indicator is scored (a plain slots class: built per row)."""

    __slots__ = ("ind", "weight", "ctx", "lines", "problems", "direction", "unit", "over_ratio", "scale")

    def __init__(self, ind: Indicator, weight: Decimal, ctx: _Context) -> None:
        self.ind = ind
        self.weight = weight
        self.ctx = ctx
        self.lines: list[Step] = []
        self.problems: list[Problem] = []
        self.direction: Direction | None = None
        self.unit = ""
        self.over_ratio: Decimal | None = None
        self.scale: explain.Scale = None

    def n(self, value: Decimal) -> str:
        return explain.num(self.scale, value)

    def judgement(self, reason: str) -> tuple[Status, Decimal | None]:
        self.lines.append(f"需人工判断：{reason}")
        self.problems.append(
            Problem(Severity.WARNING, ProblemCode.JUDGEMENT, f"「{self.ind.name}」需人工判断：{reason}", self.ind.name)
        )
        return Status.JUDGEMENT, None

    def full(self, why: Step) -> tuple[Status, Decimal]:
        self.lines.append((explain.full, why, self.weight))
        return Status.MET, self.weight

    def partial(self, score: Decimal, formula: Step) -> tuple[Status, Decimal]:
        status, score = _partly(score, self.weight)
        self.lines.append((explain.partial, formula, score))
        return status, score


def _partly(score: Decimal, weight: Decimal) -> tuple[Status, Decimal]:
    """A proportional score kept within 0..weight, as max(0, min(weight, score)) (an equal value
    gives weight or ZERO themselves), and whether anything was earned."""
    score = weight if score >= weight else score
    score = ZERO if score <= ZERO else score
    return (Status.PARTLY if score > 0 else Status.MISSED), score


# --------------------------------------------------------------- qualitative

_TIER_STATUS = {Tier.ACHIEVED: Status.MET, Tier.PARTLY: Status.PARTLY, Tier.NOT_ACHIEVED: Status.MISSED}


def _tier_score(row: _Row, tier: Tier, why: Step) -> tuple[Status, Decimal]:
    band, default = row.ctx.bands[tier.value]
    row.lines.append((explain.tier, why, tier.label, band.low, band.high, band.position, default, row.weight))
    return _TIER_STATUS[tier], row.weight * default


@cache
def printed_scale(text: str) -> tuple[str, ...]:
    """The grades of a scale printed in a target ("定性优良中低差" → 优, 良, 中, 低, 差), or ()."""
    body = re.sub(r"^(定性指标|定性)[:：]?", "", re.sub(r"[\s/、,，|；;]", "", text))
    grades: list[str] = []
    while body:
        word = next((g for g in vocabulary().scale_grades if body.startswith(g)), None)
        if word is None:
            return ()
        grades.append(word)
        body = body[len(word) :]
    return tuple(grades) if len(grades) >= 3 and len(set(grades)) == len(grades) else ()


def _scale_tier(scale: tuple[str, ...], grade: str) -> Tier:
    i = scale.index(grade)
    return Tier.ACHIEVED if i == 0 else Tier.NOT_ACHIEVED if i == len(scale) - 1 else Tier.PARTLY


def _score_qualitative_target(row: _Row, t: Cell, a: Cell) -> tuple[Status, Decimal | None]:
    scale = printed_scale(t.text)
    grade = re.sub(r"\s", "", a.text)
    if scale and grade in scale:
        why = f"目标值印出档次「{'/'.join(scale)}」，实际完成值「{grade}」为第 {scale.index(grade) + 1} 档"
        return _tier_score(row, _scale_tier(scale, grade), why)
    if a.kind is CellKind.QUALITATIVE and a.tier is not None:
        return _tier_score(row, a.tier, (explain.qualitative_why, t.kind.value, t.text, a.text, a.word))
    if a.kind is CellKind.TEXT and is_question(t.text):
        return _score_question(row, t, a)
    if a.kind is CellKind.TEXT:
        return row.judgement(f"实际完成值「{a.text}」不在定性词表中，无法判定档次")
    if a.kind in (CellKind.LABEL, CellKind.DIRECTION):
        return row.judgement(f"实际完成值「{a.text}」只是标签或方向，没有说明完成情况")
    if _complete_percent(a):  # 健全 → 100%: the standard met in full, as units write it
        return row.full(f"目标值「{t.text}」为定性表述，实际完成值「{a.text}」表示完全达到")
    return row.judgement(f"目标值「{t.text}」为定性表述，实际完成值「{a.text}」为数值，无法对应")


def _criteria_row(ind: Indicator) -> bool:
    return level_key(ind.level1) in vocabulary().criteria_level1


def _score_criteria(row: _Row, t: Cell, a: Cell) -> tuple[Status, Decimal | None]:
    """A 决策/过程/管理 row: its 情况说明 is read against the evaluation criteria, not a target."""
    head = f"「{row.ind.level1}」类指标按评价标准打分，情况说明「{a.text}」"
    if a.kind is CellKind.QUALITATIVE and a.tier is not None:
        return _tier_score(row, a.tier, f"{head}含词表用语「{a.word}」")
    word = compliance(a.text) if a.kind is CellKind.TEXT else None
    if word:
        return _tier_score(row, Tier.ACHIEVED, f"{head}写明「{word}」，视为符合标准")
    if t.kind is not CellKind.EMPTY:
        return _score_qualitative_target(row, t, a)
    if _complete_percent(a):
        return row.full(f"{head}表示完全达到")
    return row.judgement(f"{head}未写明是否符合标准，请人工评分")


def _score_question(row: _Row, t: Cell, a: Cell) -> tuple[Status, Decimal | None]:
    """A target asked as a yes/no question ("是否利于…"): the actual is its answer."""
    said = answer(a.text)
    if said is None:
        return row.judgement(f"目标值「{t.text}」是问句，实际完成值「{a.text}」没有明确回答是或否")
    tier = Tier.ACHIEVED if said.answer is Answer.YES else Tier.NOT_ACHIEVED
    return _tier_score(row, tier, f"目标值「{t.text}」是问句，实际完成值「{a.text}」以「{said.word}」作答")


def _complete_percent(a: Cell) -> bool:
    """Exactly 100% with no comparator: the only number that says a qualitative standard was met."""
    return (
        a.kind is CellKind.QUANTITY
        and a.unit == "%"
        and a.value == 100
        and a.comparator in (Comparator.NONE, Comparator.EQ)
    )


# ------------------------------------------------------------------ numeric

_BY_COMPARATOR = {
    Comparator.GE: Direction("positive", "目标值比较符「≥」"),
    Comparator.GT: Direction("positive", "目标值比较符「>」"),
    Comparator.LE: Direction("reverse", "目标值比较符「≤」"),
    Comparator.LT: Direction("reverse", "目标值比较符「<」"),
    Comparator.EQ: Direction("equal", "目标值比较符「=」"),
    Comparator.RANGE: Direction("equal", "目标值为区间"),
}


@lru_cache(maxsize=65536)
def _catalog_entry(catalog: CatalogLike, name: str) -> CatalogEntryLike | None:
    return catalog.lookup(name)


def _numeric(d: Direction) -> Direction:
    """A qualitative catalog entry compared by numbers reads them as positive."""
    if d.value == "qualitative":
        return Direction("positive", d.source + "（定性条目，数值按正向）")
    return d


@lru_cache(maxsize=65536)
def _resolved_direction(catalog: CatalogLike | None, name: str, level1: str, level2: str) -> Direction:
    return _numeric(directions.resolve(Indicator(level1, level2, name, "", ""), catalog))


def _implied_direction(ind: Indicator, catalog: CatalogLike | None) -> Direction:
    """The direction of a row whose target has no comparator; memoised (the catalog is read-only)."""
    try:
        return _resolved_direction(catalog, ind.name, ind.level1, ind.level2)  # type: ignore[arg-type]
    except TypeError:  # an unhashable catalog: resolve without the memo
        return _numeric(directions.resolve(ind, catalog))


def _direction_for(row: _Row, t: Cell) -> Direction:
    if row.ind.direction:
        return Direction(row.ind.direction, "表中设定")
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
            Problem(
                Severity.WARNING,
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


def _bound_ok(row: _Row, a: Cell, direction: str) -> str | None:
    """An actual written with a comparator is the bound it states; refuse the useless side."""
    c = a.comparator
    if c is Comparator.NONE or c is Comparator.EQ:
        return None
    if direction == "positive" and c in (Comparator.GE, Comparator.GT):
        row.lines.append((explain.bound_used, a.text, "下限", a.value or ZERO))
        return None
    if direction == "reverse" and c in (Comparator.LE, Comparator.LT):
        row.lines.append((explain.bound_used, a.text, "上限", a.value or ZERO))
        return None
    return f"实际完成值「{a.text}」只给出{'上限' if c in (Comparator.LE, Comparator.LT) else '下限'}，无法判断是否达到{row.direction.label if row.direction else ''}目标"


def _positive(row: _Row, A: Decimal, B: Decimal, u: str) -> tuple[Status, Decimal]:
    if B >= A:
        over = row.ctx.over
        if A > 0 and B / A >= over:
            row.over_ratio = B / A
            row.problems.append(
                Problem(
                    Severity.WARNING,
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
    return row.partial(row.weight * B / A, (explain.positive_formula, row.scale, row.weight, B, A))


def _reverse(row: _Row, A: Decimal, B: Decimal, u: str) -> tuple[Status, Decimal]:
    if B <= A:
        return row.full((explain.compared, row.scale, B, "≤", A, u))
    if A <= 0:
        return row.partial(ZERO, (explain.nonpositive_target, row.scale, B, ">", A, "目标值为 0，超出即不得分"))
    linear = row.ctx.linear_reverse
    score = row.weight * (ONE - (B - A) / A) if linear else row.weight * A / B
    return row.partial(score, (explain.reverse_formula, row.scale, row.weight, A, B, linear))


def _equal(row: _Row, A: Decimal, B: Decimal, u: str) -> tuple[Status, Decimal]:
    if B == A:
        return row.full((explain.compared, row.scale, B, "=", A, u))
    lo, hi = (A, B) if A < B else (B, A)
    if hi <= 0:
        return row.partial(ZERO, "偏离目标，无法按比例计分")
    return row.partial(row.weight * lo / hi, (explain.equal_formula, row.scale, row.weight, lo, hi))


def _range(row: _Row, lo: Decimal, hi: Decimal, B: Decimal, u: str) -> tuple[Status, Decimal]:
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
    impossible = _impossible(row, A, B)
    if impossible:
        row.lines.append(f"不予计分：{impossible}")
        row.problems.append(
            Problem(Severity.WARNING, ProblemCode.IMPOSSIBLE_VALUE, f"「{row.ind.name}」{impossible}", row.ind.name)
        )
        return Status.JUDGEMENT, None
    if t.scale and (a.scale in ("", t.scale)):
        row.scale = (t.scale, row.ctx.scales[t.scale])
    dv = d.value
    if a.comparator is not Comparator.NONE:
        why = _bound_ok(row, a, dv if dv in ("positive", "reverse") else "equal")
        if why:
            return row.judgement(why)
    if A == B and t.comparator in (Comparator.GT, Comparator.LT):
        row.lines.append((explain.strict_equal, t.comparator.symbol))
    u = row.unit
    if t.comparator is Comparator.RANGE:
        assert t.high is not None
        return _range(row, A, t.high, B, u)
    if dv == "reverse":
        return _reverse(row, A, B, u)
    if dv == "equal":
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
    year = t.date.year or a.date.year or row.ctx.year
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
                return row.full((explain.satisfied, a.text, rule.reason))
        if a.tier is Tier.NOT_ACHIEVED:
            return _tier_score(row, a.tier, (explain.word_in_actual, a.text, a.word))
        return row.judgement(f"目标值「{t.text}」为数值，实际完成值「{a.text}」为定性表述，无法按数值计分")
    if a.kind is not t.kind:
        if a.kind is CellKind.TEXT:
            return row.judgement(f"实际完成值「{a.text}」不在词表中，无法与目标值「{t.text}」比较")
        return row.judgement(f"目标值「{t.text}」与实际完成值「{a.text}」类型不同，无法比较")
    if t.kind is CellKind.QUANTITY:
        return _score_quantity(row, t, a)
    if t.kind is CellKind.RANK:
        return _score_rank(row, t, a)
    return _score_date(row, t, a)


def _parse(row: _Row, text: str, column: str) -> Cell | None:
    cell = read_cell(text) if isinstance(text, str) else CellError(repr(text), "单元格应为文本")
    if type(cell) is Cell:
        return cell
    assert isinstance(cell, CellError)
    row.lines.append(f"{column}无效：{cell}")
    row.problems.append(
        Problem(
            Severity.ERROR,
            ProblemCode.INVALID_CELL,
            f"「{row.ind.name}」{column}「{text}」无效：{cell.reason}"
            + (f"；应为{cell.expected}" if cell.expected else ""),
            row.ind.name,
            column,
            text,
        )
    )
    return None


def _same_text(t: Cell, a: Cell) -> bool:
    return t.raw == a.raw or "".join(t.raw.split()) == "".join(a.raw.split())


_NUMERIC = frozenset((CellKind.QUANTITY, CellKind.RANK, CellKind.DATE))


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
    return tuple.__new__(IndicatorResult, fields)  # type: ignore[type-var, return-value]


def _score_indicator(ind: Indicator, weight: Decimal, weight_source: str, ctx: _Context, goal: int) -> IndicatorResult:
    """Score one row: the two commonest shapes directly, everything else the general way.

    The direct path handles a plain number against a number in the same unit, and a
    tier word against a worded target, when nothing needs a remark (no over-completion,
    no recorded score that differs). It returns exactly what ``_score_general`` would
    (tests compare the two on every generated and sample row); it only skips the
    scratch state and the detours, which is most of the time at a province's scale.
    """
    if ind.adjusted_target or ind.direction or type(ind.target) is not str or type(ind.actual) is not str:
        return _score_general(ind, weight, weight_source, ctx, goal)
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
        if A == B and (tc is _GT or tc is _LT):
            return _score_general(ind, weight, weight_source, ctx, goal)
        scale: explain.Scale = None
        if t.scale and (a.scale == "" or a.scale == t.scale):
            scale = (t.scale, ctx.scales[t.scale])
        u = tu or au
        dv = d.value
        w = weight
        step: Step
        if dv == "reverse":
            if B <= A:
                status, score, step = _MET, w, (explain.full, (explain.compared, scale, B, "≤", A, u), w)
            else:
                linear = ctx.linear_reverse
                status, score = _partly(w * (ONE - (B - A) / A) if linear else w * A / B, w)
                step = (explain.partial, (explain.reverse_formula, scale, w, A, B, linear), score)
        elif dv == "equal":
            if B == A:
                status, score, step = _MET, w, (explain.full, (explain.compared, scale, B, "=", A, u), w)
            else:
                lo, hi = (A, B) if A < B else (B, A)
                status, score = _partly(w * lo / hi, w)
                step = (explain.partial, (explain.equal_formula, scale, w, lo, hi), score)
        else:
            if B >= A:
                if B / A >= ctx.over:  # over-completion: the general path writes the remark
                    return _score_general(ind, weight, weight_source, ctx, goal)
                status, score, step = _MET, w, (explain.full, (explain.compared, scale, B, "≥", A, u), w)
            else:
                status, score = _partly(w * B / A, w)
                step = (explain.partial, (explain.positive_formula, scale, w, B, A), score)
        rec = ind.recorded
        if rec is not None and (rec.score > w or (rec.score != score and q2(rec.score) != q2(score))):
            return _score_general(ind, weight, weight_source, ctx, goal)
        head = (explain.direction, DIRECTION_LABELS.get(dv, dv), d.source)
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
                "qualitative",
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
    target_text = ind.adjusted_target or ind.target
    if ind.adjusted_target:
        row.lines.append((explain.adjusted_target, ind.adjusted_target, ind.target))
    t = _parse(row, target_text, COL_TARGET)
    a = _parse(row, ind.actual, COL_ACTUAL)
    status: Status
    score: Decimal | None
    if t is None or a is None:
        status, score = Status.INVALID, ZERO
        row.lines.append("单元格无效，计 0 分")
    elif a.kind is CellKind.EMPTY and t.kind is CellKind.EMPTY and _criteria_row(ind):
        status, score = row.judgement(f"「{ind.level1}」类指标按评价标准打分，表上没有目标值与实际完成值：请人工评分")
    elif a.kind is CellKind.EMPTY:
        status, score = Status.EMPTY, ZERO
        row.lines.append("实际完成值未填报，计 0 分")
        row.problems.append(
            Problem(Severity.WARNING, ProblemCode.EMPTY_ACTUAL, f"「{ind.name}」实际完成值未填报", ind.name, COL_ACTUAL)
        )
    elif _criteria_row(ind) and t.kind not in _NUMERIC and (t.kind is CellKind.EMPTY or a.kind is CellKind.TEXT):
        status, score = _score_criteria(row, t, a)
    elif t.kind is CellKind.EMPTY:
        status, score = row.judgement("年初目标值为空，无从比较")
    elif t.kind in _NUMERIC:
        status, score = _score_numeric_target(row, t, a)
    elif _same_text(t, a):
        status, score = _tier_score(row, Tier.ACHIEVED, (explain.same_as_target, t.text))
    else:
        status, score = _score_qualitative_target(row, t, a)
    rec = ind.recorded
    if rec is not None:
        if score is None or q2(rec.score) != q2(score):
            computed = "待判断" if score is None else str(q2(score))
            if rec.reason:
                row.lines.append((explain.recorded_reason, rec.score, computed, rec.reason))
            else:
                row.lines.append((explain.recorded_unexplained, rec.score, computed))
                row.problems.append(
                    Problem(
                        Severity.WARNING,
                        ProblemCode.RECORDED_DIFFERS,
                        f"「{ind.name}」自评得分 {q2(rec.score)} 与规则得分 {computed} 不一致，且未说明理由",
                        ind.name,
                        "得分",
                    )
                )
        if rec.score > weight:
            row.problems.append(
                Problem(
                    Severity.WARNING,
                    ProblemCode.RECORDED_ABOVE_WEIGHT,
                    f"「{ind.name}」自评得分 {q2(rec.score)} 超过分值 {fmt_weight(weight)}",
                    ind.name,
                    "得分",
                )
            )
    d = row.direction
    return IndicatorResult(
        ind,
        goal,
        status,
        weight,
        weight_source,
        score,
        d.value if d else ("qualitative" if t is not None and t.kind not in _NUMERIC else ""),
        d.source if d else "",
        t,
        a,
        row.unit or (t.unit if t else "") or (a.unit if a else ""),
        tuple(row.lines),
        tuple(row.problems) if row.problems else (),
        row.over_ratio,
    )


# ------------------------------------------------------------------ weights


def _split(pool: Decimal, given: list[Decimal | None]) -> tuple[list[Decimal], bool]:
    """Spread what the pool has left equally over the rows without a weight."""
    fixed = ZERO
    missing = 0
    for w in given:
        if w is None:
            missing += 1
        else:
            fixed += w
    share = (pool - fixed) / missing if missing else ZERO
    ok = share >= 0
    share = max(share, ZERO)
    return [w if w is not None else share for w in given], ok


def _level_tables(rules: RuleSet) -> tuple[dict[str, str], dict[str, Decimal], dict[str, str]]:
    """The rule set's 一级 aliases, pools and printed names by level key (read-only; built once)."""
    return _built_once(
        "levels",
        (rules,),
        (),
        lambda: (
            {level_key(k): level_key(v) for k, v in rules.level1_alias},
            {level_key(k): v for k, v in rules.level1_weights},
            {level_key(k): k for k, v in rules.level1_weights},
        ),
    )


def family_parents(form: Form) -> list[int | None]:
    """For each row in form order, the row of its parent when it is a sub-row (子项), else None.

    A sub-row belongs to the nearest row above it in the same goal that is not a sub-row; a
    sub-row with no such row is an ordinary row.
    """
    out: list[int | None] = []
    i = 0
    for goal in form.goals:
        head: int | None = None
        for ind in goal.indicators:
            if ind.sub and head is not None:
                out.append(head)
            else:
                out.append(None)
                head = i
            i += 1
    return out


def _children(parent_of: list[int | None]) -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for i, p in enumerate(parent_of):
        if p is not None:
            kids.setdefault(p, []).append(i)
    return kids


def _split_over_children(
    kids: dict[int, list[int]],
    given: list[Decimal | None],
    result: list[Decimal | None],
    inds: list[tuple[int, Indicator]],
    problems: list[Problem],
) -> None:
    """A parent's weight goes to its sub-rows: printed ones kept, the rest shared equally."""
    for p, cs in kids.items():
        whole = result[p]
        if whole is None:
            continue
        shares, ok = _split(whole, [given[c] for c in cs])
        if not ok:
            problems.append(
                Problem(
                    Severity.WARNING,
                    ProblemCode.WEIGHTS_EXCEED,
                    f"「{inds[p][1].name}」的子项已列分值之和超过其分值 {fmt_weight(whole)}",
                    inds[p][1].name,
                    "分值",
                )
            )
        for c, share in zip(cs, shares, strict=True):
            result[c] = share


def _family_result(parent: IndicatorResult, children: list[IndicatorResult]) -> IndicatorResult:
    """A parent row scored from its sub-rows: their weights and scores summed."""
    weight = sum((c.weight for c in children), ZERO)
    scores = [c.score for c in children]
    why = f"父项：分值与得分为其 {len(children)} 个子项之和，本行的目标值与实际完成值不另计分"
    if any(x is None for x in scores):
        return parent._replace(
            status=_JUDGEMENT, weight=weight, score=None, weight_source="children", trace=(why, "有子项待判断")
        )
    score = sum((x for x in scores if x is not None), ZERO)
    if all(c.status is Status.MET for c in children):
        status = Status.MET
    else:
        status = Status.MISSED if score == ZERO else Status.PARTLY
    total = f"得分 {fmt_weight(score)} / {fmt_weight(weight)}"
    return parent._replace(status=status, weight=weight, score=score, weight_source="children", trace=(why, total))


def allocate_weights(form: Form, rules: RuleSet) -> tuple[list[tuple[Decimal, str]], list[Problem], list[str]]:
    """Weights per indicator in form order, and where each came from."""
    inds = [(gi, ind) for gi, goal in enumerate(form.goals) for ind in goal.indicators]
    problems: list[Problem] = []
    notes: list[str] = []
    given = [ind.weight for _, ind in inds]
    if all(w is not None for w in given):
        return [(w, "form") for w in given if w is not None], problems, notes
    parent_of = family_parents(form)
    kids = _children(parent_of)
    own = list(given)  # a parent without a weight of its own takes its sub-rows' printed ones
    for p, cs in kids.items():
        if own[p] is None and all(given[c] is not None for c in cs):
            own[p] = sum((given[c] or ZERO for c in cs), ZERO)
    result: list[Decimal | None] = list(own)
    top = [i for i in range(len(inds)) if parent_of[i] is None]
    if rules.weight_mode == "goals":
        goal_pools, _ = _split(rules.indicators_total, [g.weight for g in form.goals])
        for gi, _goal in enumerate(form.goals):
            idx = [i for i in top if inds[i][0] == gi]
            shares, ok = _split(goal_pools[gi], [own[i] for i in idx])
            if not ok:
                problems.append(
                    Problem(
                        Severity.WARNING,
                        ProblemCode.WEIGHTS_EXCEED,
                        f"年度绩效目标 {gi + 1} 已列分值之和超过其分值 {fmt_weight(goal_pools[gi])}",
                    )
                )
            for i, s in zip(idx, shares, strict=True):
                result[i] = s
        _split_over_children(kids, given, result, inds, problems)
        notes.append(
            f"未列分值的指标按规则集「{rules.name}」在各年度绩效目标内平均分配（指标合计 {fmt_weight(rules.indicators_total)} 分）"
        )
    else:
        alias, pools, names = _level_tables(rules)
        rows_of: dict[str, list[int]] = {}  # level key -> row numbers, in form order
        for i in top:
            k = level_key(inds[i][1].level1)
            rows_of.setdefault(alias.get(k, k), []).append(i)
        missing = [k for k in pools if k not in rows_of]
        if missing and rules.missing_level1 == "redistribute":
            kept = sum((pools[k] for k in pools if k in rows_of), ZERO)
            if kept > 0:
                scale = rules.indicators_total / kept
                notes.append(f"表中没有{'、'.join(names[k] for k in missing)}，其分值按比例并入其他一级指标")
                pools = {k: (v * scale if k in rows_of else ZERO) for k, v in pools.items()}
        for key, pool in pools.items():
            rows = rows_of.get(key)
            if not rows:
                continue
            shares, ok = _split(pool, [own[i] for i in rows])
            if not ok:
                problems.append(
                    Problem(
                        Severity.WARNING,
                        ProblemCode.WEIGHTS_EXCEED,
                        f"{names[key]}已列分值之和超过其分值 {fmt_weight(pool)}",
                    )
                )
            for i, s in zip(rows, shares, strict=True):
                result[i] = s
        _split_over_children(kids, given, result, inds, problems)
        for i, (_, ind) in enumerate(inds):
            if result[i] is None:
                result[i] = ZERO
                problems.append(
                    Problem(
                        Severity.WARNING,
                        ProblemCode.UNKNOWN_LEVEL1,
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
    cell = read_cell(text)
    if not isinstance(cell, Cell):
        return None
    if cell.kind is CellKind.QUANTITY and cell.unit == "%" and cell.value is not None:
        return cell.value / HUNDRED
    return None


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
        Problem(
            Severity.INFO,
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
    b = form.budget
    w = b.weight if b.weight is not None else rules.budget_weight
    problems: list[Problem] = []
    lines: list[Step] = []
    if b.planned is None or b.executed is None:
        printed = _rate_text(b.rate_text) if b.rate_text else None
        if printed is not None and printed >= 0:
            return _budget_from_printed_rate(form, w, printed, rules)
        lines.append("预算数或执行数未填报，预算执行得 0 分")
        problems.append(
            Problem(
                Severity.WARNING, ProblemCode.BUDGET_MISSING, "预算执行情况缺少预算数或执行数", column="预算执行情况"
            )
        )
        return BudgetResult(w, None, ZERO, b.recorded, Status.EMPTY, tuple(lines)), problems, None
    if b.planned <= 0:
        lines.append(f"预算数为 {b.planned}，无法计算执行率")
        problems.append(
            Problem(
                Severity.ERROR,
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
            Problem(
                Severity.WARNING,
                ProblemCode.BUDGET_OVER_100,
                f"执行率 {percent(rate)} 超过 100%（执行数 {plain(b.executed)} 万元 > 预算数 {plain(b.planned)} 万元）",
                column="执行率",
            )
        )
    else:
        lines.append((explain.budget_score, w, rate, raw))
    published = _rate_text(b.rate_text) if b.rate_text else None
    if b.rate_text and published is None:
        problems.append(
            Problem(
                Severity.INFO,
                ProblemCode.BUDGET_RATE_TEXT,
                f"表中执行率「{b.rate_text}」无法识别",
                column="执行率",
                text=b.rate_text,
            )
        )
    elif published is not None and abs(published - rate) > Decimal("0.0005"):
        problems.append(
            Problem(
                Severity.WARNING,
                ProblemCode.BUDGET_RATE_MISMATCH,
                f"表中执行率「{b.rate_text}」与 执行数/预算数 = {percent(rate)} 不符；按 执行数/预算数 计分",
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
                Problem(
                    Severity.WARNING, ProblemCode.RECORDED_DIFFERS, "预算执行" + msg + "，未说明理由", column="得分"
                )
            )
    return BudgetResult(w, rate, score, b.recorded, status, tuple(lines)), problems, rate


# -------------------------------------------------------------------- form


def score_form(form: Form, rules: RuleSet | None = None, catalog: CatalogLike | None = None) -> FormResult:
    """Score a whole form; ``rules`` defaults to the form's own rule set.

    The core is given its catalog (the adapters pass the built-in one through
    ``jixiao.scoring``); without one, directions come from the cells, the name and the levels.
    """
    rs = rules or load_rules(rules_name_for(form))
    budget, problems, rate = score_budget(form, rs)
    weights, wproblems, notes = allocate_weights(form, rs)
    problems.extend(wproblems)
    ctx = _context(rs, catalog, form.year)
    results: list[IndicatorResult] = []
    append = results.append
    i = 0
    weight_sum = ZERO
    score_sum = ZERO
    rec_all = budget.recorded is not None
    rec_rows = ZERO  # summed apart, then added to the budget's, as the totals always were
    pending = 0
    groups: dict[str, list[Any]] = {}  # 一级 key -> [name, weight, computed, recorded], in order of appearance
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
            weight_sum += w
            key = level_key(ind.level1)
            g = groups.get(key)
            if g is None:
                g = groups[key] = [ind.level1 or "（未填一级指标）", ZERO, ZERO, None]
            g[1] += w
            if score is not None:
                score_sum += score
                g[2] += score
            elif r.status is _JUDGEMENT:
                pending += 1
            if rec is None:
                rec_all = False
            else:
                rec_rows += rec.score
                g[3] = (ZERO if g[3] is None else g[3]) + rec.score
    for p, cs in kids.items():
        results[p] = _family_result(results[p], [results[c] for c in cs])
    weight_total = budget.weight + weight_sum
    if all(src == "form" for _, src in weights) and q2(weight_total) != q2(rs.total):
        problems.append(
            Problem(
                Severity.WARNING,
                ProblemCode.WEIGHTS_TOTAL,
                f"分值合计 {fmt_weight(weight_total)} 与规则集「{rs.name}」的总分 {fmt_weight(rs.total)} 不符",
                column="分值",
            )
        )
    exact = (budget.score or ZERO) + score_sum
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
    if not form.project_name.strip():
        problems.append(
            Problem(
                Severity.WARNING,
                ProblemCode.HEADER_MISSING,
                "表头「项目名称」未填写；请补填后再提交",
                column="项目名称",
            )
        )
    rec_all = rec_all and bool(results)
    rec_sum = (budget.recorded.score if budget.recorded else ZERO) + rec_rows
    total_recorded: Decimal | None
    if form.total_recorded is not None:
        total_recorded, source = form.total_recorded, "form"
        if rec_all and q2(rec_sum) != q2(form.total_recorded):
            problems.append(
                Problem(
                    Severity.ERROR,
                    ProblemCode.RECORDED_TOTAL_SUM,
                    f"表中总分 {q2(form.total_recorded)} 与各项自评得分之和 {q2(rec_sum)} 不符；"
                    "提交前须更正总分或各项得分（或清空总分，由各项之和给出）",
                    column="总分",
                )
            )
    elif rec_all:
        total_recorded, source = rec_sum, "sum"
    else:
        total_recorded, source = None, ""
    levels = tuple(LevelTotal(*g) for g in groups.values())
    if pending:
        notes.append(f"有 {pending} 项指标待人工判断，未计入计算总分")
    return FormResult(
        form=form,
        rules=rs,
        budget=BudgetResult(
            budget.weight, budget.rate, budget.score, budget.recorded, budget.status, budget.trace + tuple(notes)
        )
        if notes
        else budget,
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
        recorded_sum=rec_sum if rec_all else None,
    )
