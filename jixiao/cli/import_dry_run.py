"""``jixiao import --dry-run``: what each file would give, and how each spreadsheet column was taken;
nothing is written, the database is not opened."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from jixiao.safe_text import display, line

if TYPE_CHECKING:
    from jixiao.file_import import FileRead
    from scorer.model import Form


def dry_run(files: list[Path], out: Console, err: Console, rules: str = "") -> int:
    """Exit 1 when a file cannot be read (each named); 0 when all would import."""
    bad = 0
    for path in files:
        read = _import_check(path, rules)  # read once, checked as `jixiao import` checks it
        refused, lines = read.error, []
        if not refused:
            forms = [form for _, form in read.forms]
            try:
                lines = _xlsx(path, forms) if path.suffix.lower() == ".xlsx" else _form_file(forms)
            except Exception as exc:  # the column report re-opens the workbook: a JixiaoError naming it
                from scorer.errors import JixiaoError

                if not isinstance(exc, JixiaoError):
                    raise
                refused = str(exc)
        if refused:
            bad += 1
            err.print(Text.assemble(("错误：", "bold red"), display(refused)), soft_wrap=True)
            continue
        out.print(Text(line(str(path)), style="bold"))
        for text in lines:
            out.print(Text(f"  {display(text)}"), soft_wrap=True)
    out.print(f"试导入：{len(files) - bad} 个文件可导入" + (f"，{bad} 个不能" if bad else "") + "；未写入任何内容。")
    return 1 if bad else 0


def _import_check(path: Path, rules: str = "") -> FileRead:
    """The file read as `jixiao import` reads it: its forms, or why the import would refuse it
    (the same storage checks and scoring)."""
    from jixiao.file_import import read_and_check
    from jixiao.scoring import BUILTIN

    return read_and_check(BUILTIN, path, rules)


def _form_file(forms: list[Form]) -> list[str]:
    return [
        f"表单文件：{f.year}/{f.implementing_unit}/{f.project_name}，{len(f.scored_indicators)} 项指标" for f in forms
    ]


def _xlsx(path: Path, forms: list[Form]) -> list[str]:
    import warnings

    from openpyxl import load_workbook

    from jixiao.sheet_update import KEPT
    from jixiao.xlsx.flat import FIELDS, detect
    from scorer.rules import rules_name_for

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = load_workbook(path, read_only=True, data_only=True)
    try:
        for ws in wb.worksheets:
            found = detect(ws)
            if found is None:
                continue
            out.append(
                f"工作表「{ws.title}」按「{found.profile.title}」（{found.profile.name}）读取，表头在第 {found.header_row} 行："
            )
            for letter, head, field in found.columns:
                out.append(f"  {letter} 列「{head}」→ {FIELDS[field] if field else '未读入（不是本画像的栏目）'}")
            out.append(f"  数据库中已有的同一表单只更新以上读入的栏目；{KEPT}等表中没有的保持不变")
            out.append(f"  数据库中没有的表单按本表新建：{KEPT}未能导入，总分与等级按下列规则集重新计算")
    finally:
        wb.close()
    if not out:
        out.append("按 jixiao 自评表版式读取（每张工作表一份表单）")
    sheet = len(out) > 1
    out += [
        f"{f.year}/{f.implementing_unit}/{f.project_name}：{len(f.scored_indicators)} 项指标"
        + (f"，新建时按规则集 {rules_name_for(f)} 评分" if sheet else "")
        for f in forms
    ]
    return out
