"""The 复核 of rows a form no longer has: one rule for every reader (``recheck``, the review, the PDF).

A row removed, or given another identity, after a reviewer's 复核 would otherwise drop the 复核
from every view; it is shown instead, after the form's rows, marked ``GONE``. Pure, so the PDF
(which imports no storage) and the storage-side readers share it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TypeVar

T = TypeVar("T")

GONE = "（该行已不在表单中）"  # after the name of a 复核's row that the form no longer has


def unmatched(uids: Iterable[str | None], latest: Mapping[str, T]) -> list[T]:
    """The latest 复核 (by row identity) of rows not among ``uids``: shown with ``GONE``, never dropped."""
    present = set(uids)
    return [c for uid, c in latest.items() if uid not in present]
