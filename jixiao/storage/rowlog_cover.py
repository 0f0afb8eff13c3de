"""Which changes of a transaction its application entries describe, and which they leave out.

A transaction with an application entry (``audit_log``) is shown in the history by its entries. The
entries are the client's words: a filler with psql changed a target and wrote, beside it, an entry of
their own about another field, and the change of target was shown to no one. The database's own log
(``row_changes``) of such a transaction is therefore compared with its entries: a change is described
when an entry names the same field of the same row with the same values, as ``jixiao.formdiff`` writes
them; every other change is shown from the database's log. jixiao's own saves rewrite every row
(deleted and inserted again): a row deleted and inserted in one transaction is compared with itself,
and its new place with its old one as ``jixiao.formdiff`` compares them (``moves``): a row moved needs
its 移动指标 entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from jixiao.formdiff import (
    BUDGET_LABELS,
    DIRECTION_ZH,
    HEADER_LABELS,
    INDICATOR_LABELS,
    SIGNOFF_LABELS,
    kept_in_order,
)
from jixiao.workflow import Stage, State
from scorer.model import TICK_GROUP_LABELS

#: columns a save changes without saying so: a row's place, its goal's new id, the signature stamps
_UNSAID = {"position", "goal_id", "created_at", "signed_at", "signed_by", "signature_sha256", "signer_cert_sha256"}
_UNSAID |= {"stage", "data", "sha256", "size", "media_type", "actor", "at", "db_user", "indicator_uid"}
_SCORE_REASONS = {"recorded_reason", "budget_score_reason"}


@dataclass(frozen=True, slots=True)
class Said:
    """One application entry: what it names and the values it gives."""

    label: str
    before: str
    after: str
    reason: str


def said(label: str | None, before: str | None, after: str | None, reason: str | None) -> Said:
    return Said(label or "", _number(before or ""), _number(after or ""), reason or "")


def _number(text: str) -> str:
    """A value as text, numbers compared by value (10.00 is 10)."""
    try:
        d = Decimal(text.strip())
    except InvalidOperation:
        return text
    return f"{d.normalize():f}" if d.is_finite() else text


def shown(key: str, value: Any) -> str:
    """A logged value as jixiao's entries write it."""
    if value is None:
        return ""
    if key == "direction":
        return str(DIRECTION_ZH.get(value, value))
    if key == "sub":
        return "是" if value else "否"
    if key == "status" and value in {s.value for s in State}:
        return State(value).label
    if key == "stage" and value in {s.value for s in Stage}:
        return Stage(value).label
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return _number(str(value))


def _same(key: str, logged: Any, text: str) -> bool:
    """A logged value and an entry's text agree (the log's JSON numbers are read as floats)."""
    if isinstance(logged, float):
        try:
            return float(Decimal(text)) == logged
        except InvalidOperation:
            return False
    return shown(key, logged) == text


def _field_label(table: str, key: str, row: dict[str, Any]) -> str:
    """What an entry about this field says in its label (``jixiao.formdiff``)."""
    if table == "indicators":
        name = INDICATOR_LABELS.get(key) or {"name": "名称", "recorded_score": "自评得分"}.get(key, key)
        return f"「{row.get('name', '')}」{name}" if key != "name" else "名称"
    if table == "goals":
        return f"年度绩效目标 {int(row.get('position') or 0) + 1} " + ("内容" if key == "text" else "分值")
    if key.startswith("ticks_"):
        return TICK_GROUP_LABELS.get(key.removeprefix("ticks_"), key)
    if key.startswith("signoff_"):
        return SIGNOFF_LABELS.get(key.removeprefix("signoff_"), key)
    budget = {"budget_score": "预算执行自评得分"}.get(key) or BUDGET_LABELS.get(key.removeprefix("budget_"))
    return budget or HEADER_LABELS.get(key) or {"status": "状态", "stage": "阶段"}.get(key, key)


def described(table: str, key: str, row: dict[str, Any], before: Any, after: Any, entries: list[Said]) -> bool:
    """Whether an entry names this field of this row, from ``before`` to ``after``."""
    if key in _UNSAID:
        return True
    label = _field_label(table, key, row)
    if any(label in e.label and _same(key, before, e.before) and _same(key, after, e.after) for e in entries):
        return True
    if key not in _SCORE_REASONS:
        return False
    score = _field_label(table, "recorded_score" if table == "indicators" else "budget_score", row)
    return any(score in e.label and e.reason == (after or "") for e in entries)  # given with a new score


Logged = tuple[Any, dict[str, Any]]  # (change, the row it inserted or deleted)


def _identity(table: str, row: dict[str, Any]) -> Any:
    if table == "indicators":
        return (table, row.get("uid")) if row.get("uid") else None
    return (table, row.get("position") if table == "goals" else row.get("id"))


def _name(table: str, row: dict[str, Any]) -> Any:
    return (table, "name", row.get("name")) if table == "indicators" else None


def _pair(new: list[Logged], gone: list[Logged], key_of: Any) -> tuple[list[Logged], list[Logged], list[Any]]:
    """What is left of the inserted and the deleted rows, and (change, deleted, inserted) paired by ``key_of``."""
    waiting: dict[Any, list[Logged]] = {}
    for c, row in gone:
        waiting.setdefault(key_of(c.table_name, row), []).append((c, row))
    pairs, left = [], []
    for c, row in new:
        key = key_of(c.table_name, row)
        if key is not None and waiting.get(key):
            pairs.append((c, waiting[key].pop(0)[1], row))
        else:
            left.append((c, row))
    return left, [item for items in waiting.values() for item in items], pairs


