"""The ``jixiao`` command line.

Every failure the user can cause is reported as a message naming the file and
place, never as a traceback; exit status 1 means some input was invalid.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.text import Text

from jixiao import __version__, line_breaks
from jixiao.cli.zh import count_value, positive_int
from scorer.errors import JixiaoError

line_breaks.install()  # every table and text the command line prints breaks lines by jixiao's rule

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors in Chinese and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"jixiao：参数错误：{message}\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    from jixiao.cli import zh as cli_zh

    cli_zh.install()
    p = _Parser(prog="jixiao", description="绩效：预算绩效自评表的解析、计分与审核。")
    p.add_argument("--version", action="version", version=f"jixiao {__version__}", help="显示版本号并退出")
    p.add_argument(
        "--db",
        metavar="URL",
        help="数据库地址，如 postgresql+psycopg://用户@主机/库 或 SQLite 文件路径；默认读环境变量 JIXIAO_DB，否则用用户数据目录中的 SQLite 文件",
    )
    sub = p.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)

    s = sub.add_parser(
        "score", help="按规则集计分并打印自评表", description="按规则集为自评表计分，并以自评表的格式打印。"
    )
    s.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="表单文件（.toml/.json）或目录（递归查找）")
    s.add_argument("--rules", metavar="NAME", help="使用此规则集（名称或 .toml 文件），覆盖表单中指定的规则集")
    s.add_argument("--explain", action="store_true", help="显示每项指标的计分说明")
    s.add_argument("--json", action="store_true", help="以 JSON 输出")
    s.add_argument("--catalog", action="append", type=Path, default=[], metavar="FILE", help="附加的指标库文件")
    s.add_argument(
        "-j", "--jobs", type=positive_int, metavar="N", help="计分进程数（默认每核一个；文件少时只用本进程）"
    )
    s.set_defaults(func=cmd_score)

    r = sub.add_parser("rules", help="列出可用的规则集")
    r.set_defaults(func=cmd_rules)

    _add_catalog(sub)
    from jixiao.cli.backup import add_commands as add_backup
    from jixiao.cli.db import add_commands

    add_commands(sub, _Parser)
    add_backup(sub, _Parser)
    from jixiao.cli.review import add_commands as add_review

    add_review(sub, _Parser)
    _add_modules(sub)
    return p


def _add_modules(sub: argparse._SubParsersAction) -> None:
    """The commands that live in a module of their own, each adding its parsers."""
    from jixiao.cli import check, disclosure, evidence, monitor, pdf, publish, recheck, serve, targets, users

    for module in (check, targets, monitor, recheck, users, pdf, disclosure, publish, evidence, serve):
        module.add_commands(sub, _Parser)


def _add_catalog(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser("catalog", help="指标库：搜索、查看、校验")
    csub = c.add_subparsers(dest="catalog_command", metavar="子命令", parser_class=_Parser, required=True)
    cs = csub.add_parser("search", help="按名称、拼音或拼音首字母搜索指标")
    cs.add_argument("text", help="搜索词，如 满意度、manyidu、myd")
    cs.add_argument("--limit", type=count_value, default=20, help="最多显示条数（默认 20）")
    cs.add_argument("--catalog", action="append", type=Path, default=[], metavar="FILE", help="附加的指标库文件")
    cs.set_defaults(func=cmd_catalog_search)
    cw = csub.add_parser("show", help="显示一个指标的全部信息")
    cw.add_argument("name", help="指标名称或别名")
    cw.add_argument("--catalog", action="append", type=Path, default=[], metavar="FILE", help="附加的指标库文件")
    cw.set_defaults(func=cmd_catalog_show)
    cc = csub.add_parser("check", help="校验一个指标库扩展文件，列出全部问题")
    cc.add_argument("file", type=Path)
    cc.set_defaults(func=cmd_catalog_check)


def error(err: Console, message: str, label: str = "错误") -> None:
    """Print one error line; user text is never read as rich markup nor reaches the terminal raw."""
    from jixiao.safe_text import display

    err.print(Text.assemble((f"{label}：", "bold red"), display(message, limit=4000)), soft_wrap=True)


# ------------------------------------------------------------------ score


def cmd_score(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao import jsonout, terminal
    from jixiao.cli.score_run import Job, score_files
    from jixiao.workers import workers_for
    from scorer.formfile import find_form_files
    from scorer.rules import RuleSetError
    from scorer.rules import load as load_rules

    override = None
    if args.rules:
        try:
            override = load_rules(args.rules)
        except RuleSetError as exc:
            error(err, f"--rules：{exc}")
            return EXIT_INVALID
    catalog = _catalog(args.catalog, err)
    if catalog is False:
        return EXIT_INVALID
    missing: list[Path] = []

    def report_missing(p: Path) -> None:
        error(err, f"{p}：文件或目录不存在")
        missing.append(p)

    files = find_form_files(list(args.paths), report_missing)
    if not files and not missing:
        error(err, "没有找到表单文件（.toml / .json）")
        return EXIT_INVALID
    job = Job(override, catalog, args.json, args.explain, out)
    results = score_files(job, files, workers_for(len(files), args.jobs))
    invalid = False
    rows = []
    forms = jsonout.FormsWriter(out.file)  # --json: each form is written as it comes, nothing is held
    for scored in results:
        for message in scored.errors:
            error(err, message)
        invalid = invalid or scored.invalid
        if args.json:
            if scored.text:
                forms.add(scored.text)
            continue
        rows.append((scored.source, scored.summary, scored.detail))
        out.file.write(scored.text)
    if args.json:
        forms.close()
    elif len(rows) > 1:
        terminal.emit(out, terminal.summary_table(rows))
    return EXIT_INVALID if missing or invalid else EXIT_OK


def cmd_rules(args: argparse.Namespace, out: Console, err: Console) -> int:
    from rich.table import Table

    from scorer.rules import DEFAULT_RULES, available, load

    t = Table(title="规则集", title_justify="left")
    for col in ("名称", "版本", "说明", "预算执行", "指标", "反向公式", "等级"):
        t.add_column(col, overflow="fold")
    for name in available():
        rs = load(name)
        t.add_row(
            name + ("（默认）" if name == DEFAULT_RULES else ""),
            rs.version,
            rs.title,
            f"{rs.budget_weight}",
            f"{rs.indicators_total}",
            "W×A/B" if rs.reverse_formula == "ratio" else "W×(1−(B−A)/A)",
            rs.grade_bands_text(),
        )
    out.print(t)
    return EXIT_OK


# -------------------------------------------------------------------- tui


def cmd_tui(args: argparse.Namespace, out: Console, err: Console) -> int:
    """No command: open the terminal UI on the (default) database."""
    from jixiao.cli.db import open_store

    store = open_store(args, err)
    served = os.environ.get("TEXTUAL_DRIVER", "").startswith("textual.drivers.web_driver")  # jixiao serve
    if not served and (not sys.stdout.isatty() or not sys.stdin.isatty()):
        from jixiao.cli.db import cmd_list

        err.print("（不是终端：打印表单列表；在终端中运行 jixiao 打开界面）")
        args.year = args.department = args.unit = args.status = args.search = None
        return cmd_list(args, out, err)
    from jixiao.session import catalog_of
    from tui import create_app

    create_app(store, catalog_of(store)).run()
    return EXIT_OK


# ---------------------------------------------------------------- catalog


def _catalog(extra: list[Path], err: Console):
    """The catalog with user extensions, or False after reporting an error."""
    try:
        from indicator_catalog import CatalogError, load_catalog
    except ImportError:  # pragma: no cover - the catalog ships with jixiao
        return None
    try:
        catalog = load_catalog(extra)
    except CatalogError as exc:
        error(err, f"指标库：{exc}")
        return False
    for name, path in getattr(catalog, "overrides", []):
        error(err, f"{path} 中的「{name}」覆盖了内置指标库的同名条目", "提示")
    return catalog


def cmd_catalog_search(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.catalog_view import render_search

    catalog = _catalog(args.catalog, err)
    if not catalog:
        return EXIT_INVALID
    matches = catalog.search(args.text, limit=max(1, args.limit))
    if not matches:
        error(err, f"没有找到与「{args.text}」匹配的指标", "提示")
        return EXIT_INVALID
    render_search(out, matches)
    return EXIT_OK


def cmd_catalog_show(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.catalog_view import render_entry, render_search

    catalog = _catalog(args.catalog, err)
    if not catalog:
        return EXIT_INVALID
    entry = catalog.lookup(args.name)
    if entry is None:
        error(err, f"指标库中没有「{args.name}」")
        near = catalog.search(args.name, limit=5)
        if near:
            err.print("相近的指标：")
            render_search(err, near)
        return EXIT_INVALID
    render_entry(out, entry)
    return EXIT_OK


def cmd_catalog_check(args: argparse.Namespace, out: Console, err: Console) -> int:
    from indicator_catalog import check_file
    from jixiao.catalog_view import render_problems

    problems = check_file(args.file)
    render_problems(out, args.file, problems)
    return EXIT_INVALID if problems else EXIT_OK


# ------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None, out: Console | None = None, err: Console | None = None) -> int:
    out = out or Console(highlight=False)
    err = err or Console(stderr=True, highlight=False, soft_wrap=True)
    if not sys.warnoptions:  # a library's notices (pyHanko's DSA deprecation) are English, and nothing for a user to do
        warnings.simplefilter("ignore")
        if argv is None:  # the process is jixiao's: no "Exception ignored in …" traceback after the error said
            sys.unraisablehook = _unraisable
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args.func = cmd_tui
    try:
        if getattr(args, "db", None):
            from jixiao.storage.database import check_command_line_url

            check_command_line_url(args.db)
        return int(args.func(args, out, err))
    except JixiaoError as exc:  # anything a user can cause and fix: one clear line, exit 1
        error(err, str(exc))
        return EXIT_INVALID
    except KeyboardInterrupt:
        err.print("已中断")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:  # a path the user named that cannot be used: an output that is a file, a directory…
        if exc.filename is None:  # no path in it (a broken pipe to a worker, a reset connection): ours
            return _internal(err, exc)
        from jixiao.files import path_problem

        error(err, path_problem(exc))
        return EXIT_INVALID
    except Exception as exc:  # the last net: report, never a traceback
        from jixiao.storage.driver_messages import environment_problem

        said = environment_problem(exc)  # a full disk, a damaged file, a lock: the user's to fix
        if said:
            error(err, f"数据库：{said}")
            return EXIT_INVALID
        return _internal(err, exc)


def _unraisable(unraisable: object) -> None:
    """An error in a finaliser (openpyxl's zip file closed on a full disk, after the command said
    so): Python prints it as a traceback; the command already reported what failed."""


def _internal(err: Console, exc: BaseException) -> int:
    error(err, f"{type(exc).__name__}：{exc}", "内部错误")
    err.print("这是 jixiao 的缺陷，请连同输入文件一起报告。")
    return 3


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
