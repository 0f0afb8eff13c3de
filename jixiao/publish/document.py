"""The disclosure's lines printed as a PDF: paragraphs as text, runs of tab lines as ruled tables.

Every cell is a paragraph (long ones wrap, tables cross pages), in the embedded Chinese font;
``jixiao import-disclosure`` reads such a PDF back to the same forms (pdfplumber, by the rules).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

from jixiao.pdf.fonts import FontChoice, find_font
from jixiao.pdf.page import MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, PAGE, WIDTH


def blocks(lines: Sequence[str]) -> list[tuple[str, list[list[str]]]]:
    """Paragraph lines (``p``) and runs of tab lines as tables (``t``), in order."""
    out: list[tuple[str, list[list[str]]]] = []
    for line in lines:
        if "\t" in line:
            if not out or out[-1][0] != "t":
                out.append(("t", []))
            out[-1][1].append(line.split("\t"))
        else:
            out.append(("p", [[line]]))
    return out


def ruled_pdf(lines: Sequence[str], font: FontChoice | None = None, page_per_form: bool = True) -> bytes:
    """The lines as a landscape A4 PDF; with ``page_per_form`` each form's title starts a page."""
    font = font or find_font()
    cell = ParagraphStyle("jx-pub-cell", fontName=font.name, fontSize=8, leading=10, wordWrap="CJK")
    title = ParagraphStyle("jx-pub-title", parent=cell, fontSize=13, leading=18, alignment=1)
    story: list[Flowable] = []
    for kind, rows in blocks(lines):
        if kind == "p":
            text = rows[0][0]
            if page_per_form and text.endswith("自评表") and story:
                story.append(PageBreak())
            story.append(Paragraph(escape(text) or "&nbsp;", title if text.endswith("自评表") else cell))
            continue
        width = max(len(r) for r in rows)
        cells = [[Paragraph(escape(c), cell) for c in r] + [""] * (width - len(r)) for r in rows]
        story += [Table(cells, colWidths=[WIDTH / width] * width, style=[("GRID", (0, 0), (-1, -1), 0.5, "black")])]
        story.append(Spacer(1, 4))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf, pagesize=PAGE, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM
    )
    doc.build(story)
    return buf.getvalue()
