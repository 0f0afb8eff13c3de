"""What the database driver says of where the data lives, in Chinese.

A full disk, a damaged or read-only file, a lock another process holds, a server that went away:
the user can fix each (free space, restore a backup, wait, reconnect), so each is said as a clear
message and exit status 1, not as jixiao's internal error. The driver's English line is matched
here; a line none of these knows is not recognised (``None``) and stays the caller's to report.
"""

from __future__ import annotations

#: (what the driver's line contains, lower case; what to say)
_KNOWN: tuple[tuple[str, str], ...] = (
    ("database or disk is full", "数据库或磁盘空间已满；请腾出磁盘空间后重试"),
    ("no space left on device", "磁盘空间不足；请腾出磁盘空间后重试"),
    ("could not extend file", "数据库服务器磁盘空间不足；请联系管理员"),
    ("database disk image is malformed", "数据库文件已损坏；请用 jixiao db restore 从备份恢复到新的数据库"),
    ("file is not a database", "该文件不是 SQLite 数据库（或已损坏）"),
    ("unable to open database file", "无法打开数据库文件：目录不存在、不可写，或所在文件系统只读"),
    (
        "attempt to write a readonly database",
        "数据库文件只读，不能写入；请检查文件及其目录的写权限（只读挂载的库只能查看）",
    ),
    ("database is locked", "数据库正被另一个 jixiao 进程写入（已锁定）；请稍后重试"),
    ("database table is locked", "数据库正被另一个 jixiao 进程写入（已锁定）；请稍后重试"),
    ("too many connections for role", "该登录名同时打开的数据库连接已达上限；请关闭其他 jixiao 窗口后重试"),
    (
        "canceling statement due to lock timeout",
        "等待另一个数据库会话持有的锁超时（它的事务一直未结束），未写入；请稍后重试，或请数据库管理员结束该会话",
    ),
    ("disk i/o error", "读写数据库文件时磁盘出错；请检查磁盘后重试"),
    ("server closed the connection unexpectedly", "与数据库服务器的连接意外中断；请重试"),
    ("terminating connection due to administrator command", "数据库服务器关闭了连接；请稍后重试"),
    ("connection is closed", "与数据库服务器的连接已关闭；请重试"),
)


def known_line(line: str) -> str | None:
    """The Chinese for the driver's ``line`` about its storage or connection, or None."""
    low = line.lower()
    for english, chinese in _KNOWN:
        if english in low:
            return chinese
    return None


def environment_problem(exc: BaseException) -> str | None:
    """The Chinese for ``exc`` (or the driver error it wraps or was raised from) when it is about
    the database's storage or connection, not about jixiao; else None."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        orig = getattr(current, "orig", None)
        for candidate in (orig, current):
            if isinstance(candidate, BaseException) and _is_driver_error(candidate):
                said = known_line(str(candidate).strip().splitlines()[0] if str(candidate).strip() else "")
                if said:
                    return said
        current = current.__cause__ or current.__context__
    return None


def _is_driver_error(exc: BaseException) -> bool:
    """A DB-API error (sqlite3's, psycopg's) or SQLAlchemy's wrapper of one: never an arbitrary
    exception whose text happens to hold the same words."""
    kind = type(exc)
    return any(
        cls.__name__ in ("DatabaseError", "OperationalError", "DBAPIError", "InterfaceError")
        and cls.__module__.split(".")[0] in ("sqlite3", "psycopg", "sqlalchemy")
        for cls in kind.__mro__
    )
