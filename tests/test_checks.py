"""The review checks: each one triggered and not triggered, the portfolio checks on built
datasets, and ``jixiao check`` on the samples, with its exit codes."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from jixiao.checks import (
    CHECKS,
    FormRecord,
    form_checks,
    record_for,
    run_all,
    run_form_checks,
    run_portfolio_checks,
    summarise,
)
from jixiao.checks.model import is_trivial
from jixiao.checks.portfolio_checks import actual_equals_target, robust_z
from jixiao.scoring import score_form
from scorer.formfile import dumps_toml
from scorer.model import Budget, Form, FormKind, Goal, Indicator, Recorded
from scorer.result import FormResult, Problem, ProblemCode, Severity
from tests.conftest import NINETY_FOUR, ROOT, SAMPLES

D = Decimal

# ------------------------------------------------------------------ builders


def ind(
    name: str,
    target: str,
    actual: str,
    level1: str = "产出指标",
    level2: str = "数量指标",
    weight: int | str | None = None,
    score: int | str | None = None,
    reason: str = "",
    deviation: str = "",
) -> Indicator:
    return Indicator(
        level1=level1,
        level2=level2,
        name=name,
        target=target,
        actual=actual,
        weight=None if weight is None else D(str(weight)),
        recorded=None if score is None else Recorded(D(str(score)), reason),
        deviation=deviation,
    )


EXPLAINED = "受宣传覆盖面不足影响，服务覆盖率未达到年初目标，下一年度将加强宣传。"


def base_rows() -> list[Indicator]:
    """Five rows: cost and satisfaction present, one target missed, nothing equal or over-completed."""
    return [
        ind("培训人次", "≥100 人次", "110 人次"),
        ind("培训合格率", "≥95%", "98%", level2="质量指标"),
        ind("培训成本", "≤20 万元", "19 万元", level2="成本指标"),
        ind("服务覆盖率", "≥90%", "85%", level1="效益指标", level2="社会效益指标"),
        ind("学员满意度", "≥90%", "95%", level1="满意度指标", level2="服务对象满意度指标"),
    ]


def make(
    rows: list[Indicator] | None = None,
    *,
    planned: str | None = "100",
    executed: str | None = "100",
    rate: str = "",
    budget_weight: int | None = None,
    budget_score: int | None = None,
    goal_weight: int | None = None,
    total: str | None = None,
    deviation: str = EXPLAINED,
    improvement: str = "无",
    rules: str = "hubei-2020",
    year: int = 2024,
    unit: str = "单位甲",
    project: str = "职业技能培训",
    department: str = "区人社局",
    kind: FormKind = FormKind.PROJECT,
    project_expenditure: str | None = None,
) -> Form:
    return Form(
        project_name=project,
        department=department,
        implementing_unit=unit,
        year=year,
        form_kind=kind,
        rules=rules,
        budget=Budget(
            planned=None if planned is None else D(planned),
            executed=None if executed is None else D(executed),
            rate_text=rate,
            weight=None if budget_weight is None else D(budget_weight),
            recorded=None if budget_score is None else Recorded(D(budget_score)),
            project_expenditure=None if project_expenditure is None else D(project_expenditure),
        ),
        goals=(Goal(weight=None if goal_weight is None else D(goal_weight), indicators=tuple(rows or base_rows())),),
        total_recorded=None if total is None else D(total),
        deviation_analysis=deviation,
        improvement_measures=improvement,
    )


def weighted(weights: list[int], scores: list[int | str] | None = None, reason: str = "") -> list[Indicator]:
    rows = base_rows()
    out = []
    for i, (r, w) in enumerate(zip(rows, weights, strict=True)):
        s = None if scores is None else scores[i]
        out.append(
            dataclasses.replace(
                r, weight=D(w), recorded=None if s is None else Recorded(D(str(s)), reason if i == 0 else "")
            )
        )
    return out


def replace_row(i: int, **changes: object) -> list[Indicator]:
    rows = base_rows()
    rows[i] = dataclasses.replace(rows[i], **changes)  # type: ignore[arg-type]
    return rows


def _family(
    weight: int, kids: list[int | str], score: int | None = None, scores: list[int] | None = None
) -> list[Indicator]:
    """The first row as a parent of sub-rows with these weights (and recorded scores)."""
    rows = weighted([16] * 5)
    parent = dataclasses.replace(rows[0], weight=D(weight), recorded=None if score is None else Recorded(D(score)))
    subs = [
        dataclasses.replace(
            ind(f"{n}、子项", "≥50 人次", "55 人次", weight=w, score=None if scores is None else scores[n - 1]),
            sub=True,
        )
        for n, w in enumerate(kids, 1)
    ]
    return [parent, *subs, *rows[1:]]


def ids(form: Form) -> set[str]:
    return {f.check_id for f in run_form_checks(score_form(form))}


def findings(form: Form, check_id: str) -> list:
    return [f for f in run_form_checks(score_form(form)) if f.check_id == check_id]


def test_the_base_form_is_clean() -> None:
    result = score_form(make())
    assert run_form_checks(result) == []
    assert run_portfolio_checks([record_for(result)]) == []


# ------------------------------------------------------------- form checks

QUAL = [
    ("确保培训质量", "定性指标", "圆满完成", "产出指标", "质量指标"),
    ("项目实施按计划", "定性指标", "按时完成", "产出指标", "时效指标"),
    ("促进就业", "定性指标", "达到预期指标", "效益指标", "社会效益指标"),
    ("社会影响", "定性指标", "完成", "效益指标", "社会效益指标"),
]


def _boilerplate(n: int) -> list[Indicator]:
    rows = [ind(name, t, a, l1, l2) for name, t, a, l1, l2 in QUAL[:n]]
    numeric = [
        ind("培训成本", "≤20 万元", "19 万元", level2="成本指标"),
        ind("学员满意度", "≥90%", "95%", level1="满意度指标", level2="服务对象满意度指标"),
        ind("培训人次", "≥100 人次", "110 人次"),
        ind("培训合格率", "≥95%", "98%", level2="质量指标"),
    ]
    return rows + numeric[: 6 - n]


def _partly(score: int) -> list[Indicator]:
    """All rows weighted 16 and scored in full, except a 基本完成 row scored ``score``."""
    rows = [dataclasses.replace(r, weight=D(16), recorded=Recorded(D(16))) for r in base_rows()]
    rows[3] = dataclasses.replace(rows[3], actual="95%")
    rows[1] = ind("培训质量", "定性指标", "基本完成", level2="质量指标", weight=16, score=score, reason="质量较好")
    return rows


def _funded(*, planned: str = "100", executed: str = "100", **sources: str) -> Form:
    """The base form whose 其中 rows carry ``sources`` (fiscal / carryover / other, 万元)."""
    form = make(planned=planned, executed=executed)
    return dataclasses.replace(form, budget=dataclasses.replace(form.budget, **{k: D(v) for k, v in sources.items()}))


FORM_CASES: list[tuple[str, Callable[[], Form], Callable[[], Form]]] = [
    # weights: 20 (budget) + 5 × 14 = 90 ≠ 100
    ("weights-total", lambda: make(weighted([14] * 5)), lambda: make(weighted([16] * 5))),
    # the goal says 80 but its rows add to 70 (the engine does not see this one)
    (
        "weights-total",
        lambda: make(weighted([16, 16, 16, 16, 6]), goal_weight=80, budget_weight=30),
        lambda: make(weighted([16] * 5), goal_weight=80),
    ),
    ("weight-nonpositive", lambda: make(weighted([0, 20, 20, 20, 20])), lambda: make(weighted([16] * 5))),
    # a parent row of 16 whose two sub-rows add to 12, or whose recorded 16 is not 8 + 6
    ("family-sum", lambda: make(_family(16, [6, 6])), lambda: make(_family(16, [8, 8]))),
    ("family-sum", lambda: make(_family(16, [8, 8], 16, [8, 6])), lambda: make(_family(16, [8, 8], 14, [8, 6]))),
    # printed rounded: 16 over 5.33 × 3 is 15.99, within half a unit of each; 5.33 + 5.33 + 5.03 is not
    ("family-sum", lambda: make(_family(16, ["5.33", "5.33", "5.03"])), lambda: make(_family(16, ["5.33"] * 3))),
    ("invalid-cell", lambda: make(replace_row(0, target="≥100 某某单位")), make),
    ("empty-cell", lambda: make(replace_row(0, actual="")), make),
    ("empty-cell", lambda: make(replace_row(0, target=" ")), make),
    ("empty-cell", lambda: make(executed=None), make),
    ("unit-mismatch", lambda: make(replace_row(0, actual="120 万元")), make),
    ("needs-judgement", lambda: make(replace_row(1, target="定性指标", actual="有待观察")), make),
    # the missed 服务覆盖率 row with no narrative; explained by the form, or by the row's own column
    (
        "deviation-missing",
        lambda: make(deviation="无"),
        lambda: make(replace_row(3, deviation="受宣传不足影响"), deviation="无"),
    ),
    ("deviation-missing", lambda: make(deviation=""), make),
    ("deviation-missing", lambda: make(replace_row(3, actual="95%"), executed="90", deviation="无"), make),
    (
        "over-completion-unexplained",
        lambda: make(replace_row(0, actual="130 人次")),
        lambda: make(replace_row(0, actual="130 人次", deviation="新增一期培训班")),
    ),
    (
        "over-completion-unexplained",
        lambda: make(replace_row(0, actual="130 人次"), deviation="无"),
        lambda: make(replace_row(0, actual="130 人次"), deviation="培训人次超额是因为新增一期培训班。" + EXPLAINED),
    ),
    (
        "recorded-differs-unexplained",
        lambda: make(weighted([16] * 5, [16, 16, 16, 16, 16])),
        lambda: make(weighted([16] * 5, [16, 16, 16, "15.11", 16])),
    ),
    (
        "recorded-differs-unexplained",
        lambda: make(budget_score=18),
        lambda: make(budget_score=20),
    ),
    (
        "recorded-differs-explained",
        lambda: make(weighted([16] * 5, [12, 16, 16, "15.11", 16], reason="部分培训改为线上")),
        lambda: make(weighted([16] * 5, [12, 16, 16, "15.11", 16])),
    ),
    (
        "recorded-above-weight",
        lambda: make(weighted([16] * 5, [18, 16, 16, "15.11", 16], reason="表现突出")),
        lambda: make(weighted([16] * 5, [16, 16, 16, "15.11", 16])),
    ),
    ("recorded-above-weight", lambda: make(budget_score=25), lambda: make(budget_score=20)),
    (
        "recorded-total-sum",
        lambda: make(weighted([16] * 5, [16, 16, 16, "15.11", 16]), budget_score=20, total="100"),
        lambda: make(weighted([16] * 5, [16, 16, 16, "15.11", 16]), budget_score=20, total="99.11"),
    ),
    # 基本完成 is the partly tier: 50–80% of the weight under hubei-2020
    ("qualitative-out-of-band", lambda: make(_partly(16)), lambda: make(_partly(12))),
    ("qualitative-out-of-band", lambda: make(_partly(6)), lambda: make(_partly(8))),
    ("execution-over-100", lambda: make(executed="120"), make),
    ("rate-mismatch", lambda: make(rate="90%"), lambda: make(rate="100%")),
    ("rate-unreadable", lambda: make(rate="约九成"), lambda: make(rate="100%")),
    ("budget-invalid", lambda: make(planned="0"), make),
    # 其中 rows above the total: counted twice, or a total printed as 0 (a real Anhui form, 2022)
    (
        "budget-parts-exceed-total",
        lambda: _funded(fiscal="80", carryover="30"),
        lambda: _funded(fiscal="70", carryover="30"),
    ),
    ("budget-parts-exceed-total", lambda: _funded(planned="0", executed="0", fiscal="132.912"), make),
    # the largest figure of the total row is the ceiling: 财政拨款 transcribed from the 执行数 column
    (
        "budget-parts-exceed-total",
        lambda: _funded(executed="101", fiscal="102"),
        lambda: _funded(executed="101", fiscal="101"),
    ),
    # a department form's 基本支出 + 项目支出 is the other split of the same total
    (
        "budget-parts-exceed-total",
        lambda: _funded(basic_expenditure="60", project_expenditure="45"),
        lambda: _funded(basic_expenditure="60", project_expenditure="40", fiscal="100"),
    ),
    # printed decimals round: 33.34 + 33.33 + 33.34 may stand for 100
    (
        "budget-parts-exceed-total",
        lambda: _funded(fiscal="33.34", carryover="33.34", other="33.34"),
        lambda: _funded(fiscal="33.34", carryover="33.33", other="33.34"),
    ),
    # 20 × 50% + 80 = 90 → 优 despite half the money unspent
    (
        "low-execution-high-grade",
        lambda: make(replace_row(3, actual="95%"), executed="50"),
        lambda: make(replace_row(3, actual="95%"), executed="70"),
    ),
    # the unit's own grade counts when it scored the form
    (
        "low-execution-high-grade",
        lambda: make(weighted([16] * 5, [16, 16, 16, 16, 16], reason="x"), executed="10", budget_score=20, total="100"),
        lambda: make(weighted([16] * 5, [16, 16, 16, 8, 16], reason="x"), executed="10", budget_score=2, total="74"),
    ),
    ("no-cost-indicator", lambda: make([r for r in base_rows() if r.name != "培训成本"]), make),
    ("no-satisfaction-indicator", lambda: make([r for r in base_rows() if r.name != "学员满意度"]), make),
    ("duplicate-indicator", lambda: make([*base_rows(), ind("培训 人次", "≥100 人次", "110 人次")]), make),
    ("boilerplate-actuals", lambda: make(_boilerplate(4)), lambda: make(_boilerplate(3))),
    (
        "unknown-level1",
        lambda: make(replace_row(0, level1="其他指标"), rules="national-2020"),
        lambda: make(rules="national-2020"),
    ),
    ("header-missing", lambda: dataclasses.replace(make(), project_name=""), make),
    # scored against an adjusted target: always shown (the reviewer consents); the same text is no adjustment
    (
        "target-adjusted",
        lambda: make(replace_row(0, adjusted_target="≥80 人次", deviation="场地改造，经主管部门同意调减")),
        lambda: make(replace_row(0, adjusted_target=base_rows()[0].target)),
    ),
]


def test_an_adjusted_target_without_a_reason_is_an_error() -> None:
    (f,) = findings(make(replace_row(0, adjusted_target="≥80 人次"), deviation="无"), "target-adjusted")
    assert f.severity is Severity.ERROR and "未说明调整理由" in f.message and "年初目标值" in f.message
    (g,) = findings(make(replace_row(0, adjusted_target="≥80 人次")), "target-adjusted")  # the form's analysis
    assert g.severity is Severity.WARNING and "调整须经审核同意" in g.message


@pytest.mark.parametrize(("check_id", "bad", "good"), FORM_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(FORM_CASES)])
def test_form_check_triggers_and_does_not(check_id: str, bad: Callable[[], Form], good: Callable[[], Form]) -> None:
    assert check_id in CHECKS
    hit = findings(bad(), check_id)
    assert hit, f"{check_id} not raised"
    f = hit[0]
    assert f.severity is CHECKS[check_id].severity
    if check_id == "header-missing":  # the form has no name to start the message with
        assert f.message.startswith("（无名称）：") and "项目名称" in f.message
    else:
        assert f.message.startswith("职业技能培训：") and f.form_key == "2024/单位甲/职业技能培训"
    assert check_id not in ids(good())


def test_every_form_check_has_a_case() -> None:
    covered = {c[0] for c in FORM_CASES} | {"scoring-problem"}
    assert {k for k, s in CHECKS.items() if s.scope == "form"} == covered


def test_scoring_problem_passes_unknown_engine_problems_through(monkeypatch: pytest.MonkeyPatch) -> None:
    # a code the engine has learnt and the checks have not: one taken out of what they know
    monkeypatch.setattr(form_checks, "ENGINE_CODES", form_checks.ENGINE_CODES - {ProblemCode.UNIT_MISMATCH})
    result = score_form(make())
    extra = Problem(Severity.ERROR, ProblemCode.UNIT_MISMATCH, "新问题", "培训人次")
    result = dataclasses.replace(result, problems=(*result.problems, extra))
    (f,) = [f for f in run_form_checks(result) if f.check_id == "scoring-problem"]
    assert (f.severity, f.indicator) == (Severity.ERROR, "培训人次") and f.message.endswith("：新问题")


def test_messages_name_indicator_and_numbers() -> None:
    (f,) = findings(make(weighted([16] * 5, [16, 16, 16, 16, 16])), "recorded-differs-unexplained")
    assert "「服务覆盖率」" in f.message and "16.00" in f.message and "15.11" in f.message
    assert f.indicator == "服务覆盖率" and f.value == D("0.89")
    (f,) = findings(make(executed="120"), "execution-over-100")
    assert "120%" in f.message and f.value == D("1.2")


def test_run_form_checks_orders_worst_first_and_takes_a_key() -> None:
    form = make(weighted([0, 20, 20, 20, 20]), executed="120", deviation="无")
    found = run_form_checks(score_form(form), key="a.toml")
    ranks = [{"error": 0, "warning": 1, "info": 2}[f.severity.value] for f in found]
    assert ranks == sorted(ranks) and {f.form_key for f in found} == {"a.toml"}
    counts = summarise(found)
    assert list(counts) == [Severity.ERROR, Severity.WARNING, Severity.INFO]
    assert sum(counts.values()) == len(found) and counts[Severity.ERROR] >= 1


def test_trivial_narratives() -> None:
    assert all(is_trivial(t) for t in ("", "无", " 无。", "／", "暂无", "无偏差"))
    assert not is_trivial("受疫情影响")


# -------------------------------------------------------- portfolio checks


def rec(form: Form, key: str | None = None) -> FormRecord:
    return record_for(score_form(form), key)


def pids(records: list[FormRecord]) -> list[tuple[str, str]]:
    return [(f.check_id, f.form_key) for f in run_portfolio_checks(records)]


def all_met() -> list[Indicator]:
    return replace_row(3, actual="93%")


def test_actual_equals_target_every_row_and_most_rows() -> None:
    every = [
        ind("培训人次", "≥100 人次", "100 人次"),
        ind("培训合格率", "100%", "100%", level2="质量指标"),
        ind("培训成本", "20 万元", "200000 元", level2="成本指标"),
        ind("排名", "排名前 10", "第 10 名", level1="效益指标"),
        ind("学员满意度", "≥90%", "≥90%", level1="满意度指标", level2="服务对象满意度指标"),
    ]
    most = [*every[:4], ind("学员满意度", "≥90%", "95%", level1="满意度指标", level2="服务对象满意度指标")]
    few = [*every[:2], *base_rows()[2:]]
    found = pids([rec(make(every), "every"), rec(make(most), "most"), rec(make(few), "few"), rec(make(), "base")])
    assert ("actual-equals-target", "every") in found
    assert ("actual-equals-target-most", "most") in found
    assert not [k for c, k in found if c.startswith("actual-equals") and k in ("few", "base")]
    assert ("actual-equals-target", "most") not in found


def test_actual_equals_target_row_rules() -> None:
    r = score_form(make([ind("a", "定性指标", "完成"), ind("b", "完成", "完成"), ind("c", "", "5 个")]))
    assert [actual_equals_target(x) for x in r.indicators] == [False, True, None]


def test_all_full_marks_by_rules_and_by_the_units_scores() -> None:
    scored = make(weighted([16] * 5, [16] * 5, reason="x"))
    found = pids([rec(make(all_met()), "met"), rec(make(), "base"), rec(scored, "scored")])
    assert ("all-full-marks", "met") in found and ("all-full-marks", "scored") in found
    assert ("all-full-marks", "base") not in found
    messages = [f.message for f in run_portfolio_checks([rec(scored, "scored")])]
    assert any("（自评）" in m for m in messages)


def test_copied_narrative_across_projects_only() -> None:
    text = "在设定绩效目标时，财务部门与业务部门加强沟通，合理设定目标值。"

    def form(improvement: str, project: str, year: int = 2024) -> Form:
        return make(improvement=improvement, project=project, year=year, deviation=f"{project}{year}：{EXPLAINED}")

    a = rec(form(text, "项目甲"), "a")
    b = rec(form(" 在设定绩效目标时，财务部门与业务部门加强沟通，\n合理设定目标值。 ", "项目乙"), "b")
    same_project_next_year = rec(form(text, "项目甲", 2025), "a25")
    trivial = [rec(form("无", p), p) for p in ("丙", "丁")]
    found = pids([a, b, same_project_next_year, *trivial])
    assert ("copied-narrative", "a") in found and ("copied-narrative", "b") in found
    assert ("copied-narrative", "丙") not in found
    alone = pids([a, same_project_next_year])
    assert not [c for c, _ in alone if c == "copied-narrative"]


def test_recorded_total_far_above_computed() -> None:
    rows = replace_row(3, actual="45%", weight=D(16))
    rows = [dataclasses.replace(r, weight=D(16)) for r in rows]
    far = rec(make(rows, total="100"), "far")  # computed 20 + 64 + 8 = 92
    near = rec(make(rows, total="95"), "near")
    assert far.result.total_computed == D("92.00")
    found = pids([far, near])
    assert ("recorded-far-above", "far") in found and ("recorded-far-above", "near") not in found
    (f,) = [x for x in run_portfolio_checks([far]) if x.check_id == "recorded-far-above"]
    assert f.value == D("8.00") and "100.00" in f.message and "92.00" in f.message


def _units(scores: dict[str, str], year: int = 2024) -> list[FormRecord]:
    return [
        rec(make(unit=u, project=f"项目{i}", total=s, year=year), f"{u}/{i}")
        for u, s in scores.items()
        for i in range(2)
    ]


def test_unit_far_above_its_peers_robust_z() -> None:
    peers = {"甲": "70", "乙": "72", "丙": "74", "丁": "71", "戊": "73"}
    found = pids(_units({**peers, "己": "99"}))
    assert ("unit-outlier", "己/0") in found and ("unit-outlier", "己/1") in found
    assert len([c for c, _ in found if c == "unit-outlier"]) == 2
    assert not [c for c, _ in pids(_units({**peers, "己": "76"})) if c == "unit-outlier"]
    # fewer than five units: never flagged, however far
    four = {"甲": "70", "乙": "72", "丙": "74", "己": "100"}
    assert not [c for c, _ in pids(_units(four)) if c == "unit-outlier"]


def test_robust_z_values() -> None:
    z = robust_z({"a": D(70), "b": D(72), "c": D(74), "d": D(71), "e": D(73), "f": D(99)})
    # median 72.5, MAD 1.5: z = 0.6745 × 26.5 / 1.5
    assert abs(z["f"] - D("0.6745") * D("26.5") / D("1.5")) < D("1e-9")
    # MAD 0: falls back to the mean absolute deviation
    z0 = robust_z({k: D(80) for k in "abcde"} | {"f": D(95)})
    assert z0["f"] > D("3.5") and z0["a"] == 0
    assert robust_z({k: D(80) for k in "abcdef"}) == {}


def test_sandbagging_over_consecutive_years() -> None:
    def form(year: int, target: str, actual: str, project: str = "职业技能培训", name: str = "培训人次") -> Form:
        return make(replace_row(0, name=name, target=target, actual=actual), year=year, project=project)

    last = rec(form(2023, "≥100 人次", "150 人次"), "2023")
    low = rec(form(2024, "≥120 人次", "130 人次"), "2024")

    def sandbagged(records: list[FormRecord]) -> list:
        return [x for x in run_portfolio_checks(records) if x.check_id == "sandbagging"]

    # only "far below" counts: ≥120 after 150 (80%) does; ≥95% after 98% and ≥90% after 95% do not
    (f,) = sandbagged([last, low])
    assert f.form_key == "2024" and f.indicator == "培训人次" and f.value == D("0.8")
    assert "150 人次" in f.message and "2023" in f.message
    ok = rec(form(2024, "≥150 人次", "160 人次"), "ok")
    gap = rec(form(2022, "≥100 人次", "150 人次"), "2022")
    other = rec(form(2024, "≥120 人次", "130 人次", project="其他项目"), "other")
    near = rec(form(2024, "≥140 人次", "150 人次"), "near")  # 93% of last year's actual
    assert sandbagged([last, ok, other, near]) == []
    assert sandbagged([gap, low]) == []
    # units are converted: 1.5 亿元 target after 2 亿元 actual; a reverse (≤) target is not compared
    money_last = rec(form(2023, "≥1 亿元", "2 亿元", name="营业收入"), "m23")
    money_low = rec(form(2024, "≥15000 万元", "2.1 亿元", name="营业收入"), "m24")
    cost_last = rec(form(2023, "≤20 万元", "30 万元", name="培训成本"), "c23")
    cost_now = rec(form(2024, "≤10 万元", "9 万元", name="培训成本"), "c24")
    found = [(x.form_key, x.indicator) for x in sandbagged([money_last, money_low, cost_last, cost_now])]
    assert ("m24", "营业收入") in found and not [k for k, i in found if i == "培训成本"]


def test_project_coverage_against_the_department_form() -> None:
    dept = rec(
        make(kind=FormKind.DEPARTMENT, project="部门整体支出", unit="区人社局", project_expenditure="200"), "dept"
    )
    p1 = rec(make(planned="100", executed="100", project="甲"), "p1")
    p2 = rec(make(planned="50", executed="50", project="乙"), "p2")
    elsewhere = rec(make(planned="500", executed="500", project="丙", department="别的局"), "p3")
    last_year = rec(make(planned="500", executed="500", project="丁", year=2023), "p4")
    (f,) = [x for x in run_portfolio_checks([dept, p1, p2, elsewhere, last_year]) if x.check_id == "project-coverage"]
    assert f.form_key == "dept" and f.value == D("0.75") and f.severity is Severity.INFO
    assert "75%" in f.message and "200" in f.message and "150" in f.message
    unknown = rec(make(kind=FormKind.DEPARTMENT, project="部门整体支出", unit="区人社局"), "d2")
    assert not [x for x in run_portfolio_checks([unknown, p1]) if x.check_id == "project-coverage"]


def test_every_portfolio_check_is_tested() -> None:
    tested = {
        "actual-equals-target",
        "actual-equals-target-most",
        "all-full-marks",
        "copied-narrative",
        "recorded-far-above",
        "unit-outlier",
        "sandbagging",
        "project-coverage",
        "result-request-up",  # tests/test_results.py
        "improvement-not-followed",
        "targets-not-approved",  # tests/test_results.py, tests/test_declarations.py
    }
    assert {k for k, s in CHECKS.items() if s.scope == "portfolio"} == tested


def test_checks_package_is_pure() -> None:
    code = (
        "import sys, jixiao.checks\n"
        "bad = [m for m in ('sqlalchemy', 'textual', 'reportlab', 'rich') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == ""


def test_docs_list_every_check() -> None:
    doc = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    for cid, spec in CHECKS.items():
        assert f"`{cid}`" in doc and spec.title in doc, cid


# ------------------------------------------------------------ the samples


def sample_findings() -> list:
    records = [record_for(score_form_file(p), str(p)) for p in sorted(SAMPLES.glob("*.toml"))]
    return run_all(records)


def score_form_file(path: Path) -> FormResult:
    from scorer.formfile import load_form

    return score_form(load_form(path))


def test_samples_the_94_forms_two_differences() -> None:
    found = [f for f in sample_findings() if f.form_key == str(NINETY_FOUR)]
    by_id = {f.check_id: f for f in found}
    unexplained = by_id["recorded-differs-unexplained"]
    assert unexplained.indicator == "老干工作经费" and unexplained.severity is Severity.WARNING
    assert "10.00" in unexplained.message and "8.10" in unexplained.message
    explained = by_id["recorded-differs-explained"]
    assert explained.indicator == "组织离退休党员学习教育" and explained.severity is Severity.INFO
    assert "4.00" in explained.message and "10.00" in explained.message and "理由" in explained.message
    assert "execution-over-100" in by_id and "deviation-missing" not in by_id


def test_samples_exact_target_patterns() -> None:
    found = sample_findings()
    exact = {Path(f.form_key).name for f in found if f.check_id == "actual-equals-target"}
    most = {Path(f.form_key).name for f in found if f.check_id == "actual-equals-target-most"}
    assert exact == {"2024-jihua-guanlifei.toml", "2024-qiye-guanlifei.toml"}
    assert most == {"2024-binjiang-shuchuang.toml", "2024-quyu-jingji.toml", "2024-zhongda-jieri.toml"}
    assert not [f for f in found if f.severity is Severity.ERROR]


# -------------------------------------------------------------------- CLI


def run(*argv: str, width: int = 80) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    o = Console(file=out, width=width, highlight=False, color_system=None)
    e = Console(file=err, width=width, highlight=False, color_system=None, soft_wrap=True)
    from jixiao.cli.app import main

    code = main(list(argv), out=o, err=e)
    return code, out.getvalue(), err.getvalue()


def test_check_samples_prints_findings_by_form_within_80_columns() -> None:
    code, out, err = run("check", str(SAMPLES))
    assert code == 0, err
    assert "老干工作经费 ─" in out and "计划管理费 ─" in out
    assert "警告 第 5 行指标「老干工作经费」自评 10.00 分，规则得分 8.10 分" in out
    assert "提示 第 2 行指标「组织离退休党员学习教育」自评 4.00 分" in out
    assert "全部 14 项指标的实际完成值都恰好等于目标值" in out
    assert "检查 9 份表单：错误 0 项" in out
    assert max(cell_len(line) for line in out.splitlines()) <= 80


def test_check_json() -> None:
    code, out, _ = run("check", "--json", str(SAMPLES))
    assert code == 0
    data = json.loads(out)
    assert data["summary"]["forms"] == 9 and data["summary"]["error"] == 0
    (f94,) = [f for f in data["forms"] if f["source"] == str(NINETY_FOUR)]
    assert f94["total_recorded"] == "94.00" and f94["total_computed"] == "98.10"
    checks = {f["check"]: f for f in f94["findings"]}
    assert checks["recorded-differs-unexplained"]["value"] == "1.90"
    assert checks["recorded-differs-explained"]["severity"] == "info"


def test_check_exit_codes(tmp_path: Path) -> None:
    warn = tmp_path / "warn.toml"
    warn.write_text(dumps_toml(make(executed="120")), encoding="utf-8")
    code, out, _ = run("check", str(warn))
    assert code == 0 and "执行率 120% 超过 100%" in out

    bad = tmp_path / "bad.toml"
    bad.write_text(dumps_toml(make(weighted([0, 20, 20, 20, 20]))), encoding="utf-8")
    code, out, _ = run("check", str(bad), str(warn))
    assert code == 1 and "错误 第 1 行指标「培训人次」的分值为 0" in out

    broken = tmp_path / "broken.toml"
    broken.write_text("format = \n", encoding="utf-8")
    code, out, err = run("check", str(broken), str(warn))
    assert code == 1 and "broken.toml" in err and "1 个文件无法读取" in out

    assert run("check", str(tmp_path / "missing.toml"))[0] == 1
    assert run("check")[0] == 2
    assert run("check", "--year", "2024", str(warn))[0] == 2


def test_check_clean_form_says_so(tmp_path: Path) -> None:
    ok = tmp_path / "ok.toml"
    ok.write_text(dumps_toml(make()), encoding="utf-8")
    code, out, _ = run("check", str(ok))
    assert code == 0 and "未发现问题的表单 1 份：职业技能培训" in out and "警告 0 项" in out


def test_check_list_checks() -> None:
    code, out, _ = run("check", "--list-checks", width=160)
    assert code == 0
    assert all(cid in out for cid in CHECKS)


def test_check_from_db(tmp_path: Path) -> None:
    from jixiao.cli import main

    db = f"sqlite:///{tmp_path / 'c.db'}"
    quiet = Console(file=io.StringIO())
    assert main(["--db", db, "import", str(SAMPLES)], out=quiet, err=quiet) == 0
    code, out, _ = run("--db", db, "check", "--from-db", "--year", "2024", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["summary"]["forms"] == 9
    keys = {f["key"]: f for f in data["forms"]}
    f94 = keys["2024/武昌区商业行业离退休人员管理服务中心/老干工作经费"]
    assert {"recorded-differs-unexplained", "recorded-differs-explained"} <= {x["check"] for x in f94["findings"]}
    code, out, _ = run("--db", db, "check", "--from-db", "--unit", "商业行业")
    assert code == 0 and "检查 1 份表单" in out


@given(
    st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=3),
    st.sampled_from([("fiscal", "carryover", "other"), ("basic_expenditure", "project_expenditure")]),
)
def test_budget_parts_rounded_from_the_total_never_flagged(shares: list[int], keys: tuple[str, ...]) -> None:
    """A total split in any proportion and each part printed to 2 decimals is never 'above the total'."""
    total, weight = D("1000.00"), sum(shares)
    parts = {
        k: (total * s / weight).quantize(D("0.01"), rounding=ROUND_HALF_UP) for k, s in zip(keys, shares, strict=False)
    }
    form = make(planned="1000.00", executed="1000.00")
    form = dataclasses.replace(form, budget=dataclasses.replace(form.budget, **parts))
    assert findings(form, "budget-parts-exceed-total") == []
