"""A SQLite table's triggers kept across alembic's rebuild of it (batch mode).

SQLite cannot drop a column in place, so alembic's batch mode copies the table into a new one and
drops the old, and the triggers of the old go with it. A downgrade that dropped a column so lost
its table's append-only and stage triggers, which the upgrade after it did not make again: the
database was then open to what they guard. Keep this module's behaviour fixed: applied migrations
rely on it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import op


@contextmanager
def triggers_kept(table: str) -> Iterator[None]:
    """Around a batch operation on ``table``: every trigger it had before is there after (SQLite)."""
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        yield
        return
    query = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?"
    saved = bind.exec_driver_sql(query, (table,)).all()
    yield
    present = {name for name, _ in bind.exec_driver_sql(query, (table,)).all()}
    for name, sql in saved:
        if name not in present:
            op.execute(sql)
