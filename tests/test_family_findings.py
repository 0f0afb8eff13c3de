"""One finding per fact for a parent row (父项) and its sub-rows (子项): a parent whose recorded score is
not its sub-rows' sum is family-sum, not also recorded-differs; a sub-row's own difference is told once, on it."""

from __future__ import annotations

import dataclasses

import pytest

from jixiao.checks import run_form_checks
from jixiao.scoring import score_form
from scorer.model import Indicator, Recorded
from scorer.result import ProblemCode
from tests.test_checks import D, _family, make

PARENT, KID2 = "培训人次", "2、子项"
KINDS = ("family-sum", "recorded-differs-unexplained", "recorded-differs-explained")


def family(score: int | None, scores: list[int] | None, kid2_actual: str = "", reason: str = "") -> list[Indicator]:
    """A parent of 16 over two sub-rows of 8; the second sub-row's actual lowered when given."""
    rows = _family(16, [8, 8], score, scores)
    if kid2_actual:
        rows[2] = dataclasses.replace(rows[2], actual=kid2_actual)
    if reason and rows[0].recorded is not None:
        rows[0] = dataclasses.replace(rows[0], recorded=Recorded(rows[0].recorded.score, reason))
    return rows


# (parent recorded, sub-rows recorded, second sub-row's actual, parent's reason) -> (check, row) findings
CASES = [
    # the parent says 16, its sub-rows 8 + 6, and the rules give 8 + 4: family-sum on the parent,
    # the sub-row's own difference on the sub-row, and nothing more on the parent
    ((16, [8, 6], "25 人次", ""), {("family-sum", PARENT), ("recorded-differs-unexplained", KID2)}),
    ((16, [8, 4], "25 人次", ""), {("family-sum", PARENT)}),
    ((16, [8, 4], "25 人次", "酌情"), {("family-sum", PARENT)}),
    # the parent's 14 is its sub-rows' sum: the difference is the sub-row's, told once
    ((14, [8, 6], "", ""), {("recorded-differs-unexplained", KID2)}),
    ((16, [8, 8], "", ""), set()),
    # sub-rows without recorded scores: the parent's own difference, against its sub-rows' rule sum (12)
    ((14, None, "25 人次", ""), {("recorded-differs-unexplained", PARENT)}),
    ((14, None, "25 人次", "酌情"), {("recorded-differs-explained", PARENT)}),
    ((12, None, "25 人次", ""), set()),
]


@pytest.mark.parametrize(("case", "expected"), CASES)
def test_one_finding_per_fact(case: tuple, expected: set[tuple[str, str]]) -> None:
    result = score_form(make(family(*case)))
    got = {(f.check_id, f.indicator) for f in run_form_checks(result) if f.check_id in KINDS}
    assert got == expected
    parent_differs = [
        p for p in result.all_problems if p.code is ProblemCode.RECORDED_DIFFERS and p.indicator == PARENT
    ]
    assert bool(parent_differs) == (("recorded-differs-unexplained", PARENT) in expected)


def test_the_parent_is_compared_with_its_sub_rows_sum_not_its_own_cells() -> None:
    (p,) = [p for p in score_form(make(family(14, None, "25 人次"))).all_problems if p.indicator == PARENT]
    assert "规则得分 12.00" in p.message
    assert D(12) == score_form(make(family(14, None, "25 人次"))).indicators[0].score
