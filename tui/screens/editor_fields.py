"""Editing the header, tick boxes, budget and narratives."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.widgets import (
    Checkbox,
    Input,
    RadioSet,
    Select,
)

from jixiao import editing
from jixiao.editing import EditError
from scorer import numbers as fmt
from scorer.model import TICK_GROUPS
from scorer.rules import rules_name_for
from tui.screens.editor_base import Narrative
from tui.screens.editor_grid import EditorGrid


class EditorFields(EditorGrid):
    # ------------------------------------------------- header and budget

    @on(Input.Submitted)
    @on(Input.Blurred)
    def _field_done(self, event: Input.Submitted | Input.Blurred) -> None:
        wid = event.input.id or ""
        if self._filling or self.form is None or wid[:2] not in ("h-", "b-", "s-"):
            return
        key = wid[2:]
        value = event.input.value
        current = self._current(wid)
        if str(current or "") == value or (wid.startswith("b-") and fmt.money(current) == value):
            return
        edit = {"h-": editing.set_header, "b-": editing.set_budget, "s-": editing.set_signoff}[wid[:2]]
        if not self._apply(edit, key, value):  # refused: show the value that is in effect, not the typed one
            self._show_effective(event.input, wid)

    def _current(self, wid: str) -> Any:
        """The value in effect for a header (h-), budget (b-) or sign-off (s-) field."""
        assert self.form is not None
        holder = {"h-": self.form, "b-": self.form.budget, "s-": self.form.signoff}[wid[:2]]
        return getattr(holder, wid[2:])

    def _show_effective(self, field: Input, wid: str) -> None:
        assert self.form is not None
        current = self._current(wid)
        self._filling = True
        try:
            field.value = "" if current is None else (fmt.money(current) if wid.startswith("b-") else str(current))
        finally:
            self._filling = False
        if wid.startswith("b-"):
            self.rescore(self.form)

    # grid actions act only on the indicator tab (``a`` on the budget tab must not add a row)
    _GRID_ACTIONS = frozenset({"add_row", "insert_row", "delete_row", "move_row", "accept_rule_scores", "toggle_sub"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self._GRID_ACTIONS:
            try:
                return self.tabs.active == "tab-indicators"
            except Exception:
                return True
        return True

    @on(Input.Changed)
    def _budget_live(self, event: Input.Changed) -> None:
        """Budget numbers re-score as they are typed."""
        wid = event.input.id or ""
        if self._filling or self.form is None or not wid.startswith("b-"):
            return
        try:
            self.rescore(editing.set_budget(self.form, wid[2:], event.value))
        except EditError:
            pass

    @on(Select.Changed, "#h-rules")
    def _rules_changed(self, event: Select.Changed) -> None:
        if self._filling or self.form is None or event.value == (rules_name_for(self.form)):
            return
        self._apply(editing.set_header, "rules", str(event.value))

    @on(Checkbox.Changed)
    def _category_changed(self) -> None:
        if self._filling or self.form is None:
            return
        ticked = tuple(
            opt
            for i, opt in enumerate(TICK_GROUPS["category"])
            if self.query_one(f"#tick-category-{i}", Checkbox).value
        )
        if ticked != self.form.ticks.category:
            self._apply(editing.set_ticks, "category", ticked)

    @on(RadioSet.Changed)
    def _radio_changed(self, event: RadioSet.Changed) -> None:
        if self._filling or self.form is None:
            return
        group = (event.radio_set.id or "").removeprefix("tick-")
        ticked = (str(event.pressed.label),)
        if ticked != self.form.ticks.group(group):
            self._apply(editing.set_ticks, group, ticked)

    @on(Narrative.Left)
    def _narrative_left(self, event: Narrative.Left) -> None:
        if self._filling or self.form is None:
            return
        wid = event.text_area.id or ""
        if wid.startswith("g-"):
            gi = int(wid[2:])
            if gi < len(self.form.goals) and event.text_area.text.strip() != self.form.goals[gi].text:
                self._apply(editing.set_goal_text, gi, event.text_area.text)
            return
        key = wid.removeprefix("n-")
        if event.text_area.text != getattr(self.form, key):
            self._apply(editing.set_header, key, event.text_area.text)
