"""Rows ⇄ domain objects. Nothing outside the storage package sees a row."""

from __future__ import annotations

import os
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from jixiao.storage.models import FormRow, GoalRow, IndicatorRow
from jixiao.storage.types import stored_choice
from jixiao.storage.verdict_stamp import stamp
from scorer.model import Budget, Form, FormKind, Goal, Indicator, Recorded, SignOff, Ticks
from scorer.result import FormResult, Severity

_SIGNOFF = ("preparer", "reviewer", "unit_head", "finance_head", "project_lead", "contact", "phone", "date")
_BUDGET = ("planned", "executed", "initial", "weight", "fiscal", "carryover", "other")


def to_form(row: FormRow) -> Form:
    budget = Budget(
        label=row.budget_label,
        rate_text=row.budget_rate_text,
        recorded=Recorded(row.budget_score, row.budget_score_reason) if row.budget_score is not None else None,
        basic_expenditure=row.basic_expenditure,
        project_expenditure=row.project_expenditure,
        **{k: getattr(row, f"budget_{k}") for k in _BUDGET},
    )
    goals = tuple(
        Goal(
            text=g.text,
            weight=g.weight,
            indicators=tuple(
                Indicator(
                    level1=i.level1,
                    level2=i.level2,
                    name=i.name,
                    target=i.target,
                    actual=i.actual,
                    weight=i.weight,
                    recorded=Recorded(i.recorded_score, i.recorded_reason) if i.recorded_score is not None else None,
                    adjusted_target=i.adjusted_target,
                    deviation=i.deviation,
                    direction=i.direction,
                    sub=bool(i.sub),
                    uid=i.uid or "",
                )
                for i in g.indicators
            ),
        )
        for g in row.goals
    )
    return Form(
        project_name=row.project_name,
        department=row.department,
        implementing_unit=row.implementing_unit,
        year=row.year,
        form_kind=stored_choice(FormKind, row.form_kind, "表单类型"),
        rules=row.rules,
        title=row.title,
        ticks=Ticks(
            tuple(row.ticks_category or ()), tuple(row.ticks_attribute or ()), tuple(row.ticks_project_type or ())
        ),
        budget=budget,
        goals=goals,
        total_recorded=row.total_recorded,
        deviation_analysis=row.deviation_analysis,
        improvement_measures=row.improvement_measures,
        signoff=SignOff(**{k: getattr(row, f"signoff_{k}") for k in _SIGNOFF}),
    )


def fill_row(row: FormRow, form: Form, goal_row: Any = GoalRow, indicator_row: Any = IndicatorRow) -> None:
    """Copy a domain form onto a row, replacing its children (plain classes for validation: no ORM cost)."""
    fill_fields(row, form)
    uids = first_uids(form)
    row.goals = [
        goal_row(
            position=gi,
            text=g.text,
            weight=g.weight,
            indicators=[
                indicator_row(
                    position=ii,
                    level1=i.level1,
                    level2=i.level2,
                    name=i.name,
                    target=i.target,
                    actual=i.actual,
                    adjusted_target=i.adjusted_target,
                    weight=i.weight,
                    recorded_score=i.recorded.score if i.recorded else None,
                    recorded_reason=i.recorded.reason if i.recorded else "",
                    deviation=i.deviation,
                    direction=i.direction,
                    sub=i.sub,
                    uid=uids[gi][ii] or new_uid(),
                )
                for ii, i in enumerate(g.indicators)
            ],
        )
        for gi, g in enumerate(form.goals)
    ]
    for g in row.goals:
        for i in g.indicators:
            i.form = row


def first_uids(form: Form) -> list[list[str]]:
    """Each row's identity by goal; a repeated one (a row copied in a form file with its uid) is given up, so
    the store gives that row a new one: a 复核 names one row, and the database keeps each once (0052)."""
    seen: set[str] = set()
    out: list[list[str]] = []
    for g in form.goals:
        out.append([])
        for i in g.indicators:
            out[-1].append(i.uid if i.uid not in seen else "")
            seen.add(i.uid)
    return out


