"""Review aggregation on a multi-unit, multi-year dataset built from the samples."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from rich.console import Console

from jixiao.cli import main
from jixiao.review.aggregate import Filters, aggregate, flagged_forms
from jixiao.storage.database import make_engine, upgrade
from jixiao.storage.seed import sample_forms
from jixiao.storage.store import FormStore


def _dataset(engine) -> None:  # type: ignore[no-untyped-def]
    """2024 samples, a 2023 copy, and a unit of inflated self-scores."""
    forms = [f for _, f in sample_forms()]
    batch = [(f"s{i}", f) for i, f in enumerate(forms)]
    batch += [(f"y{i}", dataclasses.replace(f, year=2023)) for i, f in enumerate(forms)]
    inflated = []
    for i, f in enumerate(forms[:3]):
        goals = tuple(
            dataclasses.replace(
                g, indicators=tuple(dataclasses.replace(ind, actual="", recorded=None) for ind in g.indicators)
            )
            for g in f.goals
        )
        inflated.append(
            (
                f"x{i}",
                dataclasses.replace(
                    f,
                    implementing_unit="某某县虚高单位",
                    department="某某县财政局",
                    goals=goals,
                    total_recorded=Decimal(98),
                ),
            )
        )
    store = FormStore(engine, actor="测试")
    store.import_forms(batch + inflated, strict=False)


@pytest.fixture
def engine(tmp_path: Path):  # type: ignore[no-untyped-def]
    eng = make_engine(f"sqlite:///{tmp_path / 'review.db'}")
    upgrade(eng)
    _dataset(eng)
    return eng


def test_aggregates_by_unit_are_exact_and_worst_first(engine) -> None:  # type: ignore[no-untyped-def]
    groups = aggregate(engine, "unit", Filters(year=2024))
    keys = [g.key for g in groups]
    assert keys[0] == "某某县虚高单位"  # empty actuals: warnings, and a large inflation gap
    worst = next(g for g in groups if g.key == "某某县虚高单位" and g.kind == "project")
    assert worst.forms == 2 and worst.mean_recorded == Decimal("98.00")
    assert worst.gap is not None and worst.gap > 50
    jk = next(g for g in groups if g.key == "武昌区经济信息化和科技创新局" and g.kind == "project")
    assert jk.forms == 7
    assert jk.planned == Decimal("1487.67")  # exact sum of the projects' 预算数 in 万元
    assert jk.rate == Decimal(1)
    assert jk.grades == {"优": 7, "良": 0, "中": 0, "差": 0}
    # the 部门整体支出 form already contains the projects' money: its own line, never added to them
    whole = next(g for g in groups if g.key == "武昌区经济信息化和科技创新局" and g.kind == "department")
    assert (whole.forms, whole.planned, whole.label) == (
        1,
        Decimal("4291.37"),
        "武昌区经济信息化和科技创新局（部门整体支出）",
    )
    sy = next(g for g in groups if g.key == "武昌区商业行业离退休人员管理服务中心")
    assert (sy.mean_computed, sy.mean_recorded, sy.gap) == (Decimal("98.10"), Decimal("94.00"), Decimal("-4.10"))


def test_aggregates_by_year_grade_department_and_level1(engine) -> None:  # type: ignore[no-untyped-def]
    years = {(g.key, g.kind): g.forms for g in aggregate(engine, "year")}
    assert years == {
        ("2024", "project"): 10,
        ("2024", "department"): 2,
        ("2023", "project"): 8,
        ("2023", "department"): 1,
    }
    grades: dict[str, int] = {}
    for g in aggregate(engine, "grade", Filters(year=2024)):
        grades[g.key] = grades.get(g.key, 0) + g.forms
    assert sum(grades.values()) == 12 and grades["优"] == 9
    depts = {g.key for g in aggregate(engine, "department")}
    assert depts == {"武昌区经济信息化和科技创新局", "某某县财政局"}
    level1 = {g.key: g for g in aggregate(engine, "level1", Filters(year=2023))}
    assert level1["产出指标"].indicators == 89 and level1["产出指标"].attainment is not None


def test_flagged_forms_worst_first(engine) -> None:  # type: ignore[no-untyped-def]
    flagged = flagged_forms(engine, Filters(year=2024), limit=5)
    assert flagged[0].key.startswith("2024/某某县虚高单位/")
    assert flagged[0].errors + flagged[0].warnings >= flagged[-1].errors + flagged[-1].warnings


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        list(argv),
        out=Console(file=out, width=100, color_system=None),
        err=Console(file=err, width=100, color_system=None),
    )
    return code, out.getvalue(), err.getvalue()


def test_review_command_table_json_xlsx_pdf(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = str(engine.url)
    code, out, _ = _run("--db", db, "review", "--year", "2024")
    assert code == 0
    assert out.index("某某县虚高单位") < out.index("武昌区商业行业")  # worst first
    assert "等级分布" in out and "问题表单" in out
    code, out, _ = _run("--db", db, "review", "--by", "department", "--json")
    doc = json.loads(out)
    assert {g["key"] for g in doc["groups"]} == {"武昌区经济信息化和科技创新局", "某某县财政局"}
    assert doc["flagged"] and doc["flagged"][0]["findings"]
    far_above = [p for p in doc["portfolio"] if p["check"] == "recorded-far-above"]
    assert far_above and all("某某县虚高单位" in p["form"] for p in far_above)
    code, out, _ = _run("--db", db, "review", "--year", "2024", "--portfolio-limit", "1")
    assert "未做跨表检查" in out
    store = FormStore(engine)
    assert re.search(rf"筛选后有 {store.count(year=2024)} 份表单，超过 1 份", out)
    assert store.count(year=2024) == len(store.list(year=2024)) > 1
    assert store.count(unit="虚高") == len(store.list(unit="虚高")) >= 1
    assert store.count(unit="\x00") == 0
    # given many units, when the terminal table is limited to one, then the worst one is shown and the rest counted
    code, out, _ = _run("--db", db, "review", "--year", "2024", "--groups", "1")
    assert "某某县虚高单位" in out and "武昌区商业行业" not in out.split("等级分布")[0]
    shown_groups = json.loads(_run("--db", db, "review", "--year", "2024", "--json")[1])["groups"]
    assert f"另有 {len(shown_groups) - 1} 个实施单位未列出" in out
    xlsx, pdf = tmp_path / "r.xlsx", tmp_path / "r.pdf"
    assert _run("--db", db, "review", "--xlsx", str(xlsx), "--pdf", str(pdf))[0] == 0
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["按实施单位汇总", "问题表单", "跨表问题"]  # what the terminal shows, also here
    terminal = json.loads(_run("--db", db, "review", "--json")[1])["portfolio"]
    sheet = [row[2] for row in wb["跨表问题"].iter_rows(min_row=2, values_only=True)]
    assert sheet == [p["message"] for p in terminal]
    from pypdf import PdfReader

    text = PdfReader(str(pdf)).pages[0].extract_text()
    assert "预算绩效自评审核汇总" in text and "某某县虚高单位" in text
    whole = "".join(page.extract_text() for page in PdfReader(str(pdf)).pages).replace("\n", "")
    assert "跨表问题" in whole
