"""Render a scored form (``FormResult``) as a PDF in the official layout.

Two layouts, picked by ``result.rules.layout`` unless the caller says otherwise:

- ``hubei``: the 湖北 project form as published (预算执行情况（20分）, 年度绩效目标 N（80分）
  with 一级/二级/三级指标, 年初目标值(A), 实际完成值(B), 分值, 得分, then 总分 and the two
  narrative rows);
- ``national``: the 财政部 annex 项目支出绩效自评表 (年初预算数 / 全年预算数 / 全年执行数 /
  分值 / 执行率 / 得分, 年度总体目标, and the indicator table with 偏差原因分析及改进措施).

Both are A4 landscape. Merged 一级/二级 cells are real SPANs; the indicator tables split
between any two rows, repeat their column headings on the next page and restart the merged
cells there (``GridTable``). Every page says "第 N 页 共 M 页". The sign-off block reserves a
box for the visible signature; its position is written to the metadata so that
``sign.sign_pdf`` puts the signature exactly there.

Where the unit's recorded score differs from the rule score the PDF prints the recorded
score, marks it ※n and explains the rule score in a footnote.

Same form + rule set + font → byte-identical PDF: reportlab's invariant mode, fixed dates,
and a document ID derived from the form's SHA-256.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as rl_canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from jixiao import __version__
from jixiao.pdf import meta as M
from jixiao.pdf.canonical import form_sha256
from jixiao.pdf.fonts import FontChoice, find_font
from scorer import numbers as fmt
from scorer.errors import JixiaoError
from scorer.model import TICK_GROUP_LABELS, TICK_GROUPS, FormKind
from scorer.result import FormResult, IndicatorResult, Status

LAYOUTS = ("hubei", "national")
PAGE = landscape(A4)
MARGIN_X = 15 * mm
MARGIN_TOP = 13 * mm
MARGIN_BOTTOM = 16 * mm
WIDTH = PAGE[0] - 2 * MARGIN_X
MARK = "※"
LINE = colors.black
HEAD_BG = colors.HexColor("#EDEDED")
MARK_COLOR = "#B00000"
GREY = colors.HexColor("#666666")
SIGNATURE_BOX = (240.0, 50.0)  # width, height of the reserved signature field, points


class LayoutError(JixiaoError, ValueError):
    """A layout name jixiao does not know."""


# ------------------------------------------------------------------ styles


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
        return getattr(self, name)  # type: ignore[no-any-return]


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


# (markup, style) -> parsed fragments. Styles hash by identity; the key keeps its style
# alive, so an identity is never reused while cached. Bounded: cleared when full.
_PARSED: dict[tuple[str, ParagraphStyle], list[Any]] = {}
_PARSED_MAX = 20_000


def _fresh(frags: list[Any]) -> list[Any]:
    """Copies of parsed fragments, their list attributes (links, underlines) included."""
    out = []
    for f in frags:
        c = f.clone()
        for name, value in list(c.__dict__.items()):
            if type(value) is list:
                c.__dict__[name] = list(value)
        out.append(c)
    return out


class Cell(Paragraph):
    """A table-cell Paragraph that reuses parsed markup and its last wrap.

    Profiling showed a third of the layout time in these cells: reportlab parses each
    cell's markup with an HTML parser (the same labels, numbers and headings recur in
    every form), and a Table wraps every cell twice, once to size the rows and again to
    draw it, at the same width. Both results depend only on their inputs, so they are
    reused; the fragments are copied, so nothing shared is ever mutated, and the PDF is
    byte for byte what a plain Paragraph gives.
    """

    _wrapped: tuple[float, float, float] | None = None  # (availWidth, width, height)

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        key = (text, style)
        frags = _PARSED.get(key)
        if frags is None:
            super().__init__(text, style)
            if len(_PARSED) >= _PARSED_MAX:
                _PARSED.clear()
            _PARSED[key] = _fresh(self.frags)
        else:
            super().__init__(text, style, frags=_fresh(frags))

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        w = self._wrapped
        if w is not None and w[0] == availWidth:
            return w[1], w[2]
        width, height = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, width, height)
        return width, height


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
        overflow = _OVERFLOW.get()
        if not self.markup and len(self.text) > CELL_MAX_CHARS and overflow is not None:
            overflow.append(self.text)  # a table row cannot split across pages: the full text flows on 续页
            shown = f"{self.text[:CELL_PREVIEW_CHARS]}……（全文见续页 {len(overflow)}）"
            return Cell(_markup(shown), st[self.style])
        return Cell(self.text if self.markup else _markup(self.text), st[self.style])


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
        return GridTable(self, st, self.body, first=True)


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
        if fit < min(2, len(self._body)):
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


# ------------------------------------------------------------------ canvas


def _pdf_date(text: str) -> str:
    """A fixed PDF date: the form's 填报日期 when it reads as a date, else 2000-01-01."""
    m = re.search(r"(\d{4})\D{1,3}(\d{1,2})\D{1,3}(\d{1,2})", text or "")
    if m:
        y, mo, d = (int(g) for g in m.groups())
        if 1990 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31:
            return f"D:{y:04d}{mo:02d}{d:02d}000000+08'00'"
    return "D:20000101000000+00'00'"


