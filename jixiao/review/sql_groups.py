"""The review table summed by the database, when it vouches for every form it would sum.

``aggregate`` used to read one row per form (and, by 一级指标, one per indicator) and sum in
Python: at a province's 670,000 forms that is seconds per grouping, and at ten million
indicators tens of seconds. The sums here are the same ones, over the same exact integer columns
(hundredths of a point, millionths of 万元, ten-thousandths for indicators), done by
``GROUP BY``. Medians: on PostgreSQL a group's lower and upper middle value by ordered-set
aggregates in the same query; on SQLite a window query that returns only the middle rows.
Only forms whose stored verdict stands (``verdict_stamp.vouched``: trusted, and computed by this jixiao) can be summed
this way: if any kept form is doubtful, these functions return None and the caller takes the
Python path, which recomputes those forms. Every read of one review runs in one snapshot.
``tests/test_review_sql.py`` holds the two paths to giving the same table on both back ends.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, and_, case, func, literal_column, select

from jixiao.review.groupings import GRADES
from jixiao.review.trusted import FORM_COLUMNS, numbers_of, snapshot
from jixiao.storage.models import FormRow, IndicatorRow
from jixiao.storage.verdict_stamp import vouched
from scorer.numbers import q2

C = Decimal("0.01")  # the exact integer copies: hundredths of a point,
U = Decimal("0.000001")  # millionths of 万元,
W = Decimal("0.0001")  # ten-thousandths of a point (indicators)

_KEY_COLUMNS = {
    "unit": FormRow.implementing_unit,
    "department": FormRow.department,
    "grade": FormRow.computed_grade,
    "year": FormRow.year,
}


def _kind() -> Any:
    """'department' or 'project', written inline: PostgreSQL matches a GROUP BY expression to the
    selected one by its text, and bound parameters would make the two texts differ."""
    dept: Any = literal_column("'department'")
    return case((FormRow.form_kind == dept, dept), else_=literal_column("'project'"))


def _sums(key: Any, pg: bool) -> Any:
    def total(col: Any) -> Any:
        return func.coalesce(func.sum(col), 0)

    recorded = FormRow.agg_recorded_c.is_not(None)
    both = and_(FormRow.agg_planned_u.is_not(None), FormRow.agg_executed_u.is_not(None))
    return select(
        key.label("k"),
        _kind().label("kind"),
        func.count(),
        total(FormRow.agg_planned_u),
        total(FormRow.agg_executed_u),
        total(FormRow.agg_total_c),
        func.count(FormRow.agg_total_c),
        total(FormRow.agg_recorded_c),
        func.count(FormRow.agg_recorded_c),
        total(case((recorded, func.coalesce(FormRow.agg_total_c, 0)), else_=0)),
        total(FormRow.agg_errors),
        total(FormRow.agg_warnings),
        total(FormRow.agg_infos),
        total(FormRow.agg_indicators),
        total(case((both, FormRow.agg_planned_u), else_=0)),
        total(case((both, FormRow.agg_executed_u), else_=0)),
        *(total(case((FormRow.computed_grade == g, 1), else_=0)) for g in GRADES),
        *((*_pg_middles(FormRow.agg_total_c), *_pg_middles(FormRow.agg_recorded_c)) if pg else ()),
    )


def _middles(conn: Any, filtered: Any, key: Any, value: Any) -> dict[tuple[Any, str], Decimal]:
    """Each group's median of ``value`` (in hundredths), from only its one or two middle rows."""
    part = (key, _kind())
    inner = filtered(
        select(
            key.label("k"),
            _kind().label("kind"),
            value.label("v"),
            func.row_number().over(partition_by=part, order_by=value).label("rn"),
            func.count().over(partition_by=part).label("n"),
        )
    ).where(and_(vouched(), value.is_not(None)))
    sub = inner.subquery()
    twice = sub.c.rn * 2
    q = select(sub.c.k, sub.c.kind, sub.c.v).where((twice == sub.c.n) | (twice == sub.c.n + 1) | (twice == sub.c.n + 2))
    found: dict[tuple[Any, str], list[int]] = defaultdict(list)
    for k, kind, v in conn.execute(q):
        found[(k, kind)].append(int(v))
    return {g: q2(Decimal(sum(vs)) * C / len(vs)) for g, vs in found.items()}


def _pg_middles(value: Any) -> tuple[Any, Any]:
    """PostgreSQL: a group's lower and upper middle value of ``value`` (equal when the count is
    odd), as ordered-set aggregates in the same GROUP BY; NULLs are left out, as in Python."""
    return (
        func.percentile_disc(0.5).within_group(value.asc()),
        func.percentile_disc(0.5).within_group(value.desc()),
    )


def _median(low: Any, high: Any) -> Decimal | None:
    return None if low is None else q2(Decimal(int(low) + int(high)) * C / 2)


def _medians(conn: Any, filtered: Any, key: Any, rows: list[Any], pg: bool) -> tuple[dict[Any, Any], dict[Any, Any]]:
    """Each group's median total and median recorded total, keyed by (key, kind)."""
    if pg:  # taken by the sums query itself: its last four columns
        return (
            {(r[0], r[1]): _median(r[-4], r[-3]) for r in rows},
            {(r[0], r[1]): _median(r[-2], r[-1]) for r in rows},
        )
    return _middles(conn, filtered, key, FormRow.agg_total_c), _middles(conn, filtered, key, FormRow.agg_recorded_c)


def _windows_ok(engine: Engine) -> bool:
    """SQLite has window functions from 3.25 (2018); an older library takes the Python path."""
    if engine.dialect.name != "sqlite":
        return True
    import sqlite3

    return sqlite3.sqlite_version_info >= (3, 25, 0)


