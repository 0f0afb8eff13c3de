"""Spreadsheets as the platform gives them (issue 20): one row per indicator, read through a profile
(auto-detected, a dry run saying what each column was taken as), and written back in that profile."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from jixiao.xlsx import XlsxError, read_workbook
from jixiao.xlsx.flat import parse_profiles, profiles, write_flat
from scorer.formfile import load_form

ROOT = Path(__file__).resolve().parents[1]
HEAD = ["*年度", "主管部门", "*单位名称", "项目代码", "*项目名称", "一级绩效指标名称", "二级绩效指标名称",
        "*三级绩效指标名称", "*指标值", "指标值完成情况", "权重", "自评得分", "备注"]  # fmt: skip
ROWS = [
    [2024, "区民政局", "区养老服务中心", "001", "居家养老服务", "01-产出指标", "01-数量指标", "服务老人数", "≥500人", "520人", 20, 19.5, "x"],
    [2024, "区民政局", "区养老服务中心", "001", "居家养老服务", "03-满意度指标", "01-服务对象满意度指标", "服务对象满意度", "≥90%", "95%", 10, 10, ""],
    [2024, "区民政局", "区养老服务中心", "002", "助餐点建设", "01-产出指标", "01-数量指标", "新建助餐点", "≥5个", "4个", 30, 24, ""],
]  # fmt: skip


def _sheet(path: Path, rows: list[list[object]] = ROWS, head: list[str] = HEAD) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "指标"
    ws.append(["项目绩效自评指标导出（2024年度）"])
    ws.append(head)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_a_platform_sheet_reads_as_its_forms(tmp_path: Path) -> None:
    first, second = read_workbook(_sheet(tmp_path / "flat.xlsx"))
    assert (first.year, first.implementing_unit, first.project_name, first.department) == (
        2024,
        "区养老服务中心",
        "居家养老服务",
        "区民政局",
    )
    rows = [(i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.recorded.score) for i in first.indicators]  # type: ignore[union-attr]
    assert rows == [
        ("产出指标", "数量指标", "服务老人数", "≥500人", "520人", Decimal(20), Decimal("19.5")),
        ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90%", "95%", Decimal(10), Decimal(10)),
    ]
    assert second.project_name == "助餐点建设" and len(second.indicators) == 1


@pytest.mark.parametrize(
    ("row", "said"),
    [
        ({7: None}, "工作表「指标」：H4：缺少「三级指标」"),
        ({0: "二〇二四"}, "A4「二〇二四」：年度应为四位数字"),
        ({10: "二十"}, "K4「二十」：应为数字"),
        ({10: -20}, "K4「-20」：不能为负数"),
    ],
    ids=["no-name", "year", "weight", "negative"],
)
def test_a_bad_cell_is_named_and_nothing_is_read(tmp_path: Path, row: dict[int, object], said: str) -> None:
    rows = [list(r) for r in ROWS]
    for col, value in row.items():
        rows[1][col] = value
    with pytest.raises(XlsxError, match=said):
        read_workbook(_sheet(tmp_path / "bad.xlsx", rows))


def test_the_samples_go_out_and_come_back_in_the_profile(tmp_path: Path) -> None:
    forms = [load_form(p) for p in sorted((ROOT / "samples").glob("*.toml")) if "zhengti" not in p.name]
    (profile,) = [p for p in profiles() if p.name == "platform-flat"]
    write_flat(forms, profile).save(tmp_path / "back.xlsx")
    back = {f.project_name: f for f in read_workbook(tmp_path / "back.xlsx")}
    for f in forms:
        got = back[f.project_name]
        assert (got.year, got.implementing_unit, got.department) == (f.year, f.implementing_unit, f.department)
        assert (got.budget.planned, got.budget.executed) == (f.budget.planned, f.budget.executed)
        want = [
            (i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.recorded.score if i.recorded else None)
            for i in f.indicators
        ]
        have = [
            (i.level1, i.level2, i.name, i.target, i.actual, i.weight, i.recorded.score if i.recorded else None)
            for i in got.indicators
        ]
        assert have == want, f.project_name


def test_profiles_are_loaded_strictly() -> None:
    good = '[[profile]]\nname="x"\ntitle="x"\nrequired=["name"]\n[profile.columns]\nname=["三级指标"]\n'
    assert parse_profiles(good)[0].columns == {"name": ("三级指标",)}
    with pytest.raises(ValueError, match="未知字段"):
        parse_profiles(good.replace('name=["三级指标"]', 'nmae=["三级指标"]'))
    with pytest.raises(ValueError, match="键应为"):
        parse_profiles(good.replace("[profile.columns]", "extra = 1\n[profile.columns]"))


def _jixiao(db: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {"JIXIAO_DB": str(db), "JIXIAO_USER": "测试", "PATH": "/usr/bin:/bin", "HOME": str(db.parent)}
    return subprocess.run([sys.executable, "-m", "jixiao", *argv], capture_output=True, text=True, env=env, cwd=ROOT)


def test_dry_run_then_import_then_export_in_the_profile(tmp_path: Path) -> None:
    db = tmp_path / "j.db"
    sheet = _sheet(tmp_path / "flat.xlsx")
    dry = _jixiao(db, "import", "--dry-run", str(sheet))
    assert dry.returncode == 0 and not db.exists()
    assert "按「预算管理一体化平台" in dry.stdout and "M 列「备注」→ 未读入" in dry.stdout
    assert (
        "H 列「*三级绩效指标名称」→ 三级指标" in dry.stdout
        and "2024/区养老服务中心/居家养老服务：2 项指标" in dry.stdout
    )
    done = _jixiao(db, "import", str(sheet))
    assert done.returncode == 0 and "新建 2 份" in done.stdout
    out = _jixiao(db, "export", "--profile", "platform-flat", "-o", str(tmp_path / "out"))
    assert out.returncode == 0, out.stderr
    again = read_workbook(tmp_path / "out" / "platform-flat.xlsx")
    assert sorted(f.project_name for f in again) == ["助餐点建设", "居家养老服务"]
    unknown = _jixiao(db, "export", "--profile", "nope", "-o", str(tmp_path / "x"))
    assert unknown.returncode == 1 and "未知的表格画像" in unknown.stderr


@pytest.mark.parametrize(
    ("column", "values", "said"),
    [
        (
            "主管部门",
            ["区民政局", "区卫健委"],
            r"B4「区卫健委」：同一表单各行的「主管部门」不一致（第 3 行为「区民政局」）",
        ),
        ("变动后预算数", [100, 120], r"N4「120」：同一表单各行的「预算数」不一致（第 3 行为「100」）"),
        ("变动后预算数", ["1,000", 1000.5], r"N4「1000.5」：同一表单各行的「预算数」不一致"),
    ],
    ids=["department", "money", "money-as-text"],
)
def test_a_forms_rows_that_disagree_on_its_own_fields_are_refused(
    tmp_path: Path, column: str, values: list[object], said: str
) -> None:
    """Two rows of one form with different money: the first row's was taken silently."""
    head = HEAD if column in HEAD else [*HEAD, column]
    rows = [list(r) + ([None] if column not in HEAD else []) for r in ROWS]
    at = head.index(column)
    rows[0][at], rows[1][at] = values
    with pytest.raises(XlsxError, match=said):
        read_workbook(_sheet(tmp_path / "flat.xlsx", rows, head))
    rows[1][at] = None  # a blank repeats the first row's value
    (first, _) = read_workbook(_sheet(tmp_path / "blank.xlsx", rows, head))
    assert first.department == "区民政局" or first.budget.planned is not None
