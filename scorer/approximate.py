"""Estimates against targets: 1000余人 (more than 1000) and 约1000人 / 1000人左右 (about 1000).

An estimate is scored only when every value it may stand for gives the same answer, 达成; else the
row is 待判断 with the reason. 余/多 in a target is a strict lower bound (>1000), said in the trace.
约 and 左右 stand for any value within ``ABOUT_TOLERANCE`` (10%) of the number: no rule set says how
far "about" reaches, so jixiao takes a tenth and decides only what holds across it.
"""

from __future__ import annotations

from decimal import Decimal

from scorer.cell_values import Approx, Cell, Comparator
from scorer.model import Direction
from scorer.numbers import plain
from scorer.ranges import ABOUT_TOLERANCE
from scorer.row import ONE, _Row


def _spread(v: Decimal, approx: Approx) -> tuple[Decimal, ...]:
    if approx is Approx.ABOUT:
        return (v * (ONE - ABOUT_TOLERANCE), v * (ONE + ABOUT_TOLERANCE))
    return (v,)


def _reached(row: _Row, t: Cell, target: Decimal, high: Decimal | None, v: Decimal) -> bool:
    if t.comparator is Comparator.RANGE and high is not None:
        return target <= v <= high
    d = row.direction.value if row.direction else Direction.POSITIVE
    if d is Direction.REVERSE:
        return v <= target
    if d is Direction.EQUAL:
        return v == target
    return v >= target


def approximate_doubt(row: _Row, t: Cell, a: Cell, A: Decimal, B: Decimal) -> str:
    """Why an estimate in the target or the actual leaves the row undecided, or "" (a trace line added)."""
    u = row.unit
    if t.approx is Approx.MORE:
        row.lines.append(f"目标值「{t.text}」中的「{t.word}」表示多于 {plain(A)}{u}，按 >{plain(A)}{u} 计")
    high = t.high * (A / t.value) if t.high is not None and t.value else t.high
    if a.approx is Approx.MORE:
        positive = row.direction is not None and row.direction.value is Direction.POSITIVE
        if positive and t.comparator is not Comparator.RANGE and B >= A:
            row.lines.append(f"实际完成值「{a.text}」即多于 {plain(B)}{u}，不低于目标值 {plain(A)}{u}")
            return ""
        return f"实际完成值「{a.text}」只说多于 {plain(B)}{u}，是否达到目标值「{t.text}」、差多少无法确定"
    targets = _spread(A, t.approx)
    actuals = _spread(B, a.approx)
    if all(_reached(row, t, tv, high, av) for tv in targets for av in actuals):
        if len(targets) + len(actuals) > 2:
            row.lines.append(f"约数按 ±{plain(ABOUT_TOLERANCE * 100)}% 理解，其中任一值都达到目标")
        return ""
    if len(targets) + len(actuals) == 2:
        return ""  # no 约 on either side: scored as written
    which = "目标值" if t.approx is Approx.ABOUT else "实际完成值"
    cell = t if t.approx is Approx.ABOUT else a
    return (
        f"{which}「{cell.text}」是约数（按 ±{plain(ABOUT_TOLERANCE * 100)}% 理解），"
        f"其中有的值达到目标、有的未达到，无法判断"
    )
