"""The building blocks of a form page: styles, cells, grids with merged cells, tick lines, the signature slot."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer, Table, TableStyle

from jixiao.pdf.cells import Cell
from jixiao.pdf.fonts import FontChoice
from jixiao.pdf.page import FRAME_HEIGHT, GREY, HEAD_BG, LINE, MARK, MARK_COLOR


@dataclass(frozen=True)
class Styles:
    font: FontChoice
    cell: ParagraphStyle
    center: ParagraphStyle
    label: ParagraphStyle
    num: ParagraphStyle
    head: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    note: ParagraphStyle
    small: ParagraphStyle

    def __getitem__(self, name: str) -> ParagraphStyle:
        return getattr(self, name)


@functools.lru_cache(maxsize=8)
def make_styles(font: FontChoice) -> Styles:
    """The paragraph styles for ``font``; made once per font (callers only read them)."""
    base = ParagraphStyle(
        "jx-cell",
        fontName=font.name,
        bulletFontName=font.name,
        fontSize=9,
        leading=11.5,
        wordWrap="CJK",
        alignment=TA_LEFT,
    )

    def v(name: str, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(f"jx-{name}", parent=base, **kw)

    return Styles(
        font=font,
        cell=base,
        center=v("center", alignment=TA_CENTER),
        label=v("label", alignment=TA_CENTER),
        num=v("num", alignment=TA_CENTER),
        head=v("head", alignment=TA_CENTER),
        title=v("title", fontSize=17, leading=21, alignment=TA_CENTER),
        subtitle=v("subtitle", fontSize=11, leading=14, alignment=TA_CENTER, spaceAfter=3),
        note=v("note", fontSize=8, leading=10.5),
        small=v("small", fontSize=7.5, leading=9.5, alignment=TA_LEFT, textColor=GREY),
    )


def _markup(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def mark(n: int) -> str:
    return f'<font color="{MARK_COLOR}">{MARK}{n}</font>'


@dataclass(frozen=True)
class C:
    """One cell: text (escaped unless ``markup``) in a named style, or a ready flowable."""

    text: str = ""
    style: str = "cell"
    markup: bool = False
    flowable: Callable[[], Flowable] | None = None

    def make(self, st: Styles) -> Any:
        if self.flowable is not None:
            return self.flowable()
        if not self.text:
            return ""
        c = self.shortened()
        return Cell(c.text if c.markup else _markup(c.text), st[c.style])

    def shortened(self) -> C:
        """This cell, or (text too long for a row, while a form is built) its beginning with
        「全文见续页 N」, its full text noted for the 续页. Each call notes the text again."""
        overflow = _OVERFLOW.get()
        if self.markup or self.flowable is not None or len(self.text) <= CELL_MAX_CHARS or overflow is None:
            return self
        overflow.append(self.text)  # a table row cannot split across pages: the full text flows on 续页
        return C(f"{self.text[:CELL_PREVIEW_CHARS]}……（全文见续页 {len(overflow)}）", self.style)


# A cell longer than this shows its beginning and continues on a 续页 after the form (issue 14.11).
CELL_MAX_CHARS = 600
CELL_PREVIEW_CHARS = 300
PARAGRAPH_CHARS = 1200
_OVERFLOW: ContextVar[list[str] | None] = ContextVar("jixiao_pdf_overflow", default=None)


def continuation_pages(st: Styles, texts: list[str]) -> list[Flowable]:
    """The full text of long cells, as paragraphs that flow over as many pages as they need."""
    out: list[Flowable] = [Spacer(1, 6), Paragraph(_markup("续页：较长内容全文"), st.subtitle)]
    for n, text in enumerate(texts, start=1):
        out.append(Paragraph(_markup(f"续页 {n}"), st.label))
        for line in text.splitlines() or [""]:
            for start in range(0, max(len(line), 1), PARAGRAPH_CHARS):
                out.append(Paragraph(_markup(line[start : start + PARAGRAPH_CHARS]), st.cell))
    return out


EMPTY = C()


@dataclass(frozen=True)
class Row:
    cells: tuple[C, ...]
    spans: tuple[tuple[int, int], ...] = ()  # horizontal spans (first col, last col)
    keys: tuple[Any, ...] = ()  # merge keys for the grid's merge columns (body rows)
    head: bool = False  # shaded heading row


# ------------------------------------------------------------------ grids


@dataclass
class Grid:
    """A bordered table whose body may flow over pages.

    ``lead`` rows come first (first page only), ``header`` rows are repeated on every page;
    ``side`` is a label in column 0 spanning all rows of each page's part; body rows whose
    merge keys agree are merged in the ``merge`` columns (nested: a column merges only
    inside the groups of the columns before it).
    """

    widths: Sequence[float]
    body: list[Row]
    header: list[Row] = field(default_factory=list)
    lead: list[Row] = field(default_factory=list)
    side: str = ""
    side_more: str = ""  # side label on continuation pages
    merge: tuple[int, ...] = ()
    min_height: float = 16

    def table(self, st: Styles) -> GridTable:
        """The first part; long cells are shortened here, once, as the form is built: the parts
        a page split makes later (after the 续页 are collected) reuse them."""
        top = self.lead + self.header
        rows = top + self.body
        shown, _ = _commands(rows, len(top), self, bool(self.side), st.font.name)
        short = _shortened(rows, shown)
        grid = dataclasses.replace(self, lead=short[: len(self.lead)], header=short[len(self.lead) : len(top)])
        grid.body = short[len(top) :]
        return GridTable(grid, st, grid.body, first=True)


def _shortened(rows: list[Row], shown: list[list[C]]) -> list[Row]:
    """``rows`` with long cells shortened in the order the table prints them; a cell hidden
    under a merge (the same text as the merged cell above it) gets that cell's 续页 number."""
    above: dict[tuple[int, str], C] = {}
    out = []
    for row, visible in zip(rows, shown, strict=True):
        cells = []
        for j, (c, v) in enumerate(zip(row.cells, visible, strict=True)):
            if v is c:
                above[j, c.text] = short = c.shortened()
            else:
                short = above.get((j, c.text)) or c.shortened()
            cells.append(short)
        out.append(dataclasses.replace(row, cells=tuple(cells)))
    return out


