"""The bulk path's writers commit in the order the batches were handed in, whatever order they finish in.

A fake engine records what each connection did, so the timing can be forced: a batch that
fails late must still stop every later batch from committing, even one that finished first.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from jixiao.storage.bulk_commit import Committers
from tests.storage_backends import PG_REASON, PG_URL, make_backend


@dataclass
class Batch:
    name: str
    forms: list[Any] = field(default_factory=lambda: [1, 2])
    ind_rows: list[list[Any]] = field(default_factory=lambda: [[1], [2], [3]])


class Log:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: list[str] = []

    def add(self, event: str) -> None:
        with self.lock:
            self.events.append(event)


class FakeConn:
    def __init__(self, log: Log) -> None:
        self.log = log
        self.batch = ""

    def begin(self) -> None:
        pass

    def commit(self) -> None:
        self.log.add(f"commit {self.batch}")

    def close(self) -> None:
        pass


class FakeEngine:
    def __init__(self, log: Log) -> None:
        self.log = log

    def connect(self) -> FakeConn:
        return FakeConn(self.log)


class Writer:
    """Sleeps ``delay[name]`` seconds inside the insert; fails the batches named in ``fail``."""

    mode = "copy"

    def __init__(self, log: Log, delay: dict[str, float], fail: set[str]) -> None:
        self.log, self.delay, self.fail = log, delay, fail
        self.drawn = 0

    def reserve(self, conn: FakeConn, rows: Batch) -> int:
        conn.batch = rows.name
        self.drawn += 1
        self.log.add(f"ids {rows.name}")
        return self.drawn

    def insert(self, conn: FakeConn, rows: Batch, reasons: Any = None, ids: Any = None) -> list[int]:
        time.sleep(self.delay.get(rows.name, 0))
        if rows.name in self.fail:
            raise RuntimeError(f"refused {rows.name}")
        return []


def _run(names: list[str], delay: dict[str, float], fail: set[str], threads: int) -> tuple[Committers, Log]:
    log = Log()
    committers = Committers(FakeEngine(log), Writer(log, delay, fail), threads)  # type: ignore[arg-type]
    committers.start()
    for n in names:
        committers.put(Batch(n))
    committers.stop()
    return committers, log


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_batches_commit_in_order_even_when_a_later_one_finishes_first(threads: int) -> None:
    names = [f"b{i}" for i in range(7)]
    committers, log = _run(names, {"b0": 0.15, "b3": 0.1}, set(), threads)
    assert [e for e in log.events if e.startswith("commit")] == [f"commit {n}" for n in names]
    assert [e for e in log.events if e.startswith("ids")] == [f"ids {n}" for n in names]
    assert committers.failed is None and committers.committed == 14
    assert [committers.finished.get_nowait() for _ in names] == [(2, 3)] * len(names)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_a_batch_that_fails_late_leaves_the_ones_before_and_none_after(threads: int) -> None:
    """b2 fails after b3 (written at the same time) has finished: b3 must not commit."""
    committers, log = _run(["b0", "b1", "b2", "b3", "b4"], {"b2": 0.2}, {"b2"}, threads)
    assert [e for e in log.events if e.startswith("commit")] == ["commit b0", "commit b1"]
    assert committers.failed is not None
    error, rows, done = committers.failed
    assert str(error) == "refused b2" and rows.name == "b2" and done == 4
    assert committers.committed == 4


class LateFirst(Committers):
    """The first batch's thread is slow to start: without the id turn, the second would draw first."""

    def _one(self, seq: int, rows: Any) -> None:
        if seq == 0:
            time.sleep(0.1)
        super()._one(seq, rows)


def test_ids_are_drawn_in_input_order_even_when_the_first_batch_starts_late() -> None:
    log = Log()
    committers = LateFirst(FakeEngine(log), Writer(log, {}, set()), 2)  # type: ignore[arg-type]
    committers.start()
    for n in ("b0", "b1", "b2"):
        committers.put(Batch(n))
    committers.stop()
    assert [e for e in log.events if e.startswith("ids")] == ["ids b0", "ids b1", "ids b2"]
    assert [e for e in log.events if e.startswith("commit")] == ["commit b0", "commit b1", "commit b2"]


def _until(log: Log, event: str) -> None:
    deadline = time.monotonic() + 5
    while event not in log.events:
        assert time.monotonic() < deadline, f"never saw {event}"
        time.sleep(0.005)


def test_a_load_cancelled_while_a_batch_is_written_commits_nothing_more() -> None:
    log = Log()
    committers = Committers(FakeEngine(log), Writer(log, {"b0": 0.2}, set()), 2)  # type: ignore[arg-type]
    committers.start()
    committers.put(Batch("b0"))
    committers.put(Batch("b1"))
    _until(log, "ids b0")  # b0 is inside its insert now
    committers.cancelled = True
    committers.stop()
    assert [e for e in log.events if e.startswith("commit")] == []
    assert committers.committed == 0 and not committers.is_alive()


def test_ctrl_c_while_stop_waits_cancels_the_queued_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    log = Log()
    committers = Committers(FakeEngine(log), Writer(log, {"b0": 0.3}, set()), 2)  # type: ignore[arg-type]
    committers.start()
    for n in ("b0", "b1", "b2", "b3"):
        committers.put(Batch(n))
    _until(log, "ids b0")
    first = committers._threads[0]

    def interrupted(timeout: float | None = None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(first, "join", interrupted)
    with pytest.raises(KeyboardInterrupt):
        committers.stop()
    monkeypatch.undo()
    assert committers.cancelled
    committers.stop()
    assert not committers.is_alive()
    assert [e for e in log.events if e.startswith("commit")] == []


class ProbeWriter:
    """Inserts one key into a scratch table: blocks while another transaction holds the same key."""

    mode = "copy"

    def reserve(self, conn: Any, rows: Batch) -> None:
        return None

    def insert(self, conn: Any, rows: Batch, reasons: Any = None, ids: Any = None) -> list[int]:
        conn.exec_driver_sql("INSERT INTO lock_probe (k) VALUES (1)")
        return []


@pytest.mark.skipif(not PG_URL, reason=PG_REASON)
def test_a_batch_stuck_on_a_lock_fails_after_the_timeout_instead_of_hanging(tmp_path: Path) -> None:
    """Two batches of one load wait on each other's commit turn where PostgreSQL cannot see it, so a
    lock wait must end in a failed batch: here another transaction holds the key for 20 s."""
    gen = make_backend("postgresql", tmp_path)
    _, engine = next(gen)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE lock_probe (k integer PRIMARY KEY)")
        holder = engine.connect()
        holder.begin()
        holder.exec_driver_sql("INSERT INTO lock_probe (k) VALUES (1)")
        release = threading.Timer(20, holder.rollback)
        release.start()
        started = time.monotonic()
        committers = Committers(engine, ProbeWriter(), 2, lock_timeout="300ms")  # type: ignore[arg-type]
        committers.start()
        committers.put(Batch("b0"))
        committers.put(Batch("b1"))
        committers.stop()
        waited = time.monotonic() - started
        release.cancel()
        holder.rollback()
        holder.close()
        assert committers.failed is not None and committers.committed == 0
        assert "lock timeout" in str(committers.failed[0]) and committers.failed[1].name == "b0"
        assert waited < 10
    finally:
        gen.close()
