"""``jixiao review --sample N``: the 抽评 sample, drawn by risk, each form with why (jixiao.checks.sampling)."""

from __future__ import annotations

import argparse
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

EXIT_OK, EXIT_INVALID = 0, 1


def cmd_sample(args: argparse.Namespace, store: Any, filters: Any, out: Console, err: Console) -> int:
    from jixiao.checks import run_all
    from jixiao.checks.sampling import draw
    from jixiao.cli.review import load_records

    records, skipped = load_records(store, filters, args.portfolio_limit, err)
    if skipped:
        err.print(Text(f"错误：{skipped}", style="bold red"), soft_wrap=True)
        return EXIT_INVALID
    findings = run_all(records)
    # the year before and the declarations (plans) only gave their context
    records = [r for r in records if not r.declaration and (filters.year is None or r.year == filters.year)]
    drawn = draw(records, findings, args.sample, args.seed)
    if args.json:
        from jixiao import jsonout

        doc = {
            "seed": args.seed,
            "population": len(records),
            "sample": [{"form": d.key, "name": d.label, "risk": d.risk, "reasons": list(d.reasons)} for d in drawn],
        }
        out.file.write(jsonout.dumps(doc) + "\n")
        return EXIT_OK
    if not drawn:
        out.print("没有符合条件的表单。")
        return EXIT_OK
    t = Table(
        title=f"抽评样本：从 {len(records)} 份中按风险抽取 {len(drawn)} 份（种子 {args.seed}，同样条件可复现）",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
    )
    t.add_column("序", justify="right", no_wrap=True)
    t.add_column("表单", overflow="fold", ratio=2)
    t.add_column("风险分", justify="right", no_wrap=True)
    t.add_column("抽取理由", overflow="fold", ratio=3)
    for i, d in enumerate(drawn, start=1):
        why = "\n".join(d.reasons) if d.reasons else "无风险发现：随机抽取"
        t.add_row(str(i), f"{d.label}\n{d.key}", str(d.risk), why)
    out.print(t)
    return EXIT_OK
