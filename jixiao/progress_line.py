"""A one-line count on stderr for a long job (``db rescore``, the rescore of the default database on
opening): 「重新计分：12,000/67,130 张表」.

On a terminal the line is rewritten in place and cleared at the end. Elsewhere (a log, a pipe) it is
written as whole lines, and only once the job has run ``after`` seconds, at most one every
``every`` seconds, plus the last: a short job in a script says nothing. Nothing goes to stdout.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

#: seconds a job runs before a progress line is written anywhere but a terminal
AFTER = 2.0
#: seconds between two lines off a terminal
EVERY = 10.0


class ProgressLine:
    """Call with (0, total) when the job starts and (done, total) after each step; on a terminal the
    line is cleared when done reaches total."""

    def __init__(
        self,
        label: str,
        unit: str,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
        after: float = AFTER,
        every: float = EVERY,
    ) -> None:
        self.label = label
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.after = after
        self.every = every
        self.start: float | None = None  # the first call
        self.last: float | None = None
        self.done = 0  # the last count told
        self.tty = _is_tty(self.stream)

    def text(self, done: int, total: int) -> str:
        return f"{self.label}：{done:,}/{total:,} {self.unit}"

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        self.done = done
        if self.start is None:
            self.start = now
        if self.tty:
            self.stream.write("\r\x1b[K" + self.text(done, total) if done < total else "\r\x1b[K")
            self.stream.flush()
            return
        if now - self.start < self.after:
            return
        if done < total and self.last is not None and now - self.last < self.every:
            return
        self.last = now
        self.stream.write(self.text(done, total) + "\n")
        self.stream.flush()

    def clear(self) -> None:
        """End the line on a terminal (the job stopped before the end): what follows starts clean."""
        if self.tty:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
