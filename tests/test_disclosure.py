"""import-disclosure: self-evaluation forms read straight from a published final-accounts document.

The seed document's part 6 (lines 815–1086) holds nine forms, transcribed by hand into
samples/. The importer must reproduce them field for field, with one documented exception on
the 94 form (samples/2024-shangye-laogan.toml), a human judgement the importer must not imitate:

* **score_reason of 组织离退休党员学习教育.** The transcriber took it from item 4 of the form's
  deviation analysis. Linking a narrative item to an indicator is a reading of meaning, not of
  the table; the importer keeps the whole narrative in deviation_analysis and the comparison
  ignores score_reason on this form.

Everything else — targets, actuals, weights, recorded scores, budget numbers, ticks,
narratives — must be equal. The 94 form prints only 得分: its indicator weights are derived by
a stated rule (parser.derive_weights) that accepts a reading only when it adds up to the printed
goal weight, and the report says they are derived, not printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import random
import re
import subprocess
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from jixiao.cli import disclosure as cli_disclosure
from jixiao.disclosure import parse_disclosure, read_disclosure, render, scan_disclosure
from jixiao.disclosure.report import ImportedForm
from jixiao.scoring import score_form
from scorer.formfile import form_from_dict, form_to_dict, load_form, parse_text
from scorer.model import Form, FormKind
from tests.conftest import NINETY_FOUR, ROOT, SAMPLES

SHARED_SEED = ROOT.parent / "shared" / "seed" / "000_b6f627454c508857.txt"
# a verbatim copy ships with the tests, so the round trip runs in any checkout
SEED = ROOT / "tests" / "data" / "seed-000_b6f627454c508857.txt"
PART6 = (815, 1086)  # first and last line of 第六部分 附件

SAMPLE_FILES = sorted(SAMPLES.glob("*.toml"))


def _seed_lines() -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")


@pytest.fixture(scope="module")
def seed_text() -> str:
    return "\n".join(_seed_lines())


@pytest.fixture(scope="module")
def part6() -> list[str]:
    return _seed_lines()[PART6[0] - 1 : PART6[1]]


@pytest.fixture(scope="module")
def samples() -> dict[str, Form]:
    return {_key(f): f for f in (load_form(p) for p in SAMPLE_FILES)}


@pytest.fixture(scope="module")
def imported(seed_text: str) -> list[ImportedForm]:
    return parse_disclosure(seed_text, str(SEED))


def _key(form: Form) -> str:
    return f"{form.implementing_unit}/{form.project_name}"


def _judgement_free(form: Form) -> Form:
    """The 94 form without the transcriber's judgement (see the module docstring)."""
    goals = tuple(
        dataclasses.replace(
            g,
            indicators=tuple(
                dataclasses.replace(
                    ind,
                    recorded=dataclasses.replace(ind.recorded, reason="") if ind.recorded else None,
                )
                for ind in g.indicators
            ),
        )
        for g in form.goals
    )
    return dataclasses.replace(form, goals=goals)


def _expected(sample: Form) -> Form:
    return _judgement_free(sample) if _key(sample) == _key(load_form(NINETY_FOUR)) else sample


def _by_key(forms: list[ImportedForm]) -> dict[str, ImportedForm]:
    return {_key(f.form): f for f in forms}


def _assert_same_forms(forms: list[ImportedForm], samples: dict[str, Form], normalise: Any = None) -> None:
    got = _by_key(forms)
    assert sorted(got) == sorted(samples)
    for key, sample in samples.items():
        want = _expected(sample)
        have = got[key].form
        if normalise is not None:
            assert normalise(form_to_dict(have)) == normalise(form_to_dict(want)), key
        else:
            assert have == want, key


# ---------------------------------------------------------------------------- the seed


