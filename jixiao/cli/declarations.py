"""``jixiao targets declare / begin / show``: declarations stored, approved and locked (issue 19).

A declaration is stored as a form in the 目标申报 stage and goes through ``jixiao workflow`` like
any form; the approval locks its rows. ``targets begin`` turns the approved declaration into the
year's self-evaluation; ``targets show`` lists the rows as approved, beside the form's own.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from jixiao.safe_text import line

EXIT_OK, EXIT_INVALID = 0, 1


def add_commands(tsub: argparse._SubParsersAction) -> None:
    d = tsub.add_parser(
        "declare",
        help="把申报表存入数据库（目标申报阶段，草稿）；之后用 jixiao workflow 提交、审核",
        description="把绩效目标申报表存入数据库，作为目标申报阶段的草稿。审核通过时，数据库记下审核通过的指标行，"
        "此后开始的自评表中这些行的年初目标值、分值和层级名称都不能再改。",
    )
    d.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="申报表文件或目录")
    d.set_defaults(func=cmd_declare)
    b = tsub.add_parser(
        "begin",
        help="已审核的申报表开始年度自评（转为自评表草稿，年初目标值锁定）",
        description="把已审核的绩效目标申报表转为当年的自评表（草稿）。指标行不变，年初目标值锁定为审核通过的值。",
    )
    b.add_argument("form", metavar="FORM", help="表单编号、项目名称或 年度/实施单位/项目名称")
    b.add_argument("-m", "--comment", default="", metavar="说明", help="写入修改记录的说明")
    b.set_defaults(func=cmd_begin)
    s = tsub.add_parser("show", help="显示表单审核通过的绩效目标，与表中现值对照")
    s.add_argument("form", metavar="FORM", help="表单编号、项目名称或 年度/实施单位/项目名称")
    s.set_defaults(func=cmd_show)


def cmd_declare(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.cli.db import open_store, say_given_twice
    from jixiao.cli.inputs import say_error
    from jixiao.cli.targets import load_forms
    from jixiao.storage.records import StoreError
    from jixiao.workflow import Stage

    forms, bad = load_forms(list(args.paths), err)
    if not forms and not bad:
        say_error(err, "没有找到申报表文件（.toml / .json）")
        return EXIT_INVALID
    store = open_store(args, err)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    first: dict[str, Path] = {}
    for source, form in forms:  # each file whole or not at all
        try:
            (outcome,) = store.import_forms([(source, form)], action="declare", stage=Stage.DECLARATION)
            counts[outcome.outcome] += 1
            say_given_twice(err, Path(source), [outcome], first)
        except StoreError as exc:
            bad += 1
            say_error(err, f"{exc}（该文件未写入任何内容）")
    out.print(
        f"目标申报：新建 {counts['created']} 份，更新 {counts['updated']} 份，未变 {counts['unchanged']} 份"
        + (f"，失败 {bad} 个文件" if bad else "")
        + "。提交与审核：jixiao workflow submit / approve。"
    )
    return EXIT_INVALID if bad else EXIT_OK


def cmd_begin(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.cli.db import open_store
    from jixiao.storage import declarations

    store = open_store(args, err)
    sf = store.find(args.form)
    after = declarations.begin_evaluation(store, sf.id, args.comment)
    locked = declarations.approval(store, sf.id)
    rows = len(locked.rows) if locked else 0
    out.print(
        Text(
            f"表单「{line(after.key)}」：已审核的目标申报 → 自评（{after.status.label}），{rows} 项指标的年初目标值已锁定。"
        )
    )
    return EXIT_OK


def cmd_show(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.cli.db import open_store
    from jixiao.storage import declarations

    store = open_store(args, err)
    sf = store.find(args.form)
    found = declarations.approval(store, sf.id)
    head = f"表单「{line(sf.key)}」：{sf.stage.label}，{sf.status.label}"
    if found is None:
        out.print(Text(f"{head}；没有审核通过的绩效目标（目标未锁定）。"))
        return EXIT_OK
    when = found.at.astimezone().strftime("%Y-%m-%d %H:%M")
    out.print(Text(f"{head}；绩效目标由 {found.approver} 于 {when} 审核通过，{len(found.rows)} 项。"))
    out.print(_table(found, sf.form))
    return EXIT_OK


def _table(found: Any, form: Any) -> Table:
    from scorer import numbers as fmt

    t = Table(box=box.SIMPLE_HEAD, padding=(0, 1), pad_edge=False, collapse_padding=True)
    for name, justify in (("指标", "left"), ("审核目标值", "left"), ("分值", "right"), ("调整后目标值", "left")):
        t.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    rows = {i.uid: i for i in form.indicators}
    for a in found.rows:
        ind = rows.get(a.uid)
        adjusted = ind.adjusted_target if ind is not None else ""
        t.add_row(Text(line(a.label)), Text(line(a.target)), fmt.score(a.weight, "—"), Text(line(adjusted)))
    return t
