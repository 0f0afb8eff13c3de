"""Excel import/export: the published form layout, exact round trips, hand-made sheets, bad input."""

from __future__ import annotations

import dataclasses
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

openpyxl = pytest.importorskip("openpyxl")

from openpyxl import Workbook, load_workbook  # noqa: E402

from jixiao.xlsx import (  # noqa: E402
    HIDDEN_SHEET,
    MAX_UNCOMPRESSED,
    XlsxError,
    form_to_dict,
    read_workbook,
    sheet_title,
    write_workbook,
)
from scorer.formfile import form_from_dict, load_form  # noqa: E402
from scorer.model import (  # noqa: E402
    Budget,
    Form,
    FormKind,
    Goal,
    Indicator,
    Recorded,
    SignOff,
    Ticks,
)
from tests.conftest import NINETY_FOUR, SAMPLES  # noqa: E402

SAMPLE_FILES = sorted(SAMPLES.glob("*.toml"))


@pytest.fixture(scope="module")
def samples() -> list[Form]:
    return [load_form(p) for p in SAMPLE_FILES]


@pytest.fixture(scope="module")
def all_samples(samples: list[Form], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """All nine samples in one workbook, written once."""
    path = tmp_path_factory.mktemp("xlsx") / "all.xlsx"
    write_workbook(samples, path)
    return path


def _find(ws, text: str) -> tuple[int, int]:
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text:
                return cell.row, cell.column
    raise AssertionError(f"{text} not in sheet")


def _written(tmp_path: Path, form: Form, name: str = "form.xlsx") -> Path:
    path = tmp_path / name
    write_workbook([form], path)
    return path


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.stem)
def test_each_sample_round_trips_exactly(sample: Path, tmp_path: Path) -> None:
    form = load_form(sample)
    assert read_workbook(_written(tmp_path, form)) == [form]


def test_all_samples_in_one_workbook(samples: list[Form], all_samples: Path) -> None:
    assert read_workbook(all_samples) == samples
    wb = load_workbook(all_samples)
    assert len(wb.sheetnames) == len(samples) + 1
    assert wb[HIDDEN_SHEET].sheet_state == "hidden"
    assert wb.sheetnames[-1] == HIDDEN_SHEET


def test_visible_cells_alone_give_the_samples(samples: list[Form], all_samples: Path, tmp_path: Path) -> None:
    """Without the hidden exact data the samples still read back equal (their numbers are short)."""
    path = tmp_path / "visible.xlsx"
    wb = load_workbook(all_samples)
    del wb[HIDDEN_SHEET]
    wb.save(path)
    assert read_workbook(path) == samples


def test_form_to_dict_is_the_form_file_structure(samples: list[Form]) -> None:
    for form in samples:
        assert form_from_dict(form_to_dict(form)) == form


TRICKY = Form(
    project_name="测试/项目:[1]",
    department="部门",
    implementing_unit="单位",
    year=None,
    rules=None,
    title="",
    ticks=Ticks(category=("区级专项", "部门预算项目")),
    budget=Budget(
        label="",
        planned=Decimal("1234567890123.4567"),
        executed=Decimal("0.3000000000000000444"),
        rate_text="=100%",
        initial=Decimal("2E+1"),
        weight=Decimal("20.0"),
        recorded=Recorded(Decimal("19.55"), "理由\r\n第二行"),
        fiscal=Decimal("1"),
        carryover=Decimal("0"),
        other=Decimal("-0"),
        basic_expenditure=Decimal("1e-7"),
    ),
    goals=(
        Goal(
            text="目标\x01文本",
            weight=Decimal("40"),
            indicators=(
                Indicator(
                    "产出指标",
                    "数量指标",
                    "a",
                    "#N/A",
                    "100",
                    Decimal("10"),
                    Recorded(Decimal("9.999999999999999999")),
                    adjusted_target="≥5",
                    deviation="偏差",
                    direction="reverse",
                ),
                Indicator("产出指标", "", "b", "  spaced  ", "", direction="qualitative"),
            ),
        ),
        Goal(),
        Goal(text="三", indicators=(Indicator("满意度指标", "满意度", "d", "≥90%", "95%"),)),
    ),
    total_recorded=Decimal("94.50"),
    deviation_analysis="项目名称：其实是叙述",
    improvement_measures="长" * 33000,  # beyond the 32767 characters of a cell
    signoff=SignOff(preparer="张三", phone="13800000000", date="2025-03-01"),
)


