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

import re
from collections.abc import Callable, Sequence

from jixiao.disclosure import vocab as V
from jixiao.disclosure.build import _FormBuilding
from jixiao.disclosure.lines import _continued, _is_budget_header, _is_table_header, _is_title, _segments, _unglue
from jixiao.disclosure.report import DisclosureResult, ImportedForm, Unassigned
from jixiao.disclosure.text import (
    Line,
    grid_lines,
    is_decoration,
    split_lines,
    squeeze,
)
from jixiao.form_labels import canon, nfkc

_HEADING = re.compile(
    r"^(?:第[一二三四五六七八九十百\d]+(?:部分|章|节)|附件\d*[:：]?|附表\d*|[一二三四五六七八九十]+、)"
)


class _FormReader(_FormBuilding):
    """One form's lines, read line by line (see the module docstring for the rules)."""

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

    # ------------------------------------------------------------------ one line

    def _line(self, ln: Line, allow_piece: bool = True) -> None:
        """One line: a header, a labelled row, or a line read by where it falls (in that order)."""
        if self.pending and not (
            _is_table_header(ln) or _is_budget_header(ln) or (allow_piece and self._header_piece(ln))
        ):
            self._flush_pending()
        cont, self.cont = self.cont, None
        if self._header_line(ln) or self._labelled_line(ln):
            return
        self._context_line(ln, cont, allow_piece)

    def _header_line(self, ln: Line) -> bool:
        """The title's subtitle, a table or budget header, or the lower half of a folded header."""
        if not self.fields and not self.goals and not self.budget and self._subtitle(ln):
            return True
        if _is_table_header(ln):
            self._finish_table()
            self._table_header(ln)
            return True
        if self.table is not None and not self.table.lines and self._header_piece(ln):
            self.table.valign = "center" if self.table.valign == "bottom-or-center" else "top"
            self._merge_header(self.table.header, [ln], after=True)
            self.note(f"第 {ln.no} 行是第 {self.table.header.no} 行表头折行的下半部分，已并入表头")
            self._reheader()
            return True
        if (
            self.section == "budget"
            and self.budget_header is not None
            and not self.budget_main_seen
            and self._header_piece(ln)
        ):
            self._merge_header(self.budget_header, [ln], after=True)
            self.note(f"第 {ln.no} 行是第 {self.budget_header.no} 行表头折行的下半部分，已并入表头")
            self._budget_header(self.budget_header)
            return True
        if _is_budget_header(ln):
            self._finish_table()
            self._budget_header(ln)
            return True
        return self._header_fields(ln)

    def _labelled_line(self, ln: Line) -> bool:
        """A row its first cell names: ticks, expenditure, a goal, 总分, a narrative, the sign-off."""
        first = ln.first
        key = V.TICK_LABELS.get(canon(first))
        if key is not None:
            self._finish_table()
            self._tick_row(key, ln)
            return True
        if self._expenditure(ln):
            return True
        is_goal, number = V.goal_label(first)
        if is_goal and len(ln.texts) >= 1 and not _is_table_header(ln):
            self._finish_table()
            self._goal_row(ln, number)
            return True
        if canon(first) in V.TOTAL_LABELS:
            self._finish_table()
            self._total_row(ln)
            return True
        nkey = V.narrative_key(first)
        if nkey is not None and len(canon(first)) >= 4:
            self._finish_table()
            self._narrative_row(nkey, ln)
            return True
        if self._signoff_row(ln):
            self._finish_table()
            return True
        return False

    def _context_line(self, ln: Line, cont: tuple[Line, Callable[[Line], None]] | None, allow_piece: bool) -> None:
        """A line with no label of its own, read by the section, table or cell it continues."""
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
        if len(ln.texts) == 1 and not self._indented(ln) and _HEADING.match(squeeze(nfkc(ln.first))):
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
