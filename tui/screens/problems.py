"""The problems panel: every finding of the self-check (the checks engine of ``jixiao check``).

Each finding names its row; Enter closes the panel on that row. Opened with ``p``,
and by submit when the self-check finds something.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from jixiao.checks.model import Finding
from scorer.result import Severity
from tui.widgets.wrap import wrap

SEVERITY_LABELS = {
    Severity.ERROR: ("错误", "bold red"),
    Severity.WARNING: ("警告", "yellow"),
    Severity.INFO: ("提示", ""),
}


class ProblemsScreen(ModalScreen[str | None]):
    """Returns the indicator name of the chosen finding ("" for a form-level one), or None."""

    CSS_PATH = "problems.tcss"
    BINDINGS = [Binding("escape", "close", "关闭"), Binding("q", "close", "关闭", show=False)]

    def __init__(self, findings: list[Finding], title: str = "问题", hint: str = "") -> None:
        super().__init__()
        self.findings = findings
        self.title_text = title
        self.hint = hint or "Enter 跳到该行；Esc 关闭"

    def compose(self) -> ComposeResult:
        with Vertical():
            errors = sum(1 for f in self.findings if f.severity is Severity.ERROR)
            warnings = sum(1 for f in self.findings if f.severity is Severity.WARNING)
            yield Label(
                Text(f"{self.title_text}：错误 {errors}，警告 {warnings}，共 {len(self.findings)} 项", style="bold")
            )
            options = []
            for i, f in enumerate(self.findings):
                label, style = SEVERITY_LABELS[f.severity]
                text = Text.assemble((f"[{label}] ", style), f.message.split("：", 1)[-1])
                options.append(Option(wrap(text, min(100, self.app.size.width) - 7), id=str(i)))
            yield OptionList(*options, id="problems")
            yield Static(Text(self.hint), id="hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        index = int(event.option.id or 0)
        self.dismiss(self.findings[index].indicator)

    def action_close(self) -> None:
        self.dismiss(None)
