"""The review's 运行监控 section: the deviation warnings of each form's latest stored snapshot."""

from __future__ import annotations

from typing import Any

from jixiao.review.aggregate import Filters
from jixiao.review.coverage import DETAIL_LIMIT, Coverage, capped

#: forms read a batch at a time: three queries for the forms and one for their snapshots a batch
BATCH = 500


def monitoring_findings(
    store: Any, filters: Filters, limit: int = DETAIL_LIMIT
) -> tuple[list[Any], list[str], Coverage]:
    """Warnings of the latest snapshot of each filtered form that has one (and, once the form is
    self-evaluated, the checks of the year's end against it), worst first; the stored rows that
    are no snapshot of their form (left out, said); and how many of the forms with one were read.
    Up to ``limit`` forms (0: all) are read, a batch at a time; past it the first by id, and the
    Coverage says so, for every output to state (never a silent subset)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from jixiao.checks import order
    from jixiao.storage import snapshots
    from jixiao.storage.models import FormRow, SnapshotRow

    q = filters.apply(select(FormRow.id).where(FormRow.id.in_(select(SnapshotRow.form_id))).order_by(FormRow.id))
    with Session(store.engine) as s:
        ids, coverage = capped(list(s.execute(q).scalars()), limit, "运行监控", "监控记录")
    found: list[Any] = []
    problems: list[str] = []
    for start in range(0, len(ids), BATCH):
        forms = list(store.get_many(ids[start : start + BATCH], batch=BATCH))
        read = snapshots.read_stored_many(store, forms)
        for sf in forms:
            stored, bad, stamps = read[sf.id]
            problems += bad
            if stored:
                found += _form_findings(store, sf, stored, stamps)
    return order(found), problems, coverage


def _form_findings(store: Any, sf: Any, stored: list[Any], stamps: dict[int, Any]) -> list[Any]:
    """One form's warnings: each period's stored checks, the latest snapshot's, and the year's end."""
    from jixiao.checks.monitoring_checks import run_monitoring_checks, run_stored_checks

    snap = stored[-1]
    result = store.score(sf.form)
    found: list[Any] = []
    for each in stored:  # a period written after the fact, whichever it is
        found += run_stored_checks(result, each, stamps[each.months])
    found += run_monitoring_checks(result, snap)
    if any(i.actual.strip() for i in sf.form.indicators):
        found += run_monitoring_checks(result, snap, year_end=True)
    return found
