"""Every value jixiao writes into a spreadsheet cell, in one place.

Text is always a string cell: a unit named ``=HYPERLINK(…)`` or ``+1`` stays text
and never becomes a live formula; characters Excel cannot hold are dropped
instead of failing the whole workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

MAX_CELL_TEXT = 32_767  # Excel's limit per cell


def shown_text(text: str) -> str:
    """The text as an Excel cell can hold it."""
    text = text.encode("utf-8", "replace").decode("utf-8")
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:MAX_CELL_TEXT]


def put(cell: Any, value: object) -> None:
    """Write ``value``: numbers as numbers, everything else as a string cell."""
    if value is None:
        cell.value = None
    elif isinstance(value, bool):
        cell.value = shown_text("是" if value else "否")
        cell.data_type = "s"
    elif isinstance(value, int | float):
        cell.value = value
    elif isinstance(value, Decimal):
        cell.value = float(value) if value.is_finite() else str(value)
    else:
        cell.value = shown_text(str(value))
        cell.data_type = "s"


def append(ws: Any, values: Sequence[object]) -> None:
    """``ws.append`` with ``put`` for every value."""
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(row=1, column=1).value is not None else 1
    for col, value in enumerate(values, start=1):
        put(ws.cell(row=row, column=col), value)
