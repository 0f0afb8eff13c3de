"""A synthetic, province-scale dataset of self-evaluation forms (issue 9).

Run::

    python bench/generate.py --indicators N --seed S [--out DIR] [--format toml|json]
                             [--db URL] [--years 2023,2024] [--manifest FILE] [--workers K]

The dataset is shaped like a province: counties → departments (某某县教育局 …) →
implementing units (某某县第一中学 …) → about 12 projects per unit → 10–20
indicators per project, plus one 部门整体支出 form per department and year. The
number of units and projects is scaled so that the total number of indicators,
over all years, is about N. The same unit, project and indicator names recur in
every year, targets ratchet up from last year's actuals, and the text of the
cells has the mix of real forms (docs/domain.md): comparators as symbols,
look-alikes and words, full-width digits, 万/亿, ranks, deadlines, qualitative
labels and tiers, bracketed notes, empty actuals, a few unknown wordings (left
for human judgement) and a few invalid cells.

About half of the units score their forms (hubei-2020: weights, recorded scores
and 总分); the others leave them unscored (national-2020). Recorded scores equal
the rule scores, except where an anomaly is planted.

Planted anomalies (for the review checks of issue 7) are listed in a manifest:
``DIR/manifest.json`` with ``--out``, the file given by ``--manifest``, or
printed on standard output. It is JSON (``jixiao-bench-manifest/1``)::

    {"format": "jixiao-bench-manifest/1", "complete": true, "seed": 1,
     "indicators_requested": 1000000, "years": [2023, 2024],
     "rules": {"scored": "hubei-2020", "unscored": "national-2020"},
     "totals": {"forms", "indicators", "scored_forms", "counties", "departments", "units", "projects"},
     "cells": {"comparator": n, "word-comparator": n, "lookalike-symbol": n, "full-width-digits": n,
               "scale": n, "rank": n, "date": n, "qualitative-label": n, "note": n, "empty": n,
               "unknown-wording": n, "invalid": n, "family:count": n, …, "row:invalid": n, …},
     "anomaly_kinds": {kind: {"checks": [check ids], "planted": "what was done"}},
     "anomaly_counts": {kind: n},
     "anomalies": [{"kind": "sandbagging", "checks": ["sandbagging"],
                    "form": "2024/某某县第一中学/学生资助经费",   # year/unit/project: the database identity
                    "year": 2024, "department": "某某县教育局", "unit": "某某县第一中学",
                    "project": "学生资助经费", "indicator": "资助学生人次", "detail": "…"}, …]}

``checks`` are the ids of jixiao's checks (issue 7) expected to flag the form;
a form may be flagged by others as well (a dataset has natural misses,
judgement rows and empty cells at realistic, low rates). ``unit-outlier`` is
listed on each form of the unit in that year, ``coverage-gap`` on the
department's 部门整体支出 form. See ``ANOMALIES`` for every kind.

As a library::

    from bench.generate import generate, Dataset
    forms = generate(100_000, seed=1)          # an iterator of scorer.model.Form
    for form in forms: ...
    forms.manifest                             # complete once the iterator is exhausted

Everything is deterministic for a seed: random.Random(seed) for the plan, and a
generator seeded by (seed, unit, project) for each project's forms.
"""

from __future__ import annotations

import argparse
import calendar
import functools
import json
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scorer.model import Budget, Form, FormKind, Goal, Indicator, Recorded, SignOff, Ticks  # noqa: E402
from scorer.numbers import q2  # noqa: E402
from scorer.rules import RuleSet  # noqa: E402
from scorer.rules import load as load_rules  # noqa: E402

MANIFEST_FORMAT = "jixiao-bench-manifest/1"
DEFAULT_YEARS = (2023, 2024)
SCORED_RULES = "hubei-2020"
UNSCORED_RULES = "national-2020"

ZERO = Decimal(0)
HUNDRED = Decimal(100)

# ---------------------------------------------------------------- anomalies

#: kind → (check ids expected to flag it, what was planted)
ANOMALIES: dict[str, tuple[tuple[str, ...], str]] = {
    "inflated-total": (
        ("recorded-far-above", "recorded-differs-unexplained", "qualitative-out-of-band"),
        "several rows miss their targets but are recorded at full marks without a reason; 总分 is far above the rule total",
    ),
    "all-equal-full-marks": (
        ("actual-equals-target", "all-full-marks"),
        "every actual is exactly its target and every row has full marks",
    ),
    "copied-narrative": (
        ("copied-narrative",),
        "the same 偏差原因分析 text on forms of different projects and units",
    ),
    "execution-over-100": (("execution-over-100",), "执行数 above 预算数 (执行率 105%–125%)"),
    "low-execution-high-grade": (
        ("low-execution-high-grade",),
        "执行率 35%–58% while every indicator is met, so the grade is still 良 or 优",
    ),
    "no-cost-indicator": (("no-cost-indicator",), "the form has no 成本 indicator"),
    "no-satisfaction-indicator": (("no-satisfaction-indicator",), "the form has no 满意度 indicator"),
    "sandbagging": (
        ("sandbagging",),
        "this year's 年初目标值 of an indicator is 70%–85% of last year's actual for the same unit and project",
    ),
    "recorded-differs": (
        ("recorded-differs-unexplained",),
        "one row's recorded score differs from the rule score by 1–3 points, without a reason",
    ),
    "unit-outlier": (
        ("unit-outlier", "all-full-marks"),
        "every form of the unit in that year is perfect (total 100) while its peers average about 90",
    ),
    "over-completion": (
        ("over-completion-unexplained",),
        "an actual at 130%–190% of its target with no explanation",
    ),
    "deviation-missing": (("deviation-missing",), "a missed target and an empty (无) 偏差原因分析"),
    "boilerplate-actuals": (("boilerplate-actuals",), "most actuals read 达到预期指标 / 圆满完成 / 完成"),
    "coverage-gap": (
        ("project-coverage",),
        "the department form's 项目支出总额 exceeds the project forms' 预算数 (coverage 60%–90%)",
    ),
}

#: Per eligible form (per unit for unit-outlier, per department-year for coverage-gap), and a minimum count.
_RATES: dict[str, tuple[float, int]] = {
    "inflated-total": (0.015, 1),
    "all-equal-full-marks": (0.008, 1),
    "copied-narrative": (0.006, 3),
    "execution-over-100": (0.006, 1),
    "low-execution-high-grade": (0.006, 1),
    "no-cost-indicator": (0.006, 1),
    "no-satisfaction-indicator": (0.006, 1),
    "sandbagging": (0.008, 1),
    "recorded-differs": (0.01, 1),
    "unit-outlier": (0.003, 1),
    "over-completion": (0.005, 1),
    "deviation-missing": (0.005, 1),
    "boilerplate-actuals": (0.004, 1),
    "coverage-gap": (0.1, 1),
}
_SCORED_ONLY = {"inflated-total", "recorded-differs"}
_COPY_GROUP = 3  # forms sharing one copied narrative

# ---------------------------------------------------------------- names

_COUNTY_A = "清安永宁长丰新泰和乐云华德兴隆富阳建宣通广福昌明景嘉崇临江河山"
_COUNTY_B = "平安阳宁城川源兴丰溪山湖陵口田州都昌化水林原泉桥台"
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红辉建国志文斌"

# (department suffix, sector, subordinate units)
_DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("财政局", "finance", ("财政国库支付中心", "财政投资评审中心", "乡镇财政管理所", "非税收入管理局")),
    (
        "教育局",
        "education",
        (
            "第一中学",
            "第二中学",
            "第三中学",
            "实验小学",
            "城关小学",
            "职业教育中心",
            "特殊教育学校",
            "实验幼儿园",
            "教师发展中心",
            "城南中学",
            "城北小学",
        ),
    ),
    (
        "卫生健康局",
        "health",
        ("人民医院", "中医医院", "妇幼保健院", "疾病预防控制中心", "卫生健康综合执法大队", "城关镇卫生院"),
    ),
    ("交通运输局", "transport", ("公路事业发展中心", "农村公路管理所", "道路运输服务中心", "港航事业发展中心")),
    (
        "农业农村局",
        "agriculture",
        ("农业技术推广中心", "动物疫病预防控制中心", "农村经营管理站", "农业综合执法大队", "种子管理站"),
    ),
    ("水利和湖泊局", "water", ("水利工程管理站", "河道堤防管理所", "水土保持站", "农村供水管理站")),
    ("民政局", "civil", ("社会福利院", "救助管理站", "殡仪服务中心", "社会救助服务中心")),
    ("人力资源和社会保障局", "labour", ("就业服务中心", "社会保险事业中心", "劳动保障监察大队", "职业技能培训中心")),
    (
        "住房和城乡建设局",
        "housing",
        ("住房保障服务中心", "城市建设服务中心", "建筑工程质量安全监督站", "园林绿化管理所"),
    ),
    ("文化和旅游局", "culture", ("图书馆", "文化馆", "博物馆", "文物保护中心", "旅游服务中心")),
    ("自然资源和规划局", "land", ("不动产登记中心", "土地储备中心", "测绘地理信息中心")),
    ("林业局", "forestry", ("国有林场", "林业技术推广站", "森林防火指挥中心", "野生动植物保护站")),
    ("生态环境分局", "environment", ("环境监测站", "生态环境保护综合执法大队")),
    ("市场监督管理局", "market", ("食品药品检验检测中心", "计量测试所", "市场监管综合执法大队", "消费者权益保护中心")),
    ("应急管理局", "emergency", ("应急救援指挥中心", "安全生产执法大队", "地震监测中心")),
    ("公安局", "police", ("交通警察大队", "看守所", "城关派出所", "巡特警大队")),
    ("司法局", "justice", ("公共法律服务中心", "城关司法所", "法律援助中心")),
    ("退役军人事务局", "veterans", ("退役军人服务中心", "光荣院", "烈士陵园管理所")),
    ("医疗保障局", "medical", ("医疗保障服务中心", "医疗保障基金稽核中心")),
    ("政务服务和大数据管理局", "digital", ("政务服务中心", "大数据中心", "公共资源交易中心")),
    ("经济信息化和商务局", "economy", ("中小企业服务中心", "商务服务中心", "招商服务中心")),
    ("统计局", "stats", ("普查中心", "社会经济调查队")),
    ("审计局", "audit", ("审计信息中心", "经济责任审计中心")),
    ("委老干部局", "cadre", ("老年大学", "老干部活动中心")),
    ("城市管理执法局", "urban", ("环境卫生管理所", "市政设施管理所", "城市管理执法大队")),
)

# ---------------------------------------------------------------- indicators
#
# An indicator spec: (level1, level2, name, family, params). Families:
#   count  (unit, lo, hi)        positive count, "≥75户" / "75户"
#   rate   (lo, hi)              positive percentage, "≥95%" / "98%"
#   rrate  (lo, hi)              reverse percentage, "≤3%" / "1.2%"
#   dur    (unit, lo, hi)        reverse duration, "≤24小时" / "8小时"
#   money  (lo, hi)              positive 万元 amount
#   scale  (unit, lo, hi, word)  positive with 万/亿, "≥3.9亿" / "4.0亿条"
#   bw     (lo, hi)              bandwidth in G
#   rank   (lo, hi)              "排名前10" / "排名第3"
#   date   ()                    deadline, "9月前" / "8月"
#   qual   ()                    "定性指标" / tier word
#   same   (word, alt)           qualitative target, actual the same word (or alt)
#   dir    (word, actual)        direction word target, "减少" / "全年无故障"
#   zero   (unit,)               "为0" / "0次" / "未发生"
#   ucost  (unit, lo, hi)        reverse unit cost, "≤1200元/人"
#   cost   ()                    reverse 万元 cost tied to the budget
#   sat    ()                    satisfaction, "≥90%" / "95%"
#   range  ()                    "90%-95%" / "93%"

Spec = tuple[str, str, str, str, tuple[Any, ...]]

_OUT, _EFF, _SAT, _COST = "产出指标", "效益指标", "满意度指标", "成本指标"
_NUM, _QUA, _TIME, _COSTL2 = "数量指标", "质量指标", "时效指标", "成本指标"
_SOC, _ECO, _ENV, _SUS, _SATL2 = "社会效益指标", "经济效益指标", "生态效益指标", "可持续影响指标", "服务对象满意度指标"


@dataclass(frozen=True, slots=True)
class ProjectTemplate:
    name: str
    budget: tuple[int, int]  # 万元
    goal: str
    specs: tuple[Spec, ...]


def _p(name: str, budget: tuple[int, int], goal: str, *specs: Spec) -> ProjectTemplate:
    return ProjectTemplate(name, budget, goal, specs)


