"""`jixiao db export --profile`: the self-evaluations as one sheet of a spreadsheet profile (the platform's)."""

from __future__ import annotations

import argparse
from typing import Any

from rich.console import Console
from rich.text import Text

from jixiao.files import atomic_write, os_reason, safe_name
from jixiao.safe_text import line
from jixiao.workflow import Stage

EXIT_OK, EXIT_INVALID = 0, 1


def export_profile(args: argparse.Namespace, stored: list[Any], out: Console, err: Console) -> int:
    """All the self-evaluations as one sheet in a spreadsheet profile, the way the platform takes them
    back; a 申报表 is left out and said (in the 自评 sheet it came back as a self-evaluation), and so is
    a form with sub-rows (子项), each named, exit 1: the sheet would count its parents' points twice."""
    from jixiao.xlsx.flat import SUB_ROWS_WHY, has_sub_rows, profiles, write_flat

    plans = [sf for sf in stored if sf.stage is Stage.DECLARATION]
    if plans:
        err.print(Text(f"{len(plans)} 份绩效目标申报表未导出（平台表只收自评表）：{line(plans[0].key)}"))
    forms = [sf.form for sf in stored if sf.stage is not Stage.DECLARATION]
    families = [sf for sf in stored if sf.stage is not Stage.DECLARATION and has_sub_rows(sf.form)]
    if families:  # each named: a platform sheet with them would count their parents' points twice
        err.print(Text(f"错误：{len(families)} 份表单{SUB_ROWS_WHY}，未写入平台表：", style="red"), soft_wrap=True)
        for sf in families:
            err.print(Text(f"  [{sf.id}] {line(sf.key)}"), soft_wrap=True)
        err.print("这些表单可用 --format xlsx（或 toml、json）导出，子项照原样保留。", soft_wrap=True)
        forms = [f for f in forms if not has_sub_rows(f)]
    if not forms:
        return EXIT_INVALID

    chosen = next((p for p in profiles() if p.name == args.profile), None)
    if chosen is None:
        err.print(Text(f"错误：未知的表格画像「{line(args.profile)}」；可用：{'、'.join(p.name for p in profiles())}"))
        return EXIT_INVALID
    path = args.output / f"{safe_name(chosen.name)}.xlsx"
    try:
        args.output.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda tmp: write_flat(forms, chosen).save(tmp))
    except OSError as exc:
        err.print(Text(f"错误：{line(str(path))}：无法写出（{os_reason(exc)}）"))
        return EXIT_INVALID
    rows = sum(len(f.indicators) for f in forms)
    out.print(Text(f"已按「{chosen.title}」导出 {len(forms)} 份表单、{rows} 行到 {line(str(path))}。"), soft_wrap=True)
    if families:
        out.print(Text(f"另有 {len(families)} 份含子项的表单未导出（见上）。", style="red"))
    return EXIT_INVALID if families else EXIT_OK
