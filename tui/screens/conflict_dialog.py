"""Someone else saved the form first: reload theirs, compare, or overwrite on purpose."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from jixiao.formdiff import Change


class ConflictDialog(ModalScreen[str]):
    """Returns "reload", "overwrite" or "keep" (keep editing, nothing saved)."""

    CSS_PATH = "conflict_dialog.tcss"
    BINDINGS = [Binding("escape", "keep", "继续编辑")]

    def __init__(self, message: str, mine_vs_theirs: list[Change]) -> None:
        super().__init__()
        self.message = message
        self.changes = mine_vs_theirs

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("保存冲突", classes="title")
            yield Static(Text(self.message))
            with VerticalScroll(id="diff"):
                for c in self.changes:
                    yield Static(
                        Text.assemble(
                            (c.label + "：", "bold"), ("对方 ", "dim"), str(c.before), ("  我的 ", "dim"), str(c.after)
                        )
                    )
                if not self.changes:
                    yield Static("两个版本内容相同。")
            yield Static("", id="confirm")
            with Horizontal():
                # the safe choices first: Tab never lands first on one that drops my edit
                yield Button("继续编辑", variant="primary", id="keep")
                yield Button(f"对比两个版本（{len(self.changes)} 处不同）", id="compare")
                yield Button("载入对方版本（放弃我的修改）", id="reload")
                yield Button("用我的版本覆盖", variant="warning", id="overwrite")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()
        self._armed = ""

    def on_button_pressed(self, event: Button.Pressed) -> None:
        choice = event.button.id or "keep"
        if choice == "compare":
            self.query_one("#diff").toggle_class("-shown")
            return
        if choice in ("reload", "overwrite") and self._armed != choice:
            # a choice that loses someone's work asks once more
            self._armed = choice
            what = "放弃我的修改，载入对方版本" if choice == "reload" else "用我的版本覆盖对方的修改"
            self.query_one("#confirm", Static).update(Text(f"再按一次以确认：{what}", style="bold red"))
            return
        self.dismiss(choice)

    def action_keep(self) -> None:
        self.dismiss("keep")
