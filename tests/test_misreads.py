"""Classes of misreads found on real published forms (issue 16), each beyond its example."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from scorer.engine import score_indicator
from scorer.model import Indicator
from scorer.result import Status
from scorer.rules import load as load_rules

RULES = load_rules("national-2020")
W = Decimal(10)


def _score(target: str, actual: str, name: str = "数量", level2: str = "数量指标") -> object:
    return score_indicator(Indicator("产出指标", level2, name, target, actual), W, "表中", RULES)


# ---------------------------------------------------------------- class 1: a bare number takes the scale


@pytest.mark.parametrize(
    ("target", "actual", "status"),
    [
        ("=6万元", "6", Status.MET),
        ("≥50万人次", "52", Status.MET),
        ("≥50万人次", "40", Status.PARTLY),
        ("≤2亿元", "1.5", Status.MET),
        ("≥10千米", "10", Status.MET),
        ("6", "6万元", Status.MET),
        ("≥5万", "6", Status.MET),
    ],
)
def test_a_bare_number_takes_the_other_sides_unit_and_scale(target: str, actual: str, status: Status) -> None:
    r = _score(target, actual)
    assert r.status is status, r.explanation  # type: ignore[attr-defined]
    if "万" in target + actual or "亿" in target + actual:
        assert any("量级" in line for line in r.explanation), r.explanation  # type: ignore[attr-defined]


@given(hst.integers(min_value=1, max_value=10**6), hst.sampled_from(["万元", "亿元", "万人次", "万"]))
@settings(max_examples=60, deadline=None)
def test_the_same_number_with_the_scale_on_one_side_is_met(n: int, unit: str) -> None:
    assert _score(f"={n}{unit}", str(n)).status is Status.MET  # type: ignore[attr-defined]
    assert _score(f"{n}{unit}", f"{n}{unit}").status is Status.MET  # type: ignore[attr-defined]


# ---------------------------------------------------------------- class 2: measure words


@pytest.mark.parametrize("word", list("例起宗件项家所台套册篇场批棵头只亩间栋座条辆艘眼粒组盏"))
def test_listed_and_unlisted_measure_words_compare_with_themselves(word: str) -> None:
    r = _score(f"≥8{word}", f"8{word}")
    assert r.status is Status.MET, r.explanation  # type: ignore[attr-defined]
    zero = _score(f"0{word}", f"0{word}", name="安全事故数", level2="质量指标")
    assert zero.status is not Status.INVALID  # type: ignore[attr-defined]


@pytest.mark.parametrize("word", ["犇", "鬯", "匹", "爿"])
def test_an_unlisted_measure_word_is_its_own_counting_unit(word: str) -> None:
    assert _score(f"≥3{word}", f"4{word}").status is Status.MET  # type: ignore[attr-defined]
    assert _score(f"≥3{word}", f"2{word}").status is Status.PARTLY  # type: ignore[attr-defined]


@pytest.mark.parametrize(("a", "b"), [("例", "起"), ("犇", "鬯"), ("户", "犇")])
def test_different_measure_words_are_for_judgement_with_the_reason(a: str, b: str) -> None:
    r = _score(f"≥8{a}", f"8{b}")
    assert r.status is Status.JUDGEMENT, r.explanation  # type: ignore[attr-defined]
    assert any("不可比" in p.message for p in r.problems)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- class 3: direction evidence


@pytest.mark.parametrize(
    ("name", "level2", "direction", "source"),
    [
        ("高血压随访控制数", "数量指标", "positive", "随访"),
        ("糖尿病患者随访控制数", "数量指标", "positive", "随访"),
        ("成本控制数", "成本指标", "reverse", "成本"),
        ("农作物受害率", "质量指标", "reverse", "受害率"),
        ("成灾率", "效益指标", "reverse", "成灾率"),
        ("故障解决率", "质量指标", "positive", "解决率"),
        ("群众投诉办结率", "质量指标", "positive", "办结率"),
        ("就业率", "质量指标", "positive", "就业率"),
    ],
)
def test_unambiguous_name_patterns_decide(name: str, level2: str, direction: str, source: str) -> None:
    r = _score("100", "90", name=name, level2=level2)
    assert r.direction == direction and source in r.direction_source, r.direction_source  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["财政供养人员控制率", "资金变动率", "某某比例", "控制率"])
def test_ambiguous_words_never_decide_alone_and_are_named(name: str) -> None:
    r = _score("100", "90", name=name, level2="质量指标")
    assert "含义不定" in r.direction_source and "关键词" not in r.direction_source  # type: ignore[attr-defined]


@pytest.mark.parametrize(("target", "direction"), [("≤100%", "reverse"), ("≥100%", "positive")])
def test_the_comparator_beats_every_name(target: str, direction: str) -> None:
    r = _score(target, "95%", name="财政供养人员控制率", level2="质量指标")
    assert r.direction == direction  # type: ignore[attr-defined]


# ---------------------------------------------------------------- class 10: forms without a project name


def _form_text(kind: str, name_line: str) -> str:
    return f"""