_SECTOR_PROJECTS: dict[str, tuple[ProjectTemplate, ...]] = {
    "education": (
        _p(
            "义务教育营养改善计划",
            (80, 900),
            "为农村义务教育阶段学生提供营养膳食补助，改善学生营养健康状况",
            (_OUT, _NUM, "受益学生人数", "count", ("人", 800, 6000)),
            (_OUT, _NUM, "供餐天数", "count", ("天", 180, 200)),
            (_OUT, _QUA, "食品安全抽检合格率", "rate", (95, 100)),
            (_OUT, _TIME, "补助资金拨付及时率", "rate", (95, 100)),
            (_EFF, _SOC, "学生营养健康状况", "qual", ()),
            (_EFF, _SOC, "食品安全事故发生次数", "zero", ("次",)),
            (_OUT, _COSTL2, "生均膳食补助标准", "ucost", ("元/人", 800, 1000)),
        ),
        _p(
            "学生资助经费",
            (50, 600),
            "落实家庭经济困难学生资助政策，确保应助尽助",
            (_OUT, _NUM, "资助学生人次", "count", ("人次", 300, 5000)),
            (_OUT, _QUA, "资助对象识别准确率", "rate", (95, 100)),
            (_OUT, _TIME, "资助资金发放时间", "date", ()),
            (_EFF, _SOC, "家庭经济困难学生辍学人数", "zero", ("人",)),
            (_EFF, _SOC, "资助政策知晓率", "rate", (85, 98)),
        ),
        _p(
            "校舍维修改造",
            (60, 1200),
            "完成校舍维修改造任务，消除校舍安全隐患",
            (_OUT, _NUM, "维修改造面积", "count", ("平方米", 1200, 15000)),
            (_OUT, _QUA, "工程验收合格率", "rate", (95, 100)),
            (_OUT, _TIME, "工程完工时间", "date", ()),
            (_EFF, _SOC, "校舍安全隐患消除率", "rate", (90, 100)),
            (_EFF, _SUS, "校舍使用年限", "count", ("年", 15, 30)),
        ),
        _p(
            "教师培训经费",
            (20, 200),
            "开展教师全员培训，提升教师专业能力",
            (_OUT, _NUM, "参训教师人次", "count", ("人次", 200, 3000)),
            (_OUT, _NUM, "举办培训班期数", "count", ("期", 4, 30)),
            (_OUT, _QUA, "培训考核合格率", "rate", (90, 100)),
            (_EFF, _SOC, "教师教学能力", "dir", ("提高", "明显提升")),
        ),
        _p(
            "教育信息化建设",
            (40, 500),
            "建设智慧校园，推进信息技术与教育教学融合",
            (_OUT, _NUM, "新建智慧教室数量", "count", ("个", 5, 60)),
            (_OUT, _NUM, "校园网出口带宽", "bw", (1, 10)),
            (_OUT, _QUA, "设备完好率", "rate", (90, 100)),
            (_EFF, _SOC, "全省教育信息化应用排名", "rank", (5, 20)),
        ),
        _p(
            "学前教育保教经费",
            (30, 400),
            "保障公办幼儿园运转，扩大普惠性学前教育资源",
            (_OUT, _NUM, "在园幼儿人数", "count", ("人", 150, 1500)),
            (_OUT, _QUA, "普惠性幼儿园覆盖率", "rate", (80, 95)),
            (_EFF, _SOC, "学前三年毛入园率", "rate", (85, 98)),
        ),
    ),
    "health": (
        _p(
            "基本公共卫生服务",
            (200, 3000),
            "向城乡居民免费提供基本公共卫生服务，提高居民健康水平",
            (_OUT, _NUM, "建立居民电子健康档案人数", "scale", ("人", 8, 60, "万")),
            (_OUT, _NUM, "老年人健康管理人数", "count", ("人", 3000, 30000)),
            (_OUT, _QUA, "高血压患者规范管理率", "rate", (60, 80)),
            (_OUT, _QUA, "适龄儿童免疫规划疫苗接种率", "rate", (90, 99)),
            (_EFF, _SOC, "居民健康素养水平", "dir", ("提高", "明显提升")),
            (_OUT, _TIME, "资金拨付时间", "date", ()),
        ),
        _p(
            "家庭医生签约服务",
            (50, 600),
            "推进家庭医生签约服务，重点人群签约服务全覆盖",
            (_OUT, _NUM, "签约服务人数", "scale", ("人", 2, 20, "万")),
            (_OUT, _QUA, "重点人群签约覆盖率", "rate", (60, 80)),
            (_OUT, _QUA, "签约居民服务规范率", "range", ()),
        ),
        _p(
            "疾病预防控制",
            (80, 900),
            "做好传染病监测和突发公共卫生事件处置",
            (_OUT, _NUM, "传染病监测样本数", "count", ("份", 1000, 12000)),
            (_OUT, _QUA, "传染病报告及时率", "rate", (95, 100)),
            (_OUT, _TIME, "突发公共卫生事件响应时间", "dur", ("小时", 2, 4)),
            (_EFF, _SOC, "甲乙类传染病暴发流行次数", "zero", ("次",)),
        ),
        _p(
            "医疗设备购置",
            (100, 2000),
            "购置医疗设备，提升诊疗服务能力",
            (_OUT, _NUM, "购置设备数量", "count", ("台套", 5, 80)),
            (_OUT, _QUA, "设备验收合格率", "rate", (98, 100)),
            (_OUT, _TIME, "设备到位时间", "date", ()),
            (_EFF, _SOC, "门诊服务人次", "scale", ("人次", 2, 30, "万")),
        ),
        _p(
            "卫生应急物资储备",
            (30, 400),
            "储备卫生应急物资，满足突发事件处置需要",
            (_OUT, _NUM, "储备物资品种数量", "count", ("个", 20, 120)),
            (_OUT, _QUA, "物资完好率", "rate", (95, 100)),
            (_OUT, _TIME, "应急物资调拨响应时间", "dur", ("小时", 2, 12)),
        ),
    ),
    "transport": (
        _p(
            "农村公路养护",
            (200, 3000),
            "落实农村公路日常养护，保持路况良好",
            (_OUT, _NUM, "养护农村公路里程", "count", ("公里", 200, 2500)),
            (_OUT, _QUA, "农村公路优良中等路率", "rate", (75, 90)),
            (_OUT, _TIME, "路面病害处置时间", "dur", ("天", 3, 15)),
            (_EFF, _SOC, "群众出行条件", "dir", ("提高", "明显提升")),
            (_EFF, _SOC, "因路况引发的安全事故次数", "zero", ("次",)),
        ),
        _p(
            "危桥改造",
            (300, 4000),
            "完成危桥改造任务，消除通行安全隐患",
            (_OUT, _NUM, "改造危桥数量", "count", ("座", 2, 25)),
            (_OUT, _QUA, "工程质量合格率", "rate", (98, 100)),
            (_OUT, _TIME, "工程完工时间", "date", ()),
            (_EFF, _SUS, "桥梁设计使用年限", "count", ("年", 30, 50)),
        ),
        _p(
            "道路运输安全监管",
            (20, 200),
            "加强道路运输安全监管，预防运输安全事故",
            (_OUT, _NUM, "开展安全检查次数", "count", ("次", 20, 200)),
            (_OUT, _NUM, "检查运输企业家数", "count", ("家", 30, 400)),
            (_OUT, _QUA, "隐患整改率", "rate", (95, 100)),
            (_EFF, _SOC, "较大以上运输安全事故", "zero", ("次",)),
        ),
    ),
    "agriculture": (
        _p(
            "高标准农田建设",
            (500, 6000),
            "建设高标准农田，提高粮食综合生产能力",
            (_OUT, _NUM, "新建高标准农田面积", "scale", ("亩", 1, 8, "万")),
            (_OUT, _QUA, "工程验收合格率", "rate", (95, 100)),
            (_OUT, _TIME, "项目完工时间", "date", ()),
            (_EFF, _ECO, "亩均粮食增产", "count", ("公斤", 30, 120)),
            (_EFF, _SUS, "工程设计使用年限", "count", ("年", 10, 20)),
        ),
        _p(
            "农业技术推广",
            (20, 300),
            "推广农业主推技术，提升农业科技水平",
            (_OUT, _NUM, "推广主推技术数量", "count", ("项", 5, 30)),
            (_OUT, _NUM, "培训农民人次", "count", ("人次", 300, 5000)),
            (_OUT, _NUM, "建设示范基地个数", "count", ("个", 2, 20)),
            (_EFF, _ECO, "主推技术到位率", "rate", (85, 95)),
        ),
        _p(
            "动物防疫",
            (50, 600),
            "做好重大动物疫病强制免疫，防控动物疫情",
            (_OUT, _NUM, "强制免疫畜禽数量", "scale", ("头", 10, 200, "万")),
            (_OUT, _QUA, "免疫抗体合格率", "rate", (70, 90)),
            (_EFF, _SOC, "区域性重大动物疫情发生次数", "zero", ("次",)),
            (_OUT, _TIME, "疫情报告时间", "dur", ("小时", 2, 24)),
        ),
        _p(
            "耕地地力保护补贴",
            (500, 8000),
            "发放耕地地力保护补贴，保护耕地地力",
            (_OUT, _NUM, "补贴发放户数", "count", ("户", 5000, 60000)),
            (_OUT, _NUM, "补贴面积", "scale", ("亩", 5, 60, "万")),
            (_OUT, _QUA, "补贴资金兑付准确率", "rate", (98, 100)),
            (_OUT, _TIME, "补贴资金兑付时间", "date", ()),
        ),
    ),
    "water": (
        _p(
            "小型水库除险加固",
            (200, 3000),
            "完成病险水库除险加固，保障度汛安全",
            (_OUT, _NUM, "除险加固水库座数", "count", ("座", 2, 20)),
            (_OUT, _QUA, "工程质量合格率", "rate", (98, 100)),
            (_OUT, _TIME, "主体工程完工时间", "date", ()),
            (_EFF, _SOC, "水库安全度汛", "same", ("有效保障", "有效保障")),
        ),
        _p(
            "农村饮水安全巩固提升",
            (100, 2000),
            "巩固提升农村供水保障水平",
            (_OUT, _NUM, "受益人口", "scale", ("人", 1, 15, "万")),
            (_OUT, _QUA, "农村自来水普及率", "rate", (85, 98)),
            (_OUT, _QUA, "水质达标率", "rate", (90, 100)),
            (_EFF, _SOC, "供水故障修复时间", "dur", ("小时", 12, 48)),
        ),
        _p(
            "河湖长制工作经费",
            (20, 200),
            "落实河湖长制，改善河湖水环境",
            (_OUT, _NUM, "河湖巡查次数", "count", ("次", 100, 1200)),
            (_OUT, _QUA, "问题整改销号率", "rate", (90, 100)),
            (_EFF, _ENV, "主要河流断面水质达标率", "rate", (80, 100)),
        ),
    ),
    "civil": (
        _p(
            "城乡居民最低生活保障",
            (500, 8000),
            "保障城乡低保对象基本生活",
            (_OUT, _NUM, "保障对象人数", "count", ("人", 2000, 30000)),
            (_OUT, _QUA, "低保对象识别准确率", "rate", (95, 100)),
            (_OUT, _TIME, "低保金按月发放率", "rate", (98, 100)),
            (_EFF, _SOC, "困难群众基本生活", "same", ("有效保障", "有效保障")),
        ),
        _p(
            "特困人员救助供养",
            (100, 1500),
            "落实特困人员救助供养政策",
            (_OUT, _NUM, "供养特困人员人数", "count", ("人", 300, 4000)),
            (_OUT, _QUA, "集中供养机构服务达标率", "rate", (90, 100)),
            (_EFF, _SOC, "特困人员生活质量", "dir", ("提高", "明显提升")),
        ),
        _p(
            "社区养老服务",
            (30, 500),
            "建设社区居家养老服务网络",
            (_OUT, _NUM, "新建社区养老服务站点", "count", ("个", 3, 30)),
            (_OUT, _NUM, "服务老年人人次", "scale", ("人次", 1, 10, "万")),
            (_EFF, _SOC, "养老服务覆盖率", "rate", (70, 95)),
        ),
    ),
    "labour": (
        _p(
            "就业补助资金",
            (200, 3000),
            "落实就业创业扶持政策，稳定和扩大就业",
            (_OUT, _NUM, "城镇新增就业人数", "count", ("人", 1000, 9000)),
            (_OUT, _NUM, "发放创业担保贷款", "money", (500, 8000)),
            (_OUT, _QUA, "城镇登记失业率", "rrate", (3, 5)),
            (_EFF, _SOC, "零就业家庭动态清零", "same", ("完成", "完成")),
        ),
        _p(
            "职业技能提升培训",
            (50, 800),
            "开展职业技能培训，提升劳动者就业能力",
            (_OUT, _NUM, "培训人次", "count", ("人次", 500, 8000)),
            (_OUT, _QUA, "培训合格率", "rate", (85, 98)),
            (_EFF, _SOC, "培训后就业率", "rate", (60, 80)),
        ),
        _p(
            "劳动保障监察",
            (10, 120),
            "维护劳动者合法权益，根治欠薪",
            (_OUT, _NUM, "检查用人单位家数", "count", ("家", 100, 1200)),
            (_OUT, _QUA, "欠薪案件结案率", "rate", (95, 100)),
            (_OUT, _TIME, "投诉举报处理时限", "dur", ("个工作日", 5, 20)),
        ),
    ),
    "housing": (
        _p(
            "城镇老旧小区改造",
            (500, 8000),
            "改造城镇老旧小区，改善居民居住条件",
            (_OUT, _NUM, "改造老旧小区个数", "count", ("个", 5, 60)),
            (_OUT, _NUM, "惠及居民户数", "count", ("户", 800, 12000)),
            (_OUT, _QUA, "工程验收合格率", "rate", (98, 100)),
            (_OUT, _TIME, "年度开工时间", "date", ()),
            (_EFF, _SOC, "居民居住条件", "dir", ("提高", "明显改善")),
        ),
        _p(
            "公租房运营管理",
            (50, 600),
            "做好公租房分配和运营管理",
            (_OUT, _NUM, "公租房保障户数", "count", ("户", 300, 5000)),
            (_OUT, _QUA, "公租房分配入住率", "rate", (85, 98)),
            (_OUT, _TIME, "报修响应时间", "dur", ("小时", 24, 48)),
        ),
        _p(
            "园林绿化养护",
            (50, 900),
            "做好城区园林绿化养护，提升城市环境",
            (_OUT, _NUM, "养护绿地面积", "scale", ("平方米", 20, 300, "万")),
            (_OUT, _QUA, "绿化苗木成活率", "rate", (90, 98)),
            (_EFF, _ENV, "建成区绿化覆盖率", "rate", (35, 45)),
        ),
    ),
    "culture": (
        _p(
            "公共文化服务体系建设",
            (30, 500),
            "免费开放公共文化设施，丰富群众文化生活",
            (_OUT, _NUM, "开展群众文化活动场次", "count", ("场", 30, 400)),
            (_OUT, _NUM, "接待群众人次", "scale", ("人次", 1, 40, "万")),
            (_OUT, _QUA, "免费开放服务达标率", "rate", (95, 100)),
            (_EFF, _SOC, "群众文化生活", "dir", ("提高", "明显丰富")),
        ),
        _p(
            "非物质文化遗产保护",
            (10, 150),
            "开展非遗项目保护传承",
            (_OUT, _NUM, "非遗展演活动次数", "count", ("次", 5, 60)),
            (_OUT, _NUM, "扶持传承人人数", "count", ("人", 5, 60)),
            (_EFF, _SUS, "非遗项目传承", "same", ("有效保护", "有效保护")),
        ),
        _p(
            "全民阅读推广",
            (10, 120),
            "开展全民阅读活动，建设书香社会",
            (_OUT, _NUM, "新增馆藏图书册数", "count", ("册", 3000, 30000)),
            (_OUT, _NUM, "阅读推广活动场次", "count", ("场", 20, 200)),
            (_EFF, _SOC, "全省公共图书馆评估排名", "rank", (5, 30)),
        ),
    ),
    "forestry": (
        _p(
            "森林防火",
            (30, 600),
            "做好森林防火，保护森林资源安全",
            (_OUT, _NUM, "防火巡查人次", "count", ("人次", 1000, 12000)),
            (_OUT, _NUM, "建设防火隔离带", "count", ("公里", 10, 120)),
            (_OUT, _TIME, "火情处置响应时间", "dur", ("分钟", 15, 60)),
            (_EFF, _ENV, "森林火灾受害率", "rrate", (1, 1)),
        ),
        _p(
            "国土绿化",
            (100, 1500),
            "实施国土绿化，增加森林覆盖",
            (_OUT, _NUM, "完成造林面积", "scale", ("亩", 1, 5, "万")),
            (_OUT, _QUA, "造林成活率", "rate", (85, 95)),
            (_EFF, _ENV, "森林覆盖率", "rate", (40, 65)),
        ),
        _p(
            "林业有害生物防治",
            (20, 300),
            "防治林业有害生物，保护森林健康",
            (_OUT, _NUM, "防治面积", "count", ("亩", 3000, 50000)),
            (_OUT, _QUA, "有害生物成灾率", "rrate", (2, 4)),
            (_EFF, _ENV, "松材线虫病疫情", "dir", ("减少", "有效控制")),
        ),
    ),
    "environment": (
        _p(
            "生态环境监测",
            (50, 600),
            "开展大气、水、土壤环境质量监测",
            (_OUT, _NUM, "监测点位数量", "count", ("个", 20, 200)),
            (_OUT, _NUM, "监测数据量", "scale", ("条", 1, 40, "万")),
            (_OUT, _QUA, "监测数据有效率", "rate", (95, 100)),
            (_EFF, _ENV, "空气质量优良天数比例", "rate", (75, 90)),
        ),
        _p(
            "污水处理厂运行",
            (200, 3000),
            "保障污水处理设施稳定运行",
            (_OUT, _NUM, "污水处理量", "scale", ("吨", 100, 2000, "万")),
            (_OUT, _QUA, "出水水质达标率", "rate", (95, 100)),
            (_EFF, _ENV, "城市生活污水集中收集率", "rate", (60, 80)),
        ),
    ),
    "market": (
        _p(
            "食品安全抽检",
            (30, 400),
            "开展食品安全监督抽检，守护舌尖上的安全",
            (_OUT, _NUM, "食品抽检批次", "count", ("批次", 500, 5000)),
            (_OUT, _QUA, "不合格食品核查处置率", "rate", (98, 100)),
            (_OUT, _TIME, "抽检结果公布时间", "dur", ("个工作日", 10, 20)),
            (_EFF, _SOC, "重大食品安全事故", "zero", ("次",)),
        ),
        _p(
            "特种设备安全监察",
            (10, 150),
            "加强特种设备安全监察",
            (_OUT, _NUM, "检查特种设备台数", "count", ("台", 200, 3000)),
            (_OUT, _QUA, "特种设备定期检验率", "rate", (95, 100)),
            (_EFF, _SOC, "特种设备安全事故", "zero", ("次",)),
        ),
        _p(
            "消费维权",
            (10, 100),
            "畅通消费维权渠道，保护消费者权益",
            (_OUT, _NUM, "受理消费投诉件数", "count", ("件", 300, 4000)),
            (_OUT, _QUA, "投诉按时办结率", "rate", (95, 100)),
            (_EFF, _ECO, "为消费者挽回经济损失", "money", (20, 400)),
        ),
    ),
    "emergency": (
        _p(
            "应急物资储备",
            (50, 800),
            "储备应急救灾物资，提升应急保障能力",
            (_OUT, _NUM, "储备救灾物资件数", "count", ("件", 2000, 30000)),
            (_OUT, _QUA, "物资账实相符率", "rate", (98, 100)),
            (_OUT, _TIME, "物资调拨到位时间", "dur", ("小时", 4, 12)),
        ),
        _p(
            "安全生产监管执法",
            (20, 300),
            "开展安全生产监管执法，遏制生产安全事故",
            (_OUT, _NUM, "执法检查企业家数", "count", ("家", 100, 1500)),
            (_OUT, _QUA, "重大隐患整改率", "rate", (98, 100)),
            (_EFF, _SOC, "较大及以上生产安全事故", "zero", ("次",)),
        ),
    ),
    "police": (
        _p(
            "道路交通安全整治",
            (50, 900),
            "开展道路交通安全综合整治",
            (_OUT, _NUM, "查处交通违法行为", "scale", ("次", 1, 20, "万")),
            (_OUT, _NUM, "交通安全宣传场次", "count", ("场", 30, 300)),
            (_EFF, _SOC, "道路交通事故死亡人数", "dir", ("下降", "明显下降")),
        ),
        _p(
            "天网工程运维",
            (100, 1200),
            "保障视频监控系统稳定运行",
            (_OUT, _NUM, "运维监控点位", "count", ("个", 500, 8000)),
            (_OUT, _QUA, "监控点位在线率", "rate", (90, 98)),
            (_OUT, _TIME, "系统故障修复时间", "dur", ("小时", 4, 24)),
            (_OUT, _NUM, "视频专网带宽", "bw", (1, 10)),
        ),
    ),
    "justice": (
        _p(
            "法律援助经费",
            (20, 300),
            "为困难群众提供法律援助",
            (_OUT, _NUM, "办理法律援助案件数", "count", ("件", 100, 1500)),
            (_OUT, _QUA, "案件质量合格率", "rate", (95, 100)),
            (_EFF, _SOC, "困难群众合法权益", "same", ("有效维护", "有效维护")),
        ),
        _p(
            "社区矫正工作经费",
            (10, 150),
            "做好社区矫正对象监督管理和教育帮扶",
            (_OUT, _NUM, "在册社区矫正对象人数", "count", ("人", 50, 600)),
            (_OUT, _QUA, "社区矫正对象再犯罪率", "rrate", (1, 1)),
            (_EFF, _SOC, "社会稳定", "same", ("有效保障", "有效保障")),
        ),
        _p(
            "人民调解",
            (10, 120),
            "开展矛盾纠纷排查调处",
            (_OUT, _NUM, "调解矛盾纠纷件数", "count", ("件", 300, 4000)),
            (_OUT, _QUA, "调解成功率", "rate", (95, 99)),
        ),
    ),
    "veterans": (
        _p(
            "优抚对象抚恤补助",
            (100, 2000),
            "按时足额发放优抚对象抚恤补助",
            (_OUT, _NUM, "发放优抚对象人数", "count", ("人", 500, 6000)),
            (_OUT, _QUA, "抚恤补助发放准确率", "rate", (99, 100)),
            (_OUT, _TIME, "抚恤补助发放时间", "date", ()),
        ),
        _p(
            "退役军人就业创业培训",
            (10, 150),
            "开展退役军人就业创业培训",
            (_OUT, _NUM, "培训退役军人人次", "count", ("人次", 100, 1500)),
            (_EFF, _SOC, "培训后就业率", "rate", (60, 85)),
        ),
    ),
    "medical": (
        _p(
            "城乡居民医疗救助",
            (200, 3000),
            "对困难群众实施医疗救助",
            (_OUT, _NUM, "医疗救助人次", "count", ("人次", 1000, 20000)),
            (_OUT, _QUA, "救助对象参保率", "rate", (99, 100)),
            (_EFF, _SOC, "困难群众就医负担", "dir", ("减轻", "明显减轻")),
        ),
        _p(
            "医保基金监管",
            (10, 200),
            "开展医保基金监督检查，维护基金安全",
            (_OUT, _NUM, "检查定点医药机构家数", "count", ("家", 50, 600)),
            (_OUT, _QUA, "违规问题整改率", "rate", (95, 100)),
            (_EFF, _ECO, "追回医保基金", "money", (50, 900)),
        ),
    ),
    "digital": (
        _p(
            "政务网络运维",
            (100, 1200),
            "保障电子政务外网稳定运行",
            (_OUT, _NUM, "政务网互联网出口带宽", "bw", (1, 10)),
            (_OUT, _NUM, "全年完成运维报告数量", "count", ("份", 12, 12)),
            (_OUT, _QUA, "政务网运行正常率", "rate", (95, 99)),
            (_OUT, _TIME, "政务网链路故障修复时间", "dur", ("小时", 24, 24)),
            (_OUT, _NUM, "人口、法人基础数据库数据量", "scale", ("条", 1, 5, "亿")),
            (_EFF, _SOC, "全国区县级政府门户网站绩效排名", "rank", (10, 30)),
            (_EFF, _SOC, "保障政务云平台和政务网终端的平稳运行", "same", ("有效保障", "全年无故障")),
        ),
        _p(
            "政务服务事项办理",
            (30, 400),
            "推进一网通办，提升政务服务效率",
            (_OUT, _NUM, "办理政务服务事项件数", "scale", ("件", 2, 30, "万")),
            (_OUT, _QUA, "网上可办率", "rate", (90, 99)),
            (_OUT, _TIME, "政务服务事项办结时限", "dur", ("个工作日", 3, 10)),
            (_EFF, _SOC, "营商环境评价排名", "rank", (5, 20)),
        ),
        _p(
            "公共资源交易平台运维",
            (20, 300),
            "保障公共资源交易平台稳定运行",
            (_OUT, _NUM, "进场交易项目数", "count", ("个", 200, 2000)),
            (_OUT, _NUM, "交易金额", "scale", ("元", 10, 90, "亿")),
            (_OUT, _QUA, "平台运行正常率", "rate", (98, 100)),
        ),
    ),
    "economy": (
        _p(
            "中小企业发展专项",
            (50, 1000),
            "支持中小企业专精特新发展",
            (_OUT, _NUM, "扶持中小企业家数", "count", ("家", 30, 400)),
            (_OUT, _NUM, "新增专精特新企业", "count", ("家", 3, 30)),
            (_EFF, _ECO, "规模以上工业增加值增速", "rate", (5, 8)),
            (_EFF, _ECO, "企业营业收入", "money", (20000, 90000)),
        ),
        _p(
            "招商引资工作经费",
            (20, 300),
            "开展招商引资，扩大有效投资",
            (_OUT, _NUM, "举办招商推介活动", "count", ("场", 4, 30)),
            (_OUT, _NUM, "新签约项目个数", "count", ("个", 10, 80)),
            (_EFF, _ECO, "实际到位资金", "scale", ("元", 5, 80, "亿")),
        ),
    ),
    "finance": (
        _p(
            "预算绩效管理工作经费",
            (10, 120),
            "推进全面预算绩效管理",
            (_OUT, _NUM, "开展重点绩效评价项目数", "count", ("个", 5, 40)),
            (_OUT, _QUA, "绩效自评覆盖率", "rate", (100, 100)),
            (_OUT, _TIME, "评价报告完成时间", "date", ()),
            (_EFF, _SOC, "财政资金使用效益", "dir", ("提高", "明显提升")),
        ),
        _p(
            "财政投资评审",
            (20, 300),
            "开展政府投资项目预结算评审",
            (_OUT, _NUM, "评审项目个数", "count", ("个", 100, 1200)),
            (_OUT, _NUM, "审减金额", "money", (500, 9000)),
            (_OUT, _TIME, "评审完成时限", "dur", ("个工作日", 15, 30)),
        ),
        _p(
            "国库集中支付运行",
            (10, 150),
            "保障国库集中支付系统安全运行",
            (_OUT, _NUM, "办理支付业务件数", "scale", ("件", 2, 30, "万")),
            (_OUT, _QUA, "支付差错率", "rrate", (1, 1)),
            (_OUT, _TIME, "支付业务办理时限", "dur", ("个工作日", 1, 3)),
        ),
    ),
    "land": (
        _p(
            "不动产登记",
            (20, 300),
            "提升不动产登记服务效率",
            (_OUT, _NUM, "办理不动产登记业务件数", "scale", ("件", 1, 10, "万")),
            (_OUT, _TIME, "一般登记办理时限", "dur", ("个工作日", 3, 5)),
            (_OUT, _QUA, "登记差错率", "rrate", (1, 1)),
        ),
        _p(
            "耕地保护",
            (50, 800),
            "落实耕地保护目标责任",
            (_OUT, _NUM, "耕地保有量", "scale", ("亩", 20, 90, "万")),
            (_OUT, _NUM, "卫片执法图斑核查数", "count", ("个", 200, 2500)),
            (_EFF, _SOC, "耕地保护目标责任考核", "same", ("合格", "合格")),
        ),
    ),
    "stats": (
        _p(
            "统计调查经费",
            (10, 150),
            "完成各项统计调查任务",
            (_OUT, _NUM, "完成统计调查项目", "count", ("项", 10, 40)),
            (_OUT, _QUA, "统计数据差错率", "rrate", (1, 1)),
            (_OUT, _TIME, "统计报表上报时间", "date", ()),
        ),
        _p(
            "经济普查",
            (50, 600),
            "完成经济普查各阶段工作",
            (_OUT, _NUM, "清查单位数", "scale", ("家", 1, 6, "万")),
            (_OUT, _QUA, "普查数据质量抽查合格率", "rate", (95, 99)),
        ),
    ),
    "audit": (
        _p(
            "审计项目经费",
            (20, 200),
            "完成年度审计项目计划",
            (_OUT, _NUM, "完成审计项目数", "count", ("个", 10, 60)),
            (_OUT, _NUM, "审计查出问题金额", "money", (1000, 30000)),
            (_OUT, _QUA, "审计问题整改率", "rate", (90, 100)),
            (_OUT, _TIME, "审计报告出具时间", "date", ()),
        ),
    ),
    "cadre": (
        _p(
            "离退休干部活动经费",
            (10, 120),
            "组织离退休干部开展学习和文体活动",
            (_OUT, _NUM, "组织离退休干部活动次数", "count", ("次", 6, 40)),
            (_OUT, _NUM, "参与活动人次", "count", ("人次", 200, 3000)),
            (_EFF, _SOC, "离退休干部精神文化生活", "dir", ("提高", "明显丰富")),
        ),
        _p(
            "老年大学办学经费",
            (20, 200),
            "办好老年大学，满足老年人学习需求",
            (_OUT, _NUM, "开设班级数", "count", ("个", 20, 120)),
            (_OUT, _NUM, "在校学员人数", "count", ("人", 300, 3000)),
            (_EFF, _SOC, "全省老年教育评估排名", "rank", (3, 15)),
        ),
    ),
    "urban": (
        _p(
            "城区环境卫生保洁",
            (300, 4000),
            "做好城区道路清扫保洁和垃圾清运",
            (_OUT, _NUM, "道路清扫保洁面积", "scale", ("平方米", 100, 900, "万")),
            (_OUT, _NUM, "生活垃圾清运量", "scale", ("吨", 2, 20, "万")),
            (_OUT, _QUA, "生活垃圾无害化处理率", "rate", (98, 100)),
            (_OUT, _TIME, "垃圾日产日清", "same", ("及时", "及时")),
        ),
        _p(
            "市政设施维护",
            (100, 2000),
            "维护市政道路、路灯和排水设施",
            (_OUT, _NUM, "维修市政道路面积", "count", ("平方米", 5000, 60000)),
            (_OUT, _QUA, "路灯亮灯率", "rate", (95, 99)),
            (_OUT, _TIME, "排水设施故障处置时间", "dur", ("小时", 12, 48)),
        ),
    ),
}

