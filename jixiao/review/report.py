"""The department summary as a PDF: aggregates, two charts, the findings.

Built with the same fonts and styles as the form PDFs (jixiao.pdf).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.lineplots import ScatterPlot
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from sqlalchemy import Engine

from jixiao.review.aggregate import Filters, FlaggedForm, GroupRow
from jixiao.review.groupings import FLAGS_NOTE, GRADES, GROUPINGS, statuses_line
from jixiao.review.trusted import form_numbers
from scorer import numbers as fmt


def _grade_chart(groups: list[GroupRow], font: str) -> Drawing:
    counts = [sum(g.grades.get(k, 0) for g in groups) for k in GRADES]
    d = Drawing(110 * mm, 62 * mm)
    d.add(String(5, 62 * mm - 12, "等级分布（份）", fontName=font, fontSize=10))
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 12 * mm, 10 * mm, 90 * mm, 42 * mm
    chart.data = [counts]
    chart.categoryAxis.categoryNames = list(GRADES)
    chart.categoryAxis.labels.fontName = font
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = font
    chart.bars[0].fillColor = colors.HexColor("#4C78A8")
    chart.barLabels.fontName = font
    chart.barLabelFormat = "%d"
    chart.barLabels.nudge = 6
    d.add(chart)
    return d


def _scatter(points: list[tuple[float, float]], font: str) -> Drawing:
    """Recorded against computed totals; points above the diagonal are self-scored higher."""
    d = Drawing(110 * mm, 62 * mm)
    d.add(String(5, 62 * mm - 12, "自评总分（纵）与规则总分（横）", fontName=font, fontSize=10))
    plot = ScatterPlot()
    plot.x, plot.y, plot.width, plot.height = 14 * mm, 10 * mm, 88 * mm, 42 * mm
    plot.data = [points or [(0.0, 0.0)]]
    lo = min([60.0, *[min(p) for p in points]]) if points else 60.0
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.valueMin, axis.valueMax = lo, 100
        axis.labels.fontName = font
    plot.lineLabelFormat = None
    plot.lines[0].strokeColor = None
    plot.lines[0].symbol.fillColor = colors.HexColor("#E45756")
    plot.xLabel = ""
    plot.yLabel = ""
    d.add(plot)
    x0, y0, w, h = plot.x, plot.y, plot.width, plot.height
    d.add(Line(x0, y0, x0 + w, y0 + h, strokeColor=colors.grey, strokeDashArray=[2, 2]))
    return d


def review_pdf(
    path: Path,
    engine: Engine,
    by: str,
    groups: list[GroupRow],
    flagged: list[FlaggedForm],
    filters: Filters,
    catalog: Any = None,
    portfolio: Any = (),
    details: Any = None,
    skipped: str = "",
) -> None:
    """The review as a PDF: the groups' table, the grade chart and scatter, the flagged forms, cross-form,
    复核 and 运行监控 findings; a section read over only some forms (or skipped) says so."""
    from jixiao.pdf.fonts import find_font
    from jixiao.pdf.layout import make_styles

    font = find_font()
    st = make_styles(font)
    scope = "，".join(
        x
        for x in (f"{filters.year} 年度" if filters.year else "全部年度", filters.department or "", filters.unit or "")
        if x
    )
    story: list[Any] = [Paragraph("预算绩效自评审核汇总", st.title), Paragraph(escape(scope), st.subtitle)]
    story += [Paragraph(escape(statuses_line(filters.status)), st.small), Paragraph(escape(FLAGS_NOTE), st.small)]
    story += [_groups_table(st, font.name, by, groups), Spacer(1, 6 * mm)]
    points = [
        (float(Decimal(f.total_c) / 100), float(Decimal(f.recorded_c) / 100))
        for f in form_numbers(engine, filters.apply)
        if f.total_c is not None and f.recorded_c is not None
    ]
    charts = Table([[_grade_chart(groups, font.name), _scatter(points, font.name)]], colWidths=[125 * mm, 125 * mm])
    story += [charts, Spacer(1, 4 * mm), Paragraph("问题表单与主要问题", st.subtitle)]
    if details is not None and details.flagged_note():
        story.append(Paragraph(escape(details.flagged_note()), st.cell))
    story += _flagged(st, engine, flagged, catalog)
    story += _findings(st, "跨表问题", portfolio, skipped)  # the cross-form findings the terminal shows
    if details is not None:
        story += _rechecks(st, details.rechecks, details.rechecks_read)
        note = details.monitoring_read.note() if details.monitoring_read is not None else ""
        story += _findings(st, "运行监控偏差预警", details.monitoring, note)
    if font.warning:
        story.append(Paragraph(escape(font.warning), st.small))
    _write_pdf(path, story)


def _groups_table(st: Any, font_name: str, by: str, groups: list[GroupRow]) -> Table:
    """One row per group: forms, money, rate, rule and recorded means, the gap, grades, findings."""
    cell = st.cell
    head = [
        GROUPINGS[by],
        "表单",
        "预算数(万元)",
        "执行率",
        "规则均分",
        "中位数",
        "自评均分",
        "差距",
        "优/良/中/差",
        "表内错/警",
    ]
    rows: list[list[Any]] = [[Paragraph(h, st.head) for h in head]]
    for g in groups:
        rows.append(
            [
                Paragraph(escape(g.label), cell),
                str(g.forms),
                fmt.money(fmt.q2(g.planned)),
                fmt.percent(g.rate, "—"),
                fmt.score(g.mean_computed, "—"),
                fmt.score(g.median_computed, "—"),
                fmt.score(g.mean_recorded, "—"),
                f"{g.gap:+.2f}" if g.gap is not None else "—",
                "/".join(str(g.grades.get(k, 0)) for k in GRADES),
                f"{g.errors}/{g.warnings}",
            ]
        )
    t = Table(
        rows,
        colWidths=[70 * mm, 14 * mm, 26 * mm, 18 * mm, 18 * mm, 16 * mm, 18 * mm, 16 * mm, 24 * mm, 16 * mm],
        repeatRows=1,
    )
    t.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font_name),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EDEDED")),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return t


def _flagged(st: Any, engine: Engine, flagged: list[FlaggedForm], catalog: Any) -> list[Any]:
    """Each flagged form with its totals, then its three main findings."""
    from jixiao.review.findings import top_findings

    out: list[Any] = []
    for f in flagged:
        out.append(
            Paragraph(
                escape(
                    f"[{f.id}] {f.key}  规则 {fmt.score(f.total_computed, '—')}"
                    + (f"  自评 {fmt.score(f.total_recorded)}" if f.total_recorded is not None else "")
                    + f"  {f.grade}  执行率 {fmt.percent(f.rate, '—')}  错误 {f.errors}  警告 {f.warnings}"
                ),
                st.cell,
            )
        )
        for sev, message in top_findings(engine, f.id, catalog, limit=3):
            label = {"error": "错误", "warning": "警告", "info": "提示"}[sev]
            out.append(Paragraph(escape(f"　　[{label}] {message}"), st.note))
    return out


def _findings(st: Any, title: str, found: Any, note: str) -> list[Any]:
    """A section of findings, each with its form; its statement (a partial or skipped read) first."""
    if not found and not note:
        return []
    out: list[Any] = [Spacer(1, 4 * mm), Paragraph(escape(f"{title}（{len(found)} 项）"), st.subtitle)]
    if note:
        out.append(Paragraph(escape(note), st.cell))
    labels = {"error": "错误", "warning": "警告", "info": "提示"}
    for pf in found:  # the unit before the message (which names the project), as the terminal shows them
        unit = pf.form_key.split("/")[1] + "·" if pf.form_key.count("/") >= 2 else ""
        out.append(Paragraph(escape(f"[{labels[pf.severity.value]}] {unit}{pf.message}"), st.cell))
    return out


def _rechecks(st: Any, lines: Any, coverage: Any) -> list[Any]:
    """复核 beside the rule and unit scores, the largest gap first; a partial read said first."""
    note = coverage.note() if coverage is not None else ""
    if not lines and not note:
        return []
    out: list[Any] = [Spacer(1, 4 * mm), Paragraph(f"复核得分（{len(lines)} 项，与自评差距最大的在前）", st.subtitle)]
    if note:
        out.append(Paragraph(escape(note), st.cell))
    for x in lines:
        rule = fmt.score(x.rule, "—" if x.weight is None else "待判断")  # as the terminal's 规则 column
        nums = f"分值 {fmt.weight(x.weight, '—')}  规则 {rule}  自评 {fmt.score(x.unit, '—')}"
        over = "（超过分值）" if x.weight is not None and x.recheck > x.weight else ""
        text = f"{x.form} · {x.indicator}  {nums}  复核 {fmt.score(x.recheck)}{over}：{x.opinion}（{x.reviewer}）"
        out.append(Paragraph(escape(text), st.cell))
    return out


def _write_pdf(path: Path, story: list[Any]) -> None:
    from jixiao.files import atomic_write

    def build(tmp: Path) -> None:
        doc = SimpleDocTemplate(
            str(tmp),
            pagesize=landscape(A4),
            leftMargin=12 * mm,
            rightMargin=12 * mm,
            topMargin=12 * mm,
            bottomMargin=12 * mm,
            title="预算绩效自评审核汇总",
            author="jixiao",
        )
        doc.build(story)

    atomic_write(path, build)
