"""One form through the year: the target declaration (绩效目标申报表) a self-evaluation starts from.

The indicators are the same rows in every stage (their ``uid`` is kept), so that the
self-evaluation's 年初目标值 is exactly what was declared and approved. A declaration has
what is known in the autumn before the year: goals, three-level indicators with their
original targets and weights, the money requested. Nothing that only the year tells:
no actuals, scores, adjusted targets, execution, narratives or sign-off.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from scorer.frozen import FrozenValue
from scorer.model import Budget, Form, FormKind, Indicator, SignOff

DECLARATION_TITLES = {FormKind.PROJECT: "项目支出绩效目标申报表", FormKind.DEPARTMENT: "部门整体支出绩效目标申报表"}


def _declared(ind: Indicator) -> Indicator:
    # the original target: an adjustment is made mid-year, after approval, with its own reason
    return dataclasses.replace(ind, actual="", recorded=None, adjusted_target="", deviation="")


def _requested(b: Budget) -> Budget:
    """The money requested: the year-start budget where the form gives it, else the budget."""
    asked = b.initial if b.initial is not None else b.planned
    return Budget(
        label=b.label,
        planned=asked,
        initial=asked,
        weight=b.weight,
        fiscal=b.fiscal,
        other=b.other,
        basic_expenditure=b.basic_expenditure,
        project_expenditure=b.project_expenditure,
    )


def declaration_from(form: Form) -> Form:
    """The declaration a form's indicators were set in: the same rows and identities, targets only."""
    return dataclasses.replace(
        form,
        title=DECLARATION_TITLES[form.form_kind],
        budget=_requested(form.budget),
        goals=tuple(dataclasses.replace(g, indicators=tuple(_declared(i) for i in g.indicators)) for g in form.goals),
        total_recorded=None,
        deviation_analysis="",
        improvement_measures="",
        signoff=SignOff(),
    )


EVALUATION_TITLES = {FormKind.PROJECT: "项目支出绩效自评表", FormKind.DEPARTMENT: "部门整体支出绩效自评表"}


def for_year(form: Form, year: int) -> Form:
    """The declaration for another year (a continuing project): same rows and identities, its year."""
    return dataclasses.replace(form, year=year)


def evaluation_title(form: Form) -> str:
    """The self-evaluation's title: a declaration's own title becomes the form's, any other is kept."""
    if not form.title or form.title == DECLARATION_TITLES[form.form_kind]:
        return EVALUATION_TITLES[form.form_kind]
    return form.title


@dataclass(frozen=True, slots=True)
class ApprovedTarget(FrozenValue):
    """One indicator row as its declaration was approved: what the self-evaluation may not change."""

    uid: str
    level1: str
    level2: str
    name: str
    target: str
    weight: Decimal | None
    sub: bool = False
    direction: str = ""

    @property
    def label(self) -> str:
        return "/".join(p for p in (self.level1, self.level2, self.name) if p)

    def same_row(self, ind: Indicator) -> bool:
        return (ind.level1, ind.level2, ind.name) == (self.level1, self.level2, self.name)


def locked_view(ind: Indicator) -> ApprovedTarget:
    return ApprovedTarget(ind.uid, ind.level1, ind.level2, ind.name, ind.target, ind.weight, ind.sub, ind.direction)


def with_approved_uids(approved: Sequence[ApprovedTarget], form: Form) -> Form:
    """Rows without an identity (a file written by hand) take the approved row's of the same levels and name."""
    free = {a.uid: a for a in approved}
    for ind in form.indicators:
        free.pop(ind.uid, None)

    def adopt(ind: Indicator) -> Indicator:
        if ind.uid:
            return ind
        match = [a for a in free.values() if a.same_row(ind)]
        if len(match) != 1:
            return ind
        del free[match[0].uid]
        return dataclasses.replace(ind, uid=match[0].uid)

    return dataclasses.replace(
        form, goals=tuple(dataclasses.replace(g, indicators=tuple(adopt(i) for i in g.indicators)) for g in form.goals)
    )


