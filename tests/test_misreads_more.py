"""More classes of misreads found on real published forms (issue 16), each beyond its example.

The examples are rows of the 江西 部门整体表 in tests/corpus (2021-jiangxi-nanchang-cancha).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from scorer.engine import score_indicator
from scorer.model import Indicator
from scorer.result import ProblemCode, Status
from scorer.rules import load as load_rules

RULES = load_rules("national-2020")
W = Decimal(10)


def _score(target: str, actual: str, name: str = "数量", level2: str = "数量指标", deviation: str = "") -> object:
    ind = Indicator("产出指标", level2, name, target, actual, deviation=deviation)
    return score_indicator(ind, W, "表中", RULES)


# ------------------------------------------ a target measured against last year, with no amount
# 业务收入「超上年度」, 完成值「增收27万元」: the target names a direction only, as 增加 does.


@pytest.mark.parametrize(
    ("target", "actual", "status"),
    [
        ("超上年度", "增收27万元", Status.MET),  # the form's row
        ("超上年", "增长5%", Status.MET),
        ("超过上年度", "增加120人次", Status.MET),
        ("高于上年", "提高2个百分点", Status.MET),
        ("比上年增长", "增3户", Status.MET),
        ("较上年提高", "提升 1.5%", Status.MET),
        ("多于上年", "减少4人", Status.MISSED),  # the other way
        ("超上年度", "增收0万元", Status.MISSED),  # no change
        ("低于上年", "下降3%", Status.MET),
        ("比上年减少", "减少1.2万元", Status.MET),
        ("较上年下降", "增长5%", Status.MISSED),
        ("少于上年度", "减少2起", Status.MET),
        ("超上年度", "100万元", Status.JUDGEMENT),  # a level, not a change: last year's is not on the form
        ("超上年度", "增收较多", Status.JUDGEMENT),  # no amount
        ("超上年2%", "增长1%", Status.JUDGEMENT),  # an amount in the target: not a direction only
    ],
)
def test_a_target_against_last_year_names_a_direction(target: str, actual: str, status: Status) -> None:
    r = _score(target, actual, name="业务收入", level2="经济效益指标")
    assert r.status is status, r.explanation  # type: ignore[attr-defined]


# ------------------------------------------ a completion word against a target of the whole
# 健康档案管理率 100%, 完成值「完成」: done is all of a rate that counts how much was done.


@pytest.mark.parametrize(
    ("name", "target", "actual", "status"),
    [
        ("任务2:健康档案管理率", "100%", "完成", Status.MET),  # the form's row
        ("资金拨付率", "≥100%", "已全部完成", Status.MET),
        ("项目完成率", "=100%", "全部完成。", Status.MET),
        ("政策落实率", "100%", "已完成", Status.MET),
        ("补贴发放率", "100％", "圆满完成", Status.MET),  # full-width ％
        ("任务2:健康档案管理率", "≥95%", "完成", Status.JUDGEMENT),  # how much of it?
        ("任务2:健康档案管理率", "100%", "完成95%", Status.JUDGEMENT),  # the cell says more
        ("任务2:健康档案管理率", "100%", "完成建档", Status.JUDGEMENT),
        ("任务2:健康档案管理率", "100%", "完成（3户未入户）", Status.JUDGEMENT),  # a note says more
        ("任务2:健康档案管理率", "100%", "基本完成", Status.JUDGEMENT),  # a partial word is no full claim
        ("任务2:健康档案管理率", "≤100%", "完成", Status.JUDGEMENT),
        ("任务2:健康档案管理率", "约100%", "完成", Status.JUDGEMENT),
        ("验收合格率", "100%", "完成", Status.JUDGEMENT),  # a rate of how well: done says nothing of it
        ("群众满意度", "100%", "完成", Status.JUDGEMENT),
        ("健康档案管理数", "100户", "完成", Status.JUDGEMENT),  # a count, not the whole
        ("任务2:健康档案管理率", "100%", "未完成", Status.MISSED),
    ],
)
def test_a_completion_word_meets_a_target_of_the_whole(name: str, target: str, actual: str, status: Status) -> None:
    r = _score(target, actual, name=name, level2="质量指标")
    assert r.status is status, r.explanation  # type: ignore[attr-defined]
    if status is Status.MET:
        assert "目标为 100%" in "；".join(r.explanation)  # type: ignore[attr-defined]


# ------------------------------------------ an empty actual beside a stated deviation
# 医疗文书及时率「按规定时限」, 完成值空, 偏差原因「个别人未及时完成」: the unit explained a shortfall;
# it did not leave the row unfilled. How far it got is not on the form: 待判断, not 未填报 0 分.


@pytest.mark.parametrize(
    ("target", "actual", "deviation", "status"),
    [
        ("按规定时限", "", "个别人未及时完成", Status.JUDGEMENT),  # the form's rows
        ("按规定时限", "", "录入有延迟", Status.JUDGEMENT),
        ("≥95%", "", "部分资金年底才到位", Status.JUDGEMENT),
        ("≤24小时", "/", "个别工单超时", Status.JUDGEMENT),
        ("100户", "——", "2户外出务工，未能入户", Status.JUDGEMENT),
        ("按规定时限", "", "", Status.EMPTY),  # nothing said: unfilled, as before
        ("按规定时限", "", "无", Status.EMPTY),
        ("≥95%", "", " / ", Status.EMPTY),
        ("≥95%", "", "无偏差。", Status.EMPTY),
        ("", "", "个别人未及时完成", Status.EMPTY),  # no target either: nothing to judge against
    ],
)
def test_an_empty_actual_with_a_stated_deviation_is_judged_not_zeroed(
    target: str, actual: str, deviation: str, status: Status
) -> None:
    r = _score(target, actual, name="医疗文书及时率", level2="时效指标", deviation=deviation)
    assert r.status is status, r.explanation  # type: ignore[attr-defined]
    codes = {p.code for p in r.problems}  # type: ignore[attr-defined]
    assert ProblemCode.EMPTY_ACTUAL in codes  # the cell is still empty: the filler is still told
    if status is Status.JUDGEMENT:
        assert r.score is None  # type: ignore[attr-defined]
        assert deviation.strip() in "；".join(r.explanation)  # type: ignore[attr-defined]
    else:
        assert r.score == 0  # type: ignore[attr-defined]


# ------------------------------------------ a change asked by an amount, a change stated
# 公卫 签约率「提高1%」/ 体检率「提高2%」 against 「提高1%」/「下降1%」: the amounts compare as a positive
# target would (a bigger change that way is better); the other way, or none, is 未达成.


@pytest.mark.parametrize(
    ("target", "actual", "status", "score"),
    [
        ("提高2%", "提高1%", Status.PARTLY, Decimal(5)),  # W × B / A
        ("提高2%", "下降1%", Status.MISSED, Decimal(0)),  # the form's 体检率, the other way
        ("提高1%", "提高1.5%", Status.MET, W),
        ("增长10%", "增长0%", Status.MISSED, Decimal(0)),  # no change
        ("减少5万元", "减少3万元", Status.PARTLY, Decimal(6)),  # a reduction asked: more of it is better
        ("减少5万元", "减少7万元", Status.MET, W),
        ("下降2个百分点", "下降1个百分点", Status.PARTLY, Decimal(5)),
        ("降低5万元", "增加1万元", Status.MISSED, Decimal(0)),
        ("增加200人次", "增372人次", Status.MET, W),
        ("提高2%", "提高2个百分点", Status.JUDGEMENT, None),  # percent is not points
        ("减少5万元", "减少50000元", Status.JUDGEMENT, None),  # units as written only
        ("提高0%", "提高1%", Status.JUDGEMENT, None),  # nothing asked
        ("提高2%", "提高较多", Status.JUDGEMENT, None),  # no amount
        ("提高2%", "95%", Status.JUDGEMENT, None),  # a level, not a change
    ],
)
def test_a_change_asked_by_an_amount_is_held_to_the_change_stated(
    target: str, actual: str, status: Status, score: Decimal | None
) -> None:
    r = _score(target, actual, name="体检率", level2="社会效益指标")
    assert (r.status, r.score) == (status, score), r.explanation  # type: ignore[attr-defined]
