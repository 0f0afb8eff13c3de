"""The form checks' registry and the thresholds they use: ``check`` and ``passthrough`` register a check,
``_finding`` words a finding with the form's name."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from jixiao.checks.model import CheckSpec, Finding, form_key, form_label, is_trivial, normalise
from scorer import numbers as fmt
from scorer.cells import CellKind
from scorer.result import SEVERITY, FormResult, IndicatorResult, Problem, ProblemCode, Severity

# ------------------------------------------------------------------- data

#: 执行率 below this, next to a grade of 良 or better, is suspicious.
LOW_EXECUTION_RATE = Decimal("0.60")
#: The grade from which "良 or better" counts, when the rule set has no 良.
GOOD_GRADE = "良"
GOOD_GRADE_FALLBACK_MIN = Decimal(80)

#: Actuals that report nothing measurable (compared after normalising).
BOILERPLATE_ACTUALS = frozenset(
    normalise(t)
    for t in (
        "达到预期指标",
        "达到预期目标",
        "达到预期",
        "达到预期效果",
        "符合预期",
        "圆满完成",
        "完成",
        "已完成",
        "全部完成",
        "顺利完成",
        "按时完成",
        "按期完成",
        "如期完成",
        "完成目标",
        "完成任务",
        "完成年度目标",
        "达成",
        "已达成",
        "达标",
        "实现",
        "已实现",
        "有效",
        "良好",
        "较好",
        "好",
        "是",
    )
)
#: "Most rows": at least this share of the rows, on a form with at least this many rows.
BOILERPLATE_MIN_SHARE = Decimal("0.6")
BOILERPLATE_MIN_ROWS = 4

#: Score comparisons are made at 2 decimals, like the form prints them.
TOLERANCE = Decimal("0.005")


# ---------------------------------------------------------------- helpers

FormCheck = Callable[[FormResult], list[Finding]]

_SPECS: dict[str, CheckSpec] = {}
FORM_CHECKS: list[tuple[CheckSpec, FormCheck]] = []


def check(id: str, severity: Severity, title: str, description: str) -> Callable[[FormCheck], FormCheck]:
    """Register a form check under ``id``."""

    def deco(fn: FormCheck) -> FormCheck:
        spec = CheckSpec(id, severity, title, description, "form")
        if id in _SPECS:  # pragma: no cover - programming error
            raise ValueError(f"duplicate check id {id}")
        _SPECS[id] = spec
        FORM_CHECKS.append((spec, fn))
        return fn

    return deco


def _finding(
    result: FormResult,
    check_id: str,
    detail: str,
    indicator: str = "",
    value: Decimal | None = None,
    severity: Severity | None = None,
) -> Finding:
    return Finding(
        check_id=check_id,
        severity=severity or _SPECS[check_id].severity,
        message=f"{form_label(result.form)}：{detail}",
        form_key=form_key(result.form),
        indicator=indicator,
        value=value,
    )


def _problems(result: FormResult, *codes: ProblemCode) -> Iterable[Problem]:
    return (p for p in result.all_problems if p.code in codes)


def _wrap(result: FormResult, check_id: str, *codes: ProblemCode) -> list[Finding]:
    return [_finding(result, check_id, p.message, p.indicator) for p in _problems(result, *codes)]


def passthrough(id: str, title: str, description: str, *codes: ProblemCode) -> None:
    """Register a check that reports what the engine found under ``codes``, as the engine said it,
    at the severity the codes have (``scorer.result.SEVERITY``, the one place it is decided)."""
    (severity,) = {SEVERITY[c] for c in codes}
    check(id, severity, title, description)(lambda result: _wrap(result, id, *codes))


def _rows(result: FormResult) -> Iterable[tuple[int, IndicatorResult]]:
    """Indicator rows with their 1-based number (序), as the terminal table shows them."""
    return enumerate(result.indicators, start=1)


def _w(value: Decimal) -> str:
    return fmt.weight(value)


def _s(value: Decimal | None) -> str:
    return fmt.score(value, "待判断")


def _has_deviation(result: FormResult, r: IndicatorResult | None = None) -> bool:
    """A deviation analysis exists: the form's narrative, or the row's own 偏差原因 column."""
    if not is_trivial(result.form.deviation_analysis):
        return True
    return r is not None and not is_trivial(r.indicator.deviation)


def _explained(result: FormResult, r: IndicatorResult) -> bool:
    """Over-completion is explained by the row's deviation column or score reason,
    or by a form narrative that names the indicator."""
    ind = r.indicator
    if not is_trivial(ind.deviation):
        return True
    if ind.recorded is not None and not is_trivial(ind.recorded.reason):
        return True
    name = normalise(ind.name)
    if not name:
        return False
    form = result.form
    return any(name in normalise(text) for text in (form.deviation_analysis, form.improvement_measures))


def _empty(text: str, cell_kind: CellKind | None) -> bool:
    return not text.strip() or cell_kind is CellKind.EMPTY


class StageChecks:
    """The checks of one stage of the year (a declaration, a monitoring snapshot), in registry order.

    ``group`` separates checks run at different moments of a stage (mid-year, year end).
    """

    def __init__(self, scope: str) -> None:
        self.scope = scope
        self.specs: dict[str, CheckSpec] = {}
        self.groups: dict[str, list[tuple[CheckSpec, Callable[..., list[Finding]]]]] = {}

    def check(
        self, id: str, severity: Severity, title: str, description: str, group: str = ""
    ) -> Callable[[Callable[..., list[Finding]]], Callable[..., list[Finding]]]:
        def deco(fn: Callable[..., list[Finding]]) -> Callable[..., list[Finding]]:
            spec = CheckSpec(id, severity, title, description, self.scope)
            self.specs[id] = spec
            self.groups.setdefault(group, []).append((spec, fn))
            return fn

        return deco

    def found(
        self, result: FormResult, check_id: str, detail: str, indicator: str = "", value: Decimal | None = None
    ) -> Finding:
        """A finding of this stage's check, worded like every other (``_finding``)."""
        return _finding(result, check_id, detail, indicator, value, severity=self.specs[check_id].severity)

    def run(self, group: str, *args: object) -> list[Finding]:
        found: list[Finding] = []
        for _spec, fn in self.groups.get(group, []):
            found.extend(fn(*args))
        return found
