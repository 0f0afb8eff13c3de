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


def form_to_dict(form: Form) -> dict[str, Any]:
    """The form-file structure (docs/form-format.md) of a Form; Decimals as exact strings.

    ``scorer.formfile.form_from_dict`` reads it back.
    """

    def recorded(r: Recorded | None) -> dict[str, Any]:
        return {} if r is None else {"score": _dec(r.score), "score_reason": r.reason}

    b = form.budget
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
        "budget": {
            "label": b.label,
            "planned": _dec(b.planned),
            "executed": _dec(b.executed),
            "rate": b.rate_text,
            "initial": _dec(b.initial),
            "weight": _dec(b.weight),
            **recorded(b.recorded),
            "fiscal": _dec(b.fiscal),
            "carryover": _dec(b.carryover),
            "other": _dec(b.other),
            "basic_expenditure": _dec(b.basic_expenditure),
            "project_expenditure": _dec(b.project_expenditure),
        },
        "goals": [
            {
                "text": g.text,
                "weight": _dec(g.weight),
                "indicators": [
                    {
                        "level1": i.level1,
                        "level2": i.level2,
                        "name": i.name,
                        "target": i.target,
                        "actual": i.actual,
                        "weight": _dec(i.weight),
                        **recorded(i.recorded),
                        "adjusted_target": i.adjusted_target,
                        "deviation": i.deviation,
                        "direction": i.direction,
                        **({"uid": i.uid} if i.uid else {}),
                        **({"sub": True} if i.sub else {}),
                    }
                    for i in g.indicators
                ],
            }
            for g in form.goals
        ],
        "signoff": {f.name: getattr(form.signoff, f.name) for f in fields(SignOff)},
    }


def _exact_form(data: Any) -> Form | None:
    """Rebuild a Form from ``form_to_dict`` output exactly, without normalising; None if malformed."""

    def num(v: Any) -> Decimal | None:
        return None if v is None else Decimal(v)

    def s(v: Any) -> str:
        if not isinstance(v, str):
            raise TypeError
        return v

    def recorded(d: dict[str, Any]) -> Recorded | None:
        score = d.get("score")
        return None if score is None else Recorded(Decimal(score), s(d.get("score_reason", "")))

    try:
        b = data["budget"]
        rules = data.get("rules")
        year = data.get("year")
        if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
            raise TypeError
        return Form(
            project_name=s(data["project_name"]),
            department=s(data["department"]),
            implementing_unit=s(data["implementing_unit"]),
            year=year,
            form_kind=FormKind(data["form_kind"]),
            rules=None if rules is None else s(rules),
            title=s(data["title"]),
            ticks=Ticks(**{k: tuple(s(x) for x in data["ticks"][k]) for k in TICK_GROUPS}),
            budget=Budget(
                label=s(b["label"]),
                planned=num(b["planned"]),
                executed=num(b["executed"]),
                rate_text=s(b["rate"]),
                initial=num(b["initial"]),
                weight=num(b["weight"]),
                recorded=recorded(b),
                fiscal=num(b["fiscal"]),
                carryover=num(b["carryover"]),
                other=num(b["other"]),
                basic_expenditure=num(b["basic_expenditure"]),
                project_expenditure=num(b["project_expenditure"]),
            ),
            goals=tuple(
                Goal(
                    text=s(g["text"]),
                    weight=num(g["weight"]),
                    indicators=tuple(
                        Indicator(
                            level1=s(i["level1"]),
                            level2=s(i["level2"]),
                            name=s(i["name"]),
                            target=s(i["target"]),
                            actual=s(i["actual"]),
                            weight=num(i["weight"]),
                            recorded=recorded(i),
                            adjusted_target=s(i["adjusted_target"]),
                            deviation=s(i["deviation"]),
                            direction=s(i["direction"]),
                            uid=s(i.get("uid", "")),
                            sub=i.get("sub") is True,
                        )
                        for i in g["indicators"]
                    ),
                )
                for g in data["goals"]
            ),
            total_recorded=num(data["total_score"]),
            deviation_analysis=s(data["deviation_analysis"]),
            improvement_measures=s(data["improvement_measures"]),
            signoff=SignOff(**{f.name: s(data["signoff"][f.name]) for f in fields(SignOff)}),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError, AttributeError):
        return None
