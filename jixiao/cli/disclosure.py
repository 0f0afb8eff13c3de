"""``jixiao import-disclosure``: self-evaluation forms from a published final-accounts document."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.text import Text

EXIT_OK, EXIT_INVALID = 0, 1


def add_commands(sub: argparse._SubParsersAction, parser_class: type) -> None:
    p = sub.add_parser(
        "import-disclosure",
        help="从公开的部门决算文档（PDF / HTML / Word .docx / 文本 / xlsx）中读出自评表",
        description=(
            "找出文档中的每一张项目支出 / 部门整体支出绩效自评表，逐表报告读出的行、推测归位的行（附推测）、"
            "未能归位的行和表外未读入的行（附原文）以及空缺的字段。不加 -o 或 --to-db 时只打印报告。"
            "有未能归位或未读入的行、或没有找到表时退出码为 1。"
        ),
    )
    p.add_argument("file", type=Path, metavar="FILE", help="文档文件（.pdf、.html、.docx、.txt 或 .xlsx）")
    where = p.add_mutually_exclusive_group()
    where.add_argument("-o", "--output", type=Path, metavar="DIR", help="把每张表写成 TOML 文件放到此目录")
    where.add_argument(
        "--to-db",
        action="store_true",
        help="导入数据库（全局选项 --db 指定哪个库）；有未能归位的行时不导入；不覆盖库中已有而内容不同的表单",
    )
    p.set_defaults(func=cmd_import_disclosure)
    c = sub.add_parser(
        "check-disclosure",
        help="核对公开文档中绩效自评情况说明的数字与自评表是否一致",
        description=(
            "读出文档中绩效自评情况说明所述的数字（项目个数与资金、部门整体支出自评资金、各项目的预算数、执行数和"
            "完成率），与自评表逐一核对：表取自同一文档，或用 --forms 指定。有不一致时退出码为 1；"
            "没有读出说明中的任何数字（未核对任何内容）时退出码也为 1。"
        ),
    )
    c.add_argument("file", type=Path, metavar="FILE", help="文档文件（.pdf、.html、.docx 或 .txt）")
    c.add_argument(
        "--forms", nargs="+", type=Path, default=[], metavar="PATH", help="自评表文件或目录（默认取文档中的表）"
    )
    c.add_argument("--json", action="store_true", help="以 JSON 输出")
    c.set_defaults(func=cmd_check_disclosure)


def cmd_check_disclosure(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.checks.narrative_checks import check_narrative, claims
    from jixiao.cli.check_report import finding_json, findings_table
    from jixiao.disclosure import read_disclosure
    from jixiao.disclosure.documents import DocumentError
    from jixiao.disclosure.files import document_text
    from scorer.result import Severity

    path: Path = args.file
    if not path.is_file():
        err.print(
            Text.assemble(("错误：", "bold red"), f"{path}：{'是目录，不是文件' if path.is_dir() else '文件不存在'}")
        )
        return EXIT_INVALID
    try:
        text = document_text(path)
    except DocumentError as exc:
        err.print(Text.assemble(("错误：", "bold red"), f"{path}：{exc}"), soft_wrap=True)
        return EXIT_INVALID
    if args.forms:
        from jixiao.cli.targets import load_forms

        loaded, bad = load_forms(list(args.forms), err)
        forms = [f for _, f in loaded]
    else:
        forms, bad = [f.form for f in read_disclosure(path).forms], 0
    found = check_narrative(text, forms)
    if args.json:
        from jixiao import jsonout

        doc = {"source": str(path), "forms": len(forms), "findings": [finding_json(f) for f in found]}
        out.file.write(jsonout.dumps(doc) + "\n")
    else:
        out.print(f"{path}：核对绩效自评情况说明与 {len(forms)} 张自评表", highlight=False)
        out.print(
            findings_table(found, "绩效自评情况说明", out.width)
            if found
            else Text("说明中的数字与表一致。", style="green")
        )
    errors = sum(1 for f in found if f.severity is Severity.ERROR)
    if not claims(text):  # nothing was compared: a script must not read this as 一致
        err.print(Text.assemble(("未核对：", "bold red"), f"{path} 中没有读出绩效自评情况说明的任何数字"))
        return EXIT_INVALID
    return EXIT_INVALID if errors or bad else EXIT_OK


def cmd_import_disclosure(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.disclosure import read_disclosure, render

    path: Path = args.file
    if not path.is_file():
        why = "是目录，不是文件" if path.is_dir() else "文件不存在"
        err.print(Text.assemble(("错误：", "bold red"), f"{path}：{why}"))
        return EXIT_INVALID
    result = read_disclosure(path)
    if result.errors:
        for msg in result.errors:
            err.print(Text.assemble(("错误：", "bold red"), f"{path}：{msg}"), soft_wrap=True)
        for msg in result.notes:
            err.print(f"  · {msg}", soft_wrap=True, highlight=False)
        return EXIT_INVALID
    for line in render(result):
        out.print(escape(line), soft_wrap=True, highlight=False)
    unnamed = [i for i, f in enumerate(result.forms, 1) if not f.form.project_name.strip()]
    for i in unnamed:
        err.print(Text.assemble(("错误：", "bold red"), f"第 {i} 张表没有读出项目名称，不能保存"))
    unplaced = result.unplaced  # rows in a form not placed, and form rows outside every form
    if args.output is not None:
        _write(args.output, result, unnamed, out)
    elif args.to_db:
        if unplaced or unnamed:
            err.print(
                Text.assemble(
                    ("未导入：", "bold red"),
                    f"有 {unplaced} 行未能归位" if unplaced else "有表没有项目名称",
                    "；请先用 -o 写出 TOML、核对补全后再用 jixiao import 导入。",
                )
            )
            return EXIT_INVALID
        failed = _to_db(args, result, out, err)
        if failed:
            return EXIT_INVALID
    if unplaced:
        out.print(f"共有 {unplaced} 行未能归位（见上）。", highlight=False)
    return EXIT_INVALID if unplaced or unnamed or not result.forms else EXIT_OK


def _write(directory: Path, result, unnamed: list[int], out: Console) -> None:
    from jixiao.disclosure.text import shown
    from jixiao.files import atomic_write, form_stem
    from scorer.formfile import dumps_toml

    used: set[str] = set()
    written = 0
    for i, (form, rep) in enumerate(result.forms, 1):
        if i in unnamed:
            continue
        stem = form_stem(form)
        name, k = stem, 2
        while name in used:
            name, k = f"{stem}-{k}", k + 1
        used.add(name)
        comment = [
            f"{form.title or '（无表题）'}（{form.project_name}）",
            f"由 jixiao import-disclosure 读自 {result.source} 第 {rep.first_line}–{rep.last_line} 行。",
        ]
        for u in rep.unassigned:
            comment.append(f"未能归位：第 {u.line_no} 行：{u.reason}：{shown(u.raw_text)}")
        comment.extend(f"空缺：{f}" for f in rep.empty_fields)
        comment.extend(f"说明：{n}" for n in rep.notes)
        data = dumps_toml(form, comment="\n".join(comment)).encode("utf-8")
        atomic_write(directory / f"{name}.toml", data)
        written += 1
    out.print(f"已写出 {written} 个 TOML 文件到 {escape(str(directory))}/。", highlight=False)


KEEPS_STORED = (
    "数据库中已有这份表单，内容与公开文档读出的不同；从公开文档读出的表单不覆盖已有表单"
    "（文档没有规则集、勾选项等，读出的数字也须核对）。请用 jixiao check-disclosure 核对，"
    "或用 -o 写出 TOML、核对后再用 jixiao import 更新"
)


def _to_db(args: argparse.Namespace, result, out: Console, err: Console) -> int:
    from jixiao.cli.db import open_store
    from jixiao.storage import DatabaseError, StoreError

    known: tuple[type[Exception], ...] = (DatabaseError, StoreError)
    try:
        store = open_store(args, err)
        outcomes = store.import_forms(
            [(f"{result.source}#{i}（{f.form.project_name}）", f.form) for i, f in enumerate(result.forms, 1)],
            no_update=KEEPS_STORED,
        )
    except known as exc:
        err.print(Text.assemble(("错误：", "bold red"), str(exc), "（没有写入任何表单）"), soft_wrap=True)
        return 1
    counts = {k: sum(1 for o in outcomes if o.outcome == k) for k in ("created", "updated", "unchanged")}
    out.print(
        f"导入数据库：新建 {counts['created']} 份，更新 {counts['updated']} 份，未变 {counts['unchanged']} 份。",
        highlight=False,
    )
    return 0
