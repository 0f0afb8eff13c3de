"""Target review (目标审核) of declarations, drafted opinions, and declarations derived from the seed's forms."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.checks import opinions
from jixiao.checks.engine import CHECKS, run_target_review
from jixiao.checks.model import CheckSpec
from jixiao.scoring import score_form
from scorer.formfile import load_form
from scorer.model import Budget, Form, Goal, Indicator
from scorer.result import Severity
from scorer.rules import RuleSet, RuleSetError, load_file
from scorer.stages import declaration_from
from tests.conftest import NINETY_FOUR, SAMPLES

ROOT = Path(__file__).resolve().parents[1]
COST = Indicator("成本指标", "经济成本指标", "人均培训成本", "≤0.2万元", "")
SATISFIED = Indicator("满意度指标", "服务对象满意度指标", "学员满意度", "≥90%", "")


def declaration(*rows: Indicator, year: int = 2025, project: str = "技能培训", unit: str = "区人社局") -> Form:
    """A declaration with the core rows (cost, satisfaction) unless the rows bring their own."""
    core = [r for r in (COST, SATISFIED) if not any(x.level1 == r.level1 for x in rows)]
    return Form(
        project_name=project,
        implementing_unit=unit,
        department="区人社局",
        year=year,
        rules="national-2020",
        budget=Budget(planned=Decimal(100)),
        goals=(Goal("完成年度培训任务", None, (*rows, *core)),),
    )


def review(*forms: Form, last_year: tuple[Form, ...] = ()) -> list[list[tuple[str, str]]]:
    done = run_target_review([score_form(f) for f in forms], [score_form(f) for f in last_year])
    return [[(f.check_id, f.indicator) for f in found] for _, found in done]


@pytest.mark.parametrize(
    ("level1", "name", "target", "expected"),
    [
        ("产出指标", "培训人次", "≥500人次", None),
        ("产出指标", "响应时间", "≤24小时", None),
        ("效益指标", "全市排名", "排名前10", None),
        ("产出指标", "完成时间", "2025年12月31日前", None),
        ("产出指标", "培训任务", "完成", "target-vague"),
        ("效益指标", "社会效益", "效果明显", "target-vague"),
        ("效益指标", "就业能力", "提高", "target-vague"),
        ("效益指标", "服务质量", "全面提升服务水平", "target-vague"),
        ("效益指标", "社会影响", "定性指标", "target-vague"),
        ("满意度指标", "群众满意度", "满意", "target-satisfaction-not-percent"),
        ("满意度指标", "群众满意度", "≥90分", "target-satisfaction-not-percent"),
        ("满意度指标", "群众满意度", "较高", "target-satisfaction-not-percent"),
        ("满意度指标", "群众满意度", "≥95%", None),
        ("产出指标", "培训人次", "", "target-unreadable"),
        ("产出指标", "培训人次", "≥3.5.2%", "target-unreadable"),
        ("产出指标", "培训人次", "≥十分", "target-unreadable"),  # 十分: ten points, or "very"? said, not guessed
        ("产出指标", "培训人次", "＞=九成", None),  # read as ≥90%, judged as ≥90% is (scorer.cn_numbers)
    ],
)
def test_each_class_of_target_is_judged(level1: str, name: str, target: str, expected: str | None) -> None:
    found = review(declaration(Indicator(level1, "数量指标", name, target, "")))[0]
    mine = [cid for cid, ind in found if ind == name]
    assert mine == ([expected] if expected else [])
    if expected:
        assert CHECKS[expected].scope == "target"


def test_core_indicators_come_from_the_rule_set() -> None:
    bare = dataclasses.replace(
        declaration(), goals=(Goal("g", None, (Indicator("产出指标", "数量指标", "培训人次", "≥500人次", ""),)),)
    )
    found = [f for _, fs in run_target_review([score_form(bare)]) for f in fs if f.check_id == "target-core-missing"]
    assert [("成本" in f.message, "满意度" in f.message) for f in found] == [(True, False), (False, True)]
    assert all(f.severity is Severity.ERROR for f in found)
    # a department declaration: its rule set requires neither
    dept = score_form(declaration_from(load_form(SAMPLES / "2024-jingkeju-zhengti.toml")))
    assert not [f for _, fs in run_target_review([dept]) for f in fs if f.check_id == "target-core-missing"]


def _rules_with(targets: str, tmp_path: Path) -> RuleSet:
    text = (ROOT / "scorer" / "rulesets" / "national-2020.toml").read_text(encoding="utf-8")
    path = tmp_path / "test.toml"
    path.write_text(text.split("[targets]")[0] + "[targets]\n" + targets, encoding="utf-8")
    return load_file(path)


@pytest.mark.parametrize(
    ("targets", "error"),
    [
        ('required = ["成本"]\nextra = 1\n', "未知的键 targets.extra"),
        ("peer_cost_ratio = 1\n", "应大于 1"),
        ("peer_min = 0\n", "正整数"),
        ('required = "成本"\n', "列表"),
    ],
)
def test_the_rule_sets_targets_table_is_read_strictly(targets: str, error: str, tmp_path: Path) -> None:
    with pytest.raises(RuleSetError, match=error):
        _rules_with(targets, tmp_path)


def test_a_rule_set_can_ask_for_other_indicators_and_peers(tmp_path: Path) -> None:
    rules = _rules_with('required = ["时效"]\npeer_cost_ratio = 1.5\npeer_min = 2\n', tmp_path)
    assert rules.target_required == ("时效",) and rules.target_peer_ratio == Decimal("1.5")
    result = score_form(declaration(), rules)
    found = [f for _, fs in run_target_review([result]) for f in fs if f.check_id == "target-core-missing"]
    assert len(found) == 1 and "时效" in found[0].message


@pytest.mark.parametrize(
    ("last_actual", "target", "flagged"),
    [
        ("100人次", "≥80人次", True),
        ("100人次", "≥89人次", True),
        ("100人次", "≥90人次", False),
        ("100人次", "≥120人次", False),
        ("1万人次", "≥8000人次", True),  # compared in the same unit
        ("100户", "≥80人次", False),  # incompatible units are never compared
        ("全部完成", "≥80人次", False),
    ],
)
def test_a_target_below_last_years_actual(last_actual: str, target: str, flagged: bool) -> None:
    last = dataclasses.replace(
        declaration(Indicator("产出指标", "数量指标", "培训人次", "≥100人次", last_actual), year=2024)
    )
    now = declaration(Indicator("产出指标", "数量指标", "培训人次", target, ""))
    found = review(now, last_year=(last,))[0]
    assert (("target-below-last-year", "培训人次") in found) is flagged


def test_last_year_is_matched_by_identity_across_a_rename_and_never_the_same_year() -> None:
    last = declaration(Indicator("产出指标", "数量指标", "培训人次", "≥100人次", "100人次", uid="u1"), year=2024)
    renamed = declaration(Indicator("产出指标", "数量指标", "年度培训人次", "≥50人次", "", uid="u1"))
    assert ("target-below-last-year", "年度培训人次") in review(renamed, last_year=(last,))[0]
    same_year = dataclasses.replace(last, year=2025)
    assert ("target-below-last-year", "年度培训人次") not in review(renamed, last_year=(same_year,))[0]


def _costed(unit: str, amount: str) -> Form:
    return declaration(dataclasses.replace(COST, target=f"≤{amount}"), unit=unit, project=f"{unit}培训")


def test_a_cost_far_above_its_peers() -> None:
    peers = [_costed(f"单位{i}", "0.2万元") for i in range(3)]
    found = review(*peers, _costed("贵单位", "6000元"))  # 0.6万元: 3× the median
    assert ("target-cost-above-peers", "人均培训成本") in found[-1]
    assert not any(cid == "target-cost-above-peers" for f in found[:-1] for cid, _ in f)
    near = review(*peers, _costed("贵单位", "0.4万元"))  # 2×: not above
    assert not any(cid == "target-cost-above-peers" for cid, _ in near[-1])
    few = review(*peers[:2], _costed("贵单位", "0.6万元"))  # two peers: too few to judge
    assert not any(cid == "target-cost-above-peers" for cid, _ in few[-1])


def test_weights_that_do_not_add_up_are_reported_at_declaration() -> None:
    rows = (
        Indicator("产出指标", "数量指标", "培训人次", "≥500人次", "", weight=Decimal(50)),
        dataclasses.replace(COST, weight=Decimal(10)),
        dataclasses.replace(SATISFIED, weight=Decimal(10)),
    )
    found = review(declaration(*rows))[0]
    assert any(cid == "weights-total" for cid, _ in found)


def test_the_drafted_opinion_numbers_each_finding_with_its_request() -> None:
    form = declaration(Indicator("产出指标", "数量指标", "培训任务", "完成", ""))
    ((result, found),) = run_target_review([score_form(form)])
    text = opinions.draft_opinion(result.form, found)
    lines = text.splitlines()
    assert lines[0] == "关于「技能培训」绩效目标的审核意见：" and "重新申报" in lines[1]
    assert lines[2].startswith("一、指标「培训任务」目标值「完成」") and "可衡量" in lines[2]
    clean = opinions.draft_opinion(form, [])
    assert "同意申报" in clean


def test_every_target_check_has_its_request_and_nothing_else(monkeypatch: pytest.MonkeyPatch) -> None:
    from jixiao.checks import target_checks

    opinions._data.cache_clear()
    monkeypatch.setitem(
        target_checks.STAGE.specs, "target-new", CheckSpec("target-new", Severity.WARNING, "新", "new", "target")
    )
    with pytest.raises(opinions.OpinionDataError, match="requests 缺少检查 target-new"):
        opinions._data()
    monkeypatch.undo()
    opinions._data.cache_clear()
    assert opinions._data()  # and the shipped data is whole


def test_the_seeds_forms_are_the_end_of_a_year_that_began_with_their_declarations() -> None:
    for path in sorted(SAMPLES.glob("*.toml")):
        form = load_form(path)
        decl = declaration_from(form)
        assert [i.target for i in decl.indicators] == [i.target for i in form.indicators]
        assert [i.uid for i in decl.indicators] == [i.uid for i in form.indicators]
        assert [i.weight for i in decl.indicators] == [i.weight for i in form.indicators]
        assert all(i.actual == "" and i.recorded is None and not i.adjusted_target for i in decl.indicators)
        assert decl.budget.executed is None and decl.total_recorded is None and not decl.deviation_analysis
        assert "目标" in decl.title and decl.budget.planned == (form.budget.initial or form.budget.planned)
    ninety_four = declaration_from(load_form(NINETY_FOUR))
    found = run_target_review([score_form(ninety_four)])[0][1]
    assert not [f for f in found if f.severity is Severity.ERROR]  # the 94 form's targets were declarable


def _jixiao(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jixiao", *argv], capture_output=True, text=True, cwd=ROOT)


def test_the_commands_derive_and_review_the_seeds_declarations(tmp_path: Path) -> None:
    out = tmp_path / "decl"
    done = _jixiao("targets", "derive", str(SAMPLES), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert len(list(out.glob("*.toml"))) == 9
    review_ = _jixiao("targets", "check", str(out), "--last-year", str(SAMPLES), "--opinion", "--json")
    assert review_.returncode == 1, review_.stderr  # one declaration has no cost and no satisfaction indicator
    doc = json.loads(review_.stdout)["declarations"]
    assert len(doc) == 9 and all(d["opinion"].startswith("关于「") for d in doc)
    network = next(d for d in doc if d["form"] == "网络建设运转维护经费")
    assert {f["check"] for f in network["findings"]} >= {"target-core-missing", "target-vague"}
    (tmp_path / "broken.toml").write_text("[budget\n", encoding="utf-8")
    bad = _jixiao("targets", "check", str(tmp_path / "broken.toml"), str(out))
    assert bad.returncode == 1 and "broken.toml" in bad.stderr and "Traceback" not in bad.stderr


def test_derive_into_a_file_is_refused_without_a_traceback(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("x", encoding="utf-8")
    done = _jixiao("targets", "derive", str(SAMPLES), "-o", str(target))
    assert done.returncode == 1 and "无法作为输出目录" in done.stderr and "Traceback" not in done.stderr
    assert target.read_text(encoding="utf-8") == "x"


def test_derive_of_a_form_without_a_year_asks_for_one(tmp_path: Path) -> None:
    """A declaration is for a year: a form that names none is refused unless --year says which."""
    from scorer.formwrite import dumps_toml

    no_year = tmp_path / "forms" / "无年度.toml"
    no_year.parent.mkdir()
    no_year.write_text(dumps_toml(dataclasses.replace(load_form(NINETY_FOUR), year=None)), encoding="utf-8")
    (tmp_path / "forms" / "有年度.toml").write_bytes(NINETY_FOUR.read_bytes())
    out = tmp_path / "decl"
    refused = _jixiao("targets", "derive", str(tmp_path / "forms"), "-o", str(out))
    assert refused.returncode == 1 and "无年度.toml" in refused.stderr and "--year" in refused.stderr
    (written,) = out.glob("*.toml")  # the form with a year is still derived
    assert load_form(written).year == load_form(NINETY_FOUR).year
    given = _jixiao("targets", "derive", str(no_year), "--year", "2025", "-o", str(tmp_path / "given"))
    assert given.returncode == 0, given.stderr
    assert [load_form(p).year for p in (tmp_path / "given").glob("*.toml")] == [2025]