class _Info(pdfdoc.PDFInfo):
    """The Info dictionary with fixed dates and jixiao's own keys."""

    def __init__(self, extra: dict[str, str], date: str) -> None:
        super().__init__()
        self.extra = extra
        self.date = date

    def format(self, document: Any) -> bytes:
        d: dict[str, Any] = {
            "Title": pdfdoc.PDFString(self.title),
            "Author": pdfdoc.PDFString(self.author),
            "Subject": pdfdoc.PDFString(self.subject),
            "Keywords": pdfdoc.PDFString(self.keywords),
            "Creator": pdfdoc.PDFString(self.creator),
            "Producer": pdfdoc.PDFString(self.producer),
            "CreationDate": pdfdoc.PDFString(self.date),
            "ModDate": pdfdoc.PDFString(self.date),
            "Trapped": pdfdoc.PDFName(self.trapped),
        }
        for key, value in self.extra.items():
            d[key] = pdfdoc.PDFString(value)
        return pdfdoc.PDFDictionary(d).format(document)  # type: ignore[no-any-return]


def _canvas_class(extra: dict[str, str], date: str, doc_id: bytes, footer: str, font: FontChoice, sink: dict[str, Any]):  # type: ignore[no-untyped-def]
    class NumberedCanvas(rl_canvas.Canvas):
        """Buffers the pages, then draws "第 N 页 共 M 页" once the page count is known."""

        def __init__(self, *args: Any, **kw: Any) -> None:
            super().__init__(*args, **kw)
            self._pages: list[dict[str, Any]] = []
            info = _Info(dict(extra), date)
            info.producer = self._doc.info.producer
            self._doc.info = info
            digest = pdfdoc.PDFText(doc_id, enc="raw").format(pdfdoc.DummyDoc())
            self._doc._ID = b"\n[" + digest + digest + b"]\n"

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            box = sink.get("box")
            if box is not None:
                self._doc.info.extra[M.KEY_SIGNATURE_BOX] = " ".join([str(box[0])] + [f"{v:.2f}" for v in box[1:]])
            super().save()

        def _footer(self, total: int) -> None:
            self.saveState()
            self.setFont(font.name, 8)
            self.setFillColor(GREY)
            y = MARGIN_BOTTOM / 2
            self.drawCentredString(PAGE[0] / 2, y, f"第 {self._pageNumber} 页 共 {total} 页")
            self.setFont(font.name, 6.5)
            self.drawString(MARGIN_X, y, footer)
            self.drawRightString(PAGE[0] - MARGIN_X, y, f"jixiao {__version__}")
            self.restoreState()

    return NumberedCanvas


# ------------------------------------------------------------------ content


def _title(form: Any) -> str:
    if form.title:
        return str(form.title)
    kind = "部门整体支出" if form.form_kind is FormKind.DEPARTMENT else "项目支出"
    return f"{form.year or ''} 年度{form.implementing_unit or form.department}{kind}绩效自评表"


def _level(text: str) -> str:
    return text or "（未填）"


@dataclass
class Notes:
    """The ※ footnotes, numbered in order of appearance."""

    lines: list[str] = field(default_factory=list)

    def add(self, text: str) -> int:
        self.lines.append(text)
        return len(self.lines)


