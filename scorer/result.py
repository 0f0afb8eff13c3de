"""What scoring a form produces: immutable results with their explanations."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from scorer.cells import Cell
from scorer.explain import Step, lines
from scorer.frozen import FrozenValue
from scorer.model import Form, Indicator, Recorded
from scorer.numbers import q2
from scorer.rules import RuleSet


class Status(StrEnum):
    MET = "met"
    PARTLY = "partly"
    MISSED = "missed"
    JUDGEMENT = "judgement"
    EMPTY = "empty"
    INVALID = "invalid"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    Status.MET: "达成",
    Status.PARTLY: "部分达成",
    Status.MISSED: "未达成",
    Status.JUDGEMENT: "待判断",
    Status.EMPTY: "未填报",
    Status.INVALID: "无效",
}


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def label(self) -> str:
        return {"error": "错误", "warning": "警告", "info": "提示"}[self.value]


class ProblemCode(StrEnum):
    """Every problem the engine reports, named once: checks, storage and the CLI refer to these."""

    BUDGET_INVALID = "budget-invalid"
    BUDGET_MISSING = "budget-missing"
    BUDGET_OVER_100 = "budget-over-100"
    BUDGET_PRINTED_RATE = "budget-printed-rate"
    BUDGET_RATE_MISMATCH = "budget-rate-mismatch"
    BUDGET_RATE_TEXT = "budget-rate-text"
    EMPTY_ACTUAL = "empty-actual"
    FAMILY_SUM = "family-sum"
    HEADER_MISSING = "header-missing"
    IMPOSSIBLE_VALUE = "impossible-value"
    INVALID_CELL = "invalid-cell"
    JUDGEMENT = "judgement"
    OVER_COMPLETION = "over-completion"
    RECORDED_ABOVE_WEIGHT = "recorded-above-weight"
    RECORDED_DIFFERS = "recorded-differs"
    RECORDED_TOTAL_SUM = "recorded-total-sum"
    UNIT_MISMATCH = "unit-mismatch"
    UNKNOWN_LEVEL1 = "unknown-level1"
    UNKNOWN_RULES = "unknown-rules"
    WEIGHTS_EXCEED = "weights-exceed"
    WEIGHTS_TOTAL = "weights-total"


#: The one place each problem's severity is decided. The engine's problems carry it (``Problem.of``)
#: and the checks that report them (jixiao/checks) are registered with it, so ``jixiao score``,
#: ``jixiao check``, the editor's problems panel and the review say the same of the same finding.
SEVERITY: dict[ProblemCode, Severity] = {
    ProblemCode.BUDGET_INVALID: Severity.ERROR,
    ProblemCode.BUDGET_MISSING: Severity.ERROR,  # reported as empty-cell
    ProblemCode.BUDGET_OVER_100: Severity.WARNING,
    ProblemCode.BUDGET_PRINTED_RATE: Severity.INFO,
    ProblemCode.BUDGET_RATE_MISMATCH: Severity.WARNING,
    ProblemCode.BUDGET_RATE_TEXT: Severity.INFO,
    ProblemCode.EMPTY_ACTUAL: Severity.ERROR,  # reported as empty-cell
    ProblemCode.FAMILY_SUM: Severity.ERROR,
    ProblemCode.HEADER_MISSING: Severity.WARNING,
    ProblemCode.IMPOSSIBLE_VALUE: Severity.WARNING,
    ProblemCode.INVALID_CELL: Severity.ERROR,
    ProblemCode.JUDGEMENT: Severity.WARNING,
    ProblemCode.OVER_COMPLETION: Severity.WARNING,
    ProblemCode.RECORDED_ABOVE_WEIGHT: Severity.ERROR,
    ProblemCode.RECORDED_DIFFERS: Severity.WARNING,
    ProblemCode.RECORDED_TOTAL_SUM: Severity.ERROR,
    ProblemCode.UNIT_MISMATCH: Severity.ERROR,
    ProblemCode.UNKNOWN_LEVEL1: Severity.WARNING,
    ProblemCode.UNKNOWN_RULES: Severity.ERROR,  # a stored form names no rule set (written past jixiao)
    ProblemCode.WEIGHTS_EXCEED: Severity.ERROR,  # reported as weights-total
    ProblemCode.WEIGHTS_TOTAL: Severity.ERROR,
}

#: The problems that make ``jixiao score`` exit 1: a cell or the budget cannot be read, or the
#: form's own figures contradict each other (the exit status predates the shared severities).
INVALIDATING = frozenset(
    {
        ProblemCode.INVALID_CELL,
        ProblemCode.BUDGET_INVALID,
        ProblemCode.FAMILY_SUM,
        ProblemCode.RECORDED_TOTAL_SUM,
        ProblemCode.UNKNOWN_RULES,
    }
)


@dataclass(frozen=True, slots=True)
class Problem(FrozenValue):
    """Something a user or reviewer must look at; the message names where."""

    severity: Severity
    code: ProblemCode
    message: str
    indicator: str = ""  # 三级指标 name, when the problem is about one row
    column: str = ""  # 年初目标值 / 实际完成值 / 分值 …
    text: str = ""  # the cell text in question

    @classmethod
    def of(cls, code: ProblemCode, message: str, indicator: str = "", column: str = "", text: str = "") -> Problem:
        """A problem at the severity its code has (``SEVERITY``)."""
        return cls(SEVERITY[code], code, message, indicator, column, text)


class IndicatorResult(NamedTuple):
    """One indicator scored, with the trace of how.

    A NamedTuple rather than a frozen dataclass, and immutable all the same: a province's
    run builds a million of these, and a frozen dataclass spends ~2 µs building each one
    (``object.__setattr__`` per field) against ~0.4 µs for a tuple (bench/run.py).
    """

    indicator: Indicator
    goal: int  # 1-based goal number
    status: Status
    weight: Decimal
    weight_source: str  # "form" or "allocated"
    score: Decimal | None  # None when the engine cannot decide (judgement)
    direction: str = ""
    direction_source: str = ""
    target: Cell | None = None
    actual: Cell | None = None
    unit: str = ""  # the unit both cells are compared in
    trace: tuple[Step, ...] = ()  # the explanation, as recorded; see ``explanation``
    problems: tuple[Problem, ...] = ()
    over_ratio: Decimal | None = None  # B / A on a positive indicator

    @property
    def explanation(self) -> tuple[str, ...]:
        """Every step of the scoring in words, written out now (scoring only records them)."""
        return lines(self.trace)

    @property
    def recorded(self) -> Recorded | None:
        return self.indicator.recorded

    @property
    def differs(self) -> bool:
        """The unit's recorded score and the rule score disagree (at 2 decimals)."""
        rec = self.indicator.recorded
        if rec is None:
            return False
        if self.score is None:
            return True
        return q2(rec.score) != q2(self.score)


