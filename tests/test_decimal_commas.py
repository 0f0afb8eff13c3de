"""A comma in a number is a thousands separator or the number is refused, on every way in.

"24,7" is 24.7 where the comma is the decimal mark and 247 if the comma is dropped; a form's
money must never depend on which (a report: 执行数 "24,7" was stored as 247, 执行率 1235%).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jixiao.disclosure.vocab import number as disclosure_number
from jixiao.editing import EditError, parse_number
from jixiao.xlsx import XlsxError, read_workbook
from scorer.formfile import FormFileError, load_form
from scorer.numbers import ungroup
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
