"""Portfolio aggregates computed in the database, exact on every back end.

Sums run over the integer copies kept beside each form (hundredths of a
point, millionths of 万元), so SQLite and PostgreSQL give the same exact
Decimals; only the per-group medians need the one-number-per-form column.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Engine, case, func, select

from jixiao.storage.models import FormRow, IndicatorRow

GRADES = ("优", "良", "中", "差")
GROUPINGS = {"unit": "实施单位", "department": "主管部门", "level1": "一级指标", "grade": "等级", "year": "年度"}
C = Decimal("0.01")
U = Decimal("0.000001")
W = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class Filters:
    year: int | None = None
    department: str | None = None
    unit: str | None = None
    status: str | None = None

    def apply(self, q):  # type: ignore[no-untyped-def]
        if self.year is not None:
            q = q.where(FormRow.year == self.year)
        if self.department:
            q = q.where(FormRow.department.contains(self.department))
        if self.unit:
            q = q.where(FormRow.implementing_unit.contains(self.unit))
        if self.status:
            q = q.where(FormRow.status == self.status)
        return q


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One line of the review table."""

    key: str
    forms: int
    planned: Decimal
    executed: Decimal
    mean_computed: Decimal | None
    median_computed: Decimal | None
    mean_recorded: Decimal | None
    median_recorded: Decimal | None
    recorded_forms: int
    grades: dict[str, int] = field(default_factory=dict)
    errors: int = 0
    warnings: int = 0
    infos: int = 0
    indicators: int = 0
    attainment: Decimal | None = None  # level1 grouping: score / weight

    @property
    def rate(self) -> Decimal | None:
        """Budget-weighted execution rate: Σ执行数 / Σ预算数."""
        return self.executed / self.planned if self.planned else None

    @property
    def gap(self) -> Decimal | None:
        """Mean recorded minus mean computed, over the forms that record a total."""
        if self.mean_recorded is None or self.gap_base is None:
            return None
        return self.mean_recorded - self.gap_base

    gap_base: Decimal | None = None  # mean computed over the same forms

    @property
    def risk(self) -> tuple[int, int, Decimal, Decimal]:
        """Sort key, worst first: errors, warnings, inflation gap, low score."""
        return (-self.errors, -self.warnings, -(self.gap or Decimal(0)), self.mean_computed or Decimal(0))


def _dec(value: int | None, unit: Decimal) -> Decimal:
    return Decimal(value or 0) * unit


def _mean(total: int | None, n: int, unit: Decimal) -> Decimal | None:
    return (Decimal(total or 0) * unit / n).quantize(C) if n else None


