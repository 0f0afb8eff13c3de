"""``jixiao evidence``: files that support a form or one of its rows, stored with it and embedded
in its PDF (so that a signature covers them); the rows that still lack one."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from jixiao.safe_text import line

EXIT_OK, EXIT_INVALID = 0, 1


def add_commands(sub: argparse._SubParsersAction, parser_class: type) -> None:
    e = sub.add_parser("evidence", help="佐证材料：附上、列出；随表存入数据库，并嵌入表单 PDF（签名覆盖）")
    esub = e.add_subparsers(dest="evidence_command", metavar="子命令", parser_class=parser_class, required=True)
    a = esub.add_parser(
        "add",
        help="为表单（或其中一项指标）附上文件（每个不超过 10 MB；提交前）",
        description="为表单或其中一项指标附上佐证材料（调查结果、验收报告、照片等）。文件按内容（SHA-256）存入数据库，"
        "只能增加不能修改；表单提交后不能再附。导出 PDF 时文件嵌入其中，签名覆盖它们。",
    )
    a.add_argument("form", metavar="FORM", help="表单：编号、项目名称或 年度/实施单位/项目名称")
    a.add_argument("files", nargs="+", type=Path, metavar="FILE", help="要附上的文件")
    a.add_argument("--indicator", default="", metavar="指标", help="所佐证的三级指标（名称或标识）；不给则附在全表")
    a.set_defaults(func=cmd_add)
    s = esub.add_parser("list", help="列出表单的佐证材料，以及缺少佐证的指标（满意度调查、验收文件）")
    s.add_argument("form", metavar="FORM", help="表单：编号、项目名称或 年度/实施单位/项目名称")
    s.set_defaults(func=cmd_list)


def cmd_add(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.cli.db import open_store
    from jixiao.cli.inputs import say_error
    from jixiao.files import os_reason
    from jixiao.storage import StoreError, evidence

    store = open_store(args, err)
    sf = store.find(args.form)
    bad = 0
    for path in args.files:
        try:
            if path.stat().st_size > evidence.MAX_BYTES:  # said before reading a huge file into memory
                raise StoreError(f"有 {path.stat().st_size:,} 字节，超过上限 {evidence.MAX_BYTES:,} 字节（10 MB）")
            done = evidence.add(store, sf.id, path.name, path.read_bytes(), args.indicator)
        except OSError as exc:
            bad += 1
            say_error(err, f"{path}：无法读取（{os_reason(exc)}）；未附上")
            continue
        except StoreError as exc:
            bad += 1
            say_error(err, f"{path}：{exc}")
            continue
        out.print(
            Text(
                f"已附上「{line(done.name)}」（{done.size:,} 字节，SHA-256 {done.sha256[:16]}…）到「{line(sf.key)}」。"
            )
        )
    return EXIT_INVALID if bad else EXIT_OK


def cmd_list(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.checks.evidence_checks import evidence_findings
    from jixiao.cli.check_report import findings_table
    from jixiao.cli.db import open_store
    from jixiao.storage import evidence

    store = open_store(args, err)
    sf = store.find(args.form)
    found = evidence.for_form(store, sf.id)
    result = store.score(sf.form)
    rows = {r.indicator.uid: r.indicator.name for r in result.indicators}
    title = Text(f"「{line(sf.key)}」的佐证材料（{len(found)} 份）")  # Text: a name is no markup
    t = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    t.add_column("文件", overflow="fold", ratio=2)
    t.add_column("所佐证", overflow="fold", ratio=2)
    for name in ("字节", "SHA-256", "附上人", "时间"):
        t.add_column(name, no_wrap=name != "附上人", justify="right" if name == "字节" else "left")
    for e in found:
        when = e.at.astimezone().strftime("%Y-%m-%d %H:%M") if e.at else ""
        t.add_row(
            Text(line(e.name)),
            Text(line(rows.get(e.indicator_uid, "本表"))),
            f"{e.size:,}",
            e.sha256[:16] + "…",
            Text(line(e.actor)),
            when,
        )
    out.print(t)
    missing = evidence_findings(result, [(e.indicator_uid, e.name) for e in found])
    if missing:
        out.print(findings_table(missing, "", out.width))
    return EXIT_OK
