"""The ``--json`` shape of scored forms, and the one writer of indented JSON.

Decimals become strings, never floats. The writer is orjson: its ``OPT_INDENT_2`` output is byte
for byte what ``json.dumps(obj, ensure_ascii=False, indent=2)`` writes for these documents (str,
int, bool, None, lists and dicts with str keys), and ~6× faster, since the standard library
drops to its pure-Python encoder as soon as it indents. Anything orjson refuses (a lone
surrogate read from a JSON file) falls back to the standard library, so the bytes never change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any

from scorer.numbers import q2
from scorer.result import FormResult, IndicatorResult, Problem


def _d(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:f}"


def _d2(value: Decimal | None) -> str | None:
    return None if value is None else f"{q2(value):f}"


def problem(p: Problem) -> dict[str, Any]:
    return {
        "severity": p.severity.value,
        "code": p.code,
        "message": p.message,
        "indicator": p.indicator or None,
        "column": p.column or None,
        "text": p.text or None,
    }


def indicator(r: IndicatorResult) -> dict[str, Any]:
    ind = r.indicator
    return {
        "goal": r.goal,
        "level1": ind.level1,
        "level2": ind.level2,
        "name": ind.name,
        "target": ind.target,
        "actual": ind.actual,
        "target_parsed": r.target.display(r.unit if r.target.is_numeric else None) if r.target else None,
        "actual_parsed": r.actual.display(r.unit if r.actual.is_numeric else None) if r.actual else None,
        "status": r.status.value,
        "direction": r.direction or None,
        "direction_source": r.direction_source or None,
        "weight": _d(r.weight),
        "weight_source": r.weight_source,
        "score_computed": _d2(r.score),
        "score_computed_exact": _d(r.score),
        "score_recorded": _d(ind.recorded.score) if ind.recorded else None,
        "score_recorded_reason": ind.recorded.reason if ind.recorded else None,
        "differs": r.differs,
        "explanation": "；".join(r.explanation),
    }


def form(result: FormResult, source: str) -> dict[str, Any]:
    f = result.form
    br = result.budget
    return {
        "source": source,
        "project_name": f.project_name,
        "department": f.department,
        "implementing_unit": f.implementing_unit,
        "year": f.year,
        "form_kind": f.form_kind.value,
        "rules": result.rules.name,
        "rules_version": result.rules.version,
        "total_computed": _d2(result.total_computed),
        "total_recorded": _d2(result.total_recorded),
        "total_recorded_source": result.recorded_source or None,
        "grade": result.grade,
        "grade_recorded": result.grade_recorded,
        "pending_judgement": result.pending,
        "cap": result.cap_note or None,
        "budget": {
            "planned": _d(f.budget.planned),
            "executed": _d(f.budget.executed),
            "rate": _d(br.rate),
            "weight": _d(br.weight),
            "score_computed": _d2(br.score),
            "score_recorded": _d(br.recorded.score) if br.recorded else None,
            "explanation": "；".join(br.explanation),
        },
        "levels": [
            {
                "level1": lv.level1,
                "weight": _d(lv.weight),
                "score_computed": _d2(lv.computed),
                "score_recorded": _d2(lv.recorded),
            }
            for lv in result.levels
        ],
        "indicators": [indicator(r) for r in result.indicators],
        "problems": [problem(p) for p in result.all_problems],
    }


def dumps(obj: Any) -> str:
    """``json.dumps(obj, ensure_ascii=False, indent=2)``, fast."""
    import orjson  # here, not at the top: a command that writes no JSON does not load it

    try:
        return orjson.dumps(obj, option=orjson.OPT_INDENT_2).decode("utf-8")
    except (orjson.JSONEncodeError, UnicodeDecodeError):
        return json.dumps(obj, ensure_ascii=False, indent=2)


class FormsWriter:
    """``{"forms": [...]}`` written one form at a time, as each is scored: the same bytes as
    ``dumps({"forms": forms})`` plus a newline, without holding the whole document."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.empty = True

    def add(self, text: str) -> None:
        """One form, as ``dumps`` wrote it."""
        self.stream.write('{\n  "forms": [\n    ' if self.empty else ",\n    ")
        self.stream.write(text.replace("\n", "\n    "))  # nested two levels: 4 more spaces
        self.empty = False

    def close(self) -> None:
        self.stream.write('{\n  "forms": []\n}\n' if self.empty else "\n  ]\n}\n")


def write_forms(stream: IO[str], forms: Iterable[dict[str, Any]]) -> None:
    writer = FormsWriter(stream)
    for item in forms:
        writer.add(dumps(item))
    writer.close()