def test_the_seed_holds_nine_forms_and_every_row_is_placed(seed_text: str) -> None:
    result = scan_disclosure(seed_text, "seed")
    assert result.errors == [] and result.notes == []
    assert len(result.forms) == 9
    assert sum(f.report.rows_recovered for f in result.forms) == 127
    assert all(f.report.unassigned == [] for f in result.forms)
    assert result.ok
    spans = [(f.report.first_line, f.report.last_line) for f in result.forms]
    assert spans[0] == (817, 874) and spans[-1][0] == 1065


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_seed_round_trip(path: Path, imported: list[ImportedForm]) -> None:
    sample = load_form(path)
    got = _by_key(imported)[_key(sample)].form
    assert got == _expected(sample)
    assert got.rules == sample.rules == "hubei-2020"
    if _key(sample) != _key(load_form(NINETY_FOUR)):
        assert got == sample  # field for field, no exception


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_each_recovered_form_scores_as_its_sample(path: Path, imported: list[ImportedForm]) -> None:
    sample = load_form(path)
    got = _by_key(imported)[_key(sample)].form
    mine, theirs = score_form(got), score_form(_expected(sample))
    assert mine.total_computed == theirs.total_computed
    assert mine.total_recorded == theirs.total_recorded
    assert [r.score for r in mine.indicators] == [r.score for r in theirs.indicators]
    assert mine.total_computed == score_form(sample).total_computed


def test_the_94_form_derives_its_weights_and_says_so(imported: list[ImportedForm]) -> None:
    form, report = _by_key(imported)["武昌区商业行业离退休人员管理服务中心/老干工作经费"]
    assert form.total_recorded == Decimal(94)
    assert form.budget.weight == 20 and form.budget.recorded is not None and form.budget.recorded.score == 20
    assert form.budget.rate_text == "123.5%" and form.budget.executed == Decimal("24.7")
    (goal,) = form.goals
    assert goal.weight == 80 and goal.text == ""
    assert [i.recorded.score for i in goal.indicators if i.recorded] == [20, 4, 10, 10, 10, 10, 10]
    assert [i.weight for i in goal.indicators] == [20, 10, 10, 10, 10, 10, 10]
    assert all(i.recorded is not None and i.recorded.reason == "" for i in goal.indicators)
    assert report.empty_fields == []
    assert any("按规则推定为 20、10、10、10、10、10、10" in n and "请核对" in n for n in report.notes)
    assert score_form(form).total_computed == Decimal("98.10")
    assert form.ticks.category == ("部门预算项目", "区级专项")
    assert form.improvement_measures.startswith("1、坚持政治思想引领") and "<" not in form.improvement_measures


def test_weights_are_not_derived_when_no_reading_adds_up() -> None:
    from jixiao.disclosure.lines import derive_weights
    from scorer.model import Goal, Indicator, Recorded

    def goal(weight: str, *scores: str) -> Goal:
        return Goal(
            weight=Decimal(weight),
            indicators=tuple(
                Indicator("产出指标", "数量指标", f"x{i}", "1", "1", recorded=Recorded(Decimal(sc)))
                for i, sc in enumerate(scores)
            ),
        )

    assert derive_weights(goal("80", "20", "4", "10", "10", "10", "10", "10")) == tuple(
        Decimal(x) for x in (20, 10, 10, 10, 10, 10, 10)
    )
    assert derive_weights(goal("80", "20", "4", "10", "10", "10")) is None  # adds up to 60, not 80
    assert derive_weights(goal("40", "15", "10", "8")) is None  # no common score: nothing to lean on


def test_shifted_rows_are_put_back_by_known_names_and_reported(imported: list[ImportedForm]) -> None:
    notes = "\n".join(n for f in imported for n in f.report.notes)
    for line, placed in (
        (894, "一级 续上，二级 时效指标，三级 项目实施按照年度工作计划进行"),
        (915, "一级 续上，二级 时效指标，三级 计划工作完成及时性"),
        (948, "一级 续上，二级 时效指标，三级 工作完成及时性"),
        (1058, "一级 成本指标，二级 空，三级 老干工作重大节日慰问经费"),
        (1079, "一级 续上，二级 时效指标，三级 项目实施按年度工作计划"),
        (1080, "一级 续上，二级 成本指标，三级 老干工作经费"),
    ):
        assert re.search(rf"第 {line} 行错位（.*）.*{placed}", notes), line
    assert len(re.findall(r"行错位", notes)) == 6
    assert "第 840 行开头的「指标」是行标签" in notes
    assert "预算执行情况表头印有「(20分)」，但表上没有得分栏" in notes  # 区域经济发展资金


def test_the_department_form(imported: list[ImportedForm]) -> None:
    form, report = imported[0]
    assert form.form_kind is FormKind.DEPARTMENT and form.project_name == "部门整体支出"
    assert form.budget.label == "部门整体支出总额"
    assert (form.budget.basic_expenditure, form.budget.project_expenditure) == (Decimal("2553.45"), Decimal("1737.92"))
    assert [len(g.indicators) for g in form.goals] == [5, 5, 4, 26]
    assert all(g.text for g in form.goals)
    assert form.ticks.category == () and report.empty_fields == []


