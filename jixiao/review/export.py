"""The review table as an Excel workbook for finance staff."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from jixiao.cells_out import append
from jixiao.review.aggregate import FlaggedForm, GroupRow
from jixiao.review.groupings import GRADES, GROUPINGS
from jixiao.workflow import State


def review_workbook(
    path: Path,
    by: str,
    groups: list[GroupRow],
    flagged: list[FlaggedForm],
    portfolio: Any = (),
    details: Any = None,
    skipped: str = "",
) -> None:
    """The review's sheets: groups, flagged forms, and the cross-form, 复核 and 运行监控 findings the
    terminal shows; a section read over only some forms (or skipped) says so on its own sheet."""
    from jixiao.files import atomic_write

    wb = Workbook()
    bold = Font(bold=True, name="宋体")
    fill = PatternFill("solid", fgColor="DDDDDD")
    _groups_sheet(wb.active, by, groups, bold, fill)
    note = details.flagged_note() if details is not None else ""
    _flagged_sheet(wb.create_sheet("问题表单"), flagged, bold, fill, note)
    if portfolio or skipped:  # the cross-form findings the terminal shows, or why there are none
        _portfolio_sheet(wb.create_sheet("跨表问题"), portfolio, bold, fill, skipped)
    if details is not None:
        _details_sheets(wb, details, bold, fill)

    atomic_write(path, lambda tmp: wb.save(tmp))


def _groups_sheet(ws: Any, by: str, groups: list[GroupRow], bold: Font, fill: PatternFill) -> None:
    """One row per group (按部门/单位/…): money, the means and medians, the grade counts, findings."""
    ws.title = f"按{GROUPINGS[by]}汇总"
    head = [
        GROUPINGS[by],
        "表单数",
        "指标数",
        "预算数(万元)",
        "执行数(万元)",
        "执行率",
        "规则得分均值",
        "规则得分中位数",
        "自评均值",
        "自评中位数",
        "差距",
        *GRADES,
        "表内错误",  # each form's own findings; the 跨表问题 sheet holds the rest (FLAGS_NOTE)
        "表内警告",
        "表内提示",
    ]
    append(ws, head)
    for g in groups:
        append(
            ws,
            [
                g.label,
                g.forms,
                g.indicators,
                g.planned,
                g.executed,
                g.rate,
                g.mean_computed,
                g.median_computed,
                g.mean_recorded,
                g.median_recorded,
                g.gap,
                *[g.grades.get(k, 0) for k in GRADES],
                g.errors,
                g.warnings,
                g.infos,
            ],
        )
    for c in ws[1]:
        c.font, c.fill, c.alignment = bold, fill, Alignment(horizontal="center", wrap_text=True)
    for row in ws.iter_rows(min_row=2):
        row[5].number_format = "0.00%"
    ws.column_dimensions["A"].width = 36


def _flagged_sheet(fs: Any, flagged: list[FlaggedForm], bold: Font, fill: PatternFill, note: str = "") -> None:
    head = _note_row(fs, note)
    append(fs, ["编号", "表单", "规则得分", "自评得分", "等级", "执行率", "表内错误", "表内警告", "状态"])
    for f in flagged:
        status = State(f.status).label if f.status in {s.value for s in State} else f.status
        append(fs, [f.id, f.key, f.total_computed, f.total_recorded, f.grade, f.rate, f.errors, f.warnings, status])
    for c in fs[head]:
        c.font, c.fill = bold, fill
    fs.column_dimensions["B"].width = 60


def _note_row(ws: Any, note: str) -> int:
    """A section's statement above its header (a partial or skipped read); the header's row number."""
    if not note:
        return 1
    append(ws, [note])
    ws.cell(1, 1).font = Font(bold=True, color="C00000", name="宋体")
    return 2


def _portfolio_sheet(ps: Any, portfolio: Any, bold: Font, fill: PatternFill, skipped: str = "") -> None:
    head = _note_row(ps, skipped)
    append(ps, ["严重程度", "表单", "问题"])
    labels = {"error": "错误", "warning": "警告", "info": "提示"}
    for pf in portfolio:
        append(ps, [labels[pf.severity.value], pf.form_key, pf.message])
    for c in ps[head]:
        c.font, c.fill = bold, fill
    ps.column_dimensions["B"].width = 50
    ps.column_dimensions["C"].width = 90


def _details_sheets(wb: Any, details: Any, bold: Font, fill: PatternFill) -> None:
    """复核 and 运行监控, as the terminal lists them; each sheet states a partial read above its header."""
    note = details.rechecks_read.note() if details.rechecks_read is not None else ""
    if details.rechecks or note:
        rs = wb.create_sheet("复核")
        head = _note_row(rs, note)
        append(rs, ["表单", "指标", "分值", "规则得分", "自评得分", "复核得分", "复核意见", "复核人"])
        for x in details.rechecks:
            append(rs, [x.form, x.indicator, x.weight, x.rule, x.unit, x.recheck, x.opinion, x.reviewer])
        for c in rs[head]:
            c.font, c.fill = bold, fill
        rs.column_dimensions["A"].width = 50
    note = details.monitoring_read.note() if details.monitoring_read is not None else ""
    if details.monitoring or note:
        _portfolio_sheet(wb.create_sheet("运行监控"), details.monitoring, bold, fill, note)
