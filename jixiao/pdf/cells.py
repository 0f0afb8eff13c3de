"""Table cells as reportlab Paragraphs, with their parse, wraps and drawing reused (#18).

Every shortcut gives reportlab's own bytes; tests/test_pdf_fast_paths.py compares each with
reportlab's path and whole forms rendered both ways.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.textsplit import dumbSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import _centerDrawParaLine, _leftDrawParaLine, cleanBlockQuotedText
from reportlab.platypus.paraparser import ParaParser

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


# (plain text, style) -> its one fragment, shared by every Cell of that text (never mutated);
# (plain text, style, width) -> (width, height, wrap widths, lines) of its wrap.
_SHARED: dict[tuple[str, ParagraphStyle], list[Any]] = {}
_WRAPS: dict[tuple[str, ParagraphStyle, float], tuple[float, float, list[float], Any]] = {}

# style -> the fragment reportlab's parser makes of plain text in that style.
_PLAIN: dict[ParagraphStyle, Any] = {}


def plain_frags(text: str, style: ParagraphStyle) -> list[Any] | None:
    """reportlab's parse of ``text`` when it has no markup at all, without its HTML parser.

    Text without ``<`` or ``&`` is whitespace-cleaned and becomes one fragment that differs
    from any other plain text's in that style only by its text; that fragment is parsed
    once per style and copied. Anything else (and text that cleans to nothing) is None:
    reportlab parses it.
    """
    if "<" in text or "&" in text:
        return None
    cleaned = cleanBlockQuotedText(text)
    if not cleaned:
        return None
    template = _PLAIN.get(style)
    if template is None:
        parsed_style, frags, bullets = ParaParser().parse("x", style)
        if parsed_style is not style or frags is None or len(frags) != 1 or bullets:
            return None
        template = _PLAIN[style] = frags[0]
    return [template.clone(text=cleaned)]


class Cell(Paragraph):
    """A table-cell Paragraph that reuses parsed markup and its wraps, across cells and forms.

    Profiling showed a third of the layout time in these cells: reportlab parses each
    cell's markup with an HTML parser (the same labels, numbers and headings recur in
    every form), and a Table wraps every cell twice, once to size the rows and again to
    draw it, at the same width. Both results depend only on their inputs, so they are
    reused. Markup fragments are copied, so nothing shared is ever mutated. Plain text
    (one fragment, which nothing after the parse changes) shares its fragment and its
    line breaks with every cell of the same text, style and width. The PDF is byte for
    byte what a plain Paragraph gives.
    """

    _wrapped: tuple[float, float, float] | None = None  # (availWidth, width, height)
    _plain = False  # one shared fragment: its wraps are shared too

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        key = (text, style)
        shared = _SHARED.get(key)
        if shared is not None:
            self._plain = True
            super().__init__(text, style, frags=shared)
            return
        frags = _PARSED.get(key)
        if frags is None:
            frags = plain_frags(text, style)
            if frags is not None:
                self._plain = True
                if len(_SHARED) >= _PARSED_MAX:
                    _SHARED.clear()
                _SHARED[key] = frags
                super().__init__(text, style, frags=frags)
                return
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
        key = (self.text, self.style, availWidth) if self._plain else None
        done = _WRAPS.get(key) if key is not None else None
        if done is not None:
            self.width, self.height, self._wrapWidths, self.blPara = done
            self._wrapped = (availWidth, self.width, self.height)
            return self.width, self.height
        width, height = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, width, height)
        if key is not None and height == self.height:
            if len(_WRAPS) >= _PARSED_MAX:
                _WRAPS.clear()
            _WRAPS[key] = (width, height, self._wrapWidths, self.blPara)
        return width, height

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N803
        """reportlab's drawOn + drawPara for a plain cell, without their generic detours.

        The same operators in the same order (q, the move, q, the colour, the text object,
        Q, Q) and the same font subset bookkeeping; the canvas state both wrap in q/Q is
        kept aside by hand instead of reportlab's full copy of it. Anything else (markup,
        bullets, borders, other alignments) takes reportlab's path.
        """
        draw_line = _LINE_DRAWERS.get(self.style.alignment) if self._plain and not _sW else None
        blpara = getattr(self, "blPara", None)
        if draw_line is None or blpara is None or not _plain_drawable(self, blpara):
            super().drawOn(canvas, x, y, _sW)
            return
        code = canvas._code
        code.append("q")
        code.append(f"{fp_str(1, 0, 0, 1, x, y)} cm")
        code.append("q")
        fill, ext = canvas._fillColorObj, canvas._extgstate
        canvas._extgstate = ext.pushCopy()
        canvas.setFillColor(blpara.textColor)
        tx = canvas.beginText(0, self.height - blpara.fontSize)
        tx.preformatted = False
        tx.direction = self.style.wordWrap
        tx.setFont(blpara.fontName, blpara.fontSize, self.style.leading)
        for spare, words in blpara.lines:
            draw_line(tx, 0, spare, words)
        canvas.drawText(tx)
        code.append("Q")
        code.append("Q")
        canvas._fillColorObj, canvas._extgstate = fill, ext

    def breakLinesCJK(self, maxWidths: Any) -> Any:  # noqa: N802, N803 - reportlab's names
        """reportlab's line breaking of a one-fragment cell, with the lines reused across cells.

        The same test as reportlab's own: one fragment without a callback, no end dots, no
        bullet and not a split remainder; anything else takes reportlab's path.
        """
        frags = self.frags
        f = frags[0] if len(frags) == 1 else None
        if (
            f is None
            or hasattr(f, "cbDefn")
            or self.style.endDots
            or self.bulletText
            or not isinstance(maxWidths, list)
            or (hasattr(self, "blPara") and getattr(self, "_splitpara", 0))
        ):
            return super().breakLinesCJK(maxWidths)
        self.height = 0
        text = f.text if hasattr(f, "text") else "".join(getattr(f, "words", []))
        lines = split_lines(text, tuple(maxWidths), f.fontName, f.fontSize)
        return f.clone(kind=0, lines=[(sp, [line]) for sp, line in lines], ascent=f.fontSize, descent=-0.2 * f.fontSize)


_LINE_DRAWERS = {TA_LEFT: _leftDrawParaLine, TA_CENTER: _centerDrawParaLine}


def _plain_drawable(cell: Cell, blpara: Any) -> bool:
    """Whether drawPara would take its plainest path for ``cell``: one fragment's lines in
    CJK wrapping, no indent, border, background, bullet, underline, link or auto leading."""
    style = cell.style
    return bool(
        blpara.kind == 0
        and blpara.lines
        and style.wordWrap == "CJK"
        and not (style.leftIndent or style.firstLineIndent or style.backColor or cell.bulletText)
        and not (style.borderColor and style.borderWidth)
        and getattr(style, "autoLeading", "") not in ("max", "min")
        and not (blpara.us_lines or blpara.link)
        and not (cell.debug or getattr(cell, "_showBoundary", False) or hasattr(cell, "_offsets"))
    )


# (text, widths, font, size) -> reportlab's wordSplit lines; (font, size) -> char -> width.
_LINES: dict[tuple[str, tuple[float, ...], str, float], list[tuple[float, str]]] = {}
_CHAR_WIDTHS: dict[tuple[str, float], dict[str, float]] = {}


def split_lines(text: str, widths: tuple[float, ...], font: str, size: float) -> list[tuple[float, str]]:
    """What ``reportlab.lib.textsplit.wordSplit`` gives, from per-character widths measured once."""
    key = (text, widths, font, size)
    lines = _LINES.get(key)
    if lines is None:
        known = _CHAR_WIDTHS.setdefault((font, size), {})
        char_widths = []
        for ch in text:
            w = known.get(ch)
            if w is None:
                w = known[ch] = stringWidth(ch, font, size)
            char_widths.append(w)
        if len(_LINES) >= _PARSED_MAX:
            _LINES.clear()
        lines = _LINES[key] = [(sp, line) for sp, line in dumbSplit(text, char_widths, list(widths))]
    return lines
