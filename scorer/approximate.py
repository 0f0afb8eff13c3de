"""Estimates against targets: 1000余人 (more than 1000) and 约1000人 / 1000人左右 (about 1000).

"About" reaches the rule set's ``about_tolerance`` (a tenth in every shipped rule set) either side.
An about-TARGET is met by the number it states, and by anything better: the requirement is
somewhere between the number and the number less the tolerance (more is better; mirrored when less
is better). An actual that misses even the loosest reading is scored by the rule set's formula
against the stated number, which the trace says; one between is 待判断 with the reason. With an
equal direction, anything within the tolerance is met and the rest 待判断. An estimated range
(约90%-95%) widens each end so.

An estimated ACTUAL (约1000人, 1000余人) is decided only when every value it may stand for gives
the same answer, 达成; else 待判断 with the reason. 余/多 in a target is a strict lower bound (>1000),
said in the trace.
"""

from __future__ import annotations

from decimal import Decimal

from scorer.cell_values import Approx, Cell, Comparator
from scorer.model import Direction
from scorer.numbers import plain
from scorer.result import Status
from scorer.row import _Row

MET, FAILS, OPEN = "met", "fails", "open"  # every reading of the target is met / missed / some of each

Outcome = tuple[Status, Decimal | None]


def _band(row: _Row, t: Cell, A: Decimal, high: Decimal | None) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(met from, met to, missed below, missed above): the actual values every reading of ``t`` meets,
    and outside the loosest reading. Unbounded sides are ±A-relative infinities."""
    inf = Decimal("Infinity")
    slack = row.ctx.rules.about_tolerance if t.approx is Approx.ABOUT else Decimal(0)
    if t.comparator is Comparator.RANGE and high is not None:
        return A, high, A - slack * abs(A), high + slack * abs(high)
    d = row.direction.value if row.direction else Direction.POSITIVE
    if d is Direction.REVERSE:
        return -inf, A, -inf, A + slack * abs(A)
    if d is Direction.EQUAL:
        if slack:  # 约1000 and it should equal that: all of the band is met, outside is undecided
            return A - slack * abs(A), A + slack * abs(A), -inf, inf
        return A, A, A, A
    return A, inf, A - slack * abs(A), inf


def _outcome(band: tuple[Decimal, Decimal, Decimal, Decimal], v: Decimal) -> str:
    met_lo, met_hi, miss_lo, miss_hi = band
    if met_lo <= v <= met_hi:
        return MET
    if v < miss_lo or v > miss_hi:
        return FAILS
    return OPEN


def approximate_doubt(row: _Row, t: Cell, a: Cell, A: Decimal, B: Decimal) -> Outcome | None:
    """The outcome an estimate in the target or the actual decides (待判断, or 达成 inside an equal
    band), or None: score as written (a trace line added where the estimate was read)."""
    u = row.unit
    tol = plain(row.ctx.rules.about_tolerance * 100)
    if t.approx is Approx.MORE:
        row.lines.append(f"目标值「{t.text}」中的「{t.word}」表示多于 {plain(A)}{u}，按 >{plain(A)}{u} 计")
    high = t.high * (A / t.value) if t.high is not None and t.value else t.high
    band = _band(row, t, A, high)
    if a.approx is Approx.MORE:
        if band[1].is_infinite() and band[1] > 0 and _outcome(band, B) == MET:
            row.lines.append(f"实际完成值「{a.text}」即多于 {plain(B)}{u}，不低于目标值 {plain(A)}{u}")
            return None
        return row.judgement(
            f"实际完成值「{a.text}」只说多于 {plain(B)}{u}，是否达到目标值「{t.text}」、差多少无法确定"
        )
    if a.approx is Approx.ABOUT:
        return _about_actual(row, t, a, band, B, tol)
    found = _outcome(band, B)
    if found == OPEN and band[2].is_infinite() and band[3].is_infinite():  # to be equalled: outside the band
        return row.judgement(
            f"目标值「{t.text}」是约数（按 ±{tol}% 理解，{plain(band[0])}{u} 至 {plain(band[1])}{u}），"
            f"实际完成值 {plain(B)}{u} 在其外：偏离多少才算未达成无法确定"
        )
    if found == OPEN:
        return row.judgement(
            f"目标值「{t.text}」是约数（按 ±{tol}% 理解），实际完成值 {plain(B)}{u} 在所写的数与放宽 {tol}% "
            f"之间：按有的理解已达成、按有的未达成，无法判断"
        )
    if found == FAILS and t.approx is Approx.ABOUT:
        row.lines.append(
            f"目标值「{t.text}」是约数（按 ±{tol}% 理解），实际完成值在任一理解下都未达到，按所写的数计分（从严）"
        )
        return None
    return _met(row, t, band, B, tol)


def _about_actual(
    row: _Row, t: Cell, a: Cell, band: tuple[Decimal, Decimal, Decimal, Decimal], B: Decimal, tol: str
) -> Outcome | None:
    """约1000人 as the actual: decided only when every value from 900 to 1100 meets the target."""
    slack = row.ctx.rules.about_tolerance * abs(B)
    low, high = B - slack, B + slack
    if band[0] <= low and high <= band[1]:
        row.lines.append(f"约数按 ±{tol}% 理解，其中任一值都达到目标")
        return _met(row, t, band, B, tol)
    if high < band[2] or low > band[3]:
        return row.judgement(
            f"实际完成值「{a.text}」是约数（按 ±{tol}% 理解），其中任一值都未达到目标，但差多少无法确定"
        )
    return row.judgement(f"实际完成值「{a.text}」是约数（按 ±{tol}% 理解），其中有的值达到目标、有的未达到，无法判断")


def _met(row: _Row, t: Cell, band: tuple[Decimal, Decimal, Decimal, Decimal], B: Decimal, tol: str) -> Outcome | None:
    """Met under every reading: an equal band is 达成 here; anything else is scored as written (达成)."""
    if t.approx is Approx.ABOUT and row.direction is not None and row.direction.value is Direction.EQUAL:
        if t.comparator is not Comparator.RANGE:
            return row.full(
                f"目标值「{t.text}」是约数（按 ±{tol}% 理解），{plain(B)}{row.unit} 在 "
                f"{plain(band[0])}{row.unit} 至 {plain(band[1])}{row.unit} 之内，达成"
            )
    return None
