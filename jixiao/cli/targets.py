"""``jixiao targets``: the declaration stage (绩效目标申报/审核) of a form's year.

``targets derive`` writes the declaration a self-evaluation form's indicators were set in
(the same rows and identities, targets only); ``targets check`` runs the target review on
declarations, against each other (peer costs) and last year's forms (``--last-year``), and
drafts a 审核意见 per declaration with ``--opinion``. Exit 1 when a declaration has an
error-level finding or a file cannot be read.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from jixiao.cli import declarations
from jixiao.cli.zh import year_value

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def add_commands(sub: argparse._SubParsersAction, parser_class: type) -> None:
    t = sub.add_parser("targets", help="绩效目标：从自评表导出申报表、审核申报表并起草审核意见")
    tsub = t.add_subparsers(dest="targets_command", metavar="子命令", parser_class=parser_class, required=True)
    d = tsub.add_parser(
        "derive",
        help="由自评表得出当年的绩效目标申报表（同一批指标，只留年初目标值与分值）",
        description="由自评表得出当年的绩效目标申报表：指标行及其标识不变，去掉实际完成值、得分、调整后目标值、执行数、分析和签字。",
    )
    d.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="自评表文件或目录")
    d.add_argument("-o", "--output", type=Path, required=True, metavar="DIR", help="输出目录")
    d.add_argument("--year", type=year_value, metavar="年度", help="申报年度（延续项目的下一年；默认与自评表同年）")
    d.set_defaults(func=cmd_derive)
    c = tsub.add_parser(
        "check",
        help="目标审核：检查申报表的指标是否可衡量、齐全、合理，可起草审核意见",
        description="目标审核：对绩效目标申报表运行目标审核检查。有“错误”级问题或文件无法读取时退出码为 1。",
    )
    c.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="申报表文件或目录（同批申报表互为成本对照）")
    c.add_argument(
        "--from-db",
        dest="from_db",
        action="store_true",
        help="审核数据库中目标申报阶段的表单（上年度自评表亦取自数据库；库由 jixiao --db 指定）",
    )
    c.add_argument("--year", type=year_value, metavar="年度", help="与 --from-db 同用：只审核该年度的申报表")
    c.add_argument(
        "--last-year",
        dest="last_year",
        nargs="+",
        type=Path,
        default=[],
        metavar="PATH",
        help="上年度的自评表（对比目标值）",
    )
    c.add_argument("--opinion", action="store_true", help="为每份申报表起草审核意见")
    c.add_argument("--json", action="store_true", help="以 JSON 输出")
    c.set_defaults(func=cmd_check)
    declarations.add_commands(tsub)


def _form(path: Path) -> Any:
    """A form file, its rule set checked (an unknown one names the file)."""
    from scorer.formfile import load_form
    from scorer.rules import RuleSetError, rules_for

    form = load_form(path)
    try:
        rules_for(form)
    except RuleSetError as exc:
        raise RuleSetError(f"{path}：键 rules：{exc}") from None
    return form


def load_forms(paths: list[Path], err: Console) -> tuple[list[tuple[str, Any]], int]:
    """(source, form) of every readable form file, and how many could not be read (each named on stderr)."""
    from jixiao.cli.inputs import load_each

    return load_each(paths, _form, err)


def cmd_derive(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.cli.inputs import say_error
    from jixiao.files import atomic_write, form_stem, os_reason, unique_path
    from scorer.formwrite import dumps_toml
    from scorer.stages import declaration_from, for_year

    forms, bad = load_forms(list(args.paths), err)
    try:
        if args.output.exists() and not args.output.is_dir():
            raise FileExistsError(17, "exists")
        args.output.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        say_error(err, f"{args.output}：无法作为输出目录（{os_reason(exc)}）；未写出任何文件")
        return EXIT_INVALID
    used: set[Path] = set()
    written = 0
    for source, form in forms:
        if form.year is None and args.year is None:  # a declaration is for a year: never guessed
            bad += 1
            say_error(err, f"{source}：自评表没有年度（键 year），不知申报哪一年；请用 --year 指定。未写出申报表")
            continue
        decl = declaration_from(form) if args.year is None else for_year(declaration_from(form), args.year)
        stem = form_stem(decl, "目标")
        path = unique_path(args.output, stem, ".toml", used)
        try:
            atomic_write(
                path, dumps_toml(decl, comment=f"{decl.title}（{decl.project_name}）\n由 {source} 得出").encode()
            )
            written += 1
        except OSError as exc:
            bad += 1
            say_error(err, f"{source}：申报表未写出到 {path}（{os_reason(exc)}）")
    out.print(f"写出 {written} 份绩效目标申报表到 {args.output}" + (f"；{bad} 个文件未完成" if bad else "") + "。")
    return EXIT_INVALID if bad else EXIT_OK


def cmd_check(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.checks.engine import run_target_review, summarise
    from jixiao.scoring import score_form
    from scorer.result import Severity

    if args.from_db:
        if args.paths or args.last_year:
            from jixiao.cli.inputs import say_error

            say_error(err, "--from-db 与申报表文件、--last-year 不能同时使用")
            return EXIT_USAGE
        forms, last = stored_declarations(args, err)
        bad = bad_last = 0
    else:
        forms, bad = load_forms(list(args.paths), err)
        last, bad_last = load_forms(list(args.last_year), err)
    if not forms and not bad:
        from jixiao.cli.inputs import say_error

        say_error(err, "数据库中没有目标申报阶段的表单" if args.from_db else "没有找到申报表文件（.toml / .json）")
        return EXIT_INVALID
    sources = {id(f): s for s, f in forms}
    reviewed = run_target_review([score_form(f) for _, f in forms], [score_form(f) for _, f in last])
    findings = [f for _, found in reviewed for f in found]
    if args.json:
        _json(out, reviewed, sources, args.opinion)
    else:
        _render(out, reviewed, sources, args.opinion)
    errors = summarise(findings)[Severity.ERROR]
    return EXIT_INVALID if errors or bad or bad_last else EXIT_OK


def stored_declarations(args: argparse.Namespace, err: Console) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """The stored declarations (of ``--year``), and the stored self-evaluations of the year before each."""
    from jixiao.cli.db import open_store
    from jixiao.workflow import Stage

    store = open_store(args, err)
    rows = store.list(year=args.year)
    decl = [r for r in rows if r.stage is Stage.DECLARATION]
    years = {r.year - 1 for r in decl}
    before = [r for r in (rows if args.year is None else store.list(year=args.year - 1)) if r.year in years]
    last = [r for r in before if r.stage is Stage.EVALUATION]
    return (
        [
            (f"#{r.id} {r.year}/{r.implementing_unit}/{r.project_name}", sf.form)
            for r, sf in zip(decl, store.get_many([r.id for r in decl]), strict=True)
        ],
        [(f"#{r.id}", sf.form) for r, sf in zip(last, store.get_many([r.id for r in last]), strict=True)],
    )


def _render(out: Console, reviewed: list[tuple[Any, list[Any]]], sources: dict[int, str], opinion: bool) -> None:
    from jixiao.checks import form_label
    from jixiao.checks.opinions import draft_opinion
    from jixiao.cli.check_report import findings_table, summary_text, wrapped
    from jixiao.safe_text import display

    for result, found in reviewed:
        label = form_label(result.form)
        out.print(Rule(Text(display(label, single_line=True), style="bold"), align="left", style="dim"))
        out.print(wrapped(sources[id(result.form)], out.width, style="dim"))
        if found:
            out.print(findings_table(found, label, out.width))
        else:
            out.print(Text("未发现问题。", style="green"))
        if opinion:
            out.print()
            for line in draft_opinion(result.form, found).splitlines():
                out.print(wrapped(line, out.width))
        out.print()
    out.print(summary_text(len(reviewed), [f for _, found in reviewed for f in found]))


def _json(out: Console, reviewed: list[tuple[Any, list[Any]]], sources: dict[int, str], opinion: bool) -> None:
    from jixiao import jsonout
    from jixiao.checks import form_label
    from jixiao.checks.opinions import draft_opinion
    from jixiao.cli.check_report import finding_json

    doc = [
        {
            "source": sources[id(result.form)],
            "form": form_label(result.form),
            "findings": [finding_json(f) for f in found],
            **({"opinion": draft_opinion(result.form, found)} if opinion else {}),
        }
        for result, found in reviewed
    ]
    out.file.write(jsonout.dumps({"declarations": doc}) + "\n")
