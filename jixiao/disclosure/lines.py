"""Lines of a published document: which start a form, a table, a budget block; cells by column; joins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from jixiao.disclosure import vocab as V
from jixiao.disclosure.text import (
    Line,
    join_wrapped,
    squeeze,
)
from jixiao.form_labels import canon, nfkc
from scorer.model import Goal

_MAX_TITLE = 60


def _is_title(line: Line) -> bool:
    texts = line.texts
    if len(texts) != 1:
        return False
    t = texts[0]
    c = canon(t)
    if not ("自评表" in c or ("绩效" in c and "评价表" in c)):
        return False
    return len(c) <= _MAX_TITLE and "。" not in t and not re.search(r"[.…·]{3,}\s*\d+\s*$", t)


def _starts_untitled(line: Line) -> bool:
    """A 项目名称 row, a budget header or an indicator header: a form, even without a title."""
    first = line.first
    return V.match_label(first, "项目名称") is not None or _is_budget_header(line) or _is_table_header(line)


def _is_table_header(line: Line) -> bool:
    keys = {V.table_key(c) for c in line.texts}
    return "name" in keys and ("level1" in keys or "level2" in keys)


def _is_budget_header(line: Line) -> bool:
    keys = [V.budget_key(c) for c in line.texts]
    if "planned" in keys and "executed" in keys:
        return True
    first = canon(line.first)
    return any(first.startswith(b) for b in V.BUDGET_BLOCK) and any(k in ("planned", "executed") for k in keys)


def _segments(lines: list[Line]) -> list[tuple[int, int]]:
    """(start, end) indices of each form: from a title (or an untitled form's first row) to the next."""
    starts: list[int] = []
    has_name = False
    for i, ln in enumerate(lines):
        if ln.blank:
            continue
        if _is_title(ln):
            starts.append(i)
            has_name = False
            continue
        is_name = V.match_label(ln.first, "项目名称") is not None
        if not starts and _starts_untitled(ln) or is_name and has_name:
            starts.append(i)
            has_name = is_name
            continue
        has_name = has_name or is_name
    return [(s, starts[k + 1] if k + 1 < len(starts) else len(lines)) for k, s in enumerate(starts)]


# ====================================================================== columns


@dataclass
class _Row:
    """A logical indicator row: cells by column, from one or more physical lines."""

    lines: list[Line]
    cells: list[tuple[int, str]]
    anchor: int = 0  # number of the line holding the row's values

    @property
    def no(self) -> int:
        return self.lines[-1].no if len(self.lines) == 1 else self.lines[0].no

    @property
    def raw(self) -> str:
        return "\n".join(ln.raw for ln in self.lines)


class _Columns:
    """Maps a data line's cells to the column indices of a header line.

    Tab-separated lines: the cell index is the column. Space-laid-out lines
    (pdftotext -layout): the cells of a line go, in order, to distinct header
    columns so that each cell sits as near as possible to its header cell (start
    or centre, whichever is nearer); a lone cell goes to the header cell whose
    region (split halfway between neighbouring header cells) holds its start.
    """

    def __init__(self, header: Line) -> None:
        self.tabbed = header.tabbed
        self.bounds: list[int] = []
        self.spans: list[tuple[int, int]] = []
        if not header.tabbed and header.starts is not None:
            self.spans = [(header.starts[i], header.end(i)) for i in range(len(header.cells))]
            self.bounds = [(self.spans[k - 1][1] + self.spans[k][0]) // 2 for k in range(1, len(self.spans))]

    def col(self, line: Line, i: int) -> int:
        if self.tabbed or line.starts is None:
            return i
        start = line.starts[i]
        return sum(1 for b in self.bounds if start >= b)

    def cells(self, line: Line) -> list[tuple[int, str]]:
        idx = [i for i, c in enumerate(line.cells) if c]
        if self.tabbed or line.starts is None or not self.spans:
            return [(self.col(line, i), line.cells[i]) for i in idx]
        spans = [(line.starts[i], line.end(i)) for i in idx]
        cols = _nearest_in_order(spans, self.spans)
        if cols is None:
            return [(self.col(line, i), line.cells[i]) for i in idx]
        return [(c, line.cells[i]) for c, i in zip(cols, idx, strict=True)]


def _filled(line: Line) -> list[int]:
    return [i for i, c in enumerate(line.cells) if c]


def _distance(a: tuple[int, int], b: tuple[int, int]) -> int:
    return min(abs(a[0] - b[0]), abs((a[0] + a[1]) - (b[0] + b[1])) // 2)


def _nearest_in_order(cells: list[tuple[int, int]], header: list[tuple[int, int]]) -> list[int] | None:
    """Order-preserving one-to-one assignment of cells to header columns with the least total distance."""
    n, m = len(cells), len(header)
    if n == 0 or n > m:
        return None
    inf = float("inf")
    # best[i][j]: cost of placing the first i cells within the first j columns
    best = [[inf] * (m + 1) for _ in range(n + 1)]
    take = [[False] * (m + 1) for _ in range(n + 1)]
    for j in range(m + 1):
        best[0][j] = 0
    for i in range(1, n + 1):
        for j in range(i, m + 1):
            skip = best[i][j - 1]
            use = best[i - 1][j - 1] + _distance(cells[i - 1], header[j - 1])
            if use <= skip:
                best[i][j], take[i][j] = use, True
            else:
                best[i][j] = skip
    out: list[int] = []
    i, j = n, m
    while i > 0:
        if take[i][j]:
            out.append(j - 1)
            i -= 1
        j -= 1
    return out[::-1]


# ====================================================================== drafts


def _is_label_cell(cell: str) -> bool:
    """A cell that is only a printed label (not "项目实施单位 武昌区…", which carries its value)."""
    c = canon(cell)
    for _, lab in (*V.HEADER_LABELS, *V.SIGNOFF_LABELS):
        rest = V.match_label(cell, lab)
        if rest is not None:
            return not rest
    return (
        V.any_label(cell)
        or V.goal_label(cell)[0]
        or V.narrative_key(cell) is not None
        or c in ("基本支出总额", "项目支出总额")
        or any(c.startswith(b) for b in V.BUDGET_BLOCK)
    )


def _continued(prev: Line, ln: Line) -> Line | None:
    """``prev`` with the cells of ``ln`` joined in, when every cell of ``ln`` sits under a value cell of ``prev``."""
    columns = _Columns(prev)
    cells = list(prev.cells)
    for i, text in enumerate(ln.cells):
        if not text:
            continue
        col = columns.col(ln, i)
        if col >= len(cells) or not cells[col] or _is_label_cell(cells[col]):
            return None
        if not prev.tabbed and prev.starts is not None and ln.starts is not None:
            if abs(ln.starts[i] - prev.starts[col]) > 2:
                return None
        cells[col] = join_wrapped(cells[col], text)
    return Line(prev.no, prev.raw + "\n" + ln.raw, cells, prev.starts, prev.ends)


def _join_rows(a: _Row, b: _Row) -> _Row:
    """Cells of two physical lines of one logical row, joined column by column."""
    out: dict[int, str] = {}
    order: list[int] = []
    for col, text in (*a.cells, *b.cells):
        if col in out:
            out[col] = join_wrapped(out[col], text)
        else:
            out[col] = text
            order.append(col)
    return _Row(a.lines + b.lines, [(c, out[c]) for c in sorted(order)], a.anchor or b.anchor)


def _money_cell(text: str) -> bool:
    value, ok = V.number(text, ("万元", "元", "分", "%"))
    return ok


def _numbers_ok(values: dict[str, str]) -> bool:
    for key in ("weight", "score"):
        text = values.get(key, "")
        if text:
            _, ok = V.number(text)
            if not ok:
                return False
    return True


def _unbalanced(text: str) -> bool:
    t = nfkc(text)
    return t.count("(") != t.count(")")


def _label_piece(text: str, key: str) -> bool:
    full = "偏差大或目标未完成原因分析" if key == "deviation_analysis" else "改进措施及结果应用方案"
    c = canon(text)
    return bool(c) and c in full


def _combine(nature: str, value: str, unit: str, actual: str) -> tuple[str, str, str]:
    """指标性质 + 指标值 + 度量单位 → one target ("≥" + "95" + "%" → "≥95%")."""
    n = squeeze(nfkc(nature))
    v = value.strip()
    u = unit.strip()
    direction = V.NATURE_DIRECTIONS.get(n, "")
    prefix = V.NATURE_SYMBOLS.get(n, "" if n in V.NATURE_DIRECTIONS else nature.strip())
    target = v
    if v and u and not nfkc(v).endswith(nfkc(u)) and re.search(r"\d$", nfkc(v)):
        target = v + u
    if target:
        target = prefix + target
    a = actual.strip()
    if a and u and re.fullmatch(r"[\d.,]+", nfkc(a)):
        a = a + u
    return target, a, direction


def derive_weights(goal: Goal) -> tuple[Decimal, ...] | None:
    """Weights of a goal whose form prints 得分 but no 分值, when one reading fits.

    Rows scored at the most common score are taken to be at full marks (weight =
    that score); rows scored above it weigh their own score; rows below it weigh
    the most common score. Accepted only if that adds up to the goal's printed
    weight; otherwise None (nothing is guessed).
    """
    inds = goal.indicators
    if goal.weight is None or not inds or any(i.recorded is None or i.weight is not None for i in inds):
        return None
    scores = [i.recorded.score for i in inds if i.recorded is not None]
    counts: dict[Decimal, int] = {}
    for sc in scores:
        counts[sc] = counts.get(sc, 0) + 1
    mode = max(counts, key=lambda sc: (counts[sc], sc))
    if counts[mode] < 2:
        return None
    weights = tuple(sc if sc >= mode else mode for sc in scores)
    return weights if sum(weights) == goal.weight else None


def _ranges(nums: list[int]) -> str:
    out: list[str] = []
    start = prev = nums[0]
    for n in nums[1:]:
        if n == prev + 1:
            prev = n
            continue
        out.append(f"{start}" if start == prev else f"{start}–{prev}")
        start = prev = n
    out.append(f"{start}" if start == prev else f"{start}–{prev}")
    return "、".join(out)


# ====================================================================== entry points


_GLUED = re.compile(
    r"(?<=\S) (?=(?:"
    + "|".join(re.escape(lab) for _, lab in (*V.HEADER_LABELS, *V.SIGNOFF_LABELS))
    + r")(?:\s|[:：]|$))"
)


def _unglue(line: Line) -> None:
    """pdftotext sometimes leaves one space between a value and the next label: split there."""
    if line.starts is None or line.ends is None:
        return
    cells: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for cell, start, end in zip(line.cells, line.starts, line.ends, strict=True):
        pieces = _GLUED.split(cell)
        if len(pieces) == 1:
            cells.append(cell)
            starts.append(start)
            ends.append(end)
            continue
        offset = 0
        for piece in pieces:
            at = cell.index(piece, offset)
            offset = at + len(piece)
            scale = (end - start) / max(len(cell), 1)  # display columns per character, if measured so
            cells.append(piece)
            starts.append(start + round(at * scale))
            ends.append(start + round(offset * scale))
    line.cells, line.starts, line.ends = cells, starts, ends
