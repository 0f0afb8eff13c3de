"""The edit bar under the grid: an input, and catalog completions for 三级指标.

Messages up: Preview on every keystroke (the screen re-scores live),
Committed on Enter, Cancelled on Escape, CatalogChosen when a completion is
picked. The screen tells it what to edit through ``open()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from indicator_catalog import Catalog, Entry


class CellEditor(Vertical):
    DEFAULT_CSS = """
    CellEditor { height: auto; display: none; border-top: solid $accent; padding: 0 1; }
    CellEditor.-open { display: block; }
    CellEditor Label { color: $text-muted; }
    CellEditor OptionList { height: auto; max-height: 6; display: none; }
    CellEditor OptionList.-shown { display: block; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "取消", show=True),
        Binding("down", "next_option", "下一个", show=False),
        Binding("up", "prev_option", "上一个", show=False),
    ]

    @dataclass
    class Preview(Message):
        """The text typed so far: the screen rescores the form with it, live."""

        editor: CellEditor
        value: str

        @property
        def control(self) -> CellEditor:
            return self.editor

    @dataclass
    class Committed(Message):
        """Enter: ``value`` is the new text of ``field`` on form row ``row``."""

        editor: CellEditor
        row: int
        field: str
        value: str

        @property
        def control(self) -> CellEditor:
            return self.editor

    @dataclass
    class Cancelled(Message):
        """Esc: nothing changes."""

        editor: CellEditor

        @property
        def control(self) -> CellEditor:
            return self.editor

    @dataclass
    class CatalogChosen(Message):
        """A catalog entry picked for form row ``row``: the screen fills the row from it."""

        editor: CellEditor
        row: int
        entry: Entry

        @property
        def control(self) -> CellEditor:
            return self.editor

    def __init__(self, catalog: Catalog | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self.catalog = catalog
        self.row = -1
        self.field = ""
        self._matches: list[Any] = []

    def compose(self) -> ComposeResult:
        yield Label("", id="cell-editor-label")
        yield Input(id="cell-editor-input")
        yield OptionList(id="cell-editor-options")

    @property
    def input(self) -> Input:
        return self.query_one("#cell-editor-input", Input)

    @property
    def options(self) -> OptionList:
        return self.query_one("#cell-editor-options", OptionList)

    def open(self, row: int, field: str, label: str, value: str, hint: str = "") -> None:
        self.row, self.field = row, field
        self.query_one("#cell-editor-label", Label).update(
            f"{label}：Enter 确认，Esc 取消" + (f"。{hint}" if hint else "")
        )
        self.add_class("-open")
        self._matches = []
        self.options.clear_options()
        self.options.remove_class("-shown")
        self.input.value = value
        self.input.focus()
        self.input.cursor_position = len(value)

    def close(self) -> None:
        self.remove_class("-open")
        self.row, self.field = -1, ""

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not self.is_open:
            return
        if self.field == "name" and self.catalog is not None:
            self._suggest(event.value)
        self.post_message(self.Preview(self, event.value))

    def _suggest(self, text: str) -> None:
        self._matches = self.catalog.search(text, limit=6) if text.strip() and self.catalog is not None else []
        self.options.clear_options()
        if not self._matches:
            self.options.remove_class("-shown")
            return
        for m in self._matches:
            e = m.entry
            # catalog files are text people write: shown as written, only the hint is dimmed
            self.options.add_option(
                Option(Text.assemble(e.name, "  ", (f"{e.level1}/{e.level2} · {e.unit or '—'}", "dim")))
            )
        self.options.add_class("-shown")
        # typed pinyin initials (zyfw) are a search, never a name: Enter takes the first suggestion;
        # Chinese text typed out may be a new name, so nothing is preselected then
        if text.strip().isascii() and text.strip().isalpha():
            self.options.highlighted = 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.is_open:
            return
        highlighted = self.options.highlighted if self.options.has_class("-shown") else None
        if highlighted is not None and 0 <= highlighted < len(self._matches):
            self.choose(highlighted)
            return
        self.post_message(self.Committed(self, self.row, self.field, event.value))

    def choose(self, index: int) -> None:
        entry = self._matches[index].entry
        self.post_message(self.CatalogChosen(self, self.row, entry))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(event.option_index)

    def action_next_option(self) -> None:
        if self.options.has_class("-shown"):
            self.options.action_cursor_down()

    def action_prev_option(self) -> None:
        if self.options.has_class("-shown"):
            self.options.action_cursor_up()

    def action_cancel(self) -> None:
        self.post_message(self.Cancelled(self))
