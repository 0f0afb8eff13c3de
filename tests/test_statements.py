"""Rows that answer a standard, not a target (issue 16): criteria rows read from their 情况说明,
yes/no question targets, and comparator words written after the number."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from scorer.cells import Comparator, read_cell
from scorer.engine import score_indicator
from scorer.model import Indicator
from scorer.result import Status
from scorer.rules import load as load_rules
from scorer.statements import Answer, answer, compliance, is_question

RULES = load_rules("national-2020")
W = Decimal(6)


def _row(level1: str, target: str, actual: str, name: str = "拨付合规性") -> object:
    return score_indicator(Indicator(level1, "", name, target, actual), W, "表中", RULES)


# ------------------------------------------------- criteria rows (决策/过程/管理) with a 情况说明

KEPT = [
    "按规定拨付",
    "按要求履行责任",
    "资金已拨付至影院",
    "全区共1家影院,资金全部拨付至该影院",
    "目标明确、内容细化、目标量化",
    "按照学校管理标准对学校进行管理",
    "严格执行相关管理制度",
    "资料齐全，账实相符",
]
NOT_KEPT = ["未按规定拨付", "目标不明确", "资金尚未拨付", "未按要求履行责任", "制度不规范"]
SILENT = ["实际工作需求", "有资金测第标准", "见附件", "情况说明另附"]


@pytest.mark.parametrize("level1", ["资金管理情况", "项目决策", "项目管理", "过程", "决策指标"])
@pytest.mark.parametrize("actual", KEPT)
@pytest.mark.parametrize("target", ["", "-", "一"])
def test_a_statement_that_the_standard_was_kept_is_met_in_full(level1: str, actual: str, target: str) -> None:
    r = _row(level1, target, actual)
    assert r.status is Status.MET, r.explanation  # type: ignore[attr-defined]
    assert r.score == W  # type: ignore[attr-defined]
    assert any("评价标准" in line or "定性" in line for line in r.explanation)  # type: ignore[attr-defined]


@pytest.mark.parametrize("actual", NOT_KEPT)
def test_a_negated_statement_is_never_read_as_kept(actual: str) -> None:
    r = _row("资金管理情况", "", actual)
    assert r.status is not Status.MET, r.explanation  # type: ignore[attr-defined]
    assert compliance(actual) is None or r.status is not Status.MET  # type: ignore[attr-defined]


@pytest.mark.parametrize("actual", SILENT)
def test_a_statement_that_does_not_say_is_for_a_person_with_the_reason(actual: str) -> None:
    r = _row("项目决策", "", actual)
    assert r.status is Status.JUDGEMENT  # type: ignore[attr-defined]
    assert any("未写明是否符合标准" in p.message and actual in p.message for p in r.problems)  # type: ignore[attr-defined]


@pytest.mark.parametrize("actual", ["按规定拨付", "目标明确"])
def test_compliance_words_count_only_on_criteria_rows(actual: str) -> None:
    r = _row("产出指标", "", actual, name="数量")
    assert r.status is Status.JUDGEMENT  # type: ignore[attr-defined]


def test_a_numeric_target_on_a_criteria_row_is_still_compared_as_a_number() -> None:
    r = _row("过程", "≥90%", "95%", name="预算执行率")
    assert r.status is Status.MET and any("95" in line for line in r.explanation)  # type: ignore[attr-defined]
    assert _row("过程", "≥90%", "按规定执行", name="预算执行率").status is not Status.MET  # type: ignore[attr-defined]


@given(hst.sampled_from(["未", "不", "没有", "尚未", "无"]), hst.sampled_from(["按规定", "明确", "按要求", "履行"]))
@settings(max_examples=40, deadline=None)
def test_any_negation_just_before_a_compliance_word_takes_it_away(neg: str, word: str) -> None:
    assert compliance(f"资金{neg}{word}使用") is None


# ------------------------------------------------------------------- yes/no question targets


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        ("有利于推动企业走出去", Status.MET),
        ("是", Status.MET),
        ("已实现", Status.MET),
        ("否", Status.MISSED),
        ("不是", Status.MISSED),
        ("没有明显作用", Status.MISSED),
        ("作用不明显", Status.MISSED),
        ("有一定作用但未完全实现", Status.PARTLY),
        ("企业走出去", Status.JUDGEMENT),
    ],
)
def test_a_question_target_is_answered_by_the_actual(actual: str, status: Status) -> None:
    r = score_indicator(
        Indicator("效益指标", "可持续影响指标", "推动企业走出去方面发挥的作用", "是否利于企业走出去", actual),
        Decimal(10),
        "表中",
        RULES,
    )
    assert r.status is status, r.explanation  # type: ignore[attr-defined]


def test_question_reading_is_plain() -> None:
    assert is_question("是否 及时")
    assert not is_question("及时是否")
    assert answer("是，全部完成") == answer("是") and answer("是").answer is Answer.YES  # type: ignore[union-attr]
    assert answer("否").answer is Answer.NO  # type: ignore[union-attr]
    assert answer("基本") is None


# --------------------------------------------------------- comparator words after the number


@pytest.mark.parametrize(
    ("cell", "comparator"),
    [
        ("15%及其以下", Comparator.LE),
        ("15%以及以下", Comparator.LE),
        ("3次及其以上", Comparator.GE),
        ("95%以及以上", Comparator.GE),
    ],
)
def test_suffix_comparator_words(cell: str, comparator: Comparator) -> None:
    c = read_cell(cell)
    assert c.comparator is comparator and c.value in (Decimal(15), Decimal(3), Decimal(95))


def test_a_ceiling_written_after_the_number_is_met_at_the_ceiling() -> None:
    r = score_indicator(
        Indicator("成本指标", "经济成本指标", "资金节约率", "15%及其以下", "15%及其以下"), W, "表中", RULES
    )
    assert r.status is Status.MET, r.explanation  # type: ignore[attr-defined]


# ------------------------------------------------ tier words: positive adjectives and negations


@pytest.mark.parametrize(
    ("actual", "status"),
    [
        ("便捷、快速运用", Status.MET),
        ("办理高效", Status.MET),
        ("道路畅通", Status.MET),
        ("全天候", Status.MET),
        ("不便捷", Status.MISSED),
        ("效果不明显", Status.MISSED),
        ("没有实现", Status.MISSED),
        ("未完全实现", Status.PARTLY),
        ("不完全落实", Status.PARTLY),
    ],
)
def test_tier_words_and_the_negation_before_them(actual: str, status: Status) -> None:
    r = score_indicator(Indicator("产出指标", "质量指标", "运行状况", "便于信息化应用", actual), W, "表中", RULES)
    assert r.status is status, r.explanation  # type: ignore[attr-defined]


# ------------------------------------------------- 较- words (docs/domain.md): the 部分达成 tier, scale or not


@pytest.mark.parametrize(
    ("target", "actual", "status"),
    [
        ("加大文物保护,展示文物价值", "程度较高", Status.PARTLY),
        ("企业把握正确政治导向和文化方向情况的评价", "企业较好把握正确政治导向和文化方向情况的评价", Status.PARTLY),
        ("效果明显", "效果较明显", Status.PARTLY),
        ("好/较好/一般/差", "较好", Status.PARTLY),
        ("好/较好/一般/差", "好", Status.MET),
        ("效果明显", "效果明显", Status.MET),
        ("效果明显", "效果较差", Status.MISSED),
    ],
)
def test_a_qualified_word_is_the_partly_tier(target: str, actual: str, status: Status) -> None:
    r = _row("效益指标", target, actual, name="社会效益")
    assert r.status is status, r.explanation  # type: ignore[attr-defined]
    if status is Status.PARTLY:
        assert r.score is not None and Decimal(0) < r.score < W  # type: ignore[attr-defined]
