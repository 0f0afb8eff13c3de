"""Reading the 预算执行情况 block: its header, its rows and sub-rows."""

from __future__ import annotations

import re

from jixiao.disclosure import vocab as V
from jixiao.disclosure.lines import _Columns, _money_cell
from jixiao.disclosure.read_table import _TableReading
from jixiao.disclosure.text import (
    Line,
    squeeze,
)
from jixiao.form_labels import canon, nfkc

_BUDGET_NAMES = {
    "initial": "年初预算数",
    "planned": "预算数",
    "executed": "执行数",
    "weight": "分值",
    "score": "得分",
    "rate": "执行率",
}


class _BudgetReading(_TableReading):
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
        label, values = self._budget_cells(ln)
        if not values and not label:
            return False
        sub = next((k for word, k in V.SUBROWS if word in canon(label)), None) if label else None
        if not values and sub is None:
            return False  # not a budget row: let the caller decide
        if any(not _money_cell(text) for _, text in values):
            return False  # words where the amounts should be: not a budget row
        mapped = self._budget_columns_of(ln, values)
        if mapped is None:
            return True
        if sub is not None:
            self._budget_subrow(ln, label, sub, mapped)
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

    def _budget_cells(self, ln: Line) -> tuple[str, list[tuple[int, str]]]:
        """The row's label (its first worded cell) and its amounts, each with its column."""
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
        return label, values

    def _budget_columns_of(self, ln: Line, values: list[tuple[int, str]]) -> dict[str, str] | None:
        """Each amount under its header column; out of place, in the header's order (said so); None if too many."""
        inv = {c: k for k, c in self.budget_cols.items()}
        if values and all(c in inv for c, _ in values) and len({c for c, _ in values}) == len(values):
            return {inv[c]: t for c, t in values}
        order = [k for k, _ in sorted(self.budget_cols.items(), key=lambda kc: kc[1])]
        if len(values) > len(order):
            self.unassigned(ln, "预算行的数字多于表头的栏目")
            return None
        self.guess(ln, f"第 {ln.no} 行预算数字不在表头各栏之下，按表头顺序归位")
        return dict(zip(order, (t for _, t in values), strict=False))

    def _budget_subrow(self, ln: Line, label: str, sub: str, mapped: dict[str, str]) -> None:
        """财政拨款 / 上年结转 / 其他资金: one amount, from the first column that has one."""
        col_key = next((k for k in ("planned", "initial", "executed") if mapped.get(k)), None)
        if col_key is None:
            return
        value, ok = V.number(mapped[col_key])
        if not ok:
            self.unassigned(ln, f"「{label}」的金额「{mapped[col_key]}」不是数字")
        elif value is not None:
            self.budget[sub] = value
            others = [k for k in ("initial", "planned", "executed") if k != col_key and mapped.get(k)]
            if others:
                self.note(f"第 {ln.no} 行「{label}」只取{_BUDGET_NAMES[col_key]}（表单格式只有一个数）")

    # ------------------------------------------------------------------ goals
