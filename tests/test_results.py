"""Result use (评价结果应用): next year's budget against this year's grade, last year's measures followed up."""

from __future__ import annotations

import dataclasses
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.checks import record_for, run_portfolio_checks
from jixiao.scoring import score_form
from scorer.formfile import load_form
from scorer.rules import RuleSetError, load_file
from tests.conftest import NINETY_FOUR

ROOT = Path(__file__).resolve().parents[1]
BASE = load_form(NINETY_FOUR)  # recorded total 94: 优


def year(y: int, planned: str, total: str | None = "94", measures: str = "", analysis: str = "") -> object:
    form = dataclasses.replace(
        BASE,
        year=y,
        budget=dataclasses.replace(BASE.budget, planned=Decimal(planned)),
        total_recorded=Decimal(total) if total is not None else None,
        improvement_measures=measures,
        deviation_analysis=analysis,
    )
    return record_for(score_form(form))


def found(*records: object, check: str) -> list:
    return [f for f in run_portfolio_checks(records) if f.check_id == check]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("total", "next_planned", "flagged", "action"),
    [
        ("94", "30", False, "优先保障"),  # 优: more money is fine
        ("85", "30", False, "保障"),
        ("70", "30", True, "压缩"),  # 中, and the budget went up
        ("70", "20", False, "压缩"),  # the same: not up
        ("70", "15", False, "压缩"),
        ("50", "5", True, "取消"),  # 差: any budget next year
    ],
)
def test_a_grade_applied_to_next_years_budget(total: str, next_planned: str, flagged: bool, action: str) -> None:
    last, now = year(2024, "20", total), year(2025, next_planned)
    got = found(last, now, check="result-request-up")
    assert bool(got) is flagged
    if flagged:
        (f,) = got
        assert f.form_key == now.key and f"应「{action}」" in f.message and "2024年自评等级" in f.message  # type: ignore[attr-defined]


def plan(y: int, planned: str) -> object:
    """Next year's declaration (申报表): its budget asked, no actuals."""
    rec = year(y, planned, None)
    return dataclasses.replace(rec, declaration=True)


@pytest.mark.parametrize(
    ("total", "asked", "flagged"),
    [("70", "30", True), ("70", "20", False), ("50", "5", True), ("94", "30", False)],
)
def test_next_years_declaration_is_where_the_grade_is_applied(total: str, asked: str, flagged: bool) -> None:
    """Before the next self-evaluation exists, the 申报表 is next year's budget: it was not read."""
    last = year(2024, "20", total)
    got = found(last, plan(2025, asked), check="result-request-up")
    assert bool(got) is flagged
    if flagged:
        (f,) = got
        assert f.form_key == last.key and "2025年申报表" in f.message  # type: ignore[attr-defined]
    with_both = found(last, plan(2025, "1"), year(2025, asked), check="result-request-up")
    assert bool(with_both) is flagged  # the self-evaluation wins over the declaration of its year


def test_a_declaration_is_seen_only_by_the_checks_that_read_plans() -> None:
    from jixiao.checks import run_all

    decl = plan(2025, "30")
    assert run_all([decl]) == []  # no actuals: nothing to find, where every row was an error
    measures = year(2024, "20", measures="加强预算执行监控，按季度通报执行进度")
    assert not found(measures, decl, check="improvement-not-followed")


@pytest.mark.parametrize(
    ("approved", "flagged"),
    [
        ([True, False, None], [1]),  # beside an approved one; None (from a file) is not known
        ([False, False], []),  # the department does not use the declaration workflow
        ([None, None], []),
        ([True, True], []),
    ],
)
def test_targets_not_approved_only_where_the_department_approves_targets(
    approved: list[bool | None], flagged: list[int]
) -> None:
    recs = [dataclasses.replace(year(2025, "20"), key=f"k{i}", targets_approved=a) for i, a in enumerate(approved)]
    elsewhere = dataclasses.replace(recs[0], key="other", department="别的局", targets_approved=False)
    got = found(*recs, elsewhere, check="targets-not-approved")
    assert [f.form_key for f in got] == [f"k{i}" for i in flagged]  # type: ignore[attr-defined]


