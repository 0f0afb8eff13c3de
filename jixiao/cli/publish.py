"""``jixiao publish``: a department's self-evaluation part of the 决算公开, from its forms."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from jixiao.cli.zh import year_value

EXIT_OK, EXIT_INVALID = 0, 1


def add_commands(sub: argparse._SubParsersAction, parser_class: type) -> None:
    p = sub.add_parser(
        "publish",
        help="生成决算公开的绩效自评部分：全部自评表（PDF）与绩效自评情况说明（可编辑文本）",
        description=(
            "取一个部门一个年度的全部自评表（部门整体支出表在前，项目表在后），按公开文本的版式写成 PDF，"
            "并由表中数据起草绩效自评情况说明，随即核对说明中的数字与表一致。表取自数据库（jixiao --db），"
            "或用 --forms 指定文件。"
        ),
    )
    p.add_argument("--department", required=True, metavar="主管部门", help="主管部门名称（可写其中一段）")
    p.add_argument("--year", required=True, type=year_value, metavar="年度", help="年度")
    p.add_argument("-o", "--output", required=True, type=Path, metavar="DIR", help="输出目录")
    p.add_argument("--forms", nargs="+", type=Path, default=[], metavar="PATH", help="自评表文件或目录（默认取数据库）")
    p.set_defaults(func=cmd_publish)


def _forms(args: argparse.Namespace, err: Console) -> tuple[list[Any], int]:
    """The department's self-evaluations of the year, from files or the database."""
    if args.forms:
        from jixiao.cli.targets import load_forms

        loaded, bad = load_forms(list(args.forms), err)
        return [f for _, f in loaded if f.year == args.year and args.department in f.department], bad
    from jixiao.cli.db import open_store
    from jixiao.workflow import Stage

    store = open_store(args, err)
    rows = store.list(year=args.year, department=args.department, stage=Stage.EVALUATION)
    return [sf.form for sf in store.get_many([r.id for r in rows])], 0


def cmd_publish(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.checks.narrative_checks import check_narrative
    from jixiao.cli.check_report import findings_table
    from jixiao.cli.inputs import say_error
    from jixiao.files import atomic_write, os_reason, safe_name
    from jixiao.pdf.fonts import FontError
    from jixiao.publish.document import ruled_pdf
    from jixiao.publish.narrative import draft_narrative
    from jixiao.publish.part6 import ordered, part6_lines
    from jixiao.scoring import score_form

    forms, bad = _forms(args, err)
    if not forms:
        say_error(err, f"没有找到主管部门含「{args.department}」的 {args.year} 年度自评表；未写出任何文件")
        return EXIT_INVALID
    forms = ordered(forms)
    departments = {f.department for f in forms}
    if len(departments) > 1:
        say_error(err, f"「{args.department}」对应多个主管部门：{'、'.join(sorted(departments))}；请写全名")
        return EXIT_INVALID
    stem = safe_name(f"{args.year}-{departments.pop()}")
    text = draft_narrative([score_form(f) for f in forms], args.year)
    try:
        pdf = ruled_pdf(part6_lines(forms))
        args.output.mkdir(parents=True, exist_ok=True)
        atomic_write(args.output / f"{stem}-绩效自评表.pdf", pdf)
        atomic_write(args.output / f"{stem}-绩效自评情况说明.txt", text.encode("utf-8"))
    except FontError as exc:
        say_error(err, str(exc))
        return EXIT_INVALID
    except OSError as exc:
        say_error(err, f"{args.output}：无法写出（{os_reason(exc)}）")
        return EXIT_INVALID
    kinds = sum(1 for f in forms if f.form_kind.value == "department")
    out.print(
        Text(
            f"已写出 {args.output}/{stem}-绩效自评表.pdf（{len(forms)} 张表：部门整体 {kinds} 张，项目 {len(forms) - kinds} 张）"
            f"和 {stem}-绩效自评情况说明.txt（草稿，请编辑第四部分后用 jixiao check-disclosure 再核对）。"
        )
    )
    found = check_narrative(text, forms)
    out.print(
        findings_table(found, "绩效自评情况说明", out.width) if found else Text("说明中的数字与表一致。", style="green")
    )
    return EXIT_INVALID if bad or found else EXIT_OK
