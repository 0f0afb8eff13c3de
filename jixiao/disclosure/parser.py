"""Find self-evaluation forms in the text of a published document and read them.

A form starts at its title (a short line containing 自评表 / 绩效…评价表) or, without
one, at its first 项目名称 row, budget header or indicator header; it runs to the
next form. Within a form each line is recognised by its printed labels (项目名称,
项目类别, 预算执行情况, 一级指标, 总分, 偏差大或目标未完成原因分析 …); indicator rows
are read against their table's header row. Every decision that is not a plain
reading of a cell follows one of the rules below and is written in the report's
notes; a line that fits no rule is reported with its raw text and a reason.
Nothing is filled in that the text does not say.

Documents
    PDF (pdfplumber), HTML (lxml) and Word (python-docx) are read by
    :mod:`jixiao.disclosure.documents` / :mod:`jixiao.disclosure.pdftables` into
    rows of cells (:func:`scan_rows`); text is split into cells here. A row of a
    table found by such a reader is *whole*: its wrapped cells are already one
    cell, so rule 4 below never joins it to a neighbour. A row outside every form
    (before the first title, after a form ended) that carries a form label or a
    known 一级/二级 name is listed in ``DisclosureResult.dropped``; prose and the
    document's other tables are passed over.

Cells
    Tab-separated text keeps empty cells, so a cell's index is its column.
    Space-laid-out text (``pdftotext -layout``) is split at runs of two or more
    spaces; each cell keeps its position, measured in characters (pdftotext) or
    display columns (text aligned by eye), whichever lines up across the
    document. The cells of a line go, in order, to the header columns nearest
    them. A value one space from the next printed label ("… 项目实施单位") and a
    budget label one space from its amount are split there. HTML remnants are
    removed; ``<input checked … type="checkbox">`` becomes ☑, other checkboxes □.

Indicator rows
    1. *Positional reading.* A row whose cells sit in the header's columns is read
       by column. It is refused when a cell sits in a column the header does not
       name, the 一级 cell holds a name that is only ever a 二级 name (时效指标), the
       二级 cell one that is only ever a 一级 name (产出指标), the 三级 cell is empty,
       or a 分值/得分 cell is not a number. A header whose 三级 cell spans two
       columns (an empty cell follows it) also admits rows printed without the
       spare column.
    2. *Reading by known names.* Otherwise the row's non-empty cells are read in
       order: leading cells that are known 一级/二级 names are the levels (成本指标
       and 满意度指标 are both: in or left of the 一级 column they are 一级, right of
       it 二级), the next cell is the 三级 name, the rest fill the value columns in
       header order. Tab-separated rows read so are reported one by one as shifted.
    3. *Merged cells.* A blank 一级 cell continues the 一级 above; a blank 二级 cell
       continues the 二级 above only when 一级 continues too (a new 一级 starts a new
       merged group, so its blank 二级 stays blank). Spaces inside 一级/二级 names
       are removed; a printed weight in them ("产出指标（50分）") is noted, not kept.
    4. *Wrapped cells.* A row has a text cell (levels, 三级) and a value cell; a line
       with only one kind is a wrapped piece of a neighbouring row. In a top-aligned
       table (the default) it continues the row above; when pieces of the header
       were printed above the header line the table is bottom-aligned and pieces
       start the row below (pieces above and below: centred, split half and half).
       Laid-out pieces join the cell of their row that starts where they start. A
       leading piece of the row label ("指标" of "年度绩效 / 指标") is dropped.
    5. *Split columns.* 指标性质 / 指标值 / 度量单位 columns make one target
       (符号 + 值 + 单位: "≥" "95" "%" → "≥95%"; 大于等于 → ≥; 定性/正向/反向 give
       the direction); a bare-number actual takes the unit too.

Other rows
    Wrapped label rows (项目名称, 主管部门, a goal's text, the budget label) continue
    on a following line whose cells sit under their value cells. Narratives take
    indented continuation lines. Tick boxes belong to the option they follow, or
    precede when the row starts with a box. A weight printed in a header
    ("预算执行情况 (20分)", "年度绩效目标 1 (80分)") is used only when the form has a
    得分 or 分值 column; otherwise it is noted and left out. After 改进措施 (or 总分, or
    the sign-off) and a blank line, or at a heading such as 第七部分, the form is
    closed: further lines are noted as not belonging to it.

Form fields
    A department-wide form (整体 in the title, 部门整体支出总额, 基本/项目支出总额) has
    no 项目名称: it is recorded as "部门整体支出", and its 主管部门 is the 单位名称
    itself. The rule set follows the layout: 年初预算数 / 分值 / 偏差原因分析 columns
    mean the national (财政部) annex, national-2020; 预算数 (A) / 年初目标值 (A) mean
    the Hubei form, hubei-2020.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from jixiao.disclosure import vocab as V
from jixiao.disclosure.report import DisclosureResult, FormReport, Guess, ImportedForm, Unassigned, empty_fields
from jixiao.disclosure.text import (
    TICKED_MARKS,
    UNTICKED_MARKS,
    Line,
    grid_lines,
    is_decoration,
    join_wrapped,
    shown,
    split_lines,
    squeeze,
)
from jixiao.form_labels import canon, nfkc
from scorer.model import TICK_GROUPS, Budget, Form, FormKind, Goal, Indicator, Recorded, SignOff, Ticks

DEPARTMENT_PROJECT_NAME = "部门整体支出"
_HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十百\d]+(?:部分|章|节)|附件\d*[:：]?|附表\d*|[一二三四五六七八九十]+、)"
)
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_MAX_TITLE = 60


# ====================================================================== segmentation


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


@dataclass
class _GoalDraft:
    number: int | None = None
    text: str = ""
    weight: Decimal | None = None
    indicators: list[Indicator] = field(default_factory=list)


@dataclass
class _Table:
    header: Line
    columns: _Columns
    cols: dict[str, int]
    goal: _GoalDraft
    label_text: str
    valign: str = "top"
    lines: list[Line] = field(default_factory=list)
    spare_missing: list[int] = field(default_factory=list)
    misaligned: list[int] = field(default_factory=list)

    @property
    def value_keys(self) -> list[tuple[str, int]]:
        keys = ("target", "nature", "unit", "adjusted_target", "actual", "weight", "score", "deviation", "remark")
        return sorted(((k, c) for k, c in self.cols.items() if k in keys), key=lambda kc: kc[1])

    @property
    def scored(self) -> bool:
        return "score" in self.cols or "weight" in self.cols

    @property
    def first_level_col(self) -> int:
        return min(self.cols.get(k, 10**6) for k in ("level1", "level2", "name"))

    @property
    def first_value_col(self) -> int:
        vk = self.value_keys
        return vk[0][1] if vk else 10**6


@dataclass
class _Read:
    level1: str | None
    level2: str | None
    name: str
    values: dict[str, str]
    how: str  # "position" | "names"


# ====================================================================== the form reader


class _FormReader:
    def __init__(self, lines: list[Line], source: str) -> None:
        self.lines = lines
        self.source = source
        self.report = FormReport(first_line=lines[0].no, last_line=lines[-1].no)
        self.title = ""
        self.subtitle = ""
        self.fields: dict[str, str] = {}
        self.year_text = ""
        self.ticks: dict[str, list[str]] = {}
        self.budget: dict[str, Any] = {}
        self.budget_columns: _Columns | None = None
        self.budget_cols: dict[str, int] = {}
        self.budget_label = ""
        self.budget_weight_label: Decimal | None = None
        self.budget_main_seen = False
        self.goals: list[_GoalDraft] = []
        self.table: _Table | None = None
        self.narratives: dict[str, str] = {}
        self.narrative: str | None = None
        self.signoff: dict[str, str] = {}
        self.total: Decimal | None = None
        self.section = "head"
        self.closing = False
        self.closed = False
        self.skipped: list[int] = []
        self.pending: list[Line] = []  # header pieces printed above a header line
        self.pending_goal_texts = False
        self.national = False
        self.hubei = False
        self.scored_block = False
        self.table_scored = False
        self.department_hint = False
        self.budget_header: Line | None = None
        self.goal_text_labels: list[str] = []
        self.last_columns: _Columns | None = None
        self.last_score_col: int | None = None
        self.last_table_has_weight = False
        # the last row whose cells may wrap onto the next line, and how to re-read it joined
        self.cont: tuple[Line, Callable[[Line], None]] | None = None

    # ------------------------------------------------------------------ driver

    def read(self) -> ImportedForm | None:
        body = self.lines
        first = body[0]
        if _is_title(first):
            self.title = first.texts[0].strip()
            body = body[1:]
        for ln in body:
            if ln.blank:
                self.cont = None
                if self.closing:
                    self.closed = True
                continue
            if all(is_decoration(c) for c in ln.texts):
                continue
            self._line(ln)
        self._flush_pending()
        self._finish_table()
        if self.closed or self.closing:
            last = max((n for n in self._used_lines()), default=self.report.first_line)
            self.report.last_line = last
        if not (self.fields or self.goals or self.budget or self.ticks):
            return None
        return ImportedForm(self._build(), self.report)

    def _used_lines(self) -> list[int]:
        skipped = set(self.skipped)
        return [
            ln.no
            for ln in self.lines
            if not ln.blank and ln.no not in skipped and not all(is_decoration(c) for c in ln.texts)
        ]

    def note(self, text: str) -> None:
        if text not in self.report.notes:
            self.report.notes.append(text)

    def guess(self, ln: Line | _Row, text: str) -> None:
        """A line placed by a rule that could be wrong: noted, and listed with its raw text for checking."""
        self.note(text)
        self.report.guessed.append(Guess(ln.no, ln.raw, text))

    def unassigned(self, ln: Line | _Row, reason: str) -> None:
        if isinstance(ln, Line):
            self.report.unassigned.append(Unassigned(ln.no, ln.raw, reason))
        else:
            self.report.unassigned.append(Unassigned(ln.no, ln.raw, reason))

    # ------------------------------------------------------------------ one line

    def _line(self, ln: Line, allow_piece: bool = True) -> None:
        if self.pending and not (
            _is_table_header(ln) or _is_budget_header(ln) or (allow_piece and self._header_piece(ln))
        ):
            self._flush_pending()
        first = ln.first
        cont, self.cont = self.cont, None
        if not self.fields and not self.goals and not self.budget and self._subtitle(ln):
            return
        if _is_table_header(ln):
            self._finish_table()
            self._table_header(ln)
            return
        if self.table is not None and not self.table.lines and self._header_piece(ln):
            self.table.valign = "center" if self.table.valign == "bottom-or-center" else "top"
            self._merge_header(self.table.header, [ln], after=True)
            self.note(f"第 {ln.no} 行是第 {self.table.header.no} 行表头折行的下半部分，已并入表头")
            self._reheader()
            return
        if (
            self.section == "budget"
            and self.budget_header is not None
            and not self.budget_main_seen
            and self._header_piece(ln)
        ):
            self._merge_header(self.budget_header, [ln], after=True)
            self.note(f"第 {ln.no} 行是第 {self.budget_header.no} 行表头折行的下半部分，已并入表头")
            self._budget_header(self.budget_header)
            return
        if _is_budget_header(ln):
            self._finish_table()
            self._budget_header(ln)
            return
        if self._header_fields(ln):
            return
        key = V.TICK_LABELS.get(canon(first))
        if key is not None:
            self._finish_table()
            self._tick_row(key, ln)
            return
        if self._expenditure(ln):
            return
        is_goal, number = V.goal_label(first)
        if is_goal and len(ln.texts) >= 1 and not _is_table_header(ln):
            self._finish_table()
            self._goal_row(ln, number)
            return
        if canon(first) in V.TOTAL_LABELS:
            self._finish_table()
            self._total_row(ln)
            return
        nkey = V.narrative_key(first)
        if nkey is not None and len(canon(first)) >= 4:
            self._finish_table()
            self._narrative_row(nkey, ln)
            return
        if self._signoff_row(ln):
            self._finish_table()
            return
        # ---- context
        if self.section == "budget" and self._budget_row(ln):
            return
        if self.pending_goal_texts:
            self._goal_texts(ln)
            return
        if self.table is not None:
            self.table.lines.append(ln)
            return
        if cont is not None and not ln.whole:
            merged = _continued(cont[0], ln)
            if merged is not None:
                self.report.unassigned = [u for u in self.report.unassigned if u.line_no != cont[0].no]
                self.guess(ln, f"第 {ln.no} 行是第 {cont[0].no} 行单元格折行的下半部分，已并入")
                cont[1](merged)
                return
        if allow_piece and self._header_piece(ln):
            self.pending.append(ln)
            return
        if len(ln.texts) == 1 and not self._indented(ln) and _HEADING.match(squeeze(nfkc(first))):
            self.closed = True  # the document goes on with its next part
        if self.section == "narrative" and self.narrative and not self.closed and self._indented(ln):
            self._narrative_more(ln)
            return
        if self.closed:
            self.skipped.append(ln.no)
            return
        self.unassigned(ln, "不是可识别的表格行（无已知的栏目名称，也不在指标表或说明栏内）")

    @staticmethod
    def _indented(ln: Line) -> bool:
        """A continuation sits under the value, not in the label column."""
        if ln.tabbed:
            return not ln.cells[0]
        return ln.starts is not None and bool(ln.starts) and ln.starts[0] >= 2

    def _flush_pending(self) -> None:
        """Pieces that turned out not to sit above a header: read them as ordinary lines."""
        pending, self.pending = self.pending, []
        for ln in pending:
            self._line(ln, allow_piece=False)

    def _header_piece(self, ln: Line) -> bool:
        """A line of header pieces only: "(A)  (B)", "年度 绩效", "年初目标  实际完成"."""
        pieces = re.compile(
            r"^(?:年度|绩效|总体|目标|指标|年初|目标值|值|实际|完成|完成值|得分|分值|权重|偏差|原因|分析|及|改进|措施"
            r"|预算|执行|情况|预算数|执行数|执行率|万元|全年|调整后|性质|度量|单位|计量|率|数|一级|二级|三级"
            r"|[()（）\d.*/×%:：AaBb分]|\s)+$"
        )
        texts = ln.texts
        if not texts:
            return False
        if all(re.fullmatch(r"[\d.\s%]+", t) for t in texts):
            return False
        return all(pieces.match(nfkc(t)) for t in texts)

    # ------------------------------------------------------------------ head

    def _subtitle(self, ln: Line) -> bool:
        texts = ln.texts
        if len(texts) != 1:
            return False
        t = nfkc(texts[0]).strip()
        m = re.fullmatch(r"[(]\s*(.+?)\s*[)]", t)
        if not m:
            return False
        inner = m.group(1)
        y = re.fullmatch(r"((?:19|20)\d{2})\s*年度?", inner)
        if y:
            self.year_text = self.year_text or y.group(1)
        else:
            self.subtitle = texts[0].strip()[1:-1].strip()
        return True

    def _header_fields(self, ln: Line) -> bool:
        first = ln.first
        c = canon(first)
        if c in V.YEAR_LABELS:
            value = self._value_after(ln, ln.cells.index(first))
            if value:
                self.year_text = value
                return True
        if not any(V.match_label(first, lab) is not None for _, lab in V.HEADER_LABELS):
            return False
        self._finish_table()
        self._fields_row(ln)
        return True

    def _fields_row(self, ln: Line) -> None:
        self.cont = (ln, self._fields_row)
        cells = ln.cells
        i = 0
        while i < len(cells):
            cell = cells[i]
            matched = False
            for key, lab in V.HEADER_LABELS:
                rest = V.match_label(cell, lab)
                if rest is None:
                    continue
                matched = True
                value = rest or self._value_after(ln, i)
                if value:
                    self.fields[key] = value
                else:
                    self.note(f"第 {ln.no} 行「{lab}」后没有内容")
                break
            if not matched and cell and not self._consumed(ln, i):
                self.unassigned(ln, f"单元格「{cell}」不在任何栏目名称之后")
            i += 1

    def _value_after(self, ln: Line, i: int) -> str:
        for cell in ln.cells[i + 1 :]:
            if not cell:
                continue
            if V.any_label(cell):
                return ""
            return cell
        return ""

    def _consumed(self, ln: Line, i: int) -> bool:
        """Whether cell i is the value of a label cell (with nothing after the label) before it."""
        for j in range(i - 1, -1, -1):
            cell = ln.cells[j]
            if cell:
                return any(V.match_label(cell, lab) == "" for _, lab in V.HEADER_LABELS)
        return False

    def _tick_row(self, key: str, ln: Line) -> None:
        self.cont = (ln, lambda merged: self._tick_row(key, merged))
        text = " ".join(ln.texts[1:])
        options = TICK_GROUPS[key]
        tokens: list[tuple[int, str, Any]] = []
        norm = text
        for opt in options:
            short = opt.removesuffix("项目")
            for m in re.finditer(re.escape(opt) + ("|" + re.escape(short) if short != opt else ""), norm):
                tokens.append((m.start(), "opt", opt))
        for mark in TICKED_MARKS:
            tokens.extend((m.start(), "mark", True) for m in re.finditer(re.escape(mark), norm))
        for mark in UNTICKED_MARKS:
            tokens.extend((m.start(), "mark", False) for m in re.finditer(re.escape(mark), norm))
        tokens.sort(key=lambda t: t[0])
        self.ticks.setdefault(key, [])
        opts = [t for t in tokens if t[1] == "opt"]
        marks = [t for t in tokens if t[1] == "mark"]
        if not opts or not marks:
            self.unassigned(ln, "勾选行中没有找到选项或勾选框")
            return
        before = tokens[0][1] == "mark"
        ticked: list[str] = []
        for k, (pos, _, opt) in enumerate(opts):
            if before:
                lo = opts[k - 1][0] if k else -1
                box = [m for m in marks if lo < m[0] < pos]
                chosen = box[-1] if box else None
            else:
                hi = opts[k + 1][0] if k + 1 < len(opts) else 10**9
                box = [m for m in marks if pos < m[0] < hi]
                chosen = box[0] if box else None
            if chosen is None:
                self.note(f"第 {ln.no} 行：「{opt}」旁没有勾选框")
            elif chosen[2] and opt not in ticked:
                ticked.append(opt)
        self.ticks[key] = ticked

    def _expenditure(self, ln: Line) -> bool:
        found = False
        for i, cell in enumerate(ln.cells):
            for key, lab in (("basic_expenditure", "基本支出总额"), ("project_expenditure", "项目支出总额")):
                rest = V.match_label(cell, lab)
                if rest is None:
                    continue
                found = True
                text = rest or self._value_after(ln, i)
                value, ok = V.number(text)
                if ok and value is not None:
                    self.budget[key] = value
                    self.department_hint = True
                else:
                    self.unassigned(ln, f"「{lab}」的金额「{text}」不是数字")
        if found:
            self._finish_table()
            self.cont = (ln, lambda merged: None if self._expenditure(merged) else None)
        return found

    # ------------------------------------------------------------------ budget block

    def _budget_header(self, ln: Line) -> None:
        self._merge_pending_into(ln)
        self.section = "budget"
        self.budget_header = ln
        self.budget_columns = _Columns(ln)
        cols: dict[str, int] = {}
        for i, cell in enumerate(ln.cells):
            if not cell:
                continue
            key = V.budget_key(cell)
            col = self.budget_columns.col(ln, i)
            if key and key not in cols:
                cols[key] = col
            elif key is None and any(canon(cell).startswith(b) for b in V.BUDGET_BLOCK):
                w = V.label_weight(cell)
                if w is not None:
                    self.budget_weight_label = w
        self.budget_cols = cols
        if "initial" in cols or "weight" in cols:
            self.national = True
        else:
            self.hubei = True
        self.scored_block = "score" in cols or "weight" in cols

    def _budget_row(self, ln: Line) -> bool:
        assert self.budget_columns is not None
        cells: list[tuple[int, str]] = []
        for col, text in self.budget_columns.cells(ln):
            m = re.fullmatch(r"(\D*[^\d\s])\s+([\d.,]+%?)", text) if not ln.tabbed else None
            if m and not cells:  # "部门整体支出总额 4291.37": a label and its amount one space apart
                cells += [(col, m.group(1)), (self.budget_cols.get("planned", col), m.group(2))]
                self.note(f"第 {ln.no} 行「{text}」是名称和金额两个单元格（只隔一个空格），已分开")
            else:
                cells.append((col, text))
        label = ""
        values: list[tuple[int, str]] = []
        for col, text in cells:
            if not label and not V.is_number(text) and squeeze(nfkc(text)) not in ("—", "-", "－", "/", "／"):
                label = text
            else:
                values.append((col, text))
        if not values and not label:
            return False
        sub = next((k for word, k in V.SUBROWS if word in canon(label)), None) if label else None
        if not values and sub is None:
            return False  # not a budget row: let the caller decide
        if any(not _money_cell(text) for _, text in values):
            return False  # words where the amounts should be: not a budget row
        inv = {c: k for k, c in self.budget_cols.items()}
        mapped: dict[str, str] = {}
        if values and all(c in inv for c, _ in values) and len({c for c, _ in values}) == len(values):
            mapped = {inv[c]: t for c, t in values}
        else:
            order = [k for k, _ in sorted(self.budget_cols.items(), key=lambda kc: kc[1])]
            if len(values) > len(order):
                self.unassigned(ln, "预算行的数字多于表头的栏目")
                return True
            mapped = dict(zip(order, (t for _, t in values), strict=False))
            self.guess(ln, f"第 {ln.no} 行预算数字不在表头各栏之下，按表头顺序归位")
        if sub is not None:
            col_key = next((k for k in ("planned", "initial", "executed") if mapped.get(k)), None)
            if col_key is None:
                return True
            value, ok = V.number(mapped[col_key])
            if not ok:
                self.unassigned(ln, f"「{label}」的金额「{mapped[col_key]}」不是数字")
            elif value is not None:
                self.budget[sub] = value
                others = [k for k in ("initial", "planned", "executed") if k != col_key and mapped.get(k)]
                if others:
                    self.note(f"第 {ln.no} 行「{label}」只取{_BUDGET_NAMES[col_key]}（表单格式只有一个数）")
            return True
        if self.budget_main_seen:
            self.unassigned(ln, "预算执行情况中多出的一行（不是 财政拨款 / 上年结转 / 其他资金）")
            return True
        self.budget_main_seen = True

        def again(merged: Line) -> None:
            self.budget_main_seen = False
            self._budget_row(merged)

        self.cont = (ln, again)
        self.budget_label = label
        for key in ("initial", "planned", "executed", "weight", "score"):
            text = mapped.get(key, "")
            if not text:
                continue
            value, ok = V.number(text)
            if not ok:
                self.unassigned(ln, f"预算执行情况的{_BUDGET_NAMES[key]}「{text}」不是数字")
                continue
            self.budget[key] = value
        if mapped.get("rate"):
            self.budget["rate_text"] = mapped["rate"].strip()
        return True

    # ------------------------------------------------------------------ goals

    def _goal_row(self, ln: Line, number: int | None) -> None:
        self.section = "goals"
        texts = ln.texts[1:]
        labels = [t for t in texts if canon(t) in ("预期目标", "实际完成情况", "实际完成", "目标")]
        goal = _GoalDraft(number=number)
        self.goals.append(goal)
        w = V.label_weight(ln.first)
        if w is not None:
            goal.weight = w
        if texts and len(labels) == len(texts):
            self.pending_goal_texts = True
            self.goal_text_labels = labels
            return
        if texts:
            goal.text = texts[0]

            def more(merged: Line, goal: _GoalDraft = goal) -> None:
                goal.text = merged.texts[1] if len(merged.texts) > 1 else goal.text
                self.cont = (merged, more)

            self.cont = (ln, more)
            if len(texts) > 1:
                self.note(f"第 {ln.no} 行年度目标后还有「{' / '.join(texts[1:])}」，表单格式没有这一栏，未导入")

    def _goal_texts(self, ln: Line) -> None:
        self.pending_goal_texts = False
        texts = ln.texts
        labels = self.goal_text_labels
        goal = self.goals[-1]
        goal.text = texts[0] if texts else ""
        if len(texts) > 1:
            what = labels[1] if len(labels) > 1 else "第二栏"
            self.note(f"第 {ln.no} 行：{what}「{' '.join(texts[1:])}」— 表单格式没有这一栏，未导入")

    # ------------------------------------------------------------------ indicator tables

    def _table_header(self, ln: Line) -> None:
        above = self._merge_pending_into(ln)
        self.section = "table"
        self._make_table(ln, valign="bottom-or-center" if above else "top")

    def _table_cols(self, ln: Line, columns: _Columns) -> tuple[dict[str, int], str]:
        cols: dict[str, int] = {}
        label_text = ""
        for i, cell in enumerate(ln.cells):
            if not cell:
                continue
            key = V.table_key(cell)
            if key and key not in cols:
                cols[key] = columns.col(ln, i)
            elif key is None and not cols and not label_text:
                label_text = cell
        return cols, label_text

    def _make_table(self, ln: Line, valign: str) -> None:
        columns = _Columns(ln)
        cols, label_text = self._table_cols(ln, columns)
        is_goal, number = V.goal_label(label_text) if label_text else (False, None)
        goal = self.goals[-1] if self.goals else None
        if goal is None:
            goal = _GoalDraft(number=number)
            self.goals.append(goal)
        elif goal.indicators:
            if is_goal:
                goal = _GoalDraft(number=number)
                self.goals.append(goal)
            else:
                self.note(f"第 {ln.no} 行表头重复（如跨页），其下各行仍归上一个年度绩效目标")
        elif is_goal and number is not None and goal.number is not None and goal.number != number:
            goal = _GoalDraft(number=number)
            self.goals.append(goal)
        self.table = _Table(ln, columns, cols, goal, label_text, valign=valign)
        self._table_settings(self.table)

    def _table_settings(self, t: _Table) -> None:
        """What the header row says about the table: goal number and weight, layout, split columns."""
        is_goal, number = V.goal_label(t.label_text) if t.label_text else (False, None)
        if is_goal and t.goal.number is None:
            t.goal.number = number
        weight = V.label_weight(t.label_text) if t.label_text else None
        if weight is not None:
            t.goal.weight = weight
        cols = t.cols
        if ("nature" in cols or "unit" in cols) and "target" in cols:
            self.note("指标性质 / 指标值 / 度量单位分列：年初目标值按「性质符号 + 指标值 + 单位」拼合")
        if "weight" in cols and "deviation" in cols:
            self.national = True
        elif "target" in cols:
            self.hubei = self.hubei or not self.national
        self.table_scored = self.table_scored or t.scored

    def _reheader(self) -> None:
        """Re-read the header after pieces printed below it were joined in."""
        assert self.table is not None
        t = self.table
        t.columns = _Columns(t.header)
        t.cols, t.label_text = self._table_cols(t.header, t.columns)
        self._table_settings(t)

    def _merge_pending_into(self, header: Line) -> bool:
        if not self.pending:
            return False
        self._merge_header(header, self.pending, after=False)
        self.note(
            "第 " + "、".join(str(p.no) for p in self.pending) + f" 行是第 {header.no} 行表头折行的上半部分，已并入表头"
        )
        self.pending = []
        return True

    def _merge_header(self, header: Line, pieces: list[Line], after: bool) -> None:
        """Join wrapped pieces of a header line into its cells (by column)."""
        columns = _Columns(header)
        for piece in pieces:
            for i, text in enumerate(piece.cells):
                if not text:
                    continue
                col = columns.col(piece, i)
                idx = self._cell_index(header, col)
                if idx is None:
                    continue
                old = header.cells[idx]
                header.cells[idx] = join_wrapped(old, text) if after else join_wrapped(text, old)
                if header.ends is not None and piece.starts is not None:
                    header.ends[idx] = max(header.ends[idx], piece.end(i))

    @staticmethod
    def _cell_index(header: Line, col: int) -> int | None:
        if header.tabbed:
            while len(header.cells) <= col:
                header.cells.append("")
            return col
        return col if col < len(header.cells) else None

    def _finish_table(self) -> None:
        t = self.table
        if t is None:
            return
        self.table = None
        if t.valign == "bottom-or-center":
            t.valign = "bottom"
        self.last_columns = t.columns
        self.last_score_col = t.cols.get("score")
        self.last_table_has_weight = "weight" in t.cols
        rows = self._logical_rows(t)
        prev1: str | None = None
        prev2 = ""
        for row in rows:
            read = self._read_row(t, row)
            if read is None:
                continue
            if read.level1:
                level1 = self._level(read.level1, row)
                level2 = self._level(read.level2, row) if read.level2 else ""
            else:
                level1 = prev1 if prev1 is not None else ""
                level2 = self._level(read.level2, row) if read.level2 else prev2
            prev1, prev2 = level1, level2
            ind = self._indicator(t, row, read, level1, level2)
            if ind is not None:
                t.goal.indicators.append(ind)
                self.report.rows_recovered += 1
        if t.misaligned:
            self.note(
                f"第 {_ranges(t.misaligned)} 行（按空格排版）的单元格与第 {t.header.no} 行表头各栏对不齐，"
                "按已知的一级/二级指标名称和栏目顺序读出"
            )
        if t.spare_missing:
            self.note(
                f"第 {t.header.no} 行表头的「三级指标」占两栏；第 {_ranges(t.spare_missing)} 行少了这一空栏，"
                "按少一栏的位置读出"
            )

    def _level(self, text: str, row: _Row) -> str:
        """一级/二级 name without spaces; a printed weight ("产出指标（50分）") is noted, not kept in the name."""
        weight = V.label_weight(text)
        name = squeeze(V.WEIGHT_IN_LABEL.sub("", text))
        if weight is not None:
            self.note(
                f"第 {row.no} 行「{name}」印有分值 {weight}：表单格式没有一级/二级分值，未导入（各指标分值已读出）"
            )
        return name

    def _logical_rows(self, t: _Table) -> list[_Row]:
        entries: list[tuple[Line, list[tuple[int, str]], bool]] = []
        starts: dict[int, dict[int, int]] = {}  # line no → {column: character column} (laid-out text)
        for ln in t.lines:
            cells = t.columns.cells(ln)
            if ln.starts is not None:
                starts[ln.no] = {col: ln.starts[i] for (col, _), i in zip(cells, _filled(ln), strict=True)}
            kept = []
            for col, text in cells:
                if col < t.first_level_col and V.row_label_fragment(text):
                    label = f"「{t.label_text}」" if t.label_text else ""
                    self.note(f"第 {ln.no} 行开头的「{text}」是行标签{label}折行的一部分，已略去")
                    continue
                kept.append((col, text))
            if not kept:
                continue
            # a row has a text cell (levels, 三级) and a value cell; a line with only one kind is a wrapped
            # piece, except a whole row of a table a document reader found (its wrapped cells are joined)
            anchor = ln.whole or (
                any(col >= t.first_value_col for col, _ in kept) and any(col < t.first_value_col for col, _ in kept)
            )
            entries.append((ln, kept, anchor))
        rows: list[_Row] = []
        waiting: list[_Row] = []

        def under(frag: _Row, row: _Row) -> _Row:
            """A wrapped piece of laid-out text continues the cell of its row that starts where it starts."""
            mine, theirs = starts.get(frag.lines[0].no), starts.get(row.anchor)
            if not mine or not theirs:
                return frag
            moved = []
            for col, text in frag.cells:
                at = mine.get(col)
                near = min(theirs.items(), key=lambda kv: abs(kv[1] - at)) if at is not None else None
                moved.append((near[0] if near is not None and abs(near[1] - at) <= 2 else col, text))  # type: ignore[operator]
            return _Row(frag.lines, moved, frag.anchor)

        def to_prev(frag: _Row) -> None:
            rows[-1] = _join_rows(rows[-1], under(frag, rows[-1]))
            self.guess(frag, f"第 {frag.no} 行是上一行单元格折行的下半部分，已并入")

        def to_next(frags: list[_Row], row: _Row) -> _Row:
            for frag in reversed(frags):
                row = _join_rows(under(frag, row), row)
                self.guess(frag, f"第 {frag.no} 行是下一行单元格折行的上半部分，已并入")
            return row

        for ln, cells, anchor in entries:
            if not anchor:
                if t.valign == "top" and rows:
                    to_prev(_Row([ln], cells))
                else:
                    waiting.append(_Row([ln], cells))
                continue
            row = _Row([ln], list(cells), ln.no)
            if waiting:
                if t.valign == "center" and rows:
                    half = len(waiting) // 2
                    for frag in waiting[:half]:
                        to_prev(frag)
                    waiting = waiting[half:]
                row = to_next(waiting, row)
                waiting = []
            rows.append(row)
        for frag in waiting:
            if rows:
                to_prev(frag)
            else:
                rows.append(frag)
        return rows

    def _read_row(self, t: _Table, row: _Row) -> _Read | None:
        pos = self._positional(t, row)
        seq = self._by_names(t, row)
        chosen = pos
        if pos is None or (
            seq is not None
            and not (pos.values.get("target") and pos.values.get("actual"))
            and seq.values.get("target")
            and seq.values.get("actual")
        ):
            chosen = seq
        if chosen is None:
            reason = self._why_not(t, row)
            self.unassigned(row, reason)
            return None
        if chosen.how == "names":
            parts = [
                f"一级 {squeeze(chosen.level1)}" if chosen.level1 else "一级 续上",
                f"二级 {squeeze(chosen.level2)}" if chosen.level2 else ("二级 空" if chosen.level1 else "二级 续上"),
                f"三级 {chosen.name}",
            ]
            placed = f"按已知的一级/二级指标名称归位：{'，'.join(parts)}"
            if not row.lines[0].tabbed:  # laid-out rows: one note for the table (see _finish_table)
                t.misaligned.append(row.no)
                self.report.guessed.append(Guess(row.no, row.raw, f"第 {row.no} 行与表头各栏对不齐，{placed}"))
            else:
                raw = " / ".join(shown(ln.raw) for ln in row.lines)
                self.guess(row, f"第 {row.no} 行错位（{raw}），{placed}")
        return chosen

    def _why_not(self, t: _Table, row: _Row) -> str:
        texts = [text for _, text in row.cells]
        if len(texts) - 1 > len(t.value_keys) + 2:
            return f"单元格（{len(texts)} 个）多于表头的栏目，无法确定各自的栏目"
        return "无法确定各单元格属于哪一栏（没有三级指标名称，或分值/得分不是数字）"

    def _positional(self, t: _Table, row: _Row) -> _Read | None:
        read = self._positional_at(t, row.cells)
        spare = t.cols.get("name", -1) + 1
        if read is None and t.header.tabbed and "name" in t.cols and spare < len(t.header.cells):
            if not t.header.cells[spare] and spare not in t.cols.values():
                # The header's 三级 cell spans two columns (an empty cell follows it);
                # a row printed without the spare column reads with the later cells one to the left.
                shifted = [(c + 1 if c >= spare else c, text) for c, text in row.cells]
                read = self._positional_at(t, shifted)
                if read is not None:
                    t.spare_missing.append(row.no)
        return read

    def _positional_at(self, t: _Table, cells: list[tuple[int, str]]) -> _Read | None:
        cols = [c for c, _ in cells]
        if len(set(cols)) != len(cols):
            return None
        known = set(t.cols.values())
        if any(c not in known for c in cols):
            return None
        by = dict(cells)
        l1 = by.get(t.cols["level1"]) if "level1" in t.cols else None
        l2 = by.get(t.cols["level2"]) if "level2" in t.cols else None
        name = by.get(t.cols["name"], "")
        if not name:
            return None
        if l1 and V.level_kinds(l1) == {"2"}:
            return None
        if l2 and V.level_kinds(l2) == {"1"}:
            return None
        values = {k: by.get(c, "") for k, c in t.value_keys}
        if not _numbers_ok(values):
            return None
        return _Read(l1 or None, l2 or None, name, values, "position")

    def _by_names(self, t: _Table, row: _Row) -> _Read | None:
        cells = sorted(row.cells, key=lambda ct: ct[0]) if len(row.lines) > 1 else list(row.cells)
        c1 = t.cols.get("level1", -1)
        l1: str | None = None
        l2: str | None = None
        i = 0
        while i < len(cells) and (l1 is None or l2 is None):
            col, text = cells[i]
            kinds = V.level_kinds(text)
            if not kinds:
                break
            if kinds == {"1"}:
                if l1 is not None or l2 is not None:
                    break
                l1 = text
            elif kinds == {"2"}:
                if l2 is not None:
                    break
                l2 = text
            else:
                if l1 is None and l2 is None and col <= c1:
                    l1 = text
                elif l2 is None:
                    l2 = text
                else:
                    break
            i += 1
        if i >= len(cells):
            return None
        name = cells[i][1]
        rest = [text for _, text in cells[i + 1 :]]
        keys = [k for k, _ in t.value_keys if k != "remark"]
        if len(rest) > len(keys) and l2 is None and len(rest) == len(keys) + 1 and "level2" in t.cols:
            l2, name, rest = name, rest[0], rest[1:]
        if len(rest) > len(keys):
            return None
        values = dict(zip(keys, rest, strict=False))
        if not _numbers_ok(values):
            return None
        return _Read(l1, l2, name, values, "names")

    def _indicator(self, t: _Table, row: _Row, read: _Read, level1: str, level2: str) -> Indicator | None:
        v = read.values
        target = v.get("target", "").strip()
        actual = v.get("actual", "").strip()
        direction = ""
        if "nature" in t.cols or "unit" in t.cols:
            target, actual, direction = _combine(v.get("nature", ""), target, v.get("unit", ""), actual)
        weight, _ = V.number(v.get("weight", ""))
        score, _ = V.number(v.get("score", ""))
        if v.get("remark"):
            self.note(f"第 {row.no} 行备注「{v['remark']}」：表单格式没有这一栏，未导入")
        for text, what in ((target, "年初目标值"), (actual, "实际完成值"), (read.name, "三级指标")):
            if _unbalanced(text):
                self.note(f"第 {row.no} 行{what}「{text}」括号不配对，可能在提取时被截断")
        return Indicator(
            level1=level1,
            level2=level2,
            name=read.name.strip(),
            target=target,
            actual=actual,
            weight=weight,
            recorded=Recorded(score) if score is not None else None,
            adjusted_target=v.get("adjusted_target", "").strip(),
            deviation=v.get("deviation", "").strip(),
            direction=direction,
        )

    # ------------------------------------------------------------------ bottom of the form

    def _total_row(self, ln: Line) -> None:
        self.section = "total"
        self.closing = True
        nums: list[tuple[int, Decimal]] = []
        columns = self.last_columns
        placed = columns.cells(ln) if columns else [(i, c) for i, c in enumerate(ln.cells) if c]
        for col, cell in placed:
            if canon(cell) in V.TOTAL_LABELS:
                continue
            value, ok = V.number(cell)
            if ok and value is not None:
                nums.append((col, value))
            elif not ok:
                self.unassigned(ln, f"总分「{cell}」不是数字")
                return
        if not nums:
            self.note(f"第 {ln.no} 行「总分」后没有分数")
            return
        score_col = self.last_score_col
        at = [v for c, v in nums if score_col is not None and c == score_col]
        if at:
            self.total = at[0]
        elif len(nums) == 1:
            self.total = nums[0][1]
        elif len(nums) == 2 and self.last_table_has_weight:
            self.total = nums[1][1]
            self.note(f"第 {ln.no} 行总分有两个数，按「分值、得分」的顺序取后者 {nums[1][1]}")
        else:
            self.unassigned(ln, "总分行有多个数，无法确定哪个是得分")

    def _narrative_row(self, key: str, ln: Line) -> None:
        self.section = "narrative"
        self.narrative = key
        self.closed = False
        self.closing = key == "improvement_measures"
        idx = next(i for i, c in enumerate(ln.cells) if c)
        texts = [c for c in ln.cells[idx + 1 :] if c]
        text = ""
        for piece in texts:
            text = join_wrapped(text, piece) if text else piece
        if key in self.narratives and self.narratives[key]:
            self.narratives[key] = join_wrapped(self.narratives[key], text)
        else:
            self.narratives[key] = text

    def _narrative_more(self, ln: Line) -> None:
        assert self.narrative is not None
        texts = list(ln.texts)
        if texts and V.narrative_key(texts[0]) is None and _label_piece(texts[0], self.narrative):
            texts = texts[1:]
        if not texts:
            return
        joined = ""
        for piece in texts:
            joined = join_wrapped(joined, piece) if joined else piece
        self.narratives[self.narrative] = join_wrapped(self.narratives.get(self.narrative, ""), joined)
        self.note(f"第 {ln.no} 行是说明栏文字的续行，已并入")

    def _signoff_row(self, ln: Line) -> bool:
        found = False
        cells = ln.cells
        for i, cell in enumerate(cells):
            if not cell:
                continue
            for key, lab in V.SIGNOFF_LABELS:
                rest = V.match_label(cell, lab)
                if rest is None:
                    continue
                found = True
                value = rest or self._value_after(ln, i)
                if value:
                    self.signoff.setdefault(key, value)
                break
        if found:
            self.closing = True
        return found

    # ------------------------------------------------------------------ building the Form

    def _build(self) -> Form:
        rep = self.report
        department = "整体" in canon(self.title) or self.department_hint or "部门整体" in canon(self.budget_label)
        if "project_name" in self.fields and "整体" not in canon(self.title):
            department = False  # a 项目名称 row makes it a project form
        kind = FormKind.DEPARTMENT if department else FormKind.PROJECT

        project_name = self.fields.get("project_name", "")
        if kind is FormKind.DEPARTMENT:
            if not project_name:
                project_name = DEPARTMENT_PROJECT_NAME
                rep.notes.insert(
                    0, f"部门整体支出绩效自评表没有「项目名称」：项目名称记为「{DEPARTMENT_PROJECT_NAME}」"
                )
        elif not project_name and self.subtitle:
            project_name = self.subtitle
            self.note(f"表上没有「项目名称」栏：项目名称取自表题下的括注「{self.subtitle}」")
        elif project_name and self.subtitle and squeeze(project_name) != squeeze(self.subtitle):
            self.note(f"「项目名称」{project_name} 与表题下的括注「{self.subtitle}」不同，取「项目名称」")

        unit_name = self.fields.get("unit_name", "")
        implementing = self.fields.get("implementing_unit", "") or unit_name
        if not self.fields.get("implementing_unit") and unit_name and kind is FormKind.PROJECT:
            self.note("「项目实施单位」取自「单位名称」")
        department_name = self.fields.get("department", "")
        if not department_name and kind is FormKind.DEPARTMENT and unit_name:
            department_name = unit_name
            self.note("部门整体表没有「主管部门」栏：主管部门即「单位名称」所填的部门本身")

        year = None
        for text in (self.title, self.year_text):
            m = _YEAR.search(nfkc(text)) or re.fullmatch(r"\s*((?:19|20)\d{2})\s*", nfkc(text))
            if m:
                year = int(m.group(1))
                break

        scored = self.scored_block or self.table_scored
        budget_weight = self.budget.get("weight")
        if budget_weight is None and self.budget_weight_label is not None:
            if scored:
                budget_weight = self.budget_weight_label
            else:
                self.note(
                    f"预算执行情况表头印有「({self.budget_weight_label}分)」，但表上没有得分栏，"
                    "按未评分表处理，未采用此分值"
                )
        score = self.budget.get("score")
        if not self.budget_label and self.budget_main_seen:
            self.note("预算执行情况的金额行没有名称，记为「年度财政资金总额」")
        budget = Budget(
            label=self.budget_label or "年度财政资金总额",
            planned=self.budget.get("planned"),
            executed=self.budget.get("executed"),
            rate_text=self.budget.get("rate_text", ""),
            initial=self.budget.get("initial"),
            weight=budget_weight,
            recorded=Recorded(score) if score is not None else None,
            fiscal=self.budget.get("fiscal"),
            carryover=self.budget.get("carryover"),
            other=self.budget.get("other"),
            basic_expenditure=self.budget.get("basic_expenditure"),
            project_expenditure=self.budget.get("project_expenditure"),
        )
        goals: list[Goal] = []
        for g in self.goals:
            weight = g.weight
            if weight is not None and not scored:
                self.note(f"年度绩效目标印有分值 {weight}，但表上没有得分栏，按未评分表处理，未采用此分值")
                weight = None
            if not g.indicators and not g.text:
                continue
            goals.append(Goal(text=g.text, weight=weight, indicators=tuple(g.indicators)))
        if scored and any(ind.weight is None for goal in goals for ind in goal.indicators):
            for gi, goal in enumerate(goals):
                derived = derive_weights(goal)
                if derived is None:
                    self.note(
                        f"年度绩效目标 {gi + 1}：表上只有得分栏、没有分值栏，各指标的分值没有印出，"
                        "也不能按推定规则得出（见 derive_weights），故留空；计分时由规则集分配"
                    )
                    continue
                goals[gi] = Goal(
                    text=goal.text,
                    weight=goal.weight,
                    indicators=tuple(
                        dataclasses.replace(ind, weight=w) for ind, w in zip(goal.indicators, derived, strict=True)
                    ),
                )
                self.note(
                    f"年度绩效目标 {gi + 1}：表上只有得分栏、没有分值栏；各指标分值按规则推定为 "
                    + "、".join(str(w) for w in derived)
                    + f"（得分等于最常见得分的行以该得分为分值，高于它的行以自身得分为分值，其余行按最常见得分计；"
                    f"合计 {sum(derived)} 分与目标分值 {goal.weight} 分一致）。这是推定，不是表上印出的，请核对"
                )
        rules = "national-2020" if self.national else ("hubei-2020" if self.hubei else None)
        if rules:
            rep.layout = "national" if self.national else "hubei"
            self.note(
                f"版式：{'财政部附件（年初预算数/全年预算数/分值）' if self.national else '湖北（预算数 (A)/执行数 (B)）'}，"
                f"规则集记为 {rules}"
            )
        else:
            self.note("未能判断版式，未指定规则集")
        if self.skipped:
            self.note(f"表后第 {_ranges(self.skipped)} 行不属于本表，已跳过")
        form = Form(
            project_name=project_name,
            department=department_name,
            implementing_unit=implementing,
            year=year,
            form_kind=kind,
            rules=rules,
            title=self.title,
            ticks=Ticks(**{k: tuple(v) for k, v in self.ticks.items()}),
            budget=budget,
            goals=tuple(goals),
            total_recorded=self.total,
            deviation_analysis=self.narratives.get("deviation_analysis", ""),
            improvement_measures=self.narratives.get("improvement_measures", ""),
            signoff=SignOff(**self.signoff),
        )
        rep.empty_fields = empty_fields(
            form,
            scored,
            printed_ticks=set(self.ticks),
            national=self.national,
            printed_narratives=set(self.narratives),
        )
        return form


_BUDGET_NAMES = {
    "initial": "年初预算数",
    "planned": "预算数",
    "executed": "执行数",
    "weight": "分值",
    "score": "得分",
    "rate": "执行率",
}


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


def scan_disclosure(text: str, source: str = "<文本>") -> DisclosureResult:
    """Every self-evaluation form in ``text``, each with its report."""
    return scan_lines(split_lines(text), source)


def scan_rows(rows: Sequence[str | Sequence[str]], source: str = "<文档>") -> DisclosureResult:
    """Every form in a document reader's grid: table rows as their cells, other text as lines."""
    return scan_lines(grid_lines(rows), source)


