"""`jixiao review`: the portfolio at a glance, worst first, and why each form is flagged."""

from __future__ import annotations

import argparse
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from jixiao.cli.zh import add_status_filter, count_value, positive_int, year_value
from jixiao.review.coverage import DETAIL_LIMIT
from jixiao.review.groupings import FLAGS_NOTE, GRADES, GROUPINGS, statuses_counted, statuses_line
from jixiao.safe_text import display, line
from scorer import numbers as fmt

if TYPE_CHECKING:  # the review module loads SQLAlchemy: imported when a review command runs
    from jixiao.review.aggregate import Filters, FlaggedForm, GroupRow

EXIT_OK = 0


def add_commands(sub: argparse._SubParsersAction, parser_class: type) -> None:
    r = sub.add_parser("review", help="财政审核：汇总得分、执行率、等级分布与问题，最差的排在前面")
    r.add_argument("--year", type=year_value, metavar="年度", help="年度")
    r.add_argument("--department", help="主管部门（包含）")
    r.add_argument("--unit", help="实施单位（包含）")
    add_status_filter(r)
    r.add_argument(
        "--by",
        choices=tuple(GROUPINGS),
        default="unit",
        help="分组：unit 实施单位 / department 主管部门 / level1 一级指标 / grade 等级 / year 年度",
    )
    r.add_argument("--limit", type=count_value, default=15, help="列出的问题表单数（默认 15）")
    r.add_argument(
        "--groups",
        type=count_value,
        default=40,
        metavar="N",
        help="终端里列出的分组数，最差的在前（默认 40；0 表示全部）；--json/--xlsx/--pdf 总是包含全部",
    )
    r.add_argument("--json", action="store_true", help="以 JSON 输出")
    r.add_argument("--xlsx", type=Path, metavar="FILE", help="同时导出为 Excel")
    r.add_argument("--pdf", type=Path, metavar="FILE", help="同时生成汇总报告 PDF")
    r.add_argument(
        "--portfolio-limit",
        type=count_value,
        default=5000,
        metavar="N",
        help="跨表检查（复制的说明、虚高的单位、压低目标等）需载入表单；筛选后超过 N 份时跳过（默认 5000）",
    )
    r.add_argument(
        "--detail-limit",
        type=count_value,
        default=DETAIL_LIMIT,
        metavar="N",
        help=f"复核与运行监控两节需逐份载入表单；有复核（或监控记录）的表单超过 N 份时只读前 N 份并注明（默认 {DETAIL_LIMIT}；0 表示全部）",
    )
    r.add_argument(
        "--sample",
        type=positive_int,
        metavar="N",
        help="抽评：按风险加权抽取 N 份表单并说明理由（同样的表单和 --seed 抽出同样的结果）",
    )
    r.add_argument("--seed", type=int, default=1, metavar="S", help="抽评的随机种子（默认 1），写入结果以便复现")
    r.set_defaults(func=cmd_review)


def _d(v: Decimal | None) -> str | None:
    return None if v is None else f"{v:f}"


def group_dict(g: GroupRow) -> dict[str, Any]:
    return {
        "key": g.key,
        "kind": g.kind,
        "forms": g.forms,
        "indicators": g.indicators,
        "planned": _d(g.planned),
        "executed": _d(g.executed),
        "rate": _d(g.rate),
        "mean_computed": _d(g.mean_computed),
        "median_computed": _d(g.median_computed),
        "mean_recorded": _d(g.mean_recorded),
        "median_recorded": _d(g.median_recorded),
        "gap": _d(g.gap),
        "attainment": _d(g.attainment),
        "grades": g.grades,
        "flags": {"error": g.errors, "warning": g.warnings, "info": g.infos},
    }


def bar(count: int, total: int, width: int = 10) -> str:
    if not total:
        return ""
    n = round(width * count / total)
    return "█" * n + "·" * (width - n)


