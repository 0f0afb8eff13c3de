"""The database's own change log (``row_changes``, PostgreSQL triggers) as history entries.

The application writes a readable entry for every change it makes; a change
made around it (psql, another tool) has no such entry in its transaction and is
shown from the database's log, with the login that made it. So is a change that the
entries of its transaction do not describe (``rowlog_cover``): entries are the client's
words, and one of a filler's own wording hid the change beside it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from jixiao.formdiff import DIRECTION_ZH
from jixiao.storage.labels import TABLE_LABELS, column_label
from jixiao.storage.rowlog_cover import Said, described, move_described, moves, net, row_described
from jixiao.workflow import Stage, State
from scorer.model import FormKind

# columns the database derives or the workflow keeps: not shown as edits
_QUIET = {
    "id",
    "form_id",
    "version",
    "updated_at",
    "updated_by",
    "scores_trusted",
    "uid",
    "computed_rules",
    "computed_total",
    "computed_grade",
    "computed_rate",
    "computed_pending",
    "computed_problems",
    "computed_status",
    "computed_score",
}
#: a row's place: moved by an UPDATE it is always shown, whatever the entries of its transaction say
_PLACE = frozenset(("position", "goal_id"))
#: the tables whose changes the history shows
TABLES = {t: TABLE_LABELS[t] for t in ("forms", "goals", "indicators", "evidence")}


def _text(key: str, value: Any) -> str | None:
    """A logged value as a person reads it: a state, stage, kind or direction by its Chinese name, a
    number with its stored digits (``rowlog_cover.shown`` is the other reading: values as jixiao's own
    entries write them, numbers by value, to compare with those entries)."""
    if value is None:
        return None
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:f}"  # as stored, every digit (the log is read with Decimal numbers)
    named = _VALUE_NAMES.get(key, {}).get(str(value))
    if named is not None:
        return named
    return value if isinstance(value, str) else str(value)


_VALUE_NAMES: dict[str, dict[str, str]] = {
    "status": {s.value: s.label for s in State},
    "stage": {s.value: s.label for s in Stage},
    "form_kind": {FormKind.PROJECT.value: "项目支出", FormKind.DEPARTMENT.value: "部门整体支出"},
    "direction": {str(k): v for k, v in DIRECTION_ZH.items()},
}


Entry = tuple[datetime, str, str, str, str | None, str | None]


def entries(changes: Iterable[Any], said: dict[int, list[Said]]) -> list[Entry]:
    """(at, db_user, field, label, before, after) for the changes no application entry describes.

    ``said``: the application entries of each transaction that has any, by transaction id."""
    by_tx: dict[Any, list[Any]] = {}
    for c in changes:  # in the log's order; two transactions at once may interleave
        by_tx.setdefault(c.txid, []).append(c)
    out: list[Entry] = []
    for txid, of_tx in by_tx.items():
        if txid in said:
            out.extend(_undescribed(of_tx, said[txid]))
        else:
            for c in of_tx:
                out.extend(_direct(c))
    return out


def _row_entry(c: Any, row: dict[str, Any], added: bool) -> Entry:
    what = row.get("name") or row.get("project_name") or row.get("text") or ""
    verb = "新增" if added else "删除"
    label = f"{verb}{TABLES.get(c.table_name, c.table_name)}"
    return (c.at, c.db_user, c.table_name, label, None if added else what, what if added else None)


def _column_entry(c: Any, key: str, before: Any, after: Any) -> Entry | None:
    if key.startswith("agg_") or key in _QUIET:
        return None
    label = f"{TABLES.get(c.table_name, c.table_name)}·{column_label(key)}"
    return (c.at, c.db_user, f"{c.table_name}.{key}", label, _text(key, before), _text(key, after))


def _direct(c: Any) -> list[Entry]:
    if c.op != "UPDATE":
        return [_row_entry(c, (c.after if c.op == "INSERT" else c.before) or {}, c.op == "INSERT")]
    found = (_column_entry(c, key, (c.before or {}).get(key), c.after[key]) for key in sorted((c.after or {}).keys()))
    return [e for e in found if e is not None]


def _undescribed(changes: list[Any], entries: list[Said]) -> list[Entry]:
    """A transaction's changes that its entries do not describe (a form created or deleted is its entry)."""
    if any(c.table_name == "forms" and c.op != "UPDATE" for c in changes):
        return []
    out: list[Entry] = []
    for c, key, row, before, after in net(changes):
        if not key:
            if not row_described(c.table_name, row, after is not None, entries):
                out.append(_row_entry(c, row, after is not None))
            continue
        shown = _column_entry(c, key, before, after)
        if shown is None:
            continue
        # jixiao's saves write a row's place by deleting and inserting it: moved in place, it was not jixiao
        if (c.op == "UPDATE" and key in _PLACE) or not described(c.table_name, key, row, before, after, entries):
            out.append(shown)
    for c, old, row, was, now in moves(changes):
        if not move_described(row, entries):
            label = f"移动指标「{row.get('name', '')}」"
            out.append((c.at, c.db_user, "indicators.position", label, _place(was, old), _place(now, row)))
    return out


def _place(place: tuple[int, int] | None, row: dict[str, Any]) -> str:
    """「目标 1 第 3 行」, as jixiao's own move entries say it."""
    if place is None:
        return f"目标（编号 {row.get('goal_id')}）"
    return f"目标 {place[0] + 1} 第 {place[1] + 1} 行"
