"""``jixiao import --dry-run``: what each file would give, and how each spreadsheet column was taken;
nothing is written, the database is not opened."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.text import Text

from jixiao.safe_text import display, line


def dry_run(files: list[Path], out: Console, err: Console) -> int:
    """Exit 1 when a file cannot be read (each named); 0 when all would import."""
    bad = 0
    for path in files:
        try:
            lines = _xlsx(path) if path.suffix.lower() == ".xlsx" else _form_file(path)
            refused = _import_check(path)
        except Exception as exc:  # every reader raises a JixiaoError naming the file and cell
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


def _import_check(path: Path) -> str:
    """Why `jixiao import` would refuse the file ("" if it would not): the same storage checks and scoring."""
    from jixiao.file_import import read_and_check
    from jixiao.scoring import BUILTIN

    return read_and_check(BUILTIN, path).error


def _form_file(path: Path) -> list[str]:
    from scorer.formfile import load_form

    form = load_form(path)
    return [f"表单文件：{form.year}/{form.implementing_unit}/{form.project_name}，{len(form.indicators)} 项指标"]


def _xlsx(path: Path) -> list[str]:
    import warnings

    from openpyxl import load_workbook

    from jixiao.xlsx import read_workbook
    from jixiao.xlsx.flat import FIELDS, detect

    forms = read_workbook(path)  # raises XlsxError naming file, sheet and cell
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
    finally:
        wb.close()
    if not out:
        out.append("按 jixiao 自评表版式读取（每张工作表一份表单）")
    out += [f"{f.year}/{f.implementing_unit}/{f.project_name}：{len(f.indicators)} 项指标" for f in forms]
    return out
