"""Explanation lines, recorded while scoring and written out only when read.

Scoring a province's million indicators must not spend its time writing
Chinese sentences that nobody reads. The engine records each line as a *step*:
either the finished text, or a tuple ``(formatter, *args)`` of a formatter in
this module and plain values (Decimals, strings). Steps compare by value and
pickle, so results stay values; ``render`` turns a step into the sentence.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from scorer.numbers import percent, plain, q2
from scorer.numbers import weight as fmt_weight

Step = str | tuple[Any, ...]
Scale = tuple[str, Decimal] | None  # show magnitudes as written (20万, not 200000)

HUNDRED = Decimal(100)
_SPOTS = {"top": "上限", "middle": "中点", "bottom": "下限"}
_QUAL_WHAT = {"label": "定性指标", "direction": "方向性目标", "qualitative": "定性目标", "text": "描述性目标"}


def render(step: Step) -> str:
    if type(step) is str:
        return step
    return step[0](*step[1:])  # type: ignore[operator]


def lines(steps: Iterable[Step]) -> tuple[str, ...]:
    return tuple(render(s) for s in steps)


def s4(value: Decimal) -> str:
    return plain(value, 4)


def operand(weight: Decimal) -> str:
    """A weight or a rate as a formula multiplies it: as exact as the other operands (8.335, not the
    8.34 a table shows: 「8.34 × 5 / 7 = 5.9536…」 did not add up), with 「…」 when cut."""
    return s4(weight)


def num(scale: Scale, value: Decimal) -> str:
    """A magnitude in the explanation, in the scale the target was written in."""
    if scale is not None:
        word, factor = scale
        return f"{s4(value / factor)}{word}"
    return s4(value)


# ------------------------------------------------------------------ formatters


def full(why: Step, weight: Decimal) -> str:
    return f"{render(why)}，得满分 {fmt_weight(weight)}"


def partial(formula: Step, score: Decimal) -> str:
    return f"{render(formula)} = {s4(score)}，得 {q2(score)}"


def tier(why: Step, label: str, low: Decimal, high: Decimal, position: str, default: Decimal, weight: Decimal) -> str:
    share = s4(default * HUNDRED)
    return (
        f"{render(why)}：属「{label}」档（{s4(low * HUNDRED)}%–{s4(high * HUNDRED)}%），"
        f"默认取{_SPOTS[position]} {share}%，得 {operand(weight)} × {share}% = {q2(weight * default)}"
    )


def qualitative_why(target_kind: str, target_text: str, actual_text: str, word: str) -> str:
    what = _QUAL_WHAT[target_kind]
    if target_kind != "label":
        what = f"{what}「{target_text}」"
    return f"{what}，实际完成值「{actual_text}」含词表用语「{word}」"


def direction(label: str, source: str) -> str:
    return f"方向：{label}（依据：{source}）"


def unit_from_catalog(entry_name: str, unit: str) -> str:
    return f"单位：两侧都未写单位，按指标库条目「{entry_name}」的默认单位「{unit}」理解"


def scale_one_side(which: str, unit: str, other: str) -> str:
    return f"单位：只有{which}写了「{unit}」，{other}的数字按同一单位（含「万」「亿」等量级）理解"


def unit_one_side(which: str, unit: str) -> str:
    return f"单位：只有{which}写了「{unit}」，另一侧按同一单位理解"


def unit_converted(value: Decimal, unit: str, factor: Decimal, to: str) -> str:
    return f"单位换算：{s4(value)}{unit} = {s4(value * factor)}{to}"


def bound_used(text: str, side: str, value: Decimal) -> str:
    return f"实际完成值「{text}」是{side}，按 {s4(value)} 计"


def compared(scale: Scale, b: Decimal, op: str, a: Decimal, unit: str) -> str:
    return f"{num(scale, b)}{unit} {op} {num(scale, a)}{unit}，达成"


def in_range(scale: Scale, b: Decimal, lo: Decimal, hi: Decimal, unit: str) -> str:
    return f"{num(scale, b)}{unit} 在区间 {num(scale, lo)}–{num(scale, hi)}{unit} 内，达成"


def nonpositive_target(scale: Scale, b: Decimal, op: str, a: Decimal, tail: str) -> str:
    return f"{num(scale, b)} {op} {num(scale, a)}，{tail}"


def positive_formula(scale: Scale, weight: Decimal, b: Decimal, a: Decimal) -> str:
    return f"未达成，W × B / A = {operand(weight)} × {num(scale, b)} / {num(scale, a)}"


def reverse_formula(scale: Scale, weight: Decimal, a: Decimal, b: Decimal, linear: bool) -> str:
    over = f"超出目标 {percent((b - a) / a)}，"
    if linear:
        return (
            f"{over}反向线性扣分，W × (1 − (B − A) / A) = {operand(weight)} × "
            f"(1 − ({num(scale, b)} − {num(scale, a)}) / {num(scale, a)})"
        )
    return f"{over}反向计分，W × A / B = {operand(weight)} × {num(scale, a)} / {num(scale, b)}"


def equal_formula(scale: Scale, weight: Decimal, lo: Decimal, hi: Decimal) -> str:
    return f"偏离目标值，W × 较小值 / 较大值 = {operand(weight)} × {num(scale, lo)} / {num(scale, hi)}"


def satisfied(text: str, reason: str) -> str:
    return f"实际完成值「{text}」：{reason}"


def word_in_actual(text: str, word: str) -> str:
    return f"实际完成值「{text}」含「{word}」"


def same_as_target(text: str) -> str:
    return f"实际完成值与目标值「{text}」相同"


def strict_equal(symbol: str) -> str:
    return f"目标为严格不等式「{symbol}」，实际值恰好等于目标值，按达成计"


def adjusted_target(adjusted: str, original: str) -> str:
    return f"采用调整后目标值「{adjusted}」（原目标值「{original}」）"


def recorded_reason(recorded: Decimal, computed: str, reason: str) -> str:
    return f"单位自评 {q2(recorded)} 分（规则得分 {computed}），理由：{reason}"


def recorded_unexplained(recorded: Decimal, computed: str) -> str:
    return f"单位自评 {q2(recorded)} 分，与规则得分 {computed} 不同，未说明理由"


def budget_rate(executed: Decimal, planned: Decimal, rate: Decimal) -> str:
    return f"执行率 = 执行数 / 预算数 = {plain(executed)} / {plain(planned)} = {percent(rate)}"


def budget_capped(weight: Decimal) -> str:
    return f"执行率超过 100%，得分以分值 {fmt_weight(weight)} 封顶"


def budget_score(weight: Decimal, rate: Decimal, raw: Decimal) -> str:
    # the rate as multiplied, not as the 执行率 column rounds it: 10 × 87.05% gave 8.70 (10 × 87.045%)
    return f"得分 = 分值 × 执行率 = {operand(weight)} × {operand(rate * HUNDRED)}% = {q2(raw)}"
