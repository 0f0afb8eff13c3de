"""Stray punctuation at the number–unit boundary or in the unit: ``0,户`` was read as 0 in the unit ``,户``."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer import units
from scorer.cells import CellError, CellKind, clear_memo, parse_cell, parse_general

PUNCTUATION = ",，、;；:：·。"

# (cell, the punctuation the message names, as written)
REFUSED = [
    ("0,户", ","),
    ("75,户", ","),
    ("75，户", "，"),
    ("75、户", "、"),
    ("≥75；户", "；"),
    ("≥75:户", ":"),
    ("75：户", "："),
    ("75·户", "·"),
    ("1,000,户", ","),
    ("≥75,户", ","),
    ("75户,", ","),
    ("75户；", "；"),
    ("95%。", "。"),
    ("75,", ","),
    ("75万,户", ","),
    ("75,万户", ","),
    ("90%-95%,", ","),
    ("3至5，个", "，"),
    ("不低于75，户", "，"),
]


@pytest.mark.parametrize(("text", "mark"), REFUSED)
def test_stray_punctuation_is_refused_naming_it(text: str, mark: str) -> None:
    clear_memo()
    for read in (parse_cell, parse_general):
        with pytest.raises(CellError) as info:
            read(text)
        assert f"「{text}」" in info.value.reason
        assert f"多余的标点「{mark}」" in info.value.reason


# still read as before: the product marks inside a unit, thousands commas, numbered sentences
READ = [
    ("75人·次", CellKind.QUANTITY, Decimal(75), "人·次"),
    ("75人、次", CellKind.QUANTITY, Decimal(75), "人、次"),
    ("1,276户", CellKind.QUANTITY, Decimal(1276), "户"),
    ("≥1,000户", CellKind.QUANTITY, Decimal(1000), "户"),
    ("100元/户", CellKind.QUANTITY, Decimal(100), "元/户"),
    ("1、按时完成", CellKind.QUALITATIVE, None, ""),
    ("1、2、3", CellKind.TEXT, None, ""),
]


@pytest.mark.parametrize(("text", "kind", "value", "unit"), READ)
def test_punctuation_that_belongs_is_still_read(text: str, kind: CellKind, value: Decimal | None, unit: str) -> None:
    cell = parse_cell(text)
    assert (cell.kind, cell.value, cell.unit) == (kind, value, unit)


@pytest.mark.parametrize(
    "symbol", [",户", "户,", "户;", ":户", "·户", "户·", "、户", "/户", "*户", "户/", "户;人", "元/,人"]
)
def test_units_refuse_what_pint_would_drop(symbol: str) -> None:
    assert not units.is_known(symbol)


numbers = st.sampled_from(["0", "75", "1,000", "3.5", "12"])
marks = st.sampled_from(["", *PUNCTUATION])
unit_words = st.sampled_from(["", "户", "人次", "万元", "%", "小时", "个", "人·次", "元/户", "万户", "按时完成"])
prefixes = st.sampled_from(["", "≥", "≤", "<", "不低于", "达到"])


@settings(max_examples=300, deadline=None)
@given(prefixes, numbers, marks, unit_words, marks, marks)
def test_no_parsed_unit_starts_or_ends_with_punctuation(
    prefix: str, number: str, before: str, unit: str, after: str, inside: str
) -> None:
    text = prefix + number + before + unit[:1] + inside + unit[1:] + after
    try:
        cell = parse_cell(text)
    except CellError:
        return
    if cell.unit:
        assert cell.unit[0] not in PUNCTUATION and cell.unit[-1] not in PUNCTUATION, (text, cell.unit)
    assert cell.unit == parse_general(text).unit
