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
from typing import Any

from jixiao.storage.rowlog_cover import Said, described, net, row_described

# columns the database derives or the workflow keeps: not shown as edits
_QUIET = {
    "id",
    "form_id",
    "goal_id",
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
TABLES = {"forms": "表单", "goals": "绩效目标", "indicators": "指标", "evidence": "佐证材料"}
COLUMN_LABELS = {
    "status": "状态",
    "actual": "实际完成值",
    "target": "年度指标值",
    "adjusted_target": "调整后指标值",
    "name": "三级指标",
    "level1": "一级指标",
    "level2": "二级指标",
    "weight": "分值",
    "recorded_score": "自评得分",
    "recorded_reason": "得分理由",
    "direction": "指标方向",
    "budget_planned": "预算数",
    "budget_executed": "执行数",
    "department": "主管部门",
    "implementing_unit": "实施单位",
    "project_name": "项目名称",
    "total_recorded": "自评总分",
    "signed_by": "签章人",
    "signature_sha256": "签章指纹",
}


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


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
    label = f"{TABLES.get(c.table_name, c.table_name)}·{COLUMN_LABELS.get(key, key)}"
    return (c.at, c.db_user, f"{c.table_name}.{key}", label, _text(before), _text(after))


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
        if shown is not None and not described(c.table_name, key, row, before, after, entries):
            out.append(shown)
    return out