def _rule_reason(r: IndicatorResult) -> str:
    why = [e for e in r.explanation if not e.startswith("单位自评")]
    return why[-1] if why else ""


def _score_cell(r: IndicatorResult, notes: Notes) -> C:
    """The 得分 cell: the recorded score (marked where the rule differs), else the rule score."""
    rec = r.indicator.recorded
    if rec is not None:
        text = escape(fmt.weight(rec.score))
        if r.differs:
            rule = fmt.score(r.score, "待判断")
            reason = _rule_reason(r)
            note = f"{r.indicator.name}：规则得分 {rule}" + (f"（{reason}）" if reason else "")
            note += f"；单位理由：{rec.reason}" if rec.reason else "；单位未说明理由"
            text += " " + mark(notes.add(note))
        return C(text, "num", markup=True)
    if r.score is None:
        return C("待判断", "num")
    return C(fmt.score(r.score), "num")


def _budget_score(result: FormResult, notes: Notes) -> C:
    br = result.budget
    if br.recorded is not None:
        text = escape(fmt.weight(br.recorded.score))
        if br.differs:
            why = br.explanation[-1] if br.explanation else ""
            note = f"预算执行：规则得分 {fmt.score(br.score, '—')}" + (f"（{why}）" if why else "")
            note += f"；单位理由：{br.recorded.reason}" if br.recorded.reason else "；单位未说明理由"
            text += " " + mark(notes.add(note))
        return C(text, "num", markup=True)
    return C(fmt.score(br.score, "—"), "num")


def _total_cell(result: FormResult, notes: Notes) -> C:
    if result.total_recorded is not None:
        text = escape(fmt.weight(result.total_recorded))
        if result.total_mismatch:
            text += " " + mark(
                notes.add(
                    f"表中总分 {fmt.score(result.total_recorded)} 与各项自评得分之和 "
                    f"{fmt.score(result.recorded_sum)} 不一致"
                )
            )
        if result.total_differs:
            text += " " + mark(notes.add(f"规则计算总分 {fmt.score(result.total_computed)}（{result.grade}）"))
        return C(text, "num", markup=True)
    return C(fmt.score(result.total_computed), "num")


def _grade_text(result: FormResult) -> str:
    grade = result.grade_recorded if result.total_recorded is not None and result.grade_recorded else result.grade
    return f"等级：{grade}　（{result.rules.grade_bands_text()}）"


def _weight_total(result: FormResult) -> Decimal:
    return result.budget.weight + sum((r.weight for r in result.indicators), start=Decimal(0))


def _cell_texts(r: IndicatorResult) -> tuple[str, str]:
    ind = r.indicator
    target = ind.target
    if ind.adjusted_target:
        target = f"{ind.adjusted_target}（调整前：{ind.target}）" if ind.target else ind.adjusted_target
    return target, ind.actual


def _weight_text(r: IndicatorResult) -> str:
    return fmt.weight(r.weight) + ("*" if r.weight_source == "allocated" else "")


def _ticks(st: Styles, form: Any) -> list[Row]:
    rows = []
    for key, options in TICK_GROUPS.items():
        ticked = form.ticks.group(key)
        opts = [(f"{i + 1}、{opt}", opt in ticked) for i, opt in enumerate(options)]

        def make(o: list[tuple[str, bool]] = opts) -> Flowable:
            return TickLine(o, st.font)

        rows.append(Row((C(TICK_GROUP_LABELS[key], "label"), C(flowable=make), EMPTY, EMPTY), spans=((1, 3),)))
    return rows