def groups_table(groups: list[GroupRow], by: str, width: int = 80) -> Table:
    """The review table; at 80 columns the money and medians give way to the names."""
    label = GROUPINGS[by]
    wide = width >= 110
    t = Table(
        title=f"按{label}汇总（最差的在前）",
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
    )
    t.add_column(label, overflow="fold", min_width=10, ratio=1)
    t.add_column("表单", justify="right", no_wrap=True)
    if by == "level1":
        for col in ("指标", "得分率", "未达/部分", "待判断", "无效"):
            t.add_column(col, justify="right", no_wrap=True)
        for g in groups:
            t.add_row(
                Text(line(g.label)),
                str(g.forms),
                str(g.indicators),
                fmt.percent(g.attainment, "—"),
                str(g.infos or ""),
                str(g.warnings or ""),
                str(g.errors or ""),
            )
        return t
    if wide:
        t.add_column("预算数(万元)", justify="right", no_wrap=True)
    t.add_column("执行率", justify="right", no_wrap=True)
    t.add_column("规则均分", justify="right", no_wrap=True)
    if wide:
        t.add_column("中位数", justify="right", no_wrap=True)
    t.add_column("自评均分", justify="right", no_wrap=True)
    t.add_column("差距", justify="right", no_wrap=True, min_width=5)
    t.add_column("优/良/中/差", no_wrap=True)
    t.add_column("错/警", justify="right", no_wrap=True)
    for g in groups:
        gap = g.gap
        row: list[Any] = [Text(line(g.label)), str(g.forms)]
        if wide:
            row.append(fmt.money(fmt.q2(g.planned)))
        row.append(
            Text(
                fmt.percent(g.rate, "—"),
                style="red" if g.rate is not None and (g.rate > 1 or g.rate < Decimal("0.6")) else "",
            )
        )
        row.append(fmt.score(g.mean_computed, "—"))
        if wide:
            row.append(fmt.score(g.median_computed, "—"))
        row += [
            fmt.score(g.mean_recorded, "—"),
            Text(f"{gap:+.2f}" if gap is not None else "—", style="bold red" if gap is not None and gap >= 5 else ""),
            "/".join(str(g.grades.get(k, 0)) for k in GRADES),
            Text(f"{g.errors}/{g.warnings}", style="bold red" if g.errors else "yellow" if g.warnings else ""),
        ]
        t.add_row(*row)
    return t


def grade_chart(groups: list[GroupRow]) -> Table:
    """Grade distribution as a bar chart: people would rather look than read."""
    totals = {k: sum(g.grades.get(k, 0) for g in groups) for k in GRADES}
    n = sum(totals.values())
    t = Table.grid(padding=(0, 1))
    t.add_column(no_wrap=True)
    t.add_column(no_wrap=True)
    t.add_column(justify="right", no_wrap=True)
    colours = {"优": "green", "良": "cyan", "中": "yellow", "差": "red"}
    for k in GRADES:
        t.add_row(
            k,
            Text(bar(totals[k], n, 30), style=colours[k]),
            f"{totals[k]}（{fmt.percent(Decimal(totals[k]) / n if n else None, '—')}）",
        )
    return t


def flagged_table(engine: Any, flagged: list[FlaggedForm], catalog: Any = None) -> Group:
    """The flagged forms with their top findings."""
    from jixiao.review.findings import top_findings

    parts: list[Any] = [Text("问题表单（按表内问题数排序）", style="bold")]
    findings = Table.grid(padding=(0, 1))
    for f in flagged:
        head = Text.assemble(
            (f"[{f.id}] {line(f.key)}", "bold"),
            f"  规则 {fmt.score(f.total_computed, '—')}",
            (f"  自评 {fmt.score(f.total_recorded)}" if f.total_recorded is not None else ""),
            f"  {f.grade}  执行率 {fmt.percent(f.rate, '—')}  ",
            (f"错误 {f.errors} " if f.errors else "", "bold red"),
            (f"警告 {f.warnings}", "yellow"),
        )
        parts.append(head)
        rows = Table.grid(padding=(0, 1))
        rows.add_column(no_wrap=True)
        rows.add_column(overflow="fold")
        for sev, message in top_findings(engine, f.id, catalog, limit=3):
            style = {"error": "bold red", "warning": "yellow", "info": "cyan"}[sev]
            label = {"error": "错误", "warning": "警告", "info": "提示"}[sev]
            rows.add_row(Text(f"  [{label}]", style=style), Text(display(message)))
        parts.append(rows)
    del findings
    return Group(*parts)


def _too_many(count: int, limit: int) -> str:
    return f"筛选后有 {count} 份表单，超过 {limit} 份，未做跨表检查；请加筛选条件，或使用 jixiao check --from-db"


