"""Worker processes for commands over many files: how many to start, and an ordered map over them.

Workers are forked, so they inherit what the parent set up (rule sets, the catalog, the console)
instead of receiving it pickled; only each item and its result cross between processes. Where a
platform cannot fork, the work runs in this process. Ctrl-C is the parent's to handle: it stops
the pool, and a worker has nothing to say.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_FILES_PER_WORKER = 32  # below this a worker's start-up costs more than it saves
CHUNK = 16  # items handed to a worker at a time: small enough to keep both busy to the end


def workers_for(files: int, asked: int | None) -> int:
    """``--jobs`` if given, else one per core; never more than the files can keep busy."""
    wanted = asked if asked is not None else (os.cpu_count() or 1)
    workers = max(1, min(wanted, files // MIN_FILES_PER_WORKER))
    if workers > 1:
        import multiprocessing  # only when there is work to share: one file starts faster without it

        if "fork" not in multiprocessing.get_all_start_methods():
            return 1
    return workers


_TASK: Callable[[Any], Any] | None = None  # set in the parent before forking: the workers inherit it


def _ignore_interrupt() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Failed:
    """A chunk's task raised: the error, re-raised in the parent where that chunk's results were due."""

    def __init__(self, error: BaseException) -> None:
        self.error = error


def _work(chunks: list[list[Any]], counter: Any, out: Any) -> None:
    """A worker: takes the next chunk number until none is left, sends (number, results)."""
    import pickle

    _ignore_interrupt()
    assert _TASK is not None
    task = _TASK
    while True:
        with counter.get_lock():
            n = counter.value
            counter.value = n + 1
        if n >= len(chunks):
            return
        try:
            result: Any = [task(x) for x in chunks[n]]
        except Exception as exc:  # the parent raises it, as from a call in its own process
            try:
                pickle.dumps(exc)
                result = _Failed(exc)
            except Exception:
                result = _Failed(RuntimeError(f"{type(exc).__name__}: {exc}"))
        out.send((n, result))


class _Results:
    """The parent's side: a thread receives the workers' results as they come (so a worker never
    waits on a full pipe while this process writes), and the caller takes them in order."""

    def __init__(self, conns: list[Any], total: int) -> None:
        import multiprocessing
        import threading

        self.conns = conns
        self.total = total
        self.ready: dict[int, Any] = {}
        self.cond = threading.Condition()
        self.stop_r, self.stop_w = multiprocessing.Pipe(duplex=False)
        self.thread = threading.Thread(target=self._receive, name="jixiao-results", daemon=True)
        self.thread.start()

    def _receive(self) -> None:
        from multiprocessing.connection import wait

        open_ = [*self.conns, self.stop_r]
        got = 0
        while got < self.total:
            ready: list[Any] = wait(open_)
            for conn in ready:
                if conn is self.stop_r:
                    return
                try:
                    n, result = conn.recv()
                except (EOFError, OSError):  # that worker is gone: ``take`` finds out
                    open_.remove(conn)
                    continue
                got += 1
                with self.cond:
                    self.ready[n] = result
                    self.cond.notify()

    def take(self, n: int, procs: list[Any]) -> Any:
        with self.cond:
            while n not in self.ready:
                if not self.cond.wait(timeout=1.0) and any(p.exitcode not in (None, 0) for p in procs):
                    raise RuntimeError("a worker process ended unexpectedly")
            return self.ready.pop(n)

    def stop(self) -> None:
        if self.thread.is_alive():
            self.stop_w.send(None)
            self.thread.join()
        self.stop_r.close()
        self.stop_w.close()


def ordered_map(task: Callable[[T], R], items: list[T], workers: int, chunk: int = CHUNK) -> Iterator[R]:
    """``task`` over ``items``, results in the order of ``items``; in ``workers`` forked processes when > 1.

    Not ``multiprocessing.Pool``: its worker-handler thread waits on the result pipe without
    reading it, so while this process is busy (writing what came back) and results wait unread,
    that thread spins. Here the workers take the next chunk from a shared counter and send
    their results on their own pipes, which one thread of this process receives.
    """
    global _TASK
    if workers <= 1:
        for item in items:
            yield task(item)
        return
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    chunks = [items[i : i + chunk] for i in range(0, len(items), chunk)]
    counter = ctx.Value("q", 0)
    pipes = [ctx.Pipe(duplex=False) for _ in range(workers)]
    _TASK = task
    procs = [ctx.Process(target=_work, args=(chunks, counter, w), daemon=True) for _, w in pipes]
    results: _Results | None = None
    try:
        for proc in procs:
            proc.start()
        for _, w in pipes:
            w.close()  # the workers hold the writing ends: a worker that dies closes its pipe
        results = _Results([r for r, _ in pipes], len(chunks))
        for n in range(len(chunks)):
            got = results.take(n, procs)
            if isinstance(got, _Failed):
                raise got.error
            yield from got
    finally:
        _TASK = None
        for proc in procs:
            if proc.is_alive():
                proc.terminate()
        for proc in procs:
            if proc.pid is not None:
                proc.join()
        if results is not None:
            results.stop()
        for r, _ in pipes:
            r.close()
