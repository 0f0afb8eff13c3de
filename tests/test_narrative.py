"""Narrative against tables (issue 20): each figure the 绩效自评情况说明 states, held against the forms."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.checks.narrative_checks import check_narrative, claims
from jixiao.disclosure import read_disclosure
from scorer.formfile import load_form
from scorer.model import Form

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "tests" / "data" / "seed-000_b6f627454c508857.txt"


def _forms() -> list[Form]:
    return [load_form(p) for p in sorted((ROOT / "samples").glob("*.toml"))]


def test_the_seed_names_both_of_its_inconsistencies_and_nothing_else() -> None:
    text = SEED.read_text(encoding="utf-8")
    found = check_narrative(text, [f.form for f in read_disclosure(SEED).forms])
    by_id = {f.check_id: f for f in found}
    assert set(by_id) == {"narrative-project-money", "narrative-department-money", "narrative-same-money"}
    project = by_id["narrative-project-money"].message
    assert "1702.38" in project and "1507.67" in project and "8 张项目支出绩效自评表" in project
    assert "第 317 行" in project  # where the figure was copied from
    department = by_id["narrative-department-money"].message
    assert "1702.38" in department and "4291.37" in department
    # the eight per-project 综述 agree with their forms, 行办老干工作经费's 123.5% included
    assert sum(c.kind == "project" for c in claims(text)) == 8


def test_the_same_check_against_the_form_files() -> None:
    found = check_narrative(SEED.read_text(encoding="utf-8"), _forms())
    assert {f.check_id for f in found} == {
        "narrative-project-money",
        "narrative-department-money",
        "narrative-same-money",
    }


SAID = "共涉及项目8个，资金1,507.67万元。对2个单位开展整体支出绩效自评，资金4,291.37万元。"
LAOGAN = "8.行办老干工作经费项目自评综述：项目全年预算数为20万元，执行数为24.7万元，完成预算的123.5%。"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SAID + LAOGAN, set()),
        (SAID.replace("8个", "9个") + LAOGAN, {"narrative-project-count"}),
        (SAID.replace("1,507.67", "1,507.68") + LAOGAN, {"narrative-project-money"}),
        (SAID.replace("4,291.37", "4,291"), {"narrative-department-money"}),
        (SAID.replace("2个单位", "3个单位"), {"narrative-unit-count"}),
        (SAID + LAOGAN.replace("24.7万元", "20万元"), {"narrative-project-budget"}),
        (SAID + LAOGAN.replace("123.5%", "100%"), {"narrative-project-budget"}),
        (SAID + LAOGAN.replace("为20万元", "为21万元"), {"narrative-project-budget"}),
        (SAID + LAOGAN.replace("行办老干工作经费", "道路维修"), {"narrative-unmatched"}),
        ("本年度绩效自评工作顺利完成。", {"narrative-unmatched"}),
        # wrapped over lines and pages, with full-width commas, as published
        (SAID.replace("，资金", "，\n\n资金") + LAOGAN.replace("万元，执行", "万元，\n执行"), set()),
    ],
    ids=[
        "agree",
        "count",
        "money",
        "department",
        "units",
        "executed",
        "rate",
        "planned",
        "unmatched",
        "none",
        "wrapped",
    ],
)
def test_each_stated_figure_is_held_against_the_forms(text: str, expected: set[str]) -> None:
    assert {f.check_id for f in check_narrative(text, _forms())} == expected


def test_two_forms_named_alike_are_not_guessed_between() -> None:
    forms = _forms()
    twin = next(f for f in forms if f.project_name == "老干工作经费")
    forms.append(dataclasses.replace(twin, project_name="老干工作经费（二）", implementing_unit="另一单位"))
    text = LAOGAN.replace("行办老干工作经费", "老干工作经")
    (f,) = check_narrative(text, forms)
    assert f.check_id == "narrative-unmatched" and "同样相近" in f.message and "待判断" in f.message


def test_figures_are_exact_decimals() -> None:
    (c,) = [c for c in claims(SAID) if c.kind == "projects"]
    assert c.figures == (Decimal(8), Decimal("1507.67"))


def test_the_command(tmp_path: Path) -> None:
    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "jixiao", *argv], capture_output=True, text=True, cwd=ROOT)

    seed = run("check-disclosure", str(SEED), "--json")
    assert seed.returncode == 1
    doc = json.loads(seed.stdout)
    assert doc["forms"] == 9 and len(doc["findings"]) == 3
    good = tmp_path / "说明.txt"
    good.write_text(SAID + LAOGAN, encoding="utf-8")
    agreed = run("check-disclosure", str(good), "--forms", str(ROOT / "samples"))
    assert agreed.returncode == 0 and "说明中的数字与表一致" in agreed.stdout
    page = tmp_path / "说明.html"
    page.write_text(f"<html><body><p>{SAID.replace('8个', '9个')}</p><p>{LAOGAN}</p></body></html>", encoding="utf-8")
    html = run("check-disclosure", str(page), "--forms", str(ROOT / "samples"), "--json")
    assert html.returncode == 1 and [f["check"] for f in json.loads(html.stdout)["findings"]] == [
        "narrative-project-count"
    ]
    unrelated = tmp_path / "总结.txt"
    unrelated.write_text("关于2024年度的工作总结\n今年完成了很多工作。\n", encoding="utf-8")
    for extra in ([], ["--json"], ["--forms", str(ROOT / "samples")]):
        nothing = run("check-disclosure", str(unrelated), *extra)
        assert nothing.returncode == 1 and "未核对" in nothing.stderr and "没有读出" in nothing.stderr
    book = tmp_path / "x.xlsx"
    book.write_bytes(b"PK\x03\x04junk")
    refused = run("check-disclosure", str(book))
    assert (
        refused.returncode == 1 and "没有绩效自评情况说明的文字" in refused.stderr and "Traceback" not in refused.stderr
    )


@pytest.mark.parametrize(
    ("said", "figure"),
    [
        ("1507,67", None),
        ("0,125", None),
        ("1,507,67", None),
        ("1，507.67", Decimal("1507.67")),
        ("1507.67", Decimal("1507.67")),
    ],
)
def test_a_stated_figure_is_read_by_the_one_comma_rule(said: str, figure: Decimal | None) -> None:
    """ "1507,67" was read as 150767 and held against the forms' 1507.67: a wrong error, or with
    "0,125" a wrong figure. A comma that is no thousands separator is not compared; it is said."""
    text = SAID.replace("1,507.67", said)
    (c,) = [c for c in claims(text) if c.kind == "projects"]
    if figure is not None:
        assert c.figures == (Decimal(8), figure) and not c.unread
        assert check_narrative(text + LAOGAN, _forms()) == []
        return
    assert c.figures == () and "逗号不是千位分隔" in c.unread
    (f,) = [f for f in check_narrative(text + LAOGAN, _forms()) if said in f.message]
    assert f.check_id == "narrative-unmatched" and "不作比较（待判断）" in f.message
    assert {f.check_id for f in check_narrative(text + LAOGAN, _forms())} == {"narrative-unmatched"}