def test_without_a_recorded_total_the_rule_grade_is_used_and_said() -> None:
    last = year(2024, "20", None)
    assert last.result.grade == "优"  # type: ignore[attr-defined]
    assert not found(last, year(2025, "30"), check="result-request-up")


def test_the_rule_set_says_what_each_grade_means(tmp_path: Path) -> None:
    text = (ROOT / "scorer" / "rulesets" / "national-2020.toml").read_text(encoding="utf-8").split("[results]")[0]
    for body, error in (
        ('"优" = "保障"\n"良" = "保障"\n"中" = "保障"\n"差" = "砍掉"\n', "应为 优先保障 / 保障 / 压缩 / 取消"),
        ('"优" = "保障"\n"良" = "保障"\n"中" = "保障"\n"差" = "取消"\n"特优" = "保障"\n', "未知的键 results.特优"),
        ('"优" = "保障"\n', "缺少等级 良 / 中 / 差"),
    ):
        path = tmp_path / "r.toml"
        path.write_text(text + "[results]\n" + body, encoding="utf-8")
        with pytest.raises(RuleSetError, match=error):
            load_file(path)
    path.write_text(text + '[results]\n"优" = "保障"\n"良" = "保障"\n"中" = "保障"\n"差" = "压缩"\n', encoding="utf-8")
    assert load_file(path).result_action("中") == "保障"


@pytest.mark.parametrize(
    ("analysis", "measures", "flagged"),
    [
        ("", "继续加强资金管理。", True),
        ("", "针对上年提出的问题，已完成整改。", False),  # speaks of last year's rectification
        ("", "严格执行慰问标准，按季度开展走访。", False),  # comes back to last year's wording
        ("去年指出的预算执行偏差问题已整改。", "", False),
    ],
)
def test_last_years_measures_followed_up(analysis: str, measures: str, flagged: bool) -> None:
    last = year(2024, "20", measures="严格执行慰问标准，做好预算执行进度管理。")
    now = year(2025, "20", measures=measures, analysis=analysis)
    got = found(last, now, check="improvement-not-followed")
    assert bool(got) is flagged
    if flagged:
        assert got[0].form_key == now.key and "2024年改进措施「严格执行慰问标准" in got[0].message
    assert not found(year(2024, "20", measures="无"), now, check="improvement-not-followed")  # nothing to follow


def test_check_and_review_from_the_database_read_next_years_declaration(tmp_path: Path) -> None:
    """check --from-db took a stored 申报表 for a self-evaluation (an error on every empty actual, exit 1)
    and review never read it as next year's budget."""
    import subprocess
    import sys

    env = {"XDG_DATA_HOME": str(tmp_path / "d"), "JIXIAO_USER": "测试", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def jixiao(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "jixiao", *argv], capture_output=True, text=True, env=env, cwd=ROOT
        )

    graded = tmp_path / "2024.toml"  # the seeded 老干工作经费 with a recorded total of 70: 中
    graded.write_text(NINETY_FOUR.read_text(encoding="utf-8").replace("total_score = 94", "total_score = 70"), "utf-8")
    assert jixiao("import", str(graded)).returncode == 0
    assert jixiao("targets", "derive", "--year", "2025", "-o", str(tmp_path / "decl"), str(NINETY_FOUR)).returncode == 0
    (decl,) = (tmp_path / "decl").glob("*.toml")
    decl.write_text(decl.read_text(encoding="utf-8").replace("planned = 20", "planned = 30"), "utf-8")
    assert jixiao("targets", "declare", str(decl)).returncode == 0
    alone = jixiao("check", "--from-db", "--year", "2025")
    assert alone.returncode == 0 and "没有符合条件的表单" in alone.stderr, alone.stdout + alone.stderr
    said = "2024年自评等级「中」按规则集应「压缩」，2025年申报表预算数 30 万元，高于2024年的 20 万元"
    for argv in (("check", "--from-db", "--year", "2024"), ("review", "--year", "2024")):
        shown = jixiao(*argv).stdout
        assert re.sub(r"\s", "", said) in re.sub(r"\s", "", shown), shown
    sample = json.loads(jixiao("review", "--sample", "3", "--json").stdout)
    assert sample["population"] == 9  # the nine self-evaluations; the declaration is no candidate
