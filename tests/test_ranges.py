"""Two-sided ranges and estimates in targets and actuals (scorer/ranges.py, scorer/approximate.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorer.cells import CellKind, Comparator, parse_cell
from scorer.engine import score_indicator
from scorer.model import Indicator
from scorer.result import Status
from scorer.rules import load

D = Decimal
NAT = load("national-2020")
LIN = load("linear-capped")


def row(target: str, actual: str, name: str = "服务人数", rules=NAT):  # type: ignore[no-untyped-def]
    ind = Indicator(level1="产出指标", level2="数量指标", name=name, target=target, actual=actual)
    return score_indicator(ind, D(10), "form", rules, year=2024)


@pytest.mark.parametrize(
    ("cell", "lo", "hi", "unit", "low_open", "high_open"),
    [
        ("≥95%且≤100%", "95", "100", "%", False, False),
        ("≤100%且≥95%", "95", "100", "%", False, False),
        ("95%-100%", "95", "100", "%", False, False),
        ("95%～100%", "95", "100", "%", False, False),
        ("90%至95%", "90", "95", "%", False, False),
        ("不低于95%且不高于100%", "95", "100", "%", False, False),
        ("大于90%小于95%", "90", "95", "%", True, True),
        (">90%且≤95%", "90", "95", "%", True, False),
        ("3-5天", "3", "5", "天", False, False),
        ("介于90%和95%之间", "90", "95", "%", False, False),
        ("介于3至5天之间", "3", "5", "天", False, False),
        ("在90%到95%之间", "90", "95", "%", False, False),
        ("90%~95%之间", "90", "95", "%", False, False),
        ("1,000-2,000人", "1000", "2000", "人", False, False),
        ("控制在90%-95%", "90", "95", "%", False, False),
    ],
)
def test_a_two_sided_range_reads_as_one_range(
    cell: str, lo: str, hi: str, unit: str, low_open: bool, high_open: bool
) -> None:
    c = parse_cell(cell)
    assert (c.kind, c.comparator, c.value, c.high, c.unit) == (CellKind.QUANTITY, Comparator.RANGE, D(lo), D(hi), unit)
    assert (c.low_open, c.high_open) == (low_open, high_open)


@pytest.mark.parametrize(
    ("cell", "value", "unit", "approx"),
    [
        ("1000余人", "1000", "人", "more"),
        ("1000多人", "1000", "人", "more"),
        ("10万余元", "100000", "元", "more"),
        ("1000余", "1000", "", "more"),
        ("约1000人", "1000", "人", "about"),
        ("1000人左右", "1000", "人", "about"),
        ("大约95%", "95", "%", "about"),
    ],
)
def test_an_estimate_reads_its_number_and_what_it_estimates(cell: str, value: str, unit: str, approx: str) -> None:
    c = parse_cell(cell)
    assert (c.kind, c.value, c.unit, c.approx.value) == (CellKind.QUANTITY, D(value), unit, approx)
    assert c.comparator is (Comparator.GT if approx == "more" else Comparator.NONE)


@pytest.mark.parametrize("cell", ["2023-2025年", "2023至2025年", "2023年至2025年之间"])
def test_a_range_of_years_is_not_a_quantity(cell: str) -> None:
    assert parse_cell(cell).kind is CellKind.TEXT
    assert row(cell, "2024年").status is Status.JUDGEMENT


def test_a_dash_is_not_a_minus_nor_a_month() -> None:
    assert parse_cell("-5%").comparator is not Comparator.RANGE
    assert parse_cell("2024-06").kind is CellKind.DATE
    assert parse_cell("5-10%").value == D(5)


@pytest.mark.parametrize(
    ("target", "actual", "status", "score"),
    [
        ("≥95%且≤100%", "98%", Status.MET, "10"),
        ("95%-100%", "100%", Status.MET, "10"),
        ("95%～100%", "90%", Status.PARTLY, "9.4737"),  # positive formula against 95: 10×90/95
        ("90%至95%", "100%", Status.PARTLY, "9.5"),  # reverse formula against 95: 10×95/100
        ("不低于95%且不高于100%", "97%", Status.MET, "10"),
        ("3-5天", "4天", Status.MET, "10"),
        ("介于90%和95%之间", "92%", Status.MET, "10"),
        ("大于90%小于95%", "90%", Status.MET, "10"),  # an excluded end met: as a one-sided >
        ("1000余人", "1200人", Status.MET, "10"),
        ("1000多人", "900人", Status.PARTLY, "9"),
        ("≥900人", "1000余人", Status.MET, "10"),
        ("≥1000人", "1000多人", Status.MET, "10"),
        ("≥1200人", "1000余人", Status.JUDGEMENT, None),
        ("95%-100%", "96%以上", Status.JUDGEMENT, None),
        ("≥800人", "约1000人", Status.MET, "10"),  # 900 to 1100: all reach 800
        ("≥1000人", "约1000人", Status.JUDGEMENT, None),  # 900 does not
        ("约1000人", "1200人", Status.MET, "10"),  # above 1100
        ("1000人左右", "1000人", Status.MET, "10"),  # the stated number meets "about" it
    ],
)
def test_ranges_and_estimates_score_as_the_rule_set_scores_one_side(
    target: str, actual: str, status: Status, score: str | None
) -> None:
    r = row(target, actual)
    assert r.status is status, r.explanation
    if score is None:
        assert r.score is None
    else:
        assert r.score is not None and r.score.quantize(D("0.0001")) == D(score).quantize(D("0.0001"))


def test_a_more_than_target_says_so_in_the_trace() -> None:
    assert any("多于 1000人" in line for line in row("1000余人", "1200人").explanation)


def test_an_estimate_left_undecided_says_why() -> None:
    assert "约数" in " ".join(row("≥1000人", "约1000人").explanation)
    assert "只说多于" in " ".join(row("≥1200人", "1000余人").explanation)


def test_above_a_range_the_linear_rule_set_uses_its_own_reverse_formula() -> None:
    r = row("90%至95%", "100%", rules=LIN)
    assert r.score is not None and r.score.quantize(D("0.0001")) == D("9.4737")  # 10×(1−5/95)


SEPARATORS = ["-", "~", "～", "至", "到", "—", "－", "〜"]
nums = st.integers(min_value=0, max_value=10**6)


@given(nums, nums, st.sampled_from(SEPARATORS), st.sampled_from(SEPARATORS), st.sampled_from(["%", "人", "天", "万元"]))
def test_any_separator_reads_the_same_range(a: int, b: int, s1: str, s2: str, unit: str) -> None:
    lo, hi = sorted((a, b))
    one, two = parse_cell(f"{lo}{unit}{s1}{hi}{unit}"), parse_cell(f"{lo}{s2}{hi}{unit}")
    assert (one.comparator, one.value, one.high, one.unit) == (two.comparator, two.value, two.high, two.unit)
    assert one.comparator is Comparator.RANGE


@given(
    st.integers(min_value=0, max_value=10**5),
    st.integers(min_value=2, max_value=10**5),
    st.data(),
    st.sampled_from(
        [
            "{lo}-{hi}{u}",
            "≥{lo}{u}且≤{hi}{u}",
            ">{lo}{u}且<{hi}{u}",
            "介于{lo}{u}和{hi}{u}之间",
            "不低于{lo}{u}且不高于{hi}{u}",
        ]
    ),
)
def test_an_actual_strictly_inside_any_range_is_met(lo: int, width: int, data: st.DataObject, form: str) -> None:
    inside = data.draw(st.integers(min_value=lo + 1, max_value=lo + width - 1))
    r = row(form.format(lo=lo, hi=lo + width, u="人"), f"{inside}人")
    assert r.status is Status.MET, r.explanation