def portfolio_findings(store: Any, filters: Filters, limit: int, err: Console) -> tuple[list[Any], str]:
    """The across-form checks over the filtered forms (and the year before, for sandbagging)."""
    from jixiao.checks import run_portfolio_checks

    records, skipped = load_records(store, filters, limit, err)
    if skipped:
        return [], skipped
    found = run_portfolio_checks(records)
    if filters.year is not None:
        found = [f for f in found if f.form_key.startswith(f"{filters.year}/")]
    return found, ""


def load_records(store: Any, filters: Filters, limit: int, err: Console) -> tuple[list[Any], str]:
    """The filtered forms scored (and the year before's, for the multi-year checks), or why not."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from jixiao.checks import record_for
    from jixiao.storage import declarations
    from jixiao.workflow import Stage

    scope = {"department": filters.department, "unit": filters.unit, "stage": Stage.EVALUATION}
    count = store.count(year=filters.year, status=filters.status, **scope)
    if count > limit:  # counted in SQL: a province's 67,000 forms are not loaded just to be skipped
        return [], _too_many(count, limit)
    rows = store.list(year=filters.year, status=filters.status, **scope)
    if len(rows) > limit:  # forms added since the count
        return [], _too_many(len(rows), limit)
    if filters.year is not None:
        rows += store.list(year=filters.year - 1, **scope)
    plan_scope = {**scope, "stage": Stage.DECLARATION}  # next year's 申报表, read as plans (result use)
    rows += store.list(**plan_scope) if filters.year is None else store.list(year=filters.year + 1, **plan_scope)
    plans = {r.id for r in rows if r.stage is Stage.DECLARATION}
    approved = declarations.approved_among(store, [r.id for r in rows])
    records = []
    with Progress(
        TextColumn("跨表检查：载入表单"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=len(rows) < 200,
    ) as progress:
        task = progress.add_task("load", total=len(rows))
        for sf in store.get_many([r.id for r in rows]):
            plan = sf.id in plans
            rec = record_for(store.score(sf.form))
            records.append(replace(rec, declaration=plan, targets_approved=None if plan else sf.id in approved))
            progress.advance(task)
    return records, ""


def portfolio_table(
    found: list[Any], limit: int, title: str = "跨表问题（不计入上表的错/警；", width: int = 80
) -> Group:
    parts: list[Any] = [Text(f"{title}{len(found)} 项，最严重的在前）", style="bold")]
    rows = Table.grid(padding=(0, 1))
    rows.add_column(no_wrap=True)
    rows.add_column(no_wrap=True)
    for f in found[:limit]:
        sev = f.severity.value
        style = {"error": "bold red", "warning": "yellow", "info": "cyan"}[sev]
        label = {"error": "错误", "warning": "警告", "info": "提示"}[sev]
        unit = f.form_key.split("/")[1] if f.form_key.count("/") >= 2 else ""
        head = f"{line(unit)}·" if unit else ""
        rows.add_row(Text(f"[{label}]", style=style), _broken(head, display(f.message), width - 7))  # ids: --json

    parts.append(rows)
    if len(found) > limit:
        parts.append(Text(f"……另有 {len(found) - limit} 项；--json 可看全部", style="dim"))
    return Group(*parts)


def _broken(head: str, message: str, width: int) -> Text:
    """A finding in lines of ``width`` cells, broken between words and characters but never inside a
    number (Rich folded 「2024年」 into 「20」 and 「24年」 on two lines); the unit's name dim."""
    from jixiao.line_breaks import cjk_wrap

    text, out = head + message, Text()
    for i, (a, b) in enumerate(cjk_wrap(head + message, max(10, width))):
        out.append("\n" if i else "")
        for lo, hi, style in ((a, min(b, len(head)), "dim"), (max(a, len(head)), b, "")):
            if lo < hi:
                out.append(text[lo:hi].rstrip() if hi == b else text[lo:hi], style=style)
    return out


