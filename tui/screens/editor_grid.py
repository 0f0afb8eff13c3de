"""Editing the indicator grid: cells, rows, sub-rows, recorded scores."""

from __future__ import annotations

from decimal import Decimal

from textual import on
from textual.widgets import (
    Button,
)

from jixiao import editing
from jixiao.editing import EditError
from scorer import numbers as fmt
from tui.screens.editor_base import FIELD_LABELS
from tui.screens.editor_saving import EditorSaving
from tui.widgets.cell_editor import CellEditor
from tui.widgets.indicator_grid import IndicatorGrid


class EditorGrid(EditorSaving):
    # ------------------------------------------------------ grid editing

    @on(IndicatorGrid.RowFocused)
    def _row_focused(self, event: IndicatorGrid.RowFocused) -> None:
        self._explain(event.row)

    @on(IndicatorGrid.EditRequested)
    def _edit_requested(self, event: IndicatorGrid.EditRequested) -> None:
        if self.form is None or self._refuse_readonly():
            return
        if event.field in ("score", "recorded"):
            self.action_recorded()
            return
        if self._refuse_locked(event.field):
            return
        ind = editing.indicator_at(self.form, event.row)
        field = event.field
        hint = "输入名称、拼音或首字母，↑↓ 选择指标库条目" if field == "name" else ""
        if field == "target" and self.approval is not None:  # the approved target stays; an adjustment beside it
            field, hint = "adjusted_target", f"年初目标值「{ind.target}」已审核锁定；留空即按年初目标值评分"
        value = fmt.money(ind.weight) if field == "weight" else getattr(ind, field)
        self._preview_base = self.form
        self.editor.open(event.row, field, f"第 {event.row + 1} 行 {FIELD_LABELS[field]}", value, hint)

    @on(CellEditor.Preview)
    def _preview(self, event: CellEditor.Preview) -> None:
        editor = self.editor
        base = self._preview_base
        if base is None or editor.row < 0:
            return
        try:
            form = editing.set_cell(base, editor.row, editor.field, event.value)
        except EditError:
            return
        self.rescore(form)

    @on(CellEditor.Committed)
    def _committed(self, event: CellEditor.Committed) -> None:
        base = self._preview_base or self.form
        self._close_editor()
        if base is None:
            return
        try:
            form = editing.set_cell(base, event.row, event.field, event.value)
        except EditError as exc:
            self.app.notify(str(exc), severity="error", title="输入有误")
            self.rescore()
            return
        if form != base:
            self.commit(form)
        else:
            self.rescore()

    @on(CellEditor.CatalogChosen)
    def _catalog_chosen(self, event: CellEditor.CatalogChosen) -> None:
        base = self._preview_base or self.form
        self._close_editor()
        if base is None:
            return
        e = event.entry
        self.commit(editing.apply_catalog_entry(base, event.row, e.name, e.level1, e.level2, e.direction))
        self.app.notify(f"已采用指标库条目「{e.name}」：{e.level1}/{e.level2}，单位 {e.unit or '—'}", title="指标库")

    @on(CellEditor.Cancelled)
    def _cancelled(self) -> None:
        self._close_editor()
        self.rescore()

    def _close_editor(self) -> None:
        self._preview_base = None
        self.editor.close()
        self.grid.focus()

    def _row(self, hint: bool = True) -> int | None:
        """The indicator under the cursor; on a goal's section row, None with a hint."""
        grid = self.grid
        row = grid.indicator_row
        if row is None and grid.row_count and hint:
            self.app.notify("光标在年度绩效目标标题行上；请先移到一个指标行", title="请选择指标行")
        return row

    def _section_start(self) -> int | None:
        """On a goal's section row: that goal's first indicator (a new row goes to the top of it)."""
        grid = self.grid
        if grid.indicator_row is not None or not grid.row_count:
            return None
        below = grid.rows_below_cursor()
        return below[0] if below else None

    def action_add_row(self) -> None:
        if self._refuse_locked():
            return
        start = self._section_start()
        if start is not None:
            self._apply(editing.insert_row, start, False)
            return
        self._apply(editing.insert_row, self._row(hint=False), True)

    def action_insert_row(self) -> None:
        if self._refuse_locked():
            return
        start = self._section_start()
        self._apply(editing.insert_row, start if start is not None else self._row(hint=False), False)

    def action_delete_row(self) -> None:
        if self._refuse_locked():
            return
        row = self._row()
        if row is None or self.form is None or self._refuse_readonly():
            return
        from tui.screens.comment_dialog import CommentDialog

        name = editing.indicator_at(self.form, row).name

        def confirmed(answer: str | None) -> None:
            if answer is not None:
                self._apply(editing.delete_row, row)

        self.app.push_screen(
            CommentDialog("删除行", f"删除第 {row + 1} 行「{name}」？", ok="删除", required=False, with_input=False),
            confirmed,
        )

    def action_move_row(self, delta: int) -> None:
        if self._refuse_locked():
            return
        row = self._row()
        if row is not None:
            self._apply(editing.move_row, row, delta)

    def action_toggle_sub(self) -> None:
        """u: the row becomes a sub-row of the one above (its score then counts toward it), or not."""
        if self._refuse_locked():
            return
        row = self._row()
        if row is not None:
            self._apply(editing.toggle_sub, row)

    def action_accept_rule_scores(self) -> None:
        """For a new form: every row without a score of its own takes the rule score (A)."""
        if self.form is None or self.result is None or self._refuse_readonly():
            return
        scores = [r.score for r in self.result.indicators]
        if self._apply(editing.accept_rule_scores, scores, reason="采用规则得分为自评得分"):
            self.app.notify("未填自评得分的行已采用规则得分（待判断的行仍需填写）", title="自评得分")

    def action_recorded(self) -> None:
        if self.form is None or self.result is None or self._refuse_readonly():
            return
        from tui.screens.recorded_dialog import RecordedScoreDialog

        if self.tabs.active == "tab-budget":
            self._budget_recorded()
            return
        row = self._row()
        if row is None:
            return
        r = self.result.indicators[row]
        rec = r.indicator.recorded

        def done(answer: tuple[Decimal | None, str] | None) -> None:
            if answer is not None:
                score, reason = answer
                self._apply(editing.set_recorded, row, score, reason, r.score, reason=reason)

        self.app.push_screen(
            RecordedScoreDialog(
                r.indicator.name, r.weight, r.score, rec.score if rec else None, rec.reason if rec else ""
            ),
            done,
        )

    @on(Button.Pressed, "#budget-recorded")
    def _budget_recorded(self) -> None:
        if self.result is None or self._refuse_readonly():
            return
        from tui.screens.recorded_dialog import RecordedScoreDialog

        b = self.result.budget
        rec = b.recorded

        def done(answer: tuple[Decimal | None, str] | None) -> None:
            if answer is not None:
                self._apply(editing.set_budget_recorded, answer[0], answer[1], reason=answer[1])

        self.app.push_screen(
            RecordedScoreDialog("预算执行", b.weight, b.score, rec.score if rec else None, rec.reason if rec else ""),
            done,
        )
