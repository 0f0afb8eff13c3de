"""Rule-set and engine tests: one table per rule, exact Decimal expectations."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jixiao.scoring import score_form
from scorer.engine import score_indicator
from scorer.model import Budget, Form, Goal, Indicator, Recorded
from scorer.numbers import q2
from scorer.result import Status
from scorer.rules import RuleSetError, build, load

D = Decimal
NAT = load("national-2020")
HUB = load("hubei-2020")
LIN = load("linear-capped")


def ind(
    name: str, target: str, actual: str, level1: str = "产出指标", level2: str = "数量指标", **kw: object
) -> Indicator:
    return Indicator(level1=level1, level2=level2, name=name, target=target, actual=actual, **kw)  # type: ignore[arg-type]


def one(indicator: Indicator, rules=NAT, weight: str = "10"):  # type: ignore[no-untyped-def]
    return score_indicator(indicator, D(weight), "form", rules, year=2024)


# (name, target, actual, level2, rules, status, score)
CASES = [
    # positive
    ("高新技术企业新增数", "≥75户", "75户", "数量指标", NAT, Status.MET, "10"),
    ("高新技术企业新增数", "≥75户", "60户", "数量指标", NAT, Status.PARTLY, "8"),
    ("高新技术企业新增数", "≥75户", "0户", "数量指标", NAT, Status.MISSED, "0"),
    ("企业集聚数量", "> 200 家", "680 家", "数量指标", NAT, Status.MET, "10"),
    ("带宽", "≥2G", "3G", "数量指标", NAT, Status.MET, "10"),
    ("带宽", "≥2G", "500M", "数量指标", NAT, Status.PARTLY, "2.5"),
    ("数据量", "≥3.9亿", "4.0亿条", "数量指标", NAT, Status.MET, "10"),
    ("营业收入增长量", "65300万元", "82600万元", "数量指标", NAT, Status.MET, "10"),
    ("营业收入增长量", "100万元", "80万元", "数量指标", NAT, Status.PARTLY, "8"),
    ("活动次数", "≥240", "≥280", "数量指标", NAT, Status.MET, "10"),
    ("满意度", "不低于95%", "90%", "服务对象满意度指标", NAT, Status.PARTLY, "9.473684210526315789473684211"),
    ("通过率", "≥100百分比", "100", "质量指标", NAT, Status.MET, "10"),
    # reverse, Hubei W*A/B and the linear variant
    ("老干工作经费", "20万元", "24.7万元", "成本指标", HUB, Status.PARTLY, "8.097165991902834008097165992"),
    ("老干工作经费", "20万元", "24.7万元", "成本指标", LIN, Status.PARTLY, "7.65"),
    ("老干工作经费", "20万元", "40万元", "成本指标", LIN, Status.MISSED, "0"),
    ("老干工作经费", "20万元", "50万元", "成本指标", LIN, Status.MISSED, "0"),
    ("老干工作经费", "20万元", "18万元", "成本指标", HUB, Status.MET, "10"),
    ("故障修复时间", "≤24 小时", "≤8 小时", "时效指标", NAT, Status.MET, "10"),
    ("故障修复时间", "≤24 小时", "2天", "时效指标", NAT, Status.PARTLY, "5"),
    ("故障修复时间", "≤1天", "24小时", "时效指标", NAT, Status.MET, "10"),
    ("故障修复时间", "≤24 小时", "全年无故障", "时效指标", NAT, Status.MET, "10"),
    ("门户网站绩效排名", "排名前10", "排名第3", "社会效益指标", NAT, Status.MET, "10"),
    ("门户网站绩效排名", "排名前10", "排名第20", "社会效益指标", NAT, Status.PARTLY, "5"),
    # equal and range
    ("评审通过率", "=100%", "100%", "质量指标", NAT, Status.MET, "10"),
    ("评审通过率", "=100%", "80%", "质量指标", NAT, Status.PARTLY, "8"),
    ("达标率", "90%-95%", "93%", "质量指标", NAT, Status.MET, "10"),
    ("达标率", "90%-95%", "81%", "质量指标", NAT, Status.PARTLY, "9"),
    # qualitative bands: national 80-100 / 60-80 / 0-60, Hubei 80-100 / 50-80 / 0-50
    ("保质保量", "定性指标", "圆满完成", "质量指标", NAT, Status.MET, "10"),
    ("保质保量", "定性指标", "基本完成", "质量指标", NAT, Status.PARTLY, "7"),
    ("保质保量", "定性指标", "基本完成", "质量指标", HUB, Status.PARTLY, "6.5"),
    ("保质保量", "定性指标", "未完成", "质量指标", NAT, Status.MISSED, "0"),
    ("故障率", "减少", "全年无故障", "质量指标", NAT, Status.MET, "10"),
    ("数据更新频率", "年度更新", "年度更新", "时效指标", NAT, Status.MET, "10"),
    ("平台运行", "有效保障", "全年无故障", "社会效益指标", NAT, Status.MET, "10"),
    # dates
    ("完成时间", "9月前", "2024年8月15日", "时效指标", NAT, Status.MET, "10"),
    ("完成时间", "2024年底", "按时完成", "时效指标", NAT, Status.MET, "10"),
    # empty
    ("活动次数", "≥4次", "", "数量指标", NAT, Status.EMPTY, "0"),
]


@pytest.mark.parametrize(("name", "target", "actual", "level2", "rules", "status", "score"), CASES)
def test_rules_table(name: str, target: str, actual: str, level2: str, rules, status: Status, score: str) -> None:  # type: ignore[no-untyped-def]
    r = one(ind(name, target, actual, level2=level2), rules)
    assert r.status is status, r.explanation
    assert r.score == D(score), r.explanation


# (name, target, actual, why) — where a careful human would hesitate too
JUDGEMENT = [
    ("新增户数", "≥75户", "75万元", "不可比"),
    ("平台运行", "有效保障", "按计划推进中", "不在定性词表中"),
    ("活动次数", "≥4次", "完成", "定性表述"),
    ("活动次数", "≥4次", "≤5次", "只给出上限"),
    ("修复时间", "≤24小时", "≥2小时", "只给出下限"),
    ("修复时间", "≤24小时", "3工作日", "不可比"),
    ("活动次数", "", "4次", "年初目标值为空"),
    ("排名", "排名前10", "95%", "类型不同"),
]


@pytest.mark.parametrize(("name", "target", "actual", "why"), JUDGEMENT)
def test_judgement_instead_of_a_guess(name: str, target: str, actual: str, why: str) -> None:
    r = one(ind(name, target, actual))
    assert r.status is Status.JUDGEMENT
    assert r.score is None
    assert any(why in line for line in r.explanation), r.explanation


def test_invalid_cell_scores_zero_and_is_a_problem() -> None:
    r = one(ind("活动次数", "≥4次", "≥abc"))
    assert r.status is Status.INVALID and r.score == 0
    (p,) = [p for p in r.problems if p.code == "invalid-cell"]
    assert p.column == "实际完成值" and p.text == "≥abc" and "活动次数" in p.message


@pytest.mark.parametrize(
    ("name", "level2", "direction", "source"),
    [
        ("利润增长量", "成本指标", "positive", "关键词「增长」"),
        ("成本控制数", "成本指标", "reverse", "关键词「成本」"),
        ("故障解决率", "质量指标", "positive", "关键词「解决率」"),
        ("系统故障率", "质量指标", "reverse", "关键词「故障率」"),
        ("服务响应时长", "时效指标", "reverse", "关键词「时长」"),
        ("带宽", "数量指标", "positive", "二级指标「数量指标」"),
        ("某项支出", "经济成本指标", "reverse", "关键词「支出」"),
        ("某事项", "成本指标", "reverse", "二级指标「成本指标」"),
    ],
)
def test_direction_without_comparator(name: str, level2: str, direction: str, source: str) -> None:
    r = one(ind(name, "100", "120", level2=level2))
    assert r.direction == direction
    assert source in r.direction_source


def test_profit_growth_under_cost_is_positive() -> None:
    r = one(ind("利润增长量", "11400万元", "13800万元", level1="产出指标", level2="成本指标"))
    assert r.direction == "positive" and r.status is Status.MET and r.score == 10


def test_explicit_direction_wins() -> None:
    r = one(ind("利润增长量", "100", "120", direction="reverse"))
    assert r.direction == "reverse" and r.direction_source == "表中设定"


@pytest.mark.parametrize(
    ("rules", "target", "actual", "flagged"),
    [
        (NAT, "≥100户", "119户", False),
        (NAT, "≥100户", "120户", True),
        (LIN, "≥100户", "120户", False),
        (LIN, "≥100户", "130户", True),
    ],
)
def test_over_completion_flag(rules, target: str, actual: str, flagged: bool) -> None:  # type: ignore[no-untyped-def]
    r = one(ind("户数", target, actual), rules)
    assert r.status is Status.MET
    assert any(p.code == "over-completion" for p in r.problems) is flagged


def _form(
    planned: str,
    executed: str,
    indicators: list[Indicator],
    goals_weights: list[str | None] | None = None,
    **kw: object,
) -> Form:
    goals = (
        (Goal(indicators=tuple(indicators)),)
        if goals_weights is None
        else tuple(Goal(weight=D(w) if w else None, indicators=tuple(indicators)) for w in goals_weights)
    )
    return Form(
        project_name="测试项目", year=2024, budget=Budget(planned=D(planned), executed=D(executed)), goals=goals, **kw
    )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("rules", "planned", "executed", "score", "rate"),
    [
        (HUB, "20", "24.7", "20", "1.235"),
        (HUB, "100", "97.75", "19.55", "0.9775"),
        (NAT, "100", "97.75", "9.78", "0.9775"),  # 9.775 rounds half up
        (NAT, "3", "1", "3.33", None),
        (NAT, "100", "0", "0", "0"),
    ],
)
def test_budget_execution(rules, planned: str, executed: str, score: str, rate: str | None) -> None:  # type: ignore[no-untyped-def]
    res = score_form(_form(planned, executed, [ind("x", "≥1次", "1次")]), rules)
    assert res.budget.score == D(score)
    if rate is not None:
        assert res.budget.rate == D(rate)


def test_budget_over_100_is_capped_and_warned() -> None:
    res = score_form(_form("20", "24.7", [ind("x", "≥1次", "1次")]), HUB)
    assert res.budget.score == 20
    assert any(p.code == "budget-over-100" for p in res.problems)


@pytest.mark.parametrize(
    ("executed", "total"),
    [("100", "100.00"), ("75", "89.00"), ("65", "79.00"), ("50", "59.00"), ("80", "98.00")],
)
def test_budget_caps_total(executed: str, total: str) -> None:
    res = score_form(_form("100", executed, [ind("x", "≥1次", "1次", level1="产出指标")]), LIN)
    assert res.total_computed == D(total), res.cap_note


def test_weights_allocated_equally_within_goals() -> None:
    inds = [ind(f"指标{i}", "≥1次", "1次") for i in range(3)]
    res = score_form(_form("1", "1", inds, goals_weights=["40", None]), HUB)
    assert [r.weight for r in res.indicators[:3]] == [D(40) / 3] * 3
    assert [r.weight for r in res.indicators[3:]] == [D(40) / 3] * 3
    assert all(r.weight_source == "allocated" for r in res.indicators)
    assert res.total_computed == D("100.00")


def test_weights_allocated_by_level1_with_missing_level_redistributed() -> None:
    inds = [
        ind("a", "≥1次", "1次", level1="产出指标"),
        ind("b", "≥1次", "1次", level1="成本指标", level2="经济成本指标"),
        ind("c", "≥1次", "1次", level1="效益指标", level2="社会效益指标"),
    ]
    res = score_form(_form("1", "1", inds), NAT)
    # 满意度 is missing: its 10 points are spread over 产出(+成本) 50 and 效益 30 in proportion
    assert [q2(r.weight) for r in res.indicators] == [D("28.13"), D("28.13"), D("33.75")]
    assert res.total_computed == D("100.00")


def test_given_weights_are_kept_and_their_sum_checked() -> None:
    inds = [ind("a", "≥1次", "1次", weight=D(30)), ind("b", "≥1次", "1次", weight=D(30))]
    res = score_form(_form("1", "1", inds), HUB)
    assert [r.weight for r in res.indicators] == [D(30), D(30)]
    assert any(p.code == "weights-total" for p in res.problems)


@pytest.mark.parametrize(
    ("rules", "total", "grade"),
    [
        (NAT, "90", "优"),
        (NAT, "89.99", "良"),
        (NAT, "80", "良"),
        (NAT, "79.99", "中"),
        (NAT, "60", "中"),
        (NAT, "59.99", "差"),
        (LIN, "95", "优"),
        (LIN, "94.99", "良"),
        (LIN, "85", "良"),
        (LIN, "84.99", "中"),
    ],
)
def test_grades(rules, total: str, grade: str) -> None:  # type: ignore[no-untyped-def]
    assert rules.grade_for(D(total)) == grade


def test_recorded_scores_are_kept_beside_computed() -> None:
    inds = [ind("a", "≥4", "≥4", weight=D(10), recorded=Recorded(D(4), "只有代表集中学习"))]
    res = score_form(_form("1", "1", inds), HUB)
    r = res.indicators[0]
    assert r.score == 10 and r.recorded == Recorded(D(4), "只有代表集中学习") and r.differs
    assert not any(p.code == "recorded-differs" for p in r.problems)  # a reason was given


def test_rule_set_validation_names_file_and_key() -> None:
    data = {
        "name": "x",
        "version": "1",
        "total": 100,
        "budget": {"weight": 20},
        "weights": {"mode": "goals", "indicators_total": 80},
        "formulas": {"positive": "ratio", "reverse": "cubic", "equal": "ratio"},
        "qualitative": {"achieved": [80, 100], "partly": [50, 80], "not_achieved": [0, 50]},
        "over_completion": {"threshold": 1.2},
        "grades": [{"min": 0, "grade": "差"}],
    }
    with pytest.raises(RuleSetError, match=r"x\.toml：formulas\.reverse = 'cubic'"):
        build(data, "x.toml")
    data["formulas"]["reverse"] = "ratio"  # type: ignore[index]
    data["budget"] = {"weight": 30}
    with pytest.raises(RuleSetError, match="≠ 总分 100"):
        build(data, "x.toml")


def test_unknown_rule_set() -> None:
    with pytest.raises(RuleSetError, match="未知规则集「nope」"):
        load("nope")


def test_all_shipped_rule_sets_load() -> None:
    from scorer.rules import available

    names = available()
    assert {"national-2020", "hubei-2020"} <= set(names)
    for name in names:
        rs = load(name)
        assert rs.budget_weight + rs.indicators_total == rs.total


@pytest.mark.parametrize(
    ("target", "actual", "rules", "status"),
    [
        ("100%", "82%", NAT, Status.PARTLY),  # 大英 资金执行率, its 一级 cell left blank
        ("≥100人", "1人", NAT, Status.PARTLY),
        ("≥100人", "0人", NAT, Status.MISSED),  # nothing done is still nothing
        ("≤10天", "12天", NAT, Status.PARTLY),
        ("≤10天", "25天", LIN, Status.MISSED),  # the linear formula reaches 0 at twice the target
        ("=50个", "40个", NAT, Status.PARTLY),
        ("≥95%", "100%", NAT, Status.MET),
    ],
)
def test_a_row_without_weight_keeps_its_status(target: str, actual: str, rules, status: Status) -> None:  # type: ignore[no-untyped-def]
    """0 points to earn is no reason to call a shortfall 未达成: the status says how far the row got."""
    r = one(ind("指标", target, actual), rules, weight="0")
    assert r.status is status, r.explanation
    assert r.score == 0
