"""Decimal rounding and formatting: the one place numbers become text.

Scores and money stay exact Decimals everywhere else; they are rounded half up
to two places only here, for display and for totals.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

TWO = Decimal("0.01")


def q2(value: Decimal) -> Decimal:
    """Round half up to 2 decimals (19.545 -> 19.55)."""
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


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
    v = value.quantize(exp, rounding=ROUND_HALF_UP) if value.as_tuple().exponent < -places else value  # type: ignore[operator]
    text = f"{v:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if v != value:
        text += "…"
    return text