def _commands(rows: list[Row], first_body: int, grid: Grid, side: bool, font: str) -> tuple[list[list[Any]], list[Any]]:
    """Cell specs (blanked under merges) and the TableStyle commands for one part."""
    cmds: list[Any] = [
        ("FONT", (0, 0), (-1, -1), font, 9),
        ("GRID", (0, 0), (-1, -1), 0.6, LINE),
        ("BOX", (0, 0), (-1, -1), 0.9, LINE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    cells = [list(r.cells) for r in rows]
    for i, r in enumerate(rows):
        for j, c in enumerate(r.cells):
            if c.style == "label" and c.text:
                cmds.append(("BACKGROUND", (j, i), (j, i), HEAD_BG))
        for c0, c1 in r.spans:
            cmds.append(("SPAN", (c0, i), (c1, i)))
        if r.head:
            c0 = 1 if side else 0
            cmds.append(("BACKGROUND", (c0, i), (-1, i), HEAD_BG))
    if side:
        cmds.append(("SPAN", (0, 0), (0, len(rows) - 1)))
        cmds.append(("BACKGROUND", (0, 0), (0, len(rows) - 1), HEAD_BG))
    body = rows[first_body:]
    for depth, col in enumerate(grid.merge):
        start = 0
        for i in range(1, len(body) + 1):
            same = (
                i < len(body)
                and body[i].keys[: depth + 1] == body[start].keys[: depth + 1]
                and body[i].keys[depth] is not None
            )
            if same:
                continue
            if i - start > 1:
                cmds.append(("SPAN", (col, first_body + start), (col, first_body + i - 1)))
                for j in range(start + 1, i):
                    cells[first_body + j][col] = EMPTY
            start = i
    return cells, cmds


class GridTable(Table):
    """A reportlab Table that splits between any two body rows.

    reportlab refuses to split inside a row span; a 一级指标 group longer than a page would
    then not fit anywhere. Here each page's part is a table of its own: the header rows are
    repeated, the side label and the merged cells restart with their text on the new page.
    """

    def __init__(self, grid: Grid, st: Styles, body: list[Row], first: bool) -> None:
        self._grid, self._st, self._body, self._first = grid, st, body, first
        side = bool(grid.side)
        top = (grid.lead if first else []) + grid.header
        rows = top + body
        cells, cmds = _commands(rows, len(top), grid, side, st.font.name)
        data = [[c.make(st) for c in row] for row in cells]
        if side:
            label = grid.side if first else (grid.side_more or grid.side)
            data[0][0] = Paragraph(_markup(label), st.head)
        self._ntop = len(top)
        super().__init__(
            data,
            colWidths=list(grid.widths),
            style=TableStyle(cmds),
            repeatRows=len(grid.header),
            minRowHeights=[grid.min_height] * len(data),
        )

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        self._calc(availWidth, availHeight)
        heights = self._rowHeights
        used = sum(heights[: self._ntop])
        fit = 0
        for h in heights[self._ntop :]:
            if used + h > availHeight:
                break
            used += h
            fit += 1
        if fit >= len(self._body):
            return [self]
        need = min(2, len(self._body))
        if need == 2 and sum(heights[: self._ntop + 2]) > FRAME_HEIGHT:
            need = 1  # two rows this tall fit on no page: one row starts a page
        if fit < need:
            return []  # no room for two rows here: the frame moves the table on
        if len(self._body) - fit == 1 and fit > 2:
            fit -= 1  # no single row alone on the next page
        return [
            GridTable(self._grid, self._st, self._body[:fit], self._first),
            GridTable(self._grid, self._st, self._body[fit:], first=False),
        ]


def plain_table(st: Styles, widths: Sequence[float], rows: list[Row], heights: Sequence[float] | None = None) -> Table:
    cells, cmds = _commands(rows, len(rows), Grid(widths, []), side=False, font=st.font.name)
    data = [[c.make(st) for c in row] for row in cells]
    t = Table(data, colWidths=list(widths), rowHeights=list(heights) if heights else None, style=TableStyle(cmds))
    return t


# ------------------------------------------------------------------ flowables


class TickLine(Flowable):
    """A tick-box group: ☑/☐ + "1、部门预算项目" …, boxes drawn when the font lacks ☑ ☐."""

    def __init__(self, options: Sequence[tuple[str, bool]], font: FontChoice, size: float = 9) -> None:
        super().__init__()
        self.options = list(options)
        self.font = font
        self.size = size
        self.glyphs = font.has_glyph("☑") and font.has_glyph("☐")
        self._lines: list[list[tuple[float, str, bool]]] = []

    def _item_width(self, label: str) -> float:
        return self.size + 3 + stringWidth(label, self.font.name, self.size)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        gap = self.size * 2
        lines: list[list[tuple[float, str, bool]]] = [[]]
        x = 0.0
        for label, on in self.options:
            w = self._item_width(label)
            if lines[-1] and x + w > availWidth:
                lines.append([])
                x = 0.0
            lines[-1].append((x, label, on))
            x += w + gap
        self._lines = lines
        self.width = availWidth
        self.height = len(lines) * self.size * 1.45
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        s = self.size
        lead = s * 1.45
        for li, line in enumerate(self._lines):
            y = self.height - (li + 1) * lead + (lead - s) / 2 + s * 0.12
            for x, label, on in line:
                if self.glyphs:
                    c.setFont(self.font.name, s)
                    c.drawString(x, y, "☑" if on else "☐")
                else:
                    b = s * 0.82
                    c.setLineWidth(0.6)
                    c.rect(x + 0.5, y - 0.3, b, b, stroke=1, fill=0)
                    if on:
                        c.setLineWidth(1.1)
                        p = c.beginPath()
                        p.moveTo(x + 0.5 + b * 0.18, y - 0.3 + b * 0.52)
                        p.lineTo(x + 0.5 + b * 0.42, y - 0.3 + b * 0.22)
                        p.lineTo(x + 0.5 + b * 0.88, y - 0.3 + b * 0.86)
                        c.drawPath(p, stroke=1, fill=0)
                c.setFont(self.font.name, s)
                c.drawString(x + s + 3, y, label)


class SignatureSlot(Flowable):
    """The reserved box of the visible signature; records where it landed on the page."""

    def __init__(self, width: float, height: float, sink: dict[str, Any], font: FontChoice) -> None:
        super().__init__()
        self.width, self.height = width, height
        self.sink = sink
        self.font = font

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        return self.width, self.height

    def draw(self) -> None:
        c = self.canv
        c.saveState()
        c.setStrokeColor(colors.HexColor("#9A9A9A"))
        c.setLineWidth(0.5)
        c.setDash(2, 2)
        c.rect(0, 0, self.width, self.height, stroke=1, fill=0)
        c.setFillColor(colors.HexColor("#9A9A9A"))
        c.setFont(self.font.name, 8)
        c.drawCentredString(self.width / 2, self.height / 2 - 3, "数字签名处（未签名）")
        c.restoreState()
        x, y = c.absolutePosition(0, 0)
        self.sink["box"] = (c.getPageNumber() - 1, x, y, x + self.width, y + self.height)
