"""Read a published document from a file: text (tabs, spaces or `|`), HTML, Word .docx, PDF (via
pdftotext -layout) or xlsx."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from jixiao.disclosure.documents import DocumentError, docx_lines, html_lines, pipe_lines
from jixiao.disclosure.parser import scan_disclosure
from jixiao.disclosure.report import DisclosureResult, FormReport, ImportedForm, empty_fields
from jixiao.disclosure.text import NotText, decode
from jixiao.files import os_reason

MAX_BYTES = 50_000_000
PDFTOTEXT_TIMEOUT = 120


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
        return _from_lines(
            source, lambda: docx_lines(data), "由 python-docx 读取 Word 文档中的表格；行号指表格各行依次排列后的行"
        )
    if suffix == ".xlsx" or data.startswith(b"PK\x03\x04"):
        return _from_workbook(path)
    if suffix == ".pdf" or data.startswith(b"%PDF-"):
        return _from_pdf(path)
    try:
        text = decode(data)
    except NotText as exc:
        return DisclosureResult(source, errors=[f"不是文本文件：{exc}"])
    if suffix in (".html", ".htm") or _HTML.match(text):
        return _from_lines(source, lambda: html_lines(text), "由 lxml 读取 HTML 表格；行号指表格各行依次排列后的行")
    piped = pipe_lines(text)
    if piped is not None:
        result = scan_disclosure("\n".join(piped), source)
        result.notes.insert(0, "按「|」分隔的表格读取")
        return result
    return scan_disclosure(text, source)


_HTML = re.compile(r"\s*(<!doctype html|<html|<table|<body)", re.I)


def _from_lines(source: str, read: Callable[[], list[str]], how: str) -> DisclosureResult:
    try:
        lines = read()
    except DocumentError as exc:
        return DisclosureResult(source, errors=[str(exc)])
    result = scan_disclosure("\n".join(lines), source)
    result.notes.insert(0, how)
    return result


def _from_pdf(path: Path) -> DisclosureResult:
    source = str(path)
    exe = shutil.which("pdftotext")
    if exe is None:
        return DisclosureResult(
            source,
            errors=["读取 PDF 需要 pdftotext（poppler-utils）；也可先运行 pdftotext -layout 文件.pdf 再导入文本"],
        )
    try:
        done = subprocess.run(
            [exe, "-layout", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            timeout=PDFTOTEXT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return DisclosureResult(source, errors=[f"pdftotext 运行失败：{exc}"])
    if done.returncode != 0:
        msg = done.stderr.decode("utf-8", "replace").strip().splitlines()
        return DisclosureResult(source, errors=[f"pdftotext 无法读取此 PDF：{msg[-1] if msg else done.returncode}"])
    result = scan_disclosure(done.stdout.decode("utf-8", "replace"), source)
    result.notes.insert(0, "由 pdftotext -layout 提取文本后读取；行号指提取出的文本")
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
