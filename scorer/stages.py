"""One form through the year: the target declaration (绩效目标申报表) a self-evaluation starts from.

The indicators are the same rows in every stage (their ``uid`` is kept), so that the
self-evaluation's 年初目标值 is exactly what was declared and approved. A declaration has
what is known in the autumn before the year: goals, three-level indicators with their
original targets and weights, the money requested. Nothing that only the year tells:
no actuals, scores, adjusted targets, execution, narratives or sign-off.
"""

from __future__ import annotations

import dataclasses

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
