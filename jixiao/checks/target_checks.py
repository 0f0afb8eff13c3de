"""Target review (目标审核): checks on a declaration (绩效目标申报表), before any money is spent.

A declaration is a form whose targets are set and whose actuals are not yet known. It is
scored like any form (the engine reads every target cell and the weights); these checks
read the targets only. The form checks that make sense before the year (weights, duplicate
rows) run as they are; what the rule set asks of a declaration (its required indicators,
when a cost is "far above" its peers) is data in the rule set's ``[targets]`` table.
Each finding can be turned into a drafted 审核意见 (``jixiao.checks.opinions``).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from decimal import Decimal

from jixiao.checks.form_checks import _is_cost, _is_satisfaction
from jixiao.checks.model import CheckSpec, Finding, FormRecord, normalise, record_for
from jixiao.checks.portfolio_checks import _convert, _number, _original_target, _project_id
from jixiao.checks.registry import FORM_CHECKS, StageChecks, _problems
from scorer import numbers as fmt
from scorer.cells import CellKind, Comparator
from scorer.model import Direction, FormKind
from scorer.result import FormResult, IndicatorResult, ProblemCode, Severity
from scorer.row import COL_TARGET
from scorer.vocabulary import level_key

#: Form checks that already apply to a declaration, run as they are.
STAGE_FORM_CHECKS = ("weights-total", "weight-nonpositive", "duplicate-indicator")
#: A target this far below last year's actual (as a share of it) is sandbagging.
BELOW_LAST_YEAR_RATIO = Decimal("0.9")
#: Cell kinds that say nothing a year-end reviewer could measure.
_VAGUE_KINDS = {
    CellKind.QUALITATIVE: "只是完成程度的说法",
    CellKind.DIRECTION: "只说了方向，没有数值",
    CellKind.LABEL: "只标明是定性指标，没有评判标准",
    CellKind.TEXT: "读不出数值或评判标准",
}
_MONEY_UNITS = ("元", "万元", "亿元", "千元")

STAGE = StageChecks("target")
check, _found = STAGE.check, STAGE.found


class _Context:
    """What a declaration is checked against: the other declarations, and last year's forms."""

    def __init__(self, peers: Sequence[FormResult], last_year: Sequence[FormResult]) -> None:
        self.peers = peers
        self.last: dict[tuple[str, str, str, int], IndicatorResult] = {}
        self.last_by_uid: dict[tuple[str, int], IndicatorResult] = {}
        for res in last_year:
            rec = record_for(res)
            if rec.year is None:
                continue
            for r in res.indicators:
                self.last.setdefault((*_project_id(rec), normalise(r.indicator.name), rec.year), r)
                if r.indicator.uid:
                    self.last_by_uid.setdefault((r.indicator.uid, rec.year), r)


def _rows(result: FormResult) -> list[IndicatorResult]:
    return [r for r in result.indicators if r.weight_source != "children"]


@check(
    "target-unreadable",
    Severity.ERROR,
    "目标值为空或无法识别",
    "A 年初目标值 is empty, or the cell cannot be read (unknown unit, a comparator without a number). "
    "An approved target becomes the year-end 年初目标值 as it is: it must be readable now.",
)
def target_unreadable(result: FormResult, ctx: _Context) -> list[Finding]:
    out = [
        _found(result, "target-unreadable", p.message, p.indicator)
        for p in _problems(result, ProblemCode.INVALID_CELL)
        if p.column == COL_TARGET
    ]
    for r in _rows(result):
        if r.target is None or r.target.kind is CellKind.EMPTY:
            if not any(f.indicator == r.indicator.name for f in out):
                out.append(
                    _found(result, "target-unreadable", f"指标「{r.indicator.name}」年初目标值未填", r.indicator.name)
                )
    return out


@check(
    "target-vague",
    Severity.WARNING,
    "目标值不可衡量",
    "A target that states no number and no standard: a completion word (完成, 效果明显), a direction "
    "(提高, 减少), only 定性, or wording with neither. At year end nobody can tell whether it was met, "
    "so every such row scores by judgement. Satisfaction rows are the next check's.",
)
def target_vague(result: FormResult, ctx: _Context) -> list[Finding]:
    out = []
    for r in _rows(result):
        cell = r.target
        if cell is None or _is_satisfaction(r) or cell.kind not in _VAGUE_KINDS:
            continue
        why = _VAGUE_KINDS[cell.kind]
        out.append(
            _found(
                result,
                "target-vague",
                f"指标「{r.indicator.name}」目标值「{r.indicator.target}」{why}",
                r.indicator.name,
            )
        )
    return out


@check(
    "target-satisfaction-not-percent",
    Severity.WARNING,
    "满意度目标未用百分比",
    "A satisfaction indicator's target is not a percentage (满意, ≥90分, 较高). Satisfaction is measured "
    "by a survey as the share of satisfied respondents; only a percentage can be compared with it.",
)
def satisfaction_not_percent(result: FormResult, ctx: _Context) -> list[Finding]:
    out = []
    for r in _rows(result):
        cell = r.target
        if not _is_satisfaction(r) or cell is None or cell.kind is CellKind.EMPTY:
            continue
        if cell.kind is CellKind.QUANTITY and cell.unit == "%":
            continue
        out.append(
            _found(
                result,
                "target-satisfaction-not-percent",
                f"满意度指标「{r.indicator.name}」目标值「{r.indicator.target}」不是百分比",
                r.indicator.name,
            )
        )
    return out


