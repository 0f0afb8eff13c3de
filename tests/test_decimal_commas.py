"""A comma in a number is a thousands separator or the number is refused, on every way in.

"24,7" is 24.7 where the comma is the decimal mark and 247 if the comma is dropped; a form's
money must never depend on which (a report: 执行数 "24,7" was stored as 247, 执行率 1235%).
"""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.disclosure.vocab import number as disclosure_number
from jixiao.editing import EditError, parse_number
from jixiao.xlsx import XlsxError, read_workbook
from scorer.cell_values import Cell, CellError, CellKind
from scorer.cells import parse_cell, read_cell
from scorer.engine import score_indicator
from scorer.formfile import FormFileError, load_form
from scorer.model import Indicator
from scorer.numbers import ungroup
from scorer.result import ProblemCode, Severity, Status
from scorer.rules import load
from tests.conftest import NINETY_FOUR
from tests.test_flat_sheets import ROWS, _sheet
from tests.test_xlsx import _hand_made

GROUPED = [
    ("1,234.", "1234."),
    ("1,234", "1234"),
    ("1,234.5", "1234.5"),
    ("12,345,678.25", "12345678.25"),
    ("-1,000", "-1000"),
    ("24.7", "24.7"),
]
NOT_GROUPED = [
    "0,125",
    "00,500",
    "24,7",
    "2,0",
    "1,23",
    "1234,567",
    "1,2345",
    ",5",
    "1,,234",
    "1,234,5",
    "1,234.5,6",
    "1,",
]


@pytest.mark.parametrize(("text", "plain"), GROUPED)
def test_thousands_groups_are_read(text: str, plain: str) -> None:
    assert ungroup(text) == plain
    if not plain.startswith("-"):  # a typed amount is never negative
        assert parse_number(text, "执行数") == Decimal(plain)


@pytest.mark.parametrize("text", NOT_GROUPED)
def test_any_other_comma_is_refused_when_typed(text: str) -> None:
    assert ungroup(text) is None
    with pytest.raises(EditError, match="逗号不是千位分隔"):
        parse_number(text, "执行数")
    assert disclosure_number(text) == (None, False)


@given(st.decimals(min_value=-(10**14), max_value=10**14, places=2, allow_nan=False))
def test_a_number_written_with_groups_reads_back_as_itself(value: Decimal) -> None:
    assert Decimal(ungroup(f"{value:,}") or "nan") == value


@pytest.mark.parametrize("text", ["24,7", "2,0万元", "1234,5"])
@pytest.mark.parametrize("kind", ["toml", "json"])
def test_a_form_file_with_a_decimal_comma_is_refused_naming_the_key(tmp_path: Path, text: str, kind: str) -> None:
    good = NINETY_FOUR.read_text(encoding="utf-8")
    assert "executed = 24.7\n" in good
    path = tmp_path / f"form.{kind}"
    path.write_text(good.replace("executed = 24.7\n", f'executed = "{text}"\n'), encoding="utf-8")
    if kind == "json":
        data = load_form(NINETY_FOUR)
        from scorer.formwrite import dumps_json

        doc = json.loads(dumps_json(data))
        doc["budget"]["executed"] = text
        path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(FormFileError, match=r"budget\.executed.*逗号不是千位分隔"):
        load_form(path)


def test_a_grouped_amount_in_a_form_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "form.toml"
    path.write_text(
        NINETY_FOUR.read_text(encoding="utf-8").replace("executed = 24.7\n", 'executed = "1,024.7万元"\n'),
        encoding="utf-8",
    )
    assert load_form(path).budget.executed == Decimal("1024.7")


@pytest.mark.parametrize(("cell", "ok"), [("1,019.5", True), ("19,5", False)])
def test_a_platform_sheets_comma_is_named_by_cell(tmp_path: Path, cell: str, ok: bool) -> None:
    rows = [list(r) for r in ROWS]
    rows[0][11] = cell  # 自评得分, row 3 of the sheet
    path = _sheet(tmp_path / "flat.xlsx", rows)
    if ok:
        assert read_workbook(path)[0].indicators[0].recorded.score == Decimal("1019.5")  # type: ignore[union-attr]
        return
    with pytest.raises(XlsxError, match="L3.*逗号不是千位分隔"):
        read_workbook(path)