def header_block(st: Styles, result: FormResult, label_width: float) -> Table:
    form = result.form
    w = [label_width, 300, 100, WIDTH - label_width - 400]
    rows: list[Row] = []
    if form.form_kind is FormKind.DEPARTMENT:
        rows.append(
            Row((C("单位名称", "label"), C(form.implementing_unit or form.department), EMPTY, EMPTY), ((1, 3),))
        )
        b = form.budget
        if b.basic_expenditure is not None or b.project_expenditure is not None:
            rows.append(
                Row(
                    (
                        C("基本支出总额", "label"),
                        C(f"{fmt.money(b.basic_expenditure, '—')} 万元"),
                        C("项目支出总额", "label"),
                        C(f"{fmt.money(b.project_expenditure, '—')} 万元"),
                    )
                )
            )
        if form.department and form.department != form.implementing_unit:
            rows.append(Row((C("主管部门", "label"), C(form.department), EMPTY, EMPTY), ((1, 3),)))
    else:
        rows.append(Row((C("项目名称", "label"), C(form.project_name), EMPTY, EMPTY), ((1, 3),)))
        rows.append(
            Row(
                (
                    C("主管部门", "label"),
                    C(form.department),
                    C("项目实施单位", "label"),
                    C(form.implementing_unit),
                )
            )
        )
        rows.extend(_ticks(st, form))
    return plain_table(st, w, rows)


def narrative_rows(form: Any) -> list[Row]:
    return [
        Row((C("偏差大或目标未完成原因分析", "label"), C(form.deviation_analysis or "无"))),
        Row((C("改进措施及结果应用方案", "label"), C(form.improvement_measures or "无"))),
    ]


def _indicator_rows(result: FormResult, goal_no: int | None, notes: Notes, deviation: bool) -> list[Row]:
    rows = []
    for r in result.indicators:
        if goal_no is not None and r.goal != goal_no:
            continue
        ind = r.indicator
        target, actual = _cell_texts(r)
        cells = [
            EMPTY,
            C(_level(ind.level1), "center"),
            C(_level(ind.level2), "center"),
            C(ind.shown_name),
            C(target, "center"),
            C(actual, "center"),
            C(_weight_text(r), "num"),
            _score_cell(r, notes),
        ]
        if deviation:
            cells.append(C(ind.deviation or (ind.recorded.reason if ind.recorded else "")))
        rows.append(Row(tuple(cells), keys=((r.goal, ind.level1), (r.goal, ind.level1, ind.level2))))
    return rows


def _goal_sections(result: FormResult, notes: Notes) -> list[Row]:
    """The national table's body: one labelled section per 年度绩效目标 when there are several."""
    goals = result.form.goals
    if len(goals) <= 1:
        return _indicator_rows(result, None, notes, deviation=True)
    rows: list[Row] = []
    for gi, goal in enumerate(goals, start=1):
        label = f"年度绩效目标 {gi}"
        if goal.weight is not None:
            label += f"（{fmt.weight(goal.weight)}分）"
        if goal.text:
            label += f"：{goal.text}"
        cells = (EMPTY, C(label, "label"), *([EMPTY] * 7))
        rows.append(Row(cells, spans=((1, 8),), keys=(None, None)))
        rows.extend(_indicator_rows(result, gi, notes, deviation=True))
    return rows


# ------------------------------------------------------------------ hubei


HUBEI_W = [62, 66, 78, 214, 112, 112, 44]
HUBEI_W = [*HUBEI_W, WIDTH - sum(HUBEI_W)]