def _has(result: FormResult, word: str) -> bool:
    return any(
        word in level_key(r.indicator.level1) or word in level_key(r.indicator.level2) or word in r.indicator.name
        for r in result.indicators
    )


def _required(result: FormResult) -> tuple[str, ...]:
    rules = result.rules
    return rules.target_required_department if result.form.form_kind is FormKind.DEPARTMENT else rules.target_required


@check(
    "target-core-missing",
    Severity.ERROR,
    "缺少必设指标",
    "The declaration has no indicator of a kind its rule set requires ([targets] required, or "
    "required_department for a department's; the shipped project rule sets require 成本 and 满意度 of a "
    "project and nothing of a department). Found in the 一级 or 二级 name or the indicator's own name.",
)
def core_missing(result: FormResult, ctx: _Context) -> list[Finding]:
    return [
        _found(
            result,
            "target-core-missing",
            f"没有{word}指标（规则集「{result.rules.name}」要求申报时设置）",
            value=None,
        )
        for word in _required(result)
        if not _has(result, word)
    ]


def _last_year(rec: FormRecord, r: IndicatorResult, ctx: _Context) -> IndicatorResult | None:
    """The same indicator last year: by its stable identity, else by unit, project and name."""
    if rec.year is None:
        return None
    by_uid = ctx.last_by_uid.get((r.indicator.uid, rec.year - 1)) if r.indicator.uid else None
    return by_uid or ctx.last.get((*_project_id(rec), normalise(r.indicator.name), rec.year - 1))


def _positive(r: IndicatorResult) -> bool:
    """Higher is better: as the engine decided, or, with no actual yet to decide by, an "at least" target."""
    if r.direction:
        return bool(r.direction == Direction.POSITIVE)
    given = Direction.of(r.indicator.direction) if r.indicator.direction else None
    if given is not None:
        return given is Direction.POSITIVE
    return r.target is not None and r.target.comparator in (Comparator.GE, Comparator.GT)


@check(
    "target-below-last-year",
    Severity.WARNING,
    "目标值低于上年实际完成值",
    "A positive, numeric target is under 90% of what the same indicator (same stable identity, or "
    "the same unit, project and name) achieved last year, in compatible units. Setting a target "
    "below what was already achieved guarantees a 'met' row.",
)
def below_last_year(result: FormResult, ctx: _Context) -> list[Finding]:
    out = []
    rec = record_for(result)
    for r in _rows(result):
        prev = _last_year(rec, r, ctx) if _positive(r) else None
        target, last = _number(_original_target(r)), _number(prev.actual) if prev else None
        if prev is None or target is None or last is None or target.value is None or last.value is None:
            continue
        last_value = _convert(last.value, last.unit, target.unit)
        if last_value is None or last_value <= 0 or target.value / last_value >= BELOW_LAST_YEAR_RATIO:
            continue
        ratio = target.value / last_value
        out.append(
            _found(
                result,
                "target-below-last-year",
                f"指标「{r.indicator.name}」目标值「{r.indicator.target}」低于上年实际完成值"
                f"「{prev.indicator.actual}」（为上年实际的 {fmt.percent(ratio)}）",
                r.indicator.name,
                ratio,
            )
        )
    return out


def _cost_value(r: IndicatorResult) -> Decimal | None:
    """A cost target in 元, when the row is a cost indicator with a money amount."""
    cell = r.target
    if not _is_cost(r) or cell is None or cell.kind is not CellKind.QUANTITY or cell.value is None:
        return None
    if cell.unit not in _MONEY_UNITS:
        return None
    return _convert(cell.value, cell.unit, "元")


@check(
    "target-cost-above-peers",
    Severity.WARNING,
    "成本目标远高于同类项目",
    "A cost target (in money) is more than the rule set's peer_cost_ratio (default 2×) times the median "
    "of the same indicator (by name) on the other declarations checked with it, when there are at "
    "least peer_min (default 3) of them.",
)
def cost_above_peers(result: FormResult, ctx: _Context) -> list[Finding]:
    rules = result.rules
    out = []
    for r in _rows(result):
        mine = _cost_value(r)
        if mine is None:
            continue
        name = normalise(r.indicator.name)
        others = [
            v
            for peer in ctx.peers
            if peer is not result
            for p in _rows(peer)
            if normalise(p.indicator.name) == name and (v := _cost_value(p)) is not None
        ]
        if len(others) < rules.target_peer_min:
            continue
        median = Decimal(statistics.median(others))
        if median <= 0 or mine / median <= rules.target_peer_ratio:
            continue
        out.append(
            _found(
                result,
                "target-cost-above-peers",
                f"成本指标「{r.indicator.name}」目标值「{r.indicator.target}」为 {len(others)} 个同类申报中位数"
                f" {fmt.plain(median)}元 的 {fmt.plain(fmt.q2(mine / median))} 倍",
                r.indicator.name,
                mine / median,
            )
        )
    return out


def target_specs() -> dict[str, CheckSpec]:
    return dict(STAGE.specs)


def run_target_checks(
    declarations: Sequence[FormResult], last_year: Sequence[FormResult] = ()
) -> list[tuple[FormResult, list[Finding]]]:
    """Each declaration with its findings (target checks, then the form checks that apply), in input order."""
    ctx = _Context(declarations, last_year)
    stage = [(spec, fn) for spec, fn in FORM_CHECKS if spec.id in STAGE_FORM_CHECKS]
    out = []
    for result in declarations:
        found = STAGE.run("", result, ctx)
        for _spec, form_fn in stage:
            found.extend(form_fn(result))
        out.append((result, found))
    return out
