"""Excel workbooks in the layout of the published self-evaluation form.

``write_workbook`` lays out each Form on its own sheet the way finance staff
know it from the printed Hubei/national 项目支出绩效自评表: title, header
fields, tick boxes, the 预算执行情况 block, one table per 年度绩效目标 with the
一级/二级 cells merged vertically, 总分, the two narratives and the sign-off.
``read_workbook`` reads such sheets back by *locating the labels*, not by fixed
coordinates, so a hand-made workbook in the same layout reads as well.

Exact numbers
-------------
Excel stores numbers as IEEE doubles (openpyxl even writes them with 16
significant digits), so a visible numeric cell cannot carry an exact
``Decimal``. Each written workbook therefore also holds a hidden sheet
``_jixiao`` with the exact canonical data of every form (the form-file
structure of docs/form-format.md as JSON, Decimals as strings).

Reading always starts from the *visible* cells, so edits made in Excel/WPS are
honoured. The hidden data is used only field by field, where the visible value
is what jixiao itself would have shown for the exact value: a number whose
visible double equals the exact decimal as a spreadsheet keeps it (the double
itself, or rounded to the 16 digits openpyxl writes or the 15 digits Excel and
LibreOffice keep when they re-save), a text equal to the exact text (ignoring
whitespace and characters Excel cannot store), the same ticked boxes. There the
exact value wins; everywhere else the visible value wins. Goals and indicators
are paired by position, or by (一级, 二级, 三级) when rows were added or removed.
The hidden data is found by sheet title, or by project name if the sheet was
renamed; malformed hidden data is ignored. A hand-made workbook without
``_jixiao`` reads from the visible cells alone; numbers then come from the
shortest decimal text of the double (``24.7`` stays 24.7).

Merged 一级/二级 cells carry down. In a hand-made sheet (no ``_jixiao``) a blank
一级/二级 cell also repeats the one above; jixiao's own sheets merge such cells,
so there a blank cell means an empty level.

Targets and actuals are written as text cells (number format ``@``) so that
``100%`` or ``12`` never turn into numbers; a hand-typed number is read back as
text (``100``; ``0.95`` formatted as a percentage becomes ``95%``).

Bad input raises :class:`XlsxError` naming the file, sheet and cell; reading is
all-or-nothing per file and never modifies it.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import secrets
import struct
import unicodedata
import warnings
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import fields, is_dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.cells_out import put, shown_text
from jixiao.files import os_reason
from jixiao.form_labels import (
    BUDGET_SUBROWS,
    HEADER_LABELS,
    SIGNOFF_LABELS,
    TICK_LABELS,
    TOTAL_LABELS,
    YEAR_LABELS,
    budget_key,
    canon,
    indicator_key,
    nfkc,
)
from scorer.direction import DIRECTION_LABELS
from scorer.errors import JixiaoError
from scorer.model import (
    TICK_GROUP_LABELS,
    TICK_GROUPS,
    Budget,
    Form,
    FormKind,
    Goal,
    Indicator,
    Recorded,
    SignOff,
    Ticks,
)
from scorer.numbers import out_of_range

__all__ = [
    "HIDDEN_SHEET",
    "MAX_UNCOMPRESSED",
    "XlsxError",
    "form_sheet",
    "form_to_dict",
    "read_workbook",
    "sheet_title",
    "write_workbook",
]

HIDDEN_SHEET = "_jixiao"
HIDDEN_MARK = "jixiao-xlsx/1"
FORMAT = "jixiao-form/1"

MAX_UNCOMPRESSED = 100 * 1024 * 1024  # total size of all zip members, bytes
MAX_MEMBERS = 10_000
MAX_MERGED_CELLS = 100_000  # openpyxl materialises every cell of a merged range
_CHUNK = 30_000

FONT_NAME = "宋体"


class XlsxError(JixiaoError, ValueError):
    """A workbook that cannot be read; names the file, sheet, cell and text found."""

    def __init__(
        self,
        file: str,
        message: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        text: str | None = None,
    ) -> None:
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column  # Excel column letters, e.g. "D"
        self.text = text
        self.detail = message
        parts = [file]
        if sheet is not None:
            parts.append(f"工作表「{sheet}」")
        where = self.cell
        if where:
            parts.append(f"{where}「{text}」" if text else where)
        elif text:
            parts.append(f"「{text}」")
        parts.append(message)
        super().__init__("：".join(parts))

    @property
    def cell(self) -> str:
        """The location as Excel shows it: "D12", or "第 12 行" when only the row is known."""
        if self.column and self.row:
            return f"{self.column}{self.row}"
        if self.row:
            return f"第 {self.row} 行"
        return self.column or ""


# --------------------------------------------------------------------------- exact data


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def form_to_dict(form: Form) -> dict[str, Any]:
    """The form-file structure (docs/form-format.md) of a Form; Decimals as exact strings.

    ``scorer.formfile.form_from_dict`` reads it back.
    """

    def recorded(r: Recorded | None) -> dict[str, Any]:
        return {} if r is None else {"score": _dec(r.score), "score_reason": r.reason}

    b = form.budget
    return {
        "format": FORMAT,
        "form_kind": form.form_kind.value,
        "title": form.title,
        "year": form.year,
        "project_name": form.project_name,
        "department": form.department,
        "implementing_unit": form.implementing_unit,
        "rules": form.rules,
        "total_score": _dec(form.total_recorded),
        "deviation_analysis": form.deviation_analysis,
        "improvement_measures": form.improvement_measures,
        "ticks": {key: list(form.ticks.group(key)) for key in TICK_GROUPS},
        "budget": {
            "label": b.label,
            "planned": _dec(b.planned),
            "executed": _dec(b.executed),
            "rate": b.rate_text,
            "initial": _dec(b.initial),
            "weight": _dec(b.weight),
            **recorded(b.recorded),
            "fiscal": _dec(b.fiscal),
            "carryover": _dec(b.carryover),
            "other": _dec(b.other),
            "basic_expenditure": _dec(b.basic_expenditure),
            "project_expenditure": _dec(b.project_expenditure),
        },
        "goals": [
            {
                "text": g.text,
                "weight": _dec(g.weight),
                "indicators": [
                    {
                        "level1": i.level1,
                        "level2": i.level2,
                        "name": i.name,
                        "target": i.target,
                        "actual": i.actual,
                        "weight": _dec(i.weight),
                        **recorded(i.recorded),
                        "adjusted_target": i.adjusted_target,
                        "deviation": i.deviation,
                        "direction": i.direction,
                        **({"uid": i.uid} if i.uid else {}),
                        **({"sub": True} if i.sub else {}),
                    }
                    for i in g.indicators
                ],
            }
            for g in form.goals
        ],
        "signoff": {f.name: getattr(form.signoff, f.name) for f in fields(SignOff)},
    }


def _exact_form(data: Any) -> Form | None:
    """Rebuild a Form from ``form_to_dict`` output exactly, without normalising; None if malformed."""

    def num(v: Any) -> Decimal | None:
        return None if v is None else Decimal(v)

    def s(v: Any) -> str:
        if not isinstance(v, str):
            raise TypeError
        return v

    def recorded(d: dict[str, Any]) -> Recorded | None:
        score = d.get("score")
        return None if score is None else Recorded(Decimal(score), s(d.get("score_reason", "")))

    try:
        b = data["budget"]
        rules = data.get("rules")
        year = data.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise TypeError
        return Form(
            project_name=s(data["project_name"]),
            department=s(data["department"]),
            implementing_unit=s(data["implementing_unit"]),
            year=year,
            form_kind=FormKind(data["form_kind"]),
            rules=None if rules is None else s(rules),
            title=s(data["title"]),
            ticks=Ticks(**{k: tuple(s(x) for x in data["ticks"][k]) for k in TICK_GROUPS}),
            budget=Budget(
                label=s(b["label"]),
                planned=num(b["planned"]),
                executed=num(b["executed"]),
                rate_text=s(b["rate"]),
                initial=num(b["initial"]),
                weight=num(b["weight"]),
                recorded=recorded(b),
                fiscal=num(b["fiscal"]),
                carryover=num(b["carryover"]),
                other=num(b["other"]),
                basic_expenditure=num(b["basic_expenditure"]),
                project_expenditure=num(b["project_expenditure"]),
            ),
            goals=tuple(
                Goal(
                    text=s(g["text"]),
                    weight=num(g["weight"]),
                    indicators=tuple(
                        Indicator(
                            level1=s(i["level1"]),
                            level2=s(i["level2"]),
                            name=s(i["name"]),
                            target=s(i["target"]),
                            actual=s(i["actual"]),
                            weight=num(i["weight"]),
                            recorded=recorded(i),
                            adjusted_target=s(i["adjusted_target"]),
                            deviation=s(i["deviation"]),
                            direction=s(i["direction"]),
                            uid=s(i.get("uid", "")),
                            sub=i.get("sub") is True,
                        )
                        for i in g["indicators"]
                    ),
                )
                for g in data["goals"]
            ),
            total_recorded=num(data["total_score"]),
            deviation_analysis=s(data["deviation_analysis"]),
            improvement_measures=s(data["improvement_measures"]),
            signoff=SignOff(**{f.name: s(data["signoff"][f.name]) for f in fields(SignOff)}),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError):
        return None


# --------------------------------------------------------------------------- writing

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


def form_sheet(ws: Worksheet, form: Form) -> None:
    """Lay out one form on an empty worksheet and record its exact data in the hidden sheet."""
    extras = [e for e in _EXTRA if any(getattr(i, e[0]) for i in form.indicators)]
    lay = _Layout(ws, [*_WIDTHS, *(e[2] for e in extras)])
    last = lay.last
    for c, width in enumerate(lay.widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width

    # Title and subtitle.
    lay.put(1, 1, form.title or default_title(form), to_col=last, head=True, size=16, border=False)
    ws.cell(row=1, column=1).fill = PatternFill()
    ws.row_dimensions[1].height = 30
    lay.put(2, 1, f"（{form.project_name}）", to_col=last, center=True, size=12, border=False)
    ws.row_dimensions[2].height = 20

    # Header fields.
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

    # 预算执行情况（万元）.
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
    row += 1

    # 年度绩效目标 and their indicator tables.
    heads = [
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
    heads += [e[1] for e in extras]
    header_rows: list[int] = []
    goals = form.goals or (Goal(),)
    for n, goal in enumerate(goals, start=1):
        if form.goals:
            weight = f"（{_plain(goal.weight)}分）" if goal.weight is not None else ""
            lay.label(row, 1, f"年度绩效目标 {n}{weight}")
            lay.put(row, 2, goal.text, to_col=last)
            row += 1
        for c, text in enumerate(heads, start=1):
            lay.label(row, c, text)
        header_rows.append(row)
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

    # 总分, narratives, sign-off.
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
    lay.finish()

    # Print setup: A4 landscape, one page wide, title rows repeated.
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
    _record_exact(ws, form)


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


# --------------------------------------------------------------------------- reading helpers

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
    "等于": "equal",
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
        cleaned = _WS.sub("", nfkc(raw)).replace(",", "")
        if suffix:
            cleaned = re.sub(f"(?:{suffix})$", "", cleaned)
        try:
            value = Decimal(cleaned)
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


class _FormReader:
    """Reads one form sheet.

    ``carry_blanks``: a blank 一级/二级 cell repeats the one above (hand-made sheets). jixiao's
    own sheets merge those cells instead, so for them a blank cell means an empty level.
    """

    def __init__(self, sheet: _Sheet, carry_blanks: bool = True) -> None:
        self.s = sheet
        self.carry_blanks = carry_blanks
        self.kinds: dict[int, str] = {}
        table_left: int | None = None  # leftmost column of the current indicator header
        for r in sorted(sheet.by_row):
            kind = self._kind(r)
            if kind == "header":
                table_left = sheet.first_col(r)
            elif kind in ("info", "signoff") and table_left is not None and sheet.first_col(r) > table_left:
                # an indicator row under merged 一级 cells whose first text happens to be a label word
                kind = None
            elif kind is not None:
                table_left = None
            if kind:
                self.kinds[r] = kind
        self.sections = sorted(self.kinds)

    # ---- row classification
    def _kind(self, r: int) -> str | None:
        s = self.s
        for c in s.by_row[r]:
            if canon(s.text(r, c)).startswith("一级指标"):
                return "header"
        text = s.text(r, s.first_col(r))
        label, _ = _split_label(text)
        if _goal_label(text)[0]:
            return "goal"
        if canon(text).startswith("预算执行"):
            return "budget"
        if label in TOTAL_LABELS:
            return "total"
        if _is_deviation_label(label):
            return "deviation"
        if label.startswith("改进措施"):
            return "improve"
        if any(label in v for v in SIGNOFF_LABELS.values()):
            return "signoff"
        if label in TICK_LABELS or any(label in v for v in _HEADER_FIELDS.values()):
            return "info"
        return None

    def _block_end(self, r: int) -> int:
        """Last row of the block starting at section row r."""
        later = [x for x in self.sections if x > r]
        return (later[0] - 1) if later else self.s.max_row

    def _rows(self, start: int, end: int) -> list[int]:
        return [r for r in sorted(self.s.by_row) if start <= r <= end]

    def _find(self, aliases: Sequence[str], rows: Sequence[int]) -> tuple[int, int] | None:
        s = self.s
        for r in rows:
            for c in s.by_row.get(r, ()):
                if _split_label(s.text(r, c))[0] in aliases:
                    return r, c
        return None

    # ---- the whole form
    def read(self) -> Form | None:
        s = self.s
        headers = [r for r in self.sections if self.kinds[r] == "header"]
        free = [r for r in sorted(s.by_row) if self.kinds.get(r) in ("info", "signoff", None)]
        table_rows: set[int] = set()
        for r in self.sections:
            if self.kinds[r] in ("header", "budget"):
                table_rows.update(self._rows(r + 1, self._block_end(r)))
        free = [r for r in free if r not in table_rows]
        pn = self._find(_HEADER_FIELDS["project_name"], free)
        if not headers:
            if pn is None:
                return None  # not a form sheet (e.g. notes)
            raise s.fail(
                "找不到「一级指标」表头行；应有 一级指标 / 二级指标 / 三级指标 / 年初目标值 / 实际完成值 … 的表头"
            )
        if pn is None:
            raise s.fail("找不到「项目名称」；表头部分应有 项目名称 及其内容")
        project_name, _ = s.value_after(*pn)  # empty: named below, or warned about by the engine

        def header(key: str) -> tuple[str, tuple[int, int] | None]:
            at = self._find(_HEADER_FIELDS[key], free)
            if at is None:
                return "", None
            value, col = s.value_after(*at)
            return value, (at[0], col) if col else None

        department, _ = header("department")
        unit, _ = header("implementing_unit")
        has_unit_label = self._find(_HEADER_FIELDS["implementing_unit"], free) is not None
        if not has_unit_label:
            unit, _ = header("unit_name")
        rules, _ = header("rules")
        year_text, year_at = header("year")
        title = self._title()
        if has_unit_label:
            kind = FormKind.PROJECT
        elif self._find(_HEADER_FIELDS["unit_name"], free) is not None or "整体" in title:
            kind = FormKind.DEPARTMENT
        else:
            kind = FormKind.PROJECT
        if not project_name and kind is FormKind.DEPARTMENT:
            project_name = department or unit  # a 部门整体支出 form is named after its department

        budget = Budget()
        goals: list[Goal] = []
        total: Decimal | None = None
        deviation = improvement = ""
        pending: dict[str, Any] | None = None  # the goal being collected
        collected: list[dict[str, Any]] = []
        for r in self.sections:
            kind_r = self.kinds[r]
            if kind_r == "budget":
                budget = self._budget(r, self._block_end(r))
            elif kind_r == "goal":
                pending = self._goal(r)
                collected.append(pending)
            elif kind_r == "header":
                if pending is None:  # a table without a 年度绩效目标 row above it
                    pending = {"text": "", "weight": None, "indicators": [], "implicit": True}
                    collected.append(pending)
                pending["indicators"].extend(self._table(r, self._block_end(r)))
            elif kind_r == "total":
                _, col = s.value_after(r, s.first_col(r), stop_at_labels=False)
                total = s.number(r, col, "总分")
            elif kind_r in ("deviation", "improve"):
                text, _ = s.value_after(r, s.first_col(r), stop_at_labels=False)
                if kind_r == "deviation":
                    deviation = text
                else:
                    improvement = text
        for g in collected:
            if g.get("implicit") and not g["indicators"]:
                continue
            goals.append(Goal(text=g["text"], weight=g["weight"], indicators=tuple(g["indicators"])))

        signoff = {}
        for key, aliases in SIGNOFF_LABELS.items():
            at = self._find(aliases, free)
            signoff[key] = s.value_after(*at)[0] if at else ""
        ticks = {}
        for label, key in TICK_LABELS.items():
            at = self._find((label,), free)
            ticks[key] = self._ticks(key, *at) if at else ()

        return Form(
            project_name=project_name,
            department=department,
            implementing_unit=unit,
            year=self._year(year_text, year_at),
            form_kind=kind,
            rules=rules or None,
            title=title,
            ticks=Ticks(**ticks),
            budget=budget,
            goals=tuple(goals),
            total_recorded=total,
            deviation_analysis=deviation,
            improvement_measures=improvement,
            signoff=SignOff(**signoff),
        )

    def _title(self) -> str:
        s = self.s
        first_section = self.sections[0] if self.sections else s.max_row + 1
        for r in self._rows(1, first_section - 1):
            for c in s.by_row[r]:
                text = s.text(r, c)
                if text and not re.fullmatch(r"[（(].*[)）]", text, re.S):
                    return text
        return ""

    def _year(self, text: str, at: tuple[int, int] | None) -> int | None:
        if not text:
            return None
        m = re.fullmatch(r"(\d{4})(?:\.0+)?\s*年?度?", nfkc(text).strip())
        year = int(m.group(1)) if m else None
        if year is None or not 1990 <= year <= 2100:
            r, c = at if at else (None, None)
            raise self.s.fail("年度应为四位年份，如 2024", r, c, text)
        return year

    def _ticks(self, key: str, r: int, c: int) -> tuple[str, ...]:
        s = self.s
        _, inline = _split_label(s.text(r, c))
        parts = [inline] if inline else []
        parts += [s.text(r, c2) for c2 in s.right_of(r, c)]
        text = " ".join(parts)
        has_boxes = any(mark in text for mark in (*_TICKED, *_UNTICKED))
        # "☑部门预算项目 ☐区级专项" puts the box before its option; "部门预算项目√ 区级专项□" after it.
        box_first = text.lstrip().startswith((*_TICKED, *_UNTICKED))
        ticked = []
        for option in TICK_GROUPS[key]:
            pos, name = text.find(option), option
            if pos < 0 and option.endswith("项目"):
                name = option[: -len("项目")]
                pos = text.find(name)
            if pos < 0:
                continue
            before = text[:pos].rstrip()
            after = text[pos + len(name) :].lstrip()
            if name != option and after.startswith("项目"):
                after = after[2:].lstrip()
            if not has_boxes or (before.endswith(_TICKED) if box_first else after.startswith(_TICKED)):
                ticked.append(option)
        return tuple(ticked)

    def _goal(self, r: int) -> dict[str, Any]:
        s = self.s
        c = s.first_col(r)
        text = s.text(r, c)
        _, bracket, inline = _goal_label(text)
        weight = None
        b = _WS.sub("", bracket)
        if b.endswith("分"):
            try:
                weight = Decimal(b[:-1])
            except InvalidOperation:
                raise s.fail("目标分值应为数字，如「年度绩效目标 1（80分）」", r, c, text) from None
        goal_text = inline or s.value_after(r, c, stop_at_labels=False)[0]
        return {"text": goal_text, "weight": weight, "indicators": []}

    def _budget(self, start: int, end: int) -> Budget:
        s = self.s
        label_col = next(c for c in s.by_row[start] if canon(s.text(start, c)).startswith("预算执行"))
        raw_label = nfkc(s.text(start, label_col))
        m = re.search(r"\(\s*([0-9.]+)\s*分\s*\)", raw_label)
        block_weight = Decimal(m.group(1)) if m else None
        rows = self._rows(start, end)
        head_row, cols = None, {}
        for r in rows:
            found: dict[str, int] = {}
            for c in s.by_row[r]:
                if (r, c) == (start, label_col):
                    continue
                key = budget_key(canon(s.text(r, c)))
                if key and key not in found:
                    found[key] = c
            if "planned" in found and "executed" in found:
                # In a header row the labels sit side by side and the values below them;
                # in the printed Hubei style each label is followed by its value.
                nxt = s.right_of(r, found["planned"])
                if not nxt or budget_key(canon(s.text(r, nxt[0]))) is not None:
                    head_row, cols = r, found
                break
        if head_row is None:
            return self._budget_inline(rows, block_weight, (start, label_col))
        data = [r for r in rows if r > head_row]
        mapped = set(cols.values())

        def label_of(r: int) -> tuple[str, int | None]:
            for c in s.by_row[r]:
                if c not in mapped and (r, c) != (start, label_col):
                    return s.text(r, c), c
            return "", None

        main = data[0] if data else None
        b: dict[str, Any] = {"label": "年度财政资金总额", "weight": block_weight}
        if main is not None:
            label, _ = label_of(main)
            if label:
                b["label"] = label
            for key, what in (("initial", "年初预算数"), ("planned", "预算数"), ("executed", "执行数")):
                b[key] = s.number(main, cols.get(key), what, "万元")
            b["rate_text"] = s.text(main, cols["rate"]) if "rate" in cols else ""
            if "weight" in cols and s.text(main, cols["weight"]):
                b["weight"] = s.number(main, cols["weight"], "预算执行分值")
            score = s.number(main, cols.get("score"), "预算执行得分")
            reason = s.text(main, cols["reason"]) if "reason" in cols else ""
            b["recorded"] = self._recorded(score, reason, main, cols.get("reason"))
        for r in data[1:]:
            label, lc = label_of(r)
            key = next((k for word, k in BUDGET_SUBROWS if word in canon(label)), None)
            if key is None:
                raise s.fail(
                    "不认识的预算行；应为 其中：财政拨款 / 上年结转 / 其他资金 / 基本支出总额 / 项目支出总额",
                    r,
                    lc or s.by_row[r][0],
                    label or s.text(r, s.by_row[r][0]),
                )
            col = next(
                (cols[k] for k in ("planned", "initial", "executed") if k in cols and s.text(r, cols[k])),
                None,
            )
            if col is None:
                col = next((c for c in s.by_row[r] if c != lc), None)
            b[key] = s.number(r, col, label, "万元")
        return Budget(**b)

    def _budget_inline(self, rows: list[int], block_weight: Decimal | None, label_at: tuple[int, int]) -> Budget:
        """Hubei printed style: 预算数： | 20 | 执行数： | 24.7 | 执行率： | 123.5% | 得分 | 20 side by side."""
        s = self.s
        found: dict[str, tuple[int, int | None, str]] = {}
        for r in rows:
            for c in s.by_row[r]:
                if (r, c) == label_at:
                    continue
                key = budget_key(_split_label(s.text(r, c))[0])
                if key and key not in found:
                    value, col = s.value_after(r, c)
                    if budget_key(_split_label(value)[0]) is not None:
                        value, col = "", None
                    found[key] = (r, col, value)

        def num(key: str, what: str, suffix: str) -> Decimal | None:
            if key not in found:
                return None
            r, col, _ = found[key]
            return s.number(r, col, what, suffix)

        weight = num("weight", "预算执行分值", "分")
        score = num("score", "预算执行得分", "分")
        reason_at = found.get("reason")
        return Budget(
            planned=num("planned", "预算数", "万元"),
            executed=num("executed", "执行数", "万元"),
            initial=num("initial", "年初预算数", "万元"),
            rate_text=found["rate"][2] if "rate" in found else "",
            weight=weight if weight is not None else block_weight,
            recorded=self._recorded(
                score,
                reason_at[2] if reason_at else "",
                reason_at[0] if reason_at else 0,
                reason_at[1] if reason_at else None,
            ),
        )

    def _recorded(self, score: Decimal | None, reason: str, r: int, c: int | None) -> Recorded | None:
        if score is None:
            if reason:
                raise self.s.fail("写了得分理由却没有得分", r, c, reason)
            return None
        return Recorded(score, reason)

    def _table(self, head: int, end: int) -> list[Indicator]:
        s = self.s
        cols: dict[str, int] = {}
        for c in range(1, s.max_col + 1):
            key = indicator_key(canon(s.resolved(head, c)))
            if key and key not in cols:
                cols[key] = c
        if "name" not in cols:
            raise s.fail("表头行缺少「三级指标」列", head)

        def cell(r: int, key: str) -> str:
            return s.text(r, cols[key]) if key in cols else ""

        out: list[Indicator] = []
        prev1 = prev2 = ""
        for r in self._rows(head + 1, end):
            l1 = s.resolved(r, cols["level1"]) if "level1" in cols else ""
            l2 = s.resolved(r, cols["level2"]) if "level2" in cols else ""
            l1, l2 = _WS.sub("", l1), _WS.sub("", l2)
            if self.carry_blanks:  # blank 一级/二级 cells continue the group above, as merged cells do
                l1 = l1 or prev1
                if not l2 and l1 == prev1:
                    l2 = prev2
            prev1, prev2 = l1, l2
            name = cell(r, "name")
            rest = [
                cell(r, k) for k in ("target", "actual", "weight", "score", "reason", "deviation", "adjusted_target")
            ]
            if not name and not any(rest):
                continue
            if canon(name) in ("合计", "小计", "总计") or (not name and canon(l1) in ("合计", "小计", "总计")):
                continue
            if not name:
                raise s.fail("三级指标名称不能为空", r, cols["name"], "")
            direction_text = cell(r, "direction")
            direction = _DIRECTION_IN.get(direction_text.lower() if direction_text.isascii() else direction_text)
            if direction is None:
                raise s.fail("指标方向应为 正向 / 反向 / 等于 / 定性（或留空）", r, cols["direction"], direction_text)
            score = s.number(r, cols.get("score"), "得分")
            out.append(
                Indicator(
                    level1=l1,
                    level2=l2,
                    name=name,
                    target=cell(r, "target"),
                    actual=cell(r, "actual"),
                    weight=s.number(r, cols.get("weight"), "分值"),
                    recorded=self._recorded(score, cell(r, "reason"), r, cols.get("reason")),
                    adjusted_target=cell(r, "adjusted_target"),
                    deviation=cell(r, "deviation"),
                    direction=direction,
                )
            )
        return out


# --------------------------------------------------------------------------- visible vs exact


def _same_text(visible: str, exact: str) -> bool:
    return _WS.sub("", visible) == _WS.sub("", _shown_text(exact))


def _shown_float(value: Decimal) -> set[float]:
    """The doubles a cell may hold for this exact value: as written (openpyxl keeps 16
    significant digits) and as an office suite re-saves it (Excel/LibreOffice keep 15)."""
    f = float(value)
    return {f, float(f"{f:.16g}"), float(f"{f:.15g}")}


def _prefer(v: Any, h: Any) -> Any:
    """Take the exact value ``h`` wherever the visible ``v`` shows it unchanged."""
    if isinstance(v, Decimal) or isinstance(h, Decimal):
        if isinstance(v, Decimal) and isinstance(h, Decimal) and v.is_finite() and h.is_finite():
            return h if float(v) in _shown_float(h) else v
        return v
    if isinstance(v, str) or isinstance(h, str):
        if isinstance(h, str | None) and isinstance(v, str | None) and _same_text(v or "", h or ""):
            return h
        return v
    if is_dataclass(v) and type(v) is type(h):
        return replace(  # type: ignore[arg-type,type-var]
            v,
            **{
                # an identity is never shown on the sheet: it comes from the hidden copy
                f.name: (getattr(h, f.name) or getattr(v, f.name))
                if f.name == "uid"
                else _prefer(getattr(v, f.name), getattr(h, f.name))
                for f in fields(v)
            },
        )
    if isinstance(v, tuple) and isinstance(h, tuple):
        if all(isinstance(x, str) for x in (*v, *h)):
            return h if sorted(v) == sorted(h) else v
        if len(v) == len(h):
            return tuple(_prefer(a, b) for a, b in zip(v, h, strict=True))
        return tuple(_prefer(a, _match_item(a, h)) for a in v)
    return v


def _key(item: Any) -> Any:
    if isinstance(item, Indicator):
        return (item.level1, item.level2, item.name)
    if isinstance(item, Goal):
        return item.text
    return None


def _match_item(item: Any, pool: tuple[Any, ...]) -> Any:
    same = [x for x in pool if _key(x) == _key(item)]
    return same[0] if len(same) == 1 else None


def _prefer_form(v: Form, h: Form | None) -> Form:
    if h is None:
        return v
    merged: Form = _prefer(v, h)
    if h.title == "" and _same_text(v.title, default_title(h)):
        merged = replace(merged, title="")
    if h.budget.label == "" and v.budget.label == Budget().label:
        merged = replace(merged, budget=replace(merged.budget, label=""))
    return merged


# --------------------------------------------------------------------------- the workbook

_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Za-z]{1,3})(\d{1,7})(?::([A-Za-z]{1,3})(\d{1,7}))?"')


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n


def _check_package(data: bytes, name: str) -> None:
    """Refuse non-xlsx files, damaged zips and zip bombs before openpyxl sees them."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise XlsxError(
            name, "这是旧版 Excel（.xls）文件或加了密码的工作簿；请在 Excel/WPS 中另存为不加密的 .xlsx 后再读"
        )
    if not data.startswith(b"PK"):
        raise XlsxError(name, "不是 xlsx 工作簿（xlsx 是 zip 压缩包，此文件不是）")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise XlsxError(name, f"压缩包内文件过多（{len(infos)} 个）；拒绝读取")
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise XlsxError(
                    name,
                    f"解压后过大（{total} 字节，上限 {MAX_UNCOMPRESSED} 字节）；拒绝读取，可能是压缩炸弹",
                )
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise XlsxError(name, "不是 xlsx 工作簿：压缩包里没有 xl/workbook.xml")
            merged = 0
            for info in infos:
                if not info.filename.endswith((".xml", ".rels", ".vml")):  # is_dir() fails on an empty name
                    continue
                body = zf.read(info)  # also checks the CRC: a damaged member fails here
                if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
                    raise XlsxError(name, f"{info.filename} 含 DTD/实体声明；xlsx 不应有，拒绝读取")
                if info.filename.startswith("xl/worksheets/"):
                    for m in _MERGE_RE.finditer(body):
                        c1, r1 = _col_index(m.group(1)), int(m.group(2))
                        c2 = _col_index(m.group(3)) if m.group(3) else c1
                        r2 = int(m.group(4)) if m.group(4) else r1
                        merged += (abs(r2 - r1) + 1) * (abs(c2 - c1) + 1)
            if merged > MAX_MERGED_CELLS:
                raise XlsxError(name, f"合并单元格范围过大（共 {merged} 格）；拒绝读取")
    except XlsxError:
        raise
    except (
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        RuntimeError,
        OSError,
        ValueError,
        IndexError,
        KeyError,
        struct.error,
    ) as exc:  # zipfile on a damaged central directory raises these too (found by fuzzing)
        raise XlsxError(name, f"文件已损坏或不完整，无法作为 xlsx 打开（{exc}）") from None


