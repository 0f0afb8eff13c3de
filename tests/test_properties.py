"""Hypothesis properties of the parser and the scoring rules."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.cells import CellError, CellKind, parse_cell
from scorer.engine import score_indicator
from scorer.model import Indicator
from scorer.rules import available, load
from scorer.units import resolve

CMPS = ["", "≥", ">", "=", "≤", "<", "≧", "≦", "不低于", "不超过", "以内", "达到", "为"]
UNITS = ["", "户", "家", "次", "人次", "%", "万元", "元", "小时", "天", "个", "G", "亿条", "份"]
WORDS = [
    "完成",
    "圆满完成",
    "基本完成",
    "未完成",
    "全年无故障",
    "定性指标",
    "减少",
    "有效保障",
    "年度更新",
    "达到预期指标",
]

cell_text = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda c, n, u: f"{c}{n}{u}",
        st.sampled_from(CMPS),
        st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False).map(str),
        st.sampled_from(UNITS),
    ),
    st.sampled_from(WORDS),
    st.text(alphabet="≥≤<>=0123456789.,%万亿元户次（）() -~至前第排名年月日底", max_size=20),
)


@settings(max_examples=600, deadline=None)
@given(cell_text)
def test_parser_raises_only_its_own_error(text: str) -> None:
    try:
        cell = parse_cell(text)
    except CellError as exc:
        assert exc.text == text
    else:
        assert cell.raw == text


amounts = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("1000000"), places=2, allow_nan=False, allow_infinity=False
)
weights = st.decimals(
    min_value=Decimal("0.5"), max_value=Decimal("50"), places=2, allow_nan=False, allow_infinity=False
)
directions = st.sampled_from(["≥", "≤", "=", ""])
rule_sets = st.sampled_from(available())


def _score(cmp: str, a: Decimal, b: Decimal, w: Decimal, rules: str, name: str = "新增户数") -> Decimal | None:
    ind = Indicator("产出指标", "数量指标", name, f"{cmp}{a}户", f"{b}户")
    return score_indicator(ind, w, "form", load(rules), year=2024).score


@settings(max_examples=400, deadline=None)
@given(directions, amounts, amounts, weights, rule_sets)
def test_score_between_zero_and_weight(cmp: str, a: Decimal, b: Decimal, w: Decimal, rules: str) -> None:
    s = _score(cmp, a, b, w, rules)
    assert s is not None
    assert Decimal(0) <= s <= w


@settings(max_examples=400, deadline=None)
@given(amounts, amounts, amounts, weights, rule_sets)
def test_better_actual_never_lowers_a_positive_score(
    a: Decimal, b1: Decimal, b2: Decimal, w: Decimal, rules: str
) -> None:
    lo, hi = sorted((b1, b2))
    assert _score("≥", a, hi, w, rules) >= _score("≥", a, lo, w, rules)  # type: ignore[operator]


@settings(max_examples=400, deadline=None)
@given(amounts, amounts, amounts, weights, rule_sets)
def test_better_actual_never_lowers_a_reverse_score(
    a: Decimal, b1: Decimal, b2: Decimal, w: Decimal, rules: str
) -> None:
    lo, hi = sorted((b1, b2))
    assert _score("≤", a, lo, w, rules, "修复时间") >= _score("≤", a, hi, w, rules, "修复时间")  # type: ignore[operator]


def _base(text: str) -> tuple[str, Decimal]:
    cell = parse_cell(text)
    assert cell.kind is CellKind.QUANTITY and cell.value is not None
    unit = resolve(cell.unit) if cell.unit else None
    return (unit.dimension if unit else ""), cell.value * (unit.factor if unit else 1)


@given(st.integers(min_value=0, max_value=10**6))
def test_days_equal_hours(n: int) -> None:
    assert _base(f"{n}天") == _base(f"{n * 24}小时")


@given(st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False))
def test_yi_equals_ten_thousand_wan(n: Decimal) -> None:
    assert _base(f"{n}亿元") == _base(f"{n * 10000}万元")
    assert _base(f"{n}亿") == _base(f"{n * 10000}万")


@given(st.sampled_from(["户", "家", "人", "人次", "次"]), st.sampled_from(["万元", "小时", "%", "G"]))
def test_counting_units_never_compare_with_other_kinds(count: str, other: str) -> None:
    ind = Indicator("产出指标", "数量指标", "数量", f"≥10{count}", f"12{other}")
    r = score_indicator(ind, Decimal(10), "form", load("national-2020"))
    assert r.status.value == "judgement" and r.score is None
