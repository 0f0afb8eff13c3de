"""Import self-evaluation forms from published final-accounts documents (部门决算公开).

``parse_disclosure(text, source)`` finds every 项目支出 / 部门整体支出绩效自评表 in
the text of a published document and returns each as an :class:`ImportedForm`:
the :class:`scorer.model.Form` and a :class:`FormReport` saying which rows were
recovered, which lines could not be placed (with their raw text and why) and
which fields stayed empty. ``read_disclosure(path)`` does the same for a file:
text (tab-separated, laid out with spaces, or drawn with ``|``), HTML (lxml), Word
.docx (python-docx), PDF (pdfplumber) or an xlsx workbook (through
:func:`jixiao.xlsx.read_workbook`); each document reader gives the parser the same
grid of rows and cells (:func:`scan_rows`).

The rules the reader follows are listed in :mod:`jixiao.disclosure.parser`.
This package is pure: it imports only the scoring core and the standard library
(lxml, python-docx, pdfplumber and openpyxl are imported only when such a file is given).
"""

from jixiao.disclosure.files import read_disclosure
from jixiao.disclosure.parser import parse_disclosure, scan_disclosure, scan_rows
from jixiao.disclosure.report import DisclosureResult, FormReport, ImportedForm, Unassigned, render

__all__ = [
    "DisclosureResult",
    "FormReport",
    "ImportedForm",
    "Unassigned",
    "parse_disclosure",
    "read_disclosure",
    "render",
    "scan_disclosure",
    "scan_rows",
]
