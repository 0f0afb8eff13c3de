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

from jixiao.xlsx.errors import HIDDEN_SHEET, MAX_UNCOMPRESSED, XlsxError
from jixiao.xlsx.exact import form_to_dict
from jixiao.xlsx.workbook import read_workbook
from jixiao.xlsx.write import form_sheet, sheet_title, write_workbook

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
