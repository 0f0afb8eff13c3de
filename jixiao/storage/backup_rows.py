"""A backup's rows held to what jixiao itself stores, before a restore writes any of them.

A backup is a file: anyone who can edit it can recompute its checksum (only ``--key`` proves who made
it). SQLite has no CHECK constraints, so a restored row with a status jixiao does not know, a number
out of a form's range or a text it would never store went into the database as written, and every
``list`` and ``review`` then stopped on it with an internal error. Each row of a form is now read as
jixiao reads what it stores, and the first that breaks a rule is named before anything is written.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
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


def evidence_problem(path: Path, row: dict[str, Any], forms: dict[Any, str]) -> None:
    """BackupError naming the form and the file when an evidence name or media type breaks today's
    rule (a name stored before the rule was tightened, a type written past jixiao): said before
    anything is written, where the database would refuse the row in English, and a brand-new
    database would already have its schema."""
    from jixiao.safe_text import display, well_formed_media_type
    from jixiao.storage.evidence import name_problem, shown_name

    name = row.get("name")
    problem = name_problem(name) if isinstance(name, str) else "不是文字"
    form = display(forms.get(row.get("form_id"), "?"), single_line=True, limit=200)
    if problem:
        raise BackupError(
            f"{path}：表单「{form}」（编号 {row.get('form_id')}）的佐证材料文件名「{shown_name(str(name))}」"
            f"{problem}。本版本的 jixiao 和数据库都拒绝这样的文件名（它是在规则收紧之前存入的），"
            "这份备份无法恢复；未写入任何数据"
        )
    kind = row.get("media_type")
    if not well_formed_media_type(kind):  # migration 0035: it goes into the signed PDF
        raise BackupError(
            f"{path}：表单「{form}」（编号 {row.get('form_id')}）的佐证材料「{shown_name(str(name))}」的文件类型"
            f"「{display(str(kind), single_line=True, limit=100)}」不是小写的 MIME 类型（如 application/pdf）。"
            "本版本的 jixiao 拒绝这样的文件类型（它是在 jixiao 之外写入的），这份备份无法恢复；未写入任何数据"
        )


def decimal(v: Any) -> Decimal | None:
    try:
        return None if v is None else Decimal(str(v))
    except InvalidOperation:
        return Decimal("NaN")


def recheck_problems(path: Path, scores: list[dict[str, Any]], ceilings: dict[Any, Any], forms: dict[Any, str]) -> None:
    """BackupError naming the form, the row and the score when a 复核 breaks migration 0018's rule (one
    stored before it): said before anything is written, where the database would refuse it in English."""
    from jixiao.safe_text import display
    from jixiao.storage.rechecks import stored_problem

    for row in scores:
        problem = stored_problem(
            decimal(row.get("score")), ceilings.get((row.get("form_id"), row.get("indicator_uid")))
        )
        if problem:
            form = display(forms.get(row.get("form_id"), "?"), single_line=True, limit=200)
            name = display(str(row.get("indicator")), single_line=True, limit=100)
            raise BackupError(
                f"{path}：表单「{form}」（编号 {row.get('form_id')}）指标「{name}」的{problem}。本版本的数据库拒绝这样的复核"
                "（它是在规则收紧之前存入的），这份备份无法恢复；未写入任何数据"
            )
