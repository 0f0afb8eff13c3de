"""A backup's rows held to what jixiao itself stores, before a restore writes any of them.

A backup is a file: anyone who can edit it can recompute its checksum (only ``--key`` proves who made
it). SQLite has no CHECK constraints, so a restored row with a status jixiao does not know, a number
out of a form's range or a text it would never store went into the database as written, and every
``list`` and ``review`` then stopped on it with an internal error. Each row of a form is now read as
jixiao reads what it stores, and the first that breaks a rule is named before anything is written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jixiao.safe_text import display
from jixiao.storage.backup_file import BackupError
from jixiao.storage.labels import column_label
from jixiao.storage.validate import stored_row_problems
from jixiao.workflow import Stage, State
from scorer.model import Direction, FormKind

#: the columns whose text names one of a few values
CHOICES: dict[tuple[str, str], frozenset[str]] = {
    ("forms", "status"): frozenset(s.value for s in State),
    ("forms", "stage"): frozenset(s.value for s in Stage),
    ("forms", "form_kind"): frozenset(k.value for k in FormKind),
    ("indicators", "direction"): frozenset(("", *Direction)),
}
FLAGS = {("forms", "scores_trusted"), ("indicators", "sub")}
LISTS = {("forms", "ticks_category"), ("forms", "ticks_attribute"), ("forms", "ticks_project_type")}


def row_problem(table: str, raw: dict[str, Any], decoders: dict[str, Any]) -> str:
    """The first rule this row of ``forms``, ``goals`` or ``indicators`` breaks, in Chinese ("" if none)."""
    if table not in ("forms", "goals", "indicators"):
        return ""
    try:
        values = {k: None if v is None else decoders[k](v) for k, v in raw.items()}
    except (KeyError, ValueError, TypeError, ArithmeticError):
        return "有无法读取的值"
    for (t, col), allowed in CHOICES.items():
        value = values.get(col)
        if t == table and value is not None and value not in allowed:
            return (
                f"「{column_label(col)}」的值「{display(str(value), single_line=True, limit=40)}」不是 jixiao 认识的值"
            )
    for t, col in FLAGS | LISTS:
        value = values.get(col)
        if t != table or value is None:
            continue
        if (t, col) in FLAGS and not isinstance(value, bool):
            return f"「{column_label(col)}」应为 true 或 false"
        if (t, col) in LISTS and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return f"「{column_label(col)}」应为文字的列表"
    entered = {k: v for k, v in values.items() if not k.startswith(("computed_", "agg_"))}  # recomputed after
    problems = stored_row_problems(table, entered)
    return problems[0] if problems else ""


def form_label(row: dict[str, Any]) -> str:
    return f"{row.get('year')}/{row.get('implementing_unit')}/{row.get('project_name')}"


def refused(path: Path, table: str, row: dict[str, Any], forms: dict[Any, str], problem: str) -> BackupError:
    """The restore's refusal of a row, naming the file, the form, the row and the rule."""
    form = form_label(row) if table == "forms" else forms.get(row.get("form_id"), "?")
    what = f"指标「{row.get('name')}」的" if table == "indicators" else "绩效目标的" if table == "goals" else ""
    return BackupError(
        f"{path}：表单「{display(form, single_line=True, limit=200)}」"
        f"{display(what, single_line=True, limit=100)}{problem}。jixiao 不会存入这样的值（它是在 jixiao 之外写入的），"
        "这份备份无法恢复；未写入任何数据"
    )
