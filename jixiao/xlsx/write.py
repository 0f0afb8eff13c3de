"""Writing: each Form laid out on its own sheet as finance staff know the printed form."""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.cells_out import put, shown_text
from jixiao.xlsx.errors import _CHUNK, FONT_NAME, HIDDEN_MARK, HIDDEN_SHEET
from jixiao.xlsx.exact import form_to_dict
from scorer.model import (
    DIRECTION_LABELS,
    TICK_GROUP_LABELS,
    TICK_GROUPS,
    Form,
    FormKind,
    Goal,
)

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FILL = PatternFill("solid", fgColor="F2F2F2")
_WIDTHS = (14, 16, 34, 16, 16, 8, 8, 20, 20)
_EXTRA = (("adjusted_target", "调整后目标值", 14), ("direction", "指标方向", 10))
_SUBROWS = (
    ("fiscal", "其中：财政拨款"),
    ("carryover", "上年结转"),
    ("other", "其他资金"),
    ("basic_expenditure", "基本支出总额"),
    ("project_expenditure", "项目支出总额"),
)
_SIGNOFF_LAYOUT = (
    (("preparer", "填表人"), ("reviewer", "审核人"), ("unit_head", "单位负责人")),
    (("finance_head", "财务负责人"), ("project_lead", "项目负责人"), ("contact", "联系人")),
    (("phone", "联系电话"), ("date", "填报日期")),
)
_TICK_ON, _TICK_OFF = "☑", "☐"
_INVALID_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


_shown_text = shown_text


def _num(value: Decimal) -> int | float | str:
    if not value.is_finite():
        return str(value)
    if value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    f = float(value)
    return f if math.isfinite(f) else str(value)


def _plain(value: Decimal) -> str:
    """A Decimal as plain text without exponent: 2E+1 → 20."""
    return format(value, "f") if value.is_finite() else str(value)


def default_title(form: Form) -> str:
    """The title written when the form has none."""
    kind = "部门整体支出" if form.form_kind is FormKind.DEPARTMENT else "项目支出"
    return f"{form.year} 年度{kind}绩效自评表" if form.year is not None else f"{kind}绩效自评表"


def _unit_label(form: Form) -> str:
    return "单位名称" if form.form_kind is FormKind.DEPARTMENT else "项目实施单位"


def _tick_text(key: str, ticked: Sequence[str]) -> str:
    return "  ".join(f"{_TICK_ON if opt in ticked else _TICK_OFF}{opt}" for opt in TICK_GROUPS[key])


