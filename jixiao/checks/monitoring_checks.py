"""Deviation warnings (偏差预警) on a monitoring snapshot, and the year-end checks against it.

Mid-year: spending behind the rule set's schedule, an indicator's pace against its pro-rata
target (the platform's colours: red, yellow, blue for over-pace), spending and target progress
far apart, and a forecast of a miss without its cause or correction. At year end, with the
self-evaluated form: "predicted on track, missed" and "a correction promised, not reported".
Thresholds are the rule set's ``[monitoring]`` table.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

from jixiao.checks.model import CheckSpec, Finding, is_trivial, normalise
from jixiao.checks.portfolio_checks import _convert
from jixiao.checks.registry import StageChecks
from scorer import numbers as fmt
from scorer.cells import CellError, CellKind, Comparator, read_cell
from scorer.monitoring import Forecast, Progress, Snapshot
from scorer.result import FormResult, IndicatorResult, Severity, Status

STAGE = StageChecks("monitoring")
check, _found = STAGE.check, STAGE.found
_HUNDRED = Decimal(100)


def spending_share(result: FormResult, snap: Snapshot) -> Decimal | None:
    """Executed so far as a percentage of the year's budget (the snapshot's, else the form's)."""
    planned = snap.planned if snap.planned is not None else result.form.budget.planned
    if snap.executed is None or not planned:
        return None
    return snap.executed / planned * _HUNDRED


def completion(r: IndicatorResult, p: Progress) -> Decimal | None:
    """Progress to date as a percentage of the year's target, for an "at least" number in compatible units."""
    target = r.target
    if target is None or target.kind is not CellKind.QUANTITY or not target.value:
        return None
    if target.comparator not in (Comparator.GE, Comparator.GT, Comparator.NONE, Comparator.EQ):
        return None
    try:
        done = read_cell(p.to_date) if p.to_date else None
    except CellError:
        return None
    if done is None or isinstance(done, CellError) or done.kind is not CellKind.QUANTITY or done.value is None:
        return None
    value = _convert(done.value, done.unit, target.unit)
    return None if value is None else value / target.value * _HUNDRED


def _pairs(result: FormResult, snap: Snapshot) -> list[tuple[IndicatorResult, Progress]]:
    out = []
    for r in result.indicators:
        p = snap.row_for(r.indicator)
        if p is not None and r.weight_source != "children":
            out.append((r, p))
    return out


@check(
    "monitoring-row-unmatched",
    Severity.WARNING,
    "监控记录的指标在表单中找不到",
    "A row of the snapshot names an indicator (by stable identity, else by name) that the form does not "
    "have: its progress is not counted anywhere until the name is corrected.",
)
def row_unmatched(result: FormResult, snap: Snapshot) -> list[Finding]:
    matched = {id(p) for r in result.indicators if (p := snap.row_for(r.indicator)) is not None}
    return [
        _found(result, "monitoring-row-unmatched", f"监控记录中的指标「{p.indicator}」在表单中找不到", p.indicator)
        for p in snap.rows
        if id(p) not in matched
    ]


@check(
    "progress-unreadable",
    Severity.WARNING,
    "监控完成情况无法识别",
    "A row's progress to date (1–N月执行情况) cannot be read as a cell (a comparator without a number, an "
    "unknown unit): its pace is not computed.",
)
def progress_unreadable(result: FormResult, snap: Snapshot) -> list[Finding]:
    out = []
    for r, p in _pairs(result, snap):
        if not p.to_date.strip():
            continue
        try:
            done = read_cell(p.to_date)
        except CellError as exc:
            done = exc
        if isinstance(done, CellError):
            out.append(
                _found(
                    result,
                    "progress-unreadable",
                    f"指标「{r.indicator.name}」1–{snap.months}月完成「{p.to_date}」无法识别：{done.reason}",
                    r.indicator.name,
                )
            )
    return out