# Projects any unit may have.
_COMMON_PROJECTS: tuple[ProjectTemplate, ...] = (
    _p(
        "老干工作经费",
        (5, 40),
        "做好离退休人员服务管理工作",
        (_OUT, _NUM, "离退休人员春节重阳慰问人数", "count", ("人", 20, 300)),
        (_OUT, _NUM, "组织离退休党员学习教育次数", "count", ("次", 4, 12)),
        (_OUT, _QUA, "确保各项活动保质保量", "qual", ()),
        (_OUT, _TIME, "项目实施按年度工作计划", "qual", ()),
        (_EFF, _SOC, "关注民生、维护稳定、传播正能量等", "qual", ()),
    ),
    _p(
        "党建工作经费",
        (3, 30),
        "加强机关党的建设",
        (_OUT, _NUM, "开展主题党日活动次数", "count", ("次", 12, 24)),
        (_OUT, _NUM, "党员集中学习次数", "count", ("次", 12, 36)),
        (_EFF, _SOC, "党员教育管理", "same", ("规范", "规范")),
    ),
    _p(
        "信息化运维经费",
        (10, 200),
        "保障单位信息系统和网络稳定运行",
        (_OUT, _NUM, "运维信息系统数量", "count", ("套", 2, 12)),
        (_OUT, _NUM, "网络出口带宽", "bw", (1, 2)),
        (_OUT, _QUA, "系统运行正常率", "rate", (95, 99)),
        (_OUT, _TIME, "网络故障修复时间", "dur", ("小时", 8, 24)),
        (_OUT, _QUA, "信息系统故障率", "dir", ("降低", "全年无故障")),
    ),
    _p(
        "办公楼物业管理",
        (10, 150),
        "保障办公区域安全、整洁、有序",
        (_OUT, _NUM, "物业服务面积", "count", ("平方米", 2000, 30000)),
        (_OUT, _QUA, "物业服务考核合格率", "rate", (95, 100)),
        (_OUT, _TIME, "设施设备报修响应时间", "dur", ("小时", 1, 4)),
        (_EFF, _SOC, "安全责任事故", "zero", ("次",)),
    ),
    _p(
        "档案数字化",
        (5, 80),
        "推进馆藏档案数字化",
        (_OUT, _NUM, "档案数字化卷数", "scale", ("件", 1, 20, "万")),
        (_OUT, _QUA, "数字化成果验收合格率", "rate", (98, 100)),
        (_OUT, _TIME, "项目完成时间", "date", ()),
    ),
    _p(
        "业务培训经费",
        (3, 40),
        "开展干部职工业务培训",
        (_OUT, _NUM, "举办培训班次", "count", ("次", 2, 12)),
        (_OUT, _NUM, "参训人次", "count", ("人次", 50, 600)),
        (_OUT, _QUA, "培训出勤率", "rate", (90, 98)),
        (_EFF, _SOC, "干部业务能力", "dir", ("提升", "明显提升")),
    ),
    _p(
        "公务用车运行维护",
        (5, 60),
        "保障公务用车安全规范运行",
        (_OUT, _NUM, "保障公务出行车次", "count", ("次", 200, 2000)),
        (_OUT, _QUA, "车辆年检合格率", "rate", (100, 100)),
        (_EFF, _SOC, "公务用车交通事故", "zero", ("次",)),
    ),
    _p(
        "安全保卫经费",
        (5, 60),
        "做好单位安全保卫工作",
        (_OUT, _NUM, "安全巡查次数", "count", ("次", 300, 1500)),
        (_OUT, _NUM, "开展应急演练次数", "count", ("次", 2, 6)),
        (_EFF, _SOC, "安全稳定", "same", ("有效保障", "有效保障")),
    ),
    _p(
        "宣传工作经费",
        (3, 50),
        "做好政务信息宣传和政策解读",
        (_OUT, _NUM, "发布政务信息条数", "count", ("条", 100, 900)),
        (_OUT, _NUM, "印发宣传资料份数", "count", ("份", 1000, 10000)),
        (_EFF, _SOC, "政策知晓率", "rate", (80, 95)),
    ),
    _p(
        "专项业务工作经费",
        (10, 200),
        "完成年度重点业务工作任务",
        (_OUT, _NUM, "完成重点工作任务数", "count", ("项", 5, 30)),
        (_OUT, _QUA, "重点工作任务完成质量", "qual", ()),
        (_OUT, _TIME, "重点工作任务完成时间", "date", ()),
        (_EFF, _SOC, "上级考核排名", "rank", (5, 15)),
    ),
    _p(
        "基层阵地建设",
        (10, 300),
        "改善基层站所办公服务条件",
        (_OUT, _NUM, "改造站所数量", "count", ("个", 2, 15)),
        (_OUT, _QUA, "工程验收合格率", "rate", (98, 100)),
        (_OUT, _TIME, "工程完工时间", "date", ()),
    ),
    _p(
        "设备购置经费",
        (5, 200),
        "更新办公和业务设备",
        (_OUT, _NUM, "购置设备台数", "count", ("台", 5, 80)),
        (_OUT, _QUA, "设备验收合格率", "rate", (100, 100)),
        (_OUT, _TIME, "设备采购完成时间", "date", ()),
    ),
)

