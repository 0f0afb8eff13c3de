"""The indicator grid: 一级 / 二级 / 三级 / 目标值 / 实际完成值 / 分值 / 得分 / 自评 / 状态."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable

from jixiao.safe_text import line
from jixiao.styles import DIFF_MARK, STATUS_SHORT, STATUS_STYLE
from scorer import numbers as fmt
from scorer.result import FormResult, IndicatorResult
from scorer.vocabulary import level_key
from tui.widgets.styles import clip, cut_cells, short

# grid column -> editable field (None: not a text cell), and its width at 80 columns
COLUMNS: list[tuple[str, str | None, int]] = [
    ("序", None, 3),
    ("一级", "level1", 5),
    ("二级", "level2", 5),
    ("三级指标", "name", 17),
    ("目标值", "target", 11),
    ("实际完成值", "actual", 11),
    ("分值", "weight", 5),
    ("得分", "score", 6),
    ("自评", "recorded", 6),
    ("状态", None, 5),
]
FLEX = {"level1": 1, "level2": 2, "name": 6, "target": 3, "actual": 4}  # shares of extra width
FIELD_COLUMN = {field: i for i, (_, field, _) in enumerate(COLUMNS) if field}


class IndicatorGrid(DataTable[Text | str]):
    """Shows one FormResult; posts EditRequested when a person picks a cell."""

    BINDINGS = [Binding("enter", "edit_cell", "编辑", tooltip="编辑光标所在单元格；编辑时每输入一个字，得分立即重算")]

    @dataclass
    class EditRequested(Message):
        """Enter on a cell: edit ``field`` of form row ``row``."""

        grid: IndicatorGrid
        row: int
        field: str

        @property
        def control(self) -> IndicatorGrid:
            return self.grid

    @dataclass
    class GoalRequested(Message):
        """Enter on a goal's section row: edit that goal's text."""

        grid: IndicatorGrid
        goal: int

        @property
        def control(self) -> IndicatorGrid:
            return self.grid

    @dataclass
    class RowFocused(Message):
        """The cursor is on form row ``row`` (None: a section row)."""

        grid: IndicatorGrid
        row: int | None

        @property
        def control(self) -> IndicatorGrid:
            return self.grid

    def __init__(self, **kw: object) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=True, cell_padding=0, **kw)  # type: ignore[arg-type]
        self.widths = [w for _, _, w in COLUMNS]
        self._result: FormResult | None = None
        self._shown: list[list[Text | str]] = []
        self._rows: list[int | None] = []  # display row -> indicator row (None: a goal's section)

    def layout_for(self, width: int) -> list[int]:
        """Column widths for the space available: 80 columns and up."""
        base = [w for _, _, w in COLUMNS]
        extra = max(0, width - sum(base) - 3)
        total = sum(FLEX.values())
        out = []
        for _, field, w in COLUMNS:
            share = FLEX.get(field or "", 0)
            out.append(w + (extra * share // total if share else 0))
        return out

    def on_mount(self) -> None:
        self._relayout(self.app.size.width)

    def on_resize(self) -> None:
        if self.layout_for(self.size.width or self.app.size.width) != self.widths:
            self._relayout(self.size.width or self.app.size.width)

    def _relayout(self, width: int) -> None:
        self.widths = self.layout_for(width)
        coord = self.cursor_coordinate
        self._shown = []
        self.clear(columns=True)
        for (label, _, _), w in zip(COLUMNS, self.widths, strict=True):
            self.add_column(label, width=w)
        if self._result is not None:
            self.show(self._result)
            self.move_cursor(row=coord.row, column=coord.column)

    def _cells(self, i: int, r: IndicatorResult, prev: IndicatorResult | None) -> list[Text | str]:
        ind = r.indicator
        same1 = prev is not None and level_key(prev.indicator.level1) == level_key(ind.level1)
        same2 = same1 and prev is not None and level_key(prev.indicator.level2) == level_key(ind.level2)
        style = STATUS_STYLE[r.status]
        mark = DIFF_MARK if r.differs else ""
        target = r.target.display(r.unit if r.target.is_numeric else None) if r.target else ind.target
        actual = r.actual.display(r.unit if r.actual.is_numeric else None) if r.actual else ind.actual
        w = [x - 1 for x in self.widths]
        return [
            Text(str(i + 1), style="dim"),
            Text("" if same1 else short(line(level_key(ind.level1)), w[1]), style="cyan"),
            Text("" if same2 else short(line(level_key(ind.level2)), w[2])),
            Text(mark + clip(line(ind.shown_name), w[3] - len(mark) * 2), style="bold yellow" if r.differs else ""),
            Text(clip(line(target), w[4]), style="" if r.target else "bold red underline"),
            Text(clip(line(actual), w[5]), style="" if r.actual else "bold red underline"),
            Text(fmt.weight(r.weight) + ("*" if r.weight_source == "allocated" else "") + " ", justify="right"),
            Text(fmt.score(r.score, "—") + " ", style=style, justify="right"),
            Text(
                (fmt.score(ind.recorded.score) if ind.recorded else "") + " ",
                style="bold yellow" if r.differs else "",
                justify="right",
            ),
            Text(" " + (STATUS_SHORT[r.status] if self.widths[9] < 9 else r.status.label), style=style),
        ]

    def _goal_cells(self, number: int, text: str) -> list[Text | str]:
        """A section row: ◆ 目标N, then the goal's words running on across the indicator columns."""
        style = "bold magenta"
        cells: list[Text | str] = [Text("◆", style=style), Text(f"目标{number}", style=style), Text("")]
        rest = line(text) if text else "（未填写目标内容，Enter 填写）"
        for n, w in enumerate(self.widths[3:], start=4):
            part, rest = cut_cells(rest, w) if n < len(self.widths) else (clip(rest, w), "")
            cells.append(Text(part, style=style if text else "dim"))
        return cells

    def _display(self, result: FormResult) -> tuple[list[list[Text | str]], list[int | None]]:
        """Display rows and, for each, its indicator row (None: a goal's section row)."""
        form = result.form
        sections = len(form.goals) > 1
        cells: list[list[Text | str]] = []
        rows: list[int | None] = []
        prev: IndicatorResult | None = None
        goal = 0
        for i, r in enumerate(result.indicators):
            if r.goal != goal:
                prev = None
                for g in range(goal + 1, r.goal + 1) if sections else ():
                    cells.append(self._goal_cells(g, form.goals[g - 1].text))
                    rows.append(None)
                goal = r.goal
            cells.append(self._cells(i, r, prev))
            rows.append(i)
            prev = r
        for g in range(goal + 1, len(form.goals) + 1) if sections else ():  # goals with no rows yet
            cells.append(self._goal_cells(g, form.goals[g - 1].text))
            rows.append(None)
        return cells, rows

    def show(self, result: FormResult) -> None:
        """Redraw from a result, keeping the cursor where it was."""
        self._result = result
        coord = self.cursor_coordinate
        cells, self._rows = self._display(result)
        if self.row_count != len(cells):
            self.clear()
            for i, row in enumerate(cells):
                self.add_row(*row, key=str(i))
        else:
            # a keystroke changes one row: redraw only the cells that differ
            for i, row in enumerate(cells):
                old = self._shown[i] if i < len(self._shown) else None
                for c, cell in enumerate(row):
                    if old is None or old[c] != cell:
                        self.update_cell_at(Coordinate(i, c), cell)
        self._shown = cells
        if cells:
            self.move_cursor(row=min(coord.row, len(cells) - 1), column=coord.column)

    @property
    def indicator_row(self) -> int | None:
        """The indicator under the cursor (None on a goal's section row or in an empty grid)."""
        if not self.row_count or not 0 <= self.cursor_row < len(self._rows):
            return None
        return self._rows[self.cursor_row]

    def rows_below_cursor(self) -> list[int]:
        """The indicator rows of the section the cursor's section row heads (empty if none)."""
        out: list[int] = []
        for r in self._rows[self.cursor_row + 1 :]:
            if r is None:
                break
            out.append(r)
        return out

    def goal_at(self, display_row: int) -> int:
        """The 0-based goal of a section row: how many section rows come before it."""
        return sum(1 for r in self._rows[: display_row + 1] if r is None) - 1

    def select_indicator(self, row: int) -> None:
        """Put the cursor on indicator ``row`` (its display row may sit below section rows)."""
        if row in self._rows:
            self.move_cursor(row=self._rows.index(row))

    def _request(self, display_row: int, column: int) -> None:
        if not 0 <= display_row < len(self._rows):
            return
        row = self._rows[display_row]
        if row is None:
            self.post_message(self.GoalRequested(self, self.goal_at(display_row)))
            return
        self.post_message(self.EditRequested(self, row, COLUMNS[column][1] or "actual"))

    def action_edit_cell(self) -> None:
        if self.row_count:
            self._request(self.cursor_coordinate.row, self.cursor_coordinate.column)

    def on_data_table_cell_highlighted(self, event: DataTable.CellHighlighted) -> None:
        if 0 <= event.coordinate.row < len(self._rows):
            self.post_message(self.RowFocused(self, self._rows[event.coordinate.row]))

    def on_data_table_cell_selected(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self._request(event.coordinate.row, event.coordinate.column)
