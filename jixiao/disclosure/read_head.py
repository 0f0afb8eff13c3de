"""Reading a form's head and tail: header fields, tick boxes, the total, narratives, the sign-off."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from jixiao.disclosure import vocab as V
from jixiao.disclosure.drafts import _ReaderBase
from jixiao.disclosure.lines import _label_piece
from jixiao.disclosure.text import (
    TICKED_MARKS,
    UNTICKED_MARKS,
    Line,
    join_wrapped,
)
from jixiao.form_labels import canon, nfkc
from scorer.model import TICK_GROUPS


class _HeadReading(_ReaderBase):
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