def test_the_report_lists_every_form(seed_text: str) -> None:
    text = "\n".join(render(scan_disclosure(seed_text, "seed")))
    assert text.startswith("seed：找到 9 份自评表")
    assert text.count("未能归位的行：无") == 9
    assert "[9] 2024 年度武昌区商业行办项目自评表「老干工作经费」项目支出，第 1065–1086 行" in text


# ---------------------------------------------------------------------------- variants of the seed's text


def test_extra_blank_lines(part6: list[str], samples: dict[str, Form]) -> None:
    lines = [x for line in part6 for x in (line, "", "   ") if x or random.Random(len(line)).random() < 0.7]
    _assert_same_forms(parse_disclosure("\n\n".join(lines)), samples)


def _wrap(lines: list[str], prefix: str, *replacement: str) -> None:
    i = next(k for k, line in enumerate(lines) if line.startswith(prefix))
    lines[i : i + 1] = list(replacement)


def test_wrapped_cells(part6: list[str], samples: dict[str, Form]) -> None:
    lines = list(part6)
    goal4 = next(line for line in lines if line.startswith("年度目标 4"))
    k = goal4.index("大数据处理平台")
    _wrap(lines, "年度目标 4", goal4[:k] + "\t\t\t", "\t\t" + goal4[k:])  # a goal's text
    _wrap(  # a 三级 name
        lines,
        "\t\t时效指标\t政务网互联网出口链路故障修复时间",
        "\t\t时效指标\t政务网互联网出口链路\t≤24 小时\t全年无故障",
        "\t\t\t故障修复时间\t\t",
    )
    _wrap(  # an actual
        lines,
        "\t\t\t保障政务云平台和政务网终端的平稳运行\t有效保障\t云平台全年无故障，全年处置终端故障1276次",
        "\t\t\t保障政务云平台和政务网终端的平稳运行\t有效保障\t云平台全年无故障，",
        "\t\t\t\t\t全年处置终端故障1276次",
    )
    _wrap(  # 项目实施单位
        lines,
        "主管部门\t\t武昌区经济信息化和科技创新局\t项目实施单位\t\t武昌区商业行业",
        "主管部门\t\t武昌区经济信息化和科技创新局\t项目实施单位\t\t武昌区商业行业离退休\t\t\t\t",
        "\t\t\t\t\t人员管理服务中心\t\t\t\t",
    )
    _wrap(  # a label and its value in one cell
        lines,
        "主管部门\t\t武昌区经济信息化和科技创新局\t\t项目实施单位 武昌区",
        "主管部门\t\t武昌区经济信息化和科技创新局\t\t项目实施单位 武昌区经济信息化\t\t",
        "\t\t\t\t和科技创新局\t\t",
    )
    deviation = next(line for line in lines if line.startswith("偏差大或目标未完成原因分析\t\t1、"))
    k = deviation.index("活动停止")
    _wrap(lines, "偏差大或目标未完成原因分析\t\t1、", deviation[:k], "\t\t" + deviation[k:])  # a narrative
    result = scan_disclosure("\n".join(lines))
    _assert_same_forms(result.forms, samples)
    notes = [n for f in result.forms for n in f.report.notes]
    assert sum("折行的下半部分，已并入" in n for n in notes) == 5
    assert sum("说明栏文字的续行" in n for n in notes) == 1


_FULL = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F) if chr(c).isalnum() or chr(c) in "()%:>="})


def _full_width(line: str) -> str:
    """Digits, letters and some punctuation as full-width characters; HTML remnants untouched."""
    parts = re.split(r"(<[^<>]*>)", line)
    return "".join(p if p.startswith("<") else p.translate(_FULL) for p in parts)


def _nfkc(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _nfkc(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nfkc(v) for v in value]
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value)
    return value


