"""The self-evaluation form as immutable domain values.

Everything here mirrors a field of the published form (see docs/domain.md, "The form").
Numbers are ``Decimal``; cells stay as the text the unit wrote, because the
engine must be able to explain how it read them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from scorer.frozen import FrozenValue

#: the years a form may have: every reader of a 年度 (files, sheets, the editor, the command line) holds to these
FIRST_YEAR, LAST_YEAR = 1990, 2100


class FormKind(StrEnum):
    """项目支出 (one project) or 部门整体支出 (the whole department)."""

    PROJECT = "project"
    DEPARTMENT = "department"


class Direction(StrEnum):
    """Which way is better: the one vocabulary of the engine, the catalog, the checks, storage and the TUI.

    A ``StrEnum`` so that the stored text ("positive" …) and the member are equal: form files,
    the catalog and the database keep plain words.
    """

    POSITIVE = "positive"
    REVERSE = "reverse"
    EQUAL = "equal"
    QUALITATIVE = "qualitative"

    @property
    def label(self) -> str:
        """The Chinese word users read (正向 …)."""
        return _DIRECTION_LABELS[self]

    @classmethod
    def of(cls, text: str) -> Direction | None:
        """The member spelled ``text``, or None (an empty or unknown word)."""
        try:
            return cls(text)
        except ValueError:
            return None


_DIRECTION_LABELS = {
    Direction.POSITIVE: "正向",
    Direction.REVERSE: "反向",
    Direction.EQUAL: "等值",
    Direction.QUALITATIVE: "定性",
}
#: word → label, for callers that hold a stored word (an unknown word is shown as written).
DIRECTION_LABELS: dict[str, str] = {d.value: d.label for d in Direction}


# The three tick-box groups and their official options, in printed order.
TICK_GROUPS: dict[str, tuple[str, ...]] = {
    "category": ("部门预算项目", "区级专项", "上级转移支付项目"),
    "attribute": ("持续性项目", "新增性项目"),
    "project_type": ("常年性项目", "延续性项目", "一次性项目"),
}
TICK_GROUP_LABELS: dict[str, str] = {
    "category": "项目类别",
    "attribute": "项目属性",
    "project_type": "项目类型",
}


@dataclass(frozen=True, slots=True)
class Ticks(FrozenValue):
    """Ticked options per group; 项目类别 may hold more than one."""

    category: tuple[str, ...] = ()
    attribute: tuple[str, ...] = ()
    project_type: tuple[str, ...] = ()

    def group(self, key: str) -> tuple[str, ...]:
        return tuple(getattr(self, key))


@dataclass(frozen=True, slots=True)
class Recorded(FrozenValue):
    """A score the unit itself wrote on the form, with its stated reason."""

    score: Decimal
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Budget(FrozenValue):
    """预算执行情况 (万元). ``planned`` is 全年(调整后)预算数 A, ``executed`` 执行数 B."""

    label: str = "年度财政资金总额"
    planned: Decimal | None = None
    executed: Decimal | None = None
    rate_text: str = ""  # 执行率 as published, e.g. "123.5%"; checked, not trusted
    initial: Decimal | None = None  # 年初预算数 (national layout)
    weight: Decimal | None = None  # 分值 printed on the form
    recorded: Recorded | None = None
    fiscal: Decimal | None = None  # 其中：财政拨款
    carryover: Decimal | None = None  # 上年结转
    other: Decimal | None = None  # 其他资金
    basic_expenditure: Decimal | None = None  # 基本支出总额 (department form)
    project_expenditure: Decimal | None = None  # 项目支出总额 (department form)


@dataclass(frozen=True, slots=True)
class Indicator(FrozenValue):
    """One 三级 indicator row with its two cells and optional scores."""

    level1: str
    level2: str
    name: str
    target: str
    actual: str
    weight: Decimal | None = None
    recorded: Recorded | None = None
    adjusted_target: str = ""  # 调整后目标值, used instead of target when given
    deviation: str = ""  # 偏差原因分析 column (national layout)
    direction: str = ""  # explicit override: positive / reverse / equal / qualitative
    # a sub-row (子项) of the nearest row above that is not one: that parent's weight is split
    # over its sub-rows and its score is theirs summed (some provincial templates print them so)
    sub: bool = False
    # a stable identity, kept in the database, in exports and imports: the history diffs by it
    # (not part of equality: the same row read from two files is the same row)
    uid: str = field(default="", compare=False)

    @property
    def shown_name(self) -> str:
        """The name as tables print it: a sub-row is set in under its parent."""
        return f"└ {self.name}" if self.sub else self.name


@dataclass(frozen=True, slots=True)
class Goal(FrozenValue):
    """年度绩效目标 N: a short text, an optional goal weight and its indicators."""

    text: str = ""
    weight: Decimal | None = None
    indicators: tuple[Indicator, ...] = ()


@dataclass(frozen=True, slots=True)
class SignOff(FrozenValue):
    """Sign-off fields; the exact set varies by province, all optional."""

    preparer: str = ""  # 填表人
    reviewer: str = ""  # 审核人
    unit_head: str = ""  # 单位负责人
    finance_head: str = ""  # 财务负责人
    project_lead: str = ""  # 项目负责人
    contact: str = ""  # 联系人
    phone: str = ""  # 联系电话
    date: str = ""  # 填报日期


@dataclass(frozen=True, slots=True)
class Form(FrozenValue):
    """A whole self-evaluation form, as published or as entered."""

    project_name: str
    department: str = ""  # 主管部门
    implementing_unit: str = ""  # 项目实施单位 / 单位名称
    year: int | None = None
    form_kind: FormKind = FormKind.PROJECT
    rules: str | None = None
    title: str = ""  # the printed title, e.g. "2024 年度武昌区经科局项目自评表"
    ticks: Ticks = field(default_factory=Ticks)
    budget: Budget = field(default_factory=Budget)
    goals: tuple[Goal, ...] = ()
    total_recorded: Decimal | None = None  # 总分 as written on the form
    deviation_analysis: str = ""  # 偏差大或目标未完成原因分析
    improvement_measures: str = ""  # 改进措施及结果应用方案
    signoff: SignOff = field(default_factory=SignOff)

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        return tuple(ind for goal in self.goals for ind in goal.indicators)

    @property
    def scored_indicators(self) -> tuple[Indicator, ...]:
        """The rows that carry points, each once: a parent (父项) is left out, its sub-rows (子项) count.

        Who is a parent is ``scorer.weights.family_parents``'s to say, as the engine does (a goal's first
        row marked 子项 is an ordinary row, and the parent of the sub-rows after it). Every "N 项指标" a
        user reads counts these."""
        from scorer.weights import family_parents  # scorer.weights imports this module

        parents = set(family_parents(self))
        return tuple(ind for i, ind in enumerate(self.indicators) if i not in parents)