def cmd_review(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.cli.db import open_store, warn_stale

    store = open_store(args, err)
    warn_stale(store, err)
    from jixiao.cli.review_details import add_to_doc, no_details, print_details, read_details
    from jixiao.review.aggregate import Filters, aggregate, flagged_and_count

    filters = Filters(year=args.year, department=args.department, unit=args.unit, status=args.status)
    if args.sample:
        from jixiao.cli.review_sample import cmd_sample

        return cmd_sample(args, store, filters, out, err)
    groups = aggregate(store.engine, args.by, filters)
    overall = aggregate(store.engine, "year", filters) if args.by != "year" else groups
    flagged, flagged_total = flagged_and_count(store.engine, filters, limit=max(0, args.limit))
    catalog = store.catalog  # loaded once by open_store (an empty one if it could not be read)
    portfolio, skipped = portfolio_findings(store, filters, args.portfolio_limit, err) if groups else ([], "")
    details = read_details(store, filters, args.detail_limit) if groups else no_details()
    if groups:  # how many forms the flagged list is the worst of: said when it lists only some
        details = replace(details, flagged_total=flagged_total, flagged_shown=len(flagged))
    for message in details.bad_records:
        err.print(Text(f"警告：{line(message)}", style="yellow"), soft_wrap=True)
    if args.json:
        from jixiao import jsonout

        doc = _review_doc(store, args.by, filters, groups, overall, flagged, portfolio, skipped)
        add_to_doc(doc, details)
        out.file.write(jsonout.dumps(doc) + "\n")
    elif not groups:
        out.print("没有符合条件的表单。")
        return EXIT_OK
    else:
        _print_review(out, args, store, groups, flagged, portfolio, skipped)
        print_details(out, details, args.limit)
    if args.xlsx:
        from jixiao.review.export import review_workbook

        review_workbook(args.xlsx, args.by, groups, flagged, portfolio, details, skipped)
        err.print(f"已写入 {args.xlsx}")
    if args.pdf:
        from jixiao.review.report import review_pdf

        review_pdf(args.pdf, store.engine, args.by, groups, flagged, filters, catalog, portfolio, details, skipped)
        err.print(f"已写入 {args.pdf}")
    return EXIT_OK


def _review_doc(
    store: Any,
    by: str,
    filters: Any,
    groups: list[Any],
    overall: list[Any],
    flagged: list[Any],
    portfolio: list[Any],
    skipped: str,
) -> dict[str, Any]:
    """The ``--json`` document: groups, the overall line, flagged forms with their top findings, portfolio findings."""
    from jixiao.review.findings import top_findings

    return {
        "by": by,
        "filters": {k: v for k, v in vars(filters).items()} if hasattr(filters, "__dict__") else {},
        "statuses": statuses_counted(filters.status),  # the forms counted: every status unless --status
        "flags_count": FLAGS_NOTE,  # groups' and flagged forms' flags: each form's own checks, not portfolio
        "groups": [group_dict(g) for g in groups],
        "overall": [group_dict(g) for g in overall],
        "flagged": [
            {
                "id": f.id,
                "form": f.key,
                "total_computed": _d(f.total_computed),
                "total_recorded": _d(f.total_recorded),
                "grade": f.grade,
                "rate": _d(f.rate),
                "errors": f.errors,
                "warnings": f.warnings,
                "findings": [
                    {"severity": s, "message": m} for s, m in top_findings(store.engine, f.id, store.catalog, limit=5)
                ],
            }
            for f in flagged
        ],
        "portfolio": [
            {"check": f.check_id, "severity": f.severity.value, "form": f.form_key, "message": f.message}
            for f in portfolio
        ],
        "portfolio_skipped": skipped or None,
    }


def _print_review(
    out: Console,
    args: argparse.Namespace,
    store: Any,
    groups: list[Any],
    flagged: list[Any],
    portfolio: list[Any],
    skipped: str,
) -> None:
    """The terminal report: the groups (the worst first), the grade chart, portfolio findings, flagged forms."""
    shown = groups if args.groups <= 0 else groups[: args.groups]
    out.print(Text(statuses_line(args.status), style="dim"))
    out.print(groups_table(shown, args.by, out.width))
    if args.by != "level1":  # by 一级指标 the columns count rows by status, not findings
        out.print(Text(FLAGS_NOTE, style="dim"))
    if len(shown) < len(groups):
        rest = len(groups) - len(shown)
        out.print(
            Text(
                f"另有 {rest} 个{GROUPINGS[args.by]}未列出（较好的在后）；--groups 0 列出全部，或 --xlsx 导出",
                style="dim",
            )
        )
    if args.by != "level1":
        out.print(Text("等级分布", style="bold"))
        out.print(grade_chart(groups))
    if portfolio:  # by 一级指标 the table above has no 错/警 to leave them out of
        title = "跨表问题（" if args.by == "level1" else "跨表问题（不计入上表的错/警；"
        out.print(portfolio_table(portfolio, max(args.limit * 2, 10), title, out.width))
    elif skipped:
        out.print(Text(skipped, style="dim"))
    if flagged:
        out.print(flagged_table(store.engine, flagged, store.catalog))