def _exact_forms(wb: Any) -> dict[str, Form]:
    if HIDDEN_SHEET not in wb.sheetnames:
        return {}
    hidden = wb[HIDDEN_SHEET]
    if hidden["A1"].value != HIDDEN_MARK:
        return {}
    out: dict[str, Form] = {}
    for row in hidden.iter_rows(min_row=2, values_only=True):
        if not row or not isinstance(row[0], str):
            continue
        text = "".join(x for x in row[1:] if isinstance(x, str))
        try:
            data = json.loads(text, parse_float=Decimal)
        except (ValueError, RecursionError):
            continue
        form = _exact_form(data)
        if form is not None:
            out[row[0]] = form
    return out


def _exact_for(exact: dict[str, Form], title: str, visible: Form) -> Form | None:
    if title in exact:
        return exact[title]
    same = [f for f in exact.values() if f.project_name == visible.project_name]
    return same[0] if len(same) == 1 else None


def _refuse_uncached_formulas(data: bytes, values: Any, name: str) -> None:
    """A formula whose result was never saved would read as blank: name the cell instead."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        if not any(b"<f" in z.read(n) for n in sheets):
            return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        formulas = load_workbook(io.BytesIO(data), read_only=False, data_only=False, keep_links=False)
    try:
        for ws in formulas.worksheets:
            shown = values[ws.title]
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f" and shown[c.coordinate].value is None:
                        raise XlsxError(
                            name,
                            f"工作表「{ws.title}」单元格 {c.coordinate} 是公式（{str(c.value)[:60]}），但文件中没有它的"
                            "计算结果；请在 Excel 中打开、重新计算并保存后再导入，或把公式换成数值",
                        )
    finally:
        formulas.close()


def read_workbook(path: Path) -> list[Form]:
    """Read every form sheet of a workbook; raises XlsxError naming file, sheet and cell."""
    name = str(path)
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_UNCOMPRESSED:
            raise XlsxError(name, f"文件过大（{size} 字节）；拒绝读取")
        data = path.read_bytes()
    except OSError as exc:
        raise XlsxError(name, f"无法读取：{os_reason(exc)}") from None
    _check_package(data, name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            wb = load_workbook(io.BytesIO(data), read_only=False, data_only=True, keep_links=False)
        except Exception as exc:  # openpyxl raises many kinds on damaged parts
            raise XlsxError(
                name, f"无法打开工作簿：文件已损坏或不是 xlsx 格式（{type(exc).__name__}: {exc}）"
            ) from None
    try:
        _refuse_uncached_formulas(data, wb, name)
        exact = _exact_forms(wb)
        found: list[tuple[str, Form]] = []
        for ws in wb.worksheets:
            if ws.sheet_state != "visible" or ws.title.startswith(HIDDEN_SHEET):
                continue
            form = _FormReader(_Sheet(name, ws), carry_blanks=not exact).read()
            if form is not None:
                found.append((ws.title, form))
    finally:
        wb.close()
    if not found:
        raise XlsxError(name, "工作簿中没有可识别的自评表（找不到「一级指标」表头行）")
    return [_prefer_form(form, _exact_for(exact, title, form)) for title, form in found]
