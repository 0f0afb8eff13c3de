"""Portfolio aggregates computed in the database, exact on every back end.

Sums run over the integer copies kept beside each form (hundredths of a
point, millionths of 万元), so SQLite and PostgreSQL give the same exact
Decimals; only the per-group medians need the one-number-per-form column.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Engine, or_

from jixiao.review.groupings import GRADES, GROUPINGS
from jixiao.review.sql_groups import C, U, W, exact_mean, group_rows, level1_rows, worst_trusted
from jixiao.review.trusted import FormNumbers, IndicatorNumbers, form_numbers, indicator_numbers, numbers_of
from jixiao.storage.models import FormRow
from jixiao.storage.store import FormStore
from scorer.numbers import q2


@dataclass(frozen=True, slots=True)
class Filters:
    year: int | None = None
    department: str | None = None
    unit: str | None = None
    status: str | None = None
    # the names as a group of the review holds them (the TUI's drill-down), not text they contain:
    # 区教育局 is not 区教育局后勤服务中心, and 「（未填）」 (an empty name) is not every form
    exact: bool = False

    def apply(self, q):
        q = q.where(FormRow.stage == "evaluation")  # a declaration has targets only: nothing to review yet
        if self.year is not None:
            q = q.where(FormRow.year == self.year)
        if self.exact:
            for col, name in ((FormRow.department, self.department), (FormRow.implementing_unit, self.unit)):
                if name is not None:
                    q = q.where(col == name if name else or_(col == "", col.is_(None)))
            return q.where(FormRow.status == self.status) if self.status else q
        if self.department:
            q = q.where(FormRow.department.contains(self.department, autoescape=True))  # 「_」「%」 as typed
        if self.unit:
            q = q.where(FormRow.implementing_unit.contains(self.unit, autoescape=True))
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
    kind: str = "project"  # "department": 部门整体支出 forms, whose budget already holds the projects'

    @property
    def label(self) -> str:
        """The group's name as shown: department-level forms are never added to project forms."""
        return f"{self.key}（部门整体支出）" if self.kind == "department" else self.key

    # the money of the forms that state both amounts: a form without its 执行数 is not spent at 0%
    rate_planned: Decimal = Decimal(0)
    rate_executed: Decimal = Decimal(0)

    @property
    def rate(self) -> Decimal | None:
        """Budget-weighted execution rate: Σ执行数 / Σ预算数 over the forms that state both."""
        return self.rate_executed / self.rate_planned if self.rate_planned else None

    @property
    def gap(self) -> Decimal | None:
        """Mean recorded minus mean computed, over the forms that record a total."""
        return self.gap_value

    # the mean of (recorded − computed) over the forms that record a total, rounded once: the
    # difference of two rounded means was up to 0.01 off (1.72 for 1.71)
    gap_value: Decimal | None = None

    @property
    def risk(self) -> tuple[int, int, Decimal, Decimal]:
        """Sort key, worst first: errors, warnings, inflation gap, low score."""
        return (-self.errors, -self.warnings, -(self.gap or Decimal(0)), self.mean_computed or Decimal(0))


def _dec(value: int | None, unit: Decimal) -> Decimal:
    return Decimal(value or 0) * unit


