"""A scored form as plain text, laid out exactly as Rich lays it out, without Rich's segments.

``jixiao score DIR`` printed each form through Rich, ~15–20 ms a form and 88% of the command
(docs/performance.md, #18). Without colour (a pipe, a file) only the characters matter, and the
few renderables ``terminal`` builds (tables, grids, panels, texts, the rule) can be laid out on
strings. This module follows Rich's own steps for them (column measures, collapsing, wrapping,
justifying, boxes) and calls Rich's width helpers (``cell_len``, ``divide_line``,
``set_cell_size``, ``ratio_reduce``), so a CJK character folds where Rich folds it. Anything else
raises ``Unsupported`` inside and gives None outside: the caller then prints with Rich.
``tests/test_plain_layout.py`` holds the two to the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise
from typing import NamedTuple

from rich._ratio import ratio_reduce
from rich.cells import cell_len as _rich_cell_len
from rich.cells import set_cell_size
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Column, Table
from rich.text import Text

from jixiao import line_breaks
from jixiao.line_breaks import divide_line
from scorer.errors import JixiaoError

line_breaks.install()  # Rich, which this layout must match byte for byte, breaks by the same rule

cell_len = lru_cache(maxsize=1 << 15)(_rich_cell_len)  # Rich's own cache holds 4,096 texts
_WHITESPACE_END = re.compile(r"\s+$")
_CONTROL = frozenset("\x07\x08\x0b\x0c\x0d\t")  # stripped or expanded by Rich: not followed here
_MARKUP = frozenset("[:")  # markup and emoji codes in a plain string


class Unsupported(JixiaoError):
    """A renderable or setting this layout does not follow; Rich prints it instead (never reaches a user)."""


class Opts(NamedTuple):
    """The console options a renderable inherits: Rich's justify, overflow and no_wrap."""

    justify: str | None = None
    overflow: str | None = None
    no_wrap: bool | None = False


class Plain(NamedTuple):
    """A text's characters and its own settings (None: the inherited one)."""

    text: str
    justify: str | None
    overflow: str | None
    no_wrap: bool | None


def printed(console: Console, renderables: Iterable[RenderableType]) -> str | None:
    """What ``console.print`` would write for each renderable in turn, or None when not followed."""
    options = console.options
    if console.color_system is not None or console.soft_wrap or options.legacy_windows or options.ascii_only:
        return None
    width = console.width
    try:
        out = []
        for renderable in renderables:
            for ln in _render(renderable, width, Opts()):
                out.append((ln if cell_len(ln) <= width else set_cell_size(ln, width)) + "\n")
    except Unsupported:
        return None
    return "".join(out)


def _render(r: RenderableType, width: int, opts: Opts) -> list[str]:
    """The lines Rich yields for ``r`` at ``width``, before any padding to the width."""
    if width < 1:
        raise Unsupported
    if isinstance(r, (str, Text)):
        return _text_lines(_plain(r), width, opts)
    if isinstance(r, Group):
        return [ln for child in r.renderables for ln in _render(child, width, opts)]
    if isinstance(r, Table):
        return _table(r, width, opts)
    if isinstance(r, Panel):
        return _panel(r, width, opts)
    if isinstance(r, Rule):
        return [_rule(r, width)]
    raise Unsupported


def _fitted(lines: list[str], width: int) -> list[str]:
    """``render_lines(pad=True)``: every line cropped or padded to exactly ``width`` cells."""
    out = []
    for ln in lines:
        size = cell_len(ln)
        out.append(ln + " " * (width - size) if size < width else set_cell_size(ln, width) if size > width else ln)
    return out


# Text ---------------------------------------------------------------------------------------


def _plain(r: str | Text) -> Plain:
    if isinstance(r, str):  # console.render_str: markup, emoji codes and control codes
        if _MARKUP.intersection(r) or _CONTROL.intersection(r):
            raise Unsupported
        return Plain(r, None, None, None)
    if r.end != "\n" or "\t" in r.plain:
        raise Unsupported
    return Plain(r.plain, r.justify, r.overflow, r.no_wrap)