@dataclass(frozen=True, slots=True)
class BudgetResult(FrozenValue):
    weight: Decimal
    rate: Decimal | None
    score: Decimal | None
    recorded: Recorded | None
    status: Status
    trace: tuple[Step, ...] = ()  # the explanation, as recorded; see ``explanation``

    @property
    def explanation(self) -> tuple[str, ...]:
        return lines(self.trace)

    @property
    def differs(self) -> bool:
        if self.recorded is None:
            return False
        return self.score is None or q2(self.recorded.score) != q2(self.score)


class LevelTotal(NamedTuple):
    """Roll-up of one 一级指标 across the form (a tuple for the reason IndicatorResult is)."""

    level1: str
    weight: Decimal
    computed: Decimal
    recorded: Decimal | None


@dataclass(frozen=True, slots=True)
class FormResult(FrozenValue):
    form: Form
    rules: RuleSet
    budget: BudgetResult
    indicators: tuple[IndicatorResult, ...]
    levels: tuple[LevelTotal, ...]
    total_computed: Decimal  # rounded half up to 2 places, after any cap
    total_exact: Decimal  # before rounding and caps
    total_recorded: Decimal | None
    recorded_source: str  # "form" (总分 printed), "sum" (of recorded rows) or ""
    grade: str
    grade_recorded: str | None
    cap_note: str = ""
    problems: tuple[Problem, ...] = ()
    recorded_sum: Decimal | None = None  # Σ of the recorded row scores (and budget), when every row has one
    _all_problems: tuple[Problem, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        gathered = list(self.problems)
        for r in self.indicators:
            if r.problems:
                gathered.extend(r.problems)
        object.__setattr__(self, "_all_problems", tuple(gathered))

    @property
    def scored(self) -> tuple[IndicatorResult, ...]:
        """The rows that carry points, each once: not a parent (父项), whose points are its sub-rows'.
        Every "N 项指标" a user reads counts these (``Form.scored_indicators`` on an unscored form)."""
        return tuple(r for r in self.indicators if r.weight_source != "children")

    @property
    def pending(self) -> int:
        """Indicators waiting for human judgement (a parent waiting on a sub-row is that sub-row)."""
        return sum(1 for r in self.scored if r.status is Status.JUDGEMENT)

    @property
    def invalid(self) -> bool:
        """A cell or the budget cannot be read, or the form contradicts itself (``INVALIDATING``)."""
        return any(p.code in INVALIDATING for p in self.all_problems)

    @property
    def all_problems(self) -> tuple[Problem, ...]:
        """The form's problems, then each row's (gathered once: the checks ask many times)."""
        return self._all_problems

    @property
    def total_mismatch(self) -> bool:
        """A 总分 written on the form that is not the sum of its own recorded rows."""
        return (
            self.recorded_source == "form"
            and self.recorded_sum is not None
            and self.total_recorded is not None
            and q2(self.recorded_sum) != q2(self.total_recorded)
        )

    @property
    def weight_total(self) -> Decimal:
        """The points the form can give: the budget's and every row's, a parent (父项) through its sub-rows."""
        return self.budget.weight + sum((r.weight for r in self.scored), Decimal(0))

    @property
    def weights_over(self) -> bool:
        """Weights adding up to more than the rule set's total: a total above 100 would be possible."""
        return q2(self.weight_total) > q2(self.rules.total)

    @property
    def total_differs(self) -> bool:
        return self.total_recorded is not None and q2(self.total_recorded) != self.total_computed