def test_full_width_characters(part6: list[str], samples: dict[str, Form]) -> None:
    text = "\n".join(_full_width(line) for line in part6)
    assert "２０２４ 年度" in text and "（８０分）" in text and "≥７５ 户" in text
    forms = parse_disclosure(text)
    _assert_same_forms(forms, samples, normalise=_nfkc)
    for imported in forms:  # the numbers are exact decimals, not text
        assert imported.form.budget.planned in {s.budget.planned for s in samples.values()}
    ninety_four = _by_key(forms)["武昌区商业行业离退休人员管理服务中心/老干工作经费"].form
    assert ninety_four.total_recorded == 94 and ninety_four.goals[0].weight == 80


def _layout(lines: list[str]) -> list[str]:
    """The text as pdftotext -layout prints it: cells at fixed character columns, no tabs."""
    rows = [line.split("\t") for line in lines]
    width: dict[int, int] = {}
    for r in rows:
        for k, cell in enumerate(r if len(r) > 1 else ()):
            width[k] = max(width.get(k, 0), min(len(cell.strip()), 40))
    out = []
    for r in rows:
        if len(r) < 2:
            out.append(r[0])
            continue
        text = ""
        for k, cell in enumerate(r):
            cell = cell.strip()
            if text and cell and not text.endswith("  "):
                text += "  "
            text += cell
            text = text.ljust(sum(width[j] + 3 for j in range(k + 1)))
        out.append(text.rstrip())
    return out


def test_spaces_instead_of_tabs(part6: list[str], samples: dict[str, Form]) -> None:
    text = "\n".join(_layout(part6))
    assert "\t" not in text
    result = scan_disclosure(text)
    assert all(f.report.unassigned == [] for f in result.forms)
    _assert_same_forms(result.forms, samples)


BOTTOM_ALIGNED = """\
2024 年度某局项目自评表
项目名称          社区养老服务补贴
主管部门          某区民政局              项目实施单位     某区养老服务中心
项目类别          1、部门预算项目 ☑ 2、区级专项 □ 3、上级转移支付项目 □
项目属性          1、持续性项目 ☑ 2、新增性项目 □
项目类型          1、常年性项目 □ 2、延续性项目 ☑ 3、一次性项目 □
预算执行情况（万元）                 预算数（A）   执行数（B）   执行率（B/A）
              年度财政资金总额       50           48            96%
年度
绩效                                                 年初目标值      实际完成值
目标1    一级指标      二级指标        三级指标        （A）           （B）
         产出指标      数量指标        补贴发放人数    ≥500人          520人
                                       补贴发放
                       时效指标        及时率          ≥95%            98%
         满意度指标    服务对象        受助老人满意度  ≥90%            93%
偏差大或目标未完成原因分析    无
改进措施及结果应用方案        无
"""


def test_layout_with_cells_wrapped_upwards() -> None:
    """pdftotext of a bottom-aligned table: header pieces and wrapped cells sit above their row."""
    (imported,) = parse_disclosure(BOTTOM_ALIGNED)
    form, report = imported
    assert report.unassigned == []
    inds = form.goals[0].indicators
    assert [(i.level1, i.level2, i.name, i.target, i.actual) for i in inds] == [
        ("产出指标", "数量指标", "补贴发放人数", "≥500人", "520人"),
        ("产出指标", "时效指标", "补贴发放及时率", "≥95%", "98%"),
        ("满意度指标", "服务对象", "受助老人满意度", "≥90%", "93%"),
    ]
    assert form.goals[0].weight is None  # unscored: no 得分 column
    assert form.ticks.project_type == ("延续性项目",)
    assert any("表头折行的上半部分" in n for n in report.notes)
    assert any("下一行单元格折行的上半部分" in n for n in report.notes)


