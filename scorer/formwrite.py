"""Writing a form as its file: the canonical structure, TOML for people and JSON for machines.

The reader is ``scorer/formfile.py``; ``load(dump(form)) == form`` is tested on every sample.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from scorer.model import TICK_GROUPS, Budget, Form, Goal, Indicator, Recorded

FORMAT = "jixiao-form/1"


def _put(d: dict[str, Any], key: str, value: Any) -> None:
    if value is None or value == "" or value == ():
        return
    d[key] = list(value) if isinstance(value, tuple) else value


def _recorded_dict(d: dict[str, Any], rec: Recorded | None) -> None:
    if rec is not None:
        d["score"] = rec.score
        _put(d, "score_reason", rec.reason)


def form_to_dict(form: Form) -> dict[str, Any]:
    """The canonical file structure of a form; load(dump(form)) == form."""
    d: dict[str, Any] = {"format": FORMAT, "form_kind": form.form_kind.value}
    for key in ("title", "year", "project_name", "department", "implementing_unit", "rules"):
        _put(d, key, getattr(form, key))
    _put(d, "total_score", form.total_recorded)
    _put(d, "deviation_analysis", form.deviation_analysis)
    _put(d, "improvement_measures", form.improvement_measures)
    ticks = {k: list(form.ticks.group(k)) for k in TICK_GROUPS if form.ticks.group(k)}
    if ticks:
        d["ticks"] = ticks
    d["budget"] = _budget_dict(form.budget)
    d["goals"] = [_goal_dict(g) for g in form.goals]
    signoff = {k: getattr(form.signoff, k) for k in _SIGNOFF_ORDER if getattr(form.signoff, k)}
    if signoff:
        d["signoff"] = signoff
    return d


def _budget_dict(b: Budget) -> dict[str, Any]:
    """The [budget] table, keys in the printed order of the 预算执行情况 block."""
    budget: dict[str, Any] = {"label": b.label}
    for key in ("planned", "executed"):
        _put(budget, key, getattr(b, key))
    _put(budget, "rate", b.rate_text)
    for key in ("initial", "weight"):
        _put(budget, key, getattr(b, key))
    _recorded_dict(budget, b.recorded)
    for key in ("fiscal", "carryover", "other", "basic_expenditure", "project_expenditure"):
        _put(budget, key, getattr(b, key))
    return budget


def _goal_dict(g: Goal) -> dict[str, Any]:
    gd: dict[str, Any] = {}
    _put(gd, "text", g.text)
    _put(gd, "weight", g.weight)
    gd["indicators"] = [_indicator_dict(ind) for ind in g.indicators]
    return gd


def _indicator_dict(ind: Indicator) -> dict[str, Any]:
    """One [[goals.indicators]] row: the five cells always, the rest only when set."""
    i: dict[str, Any] = {
        "level1": ind.level1,
        "level2": ind.level2,
        "name": ind.name,
        "target": ind.target,
        "actual": ind.actual,
    }
    _put(i, "adjusted_target", ind.adjusted_target)
    _put(i, "weight", ind.weight)
    _recorded_dict(i, ind.recorded)
    _put(i, "deviation", ind.deviation)
    _put(i, "direction", ind.direction)
    if ind.sub:
        i["sub"] = True
    _put(i, "uid", ind.uid)
    return i


_SIGNOFF_ORDER = ("preparer", "reviewer", "unit_head", "finance_head", "project_lead", "contact", "phone", "date")


def dumps_toml(form: Form, comment: str = "") -> str:
    """TOML for people: tables in form order, [[goals.indicators]] per row."""
    import tomli_w

    d = _ints(form_to_dict(form))
    goals = d.pop("goals")
    tables = {k: d.pop(k) for k in ("ticks", "budget", "signoff") if k in d}
    parts = []
    if comment:
        parts.append("".join(f"# {line}\n" for line in comment.splitlines()))
    parts.append(tomli_w.dumps(d, multiline_strings=False))
    for key in ("ticks", "budget"):
        if key in tables:
            parts.append(f"\n[{key}]\n" + tomli_w.dumps(tables[key]))
    for g in goals:
        inds = g.pop("indicators")
        parts.append("\n[[goals]]\n" + tomli_w.dumps(g))
        for i in inds:
            parts.append("\n[[goals.indicators]]\n" + tomli_w.dumps(i))
    if "signoff" in tables:
        parts.append("\n[signoff]\n" + tomli_w.dumps(tables["signoff"]))
    return "".join(parts)


def _ints(value: Any) -> Any:
    """Whole Decimals as TOML integers (94, not 94.0); others keep their digits."""
    if isinstance(value, Decimal):
        exp = value.as_tuple().exponent
        return int(value) if isinstance(exp, int) and exp >= 0 else value
    if isinstance(value, dict):
        return {k: _ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_ints(v) for v in value]
    return value


def dumps_json(form: Form) -> str:
    """JSON for machines; Decimals are written as strings to stay exact."""
    return json.dumps(form_to_dict(form), ensure_ascii=False, indent=2, default=lambda v: f"{v:f}") + "\n"
