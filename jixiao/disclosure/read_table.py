"""Reading goals and indicator tables: headers, logical rows, and each row by position or by names."""

from __future__ import annotations

from jixiao.disclosure import vocab as V
from jixiao.disclosure.drafts import _GoalDraft, _Read, _Table
from jixiao.disclosure.lines import _Columns, _combine, _filled, _join_rows, _numbers_ok, _ranges, _Row, _unbalanced
from jixiao.disclosure.read_head import _HeadReading
from jixiao.disclosure.report import Guess
from jixiao.disclosure.text import (
    Line,
    join_wrapped,
    shown,
    squeeze,
)
from jixiao.form_labels import canon
from scorer.model import Indicator, Recorded


class _TableReading(_HeadReading):
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
        """The table's lines joined into rows: a line with only text or only values is a wrapped piece."""
        entries, starts = self._entries(t)
        rows: list[_Row] = []
        waiting: list[_Row] = []

        def to_prev(frag: _Row) -> None:
            rows[-1] = _join_rows(rows[-1], _under(frag, rows[-1], starts))
            self.guess(frag, f"第 {frag.no} 行是上一行单元格折行的下半部分，已并入")

        def to_next(frags: list[_Row], row: _Row) -> _Row:
            for frag in reversed(frags):
                row = _join_rows(_under(frag, row, starts), row)
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

    def _entries(self, t: _Table) -> tuple[list[tuple[Line, list[tuple[int, str]], bool]], _Starts]:
        """Each line's cells (row-label fragments dropped) and whether it anchors a row; where cells start."""
        entries: list[tuple[Line, list[tuple[int, str]], bool]] = []
        starts: _Starts = {}
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
        return entries, starts

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


_Starts = dict[int, dict[int, int]]  # line no → {column: character column} (laid-out text)


def _under(frag: _Row, row: _Row, starts: _Starts) -> _Row:
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
