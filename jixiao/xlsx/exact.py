"""The exact data kept in the hidden sheet: a Form as the form-file structure, and back."""

from __future__ import annotations

from dataclasses import fields
from decimal import Decimal
from typing import Any

from jixiao.xlsx.errors import FORMAT
from scorer.model import (
    TICK_GROUPS,
    Budget,
    Form,
    FormKind,
    Goal,
    Indicator,
    Recorded,
    SignOff,
    Ticks,
)


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _recorded_dict(r: Recorded | None) -> dict[str, Any]:
    return {} if r is None else {"score": _dec(r.score), "score_reason": r.reason}


def form_to_dict(form: Form) -> dict[str, Any]:
    """The form-file structure (docs/form-format.md) of a Form; Decimals as exact strings.

    ``scorer.formfile.form_from_dict`` reads it back.
    """
    return {
        "format": FORMAT,
        "form_kind": form.form_kind.value,
        "title": form.title,
        "year": form.year,
        "project_name": form.project_name,
        "department": form.department,
        "implementing_unit": form.implementing_unit,
        "rules": form.rules,
        "total_score": _dec(form.total_recorded),
        "deviation_analysis": form.deviation_analysis,
        "improvement_measures": form.improvement_measures,
        "ticks": {key: list(form.ticks.group(key)) for key in TICK_GROUPS},
        "budget": _budget_dict(form.budget),
        "goals": [
            {"text": g.text, "weight": _dec(g.weight), "indicators": [_indicator_dict(i) for i in g.indicators]}
            for g in form.goals
        ],
        "signoff": {f.name: getattr(form.signoff, f.name) for f in fields(SignOff)},
    }


def _budget_dict(b: Budget) -> dict[str, Any]:
    return {
        "label": b.label,
        "planned": _dec(b.planned),
        "executed": _dec(b.executed),
        "rate": b.rate_text,
        "initial": _dec(b.initial),
        "weight": _dec(b.weight),
        **_recorded_dict(b.recorded),
        "fiscal": _dec(b.fiscal),
        "carryover": _dec(b.carryover),
        "other": _dec(b.other),
        "basic_expenditure": _dec(b.basic_expenditure),
        "project_expenditure": _dec(b.project_expenditure),
    }


def _indicator_dict(i: Indicator) -> dict[str, Any]:
    return {
        "level1": i.level1,
        "level2": i.level2,
        "name": i.name,
        "target": i.target,
        "actual": i.actual,
        "weight": _dec(i.weight),
        **_recorded_dict(i.recorded),
        "adjusted_target": i.adjusted_target,
        "deviation": i.deviation,
        "direction": i.direction,
        **({"uid": i.uid} if i.uid else {}),
        **({"sub": True} if i.sub else {}),
    }


# Reading back: every value must have the exact type written; anything else is "malformed" (None).


def _num(v: Any) -> Decimal | None:
    return None if v is None else Decimal(v)


def _s(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError
    return v


def _recorded(d: dict[str, Any]) -> Recorded | None:
    score = d.get("score")
    return None if score is None else Recorded(Decimal(score), _s(d.get("score_reason", "")))


def _exact_form(data: Any) -> Form | None:
    """Rebuild a Form from ``form_to_dict`` output exactly, without normalising; None if malformed."""
    try:
        rules = data.get("rules")
        year = data.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise TypeError
        return Form(
            project_name=_s(data["project_name"]),
            department=_s(data["department"]),
            implementing_unit=_s(data["implementing_unit"]),
            year=year,
            form_kind=FormKind(data["form_kind"]),
            rules=None if rules is None else _s(rules),
            title=_s(data["title"]),
            ticks=Ticks(**{k: tuple(_s(x) for x in data["ticks"][k]) for k in TICK_GROUPS}),
            budget=_exact_budget(data["budget"]),
            goals=tuple(
                Goal(
                    text=_s(g["text"]),
                    weight=_num(g["weight"]),
                    indicators=tuple(_exact_indicator(i) for i in g["indicators"]),
                )
                for g in data["goals"]
            ),
            total_recorded=_num(data["total_score"]),
            deviation_analysis=_s(data["deviation_analysis"]),
            improvement_measures=_s(data["improvement_measures"]),
            signoff=SignOff(**{f.name: _s(data["signoff"][f.name]) for f in fields(SignOff)}),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError):
        return None


def _exact_budget(b: Any) -> Budget:
    return Budget(
        label=_s(b["label"]),
        planned=_num(b["planned"]),
        executed=_num(b["executed"]),
        rate_text=_s(b["rate"]),
        initial=_num(b["initial"]),
        weight=_num(b["weight"]),
        recorded=_recorded(b),
        fiscal=_num(b["fiscal"]),
        carryover=_num(b["carryover"]),
        other=_num(b["other"]),
        basic_expenditure=_num(b["basic_expenditure"]),
        project_expenditure=_num(b["project_expenditure"]),
    )


def _exact_indicator(i: Any) -> Indicator:
    return Indicator(
        level1=_s(i["level1"]),
        level2=_s(i["level2"]),
        name=_s(i["name"]),
        target=_s(i["target"]),
        actual=_s(i["actual"]),
        weight=_num(i["weight"]),
        recorded=_recorded(i),
        adjusted_target=_s(i["adjusted_target"]),
        deviation=_s(i["deviation"]),
        direction=_s(i["direction"]),
        uid=_s(i.get("uid", "")),
        sub=i.get("sub") is True,
    )