@check(
    "spending-behind",
    Severity.WARNING,
    "支出进度滞后",
    "By the end of the snapshot's month, the executed share of the budget is below the rule set's "
    "schedule ([monitoring] spending; shipped: 25/40/60/80% at the end of months 4/6/8/10).",
)
def spending_behind(result: FormResult, snap: Snapshot) -> list[Finding]:
    share = spending_share(result, snap)
    due = [(m, s) for m, s in result.rules.monitoring_spending if m <= snap.months]
    if share is None or not due or share >= due[-1][1]:
        return []
    month, expected = due[-1]
    return [
        _found(
            result,
            "spending-behind",
            f"1–{snap.months}月执行 {fmt.money(snap.executed)} 万元，执行率 {fmt.plain(fmt.q2(share))}%，"
            f"低于{month}月末应达到的 {fmt.plain(expected)}%",
            value=share,
        )
    ]


@check(
    "indicator-pace",
    Severity.WARNING,
    "指标进度偏慢或超前",
    "An indicator's progress to date against its pro-rata target, actual ÷ (target ÷ 12 × months) × 100: "
    "below pace_red (60) is red, a warning; below pace_yellow (80) is yellow and at or above pace_blue "
    "(120) is blue (over-pace: the target may be set too low), both information.",
)
def indicator_pace(result: FormResult, snap: Snapshot) -> list[Finding]:
    rules, out = result.rules, []
    for r, p in _pairs(result, snap):
        done = completion(r, p)
        if done is None:
            continue
        pace = done * 12 / snap.months
        if pace < rules.pace_red:
            colour, severity = "红色", Severity.WARNING
        elif pace < rules.pace_yellow:
            colour, severity = "黄色", Severity.INFO
        elif pace >= rules.pace_blue:
            colour, severity = "蓝色（超进度）", Severity.INFO
        else:
            continue
        f = _found(
            result,
            "indicator-pace",
            f"指标「{r.indicator.name}」1–{snap.months}月完成「{p.to_date}」，为全年目标「{r.indicator.target}」的 "
            f"{fmt.plain(fmt.q2(done))}%，进度 {fmt.plain(fmt.q2(pace))}%：{colour}",
            r.indicator.name,
            pace,
        )
        out.append(Finding(f.check_id, severity, f.message, f.form_key, f.indicator, f.value))
    return out


@check(
    "spending-progress-gap",
    Severity.WARNING,
    "支出进度与目标进度不匹配",
    "The executed share and the mean completion of the numeric indicators (each capped at 100%) differ "
    "by more than the rule set's gap (10 points): money spent without results, or results claimed "
    "without money.",
)
def spending_progress_gap(result: FormResult, snap: Snapshot) -> list[Finding]:
    share = spending_share(result, snap)
    done = [min(d, _HUNDRED) for r, p in _pairs(result, snap) if (d := completion(r, p)) is not None]
    if share is None or not done:
        return []
    progress = sum(done, Decimal(0)) / len(done)
    gap = share - progress
    if abs(gap) <= result.rules.monitoring_gap:
        return []
    return [
        _found(
            result,
            "spending-progress-gap",
            f"执行率 {fmt.plain(fmt.q2(share))}%，{len(done)} 项数量指标平均完成 {fmt.plain(fmt.q2(progress))}%，"
            f"相差 {fmt.plain(fmt.q2(abs(gap)))} 个百分点",
            value=gap,
        )
    ]


@check(
    "forecast-without-correction",
    Severity.WARNING,
    "预计难以完成但未说明原因或纠偏措施",
    "A row forecast 有可能 or 完全不可能 (完成目标可能性) without a cause category or without a correction "
    "(纠偏措施). Monitoring exists to correct course; a forecast miss needs both.",
)
def forecast_without_correction(result: FormResult, snap: Snapshot) -> list[Finding]:
    out = []
    for r, p in _pairs(result, snap):
        if p.forecast in (Forecast.AT_RISK, Forecast.WILL_MISS) and (not p.cause or is_trivial(p.correction)):
            missing = "、".join(
                x for x, ok in (("偏差原因", p.cause), ("纠偏措施", not is_trivial(p.correction))) if not ok
            )
            out.append(
                _found(
                    result,
                    "forecast-without-correction",
                    f"指标「{r.indicator.name}」预计「{p.forecast}」完成，但未填{missing}",
                    r.indicator.name,
                )
            )
    return out


