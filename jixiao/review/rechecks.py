"""The review's 复核 section: every re-checked indicator with its three scores, the largest gap first."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jixiao.rechecked import GONE, unmatched
from jixiao.review.aggregate import Filters
from jixiao.review.coverage import DETAIL_LIMIT, Coverage, capped
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


#: forms read a batch at a time: three queries for the forms and one for their 复核 a batch
BATCH = 500


def recheck_lines(store: Any, filters: Filters, limit: int = DETAIL_LIMIT) -> tuple[list[RecheckLine], Coverage]:
    """The latest 复核 of each indicator on the filtered forms, scored afresh from the forms' data;
    and how many of the forms with a 复核 were read. Up to ``limit`` forms (0: all) are read, a batch
    at a time; past it the first by id, and the Coverage says so: the largest gap first is then over
    those only, which every output states (never a silent subset)."""
    q = filters.apply(select(FormRow.id).where(FormRow.id.in_(select(RecheckRow.form_id))).order_by(FormRow.id))
    with Session(store.engine) as s:
        ids, coverage = capped(list(s.execute(q).scalars()), limit, "复核", "复核")
    out: list[RecheckLine] = []
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        latest = rechecks.latest_many(store, chunk)
        for sf in store.get_many(chunk, batch=BATCH):
            out += _form_lines(store, sf, latest.get(sf.id, {}))
    return sorted(out, key=lambda x: (-x.gap, x.form, x.indicator)), coverage


def _form_lines(store: Any, sf: Any, latest: dict[str, Any]) -> list[RecheckLine]:
    """One form's 复核 beside its rows' scores; a 复核 of a row the form no longer has, marked GONE."""
    scored = store.score(sf.form).indicators
    out = [
        RecheckLine(sf.key, c.indicator + GONE, None, None, None, c.score, c.opinion, c.reviewer)
        for c in unmatched((r.indicator.uid for r in scored), latest)
    ]
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
    return out
