"""A comparator before a date makes it a deadline, as 「…前」 does (scorer/cell_dates.py).

Real 时效指标 targets are written ``≤2024年12月31日``, ``不晚于2024.12``, ``<2024年12月``. Before, the
quantity reader refused the first (「数值格式有误」) and read ``≤2024.12`` as the decimal 2024.12 with
no unit, so October's ``≤2024.10`` was the number 2024.1, and an actual of September 2024 (2024.9)
was "over" it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from scorer.cell_values import DateValue
from scorer.cells import CellError, CellKind, Comparator, read_cell
from scorer.engine import score_indicator
from scorer.model import Indicator
from scorer.result import Status
from scorer.rules import load as load_rules

RULES = load_rules("national-2020")
BY = ["≤", "<=", "<", "＜", "≦", "不晚于", "不迟于", "早于", "不超过"]
NOT_BY = ["≥", ">=", ">", "不低于", "高于", "不早于", "晚于", "迟于"]  # the last three: was text, no reason


def _score(target: str, actual: str) -> object:
    ind = Indicator("产出指标", "时效指标", "完成时间", target, actual)
    return score_indicator(ind, Decimal(10), "表中", RULES, year=2024)


@pytest.mark.parametrize(
    ("cell", "date"),
    [
        ("≤2024年12月31日", DateValue(2024, 12, 31)),
        ("≤2024.12", DateValue(2024, 12, None)),
        ("≤2024.10", DateValue(2024, 10, None)),  # not the decimal 2024.1
        ("<= 2024-12-31", DateValue(2024, 12, 31)),
        ("＜2024/6", DateValue(2024, 6, None)),
        ("不晚于2024年12月", DateValue(2024, 12, None)),
        ("不迟于2024年6月30日前", DateValue(2024, 6, 30)),
        ("≤2024年底", DateValue(2024, 12, 31)),
        ("≤2024年", DateValue(2024, 12, None, whole_year=True)),
        ("≤9月30日", DateValue(None, 9, 30)),
        ("≤二〇二四年", DateValue(2024, 12, None, whole_year=True)),  # was refused: 比较符后没有数值
        ("不晚于二〇二四年十月底", DateValue(2024, 10, None)),
    ],
)
def test_a_date_after_a_deadline_comparator_is_a_deadline(cell: str, date: DateValue) -> None:
    c = read_cell(cell)
    assert not isinstance(c, CellError), c
    assert (c.kind, c.date, c.comparator) == (CellKind.DATE, date, Comparator.LE)


@pytest.mark.parametrize(
    ("target", "actual", "status"),
    [
        ("≤2024.10", "2024.9", Status.MET),  # was 部分达成: 2024.9 > 2024.1
        ("≤2024年12月31日", "2024年11月30日", Status.MET),
        ("≤2024年12月31日", "2025年1月10日", Status.PARTLY),
        ("不晚于2024年6月30日", "2024年6月30日", Status.MET),
        ("≤2024.12", "2024年12月", Status.MET),
    ],
)
def test_a_compared_deadline_is_scored_as_one(target: str, actual: str, status: Status) -> None:
    r = _score(target, actual)
    assert r.status is status, r.explanation  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("word", "date"),
    [
        *((w, d) for w in NOT_BY for d in ("2024年12月31日", "2024-12-31", "2024年12月", "2024年底", "2024年第三季度")),
        *((w, d) for w in ("不早于", "晚于", "迟于") for d in ("2024.12", "2024年", "12月")),  # only a time follows
    ],
)
def test_a_date_no_earlier_than_is_for_judgement_with_its_reason(word: str, date: str) -> None:
    """A date is scored as a deadline; 「≥2024年1月」 would be scored the wrong way round."""
    c = read_cell(word + date)
    assert not isinstance(c, CellError) and c.kind is CellKind.TEXT, c
    r = _score(word + date, "2024年6月")
    assert r.status is Status.JUDGEMENT, r.explanation  # type: ignore[attr-defined]
    said = f"中的日期「{date}」前有「{'≥' if word == '>=' else word}」，即不早于该日期"
    assert any(said in p.message for p in r.problems), r.problems  # type: ignore[attr-defined]


_DATES = hst.one_of(
    hst.builds(lambda y, m, d: f"{y}年{m}月{d}日", hst.integers(2019, 2026), hst.integers(1, 12), hst.integers(1, 28)),
    hst.builds(lambda y, m: f"{y}.{m}", hst.integers(2019, 2026), hst.integers(1, 12)),
    hst.builds(
        lambda y, m, d: f"{y}-{m:02d}-{d:02d}", hst.integers(2019, 2026), hst.integers(1, 12), hst.integers(1, 28)
    ),
    hst.builds(lambda y, m: f"{y}年{m}月底", hst.integers(2019, 2026), hst.integers(1, 12)),
)
_ACTUALS = hst.builds(
    lambda y, m, d: f"{y}年{m}月{d}日", hst.integers(2023, 2025), hst.integers(1, 12), hst.integers(1, 28)
)


@settings(max_examples=150, deadline=None)
@given(hst.sampled_from(BY), _DATES, _ACTUALS)
def test_any_deadline_comparator_scores_as_the_bare_date(word: str, date: str, actual: str) -> None:
    """≤D, 不晚于D … read the date D reads, and score every actual as D does."""
    bare, compared = read_cell(date), read_cell(word + date)
    assert not isinstance(bare, CellError) and not isinstance(compared, CellError), (bare, compared)
    assert (compared.kind, compared.date, compared.comparator) == (CellKind.DATE, bare.date, Comparator.LE)
    a, b = _score(date, actual), _score(word + date, actual)
    assert (a.status, a.score) == (b.status, b.score)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- quarters and half-years


@pytest.mark.parametrize(
    ("cell", "date", "cmp"),
    [
        ("第三季度末前", DateValue(None, 9, None, months=3), Comparator.LE),
        ("2024年第三季度", DateValue(2024, 9, None, months=3), Comparator.NONE),
        ("2024年四季度末", DateValue(2024, 12, None, months=3), Comparator.NONE),
        ("1季度", DateValue(None, 3, None, months=3), Comparator.NONE),
        ("≤3季度末", DateValue(None, 9, None, months=3), Comparator.LE),
        ("上半年", DateValue(None, 6, None, months=6), Comparator.NONE),
        ("2024年下半年底前", DateValue(2024, 12, None, months=6), Comparator.LE),
    ],
)
def test_a_quarter_or_a_half_year_is_the_span_of_its_months(cell: str, date: DateValue, cmp: Comparator) -> None:
    """Before, each was text, so every 时效指标 written by quarter was 待判断."""
    c = read_cell(cell)
    assert not isinstance(c, CellError), c
    assert (c.kind, c.date, c.comparator) == (CellKind.DATE, date, cmp)


@pytest.mark.parametrize("cell", ["三季度前", "上半年前", "≥3个季度", "每季度"])
def test_what_a_quarter_before_means_is_not_guessed(cell: str) -> None:
    """「三季度前」: before the quarter begins, or by its end? Not a date; a count of quarters stays a count."""
    c = read_cell(cell)
    assert isinstance(c, CellError) or c.kind is not CellKind.DATE


@pytest.mark.parametrize(
    ("target", "actual", "status", "reason"),
    [
        ("第三季度末前", "2024年9月20日", Status.MET, ""),
        ("第三季度末前", "2024年第三季度", Status.MET, ""),  # the quarter ends on the deadline
        ("第三季度末前", "2024年10月8日", Status.PARTLY, ""),
        ("2024年12月31日前", "2024年下半年", Status.MET, ""),
        ("上半年", "2024年5月", Status.MET, ""),
        ("2024年8月15日前", "2024年第三季度", Status.JUDGEMENT, "只写到季度"),  # July 1 to Sept 30
        ("2024年6月30日前", "2024年第三季度", Status.JUDGEMENT, "逾期多少无法计算"),  # begins after the deadline
        ("上半年", "2024年下半年", Status.JUDGEMENT, "逾期多少无法计算"),
        ("2024年9月前", "2024年第三季度", Status.MET, ""),
    ],
)
def test_a_quarter_decides_what_it_can(target: str, actual: str, status: Status, reason: str) -> None:
    r = _score(target, actual)
    assert r.status is status, r.explanation  # type: ignore[attr-defined]
    if reason:
        assert any(reason in p.message for p in r.problems), r.problems  # type: ignore[attr-defined]


def test_a_quarter_deadline_says_how_it_is_read() -> None:
    r = _score("第三季度末前", "2024年9月20日")
    assert "「第三季度末前」按该季度最后一天 2024-09-30 理解" in r.explanation  # type: ignore[attr-defined]


# ---------------------------------------------------------------- a count of months stays a count


@pytest.mark.parametrize(
    ("cell", "cmp", "months"),
    [
        ("≥24月", Comparator.GE, 24),  # 质保期: was refused as 「月份 24 不存在」, a whole form's import with it
        ("≤18月", Comparator.LE, 18),
        ("不少于12月", Comparator.GE, 12),  # was 待判断 as a date 「不早于」
        ("≤6月", Comparator.LE, 6),  # was a deadline in June
        ("<6月", Comparator.LT, 6),
    ],
)
def test_a_bare_month_after_a_comparator_is_a_count_of_months(cell: str, cmp: Comparator, months: int) -> None:
    """As before dates after comparators were read: a number of months (≤12个月 written short)."""
    c = read_cell(cell)
    assert not isinstance(c, CellError), c
    assert (c.kind, c.comparator, c.value, c.unit) == (CellKind.QUANTITY, cmp, Decimal(months), "月"), c


@pytest.mark.parametrize("cell", ["不晚于12月", "早于6月", "不迟于9月"])
def test_a_bare_month_after_a_word_only_a_time_takes_is_a_deadline(cell: str) -> None:
    c = read_cell(cell)
    assert not isinstance(c, CellError), c
    assert (c.kind, c.comparator) == (CellKind.DATE, Comparator.LE), c


def test_a_warranty_in_months_still_scores() -> None:
    ind = Indicator("产出指标", "质量指标", "质保期", "≥24月", "36个月")
    r = score_indicator(ind, Decimal(10), "表中", RULES, year=2024)
    assert r.status is Status.MET, r.explanation  # type: ignore[attr-defined]


# ---------------------------------------------------------------- shown as read


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("第三季度末前", "第三季度末前"),  # not 「第三季度前」, which is not guessed (before it begins?)
        ("≤3季度", "第三季度末前"),
        ("2024年下半年底前", "2024年下半年末前"),
        ("≤2024年", "2024年末前"),  # not 「2024年前」, before 2024
        ("≤2024.12", "2024年12月底前"),
        ("2024年第三季度", "2024年第三季度"),
    ],
)
def test_a_span_deadline_is_shown_by_its_end(cell: str, shown: str) -> None:
    c = read_cell(cell)
    assert not isinstance(c, CellError), c
    assert c.display() == shown