format = "jixiao-form/1"
form_kind = "{kind}"
year = 2023
{name_line}
department = "某区卫生健康局"
implementing_unit = "某区卫生健康局"

[[goals]]
text = "目标"
[[goals.indicators]]
level1 = "产出指标"
level2 = "数量指标"
name = "培训人次"
target = "≥100人次"
actual = "120人次"
"""


@pytest.mark.parametrize("name_line", ["", 'project_name = ""', 'project_name = "  "'])
def test_a_department_form_takes_its_department_as_name(tmp_path, name_line: str) -> None:  # type: ignore[no-untyped-def]
    from scorer.formfile import load_form

    path = tmp_path / "d.toml"
    path.write_text(_form_text("department", name_line), encoding="utf-8")
    assert load_form(path).project_name == "某区卫生健康局"


def test_a_project_form_without_a_name_is_read_with_a_warning_naming_the_cell(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from jixiao.scoring import score_form
    from scorer.formfile import load_form

    path = tmp_path / "p.toml"
    path.write_text(_form_text("project", ""), encoding="utf-8")
    result = score_form(load_form(path))
    (p,) = [p for p in result.all_problems if p.code == "header-missing"]
    assert "项目名称" in p.message and p.severity.name == "WARNING"


# ---------------------------------------------------------------- class 7: impossible values


@pytest.mark.parametrize(
    ("name", "target", "actual"),
    [
        ("服务对象满意度", "290%", "95%"),
        ("服务对象满意度", "≥90%", "195%"),
        ("政策知晓率", "≥85%", "108%"),
        ("疫苗接种率", "≥95%", "100.5%"),
    ],
)
def test_impossible_values_are_flagged_not_scored(name: str, target: str, actual: str) -> None:
    r = _score(target, actual, name=name, level2="质量指标")
    assert r.status is Status.JUDGEMENT and r.score is None, r.explanation  # type: ignore[attr-defined]
    assert any(p.code == "impossible-value" for p in r.problems)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("target", "actual"), [("≥100人", "-5人"), ("-3户", "10户")])
def test_negative_counts_are_not_scored(target: str, actual: str) -> None:
    r = _score(target, actual, name="培训人数", level2="数量指标")
    assert r.status is Status.JUDGEMENT and r.score is None  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "target", "actual"),
    [("任务完成率", "≥100%", "120%"), ("收入增长率", "≥5%", "-2%"), ("服务对象满意度", "≥90%", "100%")],
)
def test_values_that_can_be_true_are_scored(name: str, target: str, actual: str) -> None:
    r = _score(target, actual, name=name, level2="质量指标")
    assert not any(p.code == "impossible-value" for p in r.problems)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- class 8: the printed rate


@pytest.mark.parametrize(
    ("planned", "executed", "rate", "score"),
    [
        (None, None, "76%", Decimal("7.60")),
        (Decimal(100), None, "100%", Decimal("10.00")),
        (None, Decimal(5), "120%", Decimal("10.00")),
        (None, None, "0%", Decimal("0.00")),
    ],
)
def test_missing_amounts_use_the_printed_rate_and_say_so(planned, executed, rate, score) -> None:  # type: ignore[no-untyped-def]
    import dataclasses

    from scorer.budget import score_budget
    from scorer.model import Budget, Form

    form = Form(project_name="x", budget=Budget(planned=planned, executed=executed, rate_text=rate, weight=W))
    result, problems, used = score_budget(dataclasses.replace(form), RULES)
    assert result.score == score
    assert any("按表中印出的执行率" in str(line) for line in result.trace)
    assert any(p.code == "budget-printed-rate" for p in problems)


def test_both_amounts_and_a_different_printed_rate_say_which_was_used() -> None:
    from scorer.budget import score_budget
    from scorer.model import Budget, Form

    form = Form(project_name="x", budget=Budget(planned=Decimal(100), executed=Decimal(80), rate_text="90%", weight=W))
    result, problems, _ = score_budget(form, RULES)
    assert result.score == Decimal("8.00")
    assert any(p.code == "budget-rate-mismatch" and "按 执行数/预算数 计分" in p.message for p in problems)


# ---------------------------------------------------------------- class 4: department-level catalog


@pytest.mark.parametrize(
    ("name", "direction"),
    [
        ("财政供养人员控制率", "reverse"),
        ("在职人员控制率", "reverse"),
        ("预算执行率", "positive"),
        ("预算调整率", "reverse"),
        ("结转结余率", "reverse"),
        ("公用经费控制率", "reverse"),
        ("政府采购执行率", "positive"),
        ("固定资产利用率", "positive"),
        ("“三公经费”变动率", "reverse"),
    ],
)
def test_the_catalog_knows_the_department_framework(name: str, direction: str) -> None:
    from indicator_catalog import load_catalog

    r = score_indicator(Indicator("投入", "预算配置", name, "100%", "98%"), W, "表中", RULES, catalog=load_catalog())
    assert r.direction == direction and "指标库" in r.direction_source, r.direction_source


@pytest.mark.parametrize(
    "name", ["管理制度健全性", "资金使用合规性", "预决算信息公开性", "资产管理安全性", "绩效目标合理性"]
)
def test_the_catalog_holds_the_qualitative_framework_criteria(name: str) -> None:
    from indicator_catalog import load_catalog

    entry = load_catalog().lookup(name)
    assert entry is not None and entry.direction == "qualitative"


# ---------------------------------------------------------------- class 5: printed scales


@pytest.mark.parametrize(
    ("target", "actual", "status"),
    [
        ("定性优良中低差", "优", Status.MET),
        ("定性优良中低差", "良", Status.PARTLY),
        ("定性优良中低差", "差", Status.MISSED),
        ("优良中差", "中", Status.PARTLY),
        ("好/较好/一般/差", "好", Status.MET),
        ("好/较好/一般/差", "较好", Status.PARTLY),
        ("好/较好/一般/差", "差", Status.MISSED),
        ("定性：优、良、中、差", "优", Status.MET),
    ],
)
def test_a_scale_printed_in_the_target_defines_the_tiers(target: str, actual: str, status: Status) -> None:
    r = _score(target, actual, name="工作质量", level2="质量指标")
    assert r.status is status, r.explanation  # type: ignore[attr-defined]
    assert any("印出档次" in line for line in r.explanation)  # type: ignore[attr-defined]


def test_a_grade_outside_the_printed_scale_is_for_judgement() -> None:
    r = _score("优良中差", "尚可", name="工作质量", level2="质量指标")
    assert r.status is Status.JUDGEMENT  # type: ignore[attr-defined]


# ---------------------------------------------------------------- class 9: the department family


def _dept_form(level1s: list[str], kind: str = "department"):  # type: ignore[no-untyped-def]
    from scorer.model import Budget, Form, FormKind, Goal

    inds = tuple(Indicator(l1, "", f"指标{i}", "≥100%", "100%") for i, l1 in enumerate(level1s))
    return Form(
        project_name="某局",
        form_kind=FormKind(kind),
        budget=Budget(planned=Decimal(100), executed=Decimal(100)),
        goals=(Goal("整体目标", indicators=inds),),
    )


@pytest.mark.parametrize(
    "level1s",
    [["投入", "过程", "产出", "效果"], ["决策", "管理", "产出", "效益"], ["投入", "产出", "结果"]],
)
def test_a_department_form_in_the_framework_gets_the_department_rules(level1s: list[str]) -> None:
    from jixiao.scoring import score_form
    from scorer.rules import rules_name_for

    form = _dept_form(level1s)
    assert rules_name_for(form) == "department-2020"
    r = score_form(form)
    assert not any(p.code == "unknown-level1" for p in r.all_problems)
    assert all(i.weight > 0 for i in r.indicators)
    assert r.total_computed == Decimal(100) and r.grade == "优"


def test_project_style_department_forms_and_project_forms_keep_the_national_rules() -> None:
    from scorer.rules import rules_name_for

    assert rules_name_for(_dept_form(["产出指标", "效益指标", "满意度指标"])) == "national-2020"
    assert rules_name_for(_dept_form(["投入", "过程"], kind="project")) == "national-2020"


# ---------------------------------------------------------------- qualitative standard, actual in %


@pytest.mark.parametrize(
    ("target", "actual", "status"),
    [
        ("健全", "100%", Status.MET),
        ("充分", "100%", Status.MET),
        ("合规", "＝100%", Status.MET),
        ("规范", "100 %", Status.MET),
        ("健全", "95%", Status.JUDGEMENT),  # a share of a standard: a person decides
        ("健全", "≥100%", Status.JUDGEMENT),
        ("健全", "100", Status.JUDGEMENT),  # no % sign: a count, not a completion
        ("健全", "100万元", Status.JUDGEMENT),
    ],
)
def test_a_qualitative_standard_met_at_100_percent_scores_full(target: str, actual: str, status: Status) -> None:
    r = score_indicator(Indicator("产出指标", "质量指标", "制度健全性", target, actual), W, "表中", RULES)
    assert r.status is status, r.explanation
    if status is Status.MET:
        assert r.score == W and "完全达到" in "".join(r.explanation)


# ---------------------------------------------------------------- rows scored against criteria


@pytest.mark.parametrize(
    ("level1", "target", "actual", "status"),
    [
        ("项目决策", "", "", Status.JUDGEMENT),  # 决策依据: scored against criteria, for a person
        ("项目管理", "", "", Status.JUDGEMENT),
        ("资金管理", "", "", Status.JUDGEMENT),
        ("决策指标", "", "", Status.JUDGEMENT),
        ("产出指标", "", "", Status.EMPTY),  # an output with nothing written is not filled in
        ("效益指标", "≥90%", "", Status.EMPTY),
        ("项目管理", "健全", "", Status.EMPTY),  # a target but no actual: not filled in
    ],
)
def test_empty_rows_under_a_criteria_level_are_for_a_person(
    level1: str, target: str, actual: str, status: Status
) -> None:
    r = score_indicator(Indicator(level1, "财务制度", "财务制度", target, actual), W, "表中", RULES)
    assert r.status is status, r.explanation
    if status is Status.JUDGEMENT:
        assert r.score is None and "人工评分" in "".join(r.explanation)


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"criterion": {"level1": ["决策"]}}, "未知的节 [criterion]"),
        ({"criteria": {"levels": ["决策"]}}, "[criteria] 中未知的键 levels"),
        ({"impossible": {"capped_at_10": ["满意度"]}}, "[impossible] 中未知的键 capped_at_10"),
    ],
)
def test_a_typo_in_the_vocabulary_file_is_an_error(patch: dict[str, object], message: str) -> None:
    import tomllib
    from importlib import resources

    from scorer.vocabulary import VocabularyError, build

    data = tomllib.loads(resources.files("scorer").joinpath("data/vocabulary.toml").read_text(encoding="utf-8"))
    data.update(patch)
    with pytest.raises(VocabularyError, match=re.escape(message)):
        build(data)


# A calendar year alone is a date (issue 16, class 3: 完成时限 2019年 → 2020年 was full marks as "more
# is better"); a year-only actual is some day of that year, so only what follows from that is decided.
@pytest.mark.parametrize(
    ("target", "actual", "status", "says"),
    [
        ("2019年", "2020年", Status.JUDGEMENT, "晚于期限 2019-12-31，但只写到年份"),
        ("2019年", "2019年", Status.MET, "不晚于期限 2019-12-31"),
        ("2020年度", "2019年", Status.MET, "不晚于期限 2020-12-31"),
        ("2019年6月", "2019年", Status.JUDGEMENT, "无法判断是否在期限 2019-06-30 前完成"),
        ("2019年12月", "2019年", Status.MET, "不晚于期限"),
        ("2019年", "2019年11月", Status.MET, "按该年最后一天 2019-12-31"),
        ("2019年", "2020年3月", Status.JUDGEMENT, "但只写到月份，逾期多少无法计算"),  # 61 to 91 days
        ("2019年", "2020年3月31日", Status.PARTLY, "逾期 91 天"),
    ],
)
def test_a_year_alone_is_a_date_and_a_year_only_actual_decides_no_more_than_it_says(
    target: str, actual: str, status: Status, says: str
) -> None:
    r = _score(target, actual, name="完成时限", level2="时效指标")
    assert r.status is status, r.explanation  # type: ignore[attr-defined]
    assert says in "；".join(r.explanation)  # type: ignore[attr-defined]
    assert r.status is not Status.MET or r.score == 10  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("target", "actual", "status"),
    [
        ("≤5%", "达成目标值", Status.MET),
        ("≥95%", "达到目标值", Status.MET),
        ("100%", "完成目标值", Status.MET),
        ("≤5%", "未达成目标值", Status.MISSED),
        ("≥95%", "未达到目标值", Status.MISSED),
        ("100%", "完成", Status.JUDGEMENT),  # a bare 完成 says nothing of the value
    ],
)
def test_an_actual_that_states_the_target_value_was_reached_is_scored_as_that_claim(
    target: str, actual: str, status: Status
) -> None:
    r = _score(target, actual)
    assert r.status is status, r.explanation  # type: ignore[attr-defined]


# A target that only names a direction (增加, 减少) and an actual that states a change with its amount
# (江西 form: 门诊住院人次 增加 → 增372人次): the actual answers the target, in its direction or not.
@pytest.mark.parametrize(
    ("target", "actual", "status", "says"),
    [
        ("增加", "增372人次", Status.MET, "写明增 372人次，方向一致"),
        ("提高", "提高 2.5%", Status.MET, "写明提高 2.5%"),
        ("增加", "增长10户", Status.MET, "写明增长 10户"),
        ("减少", "减少1万元", Status.MET, "写明减少 1万元"),
        ("降低", "下降3个百分点", Status.MET, "写明下降 3个百分点"),
        ("增加", "减少5人", Status.MISSED, "方向相反"),
        ("减少", "增加2起", Status.MISSED, "方向相反"),
        ("增加", "增0人次", Status.MISSED, "没有变化"),
        ("增加", "增加较多", Status.JUDGEMENT, ""),  # no amount: not a stated change
        ("增加", "增372人次以上说明", Status.JUDGEMENT, ""),  # more than an amount and its unit
    ],
)
def test_a_stated_change_answers_a_target_that_names_only_a_direction(
    target: str, actual: str, status: Status, says: str
) -> None:
    r = _score(target, actual)
    assert r.status is status, r.explanation  # type: ignore[attr-defined]
    assert says in "；".join(r.explanation)  # type: ignore[attr-defined]
