"""The proportional formulas are written once and both engine paths use them (#17)."""

from __future__ import annotations

import ast
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as hst

from scorer.formulas import FORMULAS, Formulas, equal_ratio, positive_ratio, reverse_linear, reverse_ratio
from scorer.rules import available, load

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("formula", "w", "a", "b", "points"),
    [
        (positive_ratio, D(10), D(100), D(75), D("7.5")),
        (reverse_ratio, D(10), D(24), D(30), D(8)),
        (reverse_linear, D(10), D(24), D(30), D("7.5")),
        (equal_ratio, D(10), D(50), D(40), D(8)),
        (equal_ratio, D(10), D(40), D(50), D(8)),
    ],
)
def test_each_formula_as_the_rules_write_it(formula: object, w: D, a: D, b: D, points: D) -> None:
    assert formula(w, a, b) == points  # type: ignore[operator]


@given(
    hst.decimals(min_value=1, max_value=100, places=2),
    hst.decimals(min_value="0.01", max_value=10**6, places=2),
    hst.decimals(min_value="0.01", max_value=10**6, places=2),
)
def test_a_shortfall_never_earns_more_than_the_weight(w: D, a: D, b: D) -> None:
    if b < a:
        assert 0 <= positive_ratio(w, a, b) <= w
    if b > a:
        assert reverse_ratio(w, a, b) <= w and reverse_linear(w, a, b) <= w
    assert 0 <= equal_ratio(w, a, b) <= w


@pytest.mark.parametrize("name", available())
def test_every_rule_set_names_formulas_that_exist(name: str) -> None:
    rs = load(name)
    f = Formulas(rs.positive_formula, rs.reverse_formula, rs.equal_formula)
    assert f.positive in FORMULAS.values() and f.reverse in FORMULAS.values() and f.equal in FORMULAS.values()


def test_no_other_module_of_the_core_computes_a_proportional_score() -> None:
    """W×A/B lives in scorer/formulas.py: a product divided by a name elsewhere would be a second copy."""
    for path in (ROOT / "scorer").glob("*.py"):
        if path.name == "formulas.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div) and isinstance(node.left, ast.BinOp):
                inner = node.left
                names = {n.id for n in ast.walk(inner) if isinstance(n, ast.Name)} | {
                    n.attr for n in ast.walk(inner) if isinstance(n, ast.Attribute)
                }
                assert not (isinstance(inner.op, ast.Mult) and {"w", "weight"} & names), (path.name, node.lineno)
