"""Database commands: db upgrade/info, list, import, export, history, workflow."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from jixiao.cli.zh import add_status_filter, positive_int, rule_set_name, year_value

# atomic_write, safe_name: re-exported
from jixiao.files import atomic_write, form_stem, os_reason, output_directory, unique_path
from jixiao.safe_text import display, line
from jixiao.terminal import emit
from jixiao.workflow import Stage
from scorer import numbers as fmt

EXIT_OK, EXIT_INVALID = 0, 1
IMPORT_SUFFIXES = (".toml", ".json", ".xlsx")


if TYPE_CHECKING:
    from jixiao.progress_line import ProgressLine
    from jixiao.storage.store import FormStore


def add_commands(sub: argparse._SubParsersAction, parser_class: type) -> None:
    d = sub.add_parser("db", help="数据库：升级、查看")
    dsub = d.add_subparsers(dest="db_command", metavar="子命令", parser_class=parser_class, required=True)
    dsub.add_parser("upgrade", help="把数据库迁移到最新版本（新库会被创建）").set_defaults(func=cmd_db_upgrade)
    dsub.add_parser("info", help="显示数据库位置、版本和表单数").set_defaults(func=cmd_db_info)
    rs = dsub.add_parser(
        "rescore", help="按规则重新计算并保存数据库不担保的评分（须以数据库所有者或 jixiao_scorer 身份运行）"
    )
    rs.add_argument(
        "-j", "--jobs", type=positive_int, metavar="N", help="计分的进程数（默认每核一个；表少时只用本进程）"
    )
    rs.set_defaults(func=cmd_db_rescore)

    ls = sub.add_parser("list", help="列出数据库中的表单")
    _filters(ls)
    ls.set_defaults(func=cmd_list)

    _add_import(sub)

    ex = sub.add_parser("export", help="导出表单为 toml / json / xlsx 文件")
    ex.add_argument("--format", choices=("toml", "json", "xlsx"), default="toml", help="文件格式（默认 toml）")
    ex.add_argument("-o", "--output", type=Path, required=True, metavar="DIR", help="输出目录")
    ex.add_argument("--form", action="append", default=[], metavar="FORM", help="只导出这些表单（编号或名称，可多次）")
    ex.add_argument(
        "--profile",
        metavar="画像",
        help="按平台的每行一个指标的表格导出为一个 xlsx（如 platform-flat，与导入时识别的画像相同）",
    )
    _filters(ex)
    ex.set_defaults(func=cmd_export)

    hi = sub.add_parser("history", help="显示表单的修改记录")
    hi.add_argument("form", metavar="FORM", help="表单编号、项目名称或 年度/实施单位/项目名称")
    hi.set_defaults(func=cmd_history)

    wf = sub.add_parser(
        "workflow",
        help="提交、退回、审核通过或重新打开表单；--all 加筛选条件时批量处理",
        description="对一份表单执行工作流操作；或用 --all 和筛选条件（--year、--unit、--status …）逐份处理，"
        "每份单独成事、单独记录，被拒绝的表单逐份说明原因，其余照常处理。",
    )
    wf.add_argument("action", choices=("submit", "return", "approve", "reopen"))
    wf.add_argument("form", metavar="FORM", nargs="?", help="表单：编号、项目名称或 年度/实施单位/项目名称")
    wf.add_argument("-m", "--comment", default="", help="理由（退回、重新打开时必填）")
    wf.add_argument("--all", action="store_true", help="处理筛选条件选中的全部表单")
    _filters(wf)
    wf.set_defaults(func=cmd_workflow)


def _add_import(sub: argparse._SubParsersAction) -> None:
    im = sub.add_parser("import", help="导入表单文件（.toml / .json / .xlsx）；同一表单再次导入即更新")
    im.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    im.add_argument(
        "-j", "--jobs", type=positive_int, metavar="N", help="读取与计分的进程数（默认每核一个；文件少时只用本进程）"
    )
    im.add_argument(
        "--rules",
        type=rule_set_name,
        metavar="NAME",
        help="文件中未指定规则集的表单（如平台表）按此规则集评分并存储（只接受内置规则集名称）；已指定的不变",
    )
    im.add_argument(
        "--dry-run", action="store_true", help="试导入：报告每个文件读出什么、表格各列按什么读入；不写入、不打开数据库"
    )
    im.set_defaults(func=cmd_import)


def _filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=year_value, metavar="年度", help="年度")
    p.add_argument("--department", help="主管部门（包含）")
    p.add_argument("--unit", help="实施单位（包含）")
    add_status_filter(p)
    p.add_argument("--search", help="项目名称（包含）")


def open_store(args: argparse.Namespace, err: Console) -> FormStore:
    """The store the command runs on (see jixiao.session), its notes printed on stderr."""
    from jixiao import session

    return session.open_store(
        args.db, announce=lambda m: err.print(Text(m, style="cyan")), report=_reporter(err), progress=rescore_line()
    )


def rescore_line() -> ProgressLine:
    """The progress of a rescore, on stderr (「重新计分：12,000/67,130 张表」; see jixiao.progress_line)."""
    from jixiao.progress_line import ProgressLine

    return ProgressLine("重新计分", "张表")


def warn_stale(store: FormStore, err: Console) -> None:
    """Say when stored verdicts were computed by another jixiao: the list and the review recompute
    each of them (``verdict_stamp.vouched``), which is right but slow until ``db rescore``."""
    from jixiao.storage.verdict_stamp import stale_count

    if n := stale_count(store.engine):
        err.print(
            Text(
                f"注意：{n} 份表单保存的评分由另一版本的 jixiao 计算（评分规则或检查已变），本次按当前版本逐份"
                "重算后显示，较慢；运行 jixiao db rescore 保存新的评分（PostgreSQL 上由数据库所有者或 "
                "jixiao_scorer 成员运行）",
                style="yellow",
            )
        )


def _reporter(err: Console) -> Callable[[str], None]:
    return lambda message: err.print(Text(f"警告：{message}", style="yellow"))


# ------------------------------------------------------------------ db


def cmd_db_upgrade(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.storage.database import current_revision, head_revision, make_engine, redact, resolve_url, upgrade

    url, _ = resolve_url(args.db)
    engine = make_engine(url)
    before = current_revision(engine)
    upgrade(engine)
    after = current_revision(engine)
    head = head_revision(engine)
    if before == after:
        out.print(f"数据库 {redact(url)} 已是最新版本 {head}。")
    else:
        out.print(f"数据库 {redact(url)}：{before or '（空）'} → {after}。")
    return EXIT_OK


def cmd_db_info(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.storage.database import current_revision, head_revision, redact

    store = open_store(args, err)
    t = Table.grid(padding=(0, 2))
    t.add_row("数据库", redact(str(store.engine.url.render_as_string(hide_password=True))))
    t.add_row("版本", f"{current_revision(store.engine)}（程序需要 {head_revision(store.engine)}）")
    t.add_row("表单数", str(store.count()))
    t.add_row("当前用户", Text(line(store.actor)))
    out.print(t)
    return EXIT_OK


def cmd_db_rescore(args: argparse.Namespace, out: Console, err: Console) -> int:
    from sqlalchemy import text

    store = open_store(args, err)
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect() as conn:
            if not conn.execute(text("SELECT jixiao_trusted_writer()")).scalar_one():
                err.print("无权限：只有数据库所有者或 jixiao_scorer 角色的成员能写入受信任的评分")
                return EXIT_INVALID
    progress = rescore_line()
    try:
        done = store.rescore(only_missing=True, jobs=args.jobs, progress=progress)
    except KeyboardInterrupt:  # every batch committed so far stays; a rerun does the rest
        progress.clear()
        err.print(f"已中断：已保存 {progress.done:,} 份表单的新评分；再次运行 jixiao db rescore 接着计算其余的")
        return 130
    out.print(f"已重新计算 {done} 份表单的评分")
    from jixiao.storage.rescore import left_unverified

    if note := left_unverified(store.engine):
        out.print(note)
    return EXIT_OK


# ---------------------------------------------------------------- list


def forms_table(rows: list[Any], title: str = "表单") -> Table:
    t = Table(
        title=title, title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, collapse_padding=True
    )
    t.add_column("编号", justify="right", no_wrap=True)
    t.add_column("年度", no_wrap=True)
    t.add_column("实施单位", overflow="fold", ratio=2, min_width=8)
    t.add_column("项目名称", overflow="fold", ratio=3, min_width=10)
    t.add_column("预算数", justify="right", no_wrap=True)
    t.add_column("执行率", justify="right", no_wrap=True)
    t.add_column("规则得分", justify="right", no_wrap=True)
    t.add_column("自评", justify="right", no_wrap=True)
    t.add_column("状态", no_wrap=True)
    t.add_column("问题", justify="right", no_wrap=True)
    for r in rows:
        differs = (
            r.total_recorded is not None
            and r.total_computed is not None
            and fmt.q2(r.total_recorded) != r.total_computed
        )
        t.add_row(
            str(r.id),
            str(r.year),
            Text(line(r.implementing_unit)),
            Text(line(r.project_name)),
            fmt.money(r.planned, "—"),
            fmt.percent(r.rate, "—"),
            f"{fmt.score(r.total_computed, '—')} {r.grade}" if r.stage is Stage.EVALUATION else "—",
            Text(fmt.score(r.total_recorded), style="bold yellow" if differs else ""),
            r.status.label if r.stage is Stage.EVALUATION else f"申报·{r.status.label}",
            str(r.problems or "") if r.stage is Stage.EVALUATION else "—",  # a 申报表's: jixiao targets check
        )
    return t


def cmd_list(args: argparse.Namespace, out: Console, err: Console) -> int:
    store = open_store(args, err)
    warn_stale(store, err)
    rows, bad = store.list_readable(
        year=args.year, department=args.department, unit=args.unit, status=args.status, search=args.search
    )
    title = f"表单（{len(rows)} 份" + (f"；另有 {len(bad)} 份无法读取，未列出，见下）" if bad else "）")
    emit(out, forms_table(rows, title))  # a province's forms: strings, not Rich
    for b in bad:  # each named with why; the list above is every other form
        err.print(Text.assemble(("错误：", "bold red"), f"表单 [{b.id}] {line(b.key)} 无法读取，未列出：{b.reason}"))
    return EXIT_INVALID if bad else EXIT_OK


# -------------------------------------------------------------- import


def say_given_twice(err: Console, path: Path, outcomes: Any, first: dict[str, Path]) -> None:
    """The same form from two files of one import: the later file's is what is stored; say so,
    since which one wins depends on the order the files were given in."""
    for o in outcomes:
        earlier = first.setdefault(o.key, path)
        if earlier != path:
            err.print(
                Text.assemble(
                    ("警告：", "bold yellow"),
                    f"表单「{line(o.key)}」在本次导入中出现两次：{line(str(earlier))} 与 {line(str(path))}；"
                    "库中保存的是后一个文件的内容，请确认",
                ),
                soft_wrap=True,
            )


def import_files(
    store: Any, files: list[Path], err: Console, quiet: bool = False, jobs: int | None = None, rules: str = ""
) -> tuple[int, list[Any]]:
    """Import each file whole or not at all (see jixiao.file_import); returns (#failed files, outcomes)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from jixiao.file_import import import_paths

    failed = 0
    outcomes: list[Any] = []
    with Progress(
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=quiet or len(files) < 2,
    ) as progress:
        task = progress.add_task("导入", total=len(files))
        first: dict[str, Path] = {}  # each form's first file in this import
        for done in import_paths(store, files, jobs, rules=rules):
            outcomes.extend(done.outcomes)
            say_given_twice(err, done.path, done.outcomes, first)
            if done.error:
                failed += 1
                err.print(
                    Text.assemble(("错误：", "bold red"), display(done.error, limit=4000), "（该文件未写入任何内容）"),
                    soft_wrap=True,
                )
            progress.advance(task)
    return failed, outcomes


def cmd_import(args: argparse.Namespace, out: Console, err: Console) -> int:
    files: list[Path] = []
    missing = False
    for p in args.paths:
        if p.is_dir():
            files.extend(sorted(f for f in p.rglob("*") if f.suffix.lower() in IMPORT_SUFFIXES and f.is_file()))
        elif p.is_file():
            files.append(p)
        else:
            err.print(Text.assemble(("错误：", "bold red"), f"{line(str(p))}：文件或目录不存在"))
            missing = True
    if not files and not missing:  # as score and check say it: an empty directory is no successful import
        err.print(Text.assemble(("错误：", "bold red"), f"没有找到表单文件（{'、'.join(IMPORT_SUFFIXES)}）"))
        return EXIT_INVALID
    if args.dry_run:
        from jixiao.cli.import_dry_run import dry_run

        return max(dry_run(files, out, err, args.rules or ""), EXIT_INVALID if missing else EXIT_OK)
    store = open_store(args, err)
    failed, outcomes = import_files(store, files, err, jobs=args.jobs, rules=args.rules or "")
    counts = {k: sum(1 for o in outcomes if o.outcome == k) for k in ("created", "updated", "unchanged")}
    out.print(
        f"导入完成：新建 {counts['created']} 份，更新 {counts['updated']} 份，未变 {counts['unchanged']} 份"
        + (f"，失败 {failed} 个文件" if failed else "")
        + "。"
    )
    partial = sum(1 for o in outcomes if o.partial)
    _report_uncarried(outcomes, out)
    if partial:
        from jixiao.sheet_update import KEPT

        out.print(
            f"其中 {partial} 份按平台表更新：只改了表中有的栏目；{KEPT}等表中没有的，保持数据库中的值。",
            soft_wrap=True,
        )
    return EXIT_INVALID if failed or missing else EXIT_OK


def _report_uncarried(outcomes: list[Any], out: Console) -> None:
    """Forms created from a platform sheet: what the sheet has no column for was not taken, and the
    total is scored under a default rule set; said, never silently re-derived."""
    from jixiao.sheet_update import KEPT

    new = [o for o in outcomes if o.sheet_rules]
    if not new:
        return
    out.print(
        f"其中 {len(new)} 份按平台表新建。平台表没有这些栏目，未能导入：{KEPT}；"
        "这些表单的总分与等级按下列规则集重新计算，可能与原表不同：",
        soft_wrap=True,
    )
    for o in new:
        out.print(Text(f"  {line(o.key)}：按规则集 {o.sheet_rules} 评分"), soft_wrap=True)


# -------------------------------------------------------------- export


def cmd_export(args: argparse.Namespace, out: Console, err: Console) -> int:
    from scorer.formfile import dumps_json, dumps_toml

    store = open_store(args, err)
    if args.form:
        stored = [store.find(ref) for ref in args.form]
    else:
        rows = store.list(
            year=args.year, department=args.department, unit=args.unit, status=args.status, search=args.search
        )
        stored = list(store.get_many([r.id for r in rows]))
    if not stored:
        err.print("没有符合条件的表单。")
        return EXIT_INVALID
    output_directory(args.output)
    if args.profile:
        from jixiao.cli.flat_export import export_profile

        return export_profile(args, stored, out, err)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    written: list[Path] = []
    used: set[Path] = set()
    failed = 0
    with Progress(
        TextColumn("导出"), BarColumn(), MofNCompleteColumn(), console=err, transient=True, disable=len(stored) < 2
    ) as progress:
        task = progress.add_task("导出", total=len(stored))
        for sf in stored:
            f = sf.form
            stem = form_stem(f)
            path = unique_path(args.output, stem, f".{args.format}", used)
            if args.format == "toml":
                data = dumps_toml(
                    f,
                    comment=f"{f.title or ''}（{f.project_name}）\n由 jixiao 导出；状态：{sf.status.label}，版本 {sf.version}",
                ).encode()
            elif args.format == "json":
                data = dumps_json(f).encode()
            else:
                from jixiao.xlsx import write_workbook

                def write(tmp: Path, form: Any = f) -> None:
                    write_workbook([form], tmp)

                data = write  # type: ignore[assignment]

            try:
                atomic_write(path, data)
                written.append(path)
            except OSError as exc:  # keep going: name the form and the reason
                failed += 1
                err.print(Text(f"错误：{line(sf.key)} 未导出到 {line(str(path))}：{os_reason(exc)}"))
            progress.advance(task)
    out.print(Text(f"已导出 {len(written)} 份表单到 {line(str(args.output))}/（{args.format}）。"), soft_wrap=True)
    if failed:
        err.print(Text(f"{failed} 份表单未能导出。"))
    return EXIT_INVALID if failed else EXIT_OK


# ------------------------------------------------------------- history


def cmd_history(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.storage.store import ACTION_LABELS

    store = open_store(args, err)
    sf = store.find(args.form)
    entries = store.history(sf.id)
    t = Table(
        title=Text(f"修改记录：{line(sf.key)}（{sf.status.label}，版本 {sf.version}）"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
    )
    t.add_column("时间", no_wrap=True)
    t.add_column("操作人", overflow="fold")
    t.add_column("操作", no_wrap=True)
    t.add_column("内容", overflow="fold", ratio=2)
    t.add_column("原值 → 新值", overflow="fold", ratio=3)
    t.add_column("理由", overflow="fold", ratio=2)
    for e in entries:
        change = ""
        if e.before is not None or e.after is not None:
            change = (
                f"{e.before if e.before is not None else '（空）'} → {e.after if e.after is not None else '（空）'}"
            )
        t.add_row(
            e.at.astimezone().strftime("%Y-%m-%d %H:%M"),
            Text(line(e.actor if not e.db_user or e.db_user == e.actor else f"{e.actor}（{e.db_user}）")),
            Text(line(ACTION_LABELS.get(e.action, e.action))),
            Text(line(e.label)),
            Text(display(change)),
            Text(display(e.reason)),
        )
    out.print(t)
    return EXIT_OK


# ------------------------------------------------------------ workflow


def cmd_workflow(args: argparse.Namespace, out: Console, err: Console) -> int:
    if (args.form is None) != args.all:
        err.print(Text("错误：请给出一份表单，或用 --all 加筛选条件批量处理（两者选一）", style="red"))
        return 2
    store = open_store(args, err)
    if args.all:
        from jixiao.cli.workflow_batch import run_batch

        return run_batch(store, args, out, err)
    sf = store.find(args.form)
    after = store.transition(sf.id, args.action, args.comment)
    out.print(Text(f"表单「{line(after.key)}」：{sf.status.label} → {after.status.label}。"))
    return EXIT_OK
