"""The proportional formulas, each written once: what a row earns when it falls short of its target.

A rule set names one formula per direction (``[formulas]`` in scorer/rulesets/*.toml); both of the
engine's paths (the direct one for the common shapes and the general one) call the formula through
``Formulas``, so W×A/B is computed here and nowhere else. Decimal arithmetic, in the order written.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from scorer.model import Direction

Formula = Callable[[Decimal, Decimal, Decimal], Decimal]  # (weight W, target A, actual B) → points
ONE = Decimal(1)


def positive_ratio(w: Decimal, a: Decimal, b: Decimal) -> Decimal:
    """More is better, B short of A: W × B / A."""
    return w * b / a


def reverse_ratio(w: Decimal, a: Decimal, b: Decimal) -> Decimal:
    """Less is better, B over A: W × A / B."""
    return w * a / b


def reverse_linear(w: Decimal, a: Decimal, b: Decimal) -> Decimal:
    """Less is better, B over A, losing points in step with the overshoot: W × (1 − (B − A) / A)."""
    return w * (ONE - (b - a) / a)


def equal_ratio(w: Decimal, a: Decimal, b: Decimal) -> Decimal:
    """Equal to the target, B off A either way: W × min(A, B) / max(A, B)."""
    lo, hi = (a, b) if a < b else (b, a)
    return w * lo / hi


# (direction, the rule set's formula name) → the formula; rules.py accepts exactly these names
FORMULAS: dict[tuple[Direction, str], Formula] = {
    (Direction.POSITIVE, "ratio"): positive_ratio,
    (Direction.REVERSE, "ratio"): reverse_ratio,
    (Direction.REVERSE, "linear"): reverse_linear,
    (Direction.EQUAL, "ratio"): equal_ratio,
}


class Formulas:
    """A rule set's three formulas, looked up once per rule set."""

    __slots__ = ("positive", "reverse", "equal", "linear_reverse")

    def __init__(self, positive: str, reverse: str, equal: str) -> None:
        self.positive = FORMULAS[(Direction.POSITIVE, positive)]
        self.reverse = FORMULAS[(Direction.REVERSE, reverse)]
        self.equal = FORMULAS[(Direction.EQUAL, equal)]
        self.linear_reverse = reverse == "linear"  # the explanation writes the linear formula out
