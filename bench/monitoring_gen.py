"""Mid-year monitoring snapshots (1–6月) for generated forms, with planted cases (issue 19).

Each snapshot is what the unit would have reported in July for a form the generator made:
about half the year's execution, each numeric row's progress (a share of its year-end actual),
and a forecast that agrees with how the row ended (确定能 when it was met, 有可能 with a cause and
a correction when it was not). Two kinds of case are planted, recorded with the form's key and
indicator so that a test can ask the checks to find every one:

- ``predicted-on-track-missed``: a row that ended below target, forecast 确定能;
- ``forecast-without-correction``: a row forecast 有可能 with no correction.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from scorer.cells import CellError, CellKind, Comparator, read_cell
from scorer.model import Form, Indicator
from scorer.numbers import q2

PLANTED = ("predicted-on-track-missed", "forecast-without-correction")
PLANT_SHARE = 0.08  # of the eligible rows, for each kind


def _shares(ind: Indicator) -> tuple[Decimal, Decimal, str] | None:
    """(actual value, its share of the target, unit) for an "at least" number row with a comparable actual."""
    try:
        t, a = read_cell(ind.target), read_cell(ind.actual)
    except CellError:
        return None
    if isinstance(t, CellError) or isinstance(a, CellError):
        return None
    if CellKind.QUANTITY not in (t.kind, a.kind) or t.kind != a.kind or not t.value or a.value is None:
        return None
    if t.comparator not in (Comparator.GE, Comparator.GT) or t.unit != a.unit:  # "at least": higher is better
        return None
    return a.value, a.value / t.value, a.unit


def snapshot_for(form: Form, rng: random.Random, planted: list[dict[str, str]]) -> dict[str, Any]:
    """A 1–6月 snapshot of ``form`` as a file's data; planted cases are appended to ``planted``."""
    key = f"{form.year}/{form.implementing_unit}/{form.project_name}"
    executed = form.budget.executed
    rows = []
    for ind in form.indicators:
        shares = _shares(ind)
        if shares is None or ind.sub:
            continue
        value, share, unit = shares
        row: dict[str, Any] = {"indicator": ind.name, "to_date": f"{q2(value * Decimal(rng.uniform(0.4, 0.6)))}{unit}"}
        if share >= 1:
            row["forecast"] = "确定能"
        elif rng.random() < PLANT_SHARE:
            row["forecast"] = "确定能"
            planted.append({"form": key, "indicator": ind.name, "check": "predicted-on-track-missed"})
        else:
            row.update(forecast="有可能", cause=rng.choice(("经费保障", "人员保障", "其他")))
            if rng.random() < PLANT_SHARE:
                planted.append({"form": key, "indicator": ind.name, "check": "forecast-without-correction"})
            else:
                row["correction"] = f"下半年加快推进{ind.name}，按月调度"
        if ind.uid:
            row["uid"] = ind.uid
        rows.append(row)
    data: dict[str, Any] = {
        "year": form.year,
        "implementing_unit": form.implementing_unit,
        "project_name": form.project_name,
        "months": 6,
        "rows": rows,
    }
    if executed is not None:
        data["executed"] = q2(executed * Decimal(rng.uniform(0.3, 0.6)))
    return data