NATIONAL = """\
项目支出绩效自评表
（2023年度）
项目名称\t\t城市社区公共服务设施维护\t\t\t\t\t\t
主管部门\t\t某区民政局\t\t实施单位\t\t某区社区服务中心\t\t
项目资金（万元）\t\t年初预算数\t全年预算数\t全年执行数\t分值\t执行率\t得分\t
\t年度资金总额\t100\t120\t114\t10\t95%\t9.5\t
\t其中：当年财政拨款\t100\t120\t114\t—\t—\t—\t
\t上年结转资金\t\t\t\t—\t—\t—\t
\t其他资金\t\t\t\t—\t—\t—\t
年度总体目标\t预期目标\t\t\t实际完成情况\t\t\t\t
\t完成 30 个社区服务设施的日常维护，设施完好率不低于 95%。\t\t\t全年维护社区服务设施 32 个，完好率 97%。\t\t\t\t
绩效指标\t一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施
\t产出指标（50分）\t数量指标\t维护社区服务设施数量\t≥30个\t32个\t20\t20\t
\t\t质量指标\t设施完好率\t≥95%\t97%\t15\t15\t
\t\t时效指标\t报修响应时间\t≤24小时\t≤12小时\t10\t10\t
\t\t成本指标\t单个设施维护成本\t≤4万元\t3.56万元\t5\t5\t
\t效益指标（30分）\t社会效益指标\t居民使用社区设施便利度\t明显提升\t基本完成\t20\t16\t部分设施更新滞后，明年优先安排
\t\t可持续影响指标\t设施长效管护机制\t健全\t健全\t10\t10\t
\t满意度指标（10分）\t服务对象满意度指标\t社区居民满意度\t≥90%\t92%\t10\t10\t
总分\t\t\t\t\t\t100\t95.5\t
"""

NATIONAL_EXPECTED = """
format = "jixiao-form/1"
form_kind = "project"
title = "项目支出绩效自评表"
year = 2023
project_name = "城市社区公共服务设施维护"
department = "某区民政局"
implementing_unit = "某区社区服务中心"
rules = "national-2020"
total_score = 95.5

[budget]
label = "年度资金总额"
initial = 100
planned = 120
executed = 114
rate = "95%"
weight = 10
score = 9.5
fiscal = 120

[[goals]]
text = "完成 30 个社区服务设施的日常维护，设施完好率不低于 95%。"
indicators = [
  { level1 = "产出指标", level2 = "数量指标", name = "维护社区服务设施数量", target = "≥30个", actual = "32个", weight = 20, score = 20 },
  { level1 = "产出指标", level2 = "质量指标", name = "设施完好率", target = "≥95%", actual = "97%", weight = 15, score = 15 },
  { level1 = "产出指标", level2 = "时效指标", name = "报修响应时间", target = "≤24小时", actual = "≤12小时", weight = 10, score = 10 },
  { level1 = "产出指标", level2 = "成本指标", name = "单个设施维护成本", target = "≤4万元", actual = "3.56万元", weight = 5, score = 5 },
  { level1 = "效益指标", level2 = "社会效益指标", name = "居民使用社区设施便利度", target = "明显提升", actual = "基本完成", weight = 20, score = 16, deviation = "部分设施更新滞后，明年优先安排" },
  { level1 = "效益指标", level2 = "可持续影响指标", name = "设施长效管护机制", target = "健全", actual = "健全", weight = 10, score = 10 },
  { level1 = "满意度指标", level2 = "服务对象满意度指标", name = "社区居民满意度", target = "≥90%", actual = "92%", weight = 10, score = 10 },
]
"""


def _toml_form(text: str) -> Form:
    return form_from_dict(parse_text(text, "<expected>", ".toml"))


def test_a_national_layout_form() -> None:
    result = scan_disclosure(NATIONAL, "national.txt")
    ((form, report),) = result.forms
    assert form == _toml_form(NATIONAL_EXPECTED)
    assert report.unassigned == [] and report.empty_fields == [] and report.layout == "national"
    notes = "\n".join(report.notes)
    assert "实际完成情况「全年维护社区服务设施 32 个，完好率 97%。」" in notes  # reported, not lost silently
    assert "「产出指标」印有分值 50" in notes
    scored = score_form(form)
    assert scored.rules.name == "national-2020" and scored.total_recorded == Decimal("95.5")
    assert scored.budget.score == Decimal("9.5")


SPLIT = """\
2024 年度某局项目支出绩效自评表
项目名称\t\t社区养老服务补贴\t\t\t\t\t\t
主管部门\t\t某区民政局\t\t项目实施单位\t\t某区养老服务中心\t\t
项目类别\t\t☑部门预算项目 □区级专项 □上级转移支付项目
项目属性\t\t☑持续性项目 □新增性项目
项目类型\t\t☑常年性项目 □延续性项目 □一次性项目
预算执行情况（万元）\t\t\t预算数（A）\t执行数（B）\t执行率（B/A）
\t\t年度财政资金总额\t50\t48\t96%
年度绩效目标\t一级指标\t二级指标\t三级指标\t指标性质\t指标值\t度量单位\t实际完成值
\t产出指标\t数量指标\t补贴发放人数\t≥\t500\t人\t520
\t\t质量指标\t补贴发放准确率\t=\t100\t%\t100%
\t\t时效指标\t补贴发放及时率\t大于等于\t95\t%\t98
\t成本指标\t经济成本指标\t人均补贴标准\t≤\t1000\t元\t923元
\t效益指标\t社会效益指标\t老年人生活质量\t定性\t有所提高\t\t有所提高
\t满意度指标\t服务对象满意度指标\t受助老人满意度\t≥\t90\t%\t93
偏差大或目标未完成原因分析\t\t无
改进措施及结果应用方案\t\t无
"""


