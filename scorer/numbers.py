"""Decimal rounding and formatting: the one place numbers become text.

Scores and money stay exact Decimals everywhere else; they are rounded half up
to two places only here, for display and for totals.
"""

from __future__ import annotations

import re
from decimal import MAX_EMAX, MIN_EMIN, ROUND_HALF_UP, Context, Decimal, InvalidOperation

TWO = Decimal("0.01")

# The numbers a form may hold (money in 万元, weights and scores in points): zero, or a
# magnitude from 10^-12 to 10^15 — the same range as numbers in cells (scorer.cells). No real
# form is near either end; beyond them a hostile file could push the engine's ratios towards
# Decimal's exponent limits (q2 widens its context for anything in between).
MAX_FORM_NUMBER = Decimal("1E+15")
MIN_FORM_NUMBER = Decimal("1E-12")


_GROUPED = re.compile(r"[+-]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d*)?")  # "0,125" is a decimal comma, not 125


def ungroup(text: str) -> str | None:
    """``text`` without its thousands commas ("1,234.5" → "1234.5"), or None when a comma is not one.

    "24,7" is 24.7 where the comma is the decimal mark and 247 only if the comma is dropped;
    a form's money must not depend on which, so anything but groups of three is refused.
    """
    if "," not in text:
        return text
    return text.replace(",", "") if _GROUPED.fullmatch(text) else None


def comma_problem(text: str) -> str:
    """The message for a number whose comma is not a thousands separator (``ungroup`` gave None)."""
    return f"「{text[:40]}」中的逗号不是千位分隔（应如 1,234.5）；小数点请用「.」"


def out_of_range(value: Decimal) -> str:
    """Why ``value`` cannot stand on a form ("" when it can).

    Every number a form holds (money, weights, scores) is zero or more: a negative weight was
    read, scored to a negative total and stored, with only ``jixiao check`` objecting.
    """
    if not value.is_finite():
        return "应为有限的数字"
    if value.is_zero():
        return ""
    if value.is_signed():
        return "不能为负数"
    # copy_abs() is exact: abs() would overflow the context on 1E+999999999
    if value.copy_abs() >= MAX_FORM_NUMBER:
        return "数值过大（绝对值应小于 10^15）"
    if value.copy_abs() < MIN_FORM_NUMBER:
        return "数值过小（非零时绝对值应不小于 10^-12）"
    return ""


def _wide(value: Decimal) -> Context:
    """A context with room for every digit of ``value`` to two decimals."""
    return Context(prec=max(value.adjusted(), 0) + 4, Emax=MAX_EMAX, Emin=MIN_EMIN)


def q2(value: Decimal) -> Decimal:
    """Round half up to 2 decimals (19.545 -> 19.55); exact for any finite value."""
    try:
        return value.quantize(TWO, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more than 28 digits (a ratio of extreme cells): widen, never fail
        return value.quantize(TWO, rounding=ROUND_HALF_UP, context=_wide(value))


def score(value: Decimal | None, blank: str = "") -> str:
    """A score for display: always two decimals ("98.10")."""
    return blank if value is None else f"{q2(value):f}"


def weight(value: Decimal | None, blank: str = "") -> str:
    """A weight: two decimals, but whole weights print as integers ("10", "11.43")."""
    if value is None:
        return blank
    v = q2(value)
    return f"{v.to_integral_value():f}" if v == v.to_integral_value() else f"{v:f}"


def money(value: Decimal | None, blank: str = "") -> str:
    """万元 amounts as written: no trailing zeros forced, thousands not grouped."""
    if value is None:
        return blank
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def percent(rate: Decimal | None, blank: str = "") -> str:
    """A rate (1.235) as a percentage with up to two decimals ("123.5%")."""
    if rate is None:
        return blank
    text = f"{q2(rate * 100):f}"
    text = text.rstrip("0").rstrip(".")
    return f"{text}%"


def plain(value: Decimal | None, places: int = 4) -> str:
    """A number in an explanation: exact when short, else rounded half up."""
    if value is None:
        return ""
    exp = Decimal(1).scaleb(-places)
    v = (
        value.quantize(exp, rounding=ROUND_HALF_UP, context=_wide(value) if value.adjusted() > 20 else None)
        if value.as_tuple().exponent < -places  # type: ignore[operator]
        else value
    )
    text = f"{v:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if v != value:
        text += "…"
    return text