def net(changes: Iterable[Any]) -> Iterator[tuple[Any, str, dict[str, Any], Any, Any]]:
    """(change, column, row, before, after) of one transaction; column "" for a row added or removed.

    A row deleted and inserted again is paired as ``jixiao.formdiff`` pairs rows: by identity (an
    indicator's uid, a goal's place), then an indicator by its name (a row read from a file has no uid)."""
    gone: list[Logged] = []
    new: list[Logged] = []
    for c in changes:
        if c.op == "UPDATE":
            for key in sorted((c.after or {}).keys()):
                yield c, key, {**(c.before or {}), **(c.after or {})}, (c.before or {}).get(key), c.after[key]
        else:
            (new if c.op == "INSERT" else gone).append((c, (c.after if c.op == "INSERT" else c.before) or {}))
    for key_of in (_identity, _name):
        new, gone, pairs = _pair(new, gone, key_of)
        for c, old, row in pairs:
            for key in sorted(set(old) | set(row)):
                if old.get(key) != row.get(key) and key not in {"id", "uid"}:
                    yield c, key, row, old.get(key), row.get(key)
    yield from ((c, "", row, None, row) for c, row in new)
    yield from ((c, "", row, row, None) for c, row in gone)


Place = tuple[int, int]  # (goal position, row position), as jixiao.formdiff numbers them from 0


def moves(changes: list[Any]) -> Iterator[tuple[Any, dict[str, Any], dict[str, Any], Place | None, Place | None]]:
    """(change, old row, new row, place before, place after) of every indicator deleted and inserted again in one
    transaction that ``jixiao.formdiff`` would call moved: into another goal, or out of the longest run
    of rows still in their old order. A place is None when its goal is not known from the log."""
    goal_place: dict[Any, int] = {}
    for c in changes:
        if c.table_name == "goals":
            for row in (c.before, c.after):
                if row and row.get("id") is not None and row.get("position") is not None:
                    goal_place[row["id"]] = int(row["position"])
    inds = [c for c in changes if c.table_name == "indicators" and c.op != "UPDATE"]
    new = [(c, c.after or {}) for c in inds if c.op == "INSERT"]
    gone = [(c, c.before or {}) for c in inds if c.op == "DELETE"]
    pairs: list[Any] = []
    for key_of in (_identity, _name):
        new, gone, found = _pair(new, gone, key_of)
        pairs.extend(found)

    def place(row: dict[str, Any]) -> Place | None:
        goal = goal_place.get(row.get("goal_id"))
        return None if goal is None else (goal, int(row.get("position") or 0))

    placed = [(c, row, place(old), place(row), old, row) for c, old, row in pairs]
    order = sorted(range(len(placed)), key=lambda k: _sort_key(placed[k][3], placed[k][5]))
    olds = sorted(range(len(placed)), key=lambda k: _sort_key(placed[k][2], placed[k][4]))
    rank = {k: r for r, k in enumerate(olds)}
    kept = kept_in_order([rank[k] for k in order])
    for k in order:
        c, row, before, after, old, _ = placed[k]
        other_goal = old.get("goal_id") != row.get("goal_id") and (
            before is None or after is None or before[0] != after[0]
        )
        if other_goal or rank[k] not in kept:
            yield c, old, row, before, after


def _sort_key(place: Place | None, row: dict[str, Any]) -> tuple[int, int, int]:
    """A row's place in its form; a goal not in the log by its id (its place is unknown)."""
    if place is not None:
        return (0, *place)
    return (1, int(row.get("goal_id") or 0), int(row.get("position") or 0))


def move_described(row: dict[str, Any], entries: list[Said]) -> bool:
    return any(f"移动指标「{row.get('name', '')}」" in e.label for e in entries)


def row_described(table: str, row: dict[str, Any], added: bool, entries: list[Said]) -> bool:
    """Whether an entry says this row was added (or removed), or the whole form was created."""
    verb = "新增" if added else "删除"
    if table == "indicators":
        return any(f"{verb}指标「{row.get('name', '')}」" in e.label for e in entries)
    if table == "goals":
        return any(f"{verb}年度绩效目标 {int(row.get('position') or 0) + 1}" in e.label for e in entries)
    if table == "evidence":
        return any(e.after.startswith(str(row.get("name", ""))) for e in entries)
    return False


#: what the history adds to an entry that says the form changed when the database's log of its
#: transaction holds no such change (an entry is the client's words)
UNFOUNDED = "（数据库日志中没有这项修改）"


def claims_a_change(action: str, field: str | None, before: str | None, after: str | None) -> bool:
    """Whether an entry says a field or a row of the form changed (a save's, an import's, a step's, an attachment's)."""
    return bool(field) and (before is not None or after is not None) and action != "sql"


def founded(changes: list[Any], e: Said) -> bool:
    """Whether the log of the entry's transaction holds the change it names, from its value to its value."""
    if e.label.startswith("移动指标"):
        return any(move_described(row, [e]) for _, _, row, _, _ in moves(changes))
    for c, key, row, before, after in net(changes):
        if not key:
            if row_described(c.table_name, row, after is not None, [e]):
                return True
            continue
        label = _field_label(c.table_name, key, row)
        if label in e.label and _same(key, before, e.before) and _same(key, after, e.after):
            return True
        if key in _SCORE_REASONS and "理由" in e.label and _same(key, before, e.before) and _same(key, after, e.after):
            return True
    return False