def test_split_nature_value_unit_columns() -> None:
    ((form, report),) = parse_disclosure(SPLIT)
    inds = form.goals[0].indicators
    assert [(i.target, i.actual, i.direction) for i in inds] == [
        ("≥500人", "520人", ""),
        ("=100%", "100%", ""),
        ("≥95%", "98%", ""),
        ("≤1000元", "923元", ""),
        ("有所提高", "有所提高", "qualitative"),
        ("≥90%", "93%", ""),
    ]
    assert form.ticks.category == ("部门预算项目",) and form.ticks.attribute == ("持续性项目",)
    assert report.unassigned == [] and report.empty_fields == []
    assert any("性质符号 + 指标值 + 单位" in n for n in report.notes)
    assert not score_form(form).invalid


@pytest.mark.parametrize(
    ("cell", "ticked"),
    [
        ("1、部门预算项目 ☑ 2、区级专项 □ 3、上级转移支付项目 ☑", ("部门预算项目", "上级转移支付项目")),
        ("☐部门预算项目 ☑区级专项 ☐上级转移支付项目", ("区级专项",)),
        ("部门预算项目√ 区级专项□ 上级转移支付项目□", ("部门预算项目",)),
        ("1、部门预算项目 \uf0a8 2、区级专项 \uf0fe 3、上级转移支付项目 \uf0a8", ("区级专项",)),  # Wingdings
        (
            '1、部门预算项目 <input type="checkbox"/> 2、区级专项 <input checked type="checkbox"> 3、上级转移支付项目 □',
            ("区级专项",),
        ),
    ],
)
def test_tick_boxes(cell: str, ticked: tuple[str, ...]) -> None:
    text = f"2024 年度项目自评表\n项目名称\t\t某项目\n项目类别\t\t{cell}\n"
    ((form, _),) = parse_disclosure(text)
    assert form.ticks.category == ticked


# ---------------------------------------------------------------------------- malformed input


def test_a_truncated_form_is_reported(part6: list[str]) -> None:
    cut = part6[: 1078 - PART6[0] + 1]  # the 94 form stops after 确保各项活动保质保量
    cut[-1] = cut[-1][: cut[-1].index("圆满")]  # …and in the middle of that row
    result = scan_disclosure("\n".join(cut))
    assert len(result.forms) == 9
    form, report = result.forms[-1]
    assert [i.name for i in form.indicators] == [
        "离退休人员春节重阳慰问",
        "组织离退休党员学习教育",
        "确保各项活动保质保量",
    ]
    assert form.indicators[-1].actual == "" and form.total_recorded is None
    empty = "\n".join(report.empty_fields)
    for field in (
        "「确保各项活动保质保量」：实际完成值",
        "总分",
        "偏差大或目标未完成原因分析",
        "改进措施及结果应用方案",
    ):
        assert field in empty


def test_a_row_that_cannot_be_placed_is_reported_with_its_raw_text(part6: list[str]) -> None:
    lines = list(part6)
    i = lines.index("\t\t\t稳定协调审计监督\t\t2 次\t2 次")
    lines.insert(i + 1, "\t\t\t甲\t乙\t丙\t丁\t戊\t己\t庚")
    lines.insert(3, "这一行不属于表格")
    result = scan_disclosure("\n".join(lines))
    problems = [u for f in result.forms for u in f.report.unassigned]
    assert [u.raw_text for u in problems] == ["这一行不属于表格", "\t\t\t甲\t乙\t丙\t丁\t戊\t己\t庚"]
    assert all(u.reason for u in problems)
    assert not result.ok
    assert len(result.forms) == 9 and sum(f.report.rows_recovered for f in result.forms) == 127


