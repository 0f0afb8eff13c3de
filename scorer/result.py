"""What scoring a form produces: immutable results with their explanations."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from scorer.cells import Cell
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


@dataclass(frozen=True, slots=True)
class Problem:
    """Something a user or reviewer must look at; the message names where."""

    severity: Severity
    code: str
    message: str
    indicator: str = ""  # 三级指标 name, when the problem is about one row
    column: str = ""  # 年初目标值 / 实际完成值 / 分值 …
    text: str = ""  # the cell text in question


@dataclass(frozen=True, slots=True)
class IndicatorResult:
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
    explanation: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    over_ratio: Decimal | None = None  # B / A on a positive indicator

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
class BudgetResult:
    weight: Decimal
    rate: Decimal | None
    score: Decimal | None
    recorded: Recorded | None
    status: Status
    explanation: tuple[str, ...] = ()

    @property
    def differs(self) -> bool:
        if self.recorded is None:
            return False
        return self.score is None or q2(self.recorded.score) != q2(self.score)


@dataclass(frozen=True, slots=True)
class LevelTotal:
    """Roll-up of one 一级指标 across the form."""

    level1: str
    weight: Decimal
    computed: Decimal
    recorded: Decimal | None


@dataclass(frozen=True, slots=True)
class FormResult:
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

    @property
    def pending(self) -> int:
        """Indicators waiting for human judgement."""
        return sum(1 for r in self.indicators if r.status is Status.JUDGEMENT)

    @property
    def invalid(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.all_problems)

    @property
    def all_problems(self) -> tuple[Problem, ...]:
        out: list[Problem] = list(self.problems)
        for r in self.indicators:
            out.extend(r.problems)
        return tuple(out)

    @property
    def total_differs(self) -> bool:
        return self.total_recorded is not None and q2(self.total_recorded) != self.total_computed
