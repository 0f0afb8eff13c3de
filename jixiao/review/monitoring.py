"""The review's 运行监控 section: the deviation warnings of each form's latest stored snapshot."""

from __future__ import annotations

from typing import Any

from jixiao.review.aggregate import Filters


def monitoring_findings(store: Any, filters: Filters, limit: int = 2000) -> tuple[list[Any], list[str]]:
    """Warnings of the latest snapshot of every filtered form that has one (and, once the form is
    self-evaluated, the checks of the year's end against it), worst first; and the stored rows
    that are no snapshot of their form (left out, said)."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from jixiao.checks import order
    from jixiao.checks.monitoring_checks import run_monitoring_checks, run_stored_checks
    from jixiao.storage import snapshots
    from jixiao.storage.models import FormRow, SnapshotRow

    q = filters.apply(select(FormRow.id).where(FormRow.id.in_(select(SnapshotRow.form_id))).order_by(FormRow.id))
    with Session(store.engine) as s:
        ids = list(s.execute(q.limit(limit)).scalars())
    found: list[Any] = []
    problems: list[str] = []
    for form_id in ids:
        sf = store.get(form_id)
        stored, bad, stamps = snapshots.read_stored(store, sf)
        problems += bad
        if not stored:
            continue
        snap = stored[-1]
        result = store.score(sf.form)
        for each in stored:  # a period written after the fact, whichever it is
            found += run_stored_checks(result, each, stamps[each.months])
        found += run_monitoring_checks(result, snap)
        if any(i.actual.strip() for i in sf.form.indicators):
            found += run_monitoring_checks(result, snap, year_end=True)
    return order(found), problems