def exact_mean(total: Any, n: int, unit: Decimal = C) -> Decimal | None:
    """The mean of ``n`` values summing to ``total`` (in ``unit``), rounded half up to two places
    (90.025 is 90.03: ``quantize`` alone rounds half to even, 90.02); None for none."""
    return q2(Decimal(int(total or 0)) * unit / n) if n else None


def _any_doubtful(conn: Any, filtered: Any) -> bool:
    """Whether a kept form's verdict is one the database does not vouch for (the partial index answers)."""
    return conn.execute(filtered(select(FormRow.id)).where(~vouched()).limit(1)).first() is not None


def group_rows(engine: Engine, by: str, filtered: Any) -> list[Any] | None:
    """The review table's rows (unsorted) summed in SQL, or None when a kept form is doubtful."""
    from jixiao.review.aggregate import GroupRow

    key = _KEY_COLUMNS[by]
    pg = engine.dialect.name == "postgresql"
    if not pg and not _windows_ok(engine):
        return None
    with snapshot(engine) as conn:
        if _any_doubtful(conn, filtered):
            return None
        rows = list(conn.execute(filtered(_sums(key, pg)).where(vouched()).group_by(key, _kind())))
        if len({(str(r[0]), r[1]) for r in rows}) < len(rows):
            return None  # two stored keys read the same (NULL and "None"): the Python path merges them
        medians, recorded_medians = _medians(conn, filtered, key, rows, pg)
    out = []
    for row in rows:
        k, kind, n, planned, executed, tot, n_tot, rec, n_rec, tot_rec, err, warn, info, inds = row[:14]
        rate_planned, rate_executed = row[14:16]
        grades = row[16 : 16 + len(GRADES)]
        shown = str(k)
        out.append(
            GroupRow(
                key=shown if shown not in ("None", "") else "（未填）",
                forms=int(n),
                planned=Decimal(int(planned)) * U,
                executed=Decimal(int(executed)) * U,
                rate_planned=Decimal(int(rate_planned)) * U,
                rate_executed=Decimal(int(rate_executed)) * U,
                mean_computed=exact_mean(tot, int(n_tot)),
                median_computed=medians.get((k, kind)),
                mean_recorded=exact_mean(rec, int(n_rec)),
                median_recorded=recorded_medians.get((k, kind)),
                recorded_forms=int(n_rec),
                gap_value=exact_mean(int(rec) - int(tot_rec), int(n_rec)),
                errors=int(err),
                warnings=int(warn),
                infos=int(info),
                indicators=int(inds),
                grades={g: int(c) for g, c in zip(GRADES, grades, strict=True)},
                kind=kind,
            )
        )
    return out


def worst_trusted(engine: Engine, filtered: Any, limit: int) -> tuple[list[Any], list[int]]:
    """The ``limit`` trusted forms with findings, worst first as ``flagged_forms`` orders them,
    and the ids of the doubtful forms (which the caller recomputes and merges in)."""
    errors = func.coalesce(FormRow.agg_errors, 0)
    warnings = func.coalesce(FormRow.agg_warnings, 0)
    total = func.coalesce(FormRow.agg_total_c, 0)
    gap = func.coalesce(FormRow.agg_recorded_c, FormRow.agg_total_c, 0) - total
    q = (
        filtered(select(*FORM_COLUMNS))
        .where(vouched(), errors + warnings > 0)
        .order_by(errors.desc(), warnings.desc(), gap.desc(), FormRow.id)
        .limit(limit)
    )
    with snapshot(engine) as conn:
        worst = [numbers_of(r, True) for r in conn.execute(q)]
        doubtful = list(conn.execute(filtered(select(FormRow.id)).where(~vouched())).scalars())
    return worst, doubtful


def level1_rows(engine: Engine, filtered: Any) -> list[Any] | None:
    """The review by 一级指标 summed in SQL over the indicator rows (unsorted), or None when a kept
    form is doubtful: ``_by_level1``'s sums, without reading every indicator into Python."""
    from jixiao.review.aggregate import GroupRow

    unnamed: Any = literal_column("'（未填）'")
    level1 = func.coalesce(func.nullif(IndicatorRow.level1, literal_column("''")), unnamed)
    status = IndicatorRow.computed_status

    def count_of(*states: str) -> Any:
        return func.coalesce(func.sum(case((status.in_([literal_column(f"'{s}'") for s in states]), 1), else_=0)), 0)

    q = select(
        level1,
        func.count(),
        func.count(func.distinct(IndicatorRow.form_id)),
        func.coalesce(func.sum(IndicatorRow.agg_weight_u), 0),
        func.coalesce(func.sum(IndicatorRow.agg_score_u), 0),
        count_of("invalid"),
        count_of("judgement"),
        count_of("missed", "partly"),
    ).join(FormRow, FormRow.id == IndicatorRow.form_id)
    leaf = IndicatorRow.agg_weight_u.is_not(None)  # a parent row (父项) is its sub-rows summed: not counted again
    with snapshot(engine) as conn:
        if _any_doubtful(conn, filtered):
            return None
        rows = list(conn.execute(filtered(q).where(vouched(), leaf).group_by(level1)))
    out = []
    for key, n, forms, weight, score, errors, warnings, infos in rows:
        w, sc = Decimal(int(weight)) * W, Decimal(int(score)) * W
        out.append(
            GroupRow(
                key=key,
                forms=int(forms),
                planned=Decimal(0),
                executed=Decimal(0),
                mean_computed=q2(sc / int(n)) if n else None,
                median_computed=None,
                mean_recorded=None,
                median_recorded=None,
                recorded_forms=0,
                errors=int(errors),
                warnings=int(warnings),
                infos=int(infos),
                indicators=int(n),
                attainment=(sc / w) if w else None,
            )
        )
    return out
