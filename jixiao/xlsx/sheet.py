"""Reading helpers: cell text, labels, and one sheet's cells by row and column."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.form_labels import (
    HEADER_LABELS,
    SIGNOFF_LABELS,
    TICK_LABELS,
    TOTAL_LABELS,
    YEAR_LABELS,
    canon,
    nfkc,
)
from jixiao.xlsx.errors import XlsxError
from jixiao.xlsx.write import _plain
from scorer.model import DIRECTION_LABELS, Direction
from scorer.numbers import comma_problem, out_of_range, ungroup

_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")
_WS = re.compile(r"\s+")


def _split_label(text: str) -> tuple[str, str]:
    """ "项目名称：老干工作经费" → ("项目名称", "老干工作经费"); without a colon the whole text is the label."""
    m = re.match(r"^([^:：]{1,20})[:：](.*)$", text, re.S)
    if m:
        return canon(m.group(1)), m.group(2).strip()
    return canon(text), ""


_HEADER_FIELDS = {**HEADER_LABELS, "year": YEAR_LABELS}  # in a workbook 年度 is a header field like any other
_KNOWN_LABELS = {
    *(a for v in _HEADER_FIELDS.values() for a in v),
    *(a for v in SIGNOFF_LABELS.values() for a in v),
    *TICK_LABELS,
    *TOTAL_LABELS,
    "偏差大或目标未完成原因分析",
    "改进措施及结果应用方案",
}
_GOAL_RE = re.compile(
    r"^(?:年度绩效目标|年度总体目标|年度目标|绩效目标|总体目标)"
    r"(?:[0-9]+|[一二三四五六七八九十]+)?"
    r"(?:\(([^()]*)\))?$"
)
_TICKED = ("☑", "☒", "√", "✓", "✔", "■", "▣", "[x]", "[X]", "[√]", "(√)", "（√）", "[✓]")
_UNTICKED = ("☐", "□", "[ ]", "[]", "( )", "()", "（ ）", "（）")


def _is_deviation_label(c: str) -> bool:
    return c.startswith("偏差大") or c.startswith("未完成原因") or (c.startswith("偏差") and "原因" in c)


# what a 指标方向 cell may say: the English key, its label, or 等于 (how files exported before the
# labels were one table wrote 等值)
_DIRECTION_IN = {
    "": "",
    **{k: k for k in DIRECTION_LABELS},
    **{v: k for k, v in DIRECTION_LABELS.items()},
    "等于": Direction.EQUAL.value,
}


def _number_text(value: int | float, number_format: str) -> str:
    exact = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    if "%" in (number_format or ""):
        pct = (exact * 100).normalize()
        return f"{_plain(pct)}%"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return _plain(exact.normalize()) if "E" in str(exact) else str(exact)


def _cell_text(cell: Any) -> str:
    v = cell.value
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, int | float):
        if isinstance(v, float) and not math.isfinite(v):
            return str(v)
        return _number_text(v, cell.number_format)
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == time() else v.isoformat(sep=" ")
    if isinstance(v, date | time):
        return v.isoformat()
    return str(v).strip()


# --------------------------------------------------------------------------- reading one sheet


class _Sheet:
    """One worksheet as a sparse grid of non-empty cells, aware of merged ranges."""

    def __init__(self, file: str, ws: Worksheet) -> None:
        self.file = file
        self.name = ws.title
        self.cells: dict[tuple[int, int], Any] = {}
        # openpyxl's public iterators create every empty cell of the used range; the
        # private dict holds exactly the cells present in the file.
        for key, cell in ws._cells.items():
            v = cell.value
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            self.cells[key] = cell
        self.max_row = max((r for r, _ in self.cells), default=0)
        self.max_col = max((c for _, c in self.cells), default=0)
        self.anchor: dict[tuple[int, int], tuple[int, int]] = {}
        self.end: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in ws.merged_cells.ranges:
            top, left = rng.min_row, rng.min_col
            self.end[(top, left)] = (rng.max_row, rng.max_col)
            if (top, left) not in self.cells:
                continue
            for r in range(top, min(rng.max_row, self.max_row) + 1):
                for c in range(left, min(rng.max_col, self.max_col) + 1):
                    if (r, c) != (top, left):
                        self.anchor[(r, c)] = (top, left)
        self.by_row: dict[int, list[int]] = {}
        for r, c in sorted(self.cells):
            self.by_row.setdefault(r, []).append(c)

    def fail(self, message: str, row: int | None = None, col: int | None = None, text: str | None = None) -> XlsxError:
        return XlsxError(
            self.file,
            message,
            sheet=self.name,
            row=row,
            column=get_column_letter(col) if col else None,
            text=text,
        )

    def text(self, r: int, c: int) -> str:
        cell = self.cells.get((r, c))
        return "" if cell is None else _cell_text(cell)

    def resolved(self, r: int, c: int) -> str:
        """Text of the cell, or of the anchor of the merged range it belongs to."""
        return self.text(*self.anchor.get((r, c), (r, c)))

    def right_of(self, r: int, c: int) -> list[int]:
        """Columns of the non-empty cells right of (r, c) and of its merged range."""
        end_col = self.end.get((r, c), (r, c))[1]
        return [c2 for c2 in self.by_row.get(r, ()) if c2 > end_col]

    def value_after(self, r: int, c: int, stop_at_labels: bool = True) -> tuple[str, int | None]:
        """The value belonging to the label at (r, c): after its colon, or the next cell right.

        With ``stop_at_labels``, a next cell that is itself a known label means the value is empty.
        """
        _, inline = _split_label(self.text(r, c))
        if inline:
            return inline, c
        for c2 in self.right_of(r, c):
            text = self.text(r, c2)
            if stop_at_labels and _split_label(text)[0] in _KNOWN_LABELS:
                return "", None
            return text, c2
        return "", None

    def first_col(self, r: int) -> int:
        return self.by_row[r][0]

    def number(self, r: int, c: int | None, what: str, suffix: str = "分") -> Decimal | None:
        if c is None:
            return None
        cell = self.cells.get((r, c))
        if cell is None:
            return None
        v = cell.value
        if isinstance(v, bool):
            raise self.fail(f"{what}应为数字", r, c, str(v))
        if isinstance(v, int):
            return self._in_range(Decimal(v), what, r, c)
        if isinstance(v, float):
            if not math.isfinite(v):
                raise self.fail(f"{what}应为有限的数字", r, c, str(v))
            return self._in_range(
                Decimal(int(v)) if v.is_integer() and abs(v) < 2**53 else Decimal(repr(v)), what, r, c
            )
        if not isinstance(v, str):
            raise self.fail(f"{what}应为数字", r, c, _cell_text(cell))
        raw = v.strip()
        cleaned = _WS.sub("", nfkc(raw))
        if suffix:
            cleaned = re.sub(f"(?:{suffix})$", "", cleaned)
        ungrouped = ungroup(cleaned)
        if ungrouped is None:
            raise self.fail(f"{what}：{comma_problem(cleaned)}", r, c, raw)
        try:
            value = Decimal(ungrouped)
        except InvalidOperation:
            raise self.fail(f"{what}应为数字", r, c, raw) from None
        if not value.is_finite():
            raise self.fail(f"{what}应为有限的数字", r, c, raw)
        return self._in_range(value, what, r, c)

    def _in_range(self, value: Decimal, what: str, r: int, c: int) -> Decimal:
        why = out_of_range(value)
        if why:
            raise self.fail(f"{what}{why}", r, c, str(value)[:60])
        return value


def _goal_label(text: str) -> tuple[bool, str, str]:
    """(is a goal label, the text in its bracket, the goal text after a colon)."""
    label_part, inline = text, ""
    m = re.match(r"^(.{1,30}?)[:：](.*)$", text, re.S)
    if m:
        label_part, inline = m.group(1), m.group(2).strip()
    g = _GOAL_RE.match(_WS.sub("", nfkc(label_part)))
    if not g:
        return False, "", ""
    return True, g.group(1) or "", inline