@pytest.mark.parametrize(("cell", "executed"), [("1,024.7", Decimal("1024.7")), ("24,7", None), ("24,7万元", None)])
def test_a_form_workbooks_comma_is_named_by_cell(tmp_path: Path, cell: str, executed: Decimal | None) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "hand.xlsx"
    _hand_made(path)
    wb = load_workbook(path)
    wb.active["E11"] = cell  # 执行数
    wb.save(path)
    if executed is not None:
        assert read_workbook(path)[0].budget.executed == executed
        return
    with pytest.raises(XlsxError, match="E11.*逗号不是千位分隔"):
        read_workbook(path)


# ---------------------------------------------------------------- indicator cells
# A cell's number follows the same rule (scorer.numbers.ungroup): "1234,567" was read as 1234567
# and "0,125" as 125, without a word. A comma that is not a thousands separator makes the cell
# unreadable, naming the number, and the row is invalid (an error, and the form cannot be stored).

CELL_READ = [
    ("1,234", "1234"),
    ("12,345,678.9", "12345678.9"),
    ("1,276户", "1276"),
    ("≥1,234户", "1234"),
    ("1，234万元", "12340000"),  # a full-width comma is folded to "," (NFKC) and read by the same rule
    ("2,000.00万元", "20000000.00"),
    ("第1,000名", "1000"),
]
CELL_REFUSED = [
    *(t for t in NOT_GROUPED if not t.endswith(",")),  # "1," is a number and a trailing comma
    "1234,567户",
    "0,125万元",
    "≥0,5%",
    "≤24,7小时",
    "1，23万元",
    "3,4,5个",  # a list, not a number (no real form in tests/corpus writes one)
    "001,234",
    "1,234.5,678",
    "1,234-2,34户",
]


@pytest.mark.parametrize(("text", "value"), CELL_READ)
def test_a_cells_thousands_commas_are_read(text: str, value: str) -> None:
    cell = parse_cell(text)
    assert cell.value == Decimal(value) and str(cell.value) == value


@pytest.mark.parametrize("text", CELL_REFUSED)
def test_a_cells_other_comma_makes_it_unreadable_naming_the_number(text: str) -> None:
    with pytest.raises(CellError, match="逗号不是千位分隔") as err:
        parse_cell(text)
    assert err.value.reason.startswith("「") and "," in err.value.reason.split("」")[0]


@pytest.mark.parametrize("text", ["1,234.", "1234.", "3、4、5个", "1、234", "3,4,5号楼已交付"])
def test_a_comma_that_is_no_number_leaves_the_cell_words(text: str) -> None:
    """As "1234." is read in a cell (words, not a number), so is "1,234."; 、 is an enumeration
    comma, never a separator; a sentence keeps its commas. Words are scored 待判断, with the text."""
    assert parse_cell(text).kind is CellKind.TEXT


def test_a_row_with_a_decimal_comma_is_invalid_not_scored_as_a_thousand_times_more() -> None:
    row = Indicator(level1="产出指标", level2="成本指标", name="经费", target="≤0.2万元", actual="0,125万元")
    result = score_indicator(row, Decimal(10), "form", load("national-2020"), year=2024)
    assert result.status is Status.INVALID
    (problem,) = [p for p in result.problems if p.code is ProblemCode.INVALID_CELL]
    assert problem.severity is Severity.ERROR and "「0,125」中的逗号不是千位分隔" in problem.message
    good = score_indicator(
        dataclasses.replace(row, actual="1,234万元"), Decimal(10), "form", load("national-2020"), year=2024
    )
    assert good.actual is not None and good.actual.value == Decimal("12340000")


@given(st.decimals(min_value=0, max_value=10**14, places=2, allow_nan=False), st.sampled_from(["", "户", "万元", "%"]))
def test_a_number_written_with_groups_reads_back_through_a_cell(value: Decimal, unit: str) -> None:
    scale = Decimal(10000) if unit == "万元" else Decimal(1)
    assert parse_cell(f"≥{value:,}{unit}").value == value * scale
    assert parse_cell(f"{value:,}{unit}").value == value * scale


@given(st.from_regex(r"\A[0-9]{1,5}(,[0-9]{0,4}){0,2},[0-9]{1,4}(\.[0-9]{1,3})?\Z"))
def test_a_cell_reads_a_comma_exactly_as_scorer_numbers_does(text: str) -> None:
    plain = ungroup(text)
    cell = read_cell(text + "户")
    if plain is None:
        assert isinstance(cell, CellError) and "逗号不是千位分隔" in cell.reason
    else:
        assert isinstance(cell, Cell) and cell.value == Decimal(plain)
