"""Tables of published documents as rows of cells: HTML (lxml), Word .docx (python-docx), `|` text.

Each reader only finds the table cells, with well-kept libraries; the result is the grid the
disclosure parser reads (:func:`jixiao.disclosure.parser.scan_rows`): a table row is a list of
cells, any other text a line of its own, so the form logic stays in one place.
Merged cells keep their columns: a cell spanning columns is followed by empty cells, a cell
spanning rows leaves empty cells below it (the parser reads a blank 一级/二级 cell as the
merged cell above), and a cell whose text wraps stays one cell.
"""

from __future__ import annotations

import io
import re

from scorer.errors import JixiaoError

_WS = re.compile(r"\s+")

# a table row (its cells, in their columns) or a line of text outside any table
Rows = list[str | list[str]]


class DocumentError(JixiaoError, ValueError):
    """A document that cannot be read as a table (the message is for the user)."""


def cell_text(text: str) -> str:
    """One cell on one line: wrapped lines joined (CJK wraps anywhere, so with nothing between)."""
    parts = [p.strip() for p in text.replace("\t", " ").splitlines()]
    joined = ""
    for p in (p for p in parts if p):
        if joined and joined[-1].isascii() and p[0].isascii() and joined[-1].isalnum() and p[0].isalnum():
            joined += " "
        joined += p
    return _WS.sub(" ", joined).strip()


def html_rows(data: str | bytes) -> Rows:
    """Every row of every table, in document order; text outside tables is kept as lines too."""
    import lxml.html
    from lxml import etree

    if isinstance(data, bytes):  # decoded as every text is (UTF-8, UTF-16, GB18030): lxml would guess Latin-1
        from jixiao.disclosure.text import NotText, decode

        try:
            data = decode(data)
        except NotText as exc:
            raise DocumentError(f"不是文本文件：{exc}") from None
    if isinstance(data, str):
        data = re.sub(r"^\s*<\?xml[^>]*>", "", data)
    if not data.strip():
        raise DocumentError("文件是空的，没有任何内容")
    try:
        root = lxml.html.document_fromstring(data)
    except (etree.ParserError, ValueError) as exc:
        raise DocumentError(f"无法解析 HTML：{exc}") from None
    _ticks_as_text(root)
    lines: Rows = []
    _walk_html(root, lines)
    return lines


def _ticks_as_text(root: object) -> None:
    """Tick boxes are elements, which text_content() drops: a ticked one becomes ☑, an empty one □."""
    from jixiao.disclosure.text import TICKED, UNTICKED

    for box in list(root.iter("input")):  # type: ignore[attr-defined]
        if (box.get("type") or "").lower() in ("checkbox", "radio"):
            mark = TICKED if box.get("checked") is not None else UNTICKED
            box.tail = f" {mark} {box.tail or ''}"


def _walk_html(el: object, lines: Rows) -> None:
    """Document order: a table as its grid, any other text as its own lines."""
    if not isinstance(el.tag, str) or el.tag in ("script", "style", "head"):  # type: ignore[attr-defined]
        return
    if el.tag == "table":  # type: ignore[attr-defined]
        lines.extend(_html_grid(el))
        lines.append("")
        return
    if not any(d.tag == "table" for d in el.iterdescendants()):  # type: ignore[attr-defined]
        lines.extend(cell_text(t) for t in el.text_content().splitlines())  # type: ignore[attr-defined]
        return
    if el.text and el.text.strip():  # type: ignore[attr-defined]
        lines.append(cell_text(el.text))  # type: ignore[attr-defined]
    for child in el:  # type: ignore[attr-defined]
        _walk_html(child, lines)
        if child.tail and child.tail.strip():
            lines.append(cell_text(child.tail))


def _span(cell: object, name: str) -> int:
    try:
        return max(1, min(int(cell.get(name, "1")), 100))  # type: ignore[attr-defined]
    except ValueError:
        return 1


def _html_grid(table: object) -> list[list[str]]:
    """Cells placed on a grid: colspan → empty cells after, rowspan → empty cells below."""
    grid: list[list[str]] = []
    taken: dict[tuple[int, int], bool] = {}
    rows = [tr for tr in table.iter("tr")]  # type: ignore[attr-defined]
    for r, tr in enumerate(rows):
        row: list[str] = []
        c = 0
        for cell in tr:
            if cell.tag not in ("td", "th"):
                continue
            while taken.get((r, c)):
                row.append("")
                c += 1
            cols, span_rows = _span(cell, "colspan"), _span(cell, "rowspan")
            row.append(cell_text(cell.text_content()))
            row.extend("" for _ in range(cols - 1))
            for dr in range(1, span_rows):
                for dc in range(cols):
                    taken[(r + dr, c + dc)] = True
            c += cols
        while taken.get((r, c)):
            row.append("")
            c += 1
        grid.append(row)
    return grid


def docx_rows(data: bytes) -> Rows:
    """Paragraphs and table rows of a Word document, in document order."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a broken package
        raise DocumentError(f"无法读取 Word 文档（.docx）：{type(exc).__name__}") from None
    lines: Rows = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(cell_text(block.text))
        elif isinstance(block, Table):
            lines.extend(_docx_grid(block))
            lines.append("")
    return lines


def _docx_grid(table: object) -> list[list[str]]:
    """python-docx repeats a merged cell in every grid slot it covers: keep it once."""
    grid: list[list[str]] = []
    above: list[object] = []
    for tr in table.rows:  # type: ignore[attr-defined]
        row: list[str] = []
        seen: list[object] = []
        for c, cell in enumerate(tr.cells):
            tc = cell._tc
            repeat = (seen and seen[-1] is tc) or (c < len(above) and above[c] is tc)
            row.append("" if repeat else cell_text(cell.text))
            seen.append(tc)
        above = seen
        grid.append(row)
    return grid


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_RULE = re.compile(r"^\s*\|?[\s:|\-+=]+\|?\s*$")


def pipe_rows(text: str) -> list[str] | None:
    """Text tables drawn with `|` (Markdown and plain): cells between the bars; None if none."""
    lines = text.splitlines()
    if sum(1 for ln in lines if _PIPE_ROW.match(ln)) < 2:
        return None
    out: list[str] = []
    for ln in lines:
        if _PIPE_ROW.match(ln) and not _RULE.match(ln):
            # as tab-separated text, not whole rows: a text table wraps a long cell onto a row of its own
            out.append("\t".join(cell_text(c) for c in ln.strip().strip("|").split("|")))
        else:
            out.append(ln)  # text, or a |---|---| rule, which the parser skips: line numbers stay the file's
    return out