def fill_fields(row: Any, form: Form) -> None:
    """The form's own columns of ``fill_row``, without its goals and indicators."""
    assert form.year is not None
    row.year = form.year
    row.department = form.department
    row.implementing_unit = form.implementing_unit
    row.project_name = form.project_name
    row.form_kind = form.form_kind.value
    row.rules = form.rules
    row.title = form.title
    row.ticks_category = list(form.ticks.category)
    row.ticks_attribute = list(form.ticks.attribute)
    row.ticks_project_type = list(form.ticks.project_type)
    b = form.budget
    row.budget_label = b.label
    row.budget_rate_text = b.rate_text
    for k in _BUDGET:
        setattr(row, f"budget_{k}", getattr(b, k))
    row.budget_score = b.recorded.score if b.recorded else None
    row.budget_score_reason = b.recorded.reason if b.recorded else ""
    row.basic_expenditure = b.basic_expenditure
    row.project_expenditure = b.project_expenditure
    row.total_recorded = form.total_recorded
    row.deviation_analysis = form.deviation_analysis
    row.improvement_measures = form.improvement_measures
    for k in _SIGNOFF:
        setattr(row, f"signoff_{k}", getattr(form.signoff, k))


def new_uid() -> str:
    """A fresh indicator identity (128 random bits, hex)."""
    return os.urandom(16).hex()


def scaled(value: Decimal | None, exp: int) -> int | None:
    """An exact integer count of 10**-exp units, rounded half up (for SQL sums)."""
    if value is None:
        return None
    return int((value.scaleb(exp)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


#: the form's columns ``fill_computed`` writes, and the trust a rescore gives them
VERDICT_COLUMNS = (
    *("computed_rules", "computed_total", "computed_grade", "computed_rate", "computed_pending"),
    *("computed_problems", "agg_total_c", "agg_recorded_c", "agg_planned_u", "agg_executed_u"),
    *("agg_errors", "agg_warnings", "agg_infos", "agg_indicators", "scores_trusted"),
)
#: the indicator columns a verdict sets (``fill_computed``; a rescore writes these and no others)
INDICATOR_VERDICT_COLUMNS = ("computed_status", "computed_score", "agg_weight_u", "agg_score_u")


def fill_computed(row: FormRow, result: FormResult, findings: tuple[int, int, int] | None = None) -> None:
    """Keep the engine's verdict beside the data, for listing and SQL review."""
    row.computed_rules = stamp(result.rules.name, result.rules.version)
    row.computed_total = result.total_computed
    row.computed_grade = result.grade
    row.computed_rate = result.budget.rate
    row.computed_pending = result.pending
    row.computed_problems = len(result.all_problems)
    row.agg_total_c = scaled(result.total_computed, 2)
    row.agg_recorded_c = scaled(result.total_recorded, 2)
    row.agg_planned_u = scaled(result.form.budget.planned, 6)
    row.agg_executed_u = scaled(result.form.budget.executed, 6)
    if findings is None:
        probs = result.all_problems
        findings = tuple(
            sum(1 for p in probs if p.severity is s) for s in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        )  # type: ignore[assignment]
    assert findings is not None
    row.agg_errors, row.agg_warnings, row.agg_infos = findings
    row.agg_indicators = len(result.scored)  # each scored row once: sub-rows, not their parent
    flat = [i for g in row.goals for i in g.indicators]
    for irow, ires in zip(flat, result.indicators, strict=True):
        irow.computed_status = ires.status.value
        irow.computed_score = ires.score
        family = ires.weight_source == "children"  # a parent: its sub-rows are summed, not it
        irow.agg_weight_u = None if family else scaled(ires.weight, 4)
        irow.agg_score_u = None if family else scaled(ires.score, 4)


def clear_children(s: Session, row: FormRow) -> None:
    """Remove a stored form's goals and indicators before they are written anew.

    On PostgreSQL fillers hold no DELETE privilege (it would also let them
    LOCK the table against everyone), so the checked function
    ``jixiao_clear_children`` deletes for them; the session forgets the old rows.
    """
    for goal in list(row.goals):
        for indicator in list(goal.indicators):
            s.expunge(indicator)
        s.expunge(goal)
    s.execute(text("SELECT jixiao_clear_children(:id)"), {"id": row.id})
    s.expire(row, ["goals"])