def scan_lines(lines: list[Line], source: str) -> DisclosureResult:
    """Every form in ``lines``; rows of a form seen outside every form are listed as dropped."""
    result = DisclosureResult(source)
    for line in lines:
        _unglue(line)
    segments = _segments(lines)
    if not segments:
        result.errors.append("没有找到自评表（没有「…自评表」表题，也没有「项目名称」/「一级指标」等表格行）")
        return result
    _drop(result, lines[: segments[0][0]], "在第一张自评表之前，不属于任何一张表")
    for start, end in segments:
        seg = lines[start:end]
        while seg and seg[-1].blank:
            seg = seg[:-1]
        if not seg:
            continue
        reader = _FormReader(seg, source)
        imported = reader.read()
        if imported is None:
            result.notes.append(f"第 {seg[0].no} 行「{seg[0].first}」像是表题，但其后没有表格内容，已跳过")
            continue
        result.forms.append(imported)
        skipped = set(reader.skipped)
        where = f"第 {len(result.forms)} 张表「{imported.form.project_name or imported.form.title}」"
        _drop(result, [ln for ln in seg if ln.no in skipped], f"在{where}结束之后，不属于任何一张表")
    if not result.forms:
        result.errors.append("没有找到自评表：有表题，但没有可读的表格内容")
    return result