# Generic rows, drawn to fill a project up to its indicator count.
_FILL: tuple[Spec, ...] = (
    (_OUT, _NUM, "开展监督检查次数", "count", ("次", 4, 30)),
    (_OUT, _NUM, "编制工作报告数量", "count", ("份", 2, 12)),
    (_OUT, _NUM, "召开工作推进会次数", "count", ("次", 2, 12)),
    (_OUT, _NUM, "发放宣传资料份数", "count", ("份", 500, 6000)),
    (_OUT, _NUM, "服务对象覆盖人数", "count", ("人", 200, 9000)),
    (_OUT, _NUM, "宣传报道篇数", "count", ("篇", 5, 60)),
    (_OUT, _NUM, "开展专题调研次数", "count", ("次", 2, 10)),
    (_OUT, _QUA, "资金使用合规率", "rate", (100, 100)),
    (_OUT, _QUA, "档案资料完整率", "rate", (95, 100)),
    (_OUT, _QUA, "问题整改完成率", "rate", (90, 100)),
    (_OUT, _QUA, "数据准确率", "rate", (95, 100)),
    (_OUT, _QUA, "服务规范化率", "rate", (90, 99)),
    (_OUT, _QUA, "政府采购执行规范率", "rate", (100, 100)),
    (_OUT, _QUA, "工作差错率", "rrate", (1, 3)),
    (_OUT, _QUA, "管理制度健全性", "same", ("健全", "健全")),
    (_OUT, _QUA, "项目管理规范性", "qual", ()),
    (_OUT, _TIME, "资金拨付及时率", "rate", (95, 100)),
    (_OUT, _TIME, "信息公开及时性", "same", ("及时", "及时")),
    (_OUT, _TIME, "任务完成及时性", "qual", ()),
    (_OUT, _TIME, "年度任务完成时间", "date", ()),
    (_OUT, _TIME, "问题整改时限", "dur", ("个工作日", 5, 15)),
    (_EFF, _SOC, "社会效益", "qual", ()),
    (_EFF, _SOC, "服务保障能力", "dir", ("提升", "明显提升")),
    (_EFF, _SOC, "群众获得感", "qual", ()),
    (_EFF, _SOC, "投诉事项办结率", "rate", (95, 100)),
    (_EFF, _SUS, "长效管理机制", "same", ("健全", "健全")),
    (_EFF, _SUS, "项目持续发挥效益年限", "count", ("年", 3, 10)),
    (_EFF, _ENV, "生态环境影响", "qual", ()),
)

# Department-wide (部门整体支出) rows.
_DEPT_SPECS: tuple[Spec, ...] = (
    (_OUT, _NUM, "重点工作任务完成数", "count", ("项", 8, 30)),
    (_OUT, _QUA, "重点工作任务完成率", "rate", (95, 100)),
    (_OUT, _QUA, "审计问题整改率", "rate", (100, 100)),
    (_OUT, _QUA, "绩效自评覆盖率", "rate", (100, 100)),
    (_OUT, _TIME, "部门预决算公开及时性", "same", ("及时", "及时")),
    (_OUT, _TIME, "预算执行进度", "rate", (90, 100)),
    (_EFF, _SOC, "部门履职效能", "qual", ()),
    (_EFF, _SOC, "政务服务事项按时办结率", "rate", (98, 100)),
    (_EFF, _SUS, "内部控制制度健全性", "same", ("健全", "健全")),
    (_EFF, _SOC, "全市绩效考核排名", "rank", (3, 12)),
)

_QUAL_ACHIEVED = (
    "圆满完成",
    "按时完成",
    "达到预期指标",
    "完成",
    "顺利完成",
    "有效保障",
    "全面落实",
    "效果显著",
    "运行良好",
    "成效明显",
)
_QUAL_PARTLY = ("基本完成", "基本达到", "较好", "部分完成")
_QUAL_NOT = ("未完成", "进度滞后", "未达到预期")
_QUAL_NOTES = ("全年开展活动{k}次", "全年召开专家评审会{k}场", "覆盖{k}个乡镇", "完成{k}项重点任务", "召开推进会{k}次")
_BOILERPLATE = ("达到预期指标", "圆满完成", "完成", "达到预期指标", "圆满完成")
_UNKNOWN = ("持续推进中", "详见附件", "正在推进", "已上报主管部门", "待审计确认", "按计划推进", "数据尚在统计")
_INVALID = ("≥十分", "≥一百二人", "≥3.5.2%", "≥三千五元")  # certainly unreadable: 十分 ambiguous, 一百二 colloquial
_EMPTY = ("", "", "-", "/", "——")
_CN_NUM = "零一二三四五六七八九十"

_SHORT_REASONS = (
    "受极端天气影响，部分工程进度延后",
    "上级资金下达较晚，部分支出未能及时形成",
    "服务对象数量较年初预计减少",
    "政府采购流程时间较长",
    "项目前期手续办理时间超出预期",
    "部分乡镇配套工作推进较慢",
    "疫情后续影响导致部分活动压缩",
    "人员调整导致工作衔接不够及时",
    "年初目标测算依据不够充分",
    "部分数据统计口径调整",
)
_OVER_REASONS = (
    "上级追加任务",
    "需求增长超出预期",
    "年中争取到上级补助",
    "与相关部门联合开展",
)
_MEASURES = (
    "加强预算编制的科学性和精准性",
    "细化绩效目标，提高指标的可衡量性",
    "加快项目实施进度和资金支付进度",
    "建立绩效运行监控台账，按季度跟踪",
    "将评价结果与下年度预算安排挂钩",
    "完善项目管理制度，强化过程管理",
    "加强与上级部门沟通，争取资金及早下达",
    "加强业务培训，提高绩效管理水平",
)
_COPIED = (
    "部分指标因客观原因未能全部完成，下一步将加强项目管理，确保绩效目标全面实现。",
    "项目总体完成情况良好，个别指标存在偏差，主要是年初目标设置不够科学，今后将进一步完善。",
    "受多种因素影响，部分工作推进较慢，我单位将认真总结经验，切实提高资金使用效益。",
)

# ---------------------------------------------------------------- the plan


@dataclass(slots=True)
class ProjectPlan:
    template: ProjectTemplate
    n: int  # indicators per year


@dataclass(slots=True)
class UnitPlan:
    name: str
    department: str
    county: str
    sector: str
    scored: bool
    quality: float
    national_cost: bool  # 成本指标 as a 一级 (national 2021+ layout) or a 二级 under 产出
    projects: list[ProjectPlan] = field(default_factory=list)


@dataclass(slots=True)
class DeptPlan:
    name: str
    county: str
    sector: str
    n: int
    units: list[UnitPlan] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Planted:
    """One planted anomaly, as listed in the manifest."""

    kind: str
    year: int
    department: str
    unit: str
    project: str
    indicator: str = ""
    detail: str = ""

    @property
    def key(self) -> str:
        return f"{self.year}/{self.unit}/{self.project}"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": self.kind,
            "checks": list(ANOMALIES[self.kind][0]),
            "form": self.key,
            "year": self.year,
            "department": self.department,
            "unit": self.unit,
            "project": self.project,
        }
        if self.indicator:
            d["indicator"] = self.indicator
        if self.detail:
            d["detail"] = self.detail
        return d


def _county_names(rng: random.Random) -> list[str]:
    names = [f"{a}{b}县" for a in _COUNTY_A for b in _COUNTY_B if a != b]
    rng.shuffle(names)
    return names


