"""Ask for a comment (退回 / 重新打开 need one) or a yes/no confirmation."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


class CommentDialog(ModalScreen[str | None]):
    """Returns the comment, or None when cancelled. ``required`` refuses empty."""

    CSS_PATH = "comment_dialog.tcss"
    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(
        self, title: str, prompt: str, ok: str = "确定", required: bool = True, with_input: bool = True
    ) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.ok = ok
        self.required = required
        self.with_input = with_input

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.title_text))
            yield Static(Text(self.prompt))
            if self.with_input:
                yield Input(id="comment")
            yield Static("", id="error")
            with Horizontal():
                yield Button(self.ok, variant="primary", id="ok")
                yield Button("取消", id="cancel")

    def on_mount(self) -> None:
        if self.with_input:
            self.query_one("#comment", Input).focus()
        else:
            self.query_one("#ok", Button).focus()

    def _ok(self) -> None:
        text = self.query_one("#comment", Input).value.strip() if self.with_input else ""
        if self.required and self.with_input and not text:
            self.query_one("#error", Static).update("必须填写理由")
            return
        self.dismiss(text)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._ok()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._ok()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
