"""Read a published document from a file: text (tabs, spaces or `|`), HTML, Word .docx, PDF or xlsx.

The file's kind is told by its first bytes (``%PDF-``, a zip package) or, for text, by its
suffix and content; each document reader returns the same grid of rows and cells, read by
one parser (:func:`jixiao.disclosure.parser.scan_rows`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from jixiao.disclosure.documents import DocumentError, Rows, docx_rows, html_rows, pipe_rows
from jixiao.disclosure.parser import scan_disclosure, scan_rows
from jixiao.disclosure.report import DisclosureResult, FormReport, ImportedForm, empty_fields
from jixiao.disclosure.text import NotText, decode
from jixiao.files import os_reason

MAX_BYTES = 50_000_000


def read_disclosure(path: Path) -> DisclosureResult:
    """All forms in the file at ``path``; problems are reported in the result, never raised."""
    source = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return DisclosureResult(source, errors=[f"文件过大（{size} 字节，上限 {MAX_BYTES}）"])
        data = path.read_bytes()
    except OSError as exc:
        return DisclosureResult(source, errors=[f"无法读取：{os_reason(exc)}"])
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return _from_rows(source, lambda: docx_rows(data), "由 python-docx 读取 Word 文档中的表格" + _ROWS_NOTE)
    if suffix == ".xlsx" or data.startswith(b"PK\x03\x04"):
        return _from_workbook(path)
    if suffix == ".pdf" or data.startswith(b"%PDF-"):
        return _from_rows(source, lambda: _pdf_rows(data), "由 pdfplumber 读取 PDF 中的表格和文字" + _ROWS_NOTE)
    try:
        text = decode(data)
    except NotText as exc:
        return DisclosureResult(source, errors=[f"不是文本文件：{exc}"])
    if suffix in (".html", ".htm") or _HTML.match(text):
        return _from_rows(source, lambda: html_rows(text), "由 lxml 读取 HTML 表格" + _ROWS_NOTE)
    piped = pipe_rows(text)
    if piped is not None:
        result = scan_rows(piped, source)
        result.notes.insert(0, "按「|」分隔的表格读取；行号即文本的行号")
        return result
    return scan_disclosure(text, source)


_ROWS_NOTE = "；行号指文档中的文字行和表格各行依次排列后的序号"


def _pdf_rows(data: bytes) -> Rows:
    from jixiao.disclosure.pdftables import pdf_rows

    return pdf_rows(data)


_HTML = re.compile(r"\s*(<!doctype html|<html|<table|<body)", re.I)


def _from_rows(source: str, read: Callable[[], Rows], how: str) -> DisclosureResult:
    try:
        rows = read()
    except DocumentError as exc:
        return DisclosureResult(source, errors=[str(exc)])
    result = scan_rows(rows, source)
    result.notes.insert(0, how)
    return result


def _from_workbook(path: Path) -> DisclosureResult:
    source = str(path)
    try:
        from jixiao.xlsx import XlsxError, read_workbook
    except ImportError as exc:  # pragma: no cover - openpyxl is a dependency
        return DisclosureResult(source, errors=[f"无法读取 xlsx：{exc}"])
    try:
        forms = read_workbook(path)
    except XlsxError as exc:
        return DisclosureResult(source, errors=[str(exc)])
    result = DisclosureResult(source)
    for form in forms:
        scored = form.budget.recorded is not None or any(i.recorded is not None for i in form.indicators)
        report = FormReport(
            rows_recovered=len(form.indicators),
            empty_fields=empty_fields(form, scored),
            notes=["由 jixiao.xlsx.read_workbook 从工作簿的单元格读取（按栏目名称定位）"],
            layout="xlsx",
        )
        result.forms.append(ImportedForm(form, report))
    if not forms:
        result.errors.append("工作簿中没有自评表")
    return result


def document_text(path: Path) -> str:
    """The document's words as lines (a table row's cells joined by tabs), for the narrative checks.

    DocumentError when the file cannot be read or holds no words (a workbook has cells, not a 说明).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"无法读取：{os_reason(exc)}") from None
    if len(data) > MAX_BYTES:
        raise DocumentError(f"文件过大（{len(data)} 字节，上限 {MAX_BYTES}）")
    suffix = path.suffix.lower()
    if suffix == ".xlsx" or (data.startswith(b"PK\x03\x04") and suffix != ".docx"):
        raise DocumentError("工作簿中只有表格，没有绩效自评情况说明的文字")
    if suffix == ".docx":
        rows: Rows = docx_rows(data)
    elif suffix == ".pdf" or data.startswith(b"%PDF-"):
        rows = _pdf_rows(data)
    else:
        try:
            text = decode(data)
        except NotText as exc:
            raise DocumentError(f"不是文本文件：{exc}") from None
        if not (suffix in (".html", ".htm") or _HTML.match(text)):
            return text
        rows = html_rows(text)
    return "\n".join(r if isinstance(r, str) else "\t".join(r) for r in rows)
