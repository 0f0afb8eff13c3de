"""The per-form numbers a review is built from, believed only when the database vouches for them.

A stored verdict (``computed_*``, ``agg_*``) is trusted when a trusted writer
wrote it (migration 0004 clears ``scores_trusted`` on every other writer's
change) and this jixiao computed it (``verdict_stamp``). The others are
recomputed here from the form's own data with the rule engine, never written
back: a filler who forges ``computed_total`` in psql changes nothing a reviewer
sees, nor does a verdict an older jixiao computed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine, select

from jixiao.storage.models import FormRow, IndicatorRow
from jixiao.storage.store import FormStore
from jixiao.storage.verdict_stamp import vouched


@dataclass(frozen=True, slots=True)
class FormNumbers:
    """One form's stored (or recomputed) verdict, as the review aggregates it."""

    id: int
    year: int
    department: str
    implementing_unit: str
    project_name: str
    form_kind: str
    status: str
    grade: str
    rate: Decimal | None
    total_c: int | None
    recorded_c: int | None
    planned_u: int | None
    executed_u: int | None
    errors: int
    warnings: int
    infos: int
    indicators: int
    trusted: bool = True


@dataclass(frozen=True, slots=True)
class IndicatorNumbers:
    form_id: int
    level1: str
    status: str
    weight_u: int | None
    score_u: int | None


FORM_COLUMNS = (
    FormRow.id,
    FormRow.year,
    FormRow.department,
    FormRow.implementing_unit,
    FormRow.project_name,
    FormRow.form_kind,
    FormRow.status,
    FormRow.computed_grade,
    FormRow.computed_rate,
    FormRow.agg_total_c,
    FormRow.agg_recorded_c,
    FormRow.agg_planned_u,
    FormRow.agg_executed_u,
    FormRow.agg_errors,
    FormRow.agg_warnings,
    FormRow.agg_infos,
    FormRow.agg_indicators,
)


def numbers_of(row: Any, trusted: bool) -> FormNumbers:
    return FormNumbers(
        id=row.id,
        year=row.year,
        department=row.department,
        implementing_unit=row.implementing_unit,
        project_name=row.project_name,
        form_kind=row.form_kind,
        status=row.status,
        grade=row.computed_grade,
        rate=row.computed_rate,
        total_c=row.agg_total_c,
        recorded_c=row.agg_recorded_c,
        planned_u=row.agg_planned_u,
        executed_u=row.agg_executed_u,
        errors=row.agg_errors or 0,
        warnings=row.agg_warnings or 0,
        infos=row.agg_infos or 0,
        indicators=row.agg_indicators or 0,
        trusted=trusted,
    )


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """One connection whose reads all see the same committed state: on PostgreSQL a read-only
    REPEATABLE READ transaction, so that a form forged between the check for doubtful forms and
    the sums is neither summed as trusted nor left out of both (SQLite has no untrusted writers)."""
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield conn


def form_numbers(engine: Engine, filtered: Any) -> list[FormNumbers]:
    """Every form that ``filtered`` (a function adding WHERE clauses) keeps, trusted or recomputed."""
    with snapshot(engine) as conn:
        trusted = [numbers_of(r, True) for r in conn.execute(filtered(select(*FORM_COLUMNS)).where(vouched()))]
        doubtful = list(conn.execute(filtered(select(FormRow.id)).where(~vouched())).scalars())
    return trusted + [numbers_of(r, False) for r in FormStore(engine, actor="审核").recomputed_rows(doubtful)]


def indicator_numbers(engine: Engine, filtered: Any) -> list[IndicatorNumbers]:
    """Per-indicator verdicts of the kept forms, trusted or recomputed."""
    q = select(
        IndicatorRow.form_id,
        IndicatorRow.level1,
        IndicatorRow.computed_status,
        IndicatorRow.agg_weight_u,
        IndicatorRow.agg_score_u,
    ).join(FormRow, FormRow.id == IndicatorRow.form_id)
    with snapshot(engine) as conn:
        out = [IndicatorNumbers(*r) for r in conn.execute(filtered(q).where(vouched()))]
        doubtful = list(conn.execute(filtered(select(FormRow.id)).where(~vouched())).scalars())
    for row in FormStore(engine, actor="审核").recomputed_rows(doubtful):
        for goal in row.goals:
            out.extend(
                IndicatorNumbers(row.id, i.level1, i.computed_status, i.agg_weight_u, i.agg_score_u)
                for i in goal.indicators
            )
    return out
