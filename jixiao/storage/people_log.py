"""Who changed users and units, and how (``row_changes`` rows of app_users and units, migration 0027).

PostgreSQL only: the database writes these rows for every role, psql included. Row-level security
shows them to admins alone, so for anyone else the list is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text

from jixiao.storage.users import ROLES

TABLES = {"app_users": "用户", "units": "单位"}
OPS = {"INSERT": "新增", "UPDATE": "修改", "DELETE": "删除"}
FIELDS = {
    "app_users": {"name": "姓名", "role": "角色", "unit": "单位", "department": "审核范围", "cert_sha256": "签章证书"},
    "units": {"name": "名称", "department": "主管部门"},
}
_HIDDEN = ("id", "login", "created_at")  # said in the subject, or stamped anyway


@dataclass(frozen=True, slots=True)
class PeopleChange:
    at: datetime
    by: str  # the database login that made the change
    table: str  # 用户 / 单位
    op: str  # 新增 / 修改 / 删除
    subject: str  # the login, or the unit's name
    changes: tuple[tuple[str, str, str], ...]  # (field, before, after), in Chinese


def _shown(field: str, value: Any) -> str:
    if value is None or value == "":
        return "（空）"
    if field == "role":
        return ROLES.get(str(value), str(value))
    if field == "cert_sha256":
        return f"{str(value)[:16]}…"
    return str(value)


def _change(at: datetime, by: str, table: str, op: str, before: Any, after: Any) -> PeopleChange:
    old, new = before or {}, after or {}
    subject = str(new.get("login") or old.get("login") or new.get("name") or old.get("name") or "")
    if table == "units" and op == "UPDATE" and "name" not in old:
        subject = f"单位 id {new.get('id') or old.get('id')}"
    fields = [k for k in (*old, *(k for k in new if k not in old)) if k not in _HIDDEN]
    if op != "UPDATE":  # a new or removed row: what it held, not its empty fields
        fields = [k for k in fields if (new if op == "INSERT" else old).get(k) not in (None, "")]
    labels = FIELDS.get(table, {})
    changes = tuple(
        (
            labels.get(k, k),
            _shown(k, old.get(k)) if op != "INSERT" else "",
            _shown(k, new.get(k)) if op != "DELETE" else "",
        )
        for k in fields
    )
    return PeopleChange(at, by, TABLES.get(table, table), OPS.get(op, op), subject, changes)


def people_log(engine: Engine, limit: int = 200) -> list[PeopleChange] | None:
    """The newest ``limit`` changes of users and units, oldest first; None on SQLite (not recorded)."""
    if engine.dialect.name != "postgresql":
        return None
    sql = text(
        "SELECT at, db_user, table_name, op, before, after FROM row_changes "
        "WHERE table_name IN ('app_users', 'units') ORDER BY id DESC LIMIT :n"
    )
    with engine.connect() as conn:
        rows = conn.execute(sql, {"n": limit}).all()
    return [_change(*row) for row in reversed(rows)]
