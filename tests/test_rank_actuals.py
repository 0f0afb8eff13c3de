"""A rank written as an actual: 前M名 says only "somewhere in the top M". Against 前N名 with M ≤ N it
is achieved; with M > N it may or may not be, so 待判断 with the reason, never a score by formula
(it was scored as if the actual were the M-th place). An exact place (第M名) is scored as before."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scorer.engine import score_indicator
from scorer.model import Indicator
from scorer.result import Status
from scorer.rules import load

RULES = load("national-2020")


def _row(target: str, actual: str):  # type: ignore[no-untyped-def]
    ind = Indicator("效益指标", "社会效益指标", "全省排名", target, actual, weight=Decimal(10))
    return score_indicator(ind, Decimal(10), "form", RULES, year=2024)


@pytest.mark.parametrize(
    ("target", "actual", "status", "score"),
    [
        ("前20名", "前15名", Status.MET, Decimal("10.00")),
        ("前15名", "前15名", Status.MET, Decimal("10.00")),
        ("前十五名", "前十名", Status.MET, Decimal("10.00")),
        ("前10名", "前15名", Status.JUDGEMENT, None),
        ("前10名", "排名前十五", Status.JUDGEMENT, None),
        ("前10名", "全省前15名以内", Status.JUDGEMENT, None),
        ("第3名", "前5名", Status.JUDGEMENT, None),
        ("第3名", "前2名", Status.MET, Decimal("10.00")),
        ("前10名", "第8名", Status.MET, Decimal("10.00")),
        ("前10名", "第10名", Status.MET, Decimal("10.00")),
        ("前10名", "第15名", Status.PARTLY, Decimal("6.67")),  # an exact place: the reverse formula
        ("前10名", "名列前茅", Status.JUDGEMENT, None),
    ],
)
def test_a_rank_actual(target: str, actual: str, status: Status, score: Decimal | None) -> None:
    r = _row(target, actual)
    assert (r.status, None if r.score is None else r.score.quantize(Decimal("0.01"))) == (status, score)
    if status is Status.JUDGEMENT and "前" in actual and "茅" not in actual:
        assert "无法判断是否达到目标值" in " ".join(r.explanation) and target in " ".join(r.explanation)


@given(n=st.integers(1, 200), m=st.integers(1, 200))
def test_top_m_against_top_n_is_achieved_or_undecided_never_a_formula(n: int, m: int) -> None:
    r = _row(f"前{n}名", f"前{m}名")
    if m <= n:
        assert (r.status, r.score) == (Status.MET, Decimal("10.00"))
    else:
        assert (r.status, r.score) == (Status.JUDGEMENT, None)
