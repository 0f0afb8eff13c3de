"""The review's 复核 and 运行监控 sections: read, then shown in the terminal and in ``--json``, each
with the statement of a partial read (``jixiao.review.coverage``) when it covers only some forms."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from jixiao.safe_text import line
from scorer import numbers as fmt


@dataclass(frozen=True, slots=True)
class Details:
    """The two sections as read: lines and findings, and how many forms each covered."""

    rechecks: list[Any]
    rechecks_read: Any  # Coverage
    monitoring: list[Any]
    monitoring_read: Any  # Coverage
    bad_records: list[str]
    flagged_total: int = 0  # forms with an error or a warning of their own; the flagged list shows the worst
    flagged_shown: int = 0

    def flagged_note(self) -> str:
        from jixiao.review.aggregate import flagged_note

        return flagged_note(self.flagged_total, self.flagged_shown)


def read_details(store: Any, filters: Any, limit: int) -> Details:
    from jixiao.review.monitoring import monitoring_findings
    from jixiao.review.rechecks import recheck_lines

    lines, rechecks_read = recheck_lines(store, filters, limit)
    found, bad, monitoring_read = monitoring_findings(store, filters, limit)
    return Details(lines, rechecks_read, found, monitoring_read, bad)


def no_details() -> Details:
    return Details([], None, [], None, [])


def _d(v: Decimal | None) -> str | None:
    return None if v is None else f"{v:f}"


def recheck_dict(x: Any) -> dict[str, Any]:
    return {
        "form": x.form,
        "indicator": x.indicator,
        "weight": _d(x.weight),
        "rule": _d(x.rule),
        "unit": _d(x.unit),
        "recheck": _d(x.recheck),
        "opinion": x.opinion,
        "reviewer": x.reviewer,
    }


def add_to_doc(doc: dict[str, Any], details: Details) -> None:
    """The sections in the ``--json`` document: only when there are any, as a review always read;
    a partial read's counts and statement whenever it was partial."""
    from jixiao.cli.check_report import finding_json

    if details.rechecks:
        doc["rechecks"] = [recheck_dict(x) for x in details.rechecks]
    if details.monitoring:
        doc["monitoring"] = [{**finding_json(f), "form": f.form_key} for f in details.monitoring]
    for key, cov in (("rechecks_read", details.rechecks_read), ("monitoring_read", details.monitoring_read)):
        if cov is not None and not cov.complete:
            doc[key] = cov.as_json()
    if details.flagged_note():
        doc["flagged_read"] = {"forms": details.flagged_total, "shown": details.flagged_shown}
        doc["flagged_read"]["note"] = details.flagged_note()


def print_details(out: Console, details: Details, limit: int) -> None:
    """What the flagged list left out, then the two sections, each followed by its partial read's statement."""
    from jixiao.cli.review import portfolio_table

    if details.flagged_note():
        out.print(Text(details.flagged_note(), style="bold yellow"), soft_wrap=True)
    shown = max(limit, 10)
    if details.rechecks:
        out.print(recheck_table(details.rechecks, shown))
        if len(details.rechecks) > shown:
            out.print(Text(f"……另有 {len(details.rechecks) - shown} 项复核；--json 或 --xlsx 可看全部", style="dim"))
    _note(out, details.rechecks_read)
    if details.monitoring:
        out.print(portfolio_table(details.monitoring, max(limit * 2, 10), "运行监控偏差预警（最近一期，", out.width))
    _note(out, details.monitoring_read)


def _note(out: Console, coverage: Any) -> None:
    if coverage is not None and not coverage.complete:
        out.print(Text(coverage.note(), style="bold yellow"), soft_wrap=True)


def recheck_table(lines: list[Any], limit: int) -> Table:
    """复核 beside the rule and unit scores, the largest gap from the unit's own score first."""
    from jixiao.cli.recheck import recheck_cell

    t = Table(
        title=f"复核得分（{len(lines)} 项，与自评差距最大的在前）",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    t.add_column("表单 · 指标", overflow="fold", ratio=3)
    for name in ("分值", "规则", "自评", "复核"):
        t.add_column(name, justify="right", no_wrap=True)
    t.add_column("复核意见", overflow="fold", ratio=2)
    for x in lines[:limit]:
        t.add_row(
            Text.assemble((f"{line(x.form)} · ", "dim"), line(x.indicator)),
            fmt.weight(x.weight, "—"),
            fmt.score(x.rule, "—" if x.weight is None else "待判断"),
            fmt.score(x.unit, "—"),
            recheck_cell(x.recheck, x.weight),
            Text(f"{line(x.opinion)}（{line(x.reviewer)}）"),
        )
    return t