def test_exact_values_beyond_double_precision_survive(tmp_path: Path) -> None:
    path = tmp_path / "tricky.xlsx"
    write_workbook([TRICKY, TRICKY], path)
    both = read_workbook(path)
    assert both == [TRICKY, TRICKY]
    got = both[0]
    assert str(got.budget.planned) == "1234567890123.4567"
    assert str(got.budget.initial) == "2E+1"


# --------------------------------------------------------------------------- layout


def test_layout_of_the_94_form(tmp_path: Path) -> None:
    form = load_form(NINETY_FOUR)
    wb = load_workbook(_written(tmp_path, form))
    ws = wb["老干工作经费"]
    assert ws["A1"].value == form.title
    assert ws["A2"].value == "（老干工作经费）"
    assert ws["A3"].value == "项目名称" and ws["B3"].value == "老干工作经费"
    r, _ = _find(ws, "项目类别")
    assert ws.cell(r, 2).value == "☑部门预算项目  ☑区级专项  ☐上级转移支付项目"
    r, _ = _find(ws, "预算执行情况（万元）")
    assert [ws.cell(r, c).value for c in range(3, 10)] == [
        "年初预算数",
        "预算数(A)",
        "执行数(B)",
        "执行率(B/A)",
        "分值",
        "得分",
        "得分理由",
    ]
    assert [ws.cell(r + 1, c).value for c in range(2, 9)] == ["年度财政资金总额", None, 20, 24.7, "123.5%", 20, 20]
    r, _ = _find(ws, "年度绩效目标 1（80分）")
    assert [ws.cell(r + 1, c).value for c in range(1, 10)] == [
        "一级指标",
        "二级指标",
        "三级指标",
        "年初目标值(A)",
        "实际完成值(B)",
        "分值",
        "得分",
        "得分理由",
        "偏差原因分析",
    ]
    first = r + 2
    # 一级 产出指标 spans five rows, 二级 数量指标 two, as on the printed form.
    merged = {str(m) for m in ws.merged_cells.ranges}
    assert f"A{first}:A{first + 4}" in merged
    assert f"B{first}:B{first + 1}" in merged
    assert ws.cell(first, 1).value == "产出指标"
    target = ws.cell(first, 4)
    assert target.value == "≥240" and target.number_format == "@" and target.data_type == "s"
    assert ws.cell(first + 1, 7).value == 4
    r, _ = _find(ws, "总分")
    assert ws.cell(r, 7).value == 94
    assert ws.cell(r + 1, 1).value == "偏差大或目标未完成原因分析"
    assert ws.cell(r + 2, 1).value == "改进措施及结果应用方案"
    assert ws.cell(r + 3, 1).value == "填表人"
    assert ws.page_setup.orientation == "landscape"
    assert ws["A3"].font.name == "宋体"


def test_department_form_uses_unit_name_and_no_tick_rows(samples: list[Form], tmp_path: Path) -> None:
    dept = next(f for f in samples if f.form_kind is FormKind.DEPARTMENT)
    ws = load_workbook(_written(tmp_path, dept))[sheet_title(dept.project_name, set())]
    _find(ws, "单位名称")
    _find(ws, "基本支出总额")
    with pytest.raises(AssertionError):
        _find(ws, "项目类别")