def _text_lines(p: Plain, width: int, opts: Opts) -> list[str]:
    """``Text.__rich_console__`` then ``Text.wrap``: the settings resolved as Rich resolves them."""
    justify = p.justify or opts.justify or "default"
    overflow = p.overflow or opts.overflow or "fold"
    no_wrap = p.no_wrap if p.no_wrap is not None else opts.no_wrap if opts.no_wrap is not None else False
    if justify == "full" or overflow == "ignore" or width < 1:
        raise Unsupported
    out: list[str] = []
    for line in p.text.split("\n"):
        if no_wrap or cell_len(line) <= width:  # a line that fits is never divided
            pieces = [line] if no_wrap else [_rstrip_end(line, width)]
        else:
            pieces = [_rstrip_end(x, width) for x in _divide(line, divide_line(line, width, fold=overflow == "fold"))]
        out.extend(_truncate(_justify(x, width, justify, overflow), width, overflow) for x in pieces)
    return out


def _divide(text: str, offsets: list[int]) -> list[str]:
    if not offsets:
        return [text]
    bounds = [0, *offsets, len(text)]
    return [text[a:b] for a, b in pairwise(bounds)]


def _rstrip_end(text: str, size: int) -> str:
    """``Text.rstrip_end``: drop trailing whitespace beyond ``size`` characters (not cells)."""
    excess = len(text) - size
    if excess > 0:
        match = _WHITESPACE_END.search(text)
        if match is not None:
            return text[: len(text) - min(len(match.group(0)), excess)]
    return text


def _truncate(text: str, width: int, overflow: str, pad: bool = False) -> str:
    length = cell_len(text)
    if length > width:
        text = set_cell_size(text, width - 1) + "…" if overflow == "ellipsis" else set_cell_size(text, width)
    if pad and length < width:
        text += " " * (width - length)
    return text