def _units(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def sheet_title(name: str, used: set[str]) -> str:
    """A valid, unique sheet title (≤31 chars, none of []:*?/\\); adds its lower-case form to ``used``."""
    base = _INVALID_SHEET_CHARS.sub("_", ILLEGAL_CHARACTERS_RE.sub("", name)).strip().strip("'").strip()
    if not base:
        base = "表"
    if base.lower() == "history":  # reserved by Excel
        base += "_"
    if base.lower().startswith(HIDDEN_SHEET):  # reserved for the exact data
        base = "表" + base
    base = base[:31]
    title, n = base, 1
    while title.lower() in used:
        n += 1
        suffix = f"({n})"
        title = base[: 31 - len(suffix)] + suffix
    used.add(title.lower())
    return title


class _Layout:
    """Writes cells with the form's styles and keeps track of row heights."""

    def __init__(self, ws: Worksheet, widths: Sequence[int]) -> None:
        self.ws = ws
        self.widths = list(widths)
        self.last = len(widths)
        self.lines: dict[int, int] = {}

    def put(
        self,
        row: int,
        col: int,
        value: Any,
        *,
        to_col: int | None = None,
        to_row: int | None = None,
        number: bool = False,
        head: bool = False,
        center: bool = False,
        size: float = 11,
        border: bool = True,
    ) -> None:
        to_col = to_col or col
        to_row = to_row or row
        cell = self.ws.cell(row=row, column=col)
        if number and isinstance(value, Decimal):
            cell.value = _num(value)
            cell.number_format = "General"
        elif value is not None:
            cell.value = _shown_text(str(value))
            cell.data_type = "s"  # never a formula, even for "=100%"
            cell.number_format = "@"
        else:
            cell.number_format = "General" if number else "@"
        cell.font = Font(name=FONT_NAME, size=size, bold=head)
        cell.alignment = Alignment(
            horizontal="center" if (head or center or number) else "left",
            vertical="center",
            wrap_text=True,
        )
        if head:
            cell.fill = _FILL
        if border:
            cell.border = _BORDER
        if to_col != col or to_row != row:
            if border:  # style every cell of the range so that all edges get a border
                for r in range(row, to_row + 1):
                    for c in range(col, to_col + 1):
                        self.ws.cell(row=r, column=c).border = _BORDER
            self.ws.merge_cells(start_row=row, start_column=col, end_row=to_row, end_column=to_col)
        if to_row == row and value is not None and not number:
            width = sum(self.widths[c - 1] for c in range(col, to_col + 1))
            per_line = max(1, width - 2)
            text = str(value)
            lines = sum(max(1, math.ceil(_units(part) / per_line)) for part in text.split("\n"))
            self.lines[row] = max(self.lines.get(row, 1), lines)

    def label(self, row: int, col: int, text: str, **kw: Any) -> None:
        self.put(row, col, text, head=True, **kw)

    def finish(self) -> None:
        for row, lines in self.lines.items():
            if self.ws.row_dimensions[row].height is None:
                self.ws.row_dimensions[row].height = min(409, max(20, 14.5 * lines + 6))


def _merge_runs(values: Sequence[str]) -> Iterator[tuple[int, int]]:
    """(start, end) index runs of equal non-empty consecutive values."""
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            if values[start]:
                yield start, i - 1
            start = i


_TABLE_HEADS = (
    "一级指标",
    "二级指标",
    "三级指标",
    "年初目标值(A)",
    "实际完成值(B)",
    "分值",
    "得分",
    "得分理由",
    "偏差原因分析",
)


def form_sheet(ws: Worksheet, form: Form) -> None:
    """Lay out one form on an empty worksheet and record its exact data in the hidden sheet.

    Top to bottom, as the printed form: title, header fields, tick boxes, 预算执行情况, each
    年度绩效目标 with its indicator table, 总分, the two narratives, the sign-off.
    """
    extras = [e for e in _EXTRA if any(getattr(i, e[0]) for i in form.indicators)]
    lay = _Layout(ws, [*_WIDTHS, *(e[2] for e in extras)])
    for c, width in enumerate(lay.widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    row = _head(ws, lay, form)
    row = _budget_block(lay, form, row)
    for n, goal in enumerate(form.goals or (Goal(),), start=1):
        row = _goal_table(ws, lay, form, n, goal, extras, row)
    row = _tail(lay, form, row)
    lay.finish()
    _print_setup(ws, lay.last, row)
    _record_exact(ws, form)


def _head(ws: Worksheet, lay: _Layout, form: Form) -> int:
    """Title, subtitle, header fields and tick boxes; the next free row."""
    last = lay.last
    lay.put(1, 1, form.title or default_title(form), to_col=last, head=True, size=16, border=False)
    ws.cell(row=1, column=1).fill = PatternFill()
    ws.row_dimensions[1].height = 30
    lay.put(2, 1, f"（{form.project_name}）", to_col=last, center=True, size=12, border=False)
    ws.row_dimensions[2].height = 20
    lay.label(3, 1, "项目名称")
    lay.put(3, 2, form.project_name, to_col=last)
    lay.label(4, 1, "主管部门")
    lay.put(4, 2, form.department, to_col=3)
    lay.label(4, 4, _unit_label(form))
    lay.put(4, 5, form.implementing_unit, to_col=last)
    lay.label(5, 1, "年度")
    lay.put(5, 2, Decimal(form.year) if form.year is not None else None, to_col=3, number=True)
    lay.label(5, 4, "规则集")
    lay.put(5, 5, form.rules or "", to_col=last)
    row = 6
    has_ticks = any(form.ticks.group(k) for k in TICK_GROUPS)
    if form.form_kind is FormKind.PROJECT or has_ticks:
        for key in TICK_GROUPS:
            lay.label(row, 1, TICK_GROUP_LABELS[key])
            lay.put(row, 2, _tick_text(key, form.ticks.group(key)), to_col=last)
            row += 1
    return row


def _budget_block(lay: _Layout, form: Form, row: int) -> int:
    """预算执行情况（万元）: the heading row, the amounts, the sub-rows; the next free row."""
    last = lay.last
    b = form.budget
    subrows = [(label, getattr(b, key)) for key, label in _SUBROWS if getattr(b, key) is not None]
    top = row
    lay.label(row, 1, "预算执行情况（万元）", to_row=row + 1 + len(subrows))
    for c, text in enumerate(
        ("", "年初预算数", "预算数(A)", "执行数(B)", "执行率(B/A)", "分值", "得分", "得分理由"), start=2
    ):
        lay.label(row, c, text, to_col=last if c == 9 else None)
    row += 1
    lay.put(row, 2, b.label, center=True)
    for c, value in ((3, b.initial), (4, b.planned), (5, b.executed)):
        lay.put(row, c, value, number=True)
    lay.put(row, 6, b.rate_text, center=True)
    lay.put(row, 7, b.weight, number=True)
    lay.put(row, 8, b.recorded.score if b.recorded else None, number=True)
    lay.put(row, 9, b.recorded.reason if b.recorded else "", to_col=last)
    for label, value in subrows:
        row += 1
        lay.put(row, 2, label, center=True)
        lay.put(row, 3, None, number=True)
        lay.put(row, 4, value, number=True)
        for c in range(5, 9):
            lay.put(row, c, None)
        lay.put(row, 9, None, to_col=last)
    assert row == top + 1 + len(subrows)
    return row + 1


def _goal_table(
    ws: Worksheet, lay: _Layout, form: Form, n: int, goal: Goal, extras: list[tuple[str, str, int]], row: int
) -> int:
    """年度绩效目标 n and its indicator table, 一级/二级 cells merged down; the next free row."""
    if form.goals:
        weight = f"（{_plain(goal.weight)}分）" if goal.weight is not None else ""
        lay.label(row, 1, f"年度绩效目标 {n}{weight}")
        lay.put(row, 2, goal.text, to_col=lay.last)
        row += 1
    for c, text in enumerate([*_TABLE_HEADS, *(e[1] for e in extras)], start=1):
        lay.label(row, c, text)
    row += 1
    first = row
    for ind in goal.indicators:
        values: list[Any] = [ind.level1, ind.level2, ind.name, ind.target, ind.actual]
        for c, value in enumerate(values, start=1):
            lay.put(row, c, value, center=c != 3)
        lay.put(row, 6, ind.weight, number=True)
        lay.put(row, 7, ind.recorded.score if ind.recorded else None, number=True)
        lay.put(row, 8, ind.recorded.reason if ind.recorded else "")
        lay.put(row, 9, ind.deviation)
        for c, (key, _, _) in enumerate(extras, start=10):
            value = getattr(ind, key)
            lay.put(row, c, DIRECTION_LABELS.get(value, value) if key == "direction" else value, center=True)
        row += 1
    inds = goal.indicators
    for s, e in _merge_runs([i.level1 for i in inds]):
        if e > s:
            ws.merge_cells(start_row=first + s, start_column=1, end_row=first + e, end_column=1)
    for s, e in _merge_runs([f"{i.level1}\x00{i.level2}" if i.level2 else "" for i in inds]):
        if e > s:
            ws.merge_cells(start_row=first + s, start_column=2, end_row=first + e, end_column=2)
    return row


def _tail(lay: _Layout, form: Form, row: int) -> int:
    """总分, the two narratives and the sign-off; the next free row."""
    last = lay.last
    lay.label(row, 1, "总分", to_col=6)
    lay.put(row, 7, form.total_recorded, number=True, head=True)
    lay.put(row, 8, None, to_col=last)
    row += 1
    for label, text in (
        ("偏差大或目标未完成原因分析", form.deviation_analysis),
        ("改进措施及结果应用方案", form.improvement_measures),
    ):
        lay.label(row, 1, label)
        lay.put(row, 2, text, to_col=last)
        lay.lines[row] = max(lay.lines.get(row, 1), 3)
        row += 1
    for fields_row in _SIGNOFF_LAYOUT:
        spans = ((1, 2, 3), (4, 5, 7), (8, 9, last))
        for (key, label), (lc, vc, vend) in zip(fields_row, spans, strict=False):
            lay.label(row, lc, label)
            lay.put(row, vc, getattr(form.signoff, key), to_col=vend)
        if len(fields_row) < len(spans):
            for lc, _, vend in spans[len(fields_row) :]:
                lay.put(row, lc, None, to_col=vend)
        row += 1
    return row


def _print_setup(ws: Worksheet, last: int, row: int) -> None:
    """A4 landscape, one page wide, the title rows repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_title_rows = "1:2"
    ws.print_area = f"A1:{get_column_letter(last)}{row - 1}"
    ws.sheet_view.zoomScale = 100


def _record_exact(ws: Worksheet, form: Form) -> None:
    wb = ws.parent
    if HIDDEN_SHEET in wb.sheetnames:
        hidden = wb[HIDDEN_SHEET]
    else:
        hidden = wb.create_sheet(HIDDEN_SHEET)
        hidden.sheet_state = "hidden"
        hidden["A1"] = HIDDEN_MARK
        hidden["B1"] = "jixiao 写入的精确数据（请勿修改）；读取时，与可见单元格一致的字段取这里的精确值"
    text = json.dumps(form_to_dict(form), ensure_ascii=True, separators=(",", ":"))
    chunks = [text[i : i + _CHUNK] for i in range(0, len(text), _CHUNK)] or [""]
    target = hidden.max_row + 1
    for r in range(2, hidden.max_row + 1):
        if hidden.cell(row=r, column=1).value == ws.title:
            target = r
            for c in range(2, hidden.max_column + 1):
                hidden.cell(row=r, column=c).value = None
            break
    put(hidden.cell(row=target, column=1), ws.title)
    for c, chunk in enumerate(chunks, start=2):
        cell = hidden.cell(row=target, column=c)
        cell.value = chunk
        cell.data_type = "s"


def write_workbook(forms: Sequence[Form], path: Path) -> None:
    """Write the forms to one workbook, one sheet each (titled after the project), atomically."""
    if not forms:
        raise ValueError("没有要写出的表单")
    wb = Workbook()
    used: set[str] = set()
    sheets: list[Worksheet] = []
    for i, form in enumerate(forms):
        title = sheet_title(form.project_name, used)
        if i == 0:
            ws = wb.active
            ws.title = title
        else:
            ws = wb.create_sheet(title)
        sheets.append(ws)
    for ws, form in zip(sheets, forms, strict=True):
        form_sheet(ws, form)
    wb.move_sheet(HIDDEN_SHEET, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(HIDDEN_SHEET))
    wb.active = 0
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