def test_random_text_has_no_forms() -> None:
    rng = random.Random(7)
    words = ["预算", "指标", "目标", "完成", "年度", "\t", " ", "。", "100%", "≥", "项目", "绩效", "\n"]
    text = "".join(rng.choice(words) for _ in range(5000))
    result = scan_disclosure(text)
    assert result.forms == [] or all(isinstance(f.form, Form) for f in result.forms)
    assert render(result)


@pytest.mark.parametrize("seed", range(6))
def test_shuffled_and_cut_seed_lines_never_crash(part6: list[str], seed: int) -> None:
    rng = random.Random(seed)
    lines = list(part6)
    rng.shuffle(lines)
    lines = [line[: rng.randrange(len(line) + 1)] if rng.random() < 0.2 else line for line in lines]
    result = scan_disclosure("\n".join(lines))
    for form, report in result.forms:
        form_to_dict(form)
        assert all(u.raw_text and u.reason for u in report.unassigned)
    assert render(result)


def test_the_document_may_go_on_after_the_last_form(part6: list[str], samples: dict[str, Form]) -> None:
    tail = ["第七部分 名词解释", "一、财政拨款收入：指本年度从本级财政部门取得的财政拨款。", "二、其他收入"]
    result = scan_disclosure("\n".join([*part6, *tail]))
    _assert_same_forms(result.forms, samples)
    assert result.ok
    assert "表后第 273–275 行不属于本表，已跳过" in result.forms[-1].report.notes


def test_no_forms_and_title_only() -> None:
    empty = scan_disclosure("")
    assert empty.forms == [] and "没有找到自评表" in empty.errors[0]
    title_only = scan_disclosure("正文\n2024 年度某局项目自评表\n\n")
    assert title_only.forms == [] and title_only.errors
    assert "像是表题，但其后没有表格内容" in title_only.notes[0]


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.txt"
    path.write_bytes(random.Random(3).randbytes(4000))
    result = read_disclosure(path)
    assert result.forms == [] and "不是文本文件" in result.errors[0]
    rc, _, err = _cli(["import-disclosure", str(path)])
    assert rc == 1 and "不是文本文件" in err


def test_gb18030_text(tmp_path: Path, part6: list[str], samples: dict[str, Form]) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("\n".join(part6).encode("gb18030"))
    _assert_same_forms(read_disclosure(path).forms, samples)


# ---------------------------------------------------------------------------- other file types


def test_xlsx_versions_of_the_forms(tmp_path: Path, samples: dict[str, Form]) -> None:
    from jixiao.xlsx import write_workbook

    path = tmp_path / "forms.xlsx"
    write_workbook(list(samples.values()), path)
    result = read_disclosure(path)
    assert result.errors == []
    assert {_key(f.form): f.form for f in result.forms} == samples
    assert sum(f.report.rows_recovered for f in result.forms) == 127