def _median(values: list[int], unit: Decimal) -> Decimal | None:
    """The median, rounded half up to two places once (``quantize`` alone rounds half to even)."""
    if not values:
        return None
    ordered = sorted(values)
    low, high = ordered[(len(ordered) - 1) // 2], ordered[len(ordered) // 2]
    return q2(Decimal(low + high) * unit / 2)


_KEYS = {"unit": "implementing_unit", "department": "department", "grade": "grade", "year": "year"}


def aggregate(engine: Engine, by: str = "unit", filters: Filters | None = None) -> list[GroupRow]:
    """The review table grouped by unit, department, grade, year or 一级指标; worst first.

    Sums run over exact integers, per form, from the verdicts the database vouches
    for; forms changed by an untrusted writer are recomputed (review/trusted.py).
    """
    if by not in GROUPINGS:
        raise ValueError(f"未知的分组「{by}」；可用：{', '.join(GROUPINGS)}")
    filters = filters or Filters()
    if by == "level1":
        return _by_level1(engine, filters)
    summed = group_rows(engine, by, filters.apply)  # None when a kept form must be recomputed
    out = summed if summed is not None else summed_here(engine, by, filters)
    return sorted(out, key=lambda g: (g.risk, g.key, g.kind))


def summed_here(engine: Engine, by: str, filters: Filters) -> list[GroupRow]:
    """The review table's rows summed in Python, doubtful forms recomputed (unsorted)."""
    # a 部门整体支出 form's budget already contains its projects': the two kinds are never summed
    groups: dict[tuple[str, str], list[FormNumbers]] = defaultdict(list)
    for f in form_numbers(engine, filters.apply):
        kind = "department" if f.form_kind == "department" else "project"
        groups[(str(getattr(f, _KEYS[by])), kind)].append(f)
    return [_group_row(k, forms, kind) for (k, kind), forms in groups.items()]


def _group_row(key: str, forms: list[FormNumbers], kind: str = "project") -> GroupRow:
    totals = [f.total_c for f in forms if f.total_c is not None]
    recorded = [f for f in forms if f.recorded_c is not None]
    rec_values = [f.recorded_c for f in recorded if f.recorded_c is not None]
    both = [f for f in forms if f.planned_u is not None and f.executed_u is not None]
    return GroupRow(
        key=key if key not in ("None", "") else "（未填）",
        forms=len(forms),
        planned=_dec(sum(f.planned_u or 0 for f in forms), U),
        executed=_dec(sum(f.executed_u or 0 for f in forms), U),
        rate_planned=_dec(sum(f.planned_u or 0 for f in both), U),
        rate_executed=_dec(sum(f.executed_u or 0 for f in both), U),
        mean_computed=exact_mean(sum(totals), len(totals), C),
        median_computed=_median(totals, C),
        mean_recorded=exact_mean(sum(rec_values), len(rec_values), C),
        median_recorded=_median(rec_values, C),
        recorded_forms=len(recorded),
        gap_value=exact_mean(sum(rec_values) - sum(f.total_c or 0 for f in recorded), len(recorded), C),
        errors=sum(f.errors for f in forms),
        warnings=sum(f.warnings for f in forms),
        infos=sum(f.infos for f in forms),
        indicators=sum(f.indicators for f in forms),
        grades={g: sum(1 for f in forms if f.grade == g) for g in GRADES},
        kind=kind,
    )


def _by_level1(engine: Engine, filters: Filters) -> list[GroupRow]:
    summed = level1_rows(engine, filters.apply)  # None when a kept form must be recomputed
    out = summed if summed is not None else level1_here(engine, filters)
    return sorted(out, key=lambda g: (g.attainment or Decimal(0), g.key))


def level1_here(engine: Engine, filters: Filters) -> list[GroupRow]:
    """The review by 一级指标 summed in Python, doubtful forms recomputed (unsorted)."""
    groups: dict[str, list[IndicatorNumbers]] = defaultdict(list)
    for i in indicator_numbers(engine, filters.apply):
        if i.weight_u is not None:  # a parent row (父项) is its sub-rows summed: they are counted, not it
            groups[i.level1 or "（未填）"].append(i)
    out = []
    for level1, rows in groups.items():
        n = len(rows)
        w = _dec(sum(r.weight_u or 0 for r in rows), W)
        sc = _dec(sum(r.score_u or 0 for r in rows), W)
        out.append(
            GroupRow(
                key=level1,
                forms=len({r.form_id for r in rows}),
                planned=Decimal(0),
                executed=Decimal(0),
                mean_computed=q2(sc / n) if n else None,
                median_computed=None,
                mean_recorded=None,
                median_recorded=None,
                recorded_forms=0,
                errors=sum(1 for r in rows if r.status == "invalid"),
                warnings=sum(1 for r in rows if r.status == "judgement"),
                infos=sum(1 for r in rows if r.status in ("missed", "partly")),
                indicators=n,
                attainment=(sc / w) if w else None,
            )
        )
    return out


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
    """The forms with the most findings, worst first (stored counts where trusted, else recomputed)."""
    return flagged_and_count(engine, filters, limit)[0]


def flagged_and_count(engine: Engine, filters: Filters | None = None, limit: int = 20) -> tuple[list[FlaggedForm], int]:
    """``flagged_forms``, and how many filtered forms have an error or a warning of their own (the
    list is the worst ``limit`` of them; every output says how many there are): the doubtful forms
    recomputed once for both, where counting them apart scored each again."""
    from sqlalchemy import func, select

    from jixiao.review.trusted import snapshot
    from jixiao.storage.verdict_stamp import vouched

    filters = filters or Filters()
    worst, doubtful = worst_trusted(engine, filters.apply, limit)
    own = func.coalesce(FormRow.agg_errors, 0) + func.coalesce(FormRow.agg_warnings, 0)
    with snapshot(engine) as conn:
        trusted = conn.execute(filters.apply(select(func.count(FormRow.id))).where(vouched(), own > 0)).scalar_one()
    recomputed = FormStore(engine, actor="审核").recomputed_rows(doubtful) if doubtful else []
    flagged_doubtful = [f for f in (numbers_of(r, False) for r in recomputed) if f.errors + f.warnings > 0]
    forms = [f for f in worst if f.errors + f.warnings > 0] + flagged_doubtful

    def gap(f: FormNumbers) -> int:
        return (f.recorded_c if f.recorded_c is not None else f.total_c or 0) - (f.total_c or 0)

    forms.sort(key=lambda f: (-f.errors, -f.warnings, -gap(f), f.id))
    shown = [
        FlaggedForm(
            id=f.id,
            key=f"{f.year}/{f.implementing_unit}/{f.project_name}",
            total_computed=_dec(f.total_c, C) if f.total_c is not None else None,
            total_recorded=_dec(f.recorded_c, C) if f.recorded_c is not None else None,
            grade=f.grade,
            rate=f.rate,
            errors=f.errors,
            warnings=f.warnings,
            status=f.status,
        )
        for f in forms[:limit]
    ]
    return shown, int(trusted) + len(flagged_doubtful)


def flagged_note(total: int, shown: int) -> str:
    """The statement of a flagged list that lists only the worst forms ("" when it lists them all)."""
    if total <= shown:
        return ""
    return f"有表内错误或警告的表单共 {total} 份，只列出最严重的 {shown} 份；--limit N 可列出更多，或加筛选条件缩小范围"
