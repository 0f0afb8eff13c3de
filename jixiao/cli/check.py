"""``jixiao check``: its arguments, and the command, which loads the checks engine only when it runs.

The work is in ``jixiao/cli/check_report.py``; keeping the parser apart keeps the checks engine out
of every other command's start-up (``tests/test_hygiene.py``).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console

from jixiao.cli.zh import add_status_filter, year_value


def add_commands(sub: argparse._SubParsersAction, parser_class: type) -> None:
    c = sub.add_parser(
        "check",
        help="自查：对表单运行审核检查，按表单列出问题",
        description="自查：为表单计分，运行表内检查和跨表检查，按表单列出问题。有“错误”级问题或文件无法读取时退出码为 1。",
    )
    c.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="表单文件（.toml/.json）或目录（递归查找）")
    c.add_argument("--from-db", dest="from_db", action="store_true", help="检查数据库中的表单（库由 jixiao --db 指定）")
    c.add_argument(
        "--year", type=year_value, metavar="年度", help="只检查该年度（与 --from-db 同用；上一年度的表单用作对比）"
    )
    c.add_argument("--department", help="主管部门（包含，与 --from-db 同用）")
    c.add_argument("--unit", help="实施单位（包含，与 --from-db 同用）")
    add_status_filter(c, "（与 --from-db 同用）")
    c.add_argument("--json", action="store_true", help="以 JSON 输出")
    c.add_argument("--list-checks", action="store_true", help="列出全部检查项")
    c.set_defaults(func=cmd_check)


def cmd_check(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.cli.check_report import run

    return run(args, out, err)
