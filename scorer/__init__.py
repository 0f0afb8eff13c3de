"""jixiao's scoring core: cell parsing, rule sets and the scoring engine.

This package imports no UI, database or PDF library (a test enforces it), so
that every adapter (CLI, storage, TUI, PDF) can build on it. Its names are
loaded on first use, so that importing one small module (``scorer.errors``,
``scorer.units``) does not load the engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scorer.cells import Cell, CellError, parse_cell
    from scorer.engine import score_form
    from scorer.formfile import FormFileError, load_form
    from scorer.model import Form, Goal, Indicator
    from scorer.result import FormResult, IndicatorResult, Status
    from scorer.rules import RuleSet, RuleSetError

_WHERE = {
    "Cell": "cells",
    "CellError": "cells",
    "parse_cell": "cells",
    "score_form": "engine",
    "FormFileError": "formfile",
    "load_form": "formfile",
    "Form": "model",
    "Goal": "model",
    "Indicator": "model",
    "FormResult": "result",
    "IndicatorResult": "result",
    "Status": "result",
    "RuleSet": "rules",
    "RuleSetError": "rules",
}

__all__ = [
    "Cell",
    "CellError",
    "Form",
    "FormFileError",
    "FormResult",
    "Goal",
    "Indicator",
    "IndicatorResult",
    "RuleSet",
    "RuleSetError",
    "Status",
    "load_form",
    "parse_cell",
    "score_form",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'scorer' has no attribute {name!r}")
    return getattr(import_module(f"scorer.{_WHERE[name]}"), name)