def _median(values: list[int], unit: Decimal) -> Decimal | None:
    if not values:
        return None
    return (
        (Decimal(statistics.median_low(values)) * unit).quantize(C)
        if len(values) % 2
        else (
            (Decimal(sorted(values)[len(values) // 2 - 1]) + Decimal(sorted(values)[len(values) // 2])) / 2 * unit
        ).quantize(C)
    )


def aggregate(engine: Engine, by: str = "unit", filters: Filters | None = None) -> list[GroupRow]:
    """The review table grouped by unit, department, grade, year or 一级指标; worst first."""
    if by not in GROUPINGS:
        raise ValueError(f"未知的分组「{by}」；可用：{', '.join(GROUPINGS)}")
    filters = filters or Filters()
    if by == "level1":
        return _by_level1(engine, filters)
    key = {
        "unit": FormRow.implementing_unit,
        "department": FormRow.department,
        "grade": FormRow.computed_grade,
        "year": FormRow.year,
    }[by]
    has_rec = FormRow.agg_recorded_c.is_not(None)
    cols = [
        key.label("k"),
        func.count(FormRow.id),
        func.sum(FormRow.agg_planned_u),
        func.sum(FormRow.agg_executed_u),
        func.sum(FormRow.agg_total_c),
        func.count(FormRow.agg_total_c),
        func.sum(FormRow.agg_recorded_c),
        func.count(FormRow.agg_recorded_c),
        func.sum(case((has_rec, FormRow.agg_total_c), else_=0)),
        func.sum(FormRow.agg_errors),
        func.sum(FormRow.agg_warnings),
        func.sum(FormRow.agg_infos),
        func.sum(FormRow.agg_indicators),
        *[func.sum(case((FormRow.computed_grade == g, 1), else_=0)) for g in GRADES],
    ]
    q = filters.apply(select(*cols)).group_by(key)
    medians: dict[str, tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    with engine.connect() as conn:
        rows = conn.execute(q).all()
        mq = filters.apply(select(key, FormRow.agg_total_c, FormRow.agg_recorded_c))
        for k, total, rec in conn.execute(mq):
            if total is not None:
                medians[str(k)][0].append(total)
            if rec is not None:
                medians[str(k)][1].append(rec)
    out = []
    for r in rows:
        k = str(r[0]) if r[0] not in (None, "") else "（未填）"
        comp, rec = medians.get(str(r[0]), ([], []))
        out.append(
            GroupRow(
                key=k,
                forms=r[1],
                planned=_dec(r[2], U),
                executed=_dec(r[3], U),
                mean_computed=_mean(r[4], r[5], C),
                median_computed=_median(comp, C),
                mean_recorded=_mean(r[6], r[7], C),
                median_recorded=_median(rec, C),
                recorded_forms=r[7],
                gap_base=_mean(r[8], r[7], C),
                errors=r[9] or 0,
                warnings=r[10] or 0,
                infos=r[11] or 0,
                indicators=r[12] or 0,
                grades={g: int(r[13 + i] or 0) for i, g in enumerate(GRADES)},
            )
        )
    return sorted(out, key=lambda g: (g.risk, g.key))


def _by_level1(engine: Engine, filters: Filters) -> list[GroupRow]:
    q = filters.apply(
        select(
            IndicatorRow.level1,
            func.count(func.distinct(IndicatorRow.form_id)),
            func.count(IndicatorRow.id),
            func.sum(IndicatorRow.agg_weight_u),
            func.sum(IndicatorRow.agg_score_u),
            func.sum(case((IndicatorRow.computed_status == "judgement", 1), else_=0)),
            func.sum(case((IndicatorRow.computed_status.in_(("missed", "partly")), 1), else_=0)),
            func.sum(case((IndicatorRow.computed_status == "invalid", 1), else_=0)),
        ).join(FormRow, FormRow.id == IndicatorRow.form_id)
    ).group_by(IndicatorRow.level1)
    out = []
    with engine.connect() as conn:
        for level1, forms, n, weight, score, judgement, missed, invalid in conn.execute(q):
            w = _dec(weight, W)
            sc = _dec(score, W)
            out.append(
                GroupRow(
                    key=level1 or "（未填）",
                    forms=forms,
                    planned=Decimal(0),
                    executed=Decimal(0),
                    mean_computed=(sc / n).quantize(C) if n else None,
                    median_computed=None,
                    mean_recorded=None,
                    median_recorded=None,
                    recorded_forms=0,
                    errors=invalid or 0,
                    warnings=judgement or 0,
                    infos=missed or 0,
                    indicators=n,
                    attainment=(sc / w) if w else None,
                )
            )
    return sorted(out, key=lambda g: (g.attainment or Decimal(0), g.key))


@dataclass(frozen=True, slots=True)
class FlaggedForm:
    id: int
    key: str
    total_computed: Decimal | None
    total_recorded: Decimal | None
    grade: str
    rate: Decimal | None
    errors: int
    warnings: int
    status: str


def flagged_forms(engine: Engine, filters: Filters | None = None, limit: int = 20) -> list[FlaggedForm]:
    """The forms with the most findings, worst first (read from the stored counts)."""
    filters = filters or Filters()
    gap = func.coalesce(FormRow.agg_recorded_c, FormRow.agg_total_c) - FormRow.agg_total_c
    q = filters.apply(
        select(
            FormRow.id,
            FormRow.year,
            FormRow.implementing_unit,
            FormRow.project_name,
            FormRow.agg_total_c,
            FormRow.agg_recorded_c,
            FormRow.computed_grade,
            FormRow.computed_rate,
            FormRow.agg_errors,
            FormRow.agg_warnings,
            FormRow.status,
        )
        .where((FormRow.agg_errors + FormRow.agg_warnings) > 0)
        .order_by(FormRow.agg_errors.desc(), FormRow.agg_warnings.desc(), gap.desc(), FormRow.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [
            FlaggedForm(
                id=r[0],
                key=f"{r[1]}/{r[2]}/{r[3]}",
                total_computed=_dec(r[4], C) if r[4] is not None else None,
                total_recorded=_dec(r[5], C) if r[5] is not None else None,
                grade=r[6],
                rate=r[7],
                errors=r[8],
                warnings=r[9],
                status=r[10],
            )
            for r in conn.execute(q)
        ]
