"""The database's own change log (``row_changes``, PostgreSQL triggers) as history entries.

The application writes a readable entry for every change it makes; a change
made around it (psql, another tool) has no such entry in its transaction and is
shown from the database's log, with the login that made it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

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


def entries(
    changes: Iterable[Any], annotated: set[int]
) -> list[tuple[datetime, str, str, str, str | None, str | None]]:
    """(at, db_user, field, label, before, after) for the changes of unannotated transactions."""
    out = []
    for c in changes:
        if c.txid in annotated:
            continue
        table = TABLES.get(c.table_name, c.table_name)
        if c.op != "UPDATE":
            row = c.after if c.op == "INSERT" else c.before
            what = (row or {}).get("name") or (row or {}).get("project_name") or (row or {}).get("text") or ""
            verb = "新增" if c.op == "INSERT" else "删除"
            out.append(
                (
                    c.at,
                    c.db_user,
                    c.table_name,
                    f"{verb}{table}",
                    None if c.op == "INSERT" else what,
                    what if c.op == "INSERT" else None,
                )
            )
            continue
        for key in sorted((c.after or {}).keys()):
            if key.startswith("agg_") or key in _QUIET:
                continue
            label = f"{table}·{COLUMN_LABELS.get(key, key)}"
            out.append(
                (c.at, c.db_user, f"{c.table_name}.{key}", label, _text((c.before or {}).get(key)), _text(c.after[key]))
            )
    return out
