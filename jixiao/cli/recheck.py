"""``jixiao recheck``: a reviewer's 复核 score per indicator, and the three scores side by side.

``recheck FORM INDICATOR --score X -m 意见`` writes a 复核 (a submitted form; on PostgreSQL only
a reviewer of the form's department may); ``recheck FORM`` lists each indicator's rule score,
the unit's own score and the latest 复核 with its opinion and reviewer.
"""

from __future__ import annotations

import argparse
from decimal import Decimal, InvalidOperation
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

EXIT_OK, EXIT_INVALID = 0, 1


def _score(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"应为数字：{text}") from None
    if not value.is_finite():
        raise argparse.ArgumentTypeError(f"应为数字：{text}")
    return value


def add_commands(sub: argparse._SubParsersAction, parser_class: type) -> None:
    r = sub.add_parser(
        "recheck",
        help="复核：审核人为已提交表单的指标打复核分；不带指标时列出规则得分、自评得分与复核得分",
        description="复核：审核人为已提交（已通过、已签名）表单的某项指标写入复核得分和复核意见，每次都新增一条，"
        "以最新的为准。不给指标时，逐项列出规则得分、单位自评得分和复核得分。",
    )
    r.add_argument("form", metavar="FORM", help="表单：编号、项目名称或 年度/实施单位/项目名称")
    r.add_argument("indicator", nargs="?", metavar="INDICATOR", help="三级指标名称（或指标标识）")
    r.add_argument("--score", type=_score, metavar="X", help="复核得分（0 到该指标分值）")
    r.add_argument("-m", "--opinion", default="", metavar="意见", help="复核意见（必填）")
    r.set_defaults(func=cmd_recheck)


def cmd_recheck(args: argparse.Namespace, out: Console, err: Console) -> int:
    from jixiao.cli.db import open_store
    from jixiao.cli.inputs import say_error
    from jixiao.safe_text import line
    from jixiao.storage import rechecks

    if (args.indicator is None) != (args.score is None):
        say_error(err, "写入复核须同时给出指标和 --score；只列出时两者都不要给")
        return 2
    store = open_store(args, err)
    sf = store.find(args.form)
    if args.indicator is not None:
        done = rechecks.record(store, sf.id, args.indicator, args.score, args.opinion)
        said = (
            f"已记录复核：{line(sf.key)} 指标「{line(done.indicator)}」复核得分 {done.score}（{line(done.reviewer)}）。"
        )
        out.print(Text(said))
    out.print(_table(sf, store.score(sf.form), rechecks.latest(store, sf.id)))
    return EXIT_OK


def recheck_cell(score: Decimal | None, weight: Decimal | None) -> Text:
    """A 复核 score; one above the row's weight (written past jixiao, e.g. with psql) says so in red."""
    from scorer import numbers as fmt

    if score is None:
        return Text("—", style="dim")
    if weight is not None and score > weight:
        return Text(f"{fmt.score(score)}（超过分值）", style="bold red")
    return Text(fmt.score(score), style="bold")


def _table(sf: Any, result: Any, latest: dict[str, Any]) -> Table:
    from jixiao.rechecked import GONE, unmatched
    from jixiao.safe_text import line
    from scorer import numbers as fmt

    # every text from the database as Text: a name or opinion is neither markup nor terminal control
    title = Text(f"规则、自评与复核得分（{sf.status.label}）：{line(sf.key)}")
    t = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
    t.add_column("指标", overflow="fold", ratio=3)
    for name in ("分值", "规则", "自评", "复核"):
        t.add_column(name, justify="right", no_wrap=True)
    t.add_column("复核意见", overflow="fold", ratio=3)
    for r in result.indicators:
        if r.weight_source == "children":
            continue
        rc = latest.get(r.indicator.uid)
        recorded = r.indicator.recorded.score if r.indicator.recorded else None
        t.add_row(
            Text(line(r.indicator.shown_name)),
            fmt.weight(r.weight),
            fmt.score(r.score, "待判断"),
            fmt.score(recorded, "—"),
            recheck_cell(rc.score if rc else None, r.weight),
            Text(f"{line(rc.opinion)}（{line(rc.reviewer)}）" if rc else ""),
        )
    for rc in unmatched((r.indicator.uid for r in result.indicators), latest):
        opinion = Text(f"{line(rc.opinion)}（{line(rc.reviewer)}）")
        t.add_row(Text(line(rc.indicator) + GONE), "—", "—", "—", recheck_cell(rc.score, None), opinion)
    return t