@check(
    "predicted-on-track-missed",
    Severity.WARNING,
    "监控预计能完成但年终未完成",
    "At year end, a row the latest monitoring forecast 确定能 is not 达成 in the self-evaluation. "
    "Either the forecast was not honest or something happened after it; the deviation analysis should say which.",
    group="year-end",
)
def predicted_on_track_missed(result: FormResult, snap: Snapshot) -> list[Finding]:
    return [
        _found(
            result,
            "predicted-on-track-missed",
            f"指标「{r.indicator.name}」1–{snap.months}月监控预计「{Forecast.ON_TRACK}」完成，年终为「{r.status.label}」",
            r.indicator.name,
        )
        for r, p in _pairs(result, snap)
        if p.forecast is Forecast.ON_TRACK and r.status in (Status.PARTLY, Status.MISSED)
    ]


def _mentions(result: FormResult, r: IndicatorResult) -> bool:
    if not is_trivial(r.indicator.deviation):
        return True
    name = normalise(r.indicator.name)
    form = result.form
    return bool(name) and any(name in normalise(t) for t in (form.deviation_analysis, form.improvement_measures))


@check(
    "correction-not-reported",
    Severity.WARNING,
    "纠偏措施未在自评中交代",
    "At year end, a row for which the monitoring promised a correction (纠偏措施) is not fully met, and "
    "neither the row's deviation column nor the form's analysis or measures mention the indicator.",
    group="year-end",
)
def correction_not_reported(result: FormResult, snap: Snapshot) -> list[Finding]:
    return [
        _found(
            result,
            "correction-not-reported",
            f"指标「{r.indicator.name}」1–{snap.months}月承诺纠偏（「{p.correction[:60]}」），年终为「{r.status.label}」，"
            "自评中未交代纠偏结果",
            r.indicator.name,
        )
        for r, p in _pairs(result, snap)
        if not is_trivial(p.correction) and r.status in (Status.PARTLY, Status.MISSED) and not _mentions(result, r)
    ]


#: the budget year's clock: a period is due by the end of a day in Beijing
BEIJING = timezone(timedelta(hours=8), "北京时间")


def due(snap: Snapshot, days: int) -> datetime:
    """When a snapshot of 1–``months``月 is due: the end of the day ``days`` after its last month ends."""
    last = date(snap.year, snap.months, calendar.monthrange(snap.year, snap.months)[1])
    return datetime.combine(last + timedelta(days=days + 1), time(), tzinfo=BEIJING)


@check(
    "monitoring-late",
    Severity.WARNING,
    "监控记录为事后补记",
    "The snapshot of a period was stored (the database's own time) after it was due: the rule set's "
    "`due_days` (31) after the end of its last month. A 1–6月 snapshot written in December says how "
    "the year ended, not how it stood in June, and replaces the one the reviewer saw then.",
    group="stored",
)
def monitoring_late(result: FormResult, snap: Snapshot, at: datetime) -> list[Finding]:
    by = due(snap, result.rules.monitoring_due_days)
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    if at < by:
        return []
    late = (at - by).days + 1
    when = at.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    limit = (by - timedelta(days=1)).strftime("%Y-%m-%d")
    return [
        _found(
            result,
            "monitoring-late",
            f"1–{snap.months}月监控记录于 {when}（北京时间）保存，晚于应报日 {limit} 约 {late} 天，为事后补记",
            value=Decimal(late),
        )
    ]


def run_stored_checks(result: FormResult, snap: Snapshot, at: datetime) -> list[Finding]:
    """The checks of a stored snapshot's own record: when the database says it was written."""
    return STAGE.run("stored", result, snap, at)


def monitoring_specs() -> dict[str, CheckSpec]:
    return dict(STAGE.specs)


def run_monitoring_checks(result: FormResult, snap: Snapshot, year_end: bool = False) -> list[Finding]:
    """The deviation warnings of one snapshot; with ``year_end`` the checks of the self-evaluation against it."""
    return STAGE.run("year-end" if year_end else "", result, snap)


def latest(snaps: Sequence[Snapshot]) -> Snapshot | None:
    return max(snaps, key=lambda s: s.months, default=None)