def test_sheet_titles_follow_excel_rules() -> None:
    used: set[str] = set()
    assert sheet_title("a/b:c*?[x]\\", used) == "a_b_c___x__"
    long = "很长的项目名称" * 10
    first = sheet_title(long, used)
    second = sheet_title(long, used)
    assert len(first) == 31 and len(second) == 31 and first != second
    assert sheet_title("History", used) == "History_"
    assert sheet_title("", used) == "表"
    assert sheet_title(HIDDEN_SHEET, used) != HIDDEN_SHEET


# --------------------------------------------------------------------------- hand-made and edited workbooks


def _hand_made(path: Path) -> None:
    """A workbook typed by hand in the printed layout, starting in column B, without the hidden sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = "我的表"
    ws["B2"] = "2024年度项目支出绩效自评表"
    ws["B4"], ws["C4"] = "项目名称：", " 老干工作经费 "
    ws["B5"], ws["C5"], ws["E5"], ws["F5"] = "主管部门", "某局", "项目实施单位", "某中心"
    ws["B6"], ws["C6"] = "年度", "2024年"
    ws["B7"], ws["C7"] = "项目类别", "☑部门预算项目 ☐区级专项 □上级转移支付项目"
    ws["B8"], ws["C8"], ws["D8"] = "项目属性", "√持续性项目", "□新增性项目"
    # row 9 left blank
    ws["B10"] = "预算执行情况（万元）"
    ws.merge_cells("B10:B11")
    for col, text in zip("DEFGH", ("预算数", "执行数", "执行率", "分值", "得分"), strict=True):
        ws[f"{col}10"] = text
    ws["C11"], ws["D11"], ws["E11"], ws["F11"], ws["G11"], ws["H11"] = "年度财政资金总额", 20, "24.7", 1.235, "20分", 20
    ws["F11"].number_format = "0.0%"
    ws["B13"], ws["C13"] = "年度绩效目标（80分）", "保障离退休人员服务"
    for col, text in zip(
        "BCDEFGH", ("一级指标", "二级指标", "三级指标", "年初目标值", "实际完成值", "分值", "得分"), strict=True
    ):
        ws[f"{col}14"] = text
    rows = [
        ("产出指标", "数量指标", "春节重阳慰问", 100, "≥280", 20, "20分"),
        (None, None, "党员学习教育", "≥4", "≥4", "10", 4),
        (None, "质量指标", "活动保质保量", "定性指标", "圆满完成", 10, 10),
    ]
    for r, values in enumerate(rows, start=15):
        for col, value in zip("BCDEFGH", values, strict=True):
            if value is not None:
                ws[f"{col}{r}"] = value
    ws.merge_cells("B15:B17")
    # row 18 blank
    ws["B19"], ws["C19"], ws["D19"], ws["E19"], ws["F19"], ws["G19"], ws["H19"] = (
        "满意度指标",
        "服务对象满意度",
        "满意度",
        0.9,
        "95%",
        20,
        20,
    )
    ws["E19"].number_format = "0%"
    ws["B21"], ws["H21"] = "总分", "74分"
    ws.merge_cells("B21:G21")
    ws["B22"], ws["C22"] = "偏差大或目标未完成原因分析", "学习教育以代表集中学习为主。"
    ws["B23"], ws["C23"] = "改进措施及结果应用方案", "加强建设。"
    ws["B25"], ws["D25"], ws["E25"] = "填表人：张三", "联系电话", 13800000000
    wb.save(path)


def test_hand_made_workbook_reads(tmp_path: Path) -> None:
    path = tmp_path / "hand.xlsx"
    _hand_made(path)
    expected = Form(
        project_name="老干工作经费",
        department="某局",
        implementing_unit="某中心",
        year=2024,
        title="2024年度项目支出绩效自评表",
        ticks=Ticks(category=("部门预算项目",), attribute=("持续性项目",)),
        budget=Budget(
            planned=Decimal("20"),
            executed=Decimal("24.7"),
            rate_text="123.5%",
            weight=Decimal("20"),
            recorded=Recorded(Decimal("20")),
        ),
        goals=(
            Goal(
                text="保障离退休人员服务",
                weight=Decimal("80"),
                indicators=(
                    Indicator(
                        "产出指标", "数量指标", "春节重阳慰问", "100", "≥280", Decimal(20), Recorded(Decimal(20))
                    ),
                    Indicator("产出指标", "数量指标", "党员学习教育", "≥4", "≥4", Decimal(10), Recorded(Decimal(4))),
                    Indicator(
                        "产出指标",
                        "质量指标",
                        "活动保质保量",
                        "定性指标",
                        "圆满完成",
                        Decimal(10),
                        Recorded(Decimal(10)),
                    ),
                    Indicator(
                        "满意度指标", "服务对象满意度", "满意度", "90%", "95%", Decimal(20), Recorded(Decimal(20))
                    ),
                ),
            ),
        ),
        total_recorded=Decimal("74"),
        deviation_analysis="学习教育以代表集中学习为主。",
        improvement_measures="加强建设。",
        signoff=SignOff(preparer="张三", phone="13800000000"),
    )
    assert read_workbook(path) == [expected]


def test_hubei_inline_budget_row(tmp_path: Path) -> None:
    """The printed Hubei style puts each budget value right of its label on one row."""
    path = tmp_path / "inline.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "老干工作经费"])
    ws.append(["预算执行情况（万元）（20分）", "预算数：", 20, "执行数：", 24.7, "执行率：", "123.5%", "得分", 20])
    ws.append(["一级指标", "二级指标", "三级指标", "年初目标值", "实际完成值", "得分"])
    ws.append(["产出指标", "数量指标", "慰问", "≥240", "≥280", 20])
    wb.save(path)
    (form,) = read_workbook(path)
    assert form.budget == Budget(
        planned=Decimal(20),
        executed=Decimal("24.7"),
        rate_text="123.5%",
        weight=Decimal(20),
        recorded=Recorded(Decimal(20)),
    )
    assert form.goals[0].indicators[0].recorded == Recorded(Decimal(20))


@pytest.mark.parametrize(
    ("text", "ticked"),
    [
        ("☑部门预算项目  ☑区级专项  ☐上级转移支付项目", ("部门预算项目", "区级专项")),
        ("[x]部门预算项目 [ ]区级专项 [ ]上级转移支付项目", ("部门预算项目",)),
        ("部门预算项目√ 区级专项□ 上级转移支付项目□", ("部门预算项目",)),
        ("□部门预算 ■区级专项 □上级转移支付", ("区级专项",)),
        ("上级转移支付项目", ("上级转移支付项目",)),
        ("☐部门预算项目 ☐区级专项 ☐上级转移支付项目", ()),
    ],
)
def test_tick_boxes(text: str, ticked: tuple[str, ...], tmp_path: Path) -> None:
    path = tmp_path / "ticks.xlsx"
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "某项目"])
    ws.append(["项目类别", text])
    ws.append(["一级指标", "二级指标", "三级指标", "年初目标值", "实际完成值"])
    ws.append(["产出指标", "数量指标", "某指标", "≥1", "1"])
    wb.save(path)
    (form,) = read_workbook(path)
    assert form.ticks.category == ticked


def test_edits_in_excel_are_honoured(tmp_path: Path) -> None:
    form = load_form(NINETY_FOUR)
    path = _written(tmp_path, form)
    wb = load_workbook(path)
    ws = wb["老干工作经费"]
    r, _ = _find(ws, "组织离退休党员学习教育")
    ws.cell(r, 5).value = "≥5"  # actual
    ws.cell(r, 7).value = 8  # score
    br, _ = _find(ws, "年度财政资金总额")
    ws.cell(br, 5).value = 25.5  # executed
    wb.save(path)
    (got,) = read_workbook(path)
    ind = got.goals[0].indicators[1]
    assert ind.actual == "≥5"
    assert ind.recorded == Recorded(Decimal("8"), form.goals[0].indicators[1].recorded.reason)
    assert got.budget.executed == Decimal("25.5")
    # everything else is untouched
    old = form.goals[0].indicators[1]
    expected_goal = form.goals[0].indicators[:1] + (
        Indicator(
            old.level1, old.level2, old.name, old.target, "≥5", old.weight, Recorded(Decimal(8), old.recorded.reason)
        ),
    )
    assert got.goals[0].indicators[:2] == expected_goal
    assert got.goals[0].indicators[2:] == form.goals[0].indicators[2:]


def test_edit_of_an_exact_number_wins_over_the_hidden_value(tmp_path: Path) -> None:
    path = tmp_path / "tricky.xlsx"
    write_workbook([TRICKY], path)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    r = _find(ws, "预算执行情况（万元）")[0] + 1
    assert ws.cell(r, 4).value == pytest.approx(float(TRICKY.budget.planned))  # a double, not exact
    ws.cell(r, 4).value = 100
    ws.cell(r, 5).value = float(f"{float(TRICKY.budget.executed):.15g}")  # as Excel/LibreOffice re-save it
    wb.save(path)
    (got,) = read_workbook(path)
    assert got.budget.planned == Decimal(100)
    assert str(got.budget.executed) == str(TRICKY.budget.executed)  # unchanged, still exact


# --------------------------------------------------------------------------- bad input


def _error(path: Path) -> XlsxError:
    with pytest.raises(XlsxError) as info:
        read_workbook(path)
    assert str(path) in str(info.value)
    return info.value


def test_truncated_file(tmp_path: Path) -> None:
    path = _written(tmp_path, load_form(NINETY_FOUR))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert "损坏" in _error(path).detail


def test_random_bytes_and_old_xls(tmp_path: Path) -> None:
    path = tmp_path / "random.xlsx"
    path.write_bytes(bytes(range(256)) * 10)
    assert "不是 xlsx" in _error(path).detail
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500)
    assert ".xls" in _error(path).detail
    path.write_bytes(b"")
    assert "不是 xlsx" in _error(path).detail


def test_missing_file(tmp_path: Path) -> None:
    assert "无法读取" in _error(tmp_path / "nope.xlsx").detail


def test_zip_without_workbook(tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    assert "xl/workbook.xml" in _error(path).detail


def test_empty_workbook(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    assert "找不到「一级指标」表头行" in _error(path).detail


def test_missing_project_name_label(tmp_path: Path) -> None:
    path = _written(tmp_path, load_form(NINETY_FOUR))
    wb = load_workbook(path)
    wb.worksheets[0]["A3"].value = None
    wb.save(path)
    err = _error(path)
    assert err.sheet == "老干工作经费"
    assert "找不到「项目名称」" in err.detail


def test_empty_project_name(tmp_path: Path) -> None:
    path = _written(tmp_path, load_form(NINETY_FOUR))
    wb = load_workbook(path)
    wb.worksheets[0]["B3"].value = None
    wb.save(path)
    (form,) = read_workbook(path)  # read, and the engine warns about the empty header cell
    assert form.project_name == ""
    from jixiao.scoring import score_form

    assert any(p.code == "header-missing" for p in score_form(form).all_problems)


def test_bad_number_names_the_cell(tmp_path: Path) -> None:
    path = _written(tmp_path, load_form(NINETY_FOUR))
    wb = load_workbook(path)
    ws = wb["老干工作经费"]
    r, _ = _find(ws, "确保各项活动保质保量")
    ws.cell(r, 6).value = "十分"
    wb.save(path)
    err = _error(path)
    assert (err.sheet, err.row, err.column, err.text) == ("老干工作经费", r, "F", "十分")
    assert str(err) == f"{path}：工作表「老干工作经费」：F{r}「十分」：分值应为数字"


def test_bad_year_and_direction(tmp_path: Path) -> None:
    path = _written(tmp_path, TRICKY)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    r, c = _find(ws, "反向")
    ws.cell(r, c).value = "向上"
    wb.save(path)
    err = _error(path)
    assert (err.cell, err.text) == (f"{ws.cell(r, c).column_letter}{r}", "向上")
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    ws.cell(r, c).value = "正向"
    ws["B5"] = "去年"
    wb.save(path)
    err = _error(path)
    assert (err.cell, err.detail) == ("B5", "年度应为四位年份，如 2024")


def test_missing_indicator_name(tmp_path: Path) -> None:
    path = _written(tmp_path, load_form(NINETY_FOUR))
    wb = load_workbook(path)
    ws = wb["老干工作经费"]
    r, _ = _find(ws, "老干工作经费")  # B3 holds the project name; find the indicator row instead
    r, _ = _find(ws, "24.7万元")
    ws.cell(r, 3).value = None
    wb.save(path)
    err = _error(path)
    assert (err.cell, err.detail) == (f"C{r}", "三级指标名称不能为空")


def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = _written(tmp_path, load_form(NINETY_FOUR))
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("xl/media/padding.bin", "w", force_zip64=True) as fh:
            for _ in range(MAX_UNCOMPRESSED // len(chunk) + 1):
                fh.write(chunk)
    assert path.stat().st_size < 2_000_000
    assert "压缩炸弹" in _error(path).detail


def test_huge_merged_range_is_refused(tmp_path: Path) -> None:
    path = _written(tmp_path, load_form(NINETY_FOUR))
    src = zipfile.ZipFile(path)
    members = {i.filename: src.read(i) for i in src.infolist()}
    src.close()
    sheet = "xl/worksheets/sheet1.xml"
    members[sheet] = members[sheet].replace(b"</mergeCells>", b'<mergeCell ref="A200:XFD1048576"/></mergeCells>')
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    assert "合并单元格" in _error(path).detail


def test_all_or_nothing_and_file_untouched(samples: list[Form], tmp_path: Path) -> None:
    path = tmp_path / "two.xlsx"
    write_workbook(samples[:2], path)
    wb = load_workbook(path)
    ws = wb.worksheets[1]
    r, _ = _find(ws, "总分")
    ws.cell(r, 7).value = "很多"
    wb.save(path)
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    err = _error(path)
    assert err.sheet == ws.title and err.detail == "总分应为数字"
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_non_form_sheets_are_skipped(tmp_path: Path) -> None:
    form = load_form(NINETY_FOUR)
    path = _written(tmp_path, form)
    wb = load_workbook(path)
    notes = wb.create_sheet("说明", 0)
    notes["A1"] = "本工作簿由财务科填写"
    wb.save(path)
    assert read_workbook(path) == [form]


def test_write_nothing_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_workbook([], tmp_path / "x.xlsx")


@pytest.mark.parametrize(
    ("cell", "direction"),
    [
        ("正向", "positive"),
        ("反向", "reverse"),
        ("等值", "equal"),
        ("等于", "equal"),
        ("定性", "qualitative"),
        ("equal", "equal"),
    ],
)
def test_direction_cells_read_the_one_label_table_and_the_old_word(tmp_path: Path, cell: str, direction: str) -> None:
    path = _written(tmp_path, TRICKY)
    wb = load_workbook(path)
    ws = wb.worksheets[0]
    r, c = _find(ws, "反向")
    ws.cell(r, c).value = cell
    wb.save(path)
    got = read_workbook(path)[0]
    assert got.goals[0].indicators[0].direction == direction


def test_a_direction_is_written_with_the_label_the_terminal_shows(tmp_path: Path) -> None:
    from scorer.model import DIRECTION_LABELS

    form = dataclasses.replace(
        TRICKY,
        goals=(
            dataclasses.replace(
                TRICKY.goals[0], indicators=(dataclasses.replace(TRICKY.goals[0].indicators[0], direction="equal"),)
            ),
        ),
    )
    ws = load_workbook(_written(tmp_path, form)).worksheets[0]
    assert _find(ws, DIRECTION_LABELS["equal"])
