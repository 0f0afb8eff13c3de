"""The review's 复核 section: every re-checked indicator with its three scores, the largest gap first."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jixiao.rechecked import GONE, unmatched
from jixiao.review.aggregate import Filters
from jixiao.storage import rechecks
from jixiao.storage.models import FormRow, RecheckRow


@dataclass(frozen=True, slots=True)
class RecheckLine:
    form: str  # year/unit/project
    indicator: str
    weight: Decimal | None  # None: the row is no longer on the form
    rule: Decimal | None  # the rule score (None: 待判断)
    unit: Decimal | None  # the unit's own score
    recheck: Decimal
    opinion: str
    reviewer: str

    @property
    def gap(self) -> Decimal:
        """How far the 复核 is from the unit's own score (else the rule score's)."""
        base = self.unit if self.unit is not None else self.rule
        return abs(self.recheck - base) if base is not None else Decimal(0)


def recheck_lines(store: Any, filters: Filters, limit: int = 2000) -> list[RecheckLine]:
    """The latest 复核 of each indicator on the filtered forms, scored afresh from the forms' data."""
    q = filters.apply(select(FormRow.id).where(FormRow.id.in_(select(RecheckRow.form_id))).order_by(FormRow.id))
    with Session(store.engine) as s:
        ids = list(s.execute(q.limit(limit)).scalars())
    out = []
    for form_id in ids:
        sf = store.get(form_id)
        latest = rechecks.latest(store, form_id)
        scored = store.score(sf.form).indicators
        for c in unmatched((r.indicator.uid for r in scored), latest):
            out.append(RecheckLine(sf.key, c.indicator + GONE, None, None, None, c.score, c.opinion, c.reviewer))
        for r in scored:
            rc = latest.get(r.indicator.uid)
            if rc is None:
                continue
            rec = r.indicator.recorded
            out.append(
                RecheckLine(
                    sf.key,
                    r.indicator.name,
                    r.weight,
                    r.score,
                    rec.score if rec else None,
                    rc.score,
                    rc.opinion,
                    rc.reviewer,
                )
            )
    return sorted(out, key=lambda x: (-x.gap, x.form, x.indicator))
