"""The bulk path's writers: each batch in its own transaction, on one or more connections, committed in order.

On PostgreSQL one connection's server process is the bottleneck of a large load: it runs the
COPY, every row's guard and lock triggers and the row log, at 100% of one core while the
loader's own process waits. Two connections write two batches at once. Order is kept: the batches'
form and goal ids are drawn from the sequences in the order the batches were handed in, and
each batch commits only after the one before it has. So what a failed batch leaves is as with one
writer: every batch before it committed, it and every batch after it rolled back.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Protocol

from sqlalchemy import Connection, Engine


class BatchWriter(Protocol):
    """What the writers call, per batch (its ``forms`` and ``ind_rows`` are counted when it commits)."""

    def reserve(self, conn: Connection, rows: Any) -> Any: ...

    def insert(self, conn: Connection, rows: Any, reasons: list[str] | None = None, ids: Any = None) -> list[int]: ...


class Committers:
    """``threads`` writer threads sharing one queue of batches; the caller hands batches in with ``put``.

    ``failed`` holds the first failure: (the error, its batch, the forms committed before it).
    ``finished`` receives (forms, indicators) for each committed batch, in order.
    """

    def __init__(self, engine: Engine, writer: BatchWriter, threads: int = 1, lock_timeout: str = "") -> None:
        self.engine = engine
        self.writer = writer
        # Two batches of one load wait on each other's commit turn here, out of PostgreSQL's sight:
        # should one ever wait on a lock the other holds, the timeout turns a hang into a failed batch.
        self.lock_timeout = lock_timeout
        self.todo: queue.Queue[tuple[int, Any] | None] = queue.Queue(maxsize=2 * threads)
        self.finished: queue.SimpleQueue[tuple[int, int]] = queue.SimpleQueue()
        self.committed = 0  # forms
        self.failed: tuple[BaseException, Any, int] | None = None
        self.cancelled = False
        self._handed = 0
        self._id_turn = 0  # the next batch to draw its ids
        self._turn = 0  # the next batch to commit
        self._cond = threading.Condition()
        self._threads = [
            threading.Thread(target=self._run, name=f"jixiao-bulk-writer-{i}", daemon=True) for i in range(threads)
        ]

    def start(self) -> None:
        for t in self._threads:
            t.start()

    def is_alive(self) -> bool:
        return any(t.is_alive() for t in self._threads)

    def put(self, rows: Any) -> None:
        self.todo.put((self._handed, rows))
        self._handed += 1

    def stop(self) -> None:
        """Let the writers finish what they were given (or drop it, if cancelled) and end.

        Interrupted while it waits (Ctrl-C), it cancels: the writers drop the batches still queued."""
        try:
            if self.is_alive():
                for _ in self._threads:
                    self.todo.put(None)
                for t in self._threads:
                    t.join()
        except BaseException:
            self.cancelled = True
            raise

    def _run(self) -> None:
        while (item := self.todo.get()) is not None:
            self._one(*item)

    def _await(self, turn: str, seq: int) -> None:
        with self._cond:
            self._cond.wait_for(lambda: getattr(self, turn) == seq)

    def _pass(self, turn: str) -> None:
        with self._cond:
            setattr(self, turn, getattr(self, turn) + 1)
            self._cond.notify_all()

    def _skip(self) -> bool:
        return self.failed is not None or self.cancelled  # nothing after a failure (or an interrupt) is written

    def _open(self, rows: Any) -> tuple[Connection | None, Any]:
        """A connection in a new transaction and the batch's ids, or (None, None) when it is skipped."""
        if self._skip():
            return None, None
        conn = self.engine.connect()
        try:
            conn.begin()
            if self.lock_timeout:
                conn.exec_driver_sql("SELECT set_config('lock_timeout', %s, true)", (self.lock_timeout,))
            return conn, self.writer.reserve(conn, rows)
        except BaseException:
            conn.close()
            raise

    def _one(self, seq: int, rows: Any) -> None:
        """One batch. A batch holds its turn, not the lock, while it talks to the database, so the
        other writer can draw ids and insert meanwhile; only the holder of ``_turn`` sets
        ``committed`` and ``failed``."""
        conn: Connection | None = None
        error: BaseException | None = None
        self._await("_id_turn", seq)  # ids in the order the batches were handed in
        try:
            try:
                conn, ids = self._open(rows)
            finally:
                self._pass("_id_turn")
            if conn is not None:
                self.writer.insert(conn, rows, ids=ids)
        except BaseException as exc:  # handed to the caller's thread
            error = exc
        self._await("_turn", seq)  # commits in the same order
        try:
            if error is None and conn is not None and not self._skip():
                try:
                    conn.commit()
                except BaseException as exc:
                    error = exc
                else:
                    self.committed += len(rows.forms)
                    self.finished.put((len(rows.forms), len(rows.ind_rows)))
            if error is not None and self.failed is None:
                self.failed = (error, rows, self.committed)
        finally:
            self._pass("_turn")
            if conn is not None:
                conn.close()  # rolls back what was not committed
