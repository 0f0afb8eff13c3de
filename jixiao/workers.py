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


def _run_chunk(items: list[Any]) -> list[Any]:
    assert _TASK is not None
    return [_TASK(x) for x in items]


def ordered_map(task: Callable[[T], R], items: list[T], workers: int, chunk: int = CHUNK) -> Iterator[R]:
    """``task`` over ``items``, results in the order of ``items``; in ``workers`` forked processes when > 1."""
    global _TASK
    if workers <= 1:
        for item in items:
            yield task(item)
        return
    import multiprocessing

    _TASK = task
    chunks = [items[i : i + chunk] for i in range(0, len(items), chunk)]
    try:
        with multiprocessing.get_context("fork").Pool(workers, initializer=_ignore_interrupt) as pool:
            for done in pool.imap(_run_chunk, chunks):
                yield from done
    finally:
        _TASK = None