def hubei_story(st: Styles, result: FormResult, notes: Notes) -> list[Flowable]:
    form = result.form
    br = result.budget
    b = form.budget
    label_w = HUBEI_W[0] + HUBEI_W[1]
    story: list[Flowable] = [header_block(st, result, label_w)]

    # 预算执行情况
    bw = [label_w, 162, 120, 120, 110]
    bw.append(WIDTH - sum(bw))
    wtxt = fmt.weight(br.weight)
    rows = [
        Row(
            (
                C(f"预算执行情况（万元）\n（{wtxt}分）", "label"),
                EMPTY,
                C("预算数(A)", "head"),
                C("执行数(B)", "head"),
                C("执行率(B/A)", "head"),
                C(f"得分（{wtxt}分×执行率）", "head"),
            ),
        ),
        Row(
            (
                EMPTY,
                C(b.label, "center"),
                C(fmt.money(b.planned, "—"), "num"),
                C(fmt.money(b.executed, "—"), "num"),
                C(fmt.percent(br.rate, "—"), "num"),
                _budget_score(result, notes),
            )
        ),
    ]
    for label, value in (("其中：财政拨款", b.fiscal), ("上年结转", b.carryover), ("其他资金", b.other)):
        if value is not None:
            rows.append(Row((EMPTY, C(label, "center"), C(fmt.money(value), "num"), EMPTY, EMPTY, C("—", "num"))))
    t = plain_table(st, bw, rows)
    t.setStyle(TableStyle([("SPAN", (0, 0), (0, len(rows) - 1)), ("BACKGROUND", (0, 0), (0, -1), HEAD_BG)]))
    story.append(t)

    # 年度绩效目标 N
    many = len(form.goals) > 1
    for gi, goal in enumerate(form.goals, start=1):
        label = f"年度绩效目标 {gi}" if many else "年度绩效目标"
        if goal.weight is not None:
            label += f"（{fmt.weight(goal.weight)}分）"
        lead = []
        if goal.text:
            lead.append(
                Row((EMPTY, C("年度目标", "label"), C(goal.text), EMPTY, EMPTY, EMPTY, EMPTY, EMPTY), ((2, 7),))
            )
        header = [
            Row(
                (
                    EMPTY,
                    C("一级指标", "head"),
                    C("二级指标", "head"),
                    C("三级指标", "head"),
                    C("年初目标值(A)", "head"),
                    C("实际完成值(B)", "head"),
                    C("分值", "head"),
                    C("得分", "head"),
                ),
                head=True,
            )
        ]
        grid = Grid(
            HUBEI_W,
            _indicator_rows(result, gi, notes, deviation=False),
            header=header,
            lead=lead,
            side=label,
            side_more=label + "（续）",
            merge=(1, 2),
        )
        story.append(grid.table(st))

    # 总分 and narratives
    tw = [label_w, sum(HUBEI_W[2:6]), HUBEI_W[6], HUBEI_W[7]]
    total = plain_table(
        st,
        tw,
        [
            Row(
                (
                    C("总分", "label"),
                    C(_grade_text(result)),
                    C(fmt.weight(_weight_total(result)), "num"),
                    _total_cell(result, notes),
                )
            )
        ],
        heights=[22],
    )
    story.append(total)
    story.append(plain_table(st, [label_w, WIDTH - label_w], narrative_rows(form)))
    return story


# ------------------------------------------------------------------ national


NAT_W = [46, 60, 68, 160, 92, 92, 38, 56]
NAT_W = [*NAT_W, WIDTH - sum(NAT_W)]


def _completion_summary(result: FormResult) -> str:
    counts = {s: 0 for s in Status}
    for r in result.indicators:
        counts[r.status] += 1
    parts = [f"共 {len(result.indicators)} 项指标"]
    for s in (Status.MET, Status.PARTLY, Status.MISSED, Status.JUDGEMENT, Status.EMPTY, Status.INVALID):
        if counts[s]:
            parts.append(f"{s.label} {counts[s]} 项")
    return "，".join(parts) + "（据各指标实际完成值汇总）。"


