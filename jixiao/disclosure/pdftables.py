"""Tables of a PDF as rows of cells, through pdfplumber.

pdfplumber finds each ruled table and returns its cells: a cell whose text wraps onto
several lines is one cell (its lines are joined, CJK with nothing between), an empty
cell is an empty string in its column, and the slots a merged cell covers are empty
(the parser reads a blank 一级/二级 cell as the merged cell above). Text outside the
tables (titles, 第六部分 …, forms printed without rules) is read band by band from the
positions of its words: a wide gap separates cells, and each cell is set at its column.
"""

from __future__ import annotations

import io
import statistics
from typing import Any

from jixiao.disclosure.documents import DocumentError, Rows, cell_text
from jixiao.disclosure.text import display_width

MAX_PAGES = 2000


def pdf_rows(data: bytes) -> Rows:
    """Every page in order: text above, between and below its tables as lines, each table as its rows."""
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:  # pdfminer raises many kinds (PDFSyntaxError, PSEOF, KeyError …) for a broken file
        if "password" in repr(exc).lower() or "encrypt" in repr(exc).lower():
            raise DocumentError(f"PDF 有密码保护或已加密，无法读取（{_why(exc)}）") from None
        raise DocumentError(f"无法读取 PDF：文件损坏或不是 PDF（{_why(exc)}）") from None
    rows: Rows = []
    with pdf:
        try:
            pages = pdf.pages
        except Exception as exc:
            raise DocumentError(f"无法读取 PDF 的页面：{_why(exc)}") from None
        if len(pages) > MAX_PAGES:
            raise DocumentError(f"PDF 页数过多（{len(pages)} 页，上限 {MAX_PAGES}）")
        for page in pages:
            try:
                rows.extend(_page_rows(page))
            except Exception as exc:
                raise DocumentError(f"PDF 第 {page.page_number} 页无法读取：{_why(exc)}") from None
            rows.append("")
    if not any(any(r) if isinstance(r, list) else r.strip() for r in rows):
        raise DocumentError("PDF 中没有可提取的文字（可能是扫描图像，需要先做文字识别）")
    return rows


def _why(exc: Exception) -> str:
    """The library's own words, kept short, as a detail after the Chinese message."""
    text = str(exc).strip()
    return f"详情：{type(exc).__name__}: {text[:120]}" if text else f"详情：{type(exc).__name__}"


def _page_rows(page: Any) -> Rows:
    out: Rows = []
    top = 0.0
    for table in sorted(page.find_tables(), key=lambda t: t.bbox[1]):
        _, t_top, _, t_bottom = table.bbox
        out.extend(_band(page, top, t_top))  # nothing when tables sit side by side (t_top above top)
        out.extend([cell_text(c or "") for c in row] for row in table.extract())
        out.append("")
        top = max(top, t_bottom)
    out.extend(_band(page, top, page.height))
    return out


def _band(page: Any, top: float, bottom: float) -> list[str]:
    """The text between two heights, one line per printed line, cells apart by two spaces or more.

    pdfplumber gives the words with their positions; a gap wider than ¾ of the font size
    between two words separates cells (a space inside a cell is narrower), and each cell is
    placed at its display column (half the font size; a CJK character is two), so the
    parser lines cells up with the header row as it does for text aligned by eye.
    """
    if bottom - top < 1:
        return []
    band = page.within_bbox((0, top, page.width, bottom))
    words = band.extract_words(extra_attrs=["size"])
    if not words:
        return []
    size = statistics.median(float(w["size"]) for w in words) or 10.0
    out: list[str] = []
    prev_bottom: float | None = None
    for line in _word_lines(words, size):
        line_top = min(float(w["top"]) for w in line)
        if prev_bottom is not None and line_top - prev_bottom > size:
            out.append("")  # a vertical gap of a line or more: a blank line, as pdftotext prints it
        out.append(_laid_out(line, size))
        prev_bottom = max(float(w["bottom"]) for w in line)
    return out


def _word_lines(words: list[dict[str, Any]], size: float) -> list[list[dict[str, Any]]]:
    """Words on one printed line: their middles within a third of the font size."""
    lines: list[list[dict[str, Any]]] = []
    for w in sorted(words, key=lambda w: (float(w["top"]) + float(w["bottom"])) / 2):
        mid = (float(w["top"]) + float(w["bottom"])) / 2
        if lines and abs(mid - lines[-1][0]["_mid"]) <= size / 3:
            lines[-1].append({**w, "_mid": lines[-1][0]["_mid"]})
        else:
            lines.append([{**w, "_mid": mid}])
    return [sorted(line, key=lambda w: float(w["x0"])) for line in lines]


def _laid_out(line: list[dict[str, Any]], size: float) -> str:
    unit = size / 2
    text = ""
    end = None
    for w in line:
        x0 = float(w["x0"])
        if end is not None and x0 - end <= size * 0.75:
            text += " " + w["text"]  # a space inside one cell
        else:
            gap = round(x0 / unit) - display_width(text)
            text += " " * (max(gap, 2) if text else max(gap, 0)) + w["text"]
        end = float(w["x1"])
    return text.rstrip()
