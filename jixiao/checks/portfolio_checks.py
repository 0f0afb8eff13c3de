"""Checks across forms: patterns a reviewer only sees with the whole portfolio.

Each check is a function ``(records: Sequence[FormRecord]) -> list[Finding]``
registered in ``PORTFOLIO_CHECKS``. Findings about one form carry its key;
a unit-level finding is attached to every form of that unit, and the
coverage finding to the department's own (整体支出) form.

Thresholds are data, at the top of this module.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal

from jixiao.checks.model import CheckSpec, Finding, FormRecord, form_label, is_trivial, normalise, squash
from scorer import numbers as fmt
from scorer import units
from scorer.cells import Cell, CellError, CellKind, Comparator, parse_cell
from scorer.model import Direction, FormKind
from scorer.result import IndicatorResult, Severity, Status

# ------------------------------------------------------------------- data

#: A form needs this many comparable rows before a whole-form pattern counts.
PATTERN_MIN_ROWS = 3
#: "Most rows" for the softer actual-equals-target pattern.
EQUALS_TARGET_MOST_SHARE = Decimal("0.6")
#: Narratives shorter than this (after removing whitespace) are too generic to call copied.
NARRATIVE_MIN_CHARS = 10
#: A recorded total this many points above the computed one is "far above".
RECORDED_FAR_ABOVE_POINTS = Decimal(5)
#: Robust z-score: flag a unit at or above this, only with at least this many units in a year.
OUTLIER_Z = Decimal("3.5")
OUTLIER_MIN_UNITS = 5
_MAD_SCALE = Decimal("0.6745")  # z = 0.6745 (x − median) / MAD  (Iglewicz & Hoaglin)
_MEANAD_SCALE = Decimal("1.253314")  # fallback when MAD = 0: z = (x − median) / (1.2533 · mean|x − median|)
#: Sandbagging: this year's target is "far below" last year's actual when under this share of it.
SANDBAG_MAX_RATIO = Decimal("0.9")

_TOL = Decimal("0.005")

PortfolioCheck = Callable[[Sequence[FormRecord]], list[Finding]]

_SPECS: dict[str, CheckSpec] = {}
PORTFOLIO_CHECKS: list[tuple[CheckSpec, PortfolioCheck]] = []
#: The checks that also read declarations (next year's plans); the others see self-evaluations only.
READS_PLANS: set[str] = set()


def check(
    id: str, severity: Severity, title: str, description: str, plans: bool = False
) -> Callable[[PortfolioCheck], PortfolioCheck]:
    def deco(fn: PortfolioCheck) -> PortfolioCheck:
        spec = CheckSpec(id, severity, title, description, "portfolio")
        if id in _SPECS:  # pragma: no cover - programming error
            raise ValueError(f"duplicate check id {id}")
        _SPECS[id] = spec
        PORTFOLIO_CHECKS.append((spec, fn))
        if plans:
            READS_PLANS.add(id)
        return fn

    return deco


def _finding(rec: FormRecord, check_id: str, detail: str, indicator: str = "", value: Decimal | None = None) -> Finding:
    return Finding(
        check_id=check_id,
        severity=_SPECS[check_id].severity,
        message=f"{form_label(rec.result.form)}：{detail}",
        form_key=rec.key,
        indicator=indicator,
        value=value,
    )


def _convert(value: Decimal, unit: str, to_unit: str) -> Decimal | None:
    """``value`` in ``unit`` expressed in ``to_unit``; a missing unit means "the same"; None if incompatible."""
    if not unit or not to_unit or unit == to_unit:
        return value
    try:
        a, b = units.resolve(unit), units.resolve(to_unit)
    except units.UnitError:
        return None
    if not a.compatible(b):
        return None
    return value * a.factor_to(b)


def _present(cell: Cell | None) -> bool:
    return cell is not None and cell.kind is not CellKind.EMPTY


# ------------------------------------------------- actual equals its target


def actual_equals_target(r: IndicatorResult) -> bool | None:
    """Whether the actual is exactly the target; None when the row has nothing to compare.

    Identical text counts (``≥4`` / ``≥4``, ``完成`` / ``完成``), and so does the same
    number in compatible units (``≥75户`` / ``75户``). A label target (定性指标) never equals.
    """
    t, a = r.target, r.actual
    if not _present(t) or not _present(a):
        return None
    assert t is not None and a is not None
    if squash(t.raw) == squash(a.raw):
        return True
    if not (t.is_numeric and a.is_numeric) or t.kind is not a.kind:
        return False
    if t.kind is CellKind.DATE:
        return t.date == a.date
    if t.value is None or a.value is None or t.comparator is Comparator.RANGE:
        return False
    if t.kind is CellKind.RANK:
        return t.value == a.value
    b = _convert(a.value, a.unit, t.unit)
    return b is not None and b == t.value


def _equal_share(rec: FormRecord) -> tuple[int, int]:
    """(rows equal to their target, comparable rows)."""
    flags = [actual_equals_target(r) for r in rec.result.scored]
    known = [f for f in flags if f is not None]
    return sum(1 for f in known if f), len(known)


@check(
    "actual-equals-target",
    Severity.WARNING,
    "实际完成值全部等于目标值",
    "On every comparable row (at least 3) the actual is exactly the target (75 户 for ≥75 户, 100% for "
    "100%). Real outcomes rarely land on the target everywhere: the actuals were probably copied from "
    "the targets, or the targets written after the fact.",
)
def every_actual_equals_target(records: Sequence[FormRecord]) -> list[Finding]:
    out = []
    for rec in records:
        equal, n = _equal_share(rec)
        if n >= PATTERN_MIN_ROWS and equal == n:
            out.append(
                _finding(rec, "actual-equals-target", f"全部 {n} 项指标的实际完成值都恰好等于目标值", value=Decimal(1))
            )
    return out


@check(
    "actual-equals-target-most",
    Severity.INFO,
    "实际完成值多数等于目标值",
    "The softer form of the pattern above: at least 60% (but not all) of the comparable rows report "
    "exactly the target.",
)
def most_actuals_equal_target(records: Sequence[FormRecord]) -> list[Finding]:
    out = []
    for rec in records:
        equal, n = _equal_share(rec)
        if n < PATTERN_MIN_ROWS or equal == n:
            continue
        share = Decimal(equal) / Decimal(n)
        if share >= EQUALS_TARGET_MOST_SHARE:
            out.append(
                _finding(
                    rec,
                    "actual-equals-target-most",
                    f"{n} 项指标中 {equal} 项（{fmt.percent(share)}）的实际完成值恰好等于目标值",
                    value=share,
                )
            )
    return out


# ----------------------------------------------------------- full marks


@check(
    "all-full-marks",
    Severity.WARNING,
    "每项指标均得满分",
    "Every indicator row (at least 3) has full marks, by the unit's recorded scores where it gave "
    "them, else by the rule scores. Published criticism of self-evaluations names exactly this.",
)
def all_full_marks(records: Sequence[FormRecord]) -> list[Finding]:
    out = []
    for rec in records:
        rows = rec.result.scored
        if len(rows) < PATTERN_MIN_ROWS:
            continue
        scores = [r.recorded.score if r.recorded is not None else r.score for r in rows]
        if any(s is None for s in scores) or any(r.weight <= 0 for r in rows):
            continue
        if all(r.weight - s <= _TOL for r, s in zip(rows, scores, strict=True) if s is not None):
            n_rec = sum(1 for r in rows if r.recorded is not None)
            source = "自评" if n_rec == len(rows) else "按规则计算，表中未自评" if n_rec == 0 else "自评及规则得分"
            out.append(_finding(rec, "all-full-marks", f"全部 {len(rows)} 项指标均得满分（{source}）"))
    return out


# -------------------------------------------------------- copied narrative

_NARRATIVES = (("deviation_analysis", "偏差原因分析"), ("improvement_measures", "改进措施"))


def _project_id(rec: FormRecord) -> tuple[str, str]:
    return normalise(rec.unit), normalise(rec.project)


@check(
    "copied-narrative",
    Severity.WARNING,
    "说明文字与其他项目雷同",
    "The 偏差原因分析 or 改进措施 text (ignoring whitespace; at least 10 characters; not just 无) is "
    "identical on forms of different projects: boilerplate copied instead of an analysis of this project.",
)
def copied_narrative(records: Sequence[FormRecord]) -> list[Finding]:
    out = []
    for attr, label in _NARRATIVES:
        groups: dict[str, list[FormRecord]] = {}
        for rec in records:
            text = getattr(rec.result.form, attr)
            key = squash(text)
            if is_trivial(text) or len(key) < NARRATIVE_MIN_CHARS:
                continue
            groups.setdefault(key, []).append(rec)
        for group in groups.values():
            names: dict[tuple[str, str], str] = {}
            for r in group:
                names.setdefault(_project_id(r), r.project)
            if len(names) < 2:
                continue
            for rec in group:
                own = _project_id(rec)
                others = [name for pid, name in names.items() if pid != own]
                listed = "、".join(f"「{n}」" for n in others[:3]) + (" 等" if len(others) > 3 else "")
                out.append(
                    _finding(
                        rec,
                        "copied-narrative",
                        f"{label}与另外 {len(others)} 个项目的表单完全相同（{listed}）",
                        value=Decimal(len(others)),
                    )
                )
    return out


# ------------------------------------------------------------ recorded totals


@check(
    "recorded-far-above",
    Severity.WARNING,
    "自评总分远高于规则总分",
    "The unit's recorded total is at least 5 points above the total the rules give (forms with rows "
    "pending judgement are skipped, their computed total being incomplete). The typical inflated score.",
)
def recorded_far_above(records: Sequence[FormRecord]) -> list[Finding]:
    out = []
    for rec in records:
        res = rec.result
        if res.total_recorded is None or res.pending:
            continue
        diff = fmt.q2(res.total_recorded) - res.total_computed
        if diff >= RECORDED_FAR_ABOVE_POINTS:
            out.append(
                _finding(
                    rec,
                    "recorded-far-above",
                    f"自评总分 {fmt.score(res.total_recorded)} 比规则总分 {fmt.score(res.total_computed)} "
                    f"高 {fmt.score(diff)} 分",
                    value=diff,
                )
            )
    return out


# ------------------------------------------------------------- unit outlier


def _self_score(rec: FormRecord) -> Decimal:
    res = rec.result
    return res.total_recorded if res.total_recorded is not None else res.total_computed


def robust_z(values: dict[str, Decimal]) -> dict[str, Decimal]:
    """Modified z-scores (median and MAD; mean absolute deviation when MAD is 0). Empty when no spread."""
    xs = list(values.values())
    med = Decimal(statistics.median(xs))
    dev = [abs(x - med) for x in xs]
    mad = Decimal(statistics.median(dev))
    if mad > 0:
        return {k: _MAD_SCALE * (v - med) / mad for k, v in values.items()}
    mean_ad = sum(dev, Decimal(0)) / len(dev)
    if mean_ad > 0:
        return {k: (v - med) / (_MEANAD_SCALE * mean_ad) for k, v in values.items()}
    return {}


@check(
    "unit-outlier",
    Severity.WARNING,
    "单位得分远高于同类单位",
    "A unit's mean total (recorded where given, else computed) is far above the other units of the "
    "same year: robust z = 0.6745·(x − median)/MAD ≥ 3.5, computed only with at least 5 units. "
    "Reported on each of the unit's forms.",
)
def unit_outlier(records: Sequence[FormRecord]) -> list[Finding]:
    out = []
    by_year: dict[int | None, dict[str, list[FormRecord]]] = {}
    for rec in records:
        by_year.setdefault(rec.year, {}).setdefault(rec.unit, []).append(rec)
    for year, by_unit in by_year.items():
        if len(by_unit) < OUTLIER_MIN_UNITS:
            continue
        means = {u: sum((_self_score(r) for r in rs), Decimal(0)) / len(rs) for u, rs in by_unit.items()}
        zs = robust_z(means)
        med = Decimal(statistics.median(list(means.values())))
        for unit, z in zs.items():
            if z < OUTLIER_Z:
                continue
            for rec in by_unit[unit]:
                out.append(
                    _finding(
                        rec,
                        "unit-outlier",
                        f"实施单位「{unit}」{year or ''}年 {len(by_unit[unit])} 份表单平均得分 "
                        f"{fmt.score(means[unit])}，同年 {len(means)} 个单位的中位数 {fmt.score(med)}，"
                        f"稳健 z 值 {fmt.score(z)}（≥ {OUTLIER_Z}）",
                        value=fmt.q2(z),
                    )
                )
    return out


# -------------------------------------------------------------- sandbagging


def _number(cell: Cell | None) -> Cell | None:
    if cell is None or cell.kind is not CellKind.QUANTITY or cell.value is None:
        return None
    if cell.comparator in (Comparator.RANGE, Comparator.LE, Comparator.LT):
        return None
    return cell


def _original_target(r: IndicatorResult) -> Cell | None:
    """The 年初目标值 as set at budget time (not the mid-year adjusted one)."""
    if not r.indicator.adjusted_target:
        return r.target
    try:
        return parse_cell(r.indicator.target)
    except CellError:
        return None


def _indicator_index(records: Iterable[FormRecord]) -> dict[tuple[str, str, str, int], IndicatorResult]:
    index: dict[tuple[str, str, str, int], IndicatorResult] = {}
    for rec in records:
        if rec.year is None:
            continue
        for r in rec.result.indicators:
            index.setdefault((*_project_id(rec), normalise(r.indicator.name), rec.year), r)
    return index


@check(
    "sandbagging",
    Severity.WARNING,
    "目标值低于上年实际完成值",
    "For the same unit, project and indicator, this year's 年初目标值 (a positive, numeric target) is "
    "far below last year's actual — under 90% of it, in compatible units. A target set under what was "
    "already achieved guarantees a 'met' row: sandbagging.",
)
def sandbagging(records: Sequence[FormRecord]) -> list[Finding]:
    index = _indicator_index(records)
    out = []
    for rec in records:
        if rec.year is None:
            continue
        for r in rec.result.indicators:
            if r.direction != Direction.POSITIVE or r.status is Status.INVALID:
                continue
            prev = index.get((*_project_id(rec), normalise(r.indicator.name), rec.year - 1))
            if prev is None:
                continue
            target, last = _number(_original_target(r)), _number(prev.actual)
            if target is None or last is None or target.value is None or last.value is None:
                continue
            last_value = _convert(last.value, last.unit, target.unit)
            if last_value is None or last_value <= 0:
                continue
            ratio = target.value / last_value
            if ratio >= SANDBAG_MAX_RATIO:
                continue
            unit = target.unit or last.unit
            out.append(
                _finding(
                    rec,
                    "sandbagging",
                    f"指标「{r.indicator.name}」{rec.year} 年目标值「{r.indicator.target}」低于 {rec.year - 1} 年"
                    f"实际完成值「{prev.indicator.actual}」（{fmt.plain(target.value)}{unit} < "
                    f"{fmt.plain(last_value)}{unit}，为上年实际的 {fmt.percent(ratio)}）",
                    r.indicator.name,
                    ratio,
                )
            )
    return out


# ------------------------------------------------------------------ coverage


@check(
    "project-coverage",
    Severity.INFO,
    "项目自评覆盖率",
    "When a department form states 项目支出总额, the 预算数 of that department's project forms of the "
    "same year are summed and compared with it; the coverage percentage (value = ratio) tells how much "
    "project spending was self-evaluated at all (policy asks for full coverage).",
)
def project_coverage(records: Sequence[FormRecord]) -> list[Finding]:
    out = []
    projects: dict[tuple[int | None, str], list[FormRecord]] = {}
    for r in records:
        if r.result.form.form_kind is FormKind.PROJECT:
            projects.setdefault((r.year, normalise(r.department)), []).append(r)
    for dept in records:
        form = dept.result.form
        total = form.budget.project_expenditure
        if form.form_kind is not FormKind.DEPARTMENT or total is None or total <= 0:
            continue
        names = {normalise(x) for x in (form.department, form.implementing_unit) if x}
        mine = [p for name in sorted(names) for p in projects.get((dept.year, name), [])]
        covered = sum((p.result.form.budget.planned or Decimal(0) for p in mine), Decimal(0))
        ratio = covered / total
        gap = total - covered
        # exact, as the two amounts it is the difference of (0.0005 was 「尚有 0 万元」 beside a total not met)
        tail = f"，尚有 {fmt.money(gap)} 万元未见自评表" if gap > 0 else "，超过项目支出总额，请核对"
        if covered == total:
            tail = ""
        out.append(
            _finding(
                dept,
                "project-coverage",
                f"{dept.year or ''}年项目支出总额 {fmt.money(total)} 万元，已有自评表的 {len(mine)} 个项目"
                f"预算数合计 {fmt.money(covered)} 万元，覆盖 {fmt.percent(ratio)}{tail}",
                value=ratio,
            )
        )
    return out


def portfolio_specs() -> dict[str, CheckSpec]:
    return dict(_SPECS)