def _drop(result: DisclosureResult, lines: list[Line], where: str) -> None:
    """Rows outside every form that carry a form's labels or indicator names: listed, never lost silently.

    Prose, headings and the document's other tables (收入支出决算表 …) are not rows of a form
    and are passed over; a row with a form label (项目名称, 一级指标, 预算执行情况 …) or a known
    一级/二级 name is a form's row that no form took.
    """
    for ln in lines:
        cell = _form_cell(ln)
        if cell is not None:
            result.dropped.append(Unassigned(ln.no, ln.raw, f"{where}（含「{cell}」，像是自评表的行）"))


def _form_cell(ln: Line) -> str | None:
    texts = ln.texts
    if len(texts) < 2:
        return None
    if _is_table_header(ln) or _is_budget_header(ln):
        return texts[0]
    for t in texts:
        c = canon(t)
        if V.level_kinds(t) or V.goal_label(t)[0] or V.narrative_key(t) is not None or c in V.TICK_LABELS:
            return t
        if any(V.match_label(t, lab) is not None for _, lab in (*V.HEADER_LABELS, *V.SIGNOFF_LABELS)):
            return t
    return None


def parse_disclosure(text: str, source: str = "<文本>") -> list[ImportedForm]:
    """The forms of ``text`` with their reports (see :func:`scan_disclosure`)."""
    return scan_disclosure(text, source).forms
