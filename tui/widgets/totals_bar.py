"""The line above the footer: totals, grade, pending judgements, problems, save state."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from scorer import numbers as fmt
from scorer.result import FormResult


class TotalsBar(Static):
    DEFAULT_CSS = """
    TotalsBar { height: 1; background: $boost; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    result: reactive[FormResult | None] = reactive(None)
    """The scored form to summarise (set by the screen)."""
    status_label: reactive[str] = reactive("")
    """Workflow state, in Chinese."""
    problems: reactive[int | None] = reactive(None)
    """How many findings the form's own checks have (表内: the count ``list``, ``check`` and ``review`` show)."""
    other_problems: reactive[str] = reactive("")
    """Findings beyond the form's own checks, by kind (「佐证 1、监控 2」): shown apart, never added in."""
    save_state: reactive[str] = reactive("")
    """已保存 / 保存中… / 未保存."""
    declaration: reactive[bool] = reactive(False)
    """A target declaration: no actuals yet, so no score is shown (only the weights it declares)."""

    def render(self) -> Text:
        """The whole line, made shorter step by step (single spaces, then shorter labels) when the bar is
        narrower than it: at 80 columns the 94 form's line is 79 cells in 78, and its save state was cut."""
        width = self.content_size.width  # 0 before the bar is laid out
        for compact in range(3):
            line = self._line(compact)
            if not width or line.cell_len <= width:
                break
        return line

    def _line(self, compact: int) -> Text:
        r = self.result
        if r is None:
            return Text("")
        gap = "  " if compact == 0 else " "
        t = Text()
        if self.declaration:
            t.append("目标申报 ", style="dim")
            t.append(f"{len(r.scored)} 项指标，分值合计 {fmt.weight(r.weight_total)}", style="bold")
        else:
            t.append("规则得分 " if compact < 2 else "规则 ", style="dim")
            t.append(f"{fmt.score(r.total_computed)}（{r.grade}）", style="bold")
        if r.total_recorded is not None and not self.declaration:
            t.append(f"{gap}自评 ", style="dim")
            t.append(
                f"{fmt.score(r.total_recorded)}（{r.grade_recorded}）",
                style="bold yellow" if r.total_differs else "bold",
            )
            if r.total_mismatch:
                t.append(f"{gap}各项之和 {fmt.score(r.recorded_sum)} 不一致", style="bold red")
        if r.pending:
            t.append(f"{gap}待判断 {r.pending}", style="magenta")
        problems = self.problems if self.problems is not None else len(r.all_problems)
        if problems or self.other_problems:
            t.append(f"{gap}问题 {problems}", style="yellow")
            if self.other_problems:
                t.append(f" + {self.other_problems}", style="yellow")
            t.append("（p 查看）" if compact < 2 else "（p）", style="yellow")
        if self.status_label:
            t.append(f"{gap}{self.status_label}", style="cyan")
        if self.save_state:
            t.append(f"{gap}{self.save_state}", style="dim")
        return t