def _num(value: Decimal | None) -> str:
    return "（空）" if value is None else f"{value.normalize():f}"


def lock_breaches(approved: Sequence[ApprovedTarget], form: Form) -> list[str]:
    """Why ``form`` is not the approved rows (empty when it is): each row removed, changed or added."""
    if not approved:
        return []
    rows = {i.uid: i for i in form.indicators if i.uid}
    out: list[str] = []
    for a in approved:
        ind = rows.pop(a.uid, None)
        if ind is None:
            out.append(f"已审核的指标「{a.label}」不能删除")
            continue
        label = f"指标「{a.label}」"
        if not a.same_row(ind):
            out.append(f"{label}已审核，不能改为「{locked_view(ind).label}」")
        if ind.target != a.target:
            out.append(f"{label}的年初目标值已审核为「{a.target}」，不能改为「{ind.target}」")
        if ind.weight != a.weight:
            out.append(f"{label}的分值已审核为 {_num(a.weight)}，不能改为 {_num(ind.weight)}")
        if ind.sub != a.sub:
            out.append(f"{label}的子项标记已审核，不能更改")
        if ind.direction != a.direction:
            out.append(f"{label}的指标方向已审核，不能更改")
    shown = {id(i) for i in rows.values()}
    out.extend(
        f"指标「{locked_view(i).label}」不在已审核的目标中，不能新增"
        for i in form.indicators
        if id(i) in shown or not i.uid
    )
    uids = [i.uid for i in form.indicators if i.uid]
    out.extend(f"指标「{a.label}」出现了不止一次" for a in approved if uids.count(a.uid) > 1)
    if not out and uids != [a.uid for a in approved]:
        out.append("指标行的顺序已审核，不能调整（子项随其上一行计分）")
    return out


@dataclass(frozen=True, slots=True)
class ApprovedWeights(FrozenValue):
    """The weights an approval fixed besides the rows': the 预算执行 weight and each goal's."""

    budget: Decimal | None
    goals: tuple[Decimal | None, ...]
    goal_texts: tuple[str | None, ...] = ()  # each goal's text as approved; None when the approval kept none


def order_and_goals(approved: Sequence[ApprovedTarget], goal_of: Sequence[int], form: Form) -> list[str]:
    """Rows that moved to another goal than the one they were approved under (``goal_of``: each approved
    row's goal position)."""
    now = {i.uid: gi for gi, g in enumerate(form.goals) for i in g.indicators if i.uid}
    return [
        f"指标「{a.label}」已审核在年度绩效目标 {was + 1} 之下，不能移到目标 {now[a.uid] + 1}"
        for a, was in zip(approved, goal_of, strict=True)
        if a.uid in now and now[a.uid] != was
    ]


def weight_breaches(approved: ApprovedWeights, form: Form) -> list[str]:
    """Why ``form``'s budget and goal weights, or a goal's text, are not the approved ones (empty when
    they are)."""
    out = []
    if form.budget.weight != approved.budget:
        out.append(f"预算执行的分值已审核为 {_num(approved.budget)}，不能改为 {_num(form.budget.weight)}")
    goals = tuple(g.weight for g in form.goals)
    if len(goals) != len(approved.goals):
        out.append(f"年度绩效目标已审核为 {len(approved.goals)} 个，不能改为 {len(goals)} 个")
    for n, (was, now) in enumerate(zip(approved.goals, goals, strict=False), start=1):
        if was != now:
            out.append(f"年度绩效目标 {n} 的分值已审核为 {_num(was)}，不能改为 {_num(now)}")
    for n, (was_text, goal) in enumerate(zip(approved.goal_texts, form.goals, strict=False), start=1):
        if was_text is not None and was_text != goal.text:
            out.append(f"年度绩效目标 {n} 的内容已随目标审核，不能更改")
    return out
