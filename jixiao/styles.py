"""How a status, a severity and a score that differs look: one table for the terminal and the TUI."""

from __future__ import annotations

from scorer.result import Severity, Status

STATUS_STYLE = {
    Status.MET: "green",
    Status.PARTLY: "yellow",
    Status.MISSED: "red",
    Status.JUDGEMENT: "magenta",
    Status.EMPTY: "dim",
    Status.INVALID: "bold red",
}
# two-character labels where a column is narrow (the TUI grid, the review table)
STATUS_SHORT = {
    Status.MET: "达成",
    Status.PARTLY: "部分",
    Status.MISSED: "未达",
    Status.JUDGEMENT: "待判",
    Status.EMPTY: "未填",
    Status.INVALID: "无效",
}
SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
DIFF_MARK = "※"  # a recorded score that differs from the rule score