def national_story(st: Styles, result: FormResult, notes: Notes) -> list[Flowable]:
    form = result.form
    br = result.budget
    b = form.budget
    label_w = NAT_W[0] + NAT_W[1]
    story: list[Flowable] = [header_block(st, result, label_w)]

    # 项目资金
    bw = [label_w, 146, 82, 82, 82, 62, 82]
    bw.append(WIDTH - sum(bw))
    rows = [
        Row(
            (
                C("项目资金（万元）", "label"),
                EMPTY,
                C("年初预算数", "head"),
                C("全年预算数", "head"),
                C("全年执行数", "head"),
                C("分值", "head"),
                C("执行率", "head"),
                C("得分", "head"),
            )
        ),
        Row(
            (
                EMPTY,
                C(b.label if b.label != "年度财政资金总额" else "年度资金总额", "center"),
                C(fmt.money(b.initial, "—"), "num"),
                C(fmt.money(b.planned, "—"), "num"),
                C(fmt.money(b.executed, "—"), "num"),
                C(fmt.weight(br.weight), "num"),
                C(fmt.percent(br.rate, "—"), "num"),
                _budget_score(result, notes),
            )
        ),
    ]
    for label, value in (("其中：当年财政拨款", b.fiscal), ("上年结转资金", b.carryover), ("其他资金", b.other)):
        if value is not None:
            rows.append(
                Row(
                    (
                        EMPTY,
                        C(label, "center"),
                        EMPTY,
                        C(fmt.money(value), "num"),
                        EMPTY,
                        C("—", "num"),
                        EMPTY,
                        C("—", "num"),
                    )
                )
            )
    t = plain_table(st, bw, rows)
    t.setStyle(TableStyle([("SPAN", (0, 0), (0, len(rows) - 1)), ("BACKGROUND", (0, 0), (0, -1), HEAD_BG)]))
    story.append(t)

    # 年度总体目标
    texts = [g.text for g in form.goals if g.text]
    goal_text = "\n".join(f"{i}. {t}" for i, t in enumerate(texts, start=1)) if len(texts) > 1 else "".join(texts)
    gw = [label_w, (WIDTH - label_w) / 2, (WIDTH - label_w) / 2]
    gt = plain_table(
        st,
        gw,
        [
            Row((C("年度总体目标", "label"), C("预期目标", "head"), C("实际完成情况", "head"))),
            Row((EMPTY, C(goal_text or "—"), C(_completion_summary(result)))),
        ],
    )
    gt.setStyle(TableStyle([("SPAN", (0, 0), (0, 1)), ("BACKGROUND", (0, 0), (0, -1), HEAD_BG)]))
    story.append(gt)

    header = [
        Row(
            (
                EMPTY,
                C("一级指标", "head"),
                C("二级指标", "head"),
                C("三级指标", "head"),
                C("年度指标值", "head"),
                C("实际完成值", "head"),
                C("分值", "head"),
                C("得分", "head"),
                C("偏差原因分析及改进措施", "head"),
            ),
            head=True,
        )
    ]
    grid = Grid(
        NAT_W,
        _goal_sections(result, notes),
        header=header,
        side="绩效指标",
        side_more="绩效指标（续）",
        merge=(1, 2),
    )
    story.append(grid.table(st))
    tw = [label_w, sum(NAT_W[2:6]), NAT_W[6], NAT_W[7], NAT_W[8]]
    story.append(
        plain_table(
            st,
            tw,
            [
                Row(
                    (
                        C("总分", "label"),
                        C(_grade_text(result)),
                        C(fmt.weight(_weight_total(result)), "num"),
                        _total_cell(result, notes),
                        EMPTY,
                    )
                )
            ],
            heights=[22],
        )
    )
    story.append(plain_table(st, [label_w, WIDTH - label_w], narrative_rows(form)))
    return story


# ------------------------------------------------------------------ common


def signoff_block(st: Styles, result: FormResult, sink: dict[str, Any]) -> Table:
    s = result.form.signoff
    pairs = [
        ("填表人", s.preparer),
        ("审核人", s.reviewer),
        ("单位负责人", s.unit_head),
        ("联系电话", s.phone),
        ("填报日期", s.date),
        ("联系人", s.contact),
    ]
    if s.finance_head or s.project_lead:
        pairs += [("财务负责人", s.finance_head), ("项目负责人", s.project_lead), ("", "")]
    sig_w, sig_h = SIGNATURE_BOX
    right = sig_w + 8
    lw = 66
    vw = (WIDTH - right - 3 * lw) / 3
    widths = [lw, vw, lw, vw, lw, vw, right]
    rows = []
    nrows = len(pairs) // 3
    row_h = max(22.0, (sig_h + 8) / nrows)
    for i in range(nrows):
        cells: list[C] = []
        for label, value in pairs[i * 3 : i * 3 + 3]:
            cells += [C(label, "label"), C(value)]
        cells.append(EMPTY)
        rows.append(Row(tuple(cells)))

    def slot() -> Flowable:
        return SignatureSlot(sig_w, sig_h, sink, st.font)

    first = list(rows[0].cells)
    first[-1] = C(flowable=slot)
    rows[0] = Row(tuple(first))
    t = plain_table(st, widths, rows, heights=[row_h] * nrows)
    t.setStyle(
        TableStyle(
            [
                ("SPAN", (6, 0), (6, nrows - 1)),
                ("ALIGN", (6, 0), (6, 0), "CENTER"),
                ("LEFTPADDING", (6, 0), (6, 0), 4),
                ("RIGHTPADDING", (6, 0), (6, 0), 4),
            ]
        )
    )
    return t


