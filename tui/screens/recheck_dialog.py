"""A reviewer's 复核 of one row: a score and an opinion, kept beside the rule score and the unit's own."""

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


class RecheckDialog(ModalScreen[tuple[Decimal, str] | None]):
    """Returns (score, opinion), or None when cancelled; the store checks the range and the scope again."""

    CSS_PATH = "recheck_dialog.tcss"
    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(self, name: str, weight: Decimal, rule: Decimal | None, unit: Decimal | None) -> None:
        super().__init__()
        self.indicator_name = name
        self.weight = weight
        self.rule = rule
        self.unit = unit

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"复核：{self.indicator_name}"), classes="title")
            yield Static(
                f"分值 {fmt.weight(self.weight)}，规则得分 {fmt.score(self.rule, '待判断')}，"
                f"单位自评 {fmt.score(self.unit, '未填')}。复核得分与意见记入复核记录，不改动表中数据。"
            )
            score = Input(id="score", placeholder=f"复核得分：0 – {fmt.weight(self.weight)}")
            score.border_title = "复核得分"
            yield score
            opinion = Input(id="opinion", placeholder="复核意见，例如：执行超预算，扣 2 分")
            opinion.border_title = "复核意见（必填）"
            yield opinion
            yield Static("", id="error")
            with Horizontal():
                yield Button("保存复核", variant="primary", id="save")
                yield Button("取消", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#score", Input).focus()

    def _error(self, text: str) -> None:
        self.query_one("#error", Static).update(Text(text))  # it quotes what was typed

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "score":
            self.query_one("#opinion", Input).focus()
        else:
            self._save()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self._save()
        else:
            self.dismiss(None)

    def _save(self) -> None:
        try:
            score = parse_number(self.query_one("#score", Input).value, "复核得分")
        except EditError as exc:
            self._error(str(exc))
            return
        opinion = self.query_one("#opinion", Input).value.strip()
        if score is None or not 0 <= score <= self.weight:
            self._error(f"复核得分应在 0 到分值 {fmt.weight(self.weight)} 之间")
            return
        if not opinion:
            self._error("请写明复核意见")
            self.query_one("#opinion", Input).focus()
            return
        self.dismiss((score, opinion))

    def action_cancel(self) -> None:
        self.dismiss(None)
