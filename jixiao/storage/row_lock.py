"""Who holds a form's row, said in Chinese when jixiao gave up waiting for it (PostgreSQL).

Every login waits at most ``lock_timeout`` (5 s) for a lock. A login that may update a form may also
lock its row (``SELECT … FOR UPDATE``) in a transaction it leaves open (``SET
idle_in_transaction_session_timeout = 0``): a reviewer so held every submitted form of the department,
and each approval, return or signature by another reviewer or an admin (a colleague's save, for a
filler holding the unit's drafts) stopped with 「内部错误：LockNotAvailable」, exit 3, and no word of who
held it. The locker's transaction id is the row's ``xmax``; ``pg_locks`` and ``pg_stat_activity`` name
its login and server process to every login, as for ``jixiao db upgrade``'s own lock.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from jixiao.storage.records import StoreError

LOCK_NOT_AVAILABLE = "55P03"

_HOLDER = text(
    "SELECT a.usename, l.pid FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'transactionid' AND l.mode = 'ExclusiveLock' AND l.granted"
    " AND l.transactionid::text = (SELECT f.xmax::text FROM forms f WHERE f.id = :id) LIMIT 1"
)


class FormHeld(StoreError):
    """Another session held the form's row longer than this login waits for a lock."""


def holder(engine: Engine, form_id: int) -> tuple[str, int] | None:
    """The login and server process whose open transaction holds ``form_id``'s row, when one does."""
    try:
        with engine.connect() as conn:
            row = conn.execute(_HOLDER, {"id": form_id}).first()
    except SQLAlchemyError:
        return None
    return (str(row[0]), int(row[1])) if row is not None else None


def held(exc: DBAPIError, engine: Engine, form_id: int) -> FormHeld | None:
    """The Chinese for a lock the database gave up waiting for, naming who holds the form; else None."""
    if getattr(exc.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
        return None
    found = holder(engine, form_id)
    who = f"登录名「{found[0]}」（服务器进程 {found[1]}）" if found else "另一个数据库会话"
    return FormHeld(
        f"表单 {form_id} 正被{who}锁定，其事务一直未结束；等待超时，未写入。"
        "请该用户结束其事务后重试，或由数据库管理员结束该进程（pg_terminate_backend）"
    )
