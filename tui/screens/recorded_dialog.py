"""Set the unit's own score for a row: only with a reason."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from jixiao.editing import EditError, parse_number
from scorer import numbers as fmt


class RecordedScoreDialog(ModalScreen[tuple[Decimal | None, str] | None]):
    """Returns (score, reason), (None, "") to clear, or None when cancelled."""

    CSS_PATH = "recorded_dialog.tcss"
    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(
        self, name: str, weight: Decimal, computed: Decimal | None, recorded: Decimal | None, reason: str
    ) -> None:
        super().__init__()
        self.indicator_name = name
        self.weight = weight
        self.computed = computed
        self.recorded = recorded
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"自评得分：{self.indicator_name}"), classes="title")
            yield Static(
                f"分值 {fmt.weight(self.weight)}，规则得分 {fmt.score(self.computed, '待判断')}。自评得分与规则得分不同时，审核人会看到您的理由。"
            )
            score = Input(
                fmt.score(self.recorded) if self.recorded is not None else "",
                id="score",
                placeholder=f"自评得分：0 – {fmt.weight(self.weight)}",
            )
            score.border_title = "自评得分"
            yield score
            reason = Input(self.reason, id="reason", placeholder="理由，例如：仅组织党员代表集中学习")
            reason.border_title = "理由（与规则得分不同时必填）"
            yield reason
            yield Static("", id="error")
            with Horizontal():
                yield Button("保存", variant="primary", id="save")
                yield Button("清除自评得分", id="clear")
                yield Button("取消", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#score", Input).focus()

    def _error(self, text: str) -> None:
        self.query_one("#error", Static).update(Text(text))  # it quotes what was typed

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "score":
            self.query_one("#reason", Input).focus()
        else:
            self._save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._save()
        elif event.button.id == "clear":
            self.dismiss((None, ""))
        else:
            self.dismiss(None)

    def _save(self) -> None:
        try:
            score = parse_number(self.query_one("#score", Input).value, "自评得分")
        except EditError as exc:
            self._error(str(exc))
            return
        reason = self.query_one("#reason", Input).value.strip()
        if score is None:
            self._error("请填写自评得分，或选择「清除自评得分」")
            return
        if score > self.weight:
            self._error(f"自评得分 {score} 超过分值 {fmt.weight(self.weight)}")
            return
        if not reason and (self.computed is None or fmt.q2(score) != fmt.q2(self.computed)):
            self._error("自评得分与规则得分不同，必须说明理由")
            self.query_one("#reason", Input).focus()
            return
        self.dismiss((score, reason))

    def action_cancel(self) -> None:
        self.dismiss(None)
