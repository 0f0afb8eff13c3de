"""Worded targets and actuals: tiers, printed scales, criteria rows and yes/no questions."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

from scorer import explain, units
from scorer.cells import Cell, CellKind, Comparator, Tier
from scorer.model import Direction, Indicator
from scorer.result import (
    Status,
)
from scorer.row import ONE, _Row, _tier_score
from scorer.statements import Answer, answer, compliance, is_question
from scorer.vocabulary import level_key, vocabulary


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
    if t.kind is CellKind.DIRECTION and a.kind is CellKind.TEXT and (moved := stated_change(a.text)):
        return _score_change(row, t, a, *moved)
    if t.kind is CellKind.TEXT and a.kind is CellKind.TEXT and (wanted := stated_change(t.text)):
        if moved := stated_change(a.text):
            return _score_change_by(row, t, a, wanted, moved)
    if t.doubt and a.kind is not CellKind.QUALITATIVE:  # 3季度, ≤10余次: a number the cell does not say
        return row.judgement(f"目标值「{t.text}」{t.doubt}，实际完成值「{a.text}」无法与之比较")
    if a.kind is CellKind.TEXT:
        return row.judgement(f"实际完成值「{a.text}」不在定性词表中，无法判定档次")
    if a.kind in (CellKind.LABEL, CellKind.DIRECTION):
        return row.judgement(f"实际完成值「{a.text}」只是标签或方向，没有说明完成情况")
    if _complete_percent(a):  # 健全 → 100%: the standard met in full, as units write it
        return row.full(f"目标值「{t.text}」为定性表述，实际完成值「{a.text}」表示完全达到")
    return row.judgement(f"目标值「{t.text}」为定性表述，实际完成值「{a.text}」为数值，无法对应")


_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)([^\d\s.]{0,6})")


def _unit_word(text: str) -> bool:
    """Nothing, or a unit the units file knows, perhaps after a scale word (万, 亿 …): no further words."""
    scale = next((w for w, _ in vocabulary().scales if text.startswith(w)), "")
    return not text or units.is_known(text) or (bool(scale) and units.is_known(text[len(scale) :]))


def stated_change(text: str) -> tuple[Direction, str, Decimal, str] | None:
    """The change an actual states, as (direction, word, amount, unit): 增372人次 is (positive, 增, 372,
    人次). None when it states none."""
    body = re.sub(r"\s", "", text)
    vocab = vocabulary()
    for direction, words in ((Direction.POSITIVE, vocab.rose), (Direction.REVERSE, vocab.fell)):
        word = next((w for w in words if body.startswith(w)), None)
        m = _AMOUNT.fullmatch(body[len(word) :]) if word is not None else None
        if word is not None and m and _unit_word(m.group(2)):
            return direction, word, Decimal(m.group(1)), str(m.group(2))
    return None


def _score_change(
    row: _Row, t: Cell, a: Cell, moved: Direction, word: str, amount: Decimal, unit: str
) -> tuple[Status, Decimal | None]:
    """A target that only names a direction (增加), an actual that states a change (增372人次)."""
    head = f"目标值「{t.text}」只要求方向，实际完成值「{a.text}」写明{word} {amount}{unit}"
    if moved is t.direction and amount > 0:
        return row.full(f"{head}，方向一致，达成")
    why = "没有变化" if amount == 0 else "方向相反"
    return _tier_score(row, Tier.NOT_ACHIEVED, f"{head}，{why}，未达成")


Change = tuple[Direction, str, Decimal, str]


def _score_change_by(row: _Row, t: Cell, a: Cell, wanted: Change, moved: Change) -> tuple[Status, Decimal | None]:
    """A target that asks for a change by an amount (提高2%, 减少5万元), an actual that states one
    (提高1%, 下降1%): the amounts compared as a positive target (a bigger change that way is better);
    the other way, or none, is 未达成. Units must be the same as written: 2% is not 2个百分点."""
    way, asked, A, tu = wanted
    moved_way, word, B, au = moved
    if tu != au:
        return row.judgement(
            f"目标值「{t.text}」与实际完成值「{a.text}」的变化量单位不同（{tu or '无'}、{au or '无'}），无法比较"
        )
    head = f"目标值「{t.text}」要求{asked} {A}{tu}，实际完成值「{a.text}」写明{word} {B}{au}"
    if moved_way is not way or B == 0:
        why = "没有变化" if B == 0 else "方向相反"
        return _tier_score(row, Tier.NOT_ACHIEVED, f"{head}，{why}，未达成")
    if A <= 0:
        return row.judgement(f"目标值「{t.text}」要求的变化量为 0，无从比较")
    row.lines.append(f"{head}，方向一致，按变化量比较")
    if B >= A:
        return row.full((explain.compared, None, B, "≥", A, tu))
    f = row.ctx.formulas.positive
    return row.partial(f(row.weight, A, B), (explain.positive_formula, None, row.weight, B, A), lambda: f(ONE, A, B))


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
