"""``jixiao monitor``: mid-year monitoring snapshots (绩效运行监控) against their forms.

``monitor check SNAPSHOT… --forms PATH…`` matches each snapshot to its form (year + unit +
project), prints the deviation warnings (偏差预警), and for a form that is already self-evaluated
shows, per indicator, what the monitoring predicted beside how the year ended, with the
year-end checks. Exit 1 when a file cannot be read or a snapshot has no form; warnings never
change the exit status.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from jixiao.cli.zh import year_value

EXIT_OK, EXIT_INVALID = 0, 1


def add_commands(sub: argparse._SubParsersAction, parser_class: type) -> None:
    m = sub.add_parser("monitor", help="运行监控：按监控记录给出偏差预警，年终对照自评结果")
    msub = m.add_subparsers(dest="monitor_command", metavar="子命令", parser_class=parser_class, required=True)
    c = msub.add_parser(
        "check",
        help="偏差预警：支出进度、指标进度、预计难以完成而未纠偏；已自评的表单对照监控预计",
        description="按年度 + 实施单位 + 项目名称把监控记录对应到表单，给出偏差预警；表单已有实际完成值时，"
        "逐项列出监控预计与年终结果并检查。文件无法读取或监控记录找不到表单时退出码为 1。",
    )
    c.add_argument("snapshots", nargs="*", type=Path, metavar="SNAPSHOT", help="监控记录文件（.toml/.json）或目录")
    c.add_argument("--forms", nargs="+", type=Path, default=[], metavar="PATH", help="对应的申报表或自评表")
    c.add_argument(
        "--from-db", dest="from_db", action="store_true", help="检查数据库中保存的监控记录（库由 jixiao --db 指定）"
    )
    c.add_argument("--year", type=year_value, metavar="年度", help="只检查该年度（与 --from-db 同用）")
    c.add_argument("--json", action="store_true", help="以 JSON 输出")
    c.set_defaults(func=cmd_check)
    i = msub.add_parser(
        "import",
        help="把监控记录保存到数据库，与表单放在一起（只能追加；同一期间以最后保存的为准）",
        description="按年度 + 实施单位 + 项目名称把监控记录保存到数据库中对应的表单；每个文件单独保存，"
        "出错的文件不写入。有文件无法读取或保存时退出码为 1。",
    )
    i.add_argument("snapshots", nargs="+", type=Path, metavar="SNAPSHOT", help="监控记录文件（.toml/.json）或目录")
    i.set_defaults(func=cmd_import)


def cmd_import(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.cli.db import open_store
    from jixiao.cli.inputs import load_each, say_error
    from jixiao.storage import snapshots
    from jixiao.storage.records import StoreError
    from scorer.monitoring import load_snapshot

    snaps, bad = load_each(list(args.snapshots), load_snapshot, err)
    store = open_store(args, err)
    saved = 0
    for source, snap in snaps:
        try:
            snapshots.save(store, snap)
            saved += 1
        except StoreError as exc:
            bad += 1
            say_error(err, f"{source}：{exc}（该文件未写入任何内容）")
    out.print(f"已保存 {saved} 份监控记录" + (f"，{bad} 个文件失败" if bad else "") + "。")
    return EXIT_INVALID if bad else EXIT_OK


def _stored(args: argparse.Namespace, err: Console) -> list[tuple[str, Any, Any, Any]]:
    """(source, snapshot, form, stored at) of every stored snapshot, by form and period."""
    from jixiao.cli.db import open_store
    from jixiao.safe_text import display
    from jixiao.storage import snapshots

    store = open_store(args, err)
    out: list[tuple[str, Any, Any, Any]] = []
    for form_id in snapshots.forms_with_snapshots(store, args.year):
        sf = store.get(form_id)
        stored, problems, stamps = snapshots.read_stored(store, sf)
        for message in problems:
            err.print(Text(f"警告：{display(message)}", style="yellow"), soft_wrap=True)  # it quotes the row
        out.extend((f"#{form_id} {sf.key}", snap, sf.form, stamps[snap.months]) for snap in stored)
    return out


def cmd_check(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.checks.monitoring_checks import latest, run_monitoring_checks, run_stored_checks
    from jixiao.cli.inputs import load_each, say_error
    from jixiao.cli.targets import load_forms
    from jixiao.scoring import score_form
    from scorer.monitoring import load_snapshot

    if args.from_db == bool(args.snapshots or args.forms):
        say_error(err, "请给出监控记录文件和 --forms，或用 --from-db 检查数据库中的监控记录（两者不能同时使用）")
        return 2
    if args.from_db:
        stored = _stored(args, err)
        snaps, bad = [(source, snap) for source, snap, _, _ in stored], 0
        forms, bad_forms = [(source, form) for source, _, form, _ in stored], 0
        stamps = {id(snap): at for _, snap, _, at in stored}
    else:
        snaps, bad = load_each(list(args.snapshots), load_snapshot, err)
        stamps = {}
        forms, bad_forms = load_forms(list(args.forms), err)
    reports = []
    for source, snap in snaps:
        form = next((f for _, f in forms if snap.matches(f)), None)
        if form is None:
            bad += 1
            say_error(
                err,
                f"{source}：找不到对应的表单「{snap.key}」（在 --forms 给出的文件中按 年度/实施单位/项目名称 查找）",
            )
            continue
        result = score_form(form)
        findings = run_monitoring_checks(result, snap)
        if id(snap) in stamps:
            findings += run_stored_checks(result, snap, stamps[id(snap)])
        ended = any(i.actual.strip() for i in form.indicators)
        last = latest([s for _, s in snaps if s.matches(form)])
        if ended and last is not None and last is snap:
            findings += run_monitoring_checks(result, last, year_end=True)
        reports.append((source, snap, result, findings, ended))
    if args.json:
        _json(out, reports)
    else:
        for report in reports:
            _render(out, *report)
    return EXIT_INVALID if bad or bad_forms else EXIT_OK


def _year_end_table(result: Any, snap: Any) -> Table:
    t = Table(
        box=box.SIMPLE_HEAD, padding=(0, 1), title_justify="left", title=f"监控预计与年终结果（1–{snap.months}月）"
    )
    for name in ("指标", f"1–{snap.months}月完成", "监控预计", "年终实际", "状态"):
        t.add_column(name, overflow="fold")
    for r in result.indicators:
        p = snap.row_for(r.indicator)
        if p is None:
            continue
        t.add_row(r.indicator.name, p.to_date, str(p.forecast or "—"), r.indicator.actual, r.status.label)
    return t


def _render(out: Console, source: str, snap: Any, result: Any, findings: list[Any], ended: bool) -> None:
    from jixiao.checks import form_label, order
    from jixiao.cli.check_report import findings_table, wrapped

    label = form_label(result.form)
    out.print(Rule(Text(f"{label}（1–{snap.months}月监控）", style="bold"), align="left", style="dim"))
    out.print(wrapped(source, out.width, style="dim"))
    if ended:
        out.print(_year_end_table(result, snap))
    out.print(findings_table(order(findings), label, out.width) if findings else Text("无偏差预警。", style="green"))
    out.print()


def _json(out: Console, reports: list[Any]) -> None:
    from jixiao import jsonout
    from jixiao.checks import form_label, order
    from jixiao.cli.check_report import finding_json

    doc = [
        {
            "source": source,
            "form": form_label(result.form),
            "months": snap.months,
            "findings": [finding_json(f) for f in order(findings)],
        }
        for source, snap, result, findings, _ in reports
    ]
    out.file.write(jsonout.dumps({"snapshots": doc}) + "\n")