def _justify(text: str, width: int, justify: str, overflow: str) -> str:
    """``Lines.justify`` for one line."""
    if justify == "left":
        return _truncate(text, width, overflow, pad=True)
    if justify == "center":
        text = _truncate(text.rstrip(), width, overflow)
        text = " " * max(0, (width - cell_len(text)) // 2) + text
        return text + " " * max(0, width - cell_len(text))
    if justify == "right":
        text = _truncate(text.rstrip(), width, overflow)
        return " " * max(0, width - cell_len(text)) + text
    return text


def _measure_text(p: Plain) -> tuple[int, int]:
    """``Text.__rich_measure__``: the longest word, the longest line."""
    lines = p.text.splitlines()
    longest = max(cell_len(x) for x in lines) if lines else 0
    words = p.text.split()
    widest = max(cell_len(w) for w in words) if words else longest
    if widest > longest:  # Rich would normalise it; the column sums below assume it cannot happen
        raise Unsupported
    return widest, longest


# Rule and panel -----------------------------------------------------------------------------


def _rule(rule: Rule, width: int) -> str:
    """``Rule`` with a title in the centre (``console.rule``)."""
    chars = rule.characters
    if rule.align != "center" or rule.end != "\n" or cell_len(chars) != 1 or len(chars) != 1:
        raise Unsupported
    if not rule.title:
        return set_cell_size(chars * (width + 1), width)
    title = _plain(rule.title).text.replace("\n", " ") if isinstance(rule.title, Text) else None
    if title is None:
        raise Unsupported
    if width - 4 <= 0:
        return set_cell_size(chars * (width + 1), width)
    title = _truncate(title, width - 4, "ellipsis")
    side = (width - cell_len(title)) // 2
    left = _truncate(chars * (side + 1), side - 1, "fold")
    right = _truncate(chars * (side + 1), width - cell_len(left) - cell_len(title), "fold")
    return set_cell_size(f"{left} {title} {right}", width)


def _panel(panel: Panel, width: int, opts: Opts) -> list[str]:
    """``Panel`` as ``terminal`` builds it: expanded, a title on the top edge, no subtitle."""
    top_pad, right_pad, bottom_pad, left_pad = _unpack(panel.padding)
    if not panel.expand or panel.width is not None or panel.height is not None or panel.subtitle:
        raise Unsupported
    if top_pad or bottom_pad:
        raise Unsupported
    box = panel.box
    inner = width - 2 - left_pad - right_pad
    if inner < 1:
        raise Unsupported
    body = _fitted(_render(panel.renderable, inner, opts), inner)
    lines = [box.mid_left + " " * left_pad + ln + " " * right_pad + box.mid_right for ln in body]
    title = _panel_title(panel)
    if title is None or width <= 4:
        top = box.get_top([width - 2])
    else:
        top = box.top_left + box.top + _align(title, width - 4, panel.title_align, box.top) + box.top + box.top_right
    return [top, *lines, box.get_bottom([width - 2])]


def _panel_title(panel: Panel) -> str | None:
    if not panel.title:
        return None
    title = panel.title
    if isinstance(title, str):  # Text.from_markup
        if _MARKUP.intersection(title) or _CONTROL.intersection(title):
            raise Unsupported
        text = title
    else:
        text = _plain(title).text
    return " " + text.replace("\n", " ") + " "


def _align(text: str, width: int, align: str, character: str) -> str:
    text = _truncate(text, width, "fold")
    excess = width - cell_len(text)
    if align == "left":
        return text + character * excess
    if align == "center":
        return character * (excess // 2) + text + character * (excess - excess // 2)
    return character * excess + text


def _unpack(padding: int | tuple[int, ...]) -> tuple[int, int, int, int]:
    if isinstance(padding, int):
        return padding, padding, padding, padding
    if len(padding) == 1:
        return padding[0], padding[0], padding[0], padding[0]
    if len(padding) == 2:
        return padding[0], padding[1], padding[0], padding[1]
    if len(padding) == 4:
        return padding[0], padding[1], padding[2], padding[3]
    raise Unsupported


# Table --------------------------------------------------------------------------------------


class _Col(NamedTuple):
    """A column's cells as plain texts, with their measures and the padding Rich gives them."""

    column: Column
    cells: list[Plain]
    widest_word: int
    widest_line: int
    left: int
    right: int


def _table(t: Table, max_width: int, opts: Opts) -> list[str]:
    if not t.columns or t.expand or t.width is not None or t.min_width is not None:
        raise Unsupported
    if t.show_footer or t.show_lines or t.leading:
        raise Unsupported
    cols = [_col(t, i, c) for i, c in enumerate(t.columns)]
    extra = (2 if t.box and t.show_edge else 0) + (len(cols) - 1 if t.box else 0)
    widths = _widths(t, cols, max_width - extra)
    table_width = sum(widths) + extra
    lines: list[str] = []
    if t.title:
        lines += _annotation(t.title, table_width, t.title_justify, opts)
    lines += _body(t, cols, widths)
    if t.caption:
        lines += _annotation(t.caption, table_width, t.caption_justify, opts)
    return lines


def _annotation(text: str | Text, width: int, justify: str, opts: Opts) -> list[str]:
    return _render(text, width, Opts(justify, opts.overflow, opts.no_wrap))


def _col(t: Table, index: int, column: Column) -> _Col:
    top, right, bottom, left = t.padding
    if top or bottom or column.vertical != "top":
        raise Unsupported
    if t.collapse_padding and index:
        left = max(0, left - right)
    if not t.pad_edge:
        left = 0 if index == 0 else left
        right = 0 if index == len(t.columns) - 1 else right
    raw = ([column.header] if t.show_header else []) + list(column.cells)
    cells = []
    for cell in raw:
        if not isinstance(cell, (str, Text)):
            raise Unsupported
        cells.append(_plain(cell))
    measures = [_measure_text(p) for p in cells]
    widest_word = max((m[0] for m in measures), default=0)
    widest_line = max((m[1] for m in measures), default=0)
    return _Col(column, cells, widest_word, widest_line, left, right)


def _padding_width(t: Table, index: int) -> int:
    """``Table._get_padding_width`` (which, collapsed, differs from the cells' own padding)."""
    _, right, _, left = t.padding
    if t.collapse_padding:
        left = 0
        right = abs(left - right)
    if not t.pad_edge:
        left = 0 if index == 0 else left
        right = 0 if index == len(t.columns) - 1 else right
    return left + right


def _measure_column(t: Table, index: int, col: _Col, width: int) -> Measurement:
    """``Table._measure_column``. A text measures (longest word, longest line) with the longest
    word no longer than the line and neither negative, so ``Measurement.get`` of each padded
    cell comes to ``min(x + padding, width)``, and the column's maximum of those to the same of
    its cells' maxima: what ``Rich`` computes cell by cell, in constant time."""
    if width < 1:
        return Measurement(0, 0)
    pw = _padding_width(t, index)
    column = col.column
    if column.width is not None:
        return Measurement(column.width + pw, column.width + pw).with_maximum(width)
    if not col.cells:
        measured = Measurement(1, width).with_maximum(width)
    else:
        extra = col.left + col.right if any(t.padding) else 0
        if width - extra < 1:
            measured = Measurement(width, width)
        else:
            measured = Measurement(min(col.widest_word + extra, width), min(col.widest_line + extra, width))
    return measured.clamp(
        None if column.min_width is None else column.min_width + pw,
        None if column.max_width is None else column.max_width + pw,
    )


def _widths(t: Table, cols: list[_Col], max_width: int) -> list[int]:
    """``Table._calculate_column_widths`` for a table that does not expand."""
    widths = [_measure_column(t, i, c, max_width).maximum or 1 for i, c in enumerate(cols)]
    if sum(widths) > max_width:
        wrapable = [c.column.width is None and not c.column.no_wrap for c in cols]
        widths = Table._collapse_widths(widths, wrapable, max_width)
        if sum(widths) > max_width:
            widths = ratio_reduce(sum(widths) - max_width, [1] * len(widths), widths, widths)
        widths = [_measure_column(t, i, c, w).maximum or 0 for i, (w, c) in enumerate(zip(widths, cols, strict=True))]
    return widths


def _cell(t: Table, col: _Col, row: int, width: int) -> list[str]:
    """One cell's lines at its column's width, padded as Rich pads it."""
    column = col.column
    opts = Opts(column.justify, column.overflow, column.no_wrap)
    if not any(t.padding):
        return _fitted(_text_lines(col.cells[row], width, opts), width)
    inner = width - col.left - col.right
    if inner < 1:
        raise Unsupported
    p = col.cells[row]
    body = _one_line(p, inner, column.justify) or _fitted(_text_lines(p, inner, opts), inner)
    return [" " * col.left + ln + " " * col.right for ln in body]


def _one_line(p: Plain, width: int, column_justify: str) -> list[str] | None:
    """The common cell, a short text on one line, without wrapping it: what ``Text.wrap`` and
    ``render_lines`` make of it when it fits (nothing to divide, strip or crop), else None."""
    text = p.text
    if "\n" in text or len(text) > width:
        return None
    size = cell_len(text)
    if size > width:
        return None
    justify = p.justify or column_justify
    if justify in ("left", "default"):
        return [text + " " * (width - size)]
    if text[-1:].isspace():
        return None
    if justify == "right":
        return [" " * (width - size) + text]
    if justify == "center":
        left = (width - size) // 2
        return [" " * left + text + " " * (width - size - left)]
    return None


def _body(t: Table, cols: list[_Col], widths: list[int]) -> list[str]:
    box = t.box
    if box and not t.show_header:
        box = box.get_plain_headed_box()
    lines: list[str] = []
    if box and t.show_edge:
        lines.append(box.get_top(widths))
    nrows = len(cols[0].cells)
    for r in range(nrows):
        first, last = r == 0, r == nrows - 1
        header_row = first and t.show_header
        cells = [_cell(t, c, r, w) for c, w in zip(cols, widths, strict=True)]
        height = max(len(c) for c in cells)
        for c, w in zip(cells, widths, strict=True):
            blank = [" " * w] * (height - len(c))
            c[:] = blank + c if header_row else c + blank
        if box:
            left, right, divider = (
                (box.head_left, box.head_right, box.head_vertical)
                if first
                else (box.foot_left, box.foot_right, box.foot_vertical)
                if last
                else (box.mid_left, box.mid_right, box.mid_vertical)
            )
            if not t.show_edge:
                left = right = ""
            lines += [left + divider.join(c[i] for c in cells) + right for i in range(height)]
            if header_row:
                lines.append(box.get_row(widths, "head", edge=t.show_edge))
            elif not last and t.rows[r - t.show_header].end_section:
                lines.append(box.get_row(widths, "row", edge=t.show_edge))
        else:
            lines += ["".join(c[i] for c in cells) for i in range(height)]
    if box and t.show_edge:
        lines.append(box.get_bottom(widths))
    return lines