def footnotes(st: Styles, result: FormResult, notes: Notes) -> list[Flowable]:
    out: list[Flowable] = []
    for i, line in enumerate(notes.lines, start=1):
        out.append(Paragraph(f"{mark(i)} {_markup(line)}", st.note))
    if result.total_recorded is None:
        out.append(Paragraph(_markup(f"得分按规则集「{result.rules.name}」（{result.rules.title}）计算。"), st.note))
    if any(r.weight_source == "allocated" for r in result.indicators):
        out.append(Paragraph(_markup(f"* 表中未列分值，按规则集「{result.rules.name}」分配。"), st.note))
    if result.pending:
        out.append(Paragraph(_markup(f"有 {result.pending} 项指标待人工判断，规则得分未计入这些指标。"), st.note))
    if result.cap_note:
        out.append(Paragraph(_markup(result.cap_note), st.note))
    if out:
        out.insert(0, Spacer(1, 3))
    return out


def resolve_layout(result: FormResult, layout: str | None) -> str:
    name = (layout or result.rules.layout or "national").strip()
    if name not in LAYOUTS:
        raise LayoutError(f"未知版式「{name}」；可用：{'、'.join(LAYOUTS)}")
    return name


def render_pdf(result: FormResult, layout: str | None = None, font: FontChoice | None = None) -> bytes:
    """The form as PDF bytes; byte-identical for the same form, rule set, layout and font."""
    font = font or find_font()
    name = resolve_layout(result, layout)
    st = make_styles(font)
    form = result.form
    rules = result.rules
    sha = form_sha256(form)
    key = f"{form.year}/{form.implementing_unit}/{form.project_name}"
    notes = Notes()
    sink: dict[str, Any] = {}

    overflow: list[str] = []
    token = _OVERFLOW.set(overflow)
    try:
        story: list[Flowable] = [Paragraph(_markup(_title(form)), st.title)]
        if form.form_kind is FormKind.PROJECT:
            story.append(Paragraph(_markup(f"（{form.project_name}）"), st.subtitle))
        else:
            story.append(Spacer(1, 6))
        story += hubei_story(st, result, notes) if name == "hubei" else national_story(st, result, notes)
        tail: list[Flowable] = footnotes(st, result, notes)
        tail += [Spacer(1, 6), signoff_block(st, result, sink)]
    finally:
        _OVERFLOW.reset(token)
    story.append(KeepTogether(tail))
    if overflow:
        story += continuation_pages(st, overflow)

    extra = {
        M.KEY_RULES: rules.name,
        M.KEY_RULES_VERSION: rules.version,
        M.KEY_FORM_SHA256: sha,
        M.KEY_FORM_KEY: key,
        M.KEY_LAYOUT: name,
    }
    doc_id = hashlib.md5(
        "\n".join([sha, rules.name, rules.version, name, font.face, __version__]).encode(), usedforsecurity=False
    ).digest()
    footer = f"规则集 {rules.name}（版本 {rules.version}）　数据 SHA-256 {sha[:16]}…"
    canvas_class = _canvas_class(extra, _pdf_date(form.signoff.date), doc_id, footer, font, sink)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=PAGE,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=f"{_title(form)}（{form.project_name}）",
        author=form.implementing_unit or form.department or "jixiao",
        subject=f"预算绩效自评表；规则集 {rules.name} 版本 {rules.version}；表单数据 SHA-256 {sha}",
        keywords=f"jixiao, rules={rules.name}, rules_version={rules.version}, form_sha256={sha}",
        creator=f"jixiao {__version__}",
        invariant=1,
        pageCompression=1,
        initialFontName=font.name,
        lang="zh-CN",
    )
    doc.build(story, canvasmaker=canvas_class)
    return buf.getvalue()


def render_form(
    form: Any, rules: str | None = None, layout: str | None = None, font: FontChoice | None = None
) -> bytes:
    """Score ``form`` (under its own rule set unless ``rules`` names one) and render it."""
    from jixiao.scoring import score_form
    from scorer.rules import load as load_rules
    from scorer.rules import rules_name_for

    rs = load_rules(rules or rules_name_for(form))
    return render_pdf(score_form(form, rs), layout=layout, font=font)