class Dataset:
    """The plan of a synthetic dataset, its forms (``forms()``) and its manifest."""

    def __init__(self, n_indicators: int, seed: int, years: Sequence[int] = DEFAULT_YEARS) -> None:
        if n_indicators <= 0:
            raise ValueError("n_indicators must be positive")
        years = tuple(sorted({int(y) for y in years}))
        if not years:
            raise ValueError("at least one year is needed")
        self.n_requested = n_indicators
        self.seed = seed
        self.years = years
        self.rules: dict[str, RuleSet] = {
            SCORED_RULES: load_rules(SCORED_RULES),
            UNSCORED_RULES: load_rules(UNSCORED_RULES),
        }
        self.departments: list[DeptPlan] = []
        self.planned_indicators = 0
        self._plan()
        self._assign_anomalies()
        self.planted: list[Planted] = []
        self.cells: Counter[str] = Counter()
        self.forms_made = 0
        self.indicators_made = 0
        self.scored_forms = 0
        self.done = False

    # -------------------------------------------------------------- planning

    def _plan(self) -> None:
        rng = random.Random(self.seed)
        ny = len(self.years)
        per_unit = 12
        if self.n_requested / (ny * 15 * per_unit) < 8:  # small datasets: more, smaller units
            per_unit = max(2, round(self.n_requested / (ny * 15 * 8)))
        counties = _county_names(rng)
        total = 0
        ci = 0
        while total < self.n_requested:
            county = (
                counties[ci % len(counties)]
                if ci < len(counties)
                else f"{counties[ci % len(counties)][:-1]}{ci // len(counties) + 1}县"
            )
            ci += 1
            depts = list(_DEPARTMENTS)
            rng.shuffle(depts)
            for suffix, sector, subunits in depts:
                if total >= self.n_requested:
                    break
                dname = f"{county}{suffix}"
                dept = DeptPlan(dname, county, sector, rng.randint(10, len(_DEPT_SPECS)))
                total += dept.n * ny
                self.departments.append(dept)
                k = rng.randint(1, min(4, len(subunits)))
                names = [dname] + [f"{county}{s}" for s in rng.sample(subunits, k)]
                for uname in names:
                    if total >= self.n_requested:
                        break
                    unit = UnitPlan(
                        name=uname,
                        department=dname,
                        county=county,
                        sector=sector,
                        scored=rng.random() < 0.5,
                        quality=rng.uniform(-1, 1),
                        national_cost=rng.random() < 0.6,
                    )
                    pool = list(_SECTOR_PROJECTS.get(sector, ()))
                    rng.shuffle(pool)
                    common = list(_COMMON_PROJECTS)
                    rng.shuffle(common)
                    pool += common
                    want = per_unit if per_unit < 6 else rng.randint(per_unit - 3, per_unit + 3)
                    for tpl in pool[:want]:
                        if total >= self.n_requested:
                            break
                        n = rng.randint(10, 20)
                        unit.projects.append(ProjectPlan(tpl, n))
                        total += n * ny
                    if unit.projects:
                        dept.units.append(unit)
        self.planned_indicators = total
        units = [u for d in self.departments for u in d.units]
        if len(units) >= 2 and len({u.scored for u in units}) == 1:  # both kinds, always
            units[-1].scored = not units[0].scored

    def _assign_anomalies(self) -> None:
        rng = random.Random(f"{self.seed}/anomalies")
        self.form_anomaly: dict[tuple[str, str, int], str] = {}
        self.copy_group: dict[tuple[str, str, int], int] = {}
        self.outliers: set[tuple[str, int]] = set()
        self.coverage_gap: dict[tuple[str, int], float] = {}
        units = [u for d in self.departments for u in d.units]
        last = self.years[-1]
        # unit outliers: whole units in the last year
        if len(units) >= 5:
            n_out = max(_RATES["unit-outlier"][1], round(len(units) * _RATES["unit-outlier"][0]))
            for u in rng.sample(units, min(n_out, max(1, len(units) // 5))):
                self.outliers.add((u.name, last))
        slots = [(u, p, y) for u in units for p in u.projects for y in self.years if (u.name, y) not in self.outliers]
        free = list(range(len(slots)))
        rng.shuffle(free)
        taken: set[int] = set()

        def pick(kind: str, ok: Callable[[UnitPlan, int], bool]) -> list[int]:
            rate, minimum = _RATES[kind]
            eligible = [i for i in free if i not in taken and ok(slots[i][0], slots[i][2])]
            n = min(len(eligible), max(minimum, round(rate * len(slots))))
            chosen = eligible[:n]
            taken.update(chosen)
            return chosen

        for kind in _RATES:
            if kind in ("unit-outlier", "coverage-gap", "copied-narrative"):
                continue
            if kind == "sandbagging":
                chosen = pick(kind, lambda u, y: y != self.years[0])
            elif kind in _SCORED_ONLY:
                chosen = pick(kind, lambda u, y: u.scored)
            else:
                chosen = pick(kind, lambda u, y: True)
            for i in chosen:
                u, p, y = slots[i]
                self.form_anomaly[(u.name, p.template.name, y)] = kind
        # copied narratives: groups of forms of different projects in different units
        chosen = pick("copied-narrative", lambda u, y: True)
        groups = max(1, len(chosen) // _COPY_GROUP)
        for j, i in enumerate(chosen):
            u, p, y = slots[i]
            self.form_anomaly[(u.name, p.template.name, y)] = "copied-narrative"
            self.copy_group[(u.name, p.template.name, y)] = j % groups
        # one unscored, unplanted form shows every kind of dirty cell, so that even a tiny dataset has them all
        self.showcase: tuple[str, str, int] | None = None
        for i, (u, p, y) in enumerate(slots):
            if not u.scored and i not in taken and p.n >= 10:
                self.showcase = (u.name, p.template.name, y)
                break
        # coverage gaps: department-years
        dept_years = [(d.name, y) for d in self.departments if d.units for y in self.years]
        rate, minimum = _RATES["coverage-gap"]
        for key in rng.sample(dept_years, min(len(dept_years), max(minimum, round(rate * len(dept_years))))):
            self.coverage_gap[key] = rng.uniform(0.6, 0.9)

    # -------------------------------------------------------------- output

    def forms(self) -> Iterator[Form]:
        """Every form, department by department; each unit's projects in all years."""
        for dept in self.departments:
            planned: dict[int, Decimal] = dict.fromkeys(self.years, ZERO)
            for unit in dept.units:
                for project in unit.projects:
                    for form in _ProjectMaker(self, unit, project).forms():
                        if form.budget.planned is not None and form.year is not None:
                            planned[form.year] += form.budget.planned
                        self._count(form)
                        yield form
            if dept.units:
                for form in _DeptMaker(self, dept, planned).forms():
                    self._count(form)
                    yield form
        self.done = True

    def _count(self, form: Form) -> None:
        self.forms_made += 1
        self.indicators_made += sum(len(g.indicators) for g in form.goals)
        if form.total_recorded is not None:
            self.scored_forms += 1

    def manifest(self) -> dict[str, Any]:
        """The planted anomalies and the dataset's size; complete once ``forms()`` is exhausted."""
        units = [u for d in self.departments for u in d.units]
        kinds = Counter(p.kind for p in self.planted)
        return {
            "format": MANIFEST_FORMAT,
            "complete": self.done,
            "seed": self.seed,
            "indicators_requested": self.n_requested,
            "years": list(self.years),
            "rules": {"scored": SCORED_RULES, "unscored": UNSCORED_RULES},
            "totals": {
                "forms": self.forms_made,
                "indicators": self.indicators_made,
                "scored_forms": self.scored_forms,
                "counties": len({d.county for d in self.departments}),
                "departments": len([d for d in self.departments if d.units]),
                "units": len(units),
                "projects": sum(len(u.projects) for u in units),
            },
            "cells": dict(sorted(self.cells.items())),
            "anomaly_kinds": {k: {"checks": list(v[0]), "planted": v[1]} for k, v in ANOMALIES.items()},
            "anomaly_counts": {k: kinds.get(k, 0) for k in ANOMALIES},
            "anomalies": [p.to_dict() for p in self.planted],
        }


# ---------------------------------------------------------------- text helpers

_FW = str.maketrans("0123456789%.", "０１２３４５６７８９％．")


def _fw(text: str) -> str:
    return text.translate(_FW)


def _n(value: Decimal | int | float) -> str:
    """A plain number: no exponent, no trailing zeros."""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _thousands(value: int) -> str:
    return f"{value:,}"


def _cn(n: int) -> str:
    if n <= 10:
        return _CN_NUM[n]
    if n < 20:
        return "十" + _CN_NUM[n - 10]
    if n < 100:
        return _CN_NUM[n // 10] + "十" + (_CN_NUM[n % 10] if n % 10 else "")
    return str(n)


def _nice(value: float) -> int:
    """Round a target to a number a unit would write (2 significant digits above 100)."""
    if value < 20:
        return max(1, round(value))
    if value < 100:
        return int(round(value / 5) * 5) or 5
    digits = int(math.floor(math.log10(value))) - 1
    step = 10**digits
    return int(round(value / step) * step)


def _nice_up(value: float) -> int:
    """The smallest nice number at or above ``value`` (targets ratchet up from last year's actual)."""
    if value < 20:
        return max(1, math.ceil(value))
    if value < 100:
        return int(math.ceil(value / 5) * 5)
    digits = int(math.floor(math.log10(value))) - 1
    step = 10**digits
    return int(math.ceil(value / step) * step)


# ---------------------------------------------------------------- rows


@dataclass(slots=True)
class _Cell:
    """One generated row before it becomes an Indicator."""

    spec: Spec
    target: str
    actual: str
    expect: tuple[Any, ...]  # ("full",) ("ratio", num, den) ("tier", name) ("none",) ("zero",)
    short: str = ""  # shortfall sentence for the form's 偏差原因分析
    over: str = ""  # an explained over-completion, for the same narrative
    dirty: str = ""  # "", "unknown", "empty" or "invalid"
    value: tuple[Decimal, Decimal] | None = None  # (target, actual) numbers carried to next year


@dataclass(slots=True)
class _Series:
    """An indicator's numbers carried from one year to the next, and its stable writing style."""

    target: Decimal | None = None
    actual: Decimal | None = None
    style: int = 0
    extra: int = 0
    shown: bool = True  # last year's actual was written as a number (not empty, unknown or invalid)


def _full() -> tuple[Any, ...]:
    return ("full",)


class _ProjectMaker:
    """All years of one unit's project."""

    def __init__(self, ds: Dataset, unit: UnitPlan, project: ProjectPlan) -> None:
        self.ds = ds
        self.unit = unit
        self.project = project
        self.tpl = project.template
        self.rng = random.Random(f"{ds.seed}/{unit.name}/{self.tpl.name}")
        self.specs = self._choose_specs()
        self.series = [_Series(style=self.rng.randrange(840), extra=self.rng.randrange(1000)) for _ in self.specs]
        self.p_miss = 0.22 + 0.06 * unit.quality
        self.people = self._people()

    def _people(self) -> SignOff:
        r = self.rng

        def person() -> str:
            return r.choice(_SURNAMES) + "".join(r.sample(_GIVEN, r.randint(1, 2)))

        return SignOff(
            preparer=person(),
            reviewer=person(),
            unit_head=person(),
            finance_head=person(),
            project_lead=person(),
            contact=person(),
            phone=f"07{r.randint(10, 19)}-{r.randint(6000000, 8999999)}",
        )

    def _choose_specs(self) -> list[Spec]:
        r = self.rng
        n = self.project.n
        own = list(self.tpl.specs)
        l1, l2 = (_COST, "经济成本指标") if self.unit.national_cost else (_OUT, _COSTL2)
        cost: Spec = (l1, l2, "项目总成本" if r.random() < 0.5 else f"{self.tpl.name}支出", "cost", ())
        fixed: list[Spec] = [
            cost,
            (_SAT, _SATL2, r.choice(("服务对象满意度", "群众满意度", "受益对象满意度")), "sat", ()),
        ]
        if n >= 16 and r.random() < 0.5:
            fixed.append((_SAT, _SATL2, "社会公众满意度", "sat", ()))
        room = max(0, n - len(fixed))
        if len(own) > room:
            own = r.sample(own, room)
        taken = {s[2] for s in own} | {s[2] for s in fixed}
        fill = [s for s in _FILL if s[2] not in taken]
        r.shuffle(fill)
        specs = own + fill[: max(0, n - len(fixed) - len(own))] + fixed
        specs.sort(key=_spec_order)
        return specs

    # ----------------------------------------------------------- forms

    def forms(self) -> Iterator[Form]:
        for year in self.ds.years:
            yield self._form(year)

    def _budget(self, kind: str, perfect: bool) -> tuple[Decimal, Decimal]:
        r, unit = self.rng, self.unit
        lo, hi = self.tpl.budget
        planned = Decimal(r.randint(lo * 100, hi * 100)) / 100
        if r.random() < 0.3:
            planned = Decimal(max(1, int(planned)))
        if kind == "low-execution-high-grade":
            rate = r.uniform(0.35, 0.58)
        elif kind == "execution-over-100":
            rate = r.uniform(1.05, 1.25)
        elif perfect or r.random() < 0.15:
            rate = 1.0
        else:
            rate = min(1.0, max(0.62, 0.91 + 0.02 * unit.quality + r.gauss(0, 0.04)))
        executed = max(Decimal("0.01"), (planned * Decimal(str(round(rate, 4)))).quantize(Decimal("0.01")))
        return planned, executed

    def _form(self, year: int) -> Form:
        ds, unit, tpl, r = self.ds, self.unit, self.tpl, self.rng
        kind = ds.form_anomaly.get((unit.name, tpl.name, year), "")
        outlier = (unit.name, year) in ds.outliers
        perfect = outlier or kind in ("all-equal-full-marks", "low-execution-high-grade")
        clean = perfect or bool(kind)  # no unknown / empty / invalid cells on planted forms
        rules = ds.rules[SCORED_RULES if unit.scored else UNSCORED_RULES]
        planned, executed = self._budget(kind, perfect)

        specs = list(self.specs)
        if kind == "no-cost-indicator":
            specs = [s for s in specs if s[3] != "cost" and "成本" not in s[0] + s[1] + s[2]]
        if kind == "no-satisfaction-indicator":
            specs = [s for s in specs if s[3] != "sat" and "满意" not in s[0] + s[1] + s[2]]
        prev = {s[2]: self.series[i].actual if self.series[i].shown else None for i, s in enumerate(self.specs)}
        cells = []
        for spec in specs:
            series = self.series[self.specs.index(spec)]
            cells.append(
                self._row(spec, series, year, kind == "all-equal-full-marks", perfect, clean, planned, executed)
            )
        if not clean and not any(c.short for c in cells) and r.random() < 0.6:
            # most real forms miss something: keep "every row full marks" a finding, not the rule
            rows = [i for i, c in enumerate(cells) if c.spec[3] not in ("cost", "bw", "date", "zero") and not c.dirty]
            if rows:
                i = r.choice(rows)
                spec = specs[i]
                cells[i] = getattr(self, f"_f_{spec[3]}")(
                    spec, self.series[self.specs.index(spec)], year, "missed", False
                )
        if ds.showcase == (unit.name, tpl.name, year):
            rows = [i for i, c in enumerate(cells) if c.spec[3] not in ("cost",) and not c.dirty]
            for i, how in zip(rows, ("invalid-target", "invalid-actual", "unknown", "empty"), strict=False):
                cells[i] = self._dirty(cells[i], how)
        indicator, detail = self._plant_rows(kind, cells, prev)
        for spec, c in zip(specs, cells, strict=True):
            if c.value is not None:
                s = self.series[self.specs.index(spec)]
                s.target, s.actual = c.value
                s.shown = not c.dirty
        goals, total_recorded, budget_recorded, budget_weight, differs = self._score(
            cells, rules, planned, executed, kind
        )
        if differs:
            indicator, detail = differs
        ds.cells.update(_cell_families(cells))

        rate = executed / planned
        rate_text = "" if r.random() < 0.05 else _n(q2(rate * HUNDRED)) + "%"
        deviation, measures = self._narratives(cells, year, kind, rate, rate_text)
        if kind == "copied-narrative":
            detail = deviation
        if kind and (kind not in ("sandbagging", "over-completion") or indicator):
            ds.planted.append(Planted(kind, year, unit.department, unit.name, tpl.name, indicator, detail))
        if outlier:
            ds.planted.append(
                Planted("unit-outlier", year, unit.department, unit.name, tpl.name, detail="该单位当年所有表单均为满分")
            )
        x = r.random()
        category = ("部门预算项目",) if x < 0.7 else ("部门预算项目", "区级专项") if x < 0.85 else ("上级转移支付项目",)
        initial = None
        if not unit.scored:
            initial = planned if r.random() < 0.8 else (planned * Decimal("0.9")).quantize(Decimal("0.01"))
        return Form(
            project_name=tpl.name,
            department=unit.department,
            implementing_unit=unit.name,
            year=year,
            form_kind=FormKind.PROJECT,
            rules=rules.name,
            title=f"{year} 年度{unit.name}项目支出绩效自评表",
            ticks=Ticks(
                category=category,
                attribute=("持续性项目",) if r.random() < 0.8 else ("新增性项目",),
                project_type=(r.choice(("常年性项目", "常年性项目", "延续性项目", "一次性项目")),),
            ),
            budget=Budget(
                label="年度财政资金总额",
                planned=planned,
                executed=executed,
                rate_text=rate_text,
                initial=initial,
                weight=budget_weight,
                recorded=budget_recorded,
                fiscal=None if unit.scored else planned,
            ),
            goals=goals,
            total_recorded=total_recorded,
            deviation_analysis=deviation,
            improvement_measures=measures,
            signoff=self._signoff(year),
        )

    def _signoff(self, year: int) -> SignOff:
        p, r = self.people, self.rng
        return SignOff(
            preparer=p.preparer,
            reviewer=p.reviewer,
            unit_head=p.unit_head,
            finance_head=p.finance_head,
            project_lead=p.project_lead,
            contact=p.contact,
            phone=p.phone,
            date=f"{year + 1}-{r.randint(1, 3):02d}-{r.randint(1, 28):02d}",
        )

    # ----------------------------------------------------------- one row

    def _outcome(self, family: str, perfect: bool, clean: bool) -> str:
        r = self.rng
        if perfect:
            return "met"
        if not clean:
            x = r.random()
            if x < 0.004:
                return "unknown"
            if x < 0.008:
                return "empty"
            if x < 0.009 and not self.unit.scored:  # a scoring unit would have noticed
                return "invalid"
        x = r.random()
        if x < self.p_miss:
            return "missed"
        if not clean and family == "count" and x > 0.993:
            return "over"
        return "met"

    def _row(
        self,
        spec: Spec,
        s: _Series,
        year: int,
        equal_all: bool,
        perfect: bool,
        clean: bool,
        planned: Decimal,
        executed: Decimal,
    ) -> _Cell:
        family = spec[3]
        outcome = self._outcome(family, perfect, clean)
        if family == "cost":
            return self._f_cost(spec, s, equal_all, planned, executed)
        dirty = outcome if outcome in ("unknown", "empty", "invalid") else ""
        cell: _Cell = getattr(self, f"_f_{family}")(spec, s, year, "met" if dirty else outcome, equal_all)
        if dirty:
            cell = self._dirty(cell, dirty)
        return cell

    def _dirty(self, cell: _Cell, how: str) -> _Cell:
        r = self.rng
        name = cell.spec[2]
        v = cell.value  # the numbers still carry over to next year's target
        if how == "unknown":
            text = r.choice(_UNKNOWN)
            return _Cell(
                cell.spec,
                cell.target,
                text,
                ("none",),
                f"「{name}」完成情况为「{text}」，尚需进一步核实",
                dirty=how,
                value=v,
            )
        if how == "empty":
            return _Cell(
                cell.spec, cell.target, r.choice(_EMPTY), ("zero",), f"「{name}」相关数据暂未统计", dirty=how, value=v
            )
        bad = r.choice(_INVALID)
        on_target = how == "invalid-target" if how != "invalid" else r.random() < 0.5
        if on_target:
            return _Cell(
                cell.spec, bad, cell.actual, ("zero",), f"「{name}」目标值表述不规范", dirty="invalid", value=v
            )
        return _Cell(cell.spec, cell.target, bad, ("zero",), f"「{name}」完成值表述不规范", dirty="invalid", value=v)

    def _short(self, spec: Spec, target: str, actual: str) -> str:
        return f"「{spec[2]}」年初目标{target}，实际完成{actual}，{self.rng.choice(_SHORT_REASONS)}"

    # Family makers: (spec, series, year, outcome, equal_all) → _Cell. ``equal_all``: the actual
    # is exactly the target (planted). Outcomes: met, missed, over (explained over-completion).

    def _f_count(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        r = self.rng
        unit, lo, hi = spec[4]
        A = _nice(r.randint(lo, hi)) if s.target is None else max(int(s.target), _nice_up(float(s.actual or 0)))
        expect = _full()
        if equal_all:
            B = A
        elif outcome == "missed":
            B = max(0, min(A - 1, int(A * r.uniform(0.4, 0.92))))
            expect = ("ratio", Decimal(B), Decimal(A))
        elif outcome == "over":
            B = math.ceil(A * r.uniform(1.3, 1.9))
        elif r.random() < 0.25:
            B = A
        else:
            B = A + int(A * r.uniform(0, 0.12))
        a = str(A)
        target = (
            f"≥{a}{unit}",
            f"≥ {a} {unit}",
            f"{a}{unit}",  # bare: the direction comes from the name or the 二级
            f"不少于{a}{unit}",
            f"{a}{unit}以上",
            f"＞{a}{unit}",
            f"≧{a}{unit}",
            f"≥{_fw(a)}{unit}",
            f"达到{a}{unit}",
            f"≥{a}{unit}",
        )[s.style % 10]
        if target == f"{a}{unit}" and _direction(spec) != "positive":
            target = f"≥{a}{unit}"
        x = r.random()
        if equal_all or x < 0.75:
            actual = f"{B}{unit}"
        elif B >= 1000 and x < 0.9:
            actual = f"{_thousands(B)}{unit}"
        elif x < 0.93:
            actual = str(B)
        elif x < 0.96:
            actual = f"{_fw(str(B))}{unit}"
        else:
            actual = f"{B} {unit}"
        cell = _Cell(spec, target, actual, expect, value=(Decimal(A), Decimal(B)))
        if outcome == "missed":
            cell.short = self._short(spec, target, actual)
        if outcome == "over":
            cell.over = f"「{spec[2]}」实际完成{actual}，超出目标{target}较多，主要是{r.choice(_OVER_REASONS)}"
        return cell

    def _f_rate(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        r = self.rng
        lo, hi = spec[4]
        A = r.randint(lo, hi) if s.target is None else min(100, max(int(s.target), math.ceil(s.actual or 0)))
        expect = _full()
        if equal_all or A >= 100 and outcome != "missed":
            B = Decimal(A)
        elif outcome == "missed":
            B = max(Decimal(1), Decimal(A) - Decimal(r.randint(20, 250)) / 10)
            expect = ("ratio", B, Decimal(A))
        elif r.random() < 0.25:
            B = Decimal(A)
        else:
            B = Decimal(A) + Decimal(r.randint(0, int((min(100, A * 1.1) - A) * 10))) / 10
        st = s.style % 8
        if A == 100:
            target = ("100%", "=100%", "═100%", "﹦100%", "100%", "≥100%", "=100%", "100%")[st]
            if target == "100%" and _direction(spec) != "positive":
                target = "=100%"
        else:
            target = (
                f"≥{A}%",
                f"不低于{A}%",
                f"{A}%以上",
                f"≥{A}百分比",
                f"≥ {A}%",
                f"≥{_fw(str(A))}％",
                f"≧{A}%",
                f"≥{A}%",
            )[st]
        b = _n(B)
        x = r.random()
        if equal_all:
            actual = f"{b}%"
        elif st == 3 and A != 100:
            actual = b  # the unit is written only on the target ("≥100百分比" / "100")
        elif x < 0.04:
            actual = f"{_fw(b)}％"
        elif x < 0.07 and outcome != "missed":
            actual = f"{b}%（抽检{r.randint(20, 300)}批次）"
        else:
            actual = f"{b}%"
        short = self._short(spec, target, actual) if outcome == "missed" else ""
        return _Cell(spec, target, actual, expect, short, value=(Decimal(A), B))

    def _f_rrate(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        r = self.rng
        lo, hi = spec[4]
        A = int(s.target) if s.target is not None else r.randint(lo, hi)
        expect = _full()
        if equal_all:
            B = Decimal(A)
        elif outcome == "missed":
            B = Decimal(A) * Decimal(r.randint(12, 20)) / 10
            expect = ("ratio", Decimal(A), B)
        else:
            B = Decimal(r.randint(0, A * 10)) / 10
        target = (f"≤{A}%", f"低于{A}%", f"{A}%以下", f"控制在{A}%以内", f"≦{A}%", f"≤{A}%")[s.style % 6]
        actual = f"{_n(B)}%"
        short = self._short(spec, target, actual) if outcome == "missed" else ""
        return _Cell(spec, target, actual, expect, short, value=(Decimal(A), B))

    def _f_dur(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        r = self.rng
        unit, lo, hi = spec[4]
        A = int(s.target) if s.target is not None else r.randint(lo, hi)
        expect = _full()
        if equal_all:
            B = A
        elif outcome == "missed":
            B = math.ceil(A * r.uniform(1.2, 1.8))
            expect = ("ratio", Decimal(A), Decimal(B))
        else:
            B = r.randint(max(1, A // 4), A)
        target = (f"≤{A}{unit}", f"≤ {A} {unit}", f"{A}{unit}以内", f"不超过{A}{unit}", f"≦{A}{unit}", f"{A}{unit}内")[
            s.style % 6
        ]
        x = r.random()
        if equal_all or outcome == "missed":
            actual = f"{B}{unit}"
        elif "故障" in spec[2] and x < 0.4:
            actual = "全年无故障"
        elif x < 0.6:
            actual = f"≤{B}{unit}"  # the actual is itself an upper bound
        else:
            actual = f"{B}{unit}"
        short = self._short(spec, target, actual) if outcome == "missed" else ""
        return _Cell(spec, target, actual, expect, short, value=(Decimal(A), Decimal(B)))

    def _f_money(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        r = self.rng
        lo, hi = spec[4]
        A = Decimal(
            _nice(r.randint(lo, hi)) if s.target is None else max(int(s.target), _nice_up(float(s.actual or 0)))
        )
        expect = _full()
        if equal_all:
            B = A
        elif outcome == "missed":
            B = (A * Decimal(r.randint(55, 95)) / 100).quantize(Decimal("0.01"))
            expect = ("ratio", B, A)
        else:
            B = (A * Decimal(r.randint(100, 112)) / 100).quantize(Decimal("0.01"))
        target = (f"≥{_n(A)}万元", f"≥{_n(A)}万元", f"不低于{_n(A)}万元", f"≥ {_n(A)} 万元")[s.style % 4]
        actual = f"{_n(B)}万元"
        short = self._short(spec, target, actual) if outcome == "missed" else ""
        return _Cell(spec, target, actual, expect, short, value=(A, B))

    def _f_scale(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        r = self.rng
        unit, lo, hi, word = spec[4]
        if s.target is None:
            A = Decimal(r.randint(lo * 10, hi * 10)) / 10
        else:
            A = max(s.target, Decimal(math.ceil((s.actual or ZERO) * 10)) / 10)
        expect = _full()
        if equal_all:
            B = A
        elif outcome == "missed":
            B = (A * Decimal(r.randint(60, 95)) / 100).quantize(Decimal("0.01"))
            expect = ("ratio", B, A)
        elif r.random() < 0.2:
            B = A
        else:
            B = (A * Decimal(r.randint(100, 112)) / 100).quantize(Decimal("0.01"))
        a = _n(A)
        target = (f"≥{a}{word}", f"≥{a}{word}{unit}", f"≥ {a} {word}{unit}", f"不少于{a}{word}{unit}")[s.style % 4]
        actual = f"{_n(B)}{word}{unit}"
        short = self._short(spec, target, actual) if outcome == "missed" else ""
        return _Cell(spec, target, actual, expect, short, value=(A, B))

    def _f_bw(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        lo, hi = spec[4]
        A = int(s.target) if s.target is not None else self.rng.randint(lo, hi)
        B = A - 1 if outcome == "missed" and A > 1 and not equal_all else A
        expect = ("ratio", Decimal(B), Decimal(A)) if B < A else _full()
        target, actual = f"≥{A}G", f"{B}G"
        short = self._short(spec, target, actual) if B < A else ""
        return _Cell(spec, target, actual, expect, short, value=(Decimal(A), Decimal(B)))

    def _f_rank(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        r = self.rng
        lo, hi = spec[4]
        A = int(s.target) if s.target is not None else r.randint(lo, hi)
        expect = _full()
        if equal_all:
            B = A
        elif outcome == "missed":
            B = A + r.randint(1, 6)
            expect = ("ratio", Decimal(A), Decimal(B))
        else:
            B = r.randint(1, A)
        st = s.style % 5
        target = (f"排名前{A}", f"全省前{A}名", f"前{_cn(A)}名", f"全市排名前{A}", f"排名前 {A}")[st]
        actual = (f"排名第{B}", f"第{B}名", f"第{_cn(B)}名", f"全市第{B}名", f"排名第 {B}")[st]
        short = self._short(spec, target, actual) if outcome == "missed" else ""
        return _Cell(spec, target, actual, expect, short, value=(Decimal(A), Decimal(B)))

    def _f_date(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        r = self.rng
        st = s.style % 5
        m = 6 + (s.extra % 7)  # a stable deadline month, June to December
        end = _month_end(year, m)
        if st == 0:
            target, deadline = f"{m}月前", date(year, m, end)
        elif st == 1:
            target, deadline = f"{m}月底前", date(year, m, end)
        elif st == 2:
            target, deadline = f"{year}年底前", date(year, 12, 31)
        elif st == 3:
            target, deadline = f"{year}年{m}月{end}日前", date(year, m, end)
        else:
            target, deadline = "年底前", date(year, 12, 31)
        with_year = st in (2, 3)
        if equal_all:
            if st == 4:
                actual = "年底"
            elif with_year:
                actual = f"{year}年{deadline.month}月{deadline.day}日"
            else:
                actual = f"{deadline.month}月"
            return _Cell(spec, target, actual, _full())
        late = deadline.month + r.randint(1, 2)
        if outcome == "missed" and (late <= 12 or with_year):
            # a cell without a year is read in the year of the other cell: never cross the year end there
            done = (
                date(year + 1, late - 12, _month_end(year + 1, late - 12))
                if late > 12
                else date(year, late, _month_end(year, late))
            )
            # the day too: a month alone is some day of it, which leaves how late undecided (待判断)
            day = f"{done.month}月{done.day}日"
            actual = f"{done.year}年{day}" if with_year else day
            start = date(deadline.year, 1, 1)
            expect = ("ratio", Decimal((deadline - start).days + 1), Decimal((done - start).days + 1))
            return _Cell(spec, target, actual, expect, self._short(spec, target, actual))
        if r.random() < 0.3:
            actual = "按时完成"
        else:
            mm = r.randint(max(1, deadline.month - 3), deadline.month)
            actual = f"{year}年{mm}月" if with_year else f"{mm}月"
        return _Cell(spec, target, actual, _full())

    def _f_qual(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        r = self.rng
        if equal_all:
            return _Cell(spec, "按时完成", "按时完成", _full())
        target = "定性指标" if s.style % 4 else "定性"
        if outcome == "missed":
            if r.random() < 0.85:
                actual, tier = r.choice(_QUAL_PARTLY), "partly"
            else:
                actual, tier = r.choice(_QUAL_NOT), "not_achieved"
            return _Cell(spec, target, actual, ("tier", tier), self._short(spec, target, actual))
        actual = r.choice(_QUAL_ACHIEVED)
        if r.random() < 0.15:
            actual += "（" + r.choice(_QUAL_NOTES).format(k=r.randint(3, 40)) + "）"
        return _Cell(spec, target, actual, ("tier", "achieved"))

    def _f_same(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        word, alt = spec[4]
        if equal_all:
            return _Cell(spec, word, word, _full())
        if outcome == "missed":
            actual = "基本" + word if word in ("健全", "完成", "及时", "合格") else "基本达到"
            return _Cell(spec, word, actual, ("tier", "partly"), self._short(spec, word, actual))
        actual = alt if self.rng.random() < 0.5 else word
        return _Cell(spec, word, actual, ("tier", "achieved"))

    def _f_dir(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        word, actual = spec[4]
        if equal_all:
            return _Cell(spec, word, word, _full())
        if outcome == "missed":
            return _Cell(spec, word, "基本达到", ("tier", "partly"), self._short(spec, word, "基本达到"))
        return _Cell(spec, word, actual, ("tier", "achieved"))

    def _f_zero(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        (unit,) = spec[4]
        # always with 为 / =: a bare "0次" would read as a positive count (any count passes it)
        target = ("为0", "=0", f"为0{unit}", "=0")[s.style % 4]
        if equal_all:
            return _Cell(spec, target, f"0{unit}", _full())
        if outcome == "missed":
            actual = f"1{unit}"
            return _Cell(spec, target, actual, ("ratio", ZERO, Decimal(1)), self._short(spec, target, actual))
        actual = "未发生" if "事故" in spec[2] and self.rng.random() < 0.5 else f"0{unit}"
        return _Cell(spec, target, actual, _full())

    def _f_ucost(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        r = self.rng
        unit, lo, hi = spec[4]
        A = int(s.target) if s.target is not None else _nice(r.randint(lo, hi))
        expect = _full()
        if equal_all:
            B = A
        elif outcome == "missed":
            B = math.ceil(A * r.uniform(1.05, 1.3))
            expect = ("ratio", Decimal(A), Decimal(B))
        else:
            B = r.randint(int(A * 0.9), A)
        target = (f"≤{A}{unit}", f"不超过{A}{unit}", f"≤ {A} {unit}")[s.style % 3]
        actual = f"{B}{unit}"
        short = self._short(spec, target, actual) if outcome == "missed" else ""
        return _Cell(spec, target, actual, expect, short, value=(Decimal(A), Decimal(B)))

    def _f_cost(self, spec: Spec, s: _Series, equal_all: bool, planned: Decimal, executed: Decimal) -> _Cell:
        X, Y = planned, executed
        target = (f"≤{_n(X)}万元", f"{_n(X)}万元", f"控制在{_n(X)}万元以内", f"不超过{_n(X)}万元")[s.style % 4]
        if target == f"{_n(X)}万元" and _direction(spec) != "reverse":
            target = f"≤{_n(X)}万元"
        if equal_all:
            return _Cell(spec, target, f"{_n(X)}万元", _full())
        actual = f"{_n(Y)}万元"
        if Y > X:
            return _Cell(spec, target, actual, ("ratio", X, Y), self._short(spec, target, actual))
        return _Cell(spec, target, actual, _full())

    def _f_sat(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        r = self.rng
        A = r.choice((85, 90, 90, 90, 95)) if s.target is None else max(int(s.target), math.ceil(s.actual or 0))
        A = min(A, 100)
        expect = _full()
        if equal_all:
            B = Decimal(A)
        elif outcome == "missed":
            B = Decimal(A) - Decimal(r.randint(10, 80)) / 10
            expect = ("ratio", B, Decimal(A))
        else:
            B = Decimal(r.randint(A * 10, min(1000, A * 10 + 30))) / 10
        target = (f"≥{A}%", f"{A}%以上", f"不低于{A}%", f"≧{A}%", f"≥ {A} %", f"≥{A}%")[s.style % 6]
        x = r.random()
        if equal_all:
            actual = f"{A}%"
        elif outcome != "missed" and B == A and x < 0.5:
            actual = f"≥{A}%"  # a lower bound, as on the 94-point form
        elif x < 0.05:
            actual = f"{_fw(_n(B))}％"
        else:
            actual = f"{_n(B)}%"
        short = self._short(spec, target, actual) if outcome == "missed" else ""
        return _Cell(spec, target, actual, expect, short, value=(Decimal(A), B))

    def _f_range(self, spec: Spec, s: _Series, year: int, outcome: str, equal_all: bool) -> _Cell:
        r = self.rng
        lo = 85 + (s.extra % 3) * 5
        target = f"{lo}%-{lo + 5}%"
        if equal_all:
            return _Cell(spec, f"≥{lo}%", f"{lo}%", _full())
        if outcome == "missed":
            B = Decimal(lo) - Decimal(r.randint(10, 50)) / 10
            actual = f"{_n(B)}%"
            return _Cell(spec, target, actual, ("ratio", B, Decimal(lo)), self._short(spec, target, actual))
        return _Cell(spec, target, f"{r.randint(lo, lo + 5)}%", _full())

    # ----------------------------------------------------------- anomalies on rows

    def _plant_rows(self, kind: str, cells: list[_Cell], prev: dict[str, Decimal | None]) -> tuple[str, str]:
        """Change rows for a planted anomaly; returns (indicator, detail) for the manifest."""
        r = self.rng
        if kind == "sandbagging":
            cands = [i for i, c in enumerate(cells) if c.spec[3] in ("count", "money", "scale") and not c.dirty]
            cands = [i for i in cands if (prev.get(cells[i].spec[2]) or ZERO) >= 4]
            if not cands:
                return "", ""
            i = r.choice(cands)
            c = cells[i]
            last = prev[c.spec[2]] or ZERO
            low = last * Decimal(r.randint(70, 85)) / 100
            family = c.spec[3]
            if family == "count":
                unit = c.spec[4][0]
                A = Decimal(max(1, min(int(low), int(last) - 1)))
                B = A + int(A * Decimal("0.05"))
                target, actual = f"≥{_n(A)}{unit}", f"{_n(B)}{unit}"
            elif family == "scale":
                unit, word = c.spec[4][0], c.spec[4][3]
                A = low.quantize(Decimal("0.1"))
                B = A
                target, actual = f"≥{_n(A)}{word}{unit}", f"{_n(B)}{word}{unit}"
            else:
                A = low.quantize(Decimal("1"))
                B = A
                target, actual = f"≥{_n(A)}万元", f"{_n(B)}万元"
            cells[i] = _Cell(c.spec, target, actual, _full(), value=(A, B))
            return c.spec[
                2
            ], f"目标值「{target}」，上年实际完成值 {_n(last)}（目标为上年实际的 {_n(q2(A / last * HUNDRED))}%）"
        if kind == "over-completion":
            cands = [
                i
                for i, c in enumerate(cells)
                if c.spec[3] in ("count", "scale", "money") and c.expect == _full() and not c.over and c.value
            ]
            if not cands:
                return "", ""
            i = r.choice(cands)
            c = cells[i]
            family = c.spec[3]
            unit = "万元" if family == "money" else c.spec[4][3] + c.spec[4][0] if family == "scale" else c.spec[4][0]
            A = c.value[0] if c.value else Decimal(10)
            B = A * Decimal(r.randint(130, 190)) / 100
            B = B.quantize(Decimal("1")) if family == "count" else B.quantize(Decimal("0.01"))
            target, actual = f"≥{_n(A)}{unit}", f"{_n(B)}{unit}"
            cells[i] = _Cell(c.spec, target, actual, _full(), value=(A, B))
            return c.spec[2], f"目标值「{target}」，实际完成值「{actual}」（{_n(q2(B / A * HUNDRED))}%）"
        if kind == "deviation-missing":
            if not any(c.short for c in cells):
                cands = [i for i, c in enumerate(cells) if c.spec[3] in ("rate", "qual")] or [0]
                i = r.choice(cands)
                c = cells[i]
                B = Decimal(r.randint(800, 930)) / 10
                cells[i] = _Cell(c.spec, "≥95%", f"{_n(B)}%", ("ratio", B, Decimal(95)), "x")
            missed = [c.spec[2] for c in cells if c.short]
            return missed[0], "偏差原因分析为「无」"
        if kind == "boilerplate-actuals":
            rows = [i for i, c in enumerate(cells) if c.spec[3] not in ("cost", "sat")]
            for i in rows[1:]:  # all but one of the rows that are not cost or satisfaction
                cells[i] = _Cell(cells[i].spec, "定性指标", r.choice(_BOILERPLATE), ("tier", "achieved"))
            return "", f"{len(rows) - 1} / {len(cells)} 项实际完成值为套话"
        if kind == "inflated-total":
            cands = [
                i
                for i, c in enumerate(cells)
                if c.spec[3] not in ("cost", "date") and c.expect in (_full(), ("tier", "achieved"))
            ]
            r.shuffle(cands)
            names = []
            for i in cands[: max(4, len(cells) // 3)]:
                c = cells[i]
                actual = r.choice(_QUAL_NOT)
                cells[i] = _Cell(c.spec, "定性指标", actual, ("tier", "not_achieved"), "x")
                names.append(c.spec[2])
            return "", f"{len(names)} 项未完成的指标自评为满分：" + "、".join(names)
        return "", ""

    # ----------------------------------------------------------- scores

    def _score(
        self, cells: list[_Cell], rules: RuleSet, planned: Decimal, executed: Decimal, kind: str
    ) -> tuple[tuple[Goal, ...], Decimal | None, Recorded | None, Decimal | None, tuple[str, str] | None]:
        """Goals with weights and recorded scores (scored units) and the recorded totals."""
        r, tpl = self.rng, self.tpl
        goal_text = f"{tpl.goal}。"
        if not self.unit.scored:
            return (Goal(text=goal_text, indicators=tuple(_indicator(c) for c in cells)),), None, None, None, None
        # hubei-2020: 20 points for the budget, 80 over the rows (sometimes two goals of 40)
        two = len(cells) >= 12 and r.random() < 0.25
        parts = [cells[: len(cells) // 2], cells[len(cells) // 2 :]] if two else [cells]
        pools = (40, 40) if two else (80,)
        weights = [Decimal(w) for part, pool in zip(parts, pools, strict=True) for w in _split_weights(pool, len(part))]
        computed = [_expected(c.expect, W, rules) for c, W in zip(cells, weights, strict=True)]
        recorded: list[Recorded] = []
        for c, W, comp in zip(cells, weights, computed, strict=True):
            if c.dirty in ("unknown", "invalid") or comp is None:
                recorded.append(Recorded(W, "经单位研究认定已完成，详见佐证材料"))
            else:
                recorded.append(Recorded(W if kind == "inflated-total" else q2(comp)))
        differs: tuple[str, str] | None = None
        if kind == "recorded-differs":
            # like the 94-point form: a shortfall recorded higher; failing that, a full row marked down
            ok = [
                i
                for i, (c, W, comp) in enumerate(zip(cells, weights, computed, strict=True))
                if comp is not None and not c.dirty and W >= 4
            ]
            short = [i for i in ok if computed[i] < weights[i] - 1 and cells[i].expect[0] == "ratio"]
            numeric = [i for i in ok if cells[i].expect[0] != "tier"]  # a tier score has a band of its own
            if short or numeric or ok:
                i = r.choice(short or numeric or ok)
                W, comp = weights[i], computed[i]
                assert comp is not None
                rec = min(W, q2(comp) + r.randint(1, 3)) if comp < W - 1 else W - r.randint(1, 3)
                recorded[i] = Recorded(rec)
                differs = (cells[i].spec[2], f"自评 {_n(rec)} 分，规则得分 {_n(q2(comp))} 分，未说明理由")
                if not cells[i].short:
                    cells[i].short = f"「{cells[i].spec[2]}」完成情况存在不足"
        bw = rules.budget_weight
        budget_score = min(bw, q2(bw * (executed / planned)))
        total = budget_score + sum((x.score for x in recorded), ZERO)
        goals = []
        at = 0
        for gi, (part, pool) in enumerate(zip(parts, pools, strict=True)):
            inds = tuple(_indicator(c, weights[at + j], recorded[at + j]) for j, c in enumerate(part))
            at += len(part)
            text = goal_text if gi == 0 else f"{tpl.goal}（二）。"
            goals.append(Goal(text=text, weight=Decimal(pool), indicators=inds))
        return tuple(goals), total, Recorded(budget_score), bw, differs

    # ----------------------------------------------------------- narratives

    def _narratives(self, cells: list[_Cell], year: int, kind: str, rate: Decimal, rate_text: str) -> tuple[str, str]:
        r = self.rng
        head = f"{self.unit.name}{self.tpl.name}项目"
        measures = f"{head}：{'；'.join(r.sample(_MEASURES, 2))}，推动项目绩效持续提升。"
        if kind == "copied-narrative":
            return _COPIED[self.ds.copy_group[(self.unit.name, self.tpl.name, year)] % len(_COPIED)], measures
        if kind == "deviation-missing":
            return "无", measures
        rate_shown = rate_text or _n(q2(rate * HUNDRED)) + "%"
        parts: list[str] = []
        if rate < 1:
            parts.append(f"预算执行率{rate_shown}，{r.choice(_SHORT_REASONS)}")
        elif rate > 1:
            parts.append(
                f"执行数超过预算数（执行率{rate_shown}），主要是年中追加了{r.choice(('设备更新', '专项任务', '应急支出'))}"
            )
        parts += [c.short for c in cells if c.short and c.short != "x"]
        if kind == "inflated-total":
            parts.append("部分指标未完全达到预期")
        parts += [c.over for c in cells if c.over]
        if not parts:
            return ("无" if r.random() < 0.7 else f"{head}本年度各项绩效目标均已完成，无明显偏差。"), measures
        return f"{head}：" + "；".join(parts) + "。", measures


@functools.cache
def _direction(spec: Spec) -> str:
    """The direction the engine infers for a cell without a comparator (name, catalog, levels)."""
    from indicator_catalog import default_catalog
    from scorer.direction import resolve

    return resolve(Indicator(spec[0], spec[1], spec[2], "", ""), default_catalog()).value


def _spec_order(s: Spec) -> tuple[int, int]:
    return ({_OUT: 0, _COST: 1, _EFF: 2, _SAT: 3}.get(s[0], 9), {_NUM: 0, _QUA: 1, _TIME: 2, _COSTL2: 3}.get(s[1], 5))


def _indicator(c: _Cell, weight: Decimal | None = None, recorded: Recorded | None = None) -> Indicator:
    return Indicator(
        level1=c.spec[0],
        level2=c.spec[1],
        name=c.spec[2],
        target=c.target,
        actual=c.actual,
        weight=weight,
        recorded=recorded,
    )


def _cell_families(cells: Iterable[_Cell]) -> Counter[str]:
    out: Counter[str] = Counter()
    for c in cells:
        out["family:" + c.spec[3]] += 1
        if c.dirty:
            out["row:" + c.dirty] += 1
        for text in (c.target, c.actual):
            out.update(_text_tags(text))
    return out


@functools.lru_cache(maxsize=1 << 17)
def _text_tags(text: str) -> tuple[str, ...]:
    """What a cell text shows, for the manifest's statistics (cells repeat a lot: cached)."""
    t = text.strip()
    if t in ("", "-", "/", "——"):
        return ("empty",)
    tags = []
    if t in _INVALID:
        tags.append("invalid")
    if t in _UNKNOWN:
        tags.append("unknown-wording")
    if any(ch in t for ch in "≧≦═﹦＞"):
        tags.append("lookalike-symbol")
    if any("０" <= ch <= "９" for ch in t):
        tags.append("full-width-digits")
    if any(w in t for w in ("不低于", "不少于", "以上", "以内", "不超过", "控制在", "低于", "以下", "达到", "为0")):
        tags.append("word-comparator")
    if t[:1] in "≥≤=><":
        tags.append("comparator")
    if "万" in t or "亿" in t:
        tags.append("scale")
    if "排名" in t or t.startswith(("前", "第", "全省", "全市")):
        tags.append("rank")
    if "月" in t or "年底" in t:
        tags.append("date")
    if t in ("定性指标", "定性"):
        tags.append("qualitative-label")
    if "（" in t:
        tags.append("note")
    if "," in t:
        tags.append("thousands-separator")
    return tuple(tags)


def _month_end(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _split_weights(pool: int, n: int) -> list[int]:
    base, extra = divmod(pool, n)
    return [base + (1 if i < extra else 0) for i in range(n)]


def _expected(expect: tuple[Any, ...], W: Decimal, rules: RuleSet) -> Decimal | None:
    """The rule score the engine gives such a row (mirrors scorer.engine for the generated cells)."""
    tag = expect[0]
    if tag == "full":
        return W
    if tag == "zero":
        return ZERO
    if tag == "none":
        return None
    if tag == "tier":
        return W * rules.band(expect[1]).default
    num, den = expect[1], expect[2]
    if den <= 0:
        return ZERO
    return max(ZERO, min(W, W * num / den))


class _DeptMaker(_ProjectMaker):
    """The 部门整体支出 form of one department, per year."""

    def __init__(self, ds: Dataset, dept: DeptPlan, planned: dict[int, Decimal]) -> None:
        unit = UnitPlan(dept.name, dept.name, dept.county, dept.sector, False, 0.5, True)
        tpl = ProjectTemplate(f"{dept.name}部门整体支出", (0, 0), "全面履行部门职责，完成年度重点工作任务", ())
        self.ds = ds
        self.dept = dept
        self.unit = unit
        self.tpl = tpl
        self.planned = planned
        self.rng = random.Random(f"{ds.seed}/{dept.name}/整体")
        self.project = ProjectPlan(tpl, dept.n)
        r = self.rng
        specs = list(_DEPT_SPECS)
        r.shuffle(specs)
        specs = specs[: max(0, dept.n - 2)]
        specs.append((_COST, "经济成本指标", "部门整体运行成本", "cost", ()))
        specs.append((_SAT, _SATL2, "服务对象满意度", "sat", ()))
        specs.sort(key=_spec_order)
        self.specs = specs
        self.series = [_Series(style=r.randrange(840), extra=r.randrange(1000)) for _ in specs]
        self.p_miss = 0.05
        self.people = self._people()

    def forms(self) -> Iterator[Form]:
        for year in self.ds.years:
            yield self._dept_form(year)

    def _dept_form(self, year: int) -> Form:
        r, dept = self.rng, self.dept
        projects = self.planned.get(year, ZERO)
        gap = self.ds.coverage_gap.get((dept.name, year))
        project_exp = (projects / Decimal(str(round(gap, 3)))).quantize(Decimal("0.01")) if gap else projects
        basic = Decimal(r.randint(20000, 300000)) / 100
        planned = basic + project_exp
        outlier = (dept.name, year) in self.ds.outliers  # the bureau itself is an outlier unit
        rate = 1.0 if outlier else min(1.0, max(0.8, 0.95 + r.gauss(0, 0.03)))
        executed = (planned * Decimal(str(round(rate, 4)))).quantize(Decimal("0.01"))
        cells = []
        for spec, series in zip(self.specs, self.series, strict=True):
            cell = self._row(spec, series, year, False, outlier, outlier, planned, executed)
            if cell.value is not None:
                series.target, series.actual = cell.value
            cells.append(cell)
        self.ds.cells.update(_cell_families(cells))
        inds = tuple(_indicator(c) for c in cells)
        rate_exact = executed / planned
        rate_text = _n(q2(rate_exact * HUNDRED)) + "%"
        deviation, measures = self._narratives(cells, year, "", rate_exact, rate_text)
        if outlier:
            self.ds.planted.append(
                Planted("unit-outlier", year, dept.name, dept.name, self.tpl.name, detail="该单位当年所有表单均为满分")
            )
        if gap:
            self.ds.planted.append(
                Planted(
                    "coverage-gap",
                    year,
                    dept.name,
                    dept.name,
                    self.tpl.name,
                    detail=f"项目支出总额 {_n(project_exp)} 万元，项目自评表预算数合计 {_n(projects)} 万元",
                )
            )
        return Form(
            project_name=self.tpl.name,
            department=dept.name,
            implementing_unit=dept.name,
            year=year,
            form_kind=FormKind.DEPARTMENT,
            rules=UNSCORED_RULES,
            title=f"{year} 年度{dept.name}部门整体支出绩效自评表",
            budget=Budget(
                label="部门预算总额",
                planned=planned,
                executed=executed,
                rate_text=rate_text,
                initial=planned,
                basic_expenditure=basic,
                project_expenditure=project_exp,
            ),
            goals=(Goal(text=f"{self.tpl.goal}。", indicators=inds),),
            deviation_analysis=deviation,
            improvement_measures=measures,
            signoff=SignOff(
                unit_head=self.people.unit_head,
                finance_head=self.people.finance_head,
                contact=self.people.contact,
                phone=self.people.phone,
                date=f"{year + 1}-03-{r.randint(1, 28):02d}",
            ),
        )


# ---------------------------------------------------------------- the API


class Generation(Iterator[Form]):
    """An iterator over the forms, with the dataset's ``manifest`` (complete once exhausted)."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._it = dataset.forms()

    def __iter__(self) -> Generation:
        return self

    def __next__(self) -> Form:
        return next(self._it)

    @property
    def manifest(self) -> dict[str, Any]:
        return self.dataset.manifest()


def generate(n_indicators: int, seed: int, years: Sequence[int] = DEFAULT_YEARS) -> Generation:
    """The forms of a synthetic dataset of about ``n_indicators`` indicators (all years together)."""
    return Generation(Dataset(n_indicators, seed, years))


def manifest(n_indicators: int, seed: int, years: Sequence[int] = DEFAULT_YEARS) -> dict[str, Any]:
    """The complete manifest of that dataset (generates it, without keeping the forms)."""
    gen = generate(n_indicators, seed, years)
    for _ in gen:
        pass
    return gen.manifest


# ---------------------------------------------------------------- files and the command line


def form_path(out: Path, form: Form, suffix: str) -> Path:
    """DIR/<year>/<department>/<unit>/<project>.<suffix>."""

    def safe(text: str) -> str:
        return "".join("_" if ch in '/\\:*?"<>|' else ch for ch in text) or "_"

    return (
        out
        / str(form.year)
        / safe(form.department)
        / safe(form.implementing_unit)
        / f"{safe(form.project_name)}.{suffix}"
    )


def write_form(out: Path, form: Form, fmt: str) -> Path:
    from scorer.formfile import dumps_json, dumps_toml

    path = form_path(out, form, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps_toml(form) if fmt == "toml" else dumps_json(form), encoding="utf-8")
    return path


def _monitored(forms: Iterable[Form], out: Path, seed: int, year: int) -> Iterator[Form]:
    """Pass the forms on, writing a 1–6月 monitoring snapshot for each project form of ``year``."""
    import tomli_w

    from bench.monitoring_gen import snapshot_for

    rng = random.Random(seed * 1000 + 19)
    planted: list[dict[str, str]] = []
    for form in forms:
        if form.year == year and form.form_kind is FormKind.PROJECT:
            path = form_path(out, form, "toml")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(tomli_w.dumps(snapshot_for(form, rng, planted)), encoding="utf-8")
        yield form
    # beside the directory, not in it: every file in it is a snapshot
    manifest = {"planted": planted}
    (out.parent / f"{out.name}-manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )


def _parse_years(text: str) -> tuple[int, ...]:
    try:
        years = tuple(sorted({int(x) for x in text.replace("，", ",").split(",") if x.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"年度应为逗号分隔的四位年份，如 2023,2024；实际为「{text}」") from None
    if not years or any(not 1990 <= y <= 2100 for y in years):
        raise argparse.ArgumentTypeError(f"年度应为逗号分隔的四位年份，如 2023,2024；实际为「{text}」")
    return years


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="bench/generate.py",
        description="生成省级规模的合成自评表数据集（含预埋异常清单），写成表单文件和/或直接载入数据库。",
    )
    ap.add_argument("--indicators", type=int, required=True, metavar="N", help="指标总数（各年合计，约数）")
    ap.add_argument("--seed", type=int, default=1, metavar="S", help="随机种子（同一种子生成相同数据），默认 1")
    ap.add_argument(
        "--out", type=Path, metavar="DIR", help="写出表单文件到 DIR/<年度>/<部门>/<单位>/<项目>，以及 DIR/manifest.json"
    )
    ap.add_argument("--format", choices=("toml", "json"), default="toml", help="表单文件格式，默认 toml")
    ap.add_argument("--db", metavar="URL", help="直接载入数据库（SQLite 路径或 postgresql+psycopg://…）；新库会先建表")
    ap.add_argument("--years", type=_parse_years, default=DEFAULT_YEARS, metavar="Y1,Y2", help="年度，默认 2023,2024")
    ap.add_argument(
        "--manifest",
        type=Path,
        metavar="FILE",
        help="预埋异常清单写到 FILE（默认 DIR/manifest.json，或输出到标准输出）",
    )
    ap.add_argument(
        "--monitoring",
        type=Path,
        metavar="DIR",
        help="为最后一个年度的项目表单写出 1–6月运行监控记录到 DIR（预埋情形清单写到 DIR 旁的 DIR-manifest.json）",
    )
    ap.add_argument("--workers", type=int, default=1, metavar="K", help="入库时用 K 个进程计分（默认 1）")
    ap.add_argument("--batch", type=int, default=500, metavar="B", help="入库时每批（每个事务）的表单数，默认 500")
    args = ap.parse_args(argv)
    if args.indicators <= 0:
        ap.error("--indicators 应为正整数")

    from rich.console import Console
    from rich.markup import escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    err = Console(stderr=True)
    started = time.perf_counter()
    ds = Dataset(args.indicators, args.seed, args.years)
    forms: Iterable[Form] = ds.forms()
    written = 0
    loaded = 0
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("项指标"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )
    with progress:
        what = "、".join(["生成", *(["写出"] if args.out else []), *(["入库"] if args.db else [])])
        task = progress.add_task(what, total=ds.planned_indicators)

        def files(it: Iterable[Form]) -> Iterator[Form]:
            nonlocal written
            for form in it:
                write_form(args.out, form, args.format)
                written += 1
                if not args.db:
                    progress.advance(task, sum(len(g.indicators) for g in form.goals))
                yield form

        if args.out:
            forms = files(forms)
        if args.monitoring:
            forms = _monitored(forms, args.monitoring, args.seed, max(args.years))
        if args.db:
            from jixiao.storage.bulk import BulkLoadError, bulk_load
            from jixiao.storage.database import (
                DatabaseError,
                current_revision,
                head_revision,
                is_empty,
                make_engine,
                redact,
                resolve_url,
                upgrade,
            )

            url, _ = resolve_url(args.db)
            try:
                engine = make_engine(url)
                if is_empty(engine):
                    upgrade(engine)
                elif current_revision(engine) != head_revision(engine):
                    raise DatabaseError(f"数据库 {redact(url)} 不是最新版本；请先运行 jixiao --db URL db upgrade")
            except DatabaseError as exc:
                progress.stop()
                err.print(f"[red]错误：{escape(str(exc))}[/red]", soft_wrap=True)
                return 2
            try:
                loaded = bulk_load(
                    engine,
                    forms,
                    actor="bench-generate",
                    batch=args.batch,
                    workers=args.workers,
                    progress=lambda nf, ni: progress.advance(task, ni),
                )
            except BulkLoadError as exc:
                progress.stop()
                err.print(f"[red]错误：{escape(str(exc))}[/red]", soft_wrap=True)
                return 1
            finally:
                engine.dispose()
        else:
            for form in forms:
                if not args.out:
                    progress.advance(task, sum(len(g.indicators) for g in form.goals))
        progress.update(task, total=ds.indicators_made, completed=ds.indicators_made)
    seconds = time.perf_counter() - started
    data = ds.manifest()
    target = args.manifest or (args.out / "manifest.json" if args.out else None)
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    where = []
    if args.out:
        where.append(f"写出 {written} 个 {args.format} 文件到 {args.out}")
    if args.db:
        where.append(f"载入数据库 {loaded} 份")
    planted = sum(data["anomaly_counts"].values())
    err.print(
        f"{ds.forms_made} 份表单，{ds.indicators_made} 项指标，{len(ds.years)} 个年度，预埋异常 {planted} 处"
        + (f"；{'；'.join(where)}" if where else "")
        + (f"；清单 {target}" if target else "")
        + f"；用时 {seconds:.1f} 秒",
        soft_wrap=True,
    )
    if target is None:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