def test_a_pdf_without_rules(tmp_path: Path, part6: list[str]) -> None:
    """A PDF whose cells are only placed, not ruled: pdfplumber's words, cells split at wide gaps."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    from jixiao.disclosure.text import display_width
    from jixiao.pdf.fonts import find_font

    font = find_font()
    lines = _layout(part6[part6.index("2024 年度武昌区经科局项目自评表") : part6.index("(计划管理费)") - 1])
    path = tmp_path / "form.pdf"
    canvas = Canvas(str(path), pagesize=landscape(A4))
    canvas.setFont(font.name, 9)
    for k, line in enumerate(lines):
        for m in re.finditer(r"\S+(?: \S+)*", line):  # each cell at its own x, as in a table
            canvas.drawString(20 + 4.5 * display_width(line[: m.start()]), 560 - 14 * k, m.group(0))
    canvas.save()
    result = read_disclosure(path)
    ((form, report),) = result.forms
    sample = load_form(SAMPLES / "2024-qiye-guanlifei.toml")
    squeeze = re.compile(r"\s+")
    flat = lambda f: squeeze.sub("", str(form_to_dict(f)))  # noqa: E731
    assert report.unassigned == [] and flat(form) == flat(sample)


# ---------------------------------------------------------------------------- the command


def _cli(argv: list[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db")
    cli_disclosure.add_commands(parser.add_subparsers(dest="command"), argparse.ArgumentParser)
    args = parser.parse_args(argv)
    out, err = Console(record=True, width=200), Console(record=True, width=200, stderr=True)
    rc = args.func(args, out, err)
    return rc, out.export_text(), err.export_text()


def test_cli_writes_one_toml_file_per_form(tmp_path: Path, samples: dict[str, Form]) -> None:
    rc, out, _ = _cli(["import-disclosure", str(SEED), "-o", str(tmp_path / "out")])
    assert rc == 0, out
    assert "找到 9 份自评表" in out and "已写出 9 个 TOML 文件" in out
    files = sorted((tmp_path / "out").glob("*.toml"))
    assert len(files) == 9
    written = {_key(f): f for f in (load_form(p) for p in files)}
    assert sorted(written) == sorted(samples)
    for key, sample in samples.items():
        assert written[key] == _expected(sample)
    assert (
        "各指标分值按规则推定"
        in (tmp_path / "out" / "2024-武昌区商业行业离退休人员管理服务中心-老干工作经费.toml").read_text()
    )


def test_cli_exit_status_and_database(tmp_path: Path, part6: list[str]) -> None:
    db = tmp_path / "forms.sqlite"
    rc, out, err = _cli(["--db", str(db), "import-disclosure", str(SEED), "--to-db"])
    assert rc == 0, out + err
    assert "新建 9 份" in out
    rc, out, _ = _cli(["--db", str(db), "import-disclosure", str(SEED), "--to-db"])
    assert rc == 0 and "未变 9 份" in out

    bad = tmp_path / "bad.txt"
    bad.write_text("\n".join([*part6[:5], "这一行不属于表格", *part6[5:]]), encoding="utf-8")
    rc, out, err = _cli(["--db", str(db), "import-disclosure", str(bad), "--to-db"])
    assert rc == 1 and "这一行不属于表格" in out and "未导入" in err
    rc, out, _ = _cli(["import-disclosure", str(bad)])
    assert rc == 1 and "共有 1 行未能归位" in out

    missing = tmp_path / "missing.txt"
    rc, _, err = _cli(["import-disclosure", str(missing)])
    assert rc == 1 and "文件不存在" in err
    empty = tmp_path / "empty.txt"
    empty.write_text("没有表格的正文\n", encoding="utf-8")
    rc, _, err = _cli(["import-disclosure", str(empty), "-o", str(tmp_path / "none")])
    assert rc == 1 and "没有找到自评表" in err and not (tmp_path / "none").exists()


def test_a_document_does_not_overwrite_a_stored_form_that_differs(tmp_path: Path) -> None:
    """A form read from a published document has no rule set, ticks or reasons: storing it over the
    unit's own form erased them; it is refused, and nothing of the document is written."""
    from jixiao.storage.database import make_engine, upgrade
    from jixiao.storage.seed import sample_forms
    from jixiao.storage.store import FormStore

    db = tmp_path / "forms.sqlite"
    engine = make_engine(f"sqlite:///{db}")
    upgrade(engine)
    store = FormStore(engine, actor="测试")
    store.import_forms(sample_forms())  # type: ignore[arg-type]
    before = {f.id: store.get(f.id).form for f in store.list()}
    rc, out, err = _cli(["--db", str(db), "import-disclosure", str(SEED), "--to-db"])
    assert rc == 1 and "从公开文档读出的表单不覆盖已有表单" in err and "没有写入任何表单" in err, out + err
    assert {f.id: store.get(f.id).form for f in store.list()} == before
    engine.dispose()


def test_the_package_is_pure() -> None:
    code = (
        "import sys, jixiao.disclosure\n"
        "print(','.join(m for m in ('sqlalchemy', 'textual', 'reportlab', 'openpyxl', 'pyhanko') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


# SHA-256 of the shared seed (../shared/seed/000_b6f627454c508857.txt) when it was copied in.
SEED_SHA256 = "cd94a206d223bc0f2588b12efbff2aee3dbecdf1ea38b5a1f65b44cea35ab772"


def test_the_shipped_seed_is_the_shared_seed() -> None:
    """The copy in tests/data is byte for byte the shared seed: by its recorded hash everywhere, and
    against the shared file itself where the checkout sits beside it (a developer's machine)."""
    assert hashlib.sha256(SEED.read_bytes()).hexdigest() == SEED_SHA256
    if SHARED_SEED.is_file():
        assert hashlib.sha256(SHARED_SEED.read_bytes()).hexdigest() == SEED_SHA256
